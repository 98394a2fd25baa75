#pragma once
/// A token bucket per key (a person, an IP address): how often someone may do something.

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

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

  /// Zero if `key` may act now (and one action is spent), else how many whole seconds until it
  /// may (for Retry-After, RFC 9110 §10.2.3).
  std::chrono::seconds take(std::string_view key, clock::time_point now = clock::now());

 private:
  struct bucket {
    double tokens = 0;
    clock::time_point updated;
  };
  /// Drops the buckets that have refilled completely, so memory follows the active keys.
  void prune(clock::time_point now);

  double capacity_;
  double per_second_;
  std::mutex mutex_;
  std::unordered_map<std::string, bucket> buckets_;
};

}  // namespace treffpunkt::server
