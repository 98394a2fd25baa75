#pragma once
/// One request, read once: its path and query (Boost.URL), who sends it (session cookie or API
/// token), the language of the answer, its CSRF state, the time and the site it is answered
/// for. What costs something (the caller is a store lookup) is worked out on first use and
/// kept for the rest of the request, so that a feed, which needs none of it, pays nothing.
/// Every handler gets one (router.h); it lives on the handling thread's stack.

#include <calendar/time.h>
#include <server/http.h>
#include <storage/store.h>
#include <usecases/context.h>
#include <web/i18n.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth.h"  // caller

namespace treffpunkt::server {

struct services;
class feed_cache;

class request_context {
 public:
  request_context(const http_request& request, services& app, calendar::utc_seconds now);
  request_context(const request_context&) = delete;
  request_context& operator=(const request_context&) = delete;

  const http_request& request() const { return request_; }
  services& app() const { return app_; }
  storage::store& store() const;
  calendar::utc_seconds now() const { return now_; }

  /// As sent: "GET", "HEAD", "POST", ...
  std::string_view method() const { return request_.method; }
  /// Whether the target is a valid origin-form (RFC 9112 §3.2.1); if not, path() is empty and
  /// the app answers 400.
  bool valid_target() const { return valid_target_; }
  /// The target's path, still percent-encoded: "/units/bildung.ics".
  std::string_view path() const { return path_; }
  /// The target's query without '?', still encoded; empty if none.
  std::string_view raw_query() const { return query_; }

  /// The decoded value of the first query parameter `name` ("+" is a space); none when absent
  /// or badly encoded.
  std::optional<std::string> query(std::string_view name) const;
  /// A query value the pages read as a switch or a choice ("en", "2026-12", "saved"): the value
  /// if it is short (at most 16) and plain (letters, digits, '-'), else empty.
  std::string_view plain_query(std::string_view name) const;

  /// The decoded value of the first field `name` of an application/x-www-form-urlencoded body;
  /// none when absent or badly encoded.
  std::optional<std::string> form(std::string_view name) const;
  /// The same, "" for none.
  std::string form_value(std::string_view name) const { return form(name).value_or(""); }
  /// Every value of field `name`, decoded, in order (checkboxes); badly encoded ones are left
  /// out as "".
  std::vector<std::string> form_values(std::string_view name) const;

  /// Who sends the request (an API token, else the session cookie; store::redeem_token), once.
  const caller& who() const;
  /// The logged-in person, if the credentials are valid: what the pages go by (a stale cookie
  /// reads as anonymous there; the API refuses it with 401).
  const std::optional<storage::person>& member() const;

  /// The answer's language: `?lang=`, else the `lang` cookie, else Accept-Language, else German.
  web::language lang() const;
  /// Whether `?lang=` named a language: the switch was used (the pages remember it in a cookie).
  bool lang_chosen() const;

  /// The CSRF token for this page's forms: the request's `csrf` cookie, or a new one, which the
  /// answer must then set (csrf_is_new(), set_csrf_cookie()).
  const std::string& csrf_token() const;
  bool csrf_is_new() const { return csrf_ && !from_cookie_; }
  /// Adds the Set-Cookie of a token made for this request, if one was made.
  void set_csrf_cookie(http_response& r) const;
  /// Whether the form's `csrf` field equals the request's cookie (double submit, auth.h).
  bool csrf_valid() const;

  /// The site this request is answered for: links use its base URL (--base-url, or what a
  /// trusted proxy says, or the listening address).
  feed_cache& site_of() const;
  std::string_view base_url() const;

  /// What a use case needs: the store, the mail settings, the base URL and the time.
  usecases::context use() const;

 private:
  const http_request& request_;
  services& app_;
  calendar::utc_seconds now_;
  bool valid_target_ = false;
  std::string_view path_;
  std::string_view query_;

  mutable std::optional<caller> who_;
  mutable std::optional<std::optional<storage::person>> member_;
  mutable std::optional<web::language> lang_;
  mutable std::optional<std::string> csrf_;
  mutable bool from_cookie_ = false;
  mutable feed_cache* site_ = nullptr;
};

}  // namespace treffpunkt::server
