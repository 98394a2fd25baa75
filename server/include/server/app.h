#pragma once
/// The whole application as one plain function of a request: the route tables of the feeds, the
/// member pages, login, /manage, /admin and the JSON API (server/src/*/..._routes.cpp) behind one
/// router. The socket side (http_server.h) calls `handle` for each request and `record` once it
/// was answered; the CLI builds one app per `serve`.

#include <calendar/clock.h>
#include <server/address_range.h>
#include <server/http.h>
#include <storage/store.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace treffpunkt::server {

struct services;
class router;

/// How often RSVPs may be written (a token bucket each: so many at once, refilled over a
/// minute), one allowance for the JSON API and the pages together. Zero turns a limit off.
struct api_limits {
  int rsvps_per_person_per_minute = 30;
  /// Higher than per person: many members may share one address (a venue, a university).
  int rsvps_per_address_per_minute = 300;
};

/// Login by emailed link, and the sender of every mail.
struct login_options {
  /// From and envelope sender of every mail ("treffpunkt@example.org").
  std::string mail_from = "treffpunkt@localhost.invalid";
  /// How long an emailed link is valid (single use in any case).
  std::chrono::seconds link_ttl{std::chrono::minutes(15)};
  /// How long a session cookie is valid.
  std::chrono::seconds session_ttl{std::chrono::days(30)};
  /// Login emails per hour, per recipient address and per client IP (0 turns one off).
  int emails_per_address_per_hour = 5;
  int emails_per_ip_per_hour = 20;
  /// Called after a mail was queued in the outbox (wakes the dispatcher). May be empty.
  std::function<void()> mail_queued;
};

struct app_options {
  /// The public URL without a trailing slash, as configured (--base-url); empty if not.
  std::string base_url;
  /// Used for links when `base_url` is empty and no trusted proxy says otherwise.
  std::string default_base_url = "http://127.0.0.1:8080";
  /// Honour X-Forwarded-Proto/Host for links (only when `base_url` is empty). The client
  /// address from X-Forwarded-For is the socket side's business (server_options).
  bool trust_proxy = false;
  bool access_log = true;  ///< one line per request on stderr
  api_limits limits;
  login_options login;
  /// Client addresses that may read /metrics (--metrics-from); others get 403.
  address_ranges metrics_from = address_ranges::loopback();
  /// The time every request is answered at (TREFFPUNKT_NOW sets it for tests).
  calendar::clock clock;
  /// How often the feed fetches counted in memory are written to the store (a thread of the
  /// app's, not started for a read-only store); zero: only by finish().
  std::chrono::milliseconds fetch_counts_every{std::chrono::seconds(15)};
  /// Count the RSVP and login-mail limits in the store (store::take_allowance), where every
  /// instance on its database counts into the same buckets (serve on PostgreSQL); else in this
  /// process's memory, which is cheaper and right for the one instance of a SQLite folder.
  bool limits_in_store = false;
};

class app {
 public:
  app(storage::store& store, app_options options);
  ~app();
  app(const app&) = delete;
  app& operator=(const app&) = delete;

  /// Answers one request; never throws (anything escaping a route is a logged 500, its path
  /// redacted as in the access log). Every answer carries the security headers.
  http_response handle(const http_request& request);

  /// Whether answering `request` may write to the store (and so wait for an fsync): every
  /// method but GET, HEAD and OPTIONS. Such requests are answered off the io threads
  /// (run_http_server's `may_block`).
  static bool may_write(const http_request& request);

  /// handle(request) if it can be answered without going to the database (a cached feed, a
  /// 304, a cached page, with what it needs of the store in memory: storage::
  /// memory_only_scope), none otherwise, and always none for a request that may write. Never
  /// throws. On PostgreSQL, where every query is a round trip, the server offers each request
  /// here on its io thread first (run_http_server's `first_try`), and sends what this does
  /// not answer to the blocking pool. What a request changes in memory before it needs the
  /// database is done twice then; for reads that is only a CSRF token drawn again.
  std::optional<http_response> answer_from_memory(const http_request& request);

  /// After a request was answered: one access-log line (logfmt, without the query string and
  /// secrets in the path) and the metrics, labelled with the answer's route pattern.
  /// Thread-safe.
  void record(const http_request& request, const http_response& answer, std::size_t bytes,
              std::chrono::microseconds took);

  /// Ends the app's background work and writes what it holds (the feed fetch counts): called
  /// once no request is answered any more (a clean stop). The destructor does it too.
  void finish();

 private:
  std::unique_ptr<services> services_;
  std::unique_ptr<router> router_;
};

/// X-Content-Type-Options and Referrer-Policy on every answer; on HTML pages also a
/// Content-Security-Policy without 'unsafe-inline' and frame-ancestors 'none'.
void add_security_headers(http_response& response);

}  // namespace treffpunkt::server
