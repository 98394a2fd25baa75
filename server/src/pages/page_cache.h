#pragma once
/// Pages as anonymous visitors (and members, where nothing of the member is in them) see them,
/// rendered once per (base URL, page, language, ...) and served from memory while
/// store::change_stamp() and the minute stay the same. A member's page is kept per state
/// (follow button, their answer: the same page for every member in that state) or, for their
/// own page, under their id; its CSRF fields are kept empty and filled per request
/// (get_with_csrf). The key names everything the page shows: what the key does not name
/// must be the same for everyone who asks under it.

#include <calendar/time.h>
#include <storage/store.h>
#include <web/pages.h>  // with_csrf

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

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
  /// The same for a page with forms, rendered with empty CSRF fields: the page with `csrf`
  /// filled in (web::with_csrf), made for this request.
  template <class F>
  std::shared_ptr<const std::string> get_with_csrf(const std::string& key,
                                                   calendar::utc_seconds now, std::string_view csrf,
                                                   F&& render);

  /// Counts a page rendered without the cache (a personal one), for /metrics.
  void count_render() { renders_.fetch_add(1, std::memory_order_relaxed); }

  std::uint64_t renders() const { return renders_.load(std::memory_order_relaxed); }
  std::uint64_t cache_hits() const { return hits_.load(std::memory_order_relaxed); }

 private:
  /// Distinct pages kept; beyond that the cache starts over (a crawler cannot grow it forever).
  static constexpr std::size_t max_pages = 4096;
  /// A rendered page, and where its empty CSRF fields are (web::csrf_slots).
  struct page {
    std::string html;
    std::vector<std::size_t> csrf_slots;
  };
  struct entry {
    std::uint64_t stamp = 0;
    std::int64_t minute = 0;
    std::shared_ptr<const page> html;
  };

  template <class F>
  std::shared_ptr<const page> find_or_render(const std::string& key, calendar::utc_seconds now,
                                             F&& render);

  storage::store& store_;
  std::shared_mutex mutex_;
  std::map<std::string, entry, std::less<>> pages_;
  std::atomic<std::uint64_t> renders_{0};
  std::atomic<std::uint64_t> hits_{0};
};

template <class F>
std::shared_ptr<const std::string> page_cache::get(const std::string& key,
                                                   calendar::utc_seconds now, F&& render) {
  auto found = find_or_render(key, now, std::forward<F>(render));
  if (!found) return nullptr;
  return std::shared_ptr<const std::string>(found, &found->html);  // shares the page's life
}

template <class F>
std::shared_ptr<const std::string> page_cache::get_with_csrf(const std::string& key,
                                                             calendar::utc_seconds now,
                                                             std::string_view csrf, F&& render) {
  const auto found = find_or_render(key, now, std::forward<F>(render));
  if (!found) return nullptr;
  return std::make_shared<const std::string>(web::with_csrf(found->html, found->csrf_slots, csrf));
}

template <class F>
std::shared_ptr<const page_cache::page> page_cache::find_or_render(const std::string& key,
                                                                   calendar::utc_seconds now,
                                                                   F&& render) {
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
  auto slots = web::csrf_slots(*html);
  auto value = std::make_shared<const page>(page{std::move(*html), std::move(slots)});
  const std::unique_lock lock(mutex_);
  if (pages_.size() >= max_pages && !pages_.contains(key)) pages_.clear();
  auto& e = pages_[key];
  // A thread that read an older stamp must not push back a newer page.
  if (!e.html || e.stamp != stamp || e.minute <= minute) e = entry{stamp, minute, value};
  return value;
}

}  // namespace treffpunkt::server
