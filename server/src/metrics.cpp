#include "metrics.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace treffpunkt::server {
namespace {

/// The patterns counted in `fixed_`, in its order.
constexpr std::array<std::string_view, 9> fixed_patterns = {"/",
                                                            "/healthz",
                                                            "/metrics",
                                                            "/calendar.ics",
                                                            "/units/{slug}.ics",
                                                            "/events/{id}.ics",
                                                            "/feeds/{secret}.ics",
                                                            "{other}",
                                                            "{unread}"};
constexpr std::size_t other_route = 7;
constexpr std::size_t unread_route = 8;
constexpr std::size_t max_api_patterns = 64;

bool is_collection_name(std::string_view segment) {
  return !segment.empty() && segment.size() <= 24 &&
         std::all_of(segment.begin(), segment.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || c == '_' || c == '-'; });
}

std::string api_pattern(std::string_view rest) {
  std::string pattern = "/api/v1";
  bool name = true;
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    const auto segment = rest.substr(0, slash);
    if (name && !is_collection_name(segment)) return "/api/v1/{other}";
    pattern += name ? "/" + std::string(segment) : "/{}";
    name = !name;
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return pattern;
}

constexpr std::size_t api_route = fixed_patterns.size();

std::string_view without_query(std::string_view path) { return path.substr(0, path.find('?')); }

/// The index in `fixed_patterns` of the path's route, or `api_route`: found without building
/// the pattern string, as this runs once per request.
std::size_t fixed_route(std::string_view path) {
  path = without_query(path);
  if (path == "/") return 0;
  if (path == "/healthz") return 1;
  if (path == "/metrics") return 2;
  if (path == "/calendar.ics") return 3;
  if (path.ends_with(".ics")) {
    const auto inner = path.substr(0, path.size() - 4);
    const auto slash = inner.rfind('/');
    if (slash != 0 && slash != std::string_view::npos) {
      const auto prefix = inner.substr(0, slash);
      if (prefix == "/units") return 4;
      if (prefix == "/events") return 5;
      if (prefix == "/feeds") return 6;
    }
  }
  if (path == "/api/v1" || path.starts_with("/api/v1/")) return api_route;
  return other_route;
}

}  // namespace

std::string route_pattern(std::string_view path) {
  if (const auto i = fixed_route(path); i != api_route) return std::string(fixed_patterns[i]);
  path = without_query(path);
  if (path == "/api/v1") return "/api/v1";
  return api_pattern(path.substr(8));
}

metrics::metrics() = default;
metrics::~metrics() = default;

metrics::route_counts& metrics::counts_for(std::string_view method, std::string_view path) {
  if (method == "-") return fixed_[unread_route];
  if (const auto i = fixed_route(path); i != api_route) return fixed_[i];
  const std::string pattern = route_pattern(path);
  const std::lock_guard lock(mutex_);
  if (const auto found = api_.find(pattern); found != api_.end()) return *found->second;
  if (api_.size() >= max_api_patterns) return fixed_[other_route];
  return *api_.emplace(pattern, std::make_unique<route_counts>()).first->second;
}

void metrics::record(std::string_view method, std::string_view path, unsigned status,
                     std::chrono::microseconds took) {
  if (status >= min_status && status < min_status + status_count) {
    counts_for(method, path).by_status[status - min_status].fetch_add(1, std::memory_order_relaxed);
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

std::string metrics::render(const cache_counts& cache, std::int64_t outbox_depth) const {
  std::string out;
  char line[256];
  const auto add_route = [&](std::string_view pattern, const route_counts& counts) {
    for (unsigned i = 0; i < status_count; ++i) {
      const auto n = counts.by_status[i].load(std::memory_order_relaxed);
      if (n == 0) continue;
      std::snprintf(line, sizeof line,
                    "treffpunkt_http_requests_total{route=\"%.*s\",status=\"%u\"} %llu\n",
                    static_cast<int>(pattern.size()), pattern.data(), i + min_status,
                    static_cast<unsigned long long>(n));
      out += line;
    }
  };
  out +=
      "# HELP treffpunkt_http_requests_total Requests answered, by route pattern and status "
      "({other}: no route; {unread}: answered before it could be read, e.g. 400, 408, 431).\n"
      "# TYPE treffpunkt_http_requests_total counter\n";
  for (std::size_t i = 0; i < fixed_.size(); ++i) add_route(fixed_patterns[i], fixed_[i]);
  {
    const std::lock_guard lock(mutex_);
    for (const auto& [pattern, counts] : api_) add_route(pattern, *counts);
  }

  out +=
      "# HELP treffpunkt_http_request_duration_seconds Time from a request read to its answer "
      "written.\n"
      "# TYPE treffpunkt_http_request_duration_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    if (i < bucket_bounds.size()) {
      std::snprintf(line, sizeof line,
                    "treffpunkt_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                    bucket_bounds[i], static_cast<unsigned long long>(cumulative));
    } else {
      std::snprintf(line, sizeof line,
                    "treffpunkt_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                    static_cast<unsigned long long>(cumulative));
    }
    out += line;
  }
  std::snprintf(line, sizeof line,
                "treffpunkt_http_request_duration_seconds_sum %.6f\n"
                "treffpunkt_http_request_duration_seconds_count %llu\n",
                static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1e6,
                static_cast<unsigned long long>(count_.load(std::memory_order_relaxed)));
  out += line;

  out +=
      "# HELP treffpunkt_feed_cache_hits_total Feeds and pages served from the render cache.\n"
      "# TYPE treffpunkt_feed_cache_hits_total counter\n"
      "treffpunkt_feed_cache_hits_total " +
      std::to_string(cache.hits) +
      "\n# HELP treffpunkt_feed_cache_misses_total Feeds and pages rendered (not cached for "
      "the current data version).\n"
      "# TYPE treffpunkt_feed_cache_misses_total counter\n"
      "treffpunkt_feed_cache_misses_total " +
      std::to_string(cache.misses) + "\n";
  out +=
      "# HELP treffpunkt_outbox_depth Emails waiting to be sent (queued or being sent).\n"
      "# TYPE treffpunkt_outbox_depth gauge\n"
      "treffpunkt_outbox_depth " +
      std::to_string(outbox_depth) + "\n";
  return out;
}

}  // namespace treffpunkt::server
