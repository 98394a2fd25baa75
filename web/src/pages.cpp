#include <web/assets.h>
#include <web/markdown.h>
#include <web/month.h>
#include <web/pages.h>
#include <web/qr.h>

#include <algorithm>
#include <kainjow/mustache.hpp>
#include <map>
#include <stdexcept>

#include "catalog.h"
#include "embedded.h"

namespace treffpunkt::web {
namespace {

namespace mu = kainjow::mustache;
using detail::fill;
using detail::text;

std::string_view template_text(std::string_view name) {
  for (const auto& f : detail::embedded_templates()) {
    if (f.name == name) return f.text();
  }
  throw std::logic_error("no template " + std::string(name));
}

/// The catalog as the `t` object templates read ({{t.home_title}}).
mu::data translations(language l) {
  mu::data t{mu::data::type::object};
  for (const auto& m : detail::catalog()) t.set(std::string(m.key), std::string(text(l, m.key)));
  return t;
}

/// Renders template `name` with `data`; the session list partial is available everywhere. A
/// template that does not parse or render is a bug in this folder, found by the tests.
std::string render(std::string_view name, mu::data& data) {
  data.set("session_list",
           mu::partial([] { return std::string(template_text("sessions.mustache")); }));
  mu::mustache tmpl{std::string(template_text(name))};
  if (!tmpl.is_valid()) throw std::logic_error(std::string(name) + ": " + tmpl.error_message());
  auto out = tmpl.render(data);
  if (!tmpl.is_valid()) throw std::logic_error(std::string(name) + ": " + tmpl.error_message());
  return out;
}

/// The page `body_template` filled with `data`, inside the layout.
std::string page(const page_context& ctx, std::string_view title, std::string_view body_template,
                 mu::data& data) {
  const auto t = translations(ctx.lang);
  data.set("t", t);
  const std::string content = render(body_template, data);
  const language other = ctx.lang == language::de ? language::en : language::de;
  std::string switch_href = ctx.path + "?";
  if (!ctx.query.empty()) switch_href += ctx.query + "&";
  switch_href += "lang=" + std::string(tag(other));
  mu::data layout{mu::data::type::object};
  layout.set("t", t);
  layout.set("lang", std::string(tag(ctx.lang)));
  layout.set("title", std::string(title));
  layout.set("css", asset_url("style.css"));
  layout.set("js", asset_url("app.js"));
  layout.set("logged_in", ctx.logged_in);
  layout.set("content", content);
  layout.set("switch_href", switch_href);
  layout.set("switch_lang", std::string(tag(other)));
  return render("layout.mustache", layout);
}

std::string iso(calendar::local_seconds t, bool all_day) {
  return all_day ? date::format("%Y-%m-%d", date::floor<date::days>(t))
                 : date::format("%Y-%m-%dT%H:%M", t);
}

mu::data session_data(const session& s, language l) {
  mu::data d{mu::data::type::object};
  d.set("href", occurrence_path(s.event, s.key));
  d.set("title", s.title);
  d.set("unit_name", s.unit_name);
  d.set("when", format_span(s.start, s.end, s.all_day, l));
  d.set("iso", iso(s.start, s.all_day));
  d.set("cancelled", s.cancelled);
  d.set("moved", s.moved && !s.cancelled);
  return d;
}

void set_sessions(mu::data& d, const std::vector<session>& sessions, language l, bool show_unit) {
  mu::data list{mu::data::type::list};
  for (const auto& s : sessions) list.push_back(session_data(s, l));
  d.set("sessions", list);
  d.set("has_sessions", !sessions.empty());
  d.set("show_unit", show_unit);
}

/// Every byte but the unreserved ones percent-encoded (RFC 3986 §2.3): safe in any query.
std::string url_encode(std::string_view s) {
  static constexpr std::string_view hex = "0123456789ABCDEF";
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 0x0F];
    }
  }
  return out;
}

/// webcal:// is what phones and desktop calendar apps open as "subscribe".
std::string webcal(std::string_view url) {
  const auto colon = url.find("://");
  return "webcal" + std::string(url.substr(colon == std::string_view::npos ? 0 : colon));
}

/// Only web links become links: a stored "javascript:..." stays text.
bool is_web_url(std::string_view s) {
  return s.starts_with("https://") || s.starts_with("http://");
}

/// The first paragraph of a description, at most about 200 characters, cut at a space.
std::string excerpt(std::string_view description) {
  auto first = description.substr(0, description.find("\n\n"));
  constexpr std::size_t limit = 200;
  if (first.size() <= limit) return std::string(first);
  auto cut = first.rfind(' ', limit);
  if (cut == std::string_view::npos) cut = limit;
  // Do not end inside a UTF-8 sequence.
  while (cut > 0 && (static_cast<unsigned char>(first[cut]) & 0xC0) == 0x80) --cut;
  return std::string(first.substr(0, cut)) + " …";
}

std::string join_names(const std::vector<std::string>& names, language l) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) {
      out += i + 1 == names.size() ? " " + std::string(text(l, "and")) + " " : ", ";
    }
    out += names[i];
  }
  return out;
}

void set_place(mu::data& d, std::string_view location, std::string_view online_url) {
  // A location that is a URL is an online meeting: shown as a link, not as a place.
  const bool location_is_url = is_web_url(location);
  d.set("has_location", !location.empty() && !location_is_url);
  d.set("location", std::string(location));
  const std::string_view online = is_web_url(online_url) ? online_url
                                  : location_is_url      ? location
                                                         : std::string_view{};
  d.set("has_online", !online.empty());
  d.set("online_url", std::string(online));
}

void set_description(mu::data& d, std::string_view markdown) {
  d.set("has_description", !markdown.empty());
  d.set("description_html", markdown.empty() ? std::string() : markdown_to_html(markdown));
}

std::string places_text(const occurrence_view& v, language l) {
  if (!v.capacity) {
    return fill(text(l, "places_unlimited"), {{"going", std::to_string(v.going)}});
  }
  const int left = std::max(0, *v.capacity - v.going);
  std::string out =
      left > 0 ? fill(text(l, "places_left"),
                      {{"left", std::to_string(left)}, {"capacity", std::to_string(*v.capacity)}})
               : std::string(text(l, "places_full"));
  if (v.waitlisted > 0) {
    out += ", " + fill(text(l, "places_waitlist"), {{"n", std::to_string(v.waitlisted)}});
  }
  return out;
}

std::string_view answer_key(calendar::rsvp_answer a) {
  switch (a) {
    case calendar::rsvp_answer::yes:
      return "answer_yes";
    case calendar::rsvp_answer::no:
      return "answer_no";
    case calendar::rsvp_answer::maybe:
      return "answer_maybe";
  }
  return "answer_yes";
}

std::string_view refusal_key(calendar::rsvp_refusal r) {
  switch (r) {
    case calendar::rsvp_refusal::cancelled:
      return "refused_cancelled";
    case calendar::rsvp_refusal::past:
      return "refused_past";
    case calendar::rsvp_refusal::deadline_passed:
      return "refused_deadline";
  }
  return "refused_past";
}

mu::data month_data(const unit_view& v, language l) {
  mu::data d{mu::data::type::object};
  std::map<date::local_days, std::vector<const session*>> by_day;
  for (const auto& s : v.in_month) by_day[date::floor<date::days>(s.start)].push_back(&s);
  mu::data weekdays{mu::data::type::list};
  for (unsigned i = 1; i <= 7; ++i) {
    const date::weekday wd{i % 7};  // Monday first
    mu::data h{mu::data::type::object};
    h.set("short", std::string(weekday_short(wd, l)));
    h.set("long", std::string(weekday_long(wd, l)));
    weekdays.push_back(h);
  }
  mu::data weeks{mu::data::type::list};
  for (const auto& w : month_weeks(v.month)) {
    mu::data days{mu::data::type::list};
    for (const auto& ymd : w) {
      const bool in_month = ymd.year() / ymd.month() == v.month;
      mu::data day{mu::data::type::object};
      day.set("in_month", in_month);
      day.set("cell_class", in_month ? "" : "other");
      day.set("number", std::to_string(static_cast<unsigned>(ymd.day())));
      mu::data items{mu::data::type::list};
      if (const auto found = by_day.find(date::local_days{ymd});
          in_month && found != by_day.end()) {
        for (const session* s : found->second) {
          mu::data item{mu::data::type::object};
          item.set("href", occurrence_path(s->event, s->key));
          item.set("time", s->all_day ? std::string() : date::format("%H:%M", s->start));
          item.set("title", s->title);
          item.set("item_class", s->cancelled ? "is-cancelled" : "");
          items.push_back(item);
        }
      }
      day.set("items", items);
      days.push_back(day);
    }
    mu::data row{mu::data::type::object};
    row.set("days", days);
    weeks.push_back(row);
  }
  const auto prev = v.month - date::months{1};
  const auto next = v.month + date::months{1};
  d.set("weekdays", weekdays);
  d.set("weeks", weeks);
  d.set("month_label", format_month(v.month, l));
  d.set("prev_month", month_param(prev));
  d.set("next_month", month_param(next));
  d.set("prev_short", format_month(prev, l));
  d.set("next_short", format_month(next, l));
  d.set("prev_label", fill(text(l, "prev_month"), {{"month", format_month(prev, l)}}));
  d.set("next_label", fill(text(l, "next_month"), {{"month", format_month(next, l)}}));
  return d;
}

}  // namespace

std::string occurrence_path(calendar::event_id id, const calendar::occurrence_key& key) {
  return "/events/" + std::to_string(id.value) + "/" + key.to_string();
}

std::string with_csrf(std::string_view html, std::string_view token) {
  static constexpr std::string_view empty_field = R"(name="csrf" value="")";
  std::string out;
  out.reserve(html.size() + 2 * token.size());
  while (true) {
    const auto at = html.find(empty_field);
    if (at == std::string_view::npos) break;
    out += html.substr(0, at);
    out += R"(name="csrf" value=")";
    out += token;
    out += '"';
    html.remove_prefix(at + empty_field.size());
  }
  out += html;
  return out;
}

std::string render_home(const page_context& ctx, const home_view& view) {
  const auto l = ctx.lang;
  mu::data d{mu::data::type::object};
  mu::data units{mu::data::type::list};
  for (const auto& u : view.units) {
    const std::string feed = ctx.base_url + "/units/" + u.slug + ".ics";
    mu::data item{mu::data::type::object};
    item.set("slug", u.slug);
    item.set("name", u.name);
    item.set("excerpt", excerpt(u.description));
    item.set("webcal", webcal(feed));
    item.set("https", feed);
    units.push_back(item);
  }
  d.set("units", units);
  d.set("all_webcal", webcal(ctx.base_url + "/calendar.ics"));
  set_sessions(d, view.next, l, true);
  return page(ctx, text(l, "home_title"), "home.mustache", d);
}

std::string render_unit(const page_context& ctx, const unit_view& view) {
  const auto l = ctx.lang;
  auto d = month_data(view, l);
  const std::string feed = ctx.base_url + "/units/" + view.unit.slug + ".ics";
  d.set("name", view.unit.name);
  d.set("description_html", markdown_to_html(view.unit.description));
  d.set("has_responsibles", !view.responsibles.empty());
  d.set("responsibles", join_names(view.responsibles, l));
  d.set("webcal", webcal(feed));
  d.set("https", feed);
  d.set("google", "https://calendar.google.com/calendar/render?cid=" + url_encode(webcal(feed)));
  d.set("outlook", "https://outlook.live.com/calendar/0/addfromweb?url=" + url_encode(feed) +
                       "&name=" + url_encode(view.unit.name));
  const auto qr = qr_svg(feed, fill(text(l, "qr_title"), {{"name", view.unit.name}}));
  d.set("has_qr", qr.has_value());
  d.set("qr", qr.value_or(""));
  set_sessions(d, view.upcoming, l, false);
  return page(ctx, view.unit.name, "unit.mustache", d);
}

std::string render_event(const page_context& ctx, const event_view& view) {
  const auto l = ctx.lang;
  mu::data d{mu::data::type::object};
  d.set("event_id", std::to_string(view.id.value));
  d.set("title", view.title);
  d.set("unit_name", view.unit_name);
  d.set("unit_slug", view.unit_slug);
  d.set("cancelled", view.cancelled);
  d.set("kind", std::string(text(l, view.kind == calendar::event_kind::exchange_offer
                                        ? "kind_exchange_offer"
                                        : "kind_meeting")));
  set_place(d, view.location, view.online_url);
  set_description(d, view.description);
  set_sessions(d, view.next, l, false);
  return page(ctx, view.title, "event.mustache", d);
}

std::string render_occurrence(const page_context& ctx, const occurrence_view& view) {
  const auto l = ctx.lang;
  const auto& s = view.when;
  mu::data d{mu::data::type::object};
  d.set("event_id", std::to_string(s.event.value));
  d.set("action", occurrence_path(s.event, s.key));
  d.set("title", s.title);
  d.set("unit_name", s.unit_name);
  d.set("unit_slug", s.unit_slug);
  d.set("when", format_span(s.start, s.end, s.all_day, l));
  d.set("iso", iso(s.start, s.all_day));
  d.set("cancelled", s.cancelled);
  d.set("moved", s.moved && !s.cancelled);
  d.set("moved_text",
        fill(text(l, "occurrence_moved"),
             {{"original",
               view.original_start
                   ? (s.all_day ? format_date(date::floor<date::days>(*view.original_start), l)
                                : format_date_time(*view.original_start, l))
                   : std::string()}}));
  set_place(d, view.location, view.online_url);
  set_description(d, view.description);
  d.set("places", places_text(view, l));
  d.set("refused", view.refused.has_value());
  d.set("refused_text", view.refused ? std::string(text(l, refusal_key(*view.refused))) : "");
  d.set("member", view.who == viewer::member);
  d.set("has_answer", view.answer.has_value());
  d.set("answer_text", view.answer ? std::string(text(l, answer_key(*view.answer))) : "");
  d.set("csrf", view.csrf);
  mu::data answers{mu::data::type::list};
  for (const auto a :
       {calendar::rsvp_answer::yes, calendar::rsvp_answer::maybe, calendar::rsvp_answer::no}) {
    mu::data b{mu::data::type::object};
    b.set("value", std::string(calendar::to_string(a)));
    b.set("label", std::string(text(l, answer_key(a))));
    b.set("button_class", view.answer == a ? "current" : "secondary");
    answers.push_back(b);
  }
  d.set("answers", answers);
  return page(ctx, s.title, "occurrence.mustache", d);
}

std::string render_not_found(const page_context& ctx) {
  mu::data d{mu::data::type::object};
  return page(ctx, text(ctx.lang, "not_found_title"), "not_found.mustache", d);
}

}  // namespace treffpunkt::web
