// /manage/events/{id}/{key}...: one occurrence's attendees (page and CSV), cancelling,
// restoring or moving it, and a message to those coming. Changes tell those going
// (usecases/events.h), as the API's do.
#include <usecases/events.h>
#include <usecases/input.h>
#include <web/manage_pages.h>

#include "../pages/page_views.h"
#include "../problem.h"
#include "../request_context.h"
#include "../responses.h"
#include "manage_handlers.h"

namespace treffpunkt::server {
namespace {

std::vector<web::attendee_row> attendee_rows(const request_context& ctx, const calendar::event& e,
                                             const calendar::occurrence_key& key) {
  std::vector<web::attendee_row> rows;
  for (const auto& a : ctx.store().attendees(e.id, key)) {
    std::string state;
    switch (a.rsvp.state) {
      case storage::rsvp_state::going:
        state = "going";
        break;
      case storage::rsvp_state::waitlisted:
        state = "waitlisted";
        break;
      case storage::rsvp_state::maybe:
        state = "maybe";
        break;
      case storage::rsvp_state::not_going:
      case storage::rsvp_state::pending:
        continue;
    }
    rows.push_back({a.who.name, a.who.email, state, a.rsvp.waitlist_position, a.rsvp.updated});
  }
  return rows;
}

web::manage_attendees_view attendees_view(const request_context& ctx, const occurrence_in_unit& x) {
  web::manage_attendees_view v;
  v.unit = summary(x.unit);
  v.when = make_session(x.event, x.unit, x.occurrence);
  v.attendees = attendee_rows(ctx, x.event, x.occurrence.key);
  v.capacity = x.event.capacity;
  v.csrf = ctx.csrf_token();
  return v;
}

http_response back_to_event(const calendar::event& e, std::string_view done) {
  return see_other("/manage/events/" + std::to_string(e.id.value) + "?done=" + std::string(done));
}

/// Cancels or restores one occurrence, keeping what else its override changed.
http_response set_cancelled(const request_context& ctx, const route_params& p, bool cancelled) {
  auto found = editable_occurrence(ctx, p);
  if (auto* refused = std::get_if<http_response>(&found)) return std::move(*refused);
  const auto& x = std::get<occurrence_in_unit>(found);
  calendar::occurrence_override o;
  if (const auto* existing = x.event.find_override(x.occurrence.key)) o = *existing;
  o.key = x.occurrence.key;
  o.cancelled = cancelled;
  auto done = usecases::change_occurrence(ctx.use(), x.event, std::move(o), manager_actor(ctx));
  if (!done) return store_error(ctx, done.error());
  return back_to_event(x.event, cancelled ? "cancelled" : "restored");
}

}  // namespace

namespace manage_occurrences {

http_response attendees(const request_context& ctx, const route_params& p) {
  auto found = editable_occurrence(ctx, p);
  if (auto* refused = std::get_if<http_response>(&found)) return std::move(*refused);
  auto v = attendees_view(ctx, std::get<occurrence_in_unit>(found));
  v.notice = done_notice(ctx);
  return manage_html(ctx, 200, web::render_manage_attendees(page_context_of(ctx), v));
}

http_response attendees_csv(const request_context& ctx, const route_params& p) {
  auto found = editable_occurrence(ctx, p);
  if (auto* refused = std::get_if<http_response>(&found)) return std::move(*refused);
  const auto& x = std::get<occurrence_in_unit>(found);
  auto r =
      http_response::text(200, web::attendees_csv(attendee_rows(ctx, x.event, x.occurrence.key)),
                          "text/csv; charset=utf-8");
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"attendees-" +
                                                    std::to_string(x.event.id.value) + "-" +
                                                    x.occurrence.key.to_string() + ".csv\"");
  r.headers.emplace_back("Cache-Control", "private, no-store");
  return r;
}

http_response cancel(const request_context& ctx, const route_params& p) {
  return set_cancelled(ctx, p, true);
}

http_response restore(const request_context& ctx, const route_params& p) {
  return set_cancelled(ctx, p, false);
}

http_response move(const request_context& ctx, const route_params& p) {
  auto found = editable_occurrence(ctx, p);
  if (auto* refused = std::get_if<http_response>(&found)) return std::move(*refused);
  const auto& x = std::get<occurrence_in_unit>(found);
  const auto& key = x.occurrence.key;
  web::managed_occurrence typed;
  typed.move_date = ctx.form_value("date");
  typed.move_time = ctx.form_value("time");
  // The form's own reading of a date and a time, as for a new event.
  web::event_form f;
  f.date = typed.move_date;
  f.start_time = typed.move_time;
  f.end_time.clear();
  f.all_day = x.event.all_day;
  auto checked = web::check_event_form(f, x.event.zone, ctx.lang());
  for (auto& error : checked.errors) {
    typed.errors.push_back({error.field == "start_time" ? "time" : "date", error.message});
  }
  if (!typed.errors.empty()) return event_page(ctx, x.unit, x.event, key, typed, {});
  calendar::occurrence_override o;
  if (const auto* existing = x.event.find_override(key)) o = *existing;
  o.key = key;
  o.cancelled = false;
  o.start = checked.input->start;
  auto done = usecases::change_occurrence(ctx.use(), x.event, std::move(o), manager_actor(ctx));
  if (!done) {
    if (problem_of(done.error()).status != 422) return store_error(ctx, done.error());
    typed.errors.push_back({"date", web::manage_text(ctx.lang(), "m_err_invalid")});
    return event_page(ctx, x.unit, x.event, key, typed, {});
  }
  return back_to_event(x.event, "moved");
}

namespace {

/// The form of "change from this date on", filled from the series as it is at that date.
web::split_form_view split_view(const request_context& ctx, const occurrence_in_unit& x) {
  const auto& e = x.event;
  const auto& o = x.occurrence;
  web::split_form_view v;
  v.unit = summary(x.unit);
  v.id = e.id;
  v.series_title = e.title;
  v.from = make_session(e, x.unit, o);
  v.title = std::string(o.title);
  v.description = std::string(o.description);
  v.start_time = date::format("%H:%M", o.local_start);
  v.end_time = date::format("%H:%M", o.local_end);
  v.location = std::string(o.location);
  v.online_url = std::string(o.online_url);
  if (e.capacity) v.capacity = std::to_string(*e.capacity);
  v.zone = e.zone;
  v.csrf = ctx.csrf_token();
  return v;
}

/// The message next to the split form's field for a change's failed field.
web::field_error split_error(std::string_view field, web::language l) {
  if (field == "occurrence") return {"title", web::manage_text(l, "m_err_split_first")};
  if (field == "title") return {"title", web::manage_text(l, "m_err_title")};
  if (field == "online_url") return {"online_url", web::manage_text(l, "m_err_online_url")};
  if (field == "capacity") return {"capacity", web::manage_text(l, "m_err_capacity")};
  if (field == "end" || field == "duration_minutes") {
    return {"end_time", web::manage_text(l, "m_err_end_equal")};
  }
  if (field == "description" || field == "location") {
    return {std::string(field), web::manage_text(l, "m_err_too_long")};
  }
  return {"start_time", web::manage_text(l, "m_err_invalid")};
}

}  // namespace

http_response split_form(const request_context& ctx, const route_params& p) {
  auto found = editable_occurrence(ctx, p);
  if (auto* refused = std::get_if<http_response>(&found)) return std::move(*refused);
  const auto& x = std::get<occurrence_in_unit>(found);
  if (!x.event.is_series()) return not_found(ctx);
  return manage_html(ctx, 200, web::render_split_form(page_context_of(ctx), split_view(ctx, x)));
}

http_response split(const request_context& ctx, const route_params& p) {
  auto found = editable_occurrence(ctx, p);
  if (auto* refused = std::get_if<http_response>(&found)) return std::move(*refused);
  const auto& x = std::get<occurrence_in_unit>(found);
  if (!x.event.is_series()) return not_found(ctx);
  const auto l = ctx.lang();
  auto v = split_view(ctx, x);
  v.title = ctx.form_value("title");
  v.description = ctx.form_value("description");
  std::erase(v.description, '\r');
  v.start_time = ctx.form_value("start_time");
  v.end_time = ctx.form_value("end_time");
  v.location = ctx.form_value("location");
  v.online_url = ctx.form_value("online_url");
  v.capacity = ctx.form_value("capacity");
  // Times and places read as the event form reads them, on the date the change starts at.
  web::event_form f;
  f.date = date::format("%Y-%m-%d", date::floor<date::days>(x.occurrence.local_start));
  f.start_time = v.start_time;
  f.end_time = v.end_time;
  f.all_day = x.event.all_day;
  f.capacity = v.capacity;
  auto checked = web::check_event_form(f, x.event.zone, l);
  v.errors = std::move(checked.errors);
  if (v.errors.empty()) {
    usecases::event_changes c;
    c.title = v.title;
    c.description = v.description;
    c.location = v.location;
    c.online_url = v.online_url;
    c.start = checked.input->start;
    c.end = checked.input->end;
    c.capacity = checked.input->capacity ? std::optional<std::int64_t>(*checked.input->capacity)
                                         : std::optional<std::int64_t>();
    auto done = usecases::change_from(ctx.use(), x.event, x.occurrence.key, c, manager_actor(ctx));
    if (done) {
      return see_other("/manage/events/" + std::to_string(done->second.id.value) + "?done=split");
    }
    if (problem_of(done.error()).status != 422) return store_error(ctx, done.error());
    v.errors.push_back(split_error(done.error().field, l));
  }
  return manage_html(ctx, 422, web::render_split_form(page_context_of(ctx), v));
}

/// "Nachricht an Teilnehmende": one mail to everyone going or waiting, with the API's rules for
/// subject and text (usecases/input.h).
http_response message(const request_context& ctx, const route_params& p) {
  auto found = editable_occurrence(ctx, p);
  if (auto* refused = std::get_if<http_response>(&found)) return std::move(*refused);
  const auto& x = std::get<occurrence_in_unit>(found);
  auto v = attendees_view(ctx, x);
  auto typed = read_message_form(ctx);
  v.subject = typed.subject;
  v.body = typed.body;
  v.errors = typed.errors;
  const auto l = ctx.lang();
  if (v.errors.empty()) {
    auto sent = usecases::message_attendees(ctx.use(), x.event, x.occurrence.key, manager(ctx),
                                            typed.checked_subject, typed.checked_body);
    if (sent) {
      return see_other("/manage/events/" + std::to_string(x.event.id.value) + "/" +
                       x.occurrence.key.to_string() + "?done=message&n=" + std::to_string(*sent));
    }
    if (problem_of(sent.error()).status == 403) return forbidden(ctx);
    v.errors.push_back({"body", web::manage_text(l, "m_err_message_failed")});
  }
  return manage_html(ctx, 422, web::render_manage_attendees(page_context_of(ctx), v));
}

}  // namespace manage_occurrences

message_form read_message_form(const request_context& ctx) {
  message_form m;
  m.subject = ctx.form_value("subject");
  m.body = ctx.form_value("body");
  std::erase(m.body, '\r');
  const auto l = ctx.lang();
  auto subject = usecases::message_subject(m.subject);
  auto body = usecases::message_body(m.body);
  if (!subject) m.errors.push_back({"subject", web::manage_text(l, "m_err_subject")});
  if (!body) m.errors.push_back({"body", web::manage_text(l, "m_err_body")});
  if (subject) m.checked_subject = std::move(*subject);
  if (body) m.checked_body = std::move(*body);
  return m;
}

}  // namespace treffpunkt::server
