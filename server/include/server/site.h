#pragma once
/// What the server publishes, read from the store: feeds and pages, each rendered once per
/// data version and served from memory until a write changes that version.

#include <calendar/event.h>
#include <calendar/time.h>
#include <server/http.h>
#include <storage/store.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace treffpunkt::server {

/// A feed or page rendered once, with the validators that let clients skip downloading it.
struct rendered {
  std::shared_ptr<const std::string> body;
  std::string etag;           ///< strong ETag of the bytes, quoted
  std::string last_modified;  ///< HTTP-date of the newest change in it
};

class site {
 public:
  /// `base_url` is the public URL without a trailing slash ("https://treffpunkt.example").
  site(storage::store& store, std::string base_url);

  const std::string& base_url() const { return base_url_; }

  /// What a request means: feeds, pages and conditional requests (If-None-Match,
  /// If-Modified-Since -> 304). Knows nothing of sockets; `now` decides which past events a
  /// feed still carries.
  http_response handle(const http_request& request, calendar::utc_seconds now);

  /// How many times a feed or page was rendered (for tests and /metrics).
  std::uint64_t renders() const;

  /// How many times a cached feed or page was served without rendering (for /metrics).
  std::uint64_t cache_hits() const;

 private:
  struct entry {
    std::int64_t version = -1;
    date::sys_days day{};
    std::shared_ptr<const rendered> value;
  };
  /// The cached value for `key` if it was rendered for this version and day, else renders it
  /// (under the lock, so that one version is never rendered twice).
  std::shared_ptr<const rendered> cached(const std::string& key, std::int64_t version,
                                         calendar::utc_seconds now,
                                         const std::function<rendered()>& render);

  std::shared_ptr<const rendered> unit_feed(std::string_view slug, calendar::utc_seconds now);
  std::shared_ptr<const rendered> all_units_feed(calendar::utc_seconds now);
  std::shared_ptr<const rendered> event_feed(calendar::event_id id, calendar::utc_seconds now);
  std::shared_ptr<const rendered> home_page(calendar::utc_seconds now);

  storage::store& store_;
  std::string base_url_;
  mutable std::mutex mutex_;
  std::map<std::string, entry, std::less<>> cache_;
  std::uint64_t renders_ = 0;
  std::uint64_t hits_ = 0;
};

}  // namespace treffpunkt::server
