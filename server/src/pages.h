#pragma once
/// The member pages (DESIGN.md "Public interface"): GET/HEAD of `/`, `/units/{slug}`,
/// `/events/{id}`, `/events/{id}/{occurrence}` and the static files under `/static/`. Reads
/// the store, fills web/'s view models and answers with web/'s HTML in the reader's language.
///
/// What anonymous visitors see is rendered once per (base URL, page, language) and served
/// from memory while store::change_stamp() and the minute stay the same; the parts that are
/// personal (a member's RSVP form, a CSRF token) are never taken from that cache.

#include <calendar/time.h>
#include <server/http.h>
#include <storage/store.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>

namespace treffpunkt::server {

class page_routes {
 public:
  explicit page_routes(storage::store& store);

  /// Whether `path` (without query) is one of the pages or static files above. Feeds
  /// (`*.ics`) and the RSVP form targets are not.
  static bool owns(std::string_view path);

  /// Answers a request for a path that owns() accepts. `base_url` (no trailing slash) makes
  /// the feed links and decides whether cookies get `Secure`.
  http_response handle(const http_request& request, std::string_view path,
                       calendar::utc_seconds now, std::string_view base_url);

  /// How many pages were rendered, and how many served from the cache (tests, /metrics).
  std::uint64_t renders() const { return renders_.load(std::memory_order_relaxed); }
  std::uint64_t cache_hits() const { return hits_.load(std::memory_order_relaxed); }

 private:
  struct cached_page {
    std::uint64_t stamp = 0;
    std::int64_t minute = 0;
    std::shared_ptr<const std::string> html;
  };

  /// The cached page for `key`, or `render()` remembered under it; an unknown page (render()
  /// gives none) is not remembered, so that made-up paths cannot fill the cache.
  template <class F>
  std::shared_ptr<const std::string> cached(const std::string& key, calendar::utc_seconds now,
                                            F&& render);

  storage::store& store_;
  std::shared_mutex mutex_;
  std::map<std::string, cached_page, std::less<>> cache_;
  std::atomic<std::uint64_t> renders_{0};
  std::atomic<std::uint64_t> hits_{0};
};

}  // namespace treffpunkt::server
