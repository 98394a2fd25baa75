#pragma once
/// The whole application as one plain function of a request: feeds (site), pages (page_routes),
/// personal feeds (/feeds/{secret}.ics), the JSON API (api), login and logout (login_routes),
/// /metrics. The socket side (http_server.h) calls `handle` for each request and `record` once it
/// was answered.

#include <calendar/clock.h>
#include <server/address_range.h>
#include <server/api.h>
#include <server/http.h>
#include <server/login.h>
#include <server/site.h>
#include <storage/store.h>

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace treffpunkt::server {

class metrics;
class page_routes;
class personal_feeds;
class rate_limiter;

struct app_options {
  /// The public URL without a trailing slash, as configured (--base-url); empty if not.
  std::string base_url;
  /// Used for links when `base_url` is empty and no trusted proxy says otherwise.
  std::string default_base_url = "http://127.0.0.1:8080";
  /// Honour X-Forwarded-Proto/Host for links (only when `base_url` is empty). The client
  /// address from X-Forwarded-For is the socket side's business (server_options).
  bool trust_proxy = false;
  bool access_log = true;  ///< one line per request on stderr
  /// RSVP rate limits (--rsvp-limit-per-person/-address; 0 turns one off), one allowance for
  /// the JSON API and the pages together.
  api_limits limits;
  /// Login by emailed link: sender, link lifetime, limits, and how to wake the dispatcher.
  login_options login;
  /// Client addresses that may read /metrics (--metrics-from); others get 403.
  address_ranges metrics_from = address_ranges::loopback();
  /// The time every request is answered at (TREFFPUNKT_NOW sets it for tests).
  calendar::clock clock;
};

class app {
 public:
  app(storage::store& store, app_options options);
  ~app();
  app(const app&) = delete;
  app& operator=(const app&) = delete;

  /// Answers one request; never throws (anything escaping a route is a logged 500). Every
  /// answer carries the security headers (add_security_headers).
  http_response handle(const http_request& request);

  /// Whether answering `request` may write to the store (and so wait for an fsync): every
  /// method but GET, HEAD and OPTIONS, and GET of an emailed login link (it is used up). Such
  /// requests are answered off the io threads (run_http_server's `may_block`).
  static bool may_write(const http_request& request);

  /// After a request was answered: one access-log line (logfmt, without the query string and
  /// secrets in the path) and the metrics. Thread-safe.
  void record(const http_request& request, unsigned status, std::size_t bytes,
              std::chrono::microseconds took);

  /// The site with the configured (or default) base URL.
  site& pages() { return *site_; }

 private:
  /// The site whose links use the base URL this request should see (trusted proxy headers).
  site& site_for(const http_request& request);
  http_response metrics_page() const;
  http_response dispatch(const http_request& request);

  storage::store& store_;
  app_options options_;
  std::unique_ptr<site> site_;
  /// The RSVP limiters api_ and pages_ share (declared before them: they hold references).
  std::unique_ptr<rate_limiter> rsvps_by_person_;
  std::unique_ptr<rate_limiter> rsvps_by_address_;
  api api_;
  login_routes login_;
  std::unique_ptr<personal_feeds> personal_feeds_;
  std::unique_ptr<page_routes> pages_;
  std::unique_ptr<metrics> metrics_;
  /// Sites for other public URLs announced by a trusted proxy; a handful at most.
  mutable std::mutex proxied_mutex_;
  std::map<std::string, std::unique_ptr<site>, std::less<>> proxied_;
};

/// X-Content-Type-Options and Referrer-Policy on every answer; on HTML pages also a
/// Content-Security-Policy without 'unsafe-inline' and frame-ancestors 'none'.
void add_security_headers(http_response& response);

/// The path of `target` as it may be logged: no query string, no feed secret or other long
/// token (replaced by "…").
std::string loggable_path(std::string_view target);

}  // namespace treffpunkt::server
