#pragma once
/// Pages as anonymous visitors (and members, where nothing of the member is in them) see them,
/// rendered once per (base URL, page, language, ...) and served from memory while
/// store::change_stamp() and the minute stay the same. The parts that are personal (a member's
/// RSVP form, own page, a CSRF token) are never taken from here.

#include <calendar/time.h>
#include <storage/store.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>

namespace treffpunkt::server {

class page_cache {
 public:
  explicit page_cache(storage::store& store) : store_(store) {}

  /// The page remembered under `key`, or `render()` (an optional<std::string>) remembered under
  /// it; an unknown page (render() gives none) is not remembered, so that made-up paths cannot
  /// fill the cache. `key` must name everything the rendering depends on.
  template <class F>
  std::shared_ptr<const std::string> get(const std::string& key, calendar::utc_seconds now,
                                         F&& render);

  /// Counts a page rendered without the cache (a personal one), for /metrics.
  void count_render() { renders_.fetch_add(1, std::memory_order_relaxed); }

  std::uint64_t renders() const { return renders_.load(std::memory_order_relaxed); }
  std::uint64_t cache_hits() const { return hits_.load(std::memory_order_relaxed); }

 private:
  /// Distinct pages kept; beyond that the cache starts over (a crawler cannot grow it forever).
  static constexpr std::size_t max_pages = 4096;
  struct entry {
    std::uint64_t stamp = 0;
    std::int64_t minute = 0;
    std::shared_ptr<const std::string> html;
  };

  storage::store& store_;
  std::shared_mutex mutex_;
  std::map<std::string, entry, std::less<>> pages_;
  std::atomic<std::uint64_t> renders_{0};
  std::atomic<std::uint64_t> hits_{0};
};

template <class F>
std::shared_ptr<const std::string> page_cache::get(const std::string& key,
                                                   calendar::utc_seconds now, F&& render) {
  // The stamp is read before the store is: a write that commits in between moves it, so what
  // we remember under the older stamp is rendered again by the next request.
  const auto stamp = store_.change_stamp();
  // Pages also change with the clock (what is upcoming, whether RSVPs are still open).
  const auto minute = std::chrono::floor<std::chrono::minutes>(now).time_since_epoch().count();
  {
    const std::shared_lock lock(mutex_);
    if (const auto found = pages_.find(key);
        found != pages_.end() && found->second.stamp == stamp && found->second.minute == minute) {
      hits_.fetch_add(1, std::memory_order_relaxed);
      return found->second.html;
    }
  }
  std::optional<std::string> html = std::forward<F>(render)();
  renders_.fetch_add(1, std::memory_order_relaxed);
  if (!html) return nullptr;
  auto value = std::make_shared<const std::string>(std::move(*html));
  const std::unique_lock lock(mutex_);
  if (pages_.size() >= max_pages && !pages_.contains(key)) pages_.clear();
  auto& e = pages_[key];
  // A thread that read an older stamp must not push back a newer page.
  if (!e.html || e.stamp != stamp || e.minute <= minute) e = entry{stamp, minute, value};
  return value;
}

}  // namespace treffpunkt::server
