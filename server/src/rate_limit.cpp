#include "rate_limit.h"

#include <storage/store.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace treffpunkt::server {
namespace {
/// Beyond this many keys, full buckets are dropped before a new one is added.
constexpr std::size_t prune_above = 10000;
}  // namespace

rate_limiter::rate_limiter(int per_minute) : rate_limiter(per_minute, std::chrono::minutes(1)) {}

rate_limiter::rate_limiter(int count, std::chrono::seconds period)
    : rate_limiter(count, period, {}) {}

rate_limiter::rate_limiter(int count, std::chrono::seconds period, shared_buckets shared)
    : count_(count),
      period_(period),
      shared_(std::move(shared)),
      capacity_(count),
      per_second_(static_cast<double>(count) /
                  static_cast<double>(std::max<std::chrono::seconds::rep>(1, period.count()))) {}

std::chrono::seconds rate_limiter::take(std::string_view key, clock::time_point now) {
  if (capacity_ <= 0) return std::chrono::seconds(0);
  if (shared_.store) {
    auto taken =
        shared_.store->take_allowance(shared_.limiter, key, count_, period_, shared_.time.now());
    if (taken) return *taken;
    // The database failed (the request will most likely fail with it): this instance's own
    // buckets still keep the limit per instance.
    std::fprintf(stderr, "rate limit %s: %s\n", shared_.limiter.c_str(),
                 taken.error().message.c_str());
  }
  const std::lock_guard lock(mutex_);
  auto found = buckets_.find(std::string(key));
  if (found == buckets_.end()) {
    if (buckets_.size() >= prune_above) prune(now);
    found = buckets_.emplace(std::string(key), bucket{capacity_, now}).first;
  }
  bucket& b = found->second;
  const std::chrono::duration<double> elapsed = now - b.updated;
  b.tokens = std::min(capacity_, b.tokens + elapsed.count() * per_second_);
  b.updated = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return std::chrono::seconds(0);
  }
  const double wait = std::ceil((1.0 - b.tokens) / per_second_);
  return std::chrono::seconds(std::max<long long>(1, static_cast<long long>(wait)));
}

void rate_limiter::prune(clock::time_point now) {
  std::erase_if(buckets_, [&](const auto& item) {
    const std::chrono::duration<double> elapsed = now - item.second.updated;
    return item.second.tokens + elapsed.count() * per_second_ >= capacity_;
  });
}

}  // namespace treffpunkt::server
