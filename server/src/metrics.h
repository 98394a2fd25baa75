#pragma once
/// Counters for /metrics (Prometheus text format 0.0.4): requests by route pattern and status,
/// a latency histogram, feed fetches by calendar app. Lock-free on the hot path: three relaxed
/// atomic increments per request (and one or two per feed fetch).

#include <calendar/client.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace treffpunkt::server {

/// Counts of the render cache, read from the site(s) when /metrics is asked for.
struct cache_counts {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;  ///< renders
  std::uint64_t stale = 0;   ///< feeds served as last rendered while the store failed
};

class metrics {
 public:
  /// `patterns`: the route patterns of the app's tables (router::patterns()), which label the
  /// requests they answered; a request of no route is counted as {other}, one that could not
  /// be read (400, 408, 413, 431 from the socket side) as {unread}.
  explicit metrics(const std::vector<std::string_view>& patterns);
  ~metrics();
  metrics(const metrics&) = delete;
  metrics& operator=(const metrics&) = delete;

  /// Counts one answered request: `route` is http_response::route (-1: none); `method` "-"
  /// means it could not even be read.
  void record(std::string_view method, int route, unsigned status, std::chrono::microseconds took);

  /// Counts one feed fetch answered 200 or 304 (`not_modified`), by the family of its app.
  void record_feed_fetch(calendar::client_family family, bool not_modified);

  /// The exposition text, with the cache counts and the outbox's depth (messages queued or
  /// being sent) passed in.
  /// `commits`, `writes` and `syncs`: the store's write transactions, the writes they held
  /// and the fsyncs that made them durable (storage::store::durability()).
  std::string render(const cache_counts& cache, std::int64_t outbox_depth = 0,
                     std::uint64_t commits = 0, std::uint64_t writes = 0,
                     std::uint64_t syncs = 0) const;

 private:
  static constexpr unsigned min_status = 100;
  static constexpr unsigned status_count = 500;  // 100..599
  struct route_counts {
    std::array<std::atomic<std::uint64_t>, status_count> by_status{};
  };
  static constexpr std::array<double, 14> bucket_bounds = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

  /// The routes' labels, then {other} and {unread}; their counts in the same order.
  std::vector<std::string> labels_;
  std::vector<route_counts> counts_;  ///< never resized: atomics do not move
  std::array<std::atomic<std::uint64_t>, bucket_bounds.size() + 1> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_us_{0};
  /// By calendar::client_families' order.
  std::array<std::atomic<std::uint64_t>, calendar::client_families.size()> feed_fetches_{};
  std::array<std::atomic<std::uint64_t>, calendar::client_families.size()> feed_not_modified_{};
};

}  // namespace treffpunkt::server
