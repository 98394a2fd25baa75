#include "feed_response.h"

#include <date/date.h>

#include <algorithm>
#include <array>
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
  std::array<char, 16> hex{};
  auto* const end = std::to_chars(hex.data(), hex.data() + hex.size(), h, 16).ptr;
  const std::string digits(hex.data(), end);
  return "\"" + std::string(16 - digits.size(), '0') + digits + "\"";
}

/// RFC 9110 §5.6.7 IMF-fixdate.
std::string http_date(utc_seconds t) { return date::format("%a, %d %b %Y %H:%M:%S GMT", t); }

constexpr std::string_view feed_content_type = "text/calendar; charset=utf-8";

/// The heads serve_feed answers with, in the field order Beast used to write them.
void build_heads(rendered& f, std::string_view cache_control) {
  const std::string validators = "ETag: " + f.etag + "\r\nLast-Modified: " + f.last_modified +
                                 "\r\nCache-Control: " + std::string(cache_control) + "\r\n";
  f.head_200 = std::make_shared<const std::string>(
      "HTTP/1.1 200 OK\r\nServer: treffpunkt\r\nContent-Type: " + std::string(feed_content_type) +
      "\r\nX-Content-Type-Options: nosniff\r\n" + validators +
      "Content-Length: " + std::to_string(f.body->size()) + "\r\n");
  f.head_304 = std::make_shared<const std::string>(
      "HTTP/1.1 304 Not Modified\r\nServer: treffpunkt\r\n" + validators);
}

}  // namespace

rendered make_rendered(std::string body, utc_seconds newest, std::string_view cache_control) {
  rendered f;
  f.etag = strong_etag(body);
  f.last_modified = http_date(newest);
  f.body = std::make_shared<const std::string>(std::move(body));
  build_heads(f, cache_control);
  return f;
}

std::string feed_name(std::string_view name, kind_filter k, calendar::language l) {
  if (!k) return std::string(name);
  const bool offers = *k == calendar::event_kind::exchange_offer;
  const std::string_view what = l == calendar::language::en
                                    ? (offers ? "Exchange offers" : "Meetings")
                                    : (offers ? "Austauschangebote" : "Treffen");
  return std::string(name) + " – " + std::string(what);
}

std::string feed_url(std::string_view url, kind_filter k) {
  if (!k) return std::string(url);
  return std::string(url) + "?kind=" + std::string(calendar::kind_name(*k));
}

utc_seconds newest_change(std::span<const event* const> events) {
  utc_seconds newest{};
  for (const event* e : events) {
    newest = std::max(newest, e->last_modified);
    for (const auto& o : e->overrides) newest = std::max(newest, o.last_modified);
  }
  return newest;
}

namespace {

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

}  // namespace

/// The head was prebuilt at render time: no header is formatted here.
http_response answer_feed(const http_request& request, const rendered& feed) {
  http_response r;
  r.content_type.clear();
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
    r.prebuilt_head = feed.head_304;
    return r;
  }
  r.body = feed.body;
  r.prebuilt_head = feed.head_200;
  return r;
}

}  // namespace treffpunkt::server
