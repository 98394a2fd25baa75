#pragma once
/// Counters for /metrics (Prometheus text format 0.0.4): requests by route pattern and status,
/// a latency histogram. Lock-free on the hot path: a route lookup and three relaxed atomic
/// increments per request.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace treffpunkt::server {

/// The route pattern a request path belongs to ("/units/{slug}.ics"), so that metrics have a
/// bounded set of labels whatever paths clients send. Paths under /api/v1 keep their
/// collection names and replace the identifiers between them ("/api/v1/units/{}/occurrences").
std::string route_pattern(std::string_view path);

/// Counts of the render cache, read from the site(s) when /metrics is asked for.
struct cache_counts {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;  ///< renders
};

class metrics {
 public:
  metrics();
  ~metrics();
  metrics(const metrics&) = delete;
  metrics& operator=(const metrics&) = delete;

  /// Counts one answered request. `method` "-" means it could not even be read.
  void record(std::string_view method, std::string_view path, unsigned status,
              std::chrono::microseconds took);

  /// The exposition text, with the cache counts and the outbox's depth (messages queued or
  /// being sent) passed in.
  std::string render(const cache_counts& cache, std::int64_t outbox_depth = 0) const;

 private:
  static constexpr unsigned min_status = 100;
  static constexpr unsigned status_count = 500;  // 100..599
  struct route_counts {
    std::array<std::atomic<std::uint64_t>, status_count> by_status{};
  };
  static constexpr std::array<double, 14> bucket_bounds = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

  route_counts& counts_for(std::string_view method, std::string_view path);

  /// Patterns known in advance are counted without a lock; others (the API) go into a map
  /// that is locked only to find or add the pattern, and is capped.
  std::array<route_counts, 9> fixed_;
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<route_counts>, std::less<>> api_;
  std::array<std::atomic<std::uint64_t>, bucket_bounds.size() + 1> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_us_{0};
};

}  // namespace treffpunkt::server
