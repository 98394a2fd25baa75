#include "manage_pages.h"

#include <calendar/expand.h>
#include <usecases/events.h>
#include <usecases/people.h>
#include <web/i18n.h>
#include <web/manage_pages.h>
#include <web/repeat.h>

#include <algorithm>
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api_json.h"
#include "auth.h"
#include "page_helpers.h"
#include "url_pairs.h"

namespace treffpunkt::server {
namespace {

namespace json = boost::json;
using calendar::utc_seconds;
using web::field_error;
using web::language;

/// How many occurrences the preview and the event's manage page list, and how far ahead.
constexpr std::size_t preview_count = 6;
constexpr std::size_t manage_count = 12;
constexpr auto look_ahead = date::days{2 * 366};
/// The outbox page's rows.
constexpr int outbox_rows = 200;

/// "/manage/events/7" -> {"manage", "events", "7"}; a trailing '/' makes no empty segment.
std::vector<std::string_view> segments_of(std::string_view path) {
  auto out = split_segments(path.substr(1));
  if (out.size() > 1 && out.back().empty()) out.pop_back();
  return out;
}

std::vector<calendar::occurrence> upcoming(const calendar::event& e, utc_seconds now,
                                           std::size_t limit) {
  auto all = calendar::expand(e, now, now + look_ahead);
  if (all.size() > limit) all.resize(limit);
  return all;
}

/// The rule of `e` in words; empty for a one-off event.
std::string rule_words(const calendar::event& e, language l) {
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

/// The form field an API error of the event fields belongs to.
std::string field_of(std::string_view api_field) {
  if (api_field == "start") return "date";
  if (api_field == "end" || api_field == "duration" || api_field == "duration_minutes") {
    return "end_time";
  }
  if (api_field == "rrule" || api_field == "rdates" || api_field == "overrides") return "repeat";
  for (const std::string_view same :
       {"title", "description", "location", "online_url", "capacity", "kind"}) {
    if (api_field == same) return std::string(same);
  }
  return "title";
}

field_error form_error(const api_error& e, language l) {
  const auto field = field_of(e.field);
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
  } else if (e.message.find("longer than") != std::string::npos) {
    key = "m_err_too_long";
  }
  return {field, web::manage_text(l, key)};
}

web::event_form read_event_form(std::string_view body) {
  web::event_form f;
  f.title = form_value(body, "title");
  f.description = form_value(body, "description");
  f.kind = form_value(body, "kind");
  f.date = form_value(body, "date");
  f.start_time = form_value(body, "start_time");
  f.end_time = form_value(body, "end_time");
  f.all_day = !form_value(body, "all_day").empty();
  f.location = form_value(body, "location");
  f.online_url = form_value(body, "online_url");
  f.capacity = form_value(body, "capacity");
  f.repeat = form_value(body, "repeat");
  f.ends = form_value(body, "ends");
  f.count = form_value(body, "count");
  f.until = form_value(body, "until");
  // Descriptions come from a <textarea>: browsers send CRLF line ends.
  std::erase(f.description, '\r');
  return f;
}

/// Applies the form to `e` with the JSON API's rules for event fields (apply_event_fields):
/// the same lengths, link schemes and calendar::validate, so the pages and the API accept
/// the same events. Errors name the form's fields.
std::vector<field_error> apply_form(calendar::event& e, const web::event_form& f, bool creating,
                                    language l) {
  auto checked = web::check_event_form(f, e.zone, l);
  json::object body;
  body["title"] = f.title;
  body["description"] = f.description;
  body["location"] = f.location;
  body["online_url"] = f.online_url;
  body["kind"] = f.kind == "exchange_offer" ? "exchange_offer" : "meeting";
  if (checked.input) {
    const auto& in = *checked.input;
    body["all_day"] = in.all_day;
    body["start"] = local_text(in.start, in.all_day);
    body["end"] = local_text(in.end, in.all_day);
    if (in.capacity) {
      body["capacity"] = *in.capacity;
    } else {
      body["capacity"] = nullptr;
    }
    if (in.rrule) body["rrule"] = *in.rrule;
  } else if (creating) {
    body["start"] = "2000-01-01T00:00";  // only to check the texts below; not saved
  }
  auto errors = std::move(checked.errors);
  if (auto applied = apply_event_fields(e, body, creating); !applied) {
    auto error = form_error(applied.error(), l);
    // A date or time error is reported once, by check_event_form.
    const bool known = std::any_of(errors.begin(), errors.end(),
                                   [&](const field_error& x) { return x.field == error.field; });
    if (!known && (checked.input || (error.field != "date" && error.field != "end_time" &&
                                     error.field != "repeat"))) {
      errors.push_back(std::move(error));
    }
  }
  return errors;
}

struct request_state {
  const http_request& request;
  std::string_view path;
  utc_seconds now;
  std::string_view base_url;
  web::page_context ctx;
  storage::person me;
  std::string csrf;
  bool new_csrf = false;
};

}  // namespace

manage_routes::manage_routes(storage::store& store, const rsvp_mail_options& mail)
    : store_(store), mail_(mail) {}

bool manage_routes::owns(std::string_view path) {
  return path == "/manage" || path.starts_with("/manage/") || path == "/admin" ||
         path.starts_with("/admin/");
}

namespace {

class manage_handler {
 public:
  manage_handler(storage::store& store, const rsvp_mail_options& mail, request_state& s)
      : store_(store), mail_(mail), s_(s) {}

  http_response route() {
    const auto parts = segments_of(s_.path);
    const bool post = s_.request.method == "POST";
    if (!post && s_.request.method != "GET" && s_.request.method != "HEAD") {
      auto r = http_response::text(405, "method not allowed\n");
      r.headers.emplace_back("Allow", "GET, HEAD, POST");
      return r;
    }
    if (post && !csrf_valid(s_.request, form_value(s_.request.body, "csrf"))) {
      return forbidden();
    }
    if (parts[0] == "admin") return admin(parts, post);
    // /manage
    if (parts.size() == 1) return post ? not_found() : manage_home();
    if (parts[1] == "units" && parts.size() >= 3) {
      const auto u = store_.unit_by_slug(parts[2]);
      if (!u) return not_found();
      if (!store_.may_edit(actor(), u->id)) return forbidden();
      if (parts.size() == 3 && !post) return unit_page(*u);
      if (parts.size() == 5 && parts[3] == "events" && parts[4] == "new") {
        return post ? save_form(*u, std::nullopt) : new_form(*u);
      }
      return not_found();
    }
    if (parts[1] == "events" && parts.size() >= 3) {
      const auto id = parse_id(parts[2]);
      if (!id) return not_found();
      const auto e = store_.event_by_id(calendar::event_id{*id});
      if (!e) return not_found();
      const auto u = store_.unit_by_id(e->unit);
      if (!u) return not_found();
      if (!store_.may_edit(actor(), u->id)) return forbidden();
      if (parts.size() == 3 && !post) return event_page(*u, *e, {}, {}, {});
      if (parts.size() == 4 && parts[3] == "edit") {
        return post ? save_form(*u, *e) : edit_form(*u, *e);
      }
      if (parts.size() == 4 && parts[3] == "cancel" && post) return cancel_event(*u, *e);
      const auto key = calendar::occurrence_key::parse(parts[3]);
      if (!key) return not_found();
      const auto o = calendar::find_occurrence(*e, *key);
      if (!o) return not_found();
      if (parts.size() == 4 && !post) return attendees_page(*u, *e, *o);
      if (parts.size() == 5 && parts[4] == "attendees.csv" && !post) return attendees_csv(*e, *key);
      if (parts.size() == 5 && post && parts[4] == "cancel")
        return set_cancelled(*u, *e, *key, true);
      if (parts.size() == 5 && post && parts[4] == "restore") {
        return set_cancelled(*u, *e, *key, false);
      }
      if (parts.size() == 5 && post && parts[4] == "move") return move(*u, *e, *key);
      if (parts.size() == 5 && post && parts[4] == "message") return message(*u, *e, *o);
    }
    return not_found();
  }

 private:
  storage::actor actor() const { return storage::actor::of(s_.me.id); }
  language lang() const { return s_.ctx.lang; }
  web::unit_summary summary(const calendar::unit& u) const {
    return {u.slug, u.name, u.description};
  }

  http_response html(unsigned status, std::string body) const {
    return personal_html(status, std::move(body), lang());
  }
  http_response forbidden() const { return html(403, web::render_forbidden(s_.ctx)); }
  http_response not_found() const { return html(404, web::render_not_found(s_.ctx)); }

  usecases::context use() const { return {store_, mail_, s_.base_url, s_.now}; }

  /// The request's query string, without the '?'; empty if none.
  std::string_view query() const {
    const std::string_view target = s_.request.target;
    const auto q = target.find('?');
    return q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);
  }

  /// The notice a redirect asked for (?done=...), from a fixed list.
  std::string done_notice() const {
    const auto done = raw_pair_value(query(), "done");
    if (!done) return {};
    if (*done == "message") {
      const auto n = raw_pair_value(query(), "n");
      const auto count = parse_id(n.value_or(""));
      return web::manage_text(lang(), "m_done_message",
                              {{"n", count ? std::to_string(*count) : std::string("0")}});
    }
    for (const std::string_view known :
         {"saved", "moved", "cancelled", "restored", "event_cancelled", "unit", "responsible",
          "responsible_removed", "deleted"}) {
      if (*done == known) {
        const bool of_admin =
            known == "unit" || known == "deleted" || known.starts_with("responsible");
        return web::manage_text(lang(), (of_admin ? "a_done_" : "m_done_") + std::string(known));
      }
    }
    return {};
  }

  // ---- /manage ------------------------------------------------------------------------
  http_response manage_home() const {
    web::manage_home_view v;
    v.admin = s_.me.admin;
    for (const auto& u : store_.units()) {
      if (store_.may_edit(actor(), u.id)) v.units.push_back(summary(u));
    }
    if (v.units.empty() && !v.admin) return forbidden();
    return html(200, web::render_manage_home(s_.ctx, v));
  }

  http_response unit_page(const calendar::unit& u) const {
    web::manage_unit_view v;
    v.unit = summary(u);
    for (const auto& e : store_.events_of_unit(u.id)) {
      web::managed_event m;
      m.id = e.id;
      m.title = e.title;
      m.rule = rule_words(e, lang());
      m.cancelled = e.status == calendar::event_status::cancelled;
      const auto next = upcoming(e, s_.now, 1);
      if (!next.empty()) m.next = make_session(e, u, next.front());
      v.events.push_back(std::move(m));
    }
    // Soonest next occurrence first; those without one (past, cancelled) after them.
    std::stable_sort(v.events.begin(), v.events.end(), [](const auto& a, const auto& b) {
      if (a.next.has_value() != b.next.has_value()) return a.next.has_value();
      return a.next && b.next && a.next->start < b.next->start;
    });
    return html(200, web::render_manage_unit(s_.ctx, v));
  }

  web::event_form_view form_view(const calendar::unit& u,
                                 const std::optional<calendar::event>& editing) const {
    web::event_form_view v;
    v.unit = summary(u);
    v.zone = u.zone;
    v.csrf = s_.csrf;
    if (editing) {
      v.editing = editing->id;
      v.zone = editing->zone;
      const auto f = web::event_form_of(*editing);
      if (f.repeat == "keep") v.kept_rule = rule_words(*editing, lang());
    }
    return v;
  }

  http_response new_form(const calendar::unit& u) const {
    auto v = form_view(u, std::nullopt);
    // A week from today, 19:00-21:00: the usual evening meeting.
    const auto today = date::floor<date::days>(calendar::to_local(s_.now, u.zone));
    v.form.date = date::format("%Y-%m-%d", today + date::days{7});
    return html(200, web::render_event_form(s_.ctx, v));
  }

  http_response edit_form(const calendar::unit& u, const calendar::event& e) const {
    auto v = form_view(u, e);
    v.form = web::event_form_of(e);
    return html(200, web::render_event_form(s_.ctx, v));
  }

  /// Vorschau or Speichern of the event form.
  http_response save_form(const calendar::unit& u, const std::optional<calendar::event>& editing) {
    auto v = form_view(u, editing);
    v.form = read_event_form(s_.request.body);
    const bool save = form_value(s_.request.body, "action") == "save";
    calendar::event e;
    if (editing) {
      e = *editing;
    } else {
      e.unit = u.id;
      e.zone = u.zone;
    }
    v.errors = apply_form(e, v.form, !editing, lang());
    if (!v.errors.empty()) return html(422, web::render_event_form(s_.ctx, v));
    if (!save) {
      v.previewed = true;
      v.preview_rule = rule_words(e, lang());
      if (v.preview_rule.empty()) v.preview_rule = web::manage_text(lang(), "m_once");
      // The preview starts at the first occurrence (it may lie in the past when editing).
      const auto from = std::min(s_.now, calendar::to_utc(e.start, e.zone));
      for (const auto& o : calendar::expand(e, from, from + look_ahead)) {
        if (v.preview.size() == preview_count) break;
        v.preview.push_back(make_session(e, u, o));
      }
      return html(200, web::render_event_form(s_.ctx, v));
    }
    storage::result<calendar::event> saved =
        editing ? usecases::update_event(use(), std::move(e), actor())
                : store_.create_event(std::move(e), actor(), s_.now);
    if (!saved) {
      const auto error = from_storage(saved.error());
      if (error.status == 403) return forbidden();
      if (error.status == 409) {
        v.errors.push_back({"title", web::manage_text(lang(), "m_err_conflict")});
      } else {
        v.errors.push_back(form_error(error, lang()));
      }
      return html(422, web::render_event_form(s_.ctx, v));
    }
    return see_other("/manage/events/" + std::to_string(saved->id.value) + "?done=saved");
  }

  http_response event_page(const calendar::unit& u, const calendar::event& e,
                           const std::optional<calendar::occurrence_key>& failed_key,
                           web::managed_occurrence failed, std::vector<field_error> errors) const {
    web::manage_event_view v;
    v.unit = summary(u);
    v.id = e.id;
    v.title = e.title;
    v.rule = rule_words(e, lang());
    v.cancelled = e.status == calendar::event_status::cancelled;
    v.csrf = s_.csrf;
    v.notice = done_notice();
    v.errors = std::move(errors);
    for (const auto& o : upcoming(e, s_.now, manage_count)) {
      web::managed_occurrence m;
      if (failed_key && *failed_key == o.key) m = failed;
      m.when = make_session(e, u, o);
      const auto seats = store_.occupancy_of(e.id, o.key);
      m.going = seats.going;
      m.waitlisted = seats.waitlisted;
      m.maybe = seats.maybe;
      m.capacity = seats.capacity;
      v.occurrences.push_back(std::move(m));
    }
    const bool failed_any = failed_key.has_value() || !v.errors.empty();
    return html(failed_any ? 422 : 200, web::render_manage_event(s_.ctx, v));
  }

  http_response back_to_event(const calendar::event& e, std::string_view done) const {
    return see_other("/manage/events/" + std::to_string(e.id.value) + "?done=" + std::string(done));
  }

  http_response cancel_event(const calendar::unit& u, const calendar::event& e) {
    if (form_value(s_.request.body, "confirm") != "yes") {
      return event_page(u, e, std::nullopt, {},
                        {{"confirm", web::manage_text(lang(), "m_err_confirm")}});
    }
    auto done = usecases::cancel_event(use(), e, actor());
    if (!done) return store_error(done.error());
    return back_to_event(e, "event_cancelled");
  }

  http_response set_cancelled(const calendar::unit& u, const calendar::event& e,
                              const calendar::occurrence_key& key, bool cancelled) {
    calendar::occurrence_override o;
    if (const auto* existing = e.find_override(key)) o = *existing;
    o.key = key;
    o.cancelled = cancelled;
    auto done = usecases::change_occurrence(use(), e, std::move(o), actor());
    if (!done) {
      (void)u;
      return store_error(done.error());
    }
    return back_to_event(e, cancelled ? "cancelled" : "restored");
  }

  http_response move(const calendar::unit& u, const calendar::event& e,
                     const calendar::occurrence_key& key) {
    web::managed_occurrence typed;
    typed.move_date = form_value(s_.request.body, "date");
    typed.move_time = form_value(s_.request.body, "time");
    // The form's own reading of a date and a time, as for a new event.
    web::event_form f;
    f.date = typed.move_date;
    f.start_time = typed.move_time;
    f.end_time.clear();
    f.all_day = e.all_day;
    auto checked = web::check_event_form(f, e.zone, lang());
    for (auto& error : checked.errors) {
      typed.errors.push_back({error.field == "start_time" ? "time" : "date", error.message});
    }
    if (!typed.errors.empty()) return event_page(u, e, key, std::move(typed), {});
    calendar::occurrence_override o;
    if (const auto* existing = e.find_override(key)) o = *existing;
    o.key = key;
    o.cancelled = false;
    o.start = checked.input->start;
    auto done = usecases::change_occurrence(use(), e, std::move(o), actor());
    if (!done) {
      const auto error = from_storage(done.error());
      if (error.status != 422) return store_error(done.error());
      typed.errors.push_back({"date", web::manage_text(lang(), "m_err_invalid")});
      return event_page(u, e, key, std::move(typed), {});
    }
    return back_to_event(e, "moved");
  }

  http_response store_error(const storage::error& e) const {
    const auto error = from_storage(e);
    if (error.status == 403) return forbidden();
    if (error.status == 404) return not_found();
    return http_response::text(error.status, error.message + "\n");
  }

  std::vector<web::attendee_row> attendee_rows(const calendar::event& e,
                                               const calendar::occurrence_key& key) const {
    std::vector<web::attendee_row> rows;
    for (const auto& a : store_.attendees(e.id, key)) {
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

  web::manage_attendees_view attendees_view(const calendar::unit& u, const calendar::event& e,
                                            const calendar::occurrence& o) const {
    web::manage_attendees_view v;
    v.unit = summary(u);
    v.when = make_session(e, u, o);
    v.attendees = attendee_rows(e, o.key);
    v.capacity = e.capacity;
    v.csrf = s_.csrf;
    return v;
  }

  http_response attendees_page(const calendar::unit& u, const calendar::event& e,
                               const calendar::occurrence& o) const {
    auto v = attendees_view(u, e, o);
    v.notice = done_notice();
    return html(200, web::render_manage_attendees(s_.ctx, v));
  }

  /// "Nachricht an Teilnehmende": one mail to everyone going or waiting (actions).
  http_response message(const calendar::unit& u, const calendar::event& e,
                        const calendar::occurrence& o) {
    auto v = attendees_view(u, e, o);
    v.subject = form_value(s_.request.body, "subject");
    v.body = form_value(s_.request.body, "body");
    std::erase(v.body, '\r');
    const auto l = lang();
    if (v.subject.find_first_not_of(" \t") == std::string::npos || v.subject.size() > 200 ||
        v.subject.find('\n') != std::string::npos) {
      v.errors.push_back({"subject", web::manage_text(l, "m_err_subject")});
    }
    if (v.body.find_first_not_of(" \t\n") == std::string::npos || v.body.size() > 5000) {
      v.errors.push_back({"body", web::manage_text(l, "m_err_body")});
    }
    if (v.errors.empty()) {
      auto sent = usecases::message_attendees(use(), e, o.key, s_.me, v.subject, v.body);
      if (sent) {
        return see_other("/manage/events/" + std::to_string(e.id.value) + "/" + o.key.to_string() +
                         "?done=message&n=" + std::to_string(*sent));
      }
      const auto error = from_storage(sent.error());
      if (error.status == 403) return forbidden();
      v.errors.push_back({"body", web::manage_text(l, "m_err_message_failed")});
    }
    return html(422, web::render_manage_attendees(s_.ctx, v));
  }

  http_response attendees_csv(const calendar::event& e, const calendar::occurrence_key& key) const {
    auto r = http_response::text(200, web::attendees_csv(attendee_rows(e, key)),
                                 "text/csv; charset=utf-8");
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"attendees-" +
                                                      std::to_string(e.id.value) + "-" +
                                                      key.to_string() + ".csv\"");
    r.headers.emplace_back("Cache-Control", "private, no-store");
    return r;
  }

  // ---- /admin -------------------------------------------------------------------------
  http_response admin(const std::vector<std::string_view>& parts, bool post) {
    if (!s_.me.admin) return forbidden();
    if (parts.size() == 1 && !post) return admin_page({}, {}, {}, {});
    if (parts.size() == 2 && parts[1] == "outbox" && !post) return outbox_page();
    if (parts.size() == 2 && parts[1] == "people" && !post) return people_page();
    if (parts.size() == 3 && parts[1] == "people" && parts[2] == "delete" && post) {
      return delete_person();
    }
    if (parts.size() == 2 && parts[1] == "units" && post) return create_unit();
    if (parts.size() == 4 && parts[1] == "units" && parts[3] == "responsibles" && post) {
      return add_responsible(parts[2]);
    }
    if (parts.size() == 6 && parts[1] == "units" && parts[3] == "responsibles" &&
        parts[5] == "remove" && post) {
      return remove_responsible(parts[2], parts[4]);
    }
    return not_found();
  }

  http_response admin_page(web::unit_form form, std::vector<field_error> errors,
                           std::string_view failed_slug, web::admin_unit failed) const {
    web::admin_view v;
    v.form = std::move(form);
    v.errors = std::move(errors);
    v.csrf = s_.csrf;
    v.notice = done_notice();
    for (const auto& u : store_.units()) {
      web::admin_unit a;
      if (u.slug == failed_slug) a = failed;
      a.unit = summary(u);
      a.zone = u.zone;
      for (const auto& p : store_.responsibles(u.id)) {
        a.responsibles.push_back(
            {p.id.value, p.name.empty() ? p.email : p.name + " <" + p.email + ">"});
      }
      v.units.push_back(std::move(a));
    }
    const bool failed_any = !v.errors.empty() || !failed_slug.empty();
    return html(failed_any ? 422 : 200, web::render_admin(s_.ctx, v));
  }

  static bool is_slug(std::string_view s) {
    return s.size() >= 2 && s.size() <= 40 && s.front() != '-' && s.back() != '-' &&
           std::all_of(s.begin(), s.end(), [](char c) {
             return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
           });
  }

  http_response create_unit() {
    const auto& body = s_.request.body;
    web::unit_form f{form_value(body, "slug"), form_value(body, "name"),
                     form_value(body, "description"), form_value(body, "zone")};
    std::erase(f.description, '\r');
    std::vector<field_error> errors;
    const auto l = lang();
    if (!is_slug(f.slug)) {
      errors.push_back({"slug", web::manage_text(l, "a_err_slug")});
    } else if (store_.unit_by_slug(f.slug)) {
      errors.push_back({"slug", web::manage_text(l, "a_err_slug_taken")});
    }
    if (f.name.find_first_not_of(" \t\r\n") == std::string::npos || f.name.size() > 200) {
      errors.push_back({"name", web::manage_text(l, "a_err_name")});
    }
    if (!calendar::is_known_zone(f.zone))
      errors.push_back({"zone", web::manage_text(l, "a_err_zone")});
    if (!errors.empty()) return admin_page(std::move(f), std::move(errors), {}, {});
    calendar::unit u;
    u.slug = f.slug;
    u.name = f.name;
    u.description = f.description;
    u.zone = f.zone;
    auto made = store_.create_unit(std::move(u), actor());
    if (!made) {
      const auto error = from_storage(made.error());
      if (error.status == 403) return forbidden();
      errors.push_back(
          {error.status == 409 ? "slug" : (error.field.empty() ? "name" : error.field),
           web::manage_text(l, error.status == 409 ? "a_err_slug_taken" : "m_err_invalid")});
      return admin_page(std::move(f), std::move(errors), {}, {});
    }
    return see_other("/admin?done=unit");
  }

  http_response add_responsible(std::string_view slug) {
    const auto u = store_.unit_by_slug(slug);
    if (!u) return not_found();
    web::admin_unit typed;
    typed.add_email = form_value(s_.request.body, "email");
    typed.add_name = form_value(s_.request.body, "name");
    const auto& email = typed.add_email;
    const auto at = email.find('@');
    if (at == std::string::npos || at == 0 || at + 1 == email.size() || email.size() > 254 ||
        email.find_first_of(" \t\r\n<>,") != std::string::npos) {
      typed.errors.push_back({"email", web::manage_text(lang(), "a_err_email")});
      return admin_page({}, {}, slug, std::move(typed));
    }
    auto who = store_.ensure_person(email, typed.add_name);
    if (!who) {
      typed.errors.push_back({"email", web::manage_text(lang(), "a_err_email")});
      return admin_page({}, {}, slug, std::move(typed));
    }
    if (auto added = store_.add_responsible(u->id, who->id, actor()); !added) {
      return store_error(added.error());
    }
    return see_other("/admin?done=responsible");
  }

  http_response remove_responsible(std::string_view slug, std::string_view person) {
    const auto u = store_.unit_by_slug(slug);
    const auto id = parse_id(person);
    if (!u || !id) return not_found();
    if (auto removed = store_.remove_responsible(u->id, storage::person_id{*id}, actor());
        !removed) {
      return store_error(removed.error());
    }
    return see_other("/admin?done=responsible_removed");
  }

  http_response outbox_page() const {
    web::admin_outbox_view v;
    v.waiting = store_.outbox_depth();
    for (const auto& m : store_.outbox_list(outbox_rows)) {
      std::string state;
      switch (m.state) {
        case storage::outbox_state::queued:
          state = "queued";
          break;
        case storage::outbox_state::sending:
          state = "sending";
          break;
        case storage::outbox_state::sent:
          state = "sent";
          break;
        case storage::outbox_state::failed:
          state = "failed";
          break;
      }
      v.rows.push_back({m.kind, m.recipient, m.due, state, m.attempts, m.last_error});
    }
    return html(200, web::render_admin_outbox(s_.ctx, v));
  }

  // ---- /admin/people: deleting someone's account on their request ----------------------
  static web::admin_person shown(const storage::person& p) {
    return {p.id.value, p.name, p.email, p.created, p.admin, p.guest};
  }

  /// Whether `p` is an account still there: a deleted one stays as a tombstone whose email is
  /// "deleted:<id>", which is no address (store::delete_person).
  static bool live(const storage::person& p) { return p.email.find('@') != std::string::npos; }

  /// The search form (GET ?email=, exact address, trimmed and lower-cased by the store) and
  /// the person it found.
  http_response people_page() {
    web::admin_people_view v;
    v.query = form_value(query(), "email");
    // The language switch keeps the search.
    if (!v.query.empty()) s_.ctx.query = "email=" + url_encode(v.query);
    if (!v.query.empty()) {
      if (const auto p = store_.person_by_email(v.query); p && live(*p)) v.found = shown(*p);
    }
    v.notice = done_notice();
    v.csrf = s_.csrf;
    return html(200, web::render_admin_people(s_.ctx, v));
  }

  /// "Konto löschen" for the person of the form's id, with the ticked confirmation (the CSRF
  /// token was checked in route()); the same as a member's own deletion on /me: the places
  /// they held go to the waitlists, with the promotion mails (actions::delete_account).
  http_response delete_person() {
    const auto id = parse_id(form_value(s_.request.body, "person"));
    if (!id) return not_found();
    const auto p = store_.person_by_id(storage::person_id{*id});
    if (!p || !live(*p)) return not_found();
    web::admin_people_view v;
    v.query = p->email;
    v.found = shown(*p);
    v.csrf = s_.csrf;
    if (form_value(s_.request.body, "confirm") != "yes") {
      v.errors.push_back({"confirm", web::manage_text(lang(), "a_err_delete_confirm")});
      return html(422, web::render_admin_people(s_.ctx, v));
    }
    if (auto done = usecases::delete_account(use(), p->id, actor()); !done) {
      if (done.error().code != storage::errc::conflict) return store_error(done.error());
      v.errors.push_back(
          {"person", web::manage_text(lang(), "a_err_last_admin", {{"email", p->email}})});
      return html(409, web::render_admin_people(s_.ctx, v));
    }
    // Never the address in the URL: it would stay in the browser's history and in logs.
    return see_other("/admin/people?done=deleted");
  }

  storage::store& store_;
  const rsvp_mail_options& mail_;
  request_state& s_;
};

}  // namespace

http_response manage_routes::handle(const http_request& request, std::string_view path,
                                    utc_seconds now, std::string_view base_url) {
  const auto q = request.target.find('?');
  const std::string_view query =
      q == std::string::npos ? std::string_view{} : std::string_view(request.target).substr(q + 1);
  const auto lang_param = raw_pair_value(query, "lang").value_or("");
  const auto lang = web::negotiate_language(
      lang_param, cookie_value(request.cookie, "lang").value_or(""), request.accept_language);
  const auto who = authenticate(store_, request, now);
  if (!who.valid || !who.who) {
    // Anonymous: log in first, then come back (a form sent without a session starts over).
    return to_login(path);
  }
  request_state s{request, path, now, base_url, {}, *who.who, {}, false};
  s.ctx.lang = lang;
  s.ctx.path = std::string(path);
  s.ctx.base_url = std::string(base_url);
  set_viewer(s.ctx, store_, s.me);
  if (auto existing = csrf_from_cookie(request)) {
    s.csrf = std::move(*existing);
  } else {
    s.csrf = new_csrf_token();
    s.new_csrf = true;
  }
  auto r = manage_handler(store_, mail_, s).route();
  if (s.new_csrf && r.content_type.starts_with("text/html")) {
    r.headers.emplace_back("Set-Cookie", csrf_set_cookie(s.csrf, base_url));
  }
  return r;
}

}  // namespace treffpunkt::server
