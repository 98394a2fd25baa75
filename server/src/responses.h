#pragma once
/// Answers that every area gives alike: redirects, the way to the login, personal pages that
/// nobody may store, cookies, the plain-text 404 and 405.

#include <server/http.h>
#include <web/i18n.h>  // web::language

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace treffpunkt::server {

/// Every byte but the unreserved ones and '/' percent-encoded (RFC 3986 §2.3), with Boost.URL:
/// a path as the value of a query parameter (`/login?next=/manage/units/a`).
std::string url_encode(std::string_view s);

/// The media type of a Content-Type value, lower-cased, without parameters and blanks.
std::string media_type(std::string_view content_type);

/// A positive decimal id ("42"), or none (empty, signs, other characters, zero, overflow).
std::optional<std::int64_t> parse_id(std::string_view digits);

/// Whether `next` (decoded) may be where a login sends the browser back to: a path of this
/// site ("/manage/units/a?x=1"), never another origin ("//evil", "/\evil", "https://evil"),
/// no control characters, at most 1000 bytes.
bool is_local_path(std::string_view next);

/// 303 See Other to `location` (post/redirect/get; never stored).
http_response see_other(std::string location);

/// Where an anonymous visitor of a member-only page or form goes: the login form, which brings
/// them back to `back` (a path of this site) afterwards.
http_response to_login(std::string_view back);

/// A personal page (a member's, or one with a form's state): never stored by anyone.
http_response personal_html(unsigned status, std::string html, web::language lang);

/// 405 with Allow, as plain text (feeds, pages; the API answers in JSON).
http_response method_not_allowed(std::string_view allow);

/// 404 as plain text (feeds and paths of no area).
http_response not_found_text();

class request_context;
/// The same two as an area's answers (router.h) for the areas that answer in plain text.
http_response text_not_found(const request_context& ctx);
http_response text_method_not_allowed(const request_context& ctx, std::string_view allow);

/// A Set-Cookie value (RFC 6265 §4.1): Path=/, Max-Age (0 deletes it), `attributes`
/// ("HttpOnly; SameSite=Lax"), and Secure when `base_url` is https.
std::string cookie(std::string_view name, std::string_view value, std::chrono::seconds max_age,
                   std::string_view attributes, std::string_view base_url);

/// The Set-Cookie value that ends the session cookie on this browser.
std::string clear_session_cookie(std::string_view base_url);

}  // namespace treffpunkt::server
