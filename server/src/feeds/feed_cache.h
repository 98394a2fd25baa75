#pragma once
/// The public feeds (a unit's, all units', one event's) as the site of one base URL publishes
/// them, each rendered once per data version and served from memory until a write changes that
/// version. A cached feed is served without asking SQLite while store::feed_stamp() stays put
/// (it moves with writes that change a unit's data, not with RSVPs): a write of this process
/// shows at once, a write of another process (`treffpunkt import`) within
/// store::change_probe_interval (1 s), well inside the feeds' max-age=300.

#include <calendar/event.h>
#include <calendar/time.h>
#include <storage/store.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "feed_response.h"  // rendered

namespace treffpunkt::server {

/// How long the feed of an archived unit still answers (with what took place before): calendar
/// apps that poll it drop the rest meanwhile; afterwards it answers 410 Gone.
inline constexpr std::chrono::days archived_feed_lifetime{183};

class feed_cache {
 public:
  /// `base_url` is the public URL without a trailing slash ("https://treffpunkt.example"): the
  /// feeds name themselves by it.
  feed_cache(storage::store& store, std::string base_url);

  const std::string& base_url() const { return base_url_; }

  /// The feed of a unit, of all units, of one event (or series); null for an unknown unit or
  /// event. `path` is the request's path: what it resolved to is remembered under it (and
  /// `kind`). `kind` keeps the events of one kind (`?kind=`); each variant is rendered and kept
  /// on its own, with its own ETag. `now` decides which past events a feed still carries. The
  /// public feeds are German, like their names: CATEGORIES say "Treffen", "Austauschangebot".
  std::shared_ptr<const rendered> unit_feed(std::string_view path, std::string_view slug,
                                            kind_filter kind, calendar::utc_seconds now);
  std::shared_ptr<const rendered> all_units_feed(std::string_view path, kind_filter kind,
                                                 calendar::utc_seconds now);
  std::shared_ptr<const rendered> event_feed(std::string_view path, calendar::event_id id,
                                             calendar::utc_seconds now);

  /// How many times a feed was rendered (for tests and /metrics).
  std::uint64_t renders() const;

  /// How many times a cached feed was served without rendering (for /metrics).
  std::uint64_t cache_hits() const;

  /// How many times a feed was served as last rendered because the store failed while
  /// checking it (for /metrics).
  std::uint64_t stale_served() const;

 private:
  struct entry {
    std::int64_t version = -1;
    date::sys_days day{};
    std::shared_ptr<const rendered> value;
  };
  /// What a request path last resolved to, valid while store::feed_stamp() and the day stay
  /// the same: lets a feed be served without asking SQLite for its version.
  struct fresh_entry {
    std::uint64_t stamp = 0;
    date::sys_days day{};
    std::shared_ptr<const rendered> value;
  };
  /// The value remembered for `path` and `kind` if still valid for `stamp` and `day`, else
  /// `revalidate()` (which reads the versions from the store and may render), remembered.
  template <class F>
  std::shared_ptr<const rendered> fresh_or(std::string_view path, kind_filter kind,
                                           calendar::utc_seconds now, F&& revalidate);

  /// The cached value for `key` if it was rendered for this version and day, else renders it
  /// (under the lock, so that one version is never rendered twice).
  std::shared_ptr<const rendered> cached(const std::string& key, std::int64_t version,
                                         calendar::utc_seconds now,
                                         const std::function<rendered()>& render);

  std::shared_ptr<const rendered> all_units_feed_uncached(kind_filter kind,
                                                          calendar::utc_seconds now);

  storage::store& store_;
  std::string base_url_;
  /// Guards `cache_`, held while rendering: only on the slow path (a version changed).
  std::mutex mutex_;
  std::map<std::string, entry, std::less<>> cache_;
  /// Guards `fresh_`: shared on the hot path, so that io threads do not wait for each other.
  std::shared_mutex fresh_mutex_;
  /// By path, one map per variant (variant_of): a filtered feed costs no key of its own.
  std::array<std::map<std::string, fresh_entry, std::less<>>, kind_variants> fresh_;
  std::atomic<std::uint64_t> renders_{0};
  std::atomic<std::uint64_t> hits_{0};
  std::atomic<std::uint64_t> stale_{0};
};

}  // namespace treffpunkt::server
