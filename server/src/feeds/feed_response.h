#pragma once
/// Rendered feeds and the answers to them, shared by the public feeds (feed_cache.cpp) and the
/// personal feeds (personal_feeds.cpp), so that both behave alike for calendar apps.

#include <calendar/event.h>
#include <calendar/language.h>
#include <calendar/time.h>
#include <server/http.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace treffpunkt::server {

/// A feed rendered once, with the validators that let clients skip downloading it.
struct rendered {
  std::shared_ptr<const std::string> body;
  std::string etag;           ///< strong ETag of the bytes, quoted
  std::string last_modified;  ///< HTTP-date of the newest change in it
  /// The complete response heads of a feed (http_response::prebuilt_head), built once per
  /// rendering so that serving it is two buffers and no formatting: 200 with Content-Length,
  /// and 304 with the validators and Cache-Control but no Content-Length (RFC 9110 §8.6,
  /// §15.4.5).
  std::shared_ptr<const std::string> head_200;
  std::shared_ptr<const std::string> head_304;
  /// The feed of a unit archived long ago answers 410 Gone from then on, so that calendar apps
  /// stop asking; none: never.
  std::optional<calendar::utc_seconds> gone_from;
  /// The unit whose feed this is (its ?kind= variants too): the fetches of it are counted for
  /// the unit (feed_routes.cpp). 0 for the other feeds.
  calendar::unit_id unit{};
};

inline constexpr std::string_view public_feed_cache = "public, max-age=300";
/// A member's own feed: no shared cache may keep it.
inline constexpr std::string_view private_feed_cache = "private, max-age=300";

/// A feed's bytes with a strong ETag (FNV-1a of the bytes: the same in every process),
/// Last-Modified from `newest`, and its prebuilt 200 and 304 heads.
rendered make_rendered(std::string body, calendar::utc_seconds newest,
                       std::string_view cache_control = public_feed_cache);

/// The newest LAST-MODIFIED among the events and their overrides.
calendar::utc_seconds newest_change(std::span<const calendar::event* const> events);

/// Which events a feed carries: every kind, or the one `?kind=` names.
using kind_filter = std::optional<calendar::event_kind>;

/// How many variants of a feed there are (every kind, then one per kind), and which one a
/// filter asks for: where the caches keep them apart.
inline constexpr std::size_t kind_variants = 3;
inline std::size_t variant_of(kind_filter k) {
  if (!k) return 0;
  return *k == calendar::event_kind::meeting ? 1 : 2;
}

/// Whether `e` belongs in a feed of `k`.
inline bool carries(kind_filter k, const calendar::event& e) { return !k || e.kind == *k; }

/// The name of a feed of `k`: `name` as it is for every kind, else with what it carries
/// ("Netzwerkstelle Bildung – Austauschangebote"), so that a calendar app subscribed to both
/// tells them apart.
std::string feed_name(std::string_view name, kind_filter k, calendar::language l);

/// The URL of a feed of `k`: `url` with `?kind=` for one kind.
std::string feed_url(std::string_view url, kind_filter k);

/// The feed, or 304 when If-None-Match matches its ETag (or, without If-None-Match,
/// If-Modified-Since is not older than Last-Modified: RFC 9110 §13.1.3).
http_response answer_feed(const http_request& request, const rendered& feed);

}  // namespace treffpunkt::server
