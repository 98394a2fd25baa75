// /manage/units/{slug}/events/new and /manage/events/{id}[/edit|/cancel]: the event form (new
// and edit, with a preview of the next dates), an event's page with its next occurrences, and
// cancelling a whole event. The form is read into the same changes the JSON API makes of its
// bodies (usecases::event_changes), checked by the same rules.
#include <usecases/event_changes.h>
#include <usecases/events.h>
#include <web/manage_pages.h>

#include <algorithm>

#include "../pages/page_views.h"
#include "../problem.h"
#include "../request_context.h"
#include "../responses.h"
#include "manage_handlers.h"

namespace treffpunkt::server {
namespace {

using web::field_error;
using web::language;

/// How many occurrences the preview and the event's manage page list, and how far ahead.
constexpr std::size_t preview_count = 6;
constexpr std::size_t manage_count = 12;
constexpr auto look_ahead = date::days{2 * 366};

/// The form field a change's field belongs to.
std::string field_of(std::string_view changed) {
  if (changed == "start") return "date";
  if (changed == "end" || changed == "duration_minutes") return "end_time";
  if (changed == "rrule") return "repeat";
  if (changed == "rdates") return "extra_dates";
  if (changed == "left_out") return "left_out";
  for (const std::string_view same :
       {"title", "description", "location", "online_url", "capacity", "kind"}) {
    if (changed == same) return std::string(same);
  }
  return "title";
}

/// The error next to a form field, in the reader's language.
field_error form_error(std::string_view changed_field, bool too_long, language l) {
  const auto field = field_of(changed_field);
  std::string_view key = "m_err_invalid";
  if (field == "title") {
    key = "m_err_title";
  } else if (field == "online_url") {
    key = "m_err_online_url";
  } else if (field == "repeat") {
    key = "m_err_rule";
  } else if (field == "end_time") {
    key = "m_err_end_equal";
  } else if (field == "capacity") {
    key = "m_err_capacity";
  } else if (field == "extra_dates") {
    key = "m_err_extra_before";
  } else if (field == "left_out") {
    key = "m_err_left_out";
  } else if (too_long) {
    key = "m_err_too_long";
  }
  return {field, web::manage_text(l, key)};
}

web::event_form read_event_form(const request_context& ctx) {
  web::event_form f;
  f.title = ctx.form_value("title");
  f.description = ctx.form_value("description");
  f.kind = ctx.form_value("kind");
  f.date = ctx.form_value("date");
  f.start_time = ctx.form_value("start_time");
  f.end_time = ctx.form_value("end_time");
  f.all_day = !ctx.form_value("all_day").empty();
  f.location = ctx.form_value("location");
  f.online_url = ctx.form_value("online_url");
  f.capacity = ctx.form_value("capacity");
  f.repeat = ctx.form_value("repeat");
  f.ends = ctx.form_value("ends");
  f.count = ctx.form_value("count");
  f.until = ctx.form_value("until");
  f.extra_dates = ctx.form_value("extra_dates");
  f.left_out = ctx.form_value("left_out");
  // Descriptions come from a <textarea>: browsers send CRLF line ends.
  std::erase(f.description, '\r');
  return f;
}

/// Applies the form to `e`: its dates, times, repeat and capacity as web::check_event_form
/// reads them, its texts as typed, all checked by usecases::apply_event_changes (the API's
/// rules). The errors name the form's fields; a date or time error is reported once.
std::vector<field_error> apply_form(calendar::event& e, const web::event_form& f, bool creating,
                                    language l) {
  auto checked = web::check_event_form(f, e.zone, l);
  usecases::event_changes c;
  c.title = f.title;
  c.description = f.description;
  c.location = f.location;
  c.online_url = f.online_url;
  c.kind = f.kind == "exchange_offer" ? calendar::event_kind::exchange_offer
                                      : calendar::event_kind::meeting;
  if (checked.input) {
    const auto& in = *checked.input;
    c.all_day = in.all_day;
    c.start = in.start;
    c.end = in.end;
    // Set either way: an empty field removes the limit.
    c.capacity =
        in.capacity ? std::optional<std::int64_t>(*in.capacity) : std::optional<std::int64_t>();
    if (in.rrule) c.rrule = *in.rrule;
    c.rdates = in.rdates;
    c.left_out = in.left_out;
  } else if (creating) {
    // Only to check the texts below; nothing is saved with errors.
    c.start = calendar::local_seconds{date::local_days{date::year{2000} / 1 / 1}};
  }
  auto errors = std::move(checked.errors);
  if (auto applied = usecases::apply_event_changes(e, c, creating); !applied) {
    auto error =
        form_error(applied.error().field, applied.error().code == usecases::errc::too_long, l);
    const bool known = std::any_of(errors.begin(), errors.end(),
                                   [&](const field_error& x) { return x.field == error.field; });
    if (!known && (checked.input || (error.field != "date" && error.field != "end_time" &&
                                     error.field != "repeat"))) {
      errors.push_back(std::move(error));
    }
  }
  return errors;
}

web::event_form_view form_view(const request_context& ctx, const calendar::unit& u,
                               const std::optional<calendar::event>& editing) {
  web::event_form_view v;
  v.unit = summary(u);
  v.zone = u.zone;
  v.csrf = ctx.csrf_token();
  if (editing) {
    v.editing = editing->id;
    v.zone = editing->zone;
    const auto f = web::event_form_of(*editing);
    if (f.repeat == "keep") v.kept_rule = rule_words(*editing, ctx.lang());
  }
  return v;
}

/// "Vorschau" or "Speichern" of the event form, for a new event of `u` or the edited one.
http_response save_form(const request_context& ctx, const calendar::unit& u,
                        const std::optional<calendar::event>& editing) {
  const auto l = ctx.lang();
  const auto page = page_context_of(ctx);
  auto v = form_view(ctx, u, editing);
  v.form = read_event_form(ctx);
  const bool save = ctx.form("action") == "save";
  calendar::event e;
  if (editing) {
    e = *editing;
  } else {
    e.unit = u.id;
    e.zone = u.zone;
  }
  v.errors = apply_form(e, v.form, !editing, l);
  if (!v.errors.empty()) return manage_html(ctx, 422, web::render_event_form(page, v));
  if (!save) {
    v.previewed = true;
    v.preview_rule = rule_words(e, l);
    if (v.preview_rule.empty()) v.preview_rule = web::manage_text(l, "m_once");
    // The preview starts at the first occurrence (it may lie in the past when editing).
    const auto from = std::min(ctx.now(), calendar::to_utc(e.start, e.zone));
    for (const auto& o : calendar::expand(e, from, from + look_ahead)) {
      if (v.preview.size() == preview_count) break;
      v.preview.push_back(make_session(e, u, o));
    }
    // What the previewed dates overlap: a hint before saving.
    if (!v.preview.empty()) {
      const auto until = calendar::to_utc(v.preview.back().end, e.zone);
      v.warnings = clash_warnings(
          usecases::clashes_with(ctx.store(), e, std::max(from, ctx.now()), until), e.zone);
    }
    return manage_html(ctx, 200, web::render_event_form(page, v));
  }
  storage::result<calendar::event> saved =
      editing ? usecases::update_event(ctx.use(), std::move(e), manager_actor(ctx))
              : ctx.store().create_event(std::move(e), manager_actor(ctx), ctx.now());
  if (!saved) {
    const auto why = problem_of(saved.error());
    if (why.status == 403) return forbidden(ctx);
    if (why.status == 409) {
      v.errors.push_back({"title", web::manage_text(l, "m_err_conflict")});
    } else {
      v.errors.push_back(form_error(why.field, false, l));
    }
    return manage_html(ctx, 422, web::render_event_form(page, v));
  }
  return see_other("/manage/events/" + std::to_string(saved->id.value) + "?done=saved");
}

}  // namespace

namespace {

/// Whether `key` is the series' first date (its original start): that one cannot be split off.
bool is_first(const calendar::event& e, const calendar::occurrence_key& key) {
  if (key.is_date()) {
    return date::floor<date::days>(key.instant()).time_since_epoch() ==
           date::floor<date::days>(e.start).time_since_epoch();
  }
  return key.instant() == calendar::to_utc(e.start, e.zone);
}

}  // namespace

namespace {

/// The season's chart: the last season_past dates that have started (within two years) and
/// the next season_next, none cancelled, each with its answers and who came.
constexpr std::size_t season_past = 12;
constexpr std::size_t season_next = 4;

std::vector<web::season_point> season_of(const request_context& ctx, const calendar::unit& u,
                                         const calendar::event& e,
                                         const std::vector<calendar::occurrence>& next) {
  const auto now = ctx.now();
  std::vector<calendar::occurrence> dates;
  for (const auto& o : calendar::expand(e, now - look_ahead, now + std::chrono::seconds(1))) {
    if (!o.cancelled && o.start <= now) dates.push_back(o);
  }
  if (dates.size() > season_past) dates.erase(dates.begin(), dates.end() - season_past);
  std::size_t coming = 0;
  for (const auto& o : next) {
    if (coming == season_next) break;
    if (o.cancelled || o.start <= now) continue;
    dates.push_back(o);
    ++coming;
  }
  const auto counts = ctx.store().attendance_counts(e.id);
  std::vector<web::season_point> out;
  for (const auto& o : dates) {
    web::season_point p;
    p.when = make_session(e, u, o);
    const auto seats = ctx.store().occupancy_of(e.id, o.key);
    p.going = seats.going;
    p.waitlisted = seats.waitlisted;
    p.maybe = seats.maybe;
    p.started = o.start <= now;
    for (const auto& [key, n] : counts) {
      if (key == o.key) p.came = n;
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

http_response event_page(const request_context& ctx, const calendar::unit& u,
                         const calendar::event& e,
                         const std::optional<calendar::occurrence_key>& failed_key,
                         const web::managed_occurrence& failed, std::vector<field_error> errors) {
  web::manage_event_view v;
  v.unit = summary(u);
  v.id = e.id;
  v.title = e.title;
  v.rule = rule_words(e, ctx.lang());
  v.cancelled = e.status == calendar::event_status::cancelled;
  v.csrf = ctx.csrf_token();
  v.notice = done_notice(ctx);
  v.errors = std::move(errors);
  auto next = calendar::expand(e, ctx.now(), ctx.now() + look_ahead);
  v.season = season_of(ctx, u, e, next);
  if (next.size() > manage_count) next.resize(manage_count);
  const auto clashes = next.empty()
                           ? std::vector<usecases::clash>{}
                           : usecases::clashes_with(ctx.store(), e, ctx.now(), next.back().end);
  for (const auto& o : next) {
    web::managed_occurrence m;
    if (failed_key && *failed_key == o.key) m = failed;
    m.when = make_session(e, u, o);
    const auto seats = ctx.store().occupancy_of(e.id, o.key);
    m.going = seats.going;
    m.waitlisted = seats.waitlisted;
    m.maybe = seats.maybe;
    m.capacity = seats.capacity;
    // A later date of a series that still goes on: "change from this date on".
    m.can_split = e.is_series() && !o.cancelled && !v.cancelled && !is_first(e, o.key);
    std::vector<usecases::clash> own;
    std::copy_if(clashes.begin(), clashes.end(), std::back_inserter(own),
                 [&](const usecases::clash& c) { return c.ours.key == o.key; });
    m.warnings = clash_warnings(own, e.zone);
    v.occurrences.push_back(std::move(m));
  }
  const bool failed_any = failed_key.has_value() || !v.errors.empty();
  return manage_html(ctx, failed_any ? 422 : 200,
                     web::render_manage_event(page_context_of(ctx), v));
}

namespace manage_events {

http_response new_form(const request_context& ctx, const route_params& p) {
  auto found = editable_unit(ctx, p);
  if (auto* refused = std::get_if<http_response>(&found)) return std::move(*refused);
  const auto& u = std::get<calendar::unit>(found);
  auto v = form_view(ctx, u, std::nullopt);
  // A week from today, 19:00-21:00: the usual evening meeting.
  const auto today = date::floor<date::days>(calendar::to_local(ctx.now(), u.zone));
  v.form.date = date::format("%Y-%m-%d", today + date::days{7});
  return manage_html(ctx, 200, web::render_event_form(page_context_of(ctx), v));
}

http_response create(const request_context& ctx, const route_params& p) {
  auto found = editable_unit(ctx, p);
  if (auto* refused = std::get_if<http_response>(&found)) return std::move(*refused);
  return save_form(ctx, std::get<calendar::unit>(found), std::nullopt);
}

http_response page(const request_context& ctx, const route_params& p) {
  auto found = editable_event(ctx, p);
  if (auto* refused = std::get_if<http_response>(&found)) return std::move(*refused);
  const auto& [u, e] = std::get<event_in_unit>(found);
  return event_page(ctx, u, e, std::nullopt, {}, {});
}

http_response edit_form(const request_context& ctx, const route_params& p) {
  auto found = editable_event(ctx, p);
  if (auto* refused = std::get_if<http_response>(&found)) return std::move(*refused);
  const auto& [u, e] = std::get<event_in_unit>(found);
  auto v = form_view(ctx, u, e);
  v.form = web::event_form_of(e);
  return manage_html(ctx, 200, web::render_event_form(page_context_of(ctx), v));
}

http_response edit(const request_context& ctx, const route_params& p) {
  auto found = editable_event(ctx, p);
  if (auto* refused = std::get_if<http_response>(&found)) return std::move(*refused);
  const auto& [u, e] = std::get<event_in_unit>(found);
  return save_form(ctx, u, e);
}

http_response cancel(const request_context& ctx, const route_params& p) {
  auto found = editable_event(ctx, p);
  if (auto* refused = std::get_if<http_response>(&found)) return std::move(*refused);
  const auto& [u, e] = std::get<event_in_unit>(found);
  if (ctx.form("confirm") != "yes") {
    return event_page(ctx, u, e, std::nullopt, {},
                      {{"confirm", web::manage_text(ctx.lang(), "m_err_confirm")}});
  }
  auto done = usecases::cancel_event(ctx.use(), e, manager_actor(ctx));
  if (!done) return store_error(ctx, done.error());
  return see_other("/manage/events/" + std::to_string(e.id.value) + "?done=event_cancelled");
}

}  // namespace manage_events
}  // namespace treffpunkt::server
