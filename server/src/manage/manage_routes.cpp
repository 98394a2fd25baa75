// The routes of /manage (a unit's responsibles, and admins) and /admin (admins only), and what
// their handlers share. Before any of them: an anonymous visitor goes to the login (and comes
// back), a form without the right CSRF token is refused, /admin is for admins.
#include <calendar/recurrence.h>
#include <web/manage_pages.h>
#include <web/repeat.h>

#include "../pages/page_views.h"
#include "../problem.h"
#include "../request_context.h"
#include "../responses.h"
#include "../routes.h"
#include "manage_handlers.h"

namespace treffpunkt::server {
namespace {

/// Anonymous: log in first, then come back (a form sent without a session starts over).
std::optional<http_response> need_manager(const request_context& ctx) {
  if (!ctx.member()) return to_login(ctx.path());
  if (ctx.method() == "POST" && !ctx.csrf_valid()) return forbidden(ctx);
  return std::nullopt;
}

std::optional<http_response> need_admin(const request_context& ctx) {
  if (auto refused = need_manager(ctx)) return refused;
  if (!manager(ctx).admin) return forbidden(ctx);
  return std::nullopt;
}

http_response manage_not_found(const request_context& ctx) {
  if (auto refused = need_manager(ctx)) return *refused;
  return not_found(ctx);
}

http_response admin_not_found(const request_context& ctx) {
  if (auto refused = need_admin(ctx)) return *refused;
  return not_found(ctx);
}

http_response not_allowed(const request_context& ctx, std::string_view allow) {
  if (!ctx.member()) return to_login(ctx.path());
  return method_not_allowed(allow);
}

}  // namespace

area manage_routes() {
  return {
      "manage",
      {"/manage"},
      {
          {"GET", "/manage", manage_units::home},
          {"GET", "/manage/units/{slug}", manage_units::unit},
          {"GET", "/manage/units/{slug}/edit", manage_units::edit_form},
          {"POST", "/manage/units/{slug}/edit", manage_units::edit},
          {"POST", "/manage/units/{slug}/archive", manage_units::archive},
          {"GET", "/manage/units/{slug}/events/new", manage_events::new_form},
          {"POST", "/manage/units/{slug}/events/new", manage_events::create},
          {"GET", "/manage/proposals", manage_proposals::list},
          {"GET", "/manage/proposals/{id}", manage_proposals::page},
          {"POST", "/manage/proposals/{id}/decision", manage_proposals::decide},
          {"GET", "/manage/offers/{id}", host_pages::page},
          {"POST", "/manage/offers/{id}/edit", host_pages::edit},
          {"POST", "/manage/offers/{id}/cancel", host_pages::cancel},
          {"POST", "/manage/offers/{id}/message", host_pages::message},
          {"GET", "/manage/events/{id}", manage_events::page},
          {"GET", "/manage/events/{id}/edit", manage_events::edit_form},
          {"POST", "/manage/events/{id}/edit", manage_events::edit},
          {"POST", "/manage/events/{id}/cancel", manage_events::cancel},
          {"GET", "/manage/events/{id}/confirm", manage_confirm::page},
          {"POST", "/manage/events/{id}/confirm", manage_confirm::confirm},
          {"GET", "/manage/events/{id}/{key}", manage_occurrences::attendees},
          {"GET", "/manage/events/{id}/{key}/attendees.csv", manage_occurrences::attendees_csv},
          {"GET", "/manage/events/{id}/{key}/attendance", manage_attendance::page},
          {"POST", "/manage/events/{id}/{key}/attendance", manage_attendance::save},
          {"GET", "/manage/events/{id}/{key}/attendance.csv", manage_attendance::csv},
          {"POST", "/manage/events/{id}/{key}/cancel", manage_occurrences::cancel},
          {"POST", "/manage/events/{id}/{key}/restore", manage_occurrences::restore},
          {"POST", "/manage/events/{id}/{key}/move", manage_occurrences::move},
          {"POST", "/manage/events/{id}/{key}/message", manage_occurrences::message},
          {"GET", "/manage/events/{id}/{key}/from-here", manage_occurrences::split_form},
          {"POST", "/manage/events/{id}/{key}/from-here", manage_occurrences::split},
      },
      manage_not_found,
      not_allowed,
      need_manager,
  };
}

area admin_routes() {
  return {
      "admin",
      {"/admin"},
      {
          {"GET", "/admin", admin_pages::home},
          {"POST", "/admin/units", admin_pages::create_unit},
          {"POST", "/admin/units/{slug}/responsibles", admin_pages::add_responsible},
          {"POST", "/admin/units/{slug}/responsibles/{person}/remove",
           admin_pages::remove_responsible},
          {"GET", "/admin/outbox", admin_pages::outbox},
          {"GET", "/admin/people", admin_pages::people},
          {"POST", "/admin/people/delete", admin_pages::delete_person},
      },
      admin_not_found,
      not_allowed,
      need_admin,
  };
}

const storage::person& manager(const request_context& ctx) { return *ctx.member(); }

storage::actor manager_actor(const request_context& ctx) {
  return storage::actor::of(manager(ctx).id);
}

http_response manage_html(const request_context& ctx, unsigned status, std::string body) {
  ctx.csrf_token();  // every page of the area has forms, or links to pages that do
  auto r = personal_html(status, std::move(body), ctx.lang());
  ctx.set_csrf_cookie(r);
  return r;
}

http_response forbidden(const request_context& ctx) {
  return manage_html(ctx, 403, web::render_forbidden(page_context_of(ctx)));
}

http_response not_found(const request_context& ctx) {
  return manage_html(ctx, 404, web::render_not_found(page_context_of(ctx)));
}

http_response store_error(const request_context& ctx, const storage::error& e) {
  const auto why = problem_of(e);
  if (why.status == 403) return forbidden(ctx);
  if (why.status == 404) return not_found(ctx);
  return http_response::text(why.status, why.message + "\n");
}

std::string done_notice(const request_context& ctx) {
  const auto done = ctx.query("done").value_or("");
  const auto l = ctx.lang();
  if (done.empty()) return {};
  if (done == "message") {
    const auto count = parse_id(ctx.query("n").value_or(""));
    return web::manage_text(l, "m_done_message",
                            {{"n", count ? std::to_string(*count) : std::string("0")}});
  }
  for (const std::string_view known :
       {"saved", "moved", "cancelled", "restored", "event_cancelled", "split", "came", "unit",
        "responsible", "responsible_removed", "deleted"}) {
    if (done == known) {
      const bool of_admin =
          known == "unit" || known == "deleted" || known.starts_with("responsible");
      return web::manage_text(l, (of_admin ? "a_done_" : "m_done_") + std::string(known));
    }
  }
  return {};
}

web::unit_summary summary(const calendar::unit& u) { return {u.slug, u.name, u.description}; }

std::string rule_words(const calendar::event& e, web::language l) {
  if (!e.is_series()) return {};
  const date::year_month_day first{date::floor<date::days>(e.start)};
  std::optional<date::local_days> last;
  if (e.rule && e.rule->until()) {
    last = e.rule->until_is_date()
               ? date::local_days{date::floor<date::days>(*e.rule->until()).time_since_epoch()}
               : date::floor<date::days>(calendar::to_local(*e.rule->until(), e.zone));
  }
  return web::describe_rule(e.rule ? e.rule->to_string() : std::string(), first, last, l);
}

std::variant<calendar::unit, http_response> editable_unit(const request_context& ctx,
                                                          const route_params& p) {
  auto u = ctx.store().unit_by_slug(p["slug"]);
  if (!u) return not_found(ctx);
  if (!ctx.store().may_edit(manager_actor(ctx), u->id)) return forbidden(ctx);
  return std::move(*u);
}

std::variant<event_in_unit, http_response> editable_event(const request_context& ctx,
                                                          const route_params& p) {
  const auto id = parse_id(p["id"]);
  if (!id) return not_found(ctx);
  auto e = ctx.store().event_by_id(calendar::event_id{*id});
  if (!e) return not_found(ctx);
  auto u = ctx.store().unit_by_id(e->unit);
  if (!u) return not_found(ctx);
  if (!ctx.store().may_edit(manager_actor(ctx), u->id)) return forbidden(ctx);
  return event_in_unit{std::move(*u), std::move(*e)};
}

std::variant<occurrence_in_unit, http_response> editable_occurrence(const request_context& ctx,
                                                                    const route_params& p) {
  auto found = editable_event(ctx, p);
  if (auto* refused = std::get_if<http_response>(&found)) return std::move(*refused);
  auto& [u, e] = std::get<event_in_unit>(found);
  const auto key = calendar::occurrence_key::parse(p["key"]);
  if (!key) return not_found(ctx);
  auto held = std::make_shared<const calendar::event>(std::move(e));
  auto o = calendar::find_occurrence(*held, *key);
  if (!o) return not_found(ctx);
  return occurrence_in_unit{std::move(u), held, *held, *o};
}

std::vector<web::clash_warning> clash_warnings(const std::vector<usecases::clash>& clashes,
                                               std::string_view zone) {
  const auto session_of = [&](const usecases::clash_side& side) {
    web::session s;
    s.event = side.event;
    s.key = side.key;
    s.title = side.title;
    s.unit_name = side.unit_name;
    s.unit_slug = side.unit_slug;
    s.start = calendar::to_local(side.start, zone);
    s.end = calendar::to_local(side.end, zone);
    return s;
  };
  std::vector<web::clash_warning> out;
  out.reserve(clashes.size());
  for (const auto& c : clashes) {
    out.push_back({session_of(c.ours), session_of(c.theirs), std::string(to_string(c.why))});
  }
  return out;
}

}  // namespace treffpunkt::server
