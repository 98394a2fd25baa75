#include <calendar/ical_writer.h>
#include <date/date.h>
#include <server/site.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
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

rendered_feed render(std::string body, utc_seconds newest) {
  rendered_feed f;
  f.etag = strong_etag(body);
  f.last_modified = http_date(newest);
  f.body = std::make_shared<const std::string>(std::move(body));
  return f;
}

utc_seconds newest_change(const std::vector<const event*>& events) {
  utc_seconds newest{};
  for (const event* e : events) {
    newest = std::max(newest, e->last_modified);
    for (const auto& o : e->overrides) newest = std::max(newest, o.last_modified);
  }
  return newest;
}

rendered_feed render_feed(const calendar::feed_info& info,
                          const std::vector<const event*>& chosen) {
  std::vector<event> copies;
  copies.reserve(chosen.size());
  for (const event* e : chosen) copies.push_back(*e);
  return render(calendar::write_feed(info, copies), newest_change(chosen));
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

std::string make_home(const std::vector<demo_unit>& units, const std::string& base) {
  std::string html =
      "<!doctype html>\n<html lang=\"de\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>treffpunkt – Netzwerkstellen</title></head><body>\n"
      "<h1>Unsere Netzwerkstellen</h1>\n";
  for (const auto& u : units) {
    const std::string feed = base + "/units/" + u.unit.slug + ".ics";
    html += "<section><h2>" + escape_html(u.unit.name) + "</h2>\n<p>" +
            escape_html(u.unit.description) + "</p>\n<p>Verantwortlich: ";
    for (std::size_t i = 0; i < u.responsibles.size(); ++i) {
      if (i > 0) html += i + 1 == u.responsibles.size() ? " und " : ", ";
      html += escape_html(u.responsibles[i].name);
    }
    html += "</p>\n<p><a href=\"" + escape_html(webcal(feed)) +
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

http_response serve_feed(const http_request& request, const rendered_feed& feed) {
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

site::site(std::vector<demo_unit> units, std::string base_url, utc_seconds now)
    : units_(std::move(units)), base_url_(std::move(base_url)) {
  std::vector<const event*> everything;
  for (const auto& u : units_) {
    const auto chosen = calendar::select_for_feed(u.events, now);
    everything.insert(everything.end(), chosen.begin(), chosen.end());
    calendar::feed_info info{u.unit.name, u.unit.description, u.unit.colour,
                             base_url_ + "/units/" + u.unit.slug + ".ics"};
    by_unit_.emplace(u.unit.slug, render_feed(info, chosen));
    for (const auto& e : u.events) {
      by_event_.emplace(e.id, render(calendar::write_event(e), newest_change({&e})));
    }
  }
  calendar::feed_info all_info{"Alle Netzwerkstellen", "", "", base_url_ + "/calendar.ics"};
  all_ = render_feed(all_info, everything);
  home_ = std::make_shared<const std::string>(make_home(units_, base_url_));
}

const rendered_feed* site::unit_feed(std::string_view slug) const {
  const auto it = by_unit_.find(slug);
  return it == by_unit_.end() ? nullptr : &it->second;
}

const rendered_feed* site::event_feed(calendar::event_id id) const {
  const auto it = by_event_.find(id);
  return it == by_event_.end() ? nullptr : &it->second;
}

http_response handle_request(const http_request& request, const site& site) {
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
    r.body = site.home_page();
    return r;
  }
  if (path == "/calendar.ics") return serve_feed(request, site.all_units_feed());
  if (path.starts_with("/units/") && path.ends_with(".ics")) {
    const auto slug = path.substr(7, path.size() - 7 - 4);
    if (const auto* feed = site.unit_feed(slug)) return serve_feed(request, *feed);
  }
  if (path.starts_with("/events/") && path.ends_with(".ics")) {
    const auto digits = path.substr(8, path.size() - 8 - 4);
    std::int64_t id = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    if (ec == std::errc{} && end == digits.data() + digits.size() && !digits.empty()) {
      if (const auto* feed = site.event_feed(calendar::event_id{id})) {
        return serve_feed(request, *feed);
      }
    }
  }
  return http_response::text(404, "not found\n");
}

}  // namespace treffpunkt::server
