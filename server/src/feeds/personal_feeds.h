#pragma once
/// Members' personal feeds (/feeds/{secret}.ics, docs/api.md): the units they follow plus the
/// occurrences they have a place at, each rendered once per version of their follows, RSVPs
/// and the units' events, and kept for the most recently served members.

#include <calendar/language.h>
#include <calendar/time.h>
#include <storage/store.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "feed_response.h"  // rendered, kind_filter

namespace treffpunkt::server {

class personal_feeds {
 public:
  /// Keeps at most `max_cached` rendered feeds (the least recently served goes first).
  explicit personal_feeds(storage::store& store, std::size_t max_cached = 1024);

  /// The personal feed of `who` as it stands at `now` (rendered, or from memory), with the
  /// events of one kind only if `kind` names one (`?kind=`), its CATEGORIES in their language.
  std::shared_ptr<const rendered> feed_of(const storage::person& who, kind_filter kind,
                                          calendar::utc_seconds now);

  /// How many times a personal feed was rendered / served from memory (tests, /metrics).
  std::uint64_t renders() const;
  std::uint64_t cache_hits() const;
  /// How many times a feed was served as last rendered because the store failed (/metrics).
  std::uint64_t stale_served() const;

 private:
  struct entry;
  /// The cache slot of `who`, made (and the least recently served evicted) if need be.
  std::shared_ptr<entry> entry_of(storage::person_id who);
  std::shared_ptr<const rendered> render(const storage::person& who, kind_filter kind,
                                         calendar::language lang, calendar::utc_seconds now) const;
  storage::store& store_;
  std::size_t max_cached_;
  mutable std::mutex mutex_;
  std::map<std::int64_t, std::shared_ptr<entry>> cache_;  ///< by person id
  std::uint64_t renders_ = 0;
  std::uint64_t hits_ = 0;
  std::uint64_t stale_ = 0;
  std::uint64_t clock_ = 0;  ///< serving order, for eviction
};

}  // namespace treffpunkt::server
