#include <server/app.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>

#include "manage_pages.h"
#include "metrics.h"
#include "pages.h"
#include "personal_feed.h"
#include "rate_limit.h"

namespace treffpunkt::server {
namespace {

constexpr std::size_t max_proxied_sites = 16;

/// Looks like a random token (feed secret, login link): long, and only base64url/hex letters.
bool is_token(std::string_view segment) {
  return segment.size() >= 24 && std::all_of(segment.begin(), segment.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
         });
}

/// A logfmt value: bare if it can be, else quoted with \" \\ and \xNN escapes.
void append_logfmt(std::string& out, std::string_view value) {
  const bool bare = !value.empty() && std::none_of(value.begin(), value.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f || c == '"' || c == '=' || c == '\\';
  });
  if (bare) {
    out += value;
    return;
  }
  out += '"';
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", u);
      out += hex;
    } else {
      out += c;
    }
  }
  out += '"';
}

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

}  // namespace

void add_security_headers(http_response& response) {
  if (response.prebuilt_head) return;  // feeds: build_heads writes nosniff into the head
  auto& h = response.headers;
  h.emplace_back("X-Content-Type-Options", "nosniff");
  // Links can carry secrets (login, RSVP confirmation, unsubscribe): never pass the page's
  // address on to the sites it links to (Google, Outlook, online meeting links).
  h.emplace_back("Referrer-Policy", "no-referrer");
  if (response.content_type.starts_with("text/html")) {
    // Styles and scripts only from /static: no inline code, so an injected <script> cannot run.
    // QR codes are inline SVG elements, which need no img-src.
    h.emplace_back("Content-Security-Policy",
                   "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                   "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
                   "base-uri 'none'");
    h.emplace_back("X-Frame-Options", "DENY");  // frame-ancestors for older browsers
  }
}

std::string loggable_path(std::string_view target) {
  target = target.substr(0, target.find('?'));
  if (target.size() > 300) target = target.substr(0, 300);
  if (target.starts_with("/feeds/")) return "/feeds/…";  // the path is the secret
  std::string out;
  out.reserve(target.size());
  while (!target.empty()) {
    const auto slash = target.find('/', 1);
    const auto segment = target.substr(0, slash);
    const auto name = segment.substr(segment.starts_with('/') ? 1 : 0);
    auto bare = name.substr(0, name.find('.'));
    if (is_token(bare)) {
      out += segment.starts_with('/') ? "/…" : "…";
    } else {
      out += segment;
    }
    if (slash == std::string_view::npos) break;
    target.remove_prefix(slash);
  }
  return out;
}

app::app(storage::store& store, app_options options)
    : store_(store),
      options_(std::move(options)),
      site_(std::make_unique<site>(
          store, options_.base_url.empty() ? options_.default_base_url : options_.base_url)),
      rsvps_by_person_(std::make_unique<rate_limiter>(options_.limits.rsvps_per_person_per_minute)),
      rsvps_by_address_(
          std::make_unique<rate_limiter>(options_.limits.rsvps_per_address_per_minute)),
      api_(store, rsvp_limiters{*rsvps_by_person_, *rsvps_by_address_},
           rsvp_mail_options{options_.login.mail_from, options_.login.mail_queued}),
      login_(store, options_.login),
      personal_feeds_(std::make_unique<personal_feeds>(store)),
      pages_(std::make_unique<page_routes>(
          store, rsvp_limiters{*rsvps_by_person_, *rsvps_by_address_},
          rsvp_mail_options{options_.login.mail_from, options_.login.mail_queued})),
      metrics_(std::make_unique<metrics>()) {}

app::~app() = default;

site& app::site_for(const http_request& request) {
  if (!options_.trust_proxy || !options_.base_url.empty()) return *site_;
  const auto proto = first_entry(request.forwarded_proto);
  const auto forwarded_host = first_entry(request.forwarded_host);
  if (proto.empty() && forwarded_host.empty()) return *site_;
  const auto& fallback = options_.default_base_url;
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
  if (base == site_->base_url()) return *site_;
  const std::lock_guard lock(proxied_mutex_);
  if (const auto found = proxied_.find(base); found != proxied_.end()) return *found->second;
  if (proxied_.size() >= max_proxied_sites) return *site_;
  auto made = std::make_unique<site>(store_, base);
  return *proxied_.emplace(std::move(base), std::move(made)).first->second;
}

http_response app::metrics_page() const {
  cache_counts cache{site_->cache_hits() + personal_feeds_->cache_hits() + pages_->cache_hits(),
                     site_->renders() + personal_feeds_->renders() + pages_->renders()};
  {
    const std::lock_guard lock(proxied_mutex_);
    for (const auto& [base, s] : proxied_) {
      cache.hits += s->cache_hits();
      cache.misses += s->renders();
    }
  }
  // One COUNT query per scrape: cheap next to a scrape interval of seconds.
  return http_response::text(200, metrics_->render(cache, store_.outbox_depth()),
                             "text/plain; version=0.0.4");
}

bool app::may_write(const http_request& request) {
  const std::string_view method = request.method;
  if (method == "HEAD" || method == "OPTIONS") return false;
  if (method != "GET") return true;
  return std::string_view(request.target).starts_with("/login/");
}

http_response app::handle(const http_request& request) {
  auto response = dispatch(request);
  add_security_headers(response);
  return response;
}

http_response app::dispatch(const http_request& request) {
  const auto now = options_.clock.now();
  try {
    const std::string_view path =
        std::string_view(request.target).substr(0, request.target.find('?'));
    if (login_routes::owns(path)) {
      if (path.starts_with("/api/")) {
        if (auto refused = refuse_cross_site_write(request)) return *refused;
      }
      return login_.handle(request, path, now, site_for(request).base_url());
    }
    if (request.target.starts_with("/api/v1/") || request.target == "/api/v1") {
      if (auto refused = refuse_cross_site_write(request)) return *refused;
      return api_.handle(request, now, site_for(request).base_url());
    }
    if (path.starts_with("/feeds/")) return personal_feeds_->handle(request, path, now);
    if (path == "/metrics" && (request.method == "GET" || request.method == "HEAD")) {
      // Request counts per route are nobody else's business: this machine (a Prometheus next
      // to it) by default. Behind a trusted proxy the address is the proxy's client's.
      if (!options_.metrics_from.contains(request.remote_address)) {
        return http_response::text(403,
                                   "metrics are not served to this address (see "
                                   "--metrics-from)\n");
      }
      return metrics_page();
    }
    if (page_routes::owns(path)) {
      return pages_->handle(request, path, now, site_for(request).base_url());
    }
    if (manage_routes::owns(path)) {
      const rsvp_mail_options mail{options_.login.mail_from, options_.login.mail_queued};
      return manage_routes(store_, mail).handle(request, path, now, site_for(request).base_url());
    }
    return site_for(request).handle(request, now);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s %s: %s\n", request.method.c_str(),
                 loggable_path(request.target).c_str(), e.what());
    return http_response::text(500, "internal error\n");
  }
}

void app::record(const http_request& request, unsigned status, std::size_t bytes,
                 std::chrono::microseconds took) {
  const std::string_view path =
      std::string_view(request.target).substr(0, request.target.find('?'));
  metrics_->record(request.method, path, status, took);
  if (!options_.access_log) return;
  std::string line = "method=";
  append_logfmt(line, request.method.substr(0, 32));
  line += " path=";
  append_logfmt(line, loggable_path(request.target));
  line += " status=" + std::to_string(status) + " bytes=" + std::to_string(bytes) +
          " us=" + std::to_string(took.count()) + " remote=";
  append_logfmt(line, request.remote_address.empty() ? "-" : request.remote_address);
  line += '\n';
  std::fputs(line.c_str(), stderr);  // one locked write: lines of threads do not interleave
}

}  // namespace treffpunkt::server
