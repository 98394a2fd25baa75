#include <calendar/ical_writer.h>
#include <date/date.h>
#include <server/site.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <sstream>

namespace treffpunkt::server {
namespace {

using calendar::event;
using calendar::utc_seconds;

/// FNV-1a over the bytes: the same feed gives the same ETag in every process, so caches behind
/// several instances agree.
std::string strong_etag(std::string_view bytes) {
  std::uint64_t h = 14695981039346656037ULL;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  char hex[17] = {};
  std::to_chars(hex, hex + 16, h, 16);
  std::string digits(hex);
  return "\"" + std::string(16 - digits.size(), '0') + digits + "\"";
}

/// RFC 9110 §5.6.7 IMF-fixdate.
std::string http_date(utc_seconds t) { return date::format("%a, %d %b %Y %H:%M:%S GMT", t); }

rendered make_rendered(std::string body, utc_seconds newest) {
  rendered f;
  f.etag = strong_etag(body);
  f.last_modified = http_date(newest);
  f.body = std::make_shared<const std::string>(std::move(body));
  return f;
}

utc_seconds newest_change(std::span<const event* const> events) {
  utc_seconds newest{};
  for (const event* e : events) {
    newest = std::max(newest, e->last_modified);
    for (const auto& o : e->overrides) newest = std::max(newest, o.last_modified);
  }
  return newest;
}

rendered render_feed(const calendar::feed_info& info, std::span<const event> events,
                     utc_seconds now) {
  const auto chosen = calendar::select_for_feed(events, now);
  std::vector<event> kept;
  kept.reserve(chosen.size());
  for (const event* e : chosen) kept.push_back(*e);
  return make_rendered(calendar::write_feed(info, kept), newest_change(chosen));
}

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
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
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

/// webcal:// is what phones and desktop calendar apps open as "subscribe".
std::string webcal(std::string_view https_url) {
  const auto colon = https_url.find("://");
  return "webcal" + std::string(https_url.substr(colon == std::string_view::npos ? 0 : colon));
}

std::string make_home(storage::store& store, const std::string& base) {
  std::string html =
      "<!doctype html>\n<html lang=\"de\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>treffpunkt – Netzwerkstellen</title></head><body>\n"
      "<h1>Unsere Netzwerkstellen</h1>\n";
  for (const auto& u : store.units()) {
    const std::string feed = base + "/units/" + u.slug + ".ics";
    html += "<section><h2>" + escape_html(u.name) + "</h2>\n<p>" + escape_html(u.description) +
            "</p>\n";
    const auto people = store.responsibles(u.id);
    if (!people.empty()) {
      html += "<p>Verantwortlich: ";
      for (std::size_t i = 0; i < people.size(); ++i) {
        if (i > 0) html += i + 1 == people.size() ? " und " : ", ";
        html += escape_html(people[i].name);
      }
      html += "</p>\n";
    }
    html += "<p><a href=\"" + escape_html(webcal(feed)) +
            "\">Kalender abonnieren</a> · <a href=\"" + escape_html(feed) +
            "\">iCalendar-Datei</a></p></section>\n";
  }
  html += "<p><a href=\"" + escape_html(webcal(base + "/calendar.ics")) +
          "\">Alle Netzwerkstellen abonnieren</a></p>\n</body></html>\n";
  return html;
}

bool etag_matches(std::string_view header, std::string_view etag) {
  // RFC 9110 §13.1.2: "*" or a comma-separated list; weak comparison for If-None-Match.
  while (!header.empty()) {
    const auto comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == "*" || item == etag) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

std::optional<utc_seconds> parse_http_date(const std::string& text) {
  std::istringstream in(text);
  utc_seconds t;
  in >> date::parse("%a, %d %b %Y %H:%M:%S GMT", t);
  if (in.fail()) return std::nullopt;
  return t;
}

http_response serve_feed(const http_request& request, const rendered& feed) {
  http_response r;
  r.content_type = "text/calendar; charset=utf-8";
  r.headers = {{"ETag", feed.etag},
               {"Last-Modified", feed.last_modified},
               {"Cache-Control", "public, max-age=300"}};
  bool not_modified = false;
  if (!request.if_none_match.empty()) {
    not_modified = etag_matches(request.if_none_match, feed.etag);
  } else if (!request.if_modified_since.empty()) {
    // RFC 9110 §13.1.3: only when If-None-Match is absent.
    const auto since = parse_http_date(request.if_modified_since);
    const auto modified = parse_http_date(feed.last_modified);
    not_modified = since && modified && *modified <= *since;
  }
  if (not_modified) {
    r.status = 304;
    return r;
  }
  r.body = feed.body;
  return r;
}

}  // namespace

site::site(storage::store& store, std::string base_url)
    : store_(store), base_url_(std::move(base_url)) {}

std::uint64_t site::renders() const {
  const std::lock_guard lock(mutex_);
  return renders_;
}

std::uint64_t site::cache_hits() const {
  const std::lock_guard lock(mutex_);
  return hits_;
}

std::shared_ptr<const rendered> site::cached(const std::string& key, std::int64_t version,
                                             utc_seconds now,
                                             const std::function<rendered()>& render) {
  // Feeds also depend on the day: which past events they still carry (select_for_feed).
  const auto day = date::floor<date::days>(now);
  const std::lock_guard lock(mutex_);
  auto& e = cache_[key];
  if (!e.value || e.version != version || e.day != day) {
    e.value = std::make_shared<const rendered>(render());
    e.version = version;
    e.day = day;
    ++renders_;
  } else {
    ++hits_;
  }
  return e.value;
}

std::shared_ptr<const rendered> site::unit_feed(std::string_view slug, utc_seconds now) {
  const auto u = store_.unit_by_slug(slug);
  if (!u) return nullptr;
  return cached("unit:" + u->slug, store_.unit_version(u->id), now, [&] {
    const calendar::feed_info info{u->name, u->description, u->colour,
                                   base_url_ + "/units/" + u->slug + ".ics"};
    return render_feed(info, store_.events_of_unit(u->id), now);
  });
}

std::shared_ptr<const rendered> site::all_units_feed(utc_seconds now) {
  return cached("all", store_.data_version(), now, [&] {
    std::vector<event> everything;
    for (const auto& u : store_.units()) {
      auto events = store_.events_of_unit(u.id);
      std::move(events.begin(), events.end(), std::back_inserter(everything));
    }
    const calendar::feed_info info{"Alle Netzwerkstellen", "", "", base_url_ + "/calendar.ics"};
    return render_feed(info, everything, now);
  });
}

std::shared_ptr<const rendered> site::event_feed(calendar::event_id id, utc_seconds now) {
  const auto e = store_.event_by_id(id);
  if (!e) return nullptr;
  return cached("event:" + std::to_string(id.value), store_.unit_version(e->unit), now, [&] {
    const event* one[] = {&*e};
    return make_rendered(calendar::write_event(*e), newest_change(one));
  });
}

std::shared_ptr<const rendered> site::home_page(utc_seconds now) {
  return cached("home", store_.data_version(), now, [&] {
    rendered page;
    page.body = std::make_shared<const std::string>(make_home(store_, base_url_));
    return page;
  });
}

http_response site::handle(const http_request& request, utc_seconds now) {
  if (request.method != "GET" && request.method != "HEAD") {
    auto r = http_response::text(405, "method not allowed\n");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  std::string_view path = request.target;
  if (const auto q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);

  if (path == "/healthz") return http_response::text(200, "ok\n");
  if (path == "/") {
    http_response r;
    r.content_type = "text/html; charset=utf-8";
    r.body = home_page(now)->body;
    return r;
  }
  if (path == "/calendar.ics") return serve_feed(request, *all_units_feed(now));
  if (path.starts_with("/units/") && path.ends_with(".ics")) {
    const auto slug = path.substr(7, path.size() - 7 - 4);
    if (const auto feed = unit_feed(slug, now)) return serve_feed(request, *feed);
  }
  if (path.starts_with("/events/") && path.ends_with(".ics")) {
    const auto digits = path.substr(8, path.size() - 8 - 4);
    std::int64_t id = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    if (ec == std::errc{} && end == digits.data() + digits.size() && !digits.empty()) {
      if (const auto feed = event_feed(calendar::event_id{id}, now)) {
        return serve_feed(request, *feed);
      }
    }
  }
  return http_response::text(404, "not found\n");
}

}  // namespace treffpunkt::server
