// /manage/events/{id}/{key}/attendance[.csv]: ticking who came to an occurrence, once it has
// started, on a phone and without script: those who said yes or maybe, and walk-ins by name.
// For the unit's responsibles and admins, and for the host of an exchange offer (who sees the
// names of their own offer's list, as they see who comes; never addresses, never the CSV).
#include <usecases/input.h>
#include <web/manage_pages.h>

#include <algorithm>
#include <sstream>

#include "../pages/page_views.h"
#include "../problem.h"
#include "../request_context.h"
#include "../responses.h"
#include "manage_handlers.h"

namespace treffpunkt::server {
namespace {

/// The occurrence of the path, for someone who may record who came to it.
struct attendance_target {
  calendar::unit unit;
  std::shared_ptr<const calendar::event> event;
  calendar::occurrence occurrence;
  bool editor = false;  ///< a responsible of the unit or an admin; else the host
};

std::variant<attendance_target, http_response> target_of(const request_context& ctx,
                                                         const route_params& p) {
  const auto id = parse_id(p["id"]);
  auto e = id ? ctx.store().event_by_id(calendar::event_id{*id}) : std::nullopt;
  if (!e) return not_found(ctx);
  auto u = ctx.store().unit_by_id(e->unit);
  if (!u) return not_found(ctx);
  const bool editor = ctx.store().may_edit(manager_actor(ctx), u->id);
  const auto host = ctx.store().host_of(e->id);
  if (!editor && !(host && host->person == manager(ctx).id)) return forbidden(ctx);
  const auto key = calendar::occurrence_key::parse(p["key"]);
  if (!key) return not_found(ctx);
  auto held = std::make_shared<const calendar::event>(std::move(*e));
  auto o = calendar::find_occurrence(*held, *key);
  if (!o) return not_found(ctx);
  return attendance_target{std::move(*u), held, *o, editor};
}

std::string_view state_text(storage::rsvp_state s) {
  switch (s) {
    case storage::rsvp_state::going:
      return "going";
    case storage::rsvp_state::waitlisted:
      return "waitlisted";
    default:
      return "maybe";
  }
}

std::string path_of(const attendance_target& t) {
  return "/manage/events/" + std::to_string(t.event->id.value) + "/" +
         t.occurrence.key.to_string() + "/attendance";
}

/// The page as stored: everyone who answered, ticked if they came.
web::attendance_view view_of(const request_context& ctx, const attendance_target& t) {
  const auto& e = *t.event;
  web::attendance_view v;
  v.unit = summary(t.unit);
  v.when = make_session(e, t.unit, t.occurrence);
  v.back_href = (t.editor ? "/manage/events/" : "/manage/offers/") + std::to_string(e.id.value);
  v.action = path_of(t);
  if (t.editor) v.csv_href = path_of(t) + ".csv";
  v.started = !t.occurrence.cancelled && t.occurrence.start <= ctx.now();
  const auto list = ctx.store().attendance_of(e.id, t.occurrence.key);
  for (const auto& a : ctx.store().attendees(e.id, t.occurrence.key)) {
    const bool came = std::any_of(list.came.begin(), list.came.end(),
                                  [&](const auto& m) { return m.who.id == a.who.id; });
    v.answered.push_back({a.who.id.value, a.who.name, std::string(state_text(a.rsvp.state)), came});
  }
  v.walk_ins = list.walk_ins;
  v.anonymous = list.anonymous;
  v.recorded = list.recorded;
  v.csrf = ctx.csrf_token();
  return v;
}

http_response show(const request_context& ctx, const web::attendance_view& v, unsigned status) {
  return manage_html(ctx, status, web::render_attendance(page_context_of(ctx), v));
}

}  // namespace

namespace manage_attendance {

http_response page(const request_context& ctx, const route_params& p) {
  auto found = target_of(ctx, p);
  if (auto* refused = std::get_if<http_response>(&found)) return std::move(*refused);
  auto v = view_of(ctx, std::get<attendance_target>(found));
  v.notice = done_notice(ctx);
  return show(ctx, v, 200);
}

http_response save(const request_context& ctx, const route_params& p) {
  auto found = target_of(ctx, p);
  if (auto* refused = std::get_if<http_response>(&found)) return std::move(*refused);
  const auto& t = std::get<attendance_target>(found);
  const auto l = ctx.lang();
  auto v = view_of(ctx, t);
  // What was sent, so that a refused form comes back as it was ticked and typed.
  std::vector<storage::person_id> came;
  bool bad_came = false;
  for (const auto& typed : ctx.form_values("came")) {
    const auto id = parse_id(typed);
    if (!id) {
      bad_came = true;
      continue;
    }
    came.push_back(storage::person_id{*id});
  }
  for (auto& a : v.answered) {
    a.came = std::find(came.begin(), came.end(), storage::person_id{a.person}) != came.end();
  }
  v.walk_ins = ctx.form_values("walk_in");
  v.new_walk_ins = ctx.form_value("walk_ins");
  std::erase(v.new_walk_ins, '\r');
  std::vector<std::string> names;
  bool bad_name = false;
  std::vector<std::string> typed_lines;
  {
    std::istringstream lines(v.new_walk_ins);
    for (std::string line; std::getline(lines, line);) typed_lines.push_back(line);
  }
  for (const auto& typed : v.walk_ins) {
    auto name = usecases::guest_name(typed);
    if (name) names.push_back(std::move(*name));
    bad_name = bad_name || !name;
  }
  for (const auto& line : typed_lines) {
    if (line.find_first_not_of(" \t") == std::string::npos) continue;  // blank lines: nothing
    auto name = usecases::guest_name(line);
    if (name) names.push_back(std::move(*name));
    bad_name = bad_name || !name;
  }
  if (bad_came) v.errors.push_back({"came", web::manage_text(l, "m_err_came")});
  if (bad_name) v.errors.push_back({"walk_ins", web::manage_text(l, "m_err_walk_ins")});
  if (!v.errors.empty()) return show(ctx, v, 422);

  auto saved = ctx.store().set_attendance(t.event->id, t.occurrence.key, came, names,
                                          manager_actor(ctx), ctx.now());
  if (saved) return see_other(path_of(t) + "?done=came");
  const auto why = problem_of(saved.error());
  if (why.status == 403 || why.status == 404) return store_error(ctx, saved.error());
  if (why.status == 409) {
    v.errors.push_back({"came", web::manage_text(l, "m_err_came_not_started")});
    return show(ctx, v, 409);
  }
  if (saved.error().field == "walk_ins") {
    v.errors.push_back({"walk_ins", web::manage_text(l, "m_err_walk_ins")});
  } else if (saved.error().field == "came") {
    v.errors.push_back({"came", web::manage_text(l, "m_err_came")});
  } else {
    return store_error(ctx, saved.error());
  }
  return show(ctx, v, 422);
}

http_response csv(const request_context& ctx, const route_params& p) {
  auto found = target_of(ctx, p);
  if (auto* refused = std::get_if<http_response>(&found)) return std::move(*refused);
  const auto& t = std::get<attendance_target>(found);
  // Addresses are the unit's responsibles' and admins' only.
  if (!t.editor) return forbidden(ctx);
  const auto list = ctx.store().attendance_of(t.event->id, t.occurrence.key);
  std::vector<web::came_row> rows;
  for (const auto& m : list.came) {
    rows.push_back({m.who.name, m.who.email, std::string(state_text(m.state))});
  }
  for (const auto& name : list.walk_ins) rows.push_back({name, "", "walk_in"});
  for (int i = 0; i < list.anonymous; ++i) rows.push_back({"", "", "deleted_account"});
  auto r = http_response::text(200, web::attendance_csv(rows), "text/csv; charset=utf-8");
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"came-" +
                                                    std::to_string(t.event->id.value) + "-" +
                                                    t.occurrence.key.to_string() + ".csv\"");
  r.headers.emplace_back("Cache-Control", "private, no-store");
  return r;
}

}  // namespace manage_attendance
}  // namespace treffpunkt::server
