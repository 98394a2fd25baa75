#include <web/manage_pages.h>
#include <web/markdown.h>
#include <web/repeat.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <map>

#include "catalog.h"
#include "fetch_views.h"
#include "render.h"

namespace treffpunkt::web {
namespace {

namespace mu = detail::mu;
using detail::fill;
using detail::page;
using detail::text;
using namespace std::chrono_literals;

/// The longest series the form makes with "after N times".
constexpr int max_count = 500;
constexpr int max_capacity = 100000;

using detail::parse_clock;
using detail::parse_day;
using detail::parse_int;
using detail::set_errors;
using detail::set_unit;
using detail::unconfirmed_data;

/// The warnings as a list for the templates: each a sentence naming the other session, a link
/// to it and why.
mu::data warnings_data(const std::vector<clash_warning>& warnings, language l) {
  mu::data list{mu::data::type::list};
  for (const auto& w : warnings) {
    mu::data item{mu::data::type::object};
    item.set("text", fill(text(l, "m_clash"),
                          {{"title", w.theirs.title},
                           {"unit", w.theirs.unit_name},
                           {"when", format_span(w.theirs.start, w.theirs.end, w.theirs.all_day, l)},
                           {"ours", format_span(w.ours.start, w.ours.end, w.ours.all_day, l)}}));
    item.set("reason", std::string(text(l, "m_clash_" + w.reason)));
    item.set("href", occurrence_path(w.theirs.event, w.theirs.key));
    item.set("ours_title", w.ours.title);
    item.set("ours_unit", w.ours.unit_name);
    item.set("ours_href", occurrence_path(w.ours.event, w.ours.key));
    item.set("ours_when", format_span(w.ours.start, w.ours.end, w.ours.all_day, l));
    item.set("title", w.theirs.title);
    item.set("unit", w.theirs.unit_name);
    item.set("when", format_span(w.theirs.start, w.theirs.end, w.theirs.all_day, l));
    list.push_back(item);
  }
  return list;
}

std::string iso_of(const session& s) {
  return s.all_day ? date::format("%Y-%m-%d", date::floor<date::days>(s.start))
                   : date::format("%Y-%m-%dT%H:%M", s.start);
}

std::string manage_occurrence_path(const session& s) {
  return "/manage/events/" + std::to_string(s.event.value) + "/" + s.key.to_string();
}

mu::data session_item(const session& s, language l) {
  mu::data d{mu::data::type::object};
  d.set("title", s.title);
  d.set("when", format_span(s.start, s.end, s.all_day, l));
  d.set("iso", iso_of(s));
  d.set("key", s.key.to_string());
  d.set("href", manage_occurrence_path(s));
  d.set("public_href", occurrence_path(s.event, s.key));
  d.set("cancelled", s.cancelled);
  d.set("moved", s.moved && !s.cancelled);
  return d;
}

std::string counts_text(int going, int waitlisted, int maybe, const std::optional<int>& capacity,
                        language l) {
  std::string out =
      capacity ? fill(text(l, "m_going_of"),
                      {{"going", std::to_string(going)}, {"capacity", std::to_string(*capacity)}})
               : fill(text(l, "m_going"), {{"going", std::to_string(going)}});
  if (waitlisted > 0) {
    out += " · " + fill(text(l, "places_waitlist"), {{"n", std::to_string(waitlisted)}});
  }
  if (maybe > 0) out += " · " + fill(text(l, "m_maybe_n"), {{"n", std::to_string(maybe)}});
  return out;
}

/// One CSV cell (RFC 4180 §2), neutralised against formula injection.
void append_cell(std::string& out, std::string_view cell) {
  std::string value;
  if (!cell.empty() && (cell.front() == '=' || cell.front() == '+' || cell.front() == '-' ||
                        cell.front() == '@' || cell.front() == '\t' || cell.front() == '\r')) {
    value = "'";
  }
  value += cell;
  if (value.find_first_of(",\"\r\n") == std::string::npos) {
    out += value;
    return;
  }
  out += '"';
  for (const char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

/// `text` escaped for XML character data and attribute values.
std::string xml_escaped(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

/// A length in the chart's units, with at most two decimals ("12.5").
std::string units(double v) {
  std::string out = std::to_string(std::llround(v * 100.0));
  while (out.size() < 3) out.insert(0, "0");
  out.insert(out.size() - 2, ".");
  while (out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  return out;
}

std::string_view state_label_key(std::string_view state) {
  if (state == "going") return "m_came_state_going";
  if (state == "waitlisted") return "m_came_state_waitlisted";
  return "m_came_state_maybe";
}

}  // namespace

std::string manage_text(
    language l, std::string_view key,
    std::initializer_list<std::pair<std::string_view, std::string_view>> values) {
  return fill(text(l, key), values);
}

// ---- the event form ---------------------------------------------------------------------

// NOLINTNEXTLINE(readability-function-cognitive-complexity): one check per field, in form order
event_form_check check_event_form(const event_form& form, std::string_view zone, language l) {
  event_form_check out;
  auto fail = [&](std::string_view field, std::string_view key) {
    out.errors.push_back({std::string(field), std::string(text(l, key))});
  };
  event_input in;
  in.all_day = form.all_day;
  const auto day = parse_day(form.date);
  if (!day) fail("date", form.date.empty() ? "m_err_date_missing" : "m_err_date");
  std::optional<std::chrono::minutes> from;
  std::optional<std::chrono::minutes> to;
  if (!form.all_day) {
    from = parse_clock(form.start_time);
    if (!from) fail("start_time", "m_err_time");
    if (!form.end_time.empty()) {
      to = parse_clock(form.end_time);
      if (!to) fail("end_time", "m_err_time");
    }
    if (from && to && *from == *to) fail("end_time", "m_err_end_equal");
  }
  if (day) {
    const date::local_days first{*day};
    if (form.all_day) {
      in.start = calendar::local_seconds{first};
      in.end = in.start + date::days{1};
    } else if (from) {
      in.start = calendar::local_seconds{first} + *from;
      // Without an end, two hours; an end before the start is on the next day (22:00-01:00).
      const auto until = to ? *to : *from + std::chrono::minutes{120};
      in.end = calendar::local_seconds{first} + until;
      if (in.end <= in.start) in.end += date::days{1};
    }
  }
  if (!form.capacity.empty()) {
    const auto n = parse_int(form.capacity);
    if (!n || *n < 1 || *n > max_capacity) {
      fail("capacity", "m_err_capacity");
    } else {
      in.capacity = *n;
    }
  }
  if (form.repeat != "keep") {
    const auto kind = parse_repeat(form.repeat);
    if (!kind) {
      fail("repeat", "m_err_repeat");
    } else if (day) {
      std::string rule = rrule_for(*kind, *day);
      if (*kind != repeat::once && form.ends == "count") {
        const auto n = parse_int(form.count);
        if (!n || *n < 1 || *n > max_count) {
          fail("count", "m_err_count");
        } else {
          rule += ";COUNT=" + std::to_string(*n);
        }
      } else if (*kind != repeat::once && form.ends == "until") {
        const auto last = parse_day(form.until);
        if (!last || date::sys_days{*last} < date::sys_days{*day}) {
          fail("until", "m_err_until");
        } else if (form.all_day) {
          rule += ";UNTIL=" + date::format("%Y%m%d", date::sys_days{*last});
        } else {
          // RFC 5545 §3.3.10: with a DTSTART in a zone, UNTIL is UTC. The end of the last day.
          const auto end_of_day =
              calendar::local_seconds{date::local_days{*last}} + date::days{1} - 1s;
          rule += ";UNTIL=" + date::format("%Y%m%dT%H%M%SZ", calendar::to_utc(end_of_day, zone));
        }
      }
      in.rrule = std::move(rule);
    }
  }
  // Extra and left-out dates: a date a line (or separated by spaces or commas).
  const auto days_of = [&](std::string_view text, std::string_view field,
                           std::vector<date::local_days>& out_days) {
    std::string word;
    const auto take = [&] {
      if (word.empty()) return;
      if (const auto d = parse_day(word)) {
        out_days.emplace_back(*d);
      } else {
        fail(field, "m_err_dates_list");
      }
      word.clear();
    };
    for (const char ch : text) {
      if (ch == '\n' || ch == '\r' || ch == ' ' || ch == ',' || ch == ';' || ch == '\t') {
        take();
      } else {
        word += ch;
      }
    }
    take();
  };
  std::vector<date::local_days> extra;
  days_of(form.extra_dates, "extra_dates", extra);
  days_of(form.left_out, "left_out", in.left_out);
  const auto time_of_day = form.all_day || !from ? std::chrono::minutes{0} : *from;
  for (const auto d : extra) in.rdates.push_back(calendar::local_seconds{d} + time_of_day);
  if (out.errors.empty()) out.input = std::move(in);
  return out;
}

event_form event_form_of(const calendar::event& e) {
  event_form f;
  f.title = e.title;
  f.description = e.description;
  f.kind = e.kind == calendar::event_kind::exchange_offer ? "exchange_offer" : "meeting";
  const auto first = date::floor<date::days>(e.start);
  f.date = date::format("%Y-%m-%d", first);
  f.all_day = e.all_day;
  if (!e.all_day) {
    const auto end = calendar::to_local(calendar::to_utc(e.start, e.zone) + e.duration, e.zone);
    f.start_time = date::format("%H:%M", e.start);
    f.end_time = date::format("%H:%M", end);
  }
  f.location = e.location;
  f.online_url = e.online_url;
  f.capacity = e.capacity ? std::to_string(*e.capacity) : "";
  f.repeat = "once";
  if (e.rule) {
    const auto kind = repeat_of(e.rule->to_string(), date::year_month_day{first});
    f.repeat = kind ? std::string(repeat_id(*kind)) : "keep";
    if (e.rule->count()) {
      f.ends = "count";
      f.count = std::to_string(*e.rule->count());
    } else if (e.rule->until()) {
      f.ends = "until";
      const auto last =
          e.rule->until_is_date()
              ? date::floor<date::days>(*e.rule->until())
              : date::sys_days{date::floor<date::days>(calendar::to_local(*e.rule->until(), e.zone))
                                   .time_since_epoch()};
      f.until = date::format("%Y-%m-%d", last);
    }
  } else if (!e.rdates.empty()) {
    f.repeat = "keep";
  }
  for (const auto r : e.rdates) {
    if (!f.extra_dates.empty()) f.extra_dates += "\n";
    f.extra_dates += date::format("%Y-%m-%d", date::floor<date::days>(r));
  }
  for (const auto day : calendar::left_out_days(e)) {
    if (!f.left_out.empty()) f.left_out += "\n";
    f.left_out += date::format("%Y-%m-%d", day);
  }
  return f;
}

// ---- CSV ----------------------------------------------------------------------------------

std::string attendees_csv(const std::vector<attendee_row>& rows) {
  std::string out = "\xEF\xBB\xBF";  // UTF-8 byte order mark: Excel then reads UTF-8
  out += "name,email,state,position,answered_at\r\n";
  for (const auto& r : rows) {
    append_cell(out, r.name);
    out += ',';
    append_cell(out, r.email);
    out += ',';
    append_cell(out, r.state);
    out += ',';
    if (r.position > 0) out += std::to_string(r.position);
    out += ',';
    out += date::format("%Y-%m-%dT%H:%M:%SZ", r.answered_at);
    out += "\r\n";
  }
  return out;
}

std::string attendance_csv(const std::vector<came_row>& rows) {
  std::string out = "\xEF\xBB\xBF";  // UTF-8 byte order mark, as attendees_csv
  out += "name,email,came_as\r\n";
  for (const auto& r : rows) {
    append_cell(out, r.name);
    out += ',';
    append_cell(out, r.email);
    out += ',';
    append_cell(out, r.came_as);
    out += "\r\n";
  }
  return out;
}

// ---- the season chart ---------------------------------------------------------------------

// The SVG is written as short pieces of markup with their attributes' quotes escaped; raw
// string literals around each piece would not read better.
// NOLINTBEGIN(modernize-raw-string-literal)
std::string season_chart_svg(const std::vector<season_point>& season, language l,
                             std::string_view table_id) {
  // Geometry in the viewBox's units; the SVG scales to the width of the page.
  constexpr double left = 28;
  constexpr double top = 10;
  constexpr double plot = 100;  // height of the tallest bar
  constexpr double group = 36;
  constexpr double bar = 7;
  constexpr double gap = 1;
  constexpr double bottom = 26;
  const auto n = static_cast<double>(season.size());
  const double width = left + n * group + 4;
  const double height = top + plot + bottom;
  int most = 1;
  for (const auto& p : season) {
    most = std::max({most, p.going, p.waitlisted, p.maybe, p.came.value_or(0)});
  }
  const double scale = plot / most;
  const double base = top + plot;
  const std::string title = fill(text(l, "m_season_chart_alt"),
                                 {{"n", std::to_string(season.size())}, {"table", table_id}});
  std::string out =
      "<svg class=\"season-chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " +
      units(width) + " " + units(height) +
      "\" role=\"img\" aria-labelledby=\"season-chart-title\">"
      "<title id=\"season-chart-title\">" +
      xml_escaped(title) + "</title>";
  // The axis: 0 and the largest number.
  out += "<line class=\"chart-axis\" x1=\"" + units(left - 2) + "\" y1=\"" + units(base) +
         "\" x2=\"" + units(width) + "\" y2=\"" + units(base) + "\"/>";
  out += "<line class=\"chart-grid\" x1=\"" + units(left - 2) + "\" y1=\"" + units(top) +
         "\" x2=\"" + units(width) + "\" y2=\"" + units(top) + "\"/>";
  out += "<text class=\"chart-label\" x=\"" + units(left - 5) + "\" y=\"" + units(top + 4) +
         "\" text-anchor=\"end\">" + std::to_string(most) + "</text>";
  out += "<text class=\"chart-label\" x=\"" + units(left - 5) + "\" y=\"" + units(base) +
         "\" text-anchor=\"end\">0</text>";
  // Every date labelled while they fit, else every second one.
  const std::size_t label_every = season.size() > 10 ? 2 : 1;
  for (std::size_t i = 0; i < season.size(); ++i) {
    const auto& p = season[i];
    const double x0 = left + static_cast<double>(i) * group + 2;
    const auto day = date::year_month_day{date::floor<date::days>(p.when.start)};
    out += "<g class=\"chart-date" + std::string(p.started ? "" : " is-future") + "\" data-key=\"" +
           xml_escaped(p.when.key.to_string()) + "\">";
    const std::array<std::pair<std::string_view, std::optional<int>>, 4> bars{
        {{"yes", p.going}, {"maybe", p.maybe}, {"waitlist", p.waitlisted}, {"came", p.came}}};
    double x = x0;
    for (const auto& [kind, value] : bars) {
      if (value) {
        const double h = *value * scale;
        out += "<rect class=\"chart-" + std::string(kind) + "\" data-series=\"" +
               std::string(kind) + "\" data-value=\"" + std::to_string(*value) + "\" x=\"" +
               units(x) + "\" y=\"" + units(base - h) + "\" width=\"" + units(bar) +
               "\" height=\"" + units(h) + "\"/>";
      }
      x += bar + gap;
    }
    if (i % label_every == 0 || i + 1 == season.size()) {
      out += "<text class=\"chart-label\" x=\"" + units(x0 + 2 * (bar + gap) - gap / 2) +
             "\" y=\"" + units(base + 16) + "\" text-anchor=\"middle\">" +
             std::to_string(static_cast<unsigned>(day.day())) + "." +
             std::to_string(static_cast<unsigned>(day.month())) + ".</text>";
    }
    out += "</g>";
  }
  out += "</svg>";
  return out;
}
// NOLINTEND(modernize-raw-string-literal)

// ---- pages --------------------------------------------------------------------------------

std::string render_manage_home(const page_context& ctx, const manage_home_view& view) {
  mu::data d{mu::data::type::object};
  mu::data units{mu::data::type::list};
  for (const auto& u : view.units) {
    mu::data item{mu::data::type::object};
    item.set("slug", u.slug);
    item.set("name", u.name);
    units.push_back(item);
  }
  d.set("units", units);
  d.set("has_units", !view.units.empty());
  d.set("admin", view.admin);
  d.set("has_proposals", view.waiting_proposals > 0);
  d.set("proposals_text", view.waiting_proposals == 1
                              ? std::string(text(ctx.lang, "o_proposals_waiting_one"))
                              : fill(text(ctx.lang, "o_proposals_waiting"),
                                     {{"n", std::to_string(view.waiting_proposals)}}));
  return page(ctx, text(ctx.lang, "m_home_title"), "manage_home.mustache", d);
}

std::string render_manage_unit(const page_context& ctx, const manage_unit_view& view) {
  const auto l = ctx.lang;
  mu::data d{mu::data::type::object};
  set_unit(d, view.unit);
  mu::data events{mu::data::type::list};
  for (const auto& e : view.events) {
    mu::data item{mu::data::type::object};
    item.set("id", std::to_string(e.id.value));
    item.set("title", e.title);
    item.set("rule", e.rule.empty() ? std::string(text(l, "m_once")) : e.rule);
    item.set("cancelled", e.cancelled);
    item.set("has_next", e.next.has_value());
    if (e.next) item.set("next", session_item(*e.next, l));
    events.push_back(item);
  }
  d.set("events", events);
  d.set("has_events", !view.events.empty());
  d.set("unconfirmed", unconfirmed_data(view.unconfirmed, l));
  d.set("has_unconfirmed", !view.unconfirmed.empty());
  detail::set_fetches(d, view.fetches, l);
  return page(ctx, view.unit.name, "manage_unit.mustache", d);
}

std::string render_event_form(const page_context& ctx, const event_form_view& view) {
  const auto l = ctx.lang;
  const auto& f = view.form;
  mu::data d{mu::data::type::object};
  set_unit(d, view.unit);
  set_errors(d, view.errors);
  d.set("editing", view.editing.has_value());
  d.set("action", view.editing ? "/manage/events/" + std::to_string(view.editing->value) + "/edit"
                               : "/manage/units/" + view.unit.slug + "/events/new");
  d.set("cancel_href", view.editing ? "/manage/events/" + std::to_string(view.editing->value)
                                    : "/manage/units/" + view.unit.slug);
  d.set("csrf", view.csrf);
  d.set("zone_note", fill(text(l, "m_zone_note"), {{"zone", view.zone}}));
  d.set("title", f.title);
  d.set("description", f.description);
  d.set("kind_meeting", f.kind != "exchange_offer");
  d.set("kind_exchange", f.kind == "exchange_offer");
  d.set("date", f.date);
  d.set("start_time", f.start_time);
  d.set("end_time", f.end_time);
  d.set("all_day", f.all_day);
  d.set("location", f.location);
  d.set("online_url", f.online_url);
  d.set("capacity", f.capacity);
  d.set("ends_never", f.ends != "count" && f.ends != "until");
  d.set("ends_count", f.ends == "count");
  d.set("ends_until", f.ends == "until");
  d.set("count", f.count);
  d.set("until", f.until);
  d.set("warnings", warnings_data(view.warnings, l));
  d.set("has_warnings", !view.warnings.empty());
  d.set("extra_dates", f.extra_dates);
  d.set("left_out", f.left_out);
  // The choices in words for the entered date (or today's week day, before one is entered).
  const auto day = parse_day(f.date);
  mu::data choices{mu::data::type::list};
  if (!view.kept_rule.empty()) {
    mu::data c{mu::data::type::object};
    c.set("value", "keep");
    c.set("label", fill(text(l, "m_repeat_keep"), {{"rule", view.kept_rule}}));
    c.set("selected", f.repeat == "keep");
    choices.push_back(c);
  }
  for (const auto& choice : repeat_choices(
           day.value_or(date::year_month_day{date::year{2026}, date::January, date::day{6}}), l)) {
    mu::data c{mu::data::type::object};
    c.set("value", std::string(repeat_id(choice.kind)));
    c.set("label", choice.label);
    c.set("selected", f.repeat == repeat_id(choice.kind));
    choices.push_back(c);
  }
  d.set("choices", choices);
  d.set("previewed", view.previewed);
  d.set("preview_rule", view.preview_rule);
  mu::data preview{mu::data::type::list};
  for (const auto& s : view.preview) preview.push_back(session_item(s, l));
  d.set("preview", preview);
  d.set("has_preview", !view.preview.empty());
  const auto title = view.editing ? fill(text(l, "m_edit_title"), {{"title", f.title}})
                                  : std::string(text(l, "m_new_title"));
  d.set("heading", title);
  return page(ctx, title, "manage_event_form.mustache", d);
}

std::string render_manage_event(const page_context& ctx, const manage_event_view& view) {
  const auto l = ctx.lang;
  mu::data d{mu::data::type::object};
  set_unit(d, view.unit);
  d.set("id", std::to_string(view.id.value));
  d.set("title", view.title);
  d.set("rule", view.rule.empty() ? std::string(text(l, "m_once")) : view.rule);
  d.set("cancelled", view.cancelled);
  d.set("notice", view.notice);
  d.set("has_notice", !view.notice.empty());
  d.set("csrf", view.csrf);
  mu::data list{mu::data::type::list};
  int n = 0;
  for (const auto& o : view.occurrences) {
    auto item = session_item(o.when, l);
    const std::string prefix = "o" + std::to_string(++n) + "-";
    item.set("prefix", prefix);
    item.set("counts", counts_text(o.going, o.waitlisted, o.maybe, o.capacity, l));
    const auto when = format_span(o.when.start, o.when.end, o.when.all_day, l);
    item.set("cancel_label", fill(text(l, "m_cancel_one"), {{"when", when}}));
    item.set("restore_label", fill(text(l, "m_restore_one"), {{"when", when}}));
    item.set("move_legend", fill(text(l, "m_move_legend"), {{"when", when}}));
    item.set("all_day", o.when.all_day);
    item.set("move_date", o.move_date.empty()
                              ? date::format("%Y-%m-%d", date::floor<date::days>(o.when.start))
                              : o.move_date);
    item.set("move_time", o.move_time.empty() ? date::format("%H:%M", o.when.start) : o.move_time);
    item.set("move_open", !o.errors.empty());
    item.set("can_split", o.can_split);
    item.set("warnings", warnings_data(o.warnings, l));
    item.set("has_warnings", !o.warnings.empty());
    set_errors(item, o.errors, prefix);
    item.set("csrf", view.csrf);
    list.push_back(item);
  }
  d.set("occurrences", list);
  d.set("has_occurrences", !view.occurrences.empty());
  mu::data season{mu::data::type::list};
  for (const auto& p : view.season) {
    auto item = session_item(p.when, l);
    item.set("date", format_date(date::floor<date::days>(p.when.start), l));
    item.set("going", std::to_string(p.going));
    item.set("maybe", std::to_string(p.maybe));
    item.set("waitlisted", std::to_string(p.waitlisted));
    item.set("came", p.came ? std::to_string(*p.came) : std::string("–"));
    item.set("started", p.started);
    item.set("came_href", manage_occurrence_path(p.when) + "/attendance");
    season.push_back(item);
  }
  d.set("season", season);
  d.set("has_season", !view.season.empty());
  if (!view.season.empty()) d.set("season_chart", season_chart_svg(view.season, l, "season-table"));
  set_errors(d, view.errors);
  return page(ctx, view.title, "manage_event.mustache", d);
}

std::string render_manage_attendees(const page_context& ctx, const manage_attendees_view& view) {
  const auto l = ctx.lang;
  mu::data d{mu::data::type::object};
  set_unit(d, view.unit);
  const auto& s = view.when;
  d.set("id", std::to_string(s.event.value));
  d.set("title", s.title);
  d.set("when", format_span(s.start, s.end, s.all_day, l));
  d.set("iso", iso_of(s));
  d.set("cancelled", s.cancelled);
  d.set("csv_href", manage_occurrence_path(s) + "/attendees.csv");
  d.set("message_action", manage_occurrence_path(s) + "/message");
  int going = 0;
  int waitlisted = 0;
  int maybe = 0;
  mu::data going_list{mu::data::type::list};
  mu::data wait_list{mu::data::type::list};
  mu::data maybe_list{mu::data::type::list};
  for (const auto& a : view.attendees) {
    mu::data item{mu::data::type::object};
    item.set("name", a.name.empty() ? std::string(text(l, "m_no_name")) : a.name);
    item.set("email", a.email);
    item.set("position", std::to_string(a.position));
    item.set("answered",
             format_date_time(calendar::to_local(a.answered_at, calendar::default_zone), l));
    if (a.state == "going") {
      ++going;
      going_list.push_back(item);
    } else if (a.state == "waitlisted") {
      ++waitlisted;
      wait_list.push_back(item);
    } else {
      ++maybe;
      maybe_list.push_back(item);
    }
  }
  d.set("going", going_list);
  d.set("waitlist", wait_list);
  d.set("maybe", maybe_list);
  d.set("has_going", going > 0);
  d.set("has_waitlist", waitlisted > 0);
  d.set("has_maybe", maybe > 0);
  d.set("counts", counts_text(going, waitlisted, maybe, view.capacity, l));
  d.set("subject", view.subject);
  d.set("body", view.body);
  d.set("notice", view.notice);
  d.set("has_notice", !view.notice.empty());
  set_errors(d, view.errors);
  d.set("csrf", view.csrf);
  return page(ctx, fill(text(l, "m_attendees_title"), {{"title", s.title}}),
              "manage_occurrence.mustache", d);
}

std::string render_attendance(const page_context& ctx, const attendance_view& view) {
  const auto l = ctx.lang;
  mu::data d{mu::data::type::object};
  set_unit(d, view.unit);
  const auto& s = view.when;
  d.set("title", s.title);
  d.set("when", format_span(s.start, s.end, s.all_day, l));
  d.set("iso", iso_of(s));
  d.set("back_href", view.back_href);
  d.set("action", view.action);
  d.set("csv_href", view.csv_href);
  d.set("has_csv", !view.csv_href.empty());
  d.set("started", view.started);
  mu::data answered{mu::data::type::list};
  int ticked = 0;
  for (const auto& a : view.answered) {
    mu::data item{mu::data::type::object};
    item.set("person", std::to_string(a.person));
    item.set("name", a.name.empty() ? std::string(text(l, "m_no_name")) : a.name);
    item.set("state", std::string(text(l, state_label_key(a.state))));
    item.set("came", a.came);
    if (a.came) ++ticked;
    answered.push_back(item);
  }
  d.set("answered", answered);
  d.set("has_answered", !view.answered.empty());
  mu::data walk_ins{mu::data::type::list};
  int n = 0;
  for (const auto& name : view.walk_ins) {
    mu::data item{mu::data::type::object};
    item.set("name", name);
    item.set("n", std::to_string(++n));
    walk_ins.push_back(item);
  }
  d.set("walk_ins", walk_ins);
  d.set("new_walk_ins", view.new_walk_ins);
  d.set("has_anonymous", view.anonymous > 0);
  d.set("anonymous_text",
        fill(text(l, "m_came_anonymous"), {{"n", std::to_string(view.anonymous)}}));
  const int total = ticked + static_cast<int>(view.walk_ins.size()) + view.anonymous;
  d.set("summary",
        view.recorded
            ? fill(text(l, "m_came_summary"),
                   {{"n", std::to_string(total)},
                    {"at", format_date_time(
                               calendar::to_local(*view.recorded, calendar::default_zone), l)}})
            : std::string(text(l, "m_came_not_recorded")));
  d.set("notice", view.notice);
  d.set("has_notice", !view.notice.empty());
  set_errors(d, view.errors);
  d.set("csrf", view.csrf);
  return page(ctx, fill(text(l, "m_came_title"), {{"title", s.title}}),
              "manage_attendance.mustache", d);
}

std::string render_admin(const page_context& ctx, const admin_view& view) {
  mu::data d{mu::data::type::object};
  d.set("clashes", warnings_data(view.clashes, ctx.lang));
  d.set("has_clashes", !view.clashes.empty());
  d.set("unconfirmed", unconfirmed_data(view.unconfirmed, ctx.lang));
  d.set("has_unconfirmed", !view.unconfirmed.empty());
  mu::data units{mu::data::type::list};
  int n = 0;
  for (const auto& u : view.units) {
    mu::data item{mu::data::type::object};
    const std::string prefix = "u" + std::to_string(++n) + "-";
    item.set("prefix", prefix);
    item.set("slug", u.unit.slug);
    item.set("name", u.unit.name);
    item.set("zone", u.zone);
    mu::data people{mu::data::type::list};
    for (const auto& p : u.responsibles) {
      mu::data person{mu::data::type::object};
      person.set("label", p.label);
      person.set("person", std::to_string(p.person));
      person.set("remove_label",
                 manage_text(ctx.lang, "a_remove_responsible", {{"name", p.label}}));
      person.set("csrf", view.csrf);
      person.set("slug", u.unit.slug);
      people.push_back(person);
    }
    item.set("responsibles", people);
    item.set("has_responsibles", !u.responsibles.empty());
    item.set("add_email", u.add_email);
    item.set("add_name", u.add_name);
    set_errors(item, u.errors, prefix);
    item.set("csrf", view.csrf);
    units.push_back(item);
  }
  d.set("units", units);
  d.set("slug", view.form.slug);
  d.set("name", view.form.name);
  d.set("description", view.form.description);
  d.set("zone", view.form.zone);
  set_errors(d, view.errors);
  d.set("notice", view.notice);
  d.set("has_notice", !view.notice.empty());
  d.set("csrf", view.csrf);
  return page(ctx, text(ctx.lang, "a_title"), "admin_home.mustache", d);
}

std::string render_admin_outbox(const page_context& ctx, const admin_outbox_view& view) {
  const auto l = ctx.lang;
  mu::data d{mu::data::type::object};
  std::map<std::string, int> counts;
  mu::data rows{mu::data::type::list};
  for (const auto& r : view.rows) {
    ++counts[r.state];
    mu::data item{mu::data::type::object};
    item.set("kind", r.kind);
    item.set("recipient", r.recipient);
    item.set("due", format_date_time(calendar::to_local(r.due, calendar::default_zone), l));
    item.set("due_iso", date::format("%Y-%m-%dT%H:%M:%SZ", r.due));
    item.set("state", std::string(text(l, "a_state_" + r.state)));
    item.set("attempts", std::to_string(r.attempts));
    item.set("last_error", r.last_error);
    rows.push_back(item);
  }
  mu::data states{mu::data::type::list};
  for (const std::string_view s : {"queued", "sending", "sent", "failed"}) {
    mu::data item{mu::data::type::object};
    item.set("state", std::string(text(l, "a_state_" + std::string(s))));
    const auto found = counts.find(std::string(s));
    item.set("n", std::to_string(found == counts.end() ? 0 : found->second));
    states.push_back(item);
  }
  d.set("rows", rows);
  d.set("has_rows", !view.rows.empty());
  d.set("states", states);
  d.set("shown", fill(text(l, "a_outbox_shown"), {{"n", std::to_string(view.rows.size())}}));
  d.set("waiting", fill(text(l, "a_outbox_waiting"), {{"n", std::to_string(view.waiting)}}));
  return page(ctx, text(l, "a_outbox_title"), "admin_outbox.mustache", d);
}

std::string render_admin_people(const page_context& ctx, const admin_people_view& view) {
  const auto l = ctx.lang;
  mu::data d{mu::data::type::object};
  d.set("query", view.query);
  d.set("not_found", !view.query.empty() && !view.found);
  d.set("not_found_text", fill(text(l, "a_people_not_found"), {{"email", view.query}}));
  d.set("found", view.found.has_value());
  if (view.found) {
    const auto& p = *view.found;
    d.set("id", std::to_string(p.id));
    d.set("name", p.name.empty() ? std::string(text(l, "m_no_name")) : p.name);
    d.set("email", p.email);
    const auto created = calendar::to_local(p.created, calendar::default_zone);
    d.set("created", format_date(date::floor<date::days>(created), l));
    d.set("created_iso", date::format("%Y-%m-%d", date::floor<date::days>(created)));
    d.set("role", std::string(text(l, p.admin   ? "a_people_role_admin"
                                      : p.guest ? "a_people_role_guest"
                                                : "a_people_role_member")));
    d.set("confirm_label", fill(text(l, "a_people_confirm"), {{"email", p.email}}));
  }
  set_errors(d, view.errors);
  d.set("notice", view.notice);
  d.set("has_notice", !view.notice.empty());
  d.set("csrf", view.csrf);
  return page(ctx, text(l, "a_people_title"), "admin_people.mustache", d);
}

std::string render_forbidden(const page_context& ctx) {
  mu::data d{mu::data::type::object};
  return page(ctx, text(ctx.lang, "m_forbidden_title"), "manage_forbidden.mustache", d);
}

std::string render_split_form(const page_context& ctx, const split_form_view& view) {
  const auto l = ctx.lang;
  mu::data d{mu::data::type::object};
  set_unit(d, view.unit);
  set_errors(d, view.errors);
  const auto when = format_span(view.from.start, view.from.end, view.from.all_day, l);
  d.set("id", std::to_string(view.id.value));
  d.set("heading", fill(text(l, "m_split_title"), {{"title", view.series_title}, {"when", when}}));
  d.set("action", manage_occurrence_path(view.from) + "/from-here");
  d.set("zone_note", fill(text(l, "m_zone_note"), {{"zone", view.zone}}));
  d.set("all_day", view.from.all_day);
  for (const auto& [name, value] :
       {std::pair<const char*, const std::string*>{"title", &view.title},
        {"description", &view.description},
        {"start_time", &view.start_time},
        {"end_time", &view.end_time},
        {"location", &view.location},
        {"online_url", &view.online_url},
        {"capacity", &view.capacity}}) {
    d.set(name, *value);
  }
  d.set("csrf", view.csrf);
  return page(ctx, fill(text(l, "m_split_title"), {{"title", view.series_title}, {"when", when}}),
              "manage_split.mustache", d);
}

std::string render_unit_edit(const page_context& ctx, const unit_edit_view& view) {
  const auto l = ctx.lang;
  mu::data d{mu::data::type::object};
  set_unit(d, view.unit);
  set_errors(d, view.errors);
  d.set("heading", fill(text(l, "m_unit_edit_title"), {{"name", view.unit.name}}));
  d.set("name", view.name);
  d.set("description", view.description);
  d.set("zone", view.zone);
  d.set("contact", view.contact);
  d.set("admin", view.admin);
  d.set("archived", view.archived.has_value());
  if (view.archived) {
    d.set("archived_text", detail::archived_text(*view.archived, l));
  }
  d.set("has_notice", !view.notice.empty());
  d.set("notice", view.notice);
  d.set("csrf", view.csrf);
  return page(ctx, fill(text(l, "m_unit_edit_title"), {{"name", view.unit.name}}),
              "manage_unit_edit.mustache", d);
}

}  // namespace treffpunkt::web
