#pragma once
/// Login by emailed one-time link (DESIGN.md "Bad input, faults, people"; docs/api.md "Login"):
/// the pages GET/POST /login, GET /login/{token}, GET/POST /logout and the API routes
/// POST /api/v1/login and POST /api/v1/logout. Forms carry a CSRF token (double-submit: a
/// `csrf` cookie and a hidden field, compared in constant time).

#include <calendar/time.h>
#include <server/http.h>
#include <storage/store.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace treffpunkt::server {

class rate_limiter;

struct login_options {
  /// From and envelope sender of the login mail ("treffpunkt@example.org").
  std::string mail_from = "treffpunkt@localhost.invalid";
  /// How long an emailed link is valid (single use in any case).
  std::chrono::seconds link_ttl{std::chrono::minutes(15)};
  /// How long a session cookie is valid.
  std::chrono::seconds session_ttl{std::chrono::days(30)};
  /// Login emails per hour, per recipient address and per client IP (0 turns one off).
  int emails_per_address_per_hour = 5;
  int emails_per_ip_per_hour = 20;
  /// Called after a login mail was queued in the outbox (wakes the dispatcher). May be empty.
  std::function<void()> mail_queued;
};

class login_routes {
 public:
  login_routes(storage::store& store, login_options options);
  ~login_routes();
  login_routes(const login_routes&) = delete;
  login_routes& operator=(const login_routes&) = delete;

  /// Whether `path` (without query) is one of the routes above.
  static bool owns(std::string_view path);

  /// Answers a request for a path that owns() accepts. `base_url` (no trailing slash) makes
  /// the link in the mail and decides whether cookies get `Secure` (https).
  http_response handle(const http_request& request, std::string_view path,
                       calendar::utc_seconds now, std::string_view base_url);

 private:
  /// unavailable: the database refused the write (disk full, read-only); nothing was sent.
  enum class outcome { queued, invalid, limited, unavailable };
  struct requested {
    outcome result = outcome::queued;
    std::chrono::seconds retry_after{0};
  };
  /// The shared part of both login forms: checks, limits, person, token, mail, outbox.
  /// `next`: a checked path of this site the emailed link leads back to, or empty.
  requested request_link(std::string_view email, const http_request& request,
                         calendar::utc_seconds now, std::string_view base_url,
                         std::string_view next);
  http_response api_login(const http_request& request, calendar::utc_seconds now,
                          std::string_view base_url);
  http_response api_logout(const http_request& request, calendar::utc_seconds now,
                           std::string_view base_url);
  http_response form_login(const http_request& request, calendar::utc_seconds now,
                           std::string_view base_url);
  http_response form_logout(const http_request& request, calendar::utc_seconds now,
                            std::string_view base_url);
  http_response redeem(const http_request& request, std::string_view token,
                       calendar::utc_seconds now, std::string_view base_url);
  /// Revokes the session of the request's cookie (that session only); false without one.
  bool end_session(const http_request& request, calendar::utc_seconds now);

  storage::store& store_;
  login_options options_;
  std::unique_ptr<rate_limiter> by_address_;
  std::unique_ptr<rate_limiter> by_ip_;
};

/// For the JSON API: a write (not GET/HEAD) authenticated by the session cookie only (no
/// Authorization header) must be `Content-Type: application/json`, which a cross-site form
/// cannot send and a cross-site script cannot send without a CORS preflight that treffpunkt
/// never grants. Returns the 403 answer for a write that breaks the rule.
std::optional<http_response> refuse_cross_site_write(const http_request& request);

/// Compares two secrets in time that depends only on their lengths.
bool same_secret(std::string_view a, std::string_view b);

}  // namespace treffpunkt::server
