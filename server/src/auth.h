#pragma once
/// Who sends a request: an API token (`Authorization: Bearer`), a session cookie, or nobody.

#include <calendar/time.h>
#include <server/http.h>
#include <storage/store.h>

#include <optional>
#include <string>
#include <string_view>

#include "member_memo.h"

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
/// token) and redeems it with the store, through `memo` (member_memo.h).
caller authenticate(member_memo& memo, const http_request& request, calendar::utc_seconds now);

// ---- CSRF: double submit (a `csrf` cookie and the same value in each form) ----------------
// One cookie for every form of the site (login, logout, the pages, the pages of emailed links):
// a page may set it and another one's form then carries it.

/// A new CSRF token: 32 random bytes, URL-safe base64 without padding (43 characters).
std::string new_csrf_token();

/// The request's `csrf` cookie, if it looks like one of ours (43 base64url characters).
std::optional<std::string> csrf_from_cookie(const http_request& request);

/// The Set-Cookie value for `token`: one day, HttpOnly, SameSite=Strict (a token is never
/// needed on a request from another site), Secure when `base_url` is https.
std::string csrf_set_cookie(std::string_view token, std::string_view base_url);

/// Whether `form_value` (the form's `csrf` field, decoded) equals the request's `csrf` cookie,
/// compared in constant time: a cross-site page can make the browser send the cookie, but
/// cannot read it to put it into the form.
bool csrf_valid(const http_request& request, std::string_view form_value);

}  // namespace treffpunkt::server
