#include "personal_feeds.h"

#include <calendar/expand.h>
#include <calendar/ical_writer.h>
#include <date/date.h>

#include <algorithm>
#include <array>
#include <optional>
#include <set>
#include <vector>

#include "feed_response.h"

namespace treffpunkt::server {
namespace {

using calendar::event;
using calendar::utc_seconds;

/// One occurrence of `e` as an event of its own: for a member who has a place at one
/// occurrence of a series of a unit they do not follow, the feed shows that occurrence, not
/// the whole series. Its UID is the series' UID with the occurrence key, stable across renders.
event single_occurrence(const event& e, const calendar::occurrence& o) {
  event one = e;
  one.uid = e.uid + "-" + o.key.to_string();
  one.related_to = e.uid;
  one.rule.reset();
  one.rdates.clear();
  one.overrides.clear();
  one.start = o.local_start;
  one.duration = e.all_day ? std::chrono::seconds(o.local_end - o.local_start)
                           : std::chrono::seconds(o.end - o.start);
  one.title = std::string(o.title);
  one.description = std::string(o.description);
  one.location = std::string(o.location);
  one.online_url = std::string(o.online_url);
  if (o.cancelled) one.status = calendar::event_status::cancelled;
  if (const auto* changed = e.find_override(o.key)) {
    one.sequence = std::max(e.sequence, changed->sequence);
    one.last_modified = std::max(e.last_modified, changed->last_modified);
  }
  return one;
}

/// The feed's events: every event of the followed units, the exchange offers the person hosts
/// in other units, then the occurrences they have a place at (state going) in other units. A
/// waitlisted yes is not in the feed: it is not a place yet, and a calendar entry would say
/// otherwise; it arrives once they move up (which bumps their version).
std::vector<event> feed_events(storage::store& store, storage::person_id p) {
  std::vector<event> out;
  const auto followed = store.follows(p);
  const std::set<std::int64_t> followed_ids = [&] {
    std::set<std::int64_t> ids;
    for (const auto u : followed) ids.insert(u.value);
    return ids;
  }();
  for (const auto u : followed) {
    const auto unit = store.unit_by_id(u);
    if (!unit) continue;
    // An archived unit's as its own feed shows them: what took place before.
    auto events = calendar::shown_events(*unit, store.events_of_unit(u));
    std::move(events.begin(), events.end(), std::back_inserter(out));
  }
  // The exchange offers they host, wherever they are.
  for (const auto id : store.hosted_by(p)) {
    auto e = store.event_by_id(id);
    if (e && !followed_ids.contains(e->unit.value)) out.push_back(std::move(*e));
  }
  std::optional<event> loaded;
  for (const auto& r : store.rsvps_of_person(p)) {
    if (r.state != storage::rsvp_state::going) continue;
    if (!loaded || loaded->id != r.event) loaded = store.event_by_id(r.event);
    if (!loaded || followed_ids.contains(loaded->unit.value)) continue;
    if (!loaded->is_series()) {
      if (std::none_of(out.begin(), out.end(), [&](const event& e) { return e.id == r.event; })) {
        out.push_back(*loaded);
      }
      continue;
    }
    if (const auto o = calendar::find_occurrence(*loaded, r.key)) {
      out.push_back(single_occurrence(*loaded, *o));
    }
  }
  return out;
}

}  // namespace

struct personal_feeds::entry {
  /// One rendering of the feed: for every kind, or for one (variant_of).
  struct variant {
    std::int64_t person_version = -1;
    std::int64_t data_version = -1;
    date::sys_days day{};
    calendar::language lang = calendar::language::de;
    std::shared_ptr<const rendered> feed;
  };
  std::mutex mutex;  ///< held while rendering, so that one version is rendered once
  std::array<variant, kind_variants> variants;
  std::uint64_t last_served = 0;
};

personal_feeds::personal_feeds(storage::store& store, std::size_t max_cached)
    : store_(store), max_cached_(std::max<std::size_t>(max_cached, 1)) {}

std::uint64_t personal_feeds::renders() const {
  const std::lock_guard lock(mutex_);
  return renders_;
}

std::uint64_t personal_feeds::cache_hits() const {
  const std::lock_guard lock(mutex_);
  return hits_;
}

std::uint64_t personal_feeds::stale_served() const {
  const std::lock_guard lock(mutex_);
  return stale_;
}

std::shared_ptr<personal_feeds::entry> personal_feeds::entry_of(storage::person_id who) {
  const std::lock_guard lock(mutex_);
  auto& slot = cache_[who.value];
  if (!slot) {
    if (cache_.size() > max_cached_) {
      auto oldest = cache_.end();
      for (auto it = cache_.begin(); it != cache_.end(); ++it) {
        if (it->second &&
            (oldest == cache_.end() || it->second->last_served < oldest->second->last_served)) {
          oldest = it;
        }
      }
      if (oldest != cache_.end()) cache_.erase(oldest);
    }
    slot = std::make_shared<entry>();
  }
  slot->last_served = ++clock_;
  return slot;
}

std::shared_ptr<const rendered> personal_feeds::render(const storage::person& who, kind_filter kind,
                                                       calendar::language lang,
                                                       utc_seconds now) const {
  auto events = feed_events(store_, who.id);
  if (kind) std::erase_if(events, [&](const event& ev) { return !carries(kind, ev); });
  const auto chosen = calendar::select_for_feed(events, now);
  std::vector<event> kept;
  kept.reserve(chosen.size());
  for (const event* ev : chosen) kept.push_back(*ev);
  calendar::feed_info info;
  info.name = feed_name("treffpunkt – " + (who.name.empty() ? who.email : who.name), kind, lang);
  info.lang = lang;
  // No URL in the feed: it would carry the secret into every copy of the file.
  return std::make_shared<const rendered>(
      make_rendered(calendar::write_feed(info, kept), newest_change(chosen), private_feed_cache));
}

std::shared_ptr<const rendered> personal_feeds::feed_of(const storage::person& who,
                                                        kind_filter kind, utc_seconds now) {
  const auto lang = calendar::parse_language(who.language).value_or(calendar::language::de);
  const auto e = entry_of(who.id);
  const std::lock_guard lock(e->mutex);
  auto& v = e->variants[variant_of(kind)];
  bool fresh = false;
  try {
    // The feed changes with the person's follows and RSVPs (their version) and with any
    // unit's events (the data version: the sum of all units' versions), and with the day
    // (which past events it still carries).
    const std::int64_t person_version = store_.person_version(who.id);
    const std::int64_t data_version = store_.data_version();
    const auto day = date::floor<date::days>(now);
    fresh = v.feed && v.person_version == person_version && v.data_version == data_version &&
            v.day == day && v.lang == lang;
    if (!fresh) {
      v.feed = render(who, kind, lang, now);
      v.person_version = person_version;
      v.data_version = data_version;
      v.day = day;
      v.lang = lang;
    }
  } catch (const std::exception&) {
    // The store failed for a moment: the feed served last is better than a 5xx, which
    // calendar apps take for a broken calendar (as feed_cache does).
    if (!v.feed) throw;
    const std::lock_guard lock_counts(mutex_);
    ++stale_;
    return v.feed;
  }
  const std::lock_guard lock_counts(mutex_);
  ++(fresh ? hits_ : renders_);
  return v.feed;
}

}  // namespace treffpunkt::server
