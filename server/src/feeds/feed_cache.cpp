#include "feed_cache.h"

#include <calendar/expand.h>
#include <calendar/ical_writer.h>
#include <date/date.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "feed_response.h"

namespace treffpunkt::server {
namespace {

using calendar::event;
using calendar::utc_seconds;

/// The public feeds speak German, as their names do ("Alle Netzwerkstellen").
constexpr calendar::language public_language = calendar::language::de;

/// The feed of those `events` that are of `kind`, as it stands at `now`. `info` names the feed
/// of every kind; the name and URL of a variant say which kind it holds.
rendered render_feed(calendar::feed_info info, std::vector<event> events, kind_filter kind,
                     utc_seconds now) {
  if (kind) std::erase_if(events, [&](const event& e) { return !carries(kind, e); });
  info.name = feed_name(info.name, kind, public_language);
  info.url = feed_url(info.url, kind);
  info.lang = public_language;
  const auto chosen = calendar::select_for_feed(events, now);
  std::vector<event> kept;
  kept.reserve(chosen.size());
  for (const event* e : chosen) kept.push_back(*e);
  return make_rendered(calendar::write_feed(info, kept), newest_change(chosen));
}

/// The key of a rendered feed in the cache: what it shows, and which of its kinds.
std::string cache_key(std::string what, kind_filter kind) {
  if (kind) what += "?kind=" + std::string(calendar::kind_name(*kind));
  return what;
}

}  // namespace

feed_cache::feed_cache(storage::store& store, std::string base_url)
    : store_(store), base_url_(std::move(base_url)) {}

std::uint64_t feed_cache::renders() const { return renders_.load(std::memory_order_relaxed); }

std::uint64_t feed_cache::cache_hits() const { return hits_.load(std::memory_order_relaxed); }

std::uint64_t feed_cache::stale_served() const { return stale_.load(std::memory_order_relaxed); }

template <class F>
std::shared_ptr<const rendered> feed_cache::fresh_or(std::string_view path, kind_filter kind,
                                                     utc_seconds now, F&& revalidate) {
  // The stamp is read before the store is: a write that commits in between moves it, so
  // what we remember below under the older stamp is revalidated by the next request. Only
  // writes that change what feeds show move it (RSVPs do not): feeds stay in memory while
  // members answer.
  const auto stamp = store_.feed_stamp();
  const auto day = date::floor<date::days>(now);
  auto& fresh = fresh_[variant_of(kind)];
  {
    const std::shared_lock lock(fresh_mutex_);
    if (const auto found = fresh.find(path);
        found != fresh.end() && found->second.stamp == stamp && found->second.day == day) {
      hits_.fetch_add(1, std::memory_order_relaxed);
      return found->second.value;
    }
  }
  std::shared_ptr<const rendered> value;
  try {
    value = std::forward<F>(revalidate)();
  } catch (const std::exception&) {
    // A store that fails for a moment (an I/O error, a lock held past the busy timeout): the
    // feed this path served last is still a true picture of a recent past, and calendar apps
    // treat a 5xx as a broken calendar (Thunderbird disables it). Nothing served yet: the
    // caller's error.
    const std::shared_lock lock(fresh_mutex_);
    const auto found = fresh.find(path);
    if (found == fresh.end()) throw;
    stale_.fetch_add(1, std::memory_order_relaxed);
    return found->second.value;
  }
  if (!value) return value;  // unknown unit or event: not remembered, so the map stays small
  const std::unique_lock lock(fresh_mutex_);
  auto& e = fresh[std::string(path)];
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
                                                      kind_filter kind, utc_seconds now) {
  return fresh_or(path, kind, now, [&]() -> std::shared_ptr<const rendered> {
    const auto u = store_.unit_by_slug(slug);
    if (!u) return nullptr;
    return cached(cache_key("unit:" + u->slug, kind), store_.unit_version(u->id), now, [&] {
      const calendar::feed_info info{u->name, u->description, u->colour,
                                     base_url_ + "/units/" + u->slug + ".ics"};
      auto feed =
          render_feed(info, calendar::shown_events(*u, store_.events_of_unit(u->id)), kind, now);
      if (u->archived) feed.gone_from = *u->archived + archived_feed_lifetime;
      feed.unit = u->id;
      return feed;
    });
  });
}

std::shared_ptr<const rendered> feed_cache::all_units_feed(std::string_view path, kind_filter kind,
                                                           utc_seconds now) {
  return fresh_or(path, kind, now, [&] { return all_units_feed_uncached(kind, now); });
}

std::shared_ptr<const rendered> feed_cache::all_units_feed_uncached(kind_filter kind,
                                                                    utc_seconds now) {
  return cached(cache_key("all", kind), store_.data_version(), now, [&] {
    std::vector<event> everything;
    for (const auto& u : store_.units()) {
      auto events = calendar::shown_events(u, store_.events_of_unit(u.id));
      std::move(events.begin(), events.end(), std::back_inserter(everything));
    }
    const calendar::feed_info info{"Alle Netzwerkstellen", "", "", base_url_ + "/calendar.ics"};
    return render_feed(info, std::move(everything), kind, now);
  });
}

std::shared_ptr<const rendered> feed_cache::event_feed(std::string_view path, calendar::event_id id,
                                                       utc_seconds now) {
  return fresh_or(path, std::nullopt, now, [&]() -> std::shared_ptr<const rendered> {
    const auto e = store_.event_by_id(id);
    if (!e) return nullptr;
    return cached("event:" + std::to_string(id.value), store_.unit_version(e->unit), now, [&] {
      const std::array<const event*, 1> one = {&*e};
      return make_rendered(calendar::write_event(*e, public_language), newest_change(one));
    });
  });
}

}  // namespace treffpunkt::server
