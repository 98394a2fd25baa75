#include "feed_cache.h"

#include <calendar/ical_writer.h>
#include <date/date.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>

#include "feed_response.h"

namespace treffpunkt::server {
namespace {

using calendar::event;
using calendar::utc_seconds;

rendered render_feed(const calendar::feed_info& info, std::span<const event> events,
                     utc_seconds now) {
  const auto chosen = calendar::select_for_feed(events, now);
  std::vector<event> kept;
  kept.reserve(chosen.size());
  for (const event* e : chosen) kept.push_back(*e);
  return make_rendered(calendar::write_feed(info, kept), newest_change(chosen));
}

}  // namespace

feed_cache::feed_cache(storage::store& store, std::string base_url)
    : store_(store), base_url_(std::move(base_url)) {}

std::uint64_t feed_cache::renders() const { return renders_.load(std::memory_order_relaxed); }

std::uint64_t feed_cache::cache_hits() const { return hits_.load(std::memory_order_relaxed); }

template <class F>
std::shared_ptr<const rendered> feed_cache::fresh_or(std::string_view path, utc_seconds now,
                                                     F&& revalidate) {
  // The stamp is read before the store is: a write that commits in between moves it, so
  // what we remember below under the older stamp is revalidated by the next request.
  const auto stamp = store_.change_stamp();
  const auto day = date::floor<date::days>(now);
  {
    const std::shared_lock lock(fresh_mutex_);
    if (const auto found = fresh_.find(path);
        found != fresh_.end() && found->second.stamp == stamp && found->second.day == day) {
      hits_.fetch_add(1, std::memory_order_relaxed);
      return found->second.value;
    }
  }
  auto value = std::forward<F>(revalidate)();
  if (!value) return value;  // unknown unit or event: not remembered, so the map stays small
  const std::unique_lock lock(fresh_mutex_);
  auto& e = fresh_[std::string(path)];
  // A thread that read an older stamp must not push back a newer entry.
  if (!e.value || e.stamp <= stamp) e = fresh_entry{stamp, day, value};
  return value;
}

std::shared_ptr<const rendered> feed_cache::cached(const std::string& key, std::int64_t version,
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
    renders_.fetch_add(1, std::memory_order_relaxed);
  } else {
    hits_.fetch_add(1, std::memory_order_relaxed);
  }
  return e.value;
}

std::shared_ptr<const rendered> feed_cache::unit_feed(std::string_view path, std::string_view slug,
                                                      utc_seconds now) {
  return fresh_or(path, now, [&]() -> std::shared_ptr<const rendered> {
    const auto u = store_.unit_by_slug(slug);
    if (!u) return nullptr;
    return cached("unit:" + u->slug, store_.unit_version(u->id), now, [&] {
      const calendar::feed_info info{u->name, u->description, u->colour,
                                     base_url_ + "/units/" + u->slug + ".ics"};
      return render_feed(info, store_.events_of_unit(u->id), now);
    });
  });
}

std::shared_ptr<const rendered> feed_cache::all_units_feed(std::string_view path, utc_seconds now) {
  return fresh_or(path, now, [&] { return all_units_feed_uncached(now); });
}

std::shared_ptr<const rendered> feed_cache::all_units_feed_uncached(utc_seconds now) {
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

std::shared_ptr<const rendered> feed_cache::event_feed(std::string_view path, calendar::event_id id,
                                                       utc_seconds now) {
  return fresh_or(path, now, [&]() -> std::shared_ptr<const rendered> {
    const auto e = store_.event_by_id(id);
    if (!e) return nullptr;
    return cached("event:" + std::to_string(id.value), store_.unit_version(e->unit), now, [&] {
      const std::array<const event*, 1> one = {&*e};
      return make_rendered(calendar::write_event(*e), newest_change(one));
    });
  });
}

}  // namespace treffpunkt::server
