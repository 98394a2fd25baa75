#include "services.h"

#include <algorithm>
#include <cstdio>

namespace treffpunkt::server {
namespace {

constexpr std::size_t max_proxied_sites = 16;

/// The first entry of a comma-separated forwarded header, trimmed.
std::string_view first_entry(std::string_view value) {
  value = value.substr(0, value.find(','));
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  return value;
}

bool is_host(std::string_view host) {
  return !host.empty() && host.size() <= 255 && std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == ':' || c == '[' || c == ']';
  });
}

/// The buckets of the limiter `name` in the store when the instances share them
/// (app_options::limits_in_store), else none (this process's memory).
rate_limiter::shared_buckets shared_limits(storage::store& s, const app_options& o,
                                           std::string name) {
  if (!o.limits_in_store) return {};
  return {&s, std::move(name), o.clock};
}

}  // namespace

services::services(storage::store& s, app_options o)
    : store(s),
      options(std::move(o)),
      mail{options.login.mail_from, options.login.mail_queued},
      rsvps_by_person(options.limits.rsvps_per_person_per_minute, std::chrono::minutes(1),
                      shared_limits(s, options, "rsvp-person")),
      rsvps_by_address(options.limits.rsvps_per_address_per_minute, std::chrono::minutes(1),
                       shared_limits(s, options, "rsvp-address")),
      logins_by_address(options.login.emails_per_address_per_hour, std::chrono::hours(1),
                        shared_limits(s, options, "login-address")),
      logins_by_ip(options.login.emails_per_ip_per_hour, std::chrono::hours(1),
                   shared_limits(s, options, "login-ip")),
      main_site(s, options.base_url.empty() ? options.default_base_url : options.base_url),
      personal(s),
      pages(s),
      members(s),
      fetches(s, [](std::string_view what) {
        std::fprintf(stderr, "feeds: %.*s\n", static_cast<int>(what.size()), what.data());
      }) {}

feed_cache& services::site_for(const http_request& request) {
  if (!options.trust_proxy || !options.base_url.empty()) return main_site;
  const auto proto = first_entry(request.forwarded_proto);
  const auto forwarded_host = first_entry(request.forwarded_host);
  if (proto.empty() && forwarded_host.empty()) return main_site;
  const auto& fallback = options.default_base_url;
  const auto scheme_end = fallback.find("://");
  std::string_view scheme =
      scheme_end == std::string::npos ? "http" : std::string_view(fallback).substr(0, scheme_end);
  if (proto == "http" || proto == "https") scheme = proto;
  std::string_view host =
      scheme_end == std::string::npos ? "" : std::string_view(fallback).substr(scheme_end + 3);
  if (is_host(forwarded_host)) {
    host = forwarded_host;
  } else if (is_host(request.host)) {
    host = request.host;
  }
  std::string base = std::string(scheme) + "://" + std::string(host);
  if (base == main_site.base_url()) return main_site;
  const std::lock_guard lock(proxied_mutex_);
  if (const auto found = proxied_.find(base); found != proxied_.end()) return *found->second;
  if (proxied_.size() >= max_proxied_sites) return main_site;
  auto made = std::make_unique<feed_cache>(store, base);
  return *proxied_.emplace(std::move(base), std::move(made)).first->second;
}

cache_counts services::cache() const {
  cache_counts c{main_site.cache_hits() + personal.cache_hits() + pages.cache_hits(),
                 main_site.renders() + personal.renders() + pages.renders(),
                 main_site.stale_served() + personal.stale_served()};
  const std::lock_guard lock(proxied_mutex_);
  for (const auto& [base, s] : proxied_) {
    c.hits += s->cache_hits();
    c.misses += s->renders();
    c.stale += s->stale_served();
  }
  return c;
}

}  // namespace treffpunkt::server
