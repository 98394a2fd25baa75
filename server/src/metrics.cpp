#include "metrics.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace treffpunkt::server {
namespace {

/// A pattern as its label: the API's names read "{}" ("/api/v1/units/{}/occurrences"), as
/// they always did in treffpunkt's metrics; other patterns keep theirs ("/units/{slug}.ics").
std::string label_of(std::string_view pattern) {
  if (!pattern.starts_with("/api/v1")) return std::string(pattern);
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    out += pattern[i];
    if (pattern[i] == '{') {
      i = pattern.find('}', i) - 1;
    }
  }
  return out;
}

}  // namespace

metrics::metrics(const std::vector<std::string_view>& patterns) {
  for (const auto p : patterns) labels_.push_back(label_of(p));
  labels_.emplace_back("{other}");
  labels_.emplace_back("{unread}");
  counts_ = std::vector<route_counts>(labels_.size());
}

metrics::~metrics() = default;

void metrics::record(std::string_view method, int route, unsigned status,
                     std::chrono::microseconds took) {
  const std::size_t routes = labels_.size() - 2;
  std::size_t i = routes;  // {other}
  if (method == "-") {
    i = routes + 1;
  } else if (route >= 0 && static_cast<std::size_t>(route) < routes) {
    i = static_cast<std::size_t>(route);
  }
  if (status >= min_status && status < min_status + status_count) {
    counts_[i].by_status[status - min_status].fetch_add(1, std::memory_order_relaxed);
  }
  const double seconds = static_cast<double>(took.count()) / 1e6;
  const auto bucket = static_cast<std::size_t>(
      std::lower_bound(bucket_bounds.begin(), bucket_bounds.end(), seconds) -
      bucket_bounds.begin());
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_us_.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(0, took.count())),
                    std::memory_order_relaxed);
}

void metrics::record_feed_fetch(calendar::client_family family, bool not_modified) {
  const auto i = static_cast<std::size_t>(family);
  if (i >= feed_fetches_.size()) return;
  feed_fetches_[i].fetch_add(1, std::memory_order_relaxed);
  if (not_modified) feed_not_modified_[i].fetch_add(1, std::memory_order_relaxed);
}

std::string metrics::render(const cache_counts& cache, std::int64_t outbox_depth,
                            std::uint64_t commits, std::uint64_t writes,
                            std::uint64_t syncs) const {
  std::string out;
  std::array<char, 256> line{};
  const auto add_route = [&](std::string_view pattern, const route_counts& counts) {
    for (unsigned i = 0; i < status_count; ++i) {
      const auto n = counts.by_status[i].load(std::memory_order_relaxed);
      if (n == 0) continue;
      std::snprintf(line.data(), line.size(),
                    "treffpunkt_http_requests_total{route=\"%.*s\",status=\"%u\"} %llu\n",
                    static_cast<int>(pattern.size()), pattern.data(), i + min_status,
                    static_cast<unsigned long long>(n));
      out += line.data();
    }
  };
  out +=
      "# HELP treffpunkt_http_requests_total Requests answered, by route pattern and status "
      "({other}: no route; {unread}: answered before it could be read, e.g. 400, 408, 431).\n"
      "# TYPE treffpunkt_http_requests_total counter\n";
  for (std::size_t i = 0; i < labels_.size(); ++i) add_route(labels_[i], counts_[i]);

  out +=
      "# HELP treffpunkt_http_request_duration_seconds Time from a request read to its answer "
      "written.\n"
      "# TYPE treffpunkt_http_request_duration_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    if (i < bucket_bounds.size()) {
      std::snprintf(line.data(), line.size(),
                    "treffpunkt_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                    bucket_bounds[i], static_cast<unsigned long long>(cumulative));
    } else {
      std::snprintf(line.data(), line.size(),
                    "treffpunkt_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                    static_cast<unsigned long long>(cumulative));
    }
    out += line.data();
  }
  std::snprintf(line.data(), line.size(),
                "treffpunkt_http_request_duration_seconds_sum %.6f\n"
                "treffpunkt_http_request_duration_seconds_count %llu\n",
                static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1e6,
                static_cast<unsigned long long>(count_.load(std::memory_order_relaxed)));
  out += line.data();

  out +=
      "# HELP treffpunkt_feed_cache_hits_total Feeds and pages served from the render cache.\n"
      "# TYPE treffpunkt_feed_cache_hits_total counter\n"
      "treffpunkt_feed_cache_hits_total " +
      std::to_string(cache.hits) +
      "\n# HELP treffpunkt_feed_cache_misses_total Feeds and pages rendered (not cached for "
      "the current data version).\n"
      "# TYPE treffpunkt_feed_cache_misses_total counter\n"
      "treffpunkt_feed_cache_misses_total " +
      std::to_string(cache.misses) +
      "\n# HELP treffpunkt_feed_stale_total Feeds served as last rendered because the store "
      "failed while checking them (instead of an error).\n"
      "# TYPE treffpunkt_feed_stale_total counter\n"
      "treffpunkt_feed_stale_total " +
      std::to_string(cache.stale) + "\n";
  const auto add_families = [&](std::string_view name, std::string_view help, const auto& counts) {
    out += "# HELP " + std::string(name) + " " + std::string(help) + "\n# TYPE " +
           std::string(name) + " counter\n";
    for (const auto f : calendar::client_families) {
      out += std::string(name) + "{family=\"" + std::string(calendar::name(f)) + "\"} " +
             std::to_string(counts[static_cast<std::size_t>(f)].load(std::memory_order_relaxed)) +
             "\n";
    }
  };
  add_families("treffpunkt_feed_fetches_total",
               "Feed fetches answered 200 or 304 since the start, by the family of calendar app "
               "(read from the User-Agent, which is not kept).",
               feed_fetches_);
  add_families("treffpunkt_feed_not_modified_total", "Of those, answered 304 Not Modified.",
               feed_not_modified_);
  out +=
      "# HELP treffpunkt_outbox_depth Emails waiting to be sent (queued or being sent).\n"
      "# TYPE treffpunkt_outbox_depth gauge\n"
      "treffpunkt_outbox_depth " +
      std::to_string(outbox_depth) + "\n";
  out +=
      "# HELP treffpunkt_store_commits_total Write transactions committed.\n"
      "# TYPE treffpunkt_store_commits_total counter\n"
      "treffpunkt_store_commits_total " +
      std::to_string(commits) +
      "\n# HELP treffpunkt_store_writes_total Writes those transactions held (writes that "
      "queue together share one transaction).\n"
      "# TYPE treffpunkt_store_writes_total counter\n"
      "treffpunkt_store_writes_total " +
      std::to_string(writes) +
      "\n# HELP treffpunkt_store_syncs_total fsyncs of the database's WAL that made commits "
      "durable (group commit: writes that arrive together share one).\n"
      "# TYPE treffpunkt_store_syncs_total counter\n"
      "treffpunkt_store_syncs_total " +
      std::to_string(syncs) + "\n";
  return out;
}

}  // namespace treffpunkt::server
