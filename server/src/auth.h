#pragma once
/// Who sends a request: an API token (`Authorization: Bearer`), a session cookie, or nobody.

#include <calendar/time.h>
#include <server/http.h>
#include <storage/store.h>

#include <optional>
#include <string_view>

namespace treffpunkt::server {

/// The outcome of reading a request's credentials.
struct caller {
  /// False when credentials were sent but are unknown, expired or malformed (401): such a
  /// request is refused even where anonymous access is allowed, so that a client notices.
  bool valid = true;
  std::optional<storage::person> who;  ///< none: anonymous

  storage::actor actor() const {
    return who ? storage::actor::of(who->id) : storage::actor::system();
  }
};

/// The value of cookie `name` in a Cookie header (RFC 6265 §4.2.1), if present.
std::optional<std::string_view> cookie_value(std::string_view header, std::string_view name);

/// Reads the Authorization header (an api token) or else the `session` cookie (a session
/// token) and redeems it with the store.
caller authenticate(storage::store& store, const http_request& request, calendar::utc_seconds now);

}  // namespace treffpunkt::server
