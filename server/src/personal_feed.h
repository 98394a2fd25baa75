#pragma once
/// A member's personal feed, /feeds/{secret}.ics (DESIGN.md "Public interface"): the units
/// they follow plus the occurrences they have a place at, behind a long random secret (the
/// store's token_kind::feed, looked up by its SHA-256).

#include <calendar/time.h>
#include <server/http.h>
#include <storage/store.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace treffpunkt::server {

class personal_feeds {
 public:
  /// Keeps at most `max_cached` rendered feeds (the least recently served goes first).
  explicit personal_feeds(storage::store& store, std::size_t max_cached = 1024);

  /// Answers GET/HEAD of `path` ("/feeds/{secret}.ics"): the feed with ETag/Last-Modified and
  /// 304 on a match, or 404 for an unknown or rotated secret (the same answer, so that a
  /// guess learns nothing).
  http_response handle(const http_request& request, std::string_view path,
                       calendar::utc_seconds now);

  /// How many times a personal feed was rendered / served from memory (tests, /metrics).
  std::uint64_t renders() const;
  std::uint64_t cache_hits() const;

 private:
  struct entry;
  storage::store& store_;
  std::size_t max_cached_;
  mutable std::mutex mutex_;
  std::map<std::int64_t, std::shared_ptr<entry>> cache_;  ///< by person id
  std::uint64_t renders_ = 0;
  std::uint64_t hits_ = 0;
  std::uint64_t clock_ = 0;  ///< serving order, for eviction
};

}  // namespace treffpunkt::server
