#pragma once
/// A token bucket per key (a person, an IP address): how often someone may do something.
/// Counted in this process's memory, or, when several instances serve one PostgreSQL database,
/// in the database (store::take_allowance), so that the limit holds for all of them together
/// and not once per instance.

#include <calendar/clock.h>

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace treffpunkt::storage {
class store;
}

namespace treffpunkt::server {

/// Thread-safe: `take` may be called from every io thread at once.
class rate_limiter {
 public:
  using clock = std::chrono::steady_clock;

  /// Each key may spend `per_minute` actions at once and regains one every 60/per_minute
  /// seconds. `per_minute` <= 0 turns the limit off.
  explicit rate_limiter(int per_minute);

  /// Each key may spend `count` actions at once and regains them evenly over `period` (login
  /// emails: 5 an hour). `count` <= 0 turns the limit off.
  rate_limiter(int count, std::chrono::seconds period);

  /// Where the buckets are kept when every instance on the store's database must count into
  /// the same ones: `limiter` names this limiter's buckets there, `time` is the clock of
  /// the requests (the instances' clocks, not this process's steady clock, are comparable).
  /// serve deletes the buckets that are full again (rate_limit_sweeper in cli.cpp).
  struct shared_buckets {
    storage::store* store = nullptr;  ///< none: this process's memory
    std::string limiter;
    calendar::clock time;
  };
  rate_limiter(int count, std::chrono::seconds period, shared_buckets shared);

  /// Zero if `key` may act now (and one action is spent), else how many whole seconds until it
  /// may (for Retry-After, RFC 9110 §10.2.3). With shared buckets, a query on the store (the
  /// callers run on the blocking pool); should it fail, this process's buckets answer.
  std::chrono::seconds take(std::string_view key, clock::time_point now = clock::now());

 private:
  struct bucket {
    double tokens = 0;
    clock::time_point updated;
  };
  /// Drops the buckets that have refilled completely, so memory follows the active keys.
  void prune(clock::time_point now);

  int count_;
  std::chrono::seconds period_;
  shared_buckets shared_;
  double capacity_;
  double per_second_;
  std::mutex mutex_;
  std::unordered_map<std::string, bucket> buckets_;
};

}  // namespace treffpunkt::server
