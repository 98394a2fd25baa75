#include <notifications/message.h>
#include <notifications/mime.h>
#include <server/login.h>
#include <usecases/input.h>
#include <usecases/people.h>
#include <web/i18n.h>
#include <web/pages.h>  // render_login: the pages in the site's layout and language

#include <algorithm>
#include <array>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <stdexcept>
#include <utility>

#include "auth.h"
#include "page_helpers.h"  // url_encode, form_value, is_local_path, set_viewer
#include "rate_limit.h"
#include "url_pairs.h"

namespace treffpunkt::server {
namespace json = boost::json;
namespace mail = notifications;
using calendar::utc_seconds;

namespace {

constexpr std::string_view api_login_path = "/api/v1/login";
constexpr std::string_view api_logout_path = "/api/v1/logout";

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// The media type of a Content-Type value, lower-cased, without parameters.
std::string media_type(std::string_view content_type) {
  return ascii_lower(trim(content_type.substr(0, content_type.find(';'))));
}

bool is_https(std::string_view base_url) { return base_url.starts_with("https://"); }

/// A cookie as Set-Cookie wants it (RFC 6265 §4.1); `max_age` 0 deletes it.
std::string cookie(std::string_view name, std::string_view value, std::chrono::seconds max_age,
                   std::string_view same_site, std::string_view base_url) {
  std::string out = std::string(name) + "=" + std::string(value) +
                    "; Path=/; Max-Age=" + std::to_string(max_age.count()) +
                    "; HttpOnly; SameSite=" + std::string(same_site);
  if (is_https(base_url)) out += "; Secure";
  return out;
}

/// A login page (web::render_login) in the reader's language (?lang=, the `lang` cookie,
/// Accept-Language), inside the site's layout.
http_response page(storage::store& store, const http_request& request, utc_seconds now,
                   unsigned status, web::login_view view) {
  const std::string_view target = request.target;
  const auto question = target.find('?');
  const std::string_view query =
      question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
  web::page_context ctx;
  ctx.lang = web::negotiate_language(raw_pair_value(query, "lang").value_or(""),
                                     cookie_value(request.cookie, "lang").value_or(""),
                                     request.accept_language);
  ctx.path = std::string(target.substr(0, question));
  if (ctx.path.starts_with("/login/")) ctx.path = "/login";  // never the token in a link
  // The language switch keeps where the login form returns to.
  if (ctx.path == "/login" && !view.next.empty()) ctx.query = "next=" + url_encode(view.next);
  const auto who = authenticate(store, request, now);
  set_viewer(ctx, store, who.valid ? who.who : std::nullopt);
  auto r = http_response::text(status, web::render_login(ctx, view), "text/html; charset=utf-8");
  r.headers.emplace_back("Content-Language", std::string(web::tag(ctx.lang)));
  r.headers.emplace_back("Vary", "Accept-Language, Cookie");
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

http_response json_response(unsigned status, const json::value& body) {
  auto r = http_response::text(status, json::serialize(body) + "\n", "application/json");
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

http_response json_error(unsigned status, std::string_view code, std::string_view message,
                         std::string_view field = {}) {
  json::object inner{{"code", code}, {"message", message}};
  if (!field.empty()) inner["field"] = field;
  return json_response(status, json::object{{"error", std::move(inner)}});
}

http_response method_not_allowed(std::string_view allow) {
  auto r = http_response::text(405, "method not allowed\n");
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

/// The form's CSRF token equals the cookie's (double submit, auth.h).
bool form_csrf_valid(const http_request& request) {
  return csrf_valid(request, form_field(request.body, "csrf").value_or(""));
}

/// A page with a form: the request's CSRF token, or a new one set as a cookie.
http_response form_page(storage::store& store, const http_request& request, utc_seconds now,
                        std::string_view base_url, web::login_view view, unsigned status = 200) {
  const auto existing = csrf_from_cookie(request);
  view.csrf = existing ? *existing : new_csrf_token();
  auto r = page(store, request, now, status, view);
  // Strict: the token is never needed on a request that comes from another site.
  if (!existing) r.headers.emplace_back("Set-Cookie", csrf_set_cookie(view.csrf, base_url));
  return r;
}

http_response csrf_refused(storage::store& store, const http_request& request, utc_seconds now) {
  return page(store, request, now, 403, {web::login_state::csrf_expired, {}, {}});
}

/// The `next` of the request's query string (decoded) if it is a path of this site
/// (is_local_path), else empty: where the browser goes after logging in.
std::string next_of_query(const http_request& request) {
  const std::string_view target = request.target;
  const auto question = target.find('?');
  if (question == std::string_view::npos) return {};
  const auto raw = raw_pair_value(target.substr(question + 1), "next");
  auto next = raw ? form_decode(*raw) : std::nullopt;
  if (!next || !is_local_path(*next)) return {};
  return std::move(*next);
}

}  // namespace

bool same_secret(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

std::optional<http_response> refuse_cross_site_write(const http_request& request) {
  if (request.method == "GET" || request.method == "HEAD" || request.method == "OPTIONS") {
    return std::nullopt;
  }
  if (!request.authorization.empty()) return std::nullopt;  // Bearer: never sent by a browser
  if (!cookie_value(request.cookie, "session")) return std::nullopt;
  if (media_type(request.content_type) == "application/json") return std::nullopt;
  return json_error(403, "csrf",
                    "a write with the session cookie must be sent as application/json");
}

login_routes::login_routes(storage::store& store, login_options options)
    : store_(store),
      options_(std::move(options)),
      by_address_(std::make_unique<rate_limiter>(options_.emails_per_address_per_hour,
                                                 std::chrono::hours(1))),
      by_ip_(
          std::make_unique<rate_limiter>(options_.emails_per_ip_per_hour, std::chrono::hours(1))) {}

login_routes::~login_routes() = default;

bool login_routes::owns(std::string_view path) {
  return path == "/login" || path.starts_with("/login/") || path == "/logout" ||
         path == api_login_path || path == api_logout_path;
}

http_response login_routes::handle(const http_request& request, std::string_view path,
                                   utc_seconds now, std::string_view base_url) {
  const std::string_view method = request.method;
  const bool get = method == "GET" || method == "HEAD";
  if (path == api_login_path) {
    if (method != "POST") return method_not_allowed("POST");
    return api_login(request, now, base_url);
  }
  if (path == api_logout_path) {
    if (method != "POST") return method_not_allowed("POST");
    return api_logout(request, now, base_url);
  }
  if (path == "/login") {
    if (get) {
      return form_page(store_, request, now, base_url,
                       {web::login_state::form, {}, {}, next_of_query(request)});
    }
    if (method != "POST") return method_not_allowed("GET, HEAD, POST");
    return form_login(request, now, base_url);
  }
  if (path == "/logout") {
    if (get) {
      return form_page(store_, request, now, base_url, {web::login_state::logout, {}, {}});
    }
    if (method != "POST") return method_not_allowed("GET, HEAD, POST");
    return form_logout(request, now, base_url);
  }
  // /login/{token}
  if (method == "HEAD") {
    // Link checkers of mail providers probe with HEAD: that must not use the link up.
    return page(store_, request, now, 200, {web::login_state::landing, {}, {}});
  }
  if (method != "GET") return method_not_allowed("GET, HEAD");
  return redeem(request, path.substr(std::string_view("/login/").size()), now, base_url);
}

login_routes::requested login_routes::request_link(std::string_view email_text,
                                                   const http_request& request, utc_seconds now,
                                                   std::string_view base_url,
                                                   std::string_view next) {
  const auto email = usecases::email_address(email_text);
  if (!email) return {outcome::invalid};
  // Known and unknown addresses take the same way (limits, a person, a token, a mail), so
  // the answer and its timing say nothing about who has an account.
  auto wait = by_ip_->take(request.remote_address);
  if (wait.count() == 0) wait = by_address_->take(*email);
  if (wait.count() > 0) return {outcome::limited, wait};
  const usecases::mail_settings mail{options_.mail_from, options_.mail_queued};
  if (auto sent = usecases::request_login_link({store_, mail, base_url, now}, *email, next,
                                               options_.link_ttl);
      !sent) {
    if (sent.error().code == storage::errc::invalid) return {outcome::invalid};
    return {outcome::unavailable};
  }
  return {outcome::queued};
}

http_response login_routes::api_login(const http_request& request, utc_seconds now,
                                      std::string_view base_url) {
  if (media_type(request.content_type) != "application/json") {
    return json_error(415, "unsupported_media_type", "the body must be application/json");
  }
  boost::system::error_code ec;
  const json::value body = json::parse(request.body, ec);
  if (ec || !body.is_object()) return json_error(400, "bad_json", "the body must be a JSON object");
  const auto* email = body.as_object().if_contains("email");
  if (email == nullptr || !email->is_string()) {
    return json_error(422, "invalid", "email: a string is required", "email");
  }
  const auto done = request_link(email->as_string(), request, now, base_url, {});
  if (done.result == outcome::invalid) {
    return json_error(422, "invalid", "email: not a valid address", "email");
  }
  if (done.result == outcome::limited) {
    auto r = json_error(429, "rate_limited", "too many login emails; try again later");
    r.headers.emplace_back("Retry-After", std::to_string(done.retry_after.count()));
    return r;
  }
  if (done.result == outcome::unavailable) {
    return json_error(503, "unavailable",
                      "storage unavailable: nothing was saved and no mail sent; try again later");
  }
  return json_response(
      202, json::object{{"message", "if the address is valid, a login link is on its way"}});
}

http_response login_routes::form_login(const http_request& request, utc_seconds now,
                                       std::string_view base_url) {
  if (media_type(request.content_type) != "application/x-www-form-urlencoded") {
    return page(store_, request, now, 415, {web::login_state::use_form, {}, {}});
  }
  if (!form_csrf_valid(request)) return csrf_refused(store_, request, now);
  const auto email = form_field(request.body, "email");
  auto next = form_value(request.body, "next");
  if (!is_local_path(next)) next.clear();
  const auto done = request_link(email ? *email : std::string(), request, now, base_url, next);
  if (done.result == outcome::invalid) {
    // The form again, with what was typed and the error next to the field.
    return form_page(store_, request, now, base_url,
                     {web::login_state::invalid_email, email.value_or(""), {}, next}, 400);
  }
  if (done.result == outcome::limited) {
    auto r = page(store_, request, now, 429, {web::login_state::rate_limited, {}, {}});
    r.headers.emplace_back("Retry-After", std::to_string(done.retry_after.count()));
    return r;
  }
  if (done.result == outcome::unavailable) {
    return page(store_, request, now, 503, {web::login_state::unavailable, {}, {}});
  }
  return page(store_, request, now, 200, {web::login_state::sent, {}, {}});
}

http_response login_routes::redeem(const http_request& request, std::string_view token,
                                   utc_seconds now, std::string_view base_url) {
  if (token.empty() || token.size() > 128 || !is_base64url(token)) {
    return page(store_, request, now, 400, {web::login_state::link_invalid, {}, {}});
  }
  auto who = store_.redeem_token(storage::token_kind::login, token, now);
  if (!who) {
    if (who.error().code == storage::errc::unavailable) {
      return page(store_, request, now, 503, {web::login_state::unavailable, {}, {}});
    }
    return page(store_, request, now, 410, {web::login_state::link_expired, {}, {}});
  }
  const auto session =
      store_.issue_token(storage::token_kind::session, who->id, options_.session_ttl, now);
  // Back to the page that asked for the login; never to another site (next_of_query).
  const auto next = next_of_query(request);
  auto r = see_other(next.empty() ? "/" : next);
  r.headers.emplace_back("Set-Cookie",
                         cookie("session", session.raw, options_.session_ttl, "Lax", base_url));
  return r;
}

bool login_routes::end_session(const http_request& request, utc_seconds now) {
  const auto raw = cookie_value(request.cookie, "session");
  if (!raw) return false;
  const usecases::mail_settings no_mail;
  return usecases::end_session({store_, no_mail, {}, now}, *raw);
}

http_response login_routes::api_logout(const http_request& request, utc_seconds now,
                                       std::string_view base_url) {
  // refuse_cross_site_write ran before: a cookie-authenticated POST here is application/json.
  if (!end_session(request, now)) {
    auto r = json_error(401, "unauthenticated", "no valid session cookie");
    r.headers.emplace_back("Set-Cookie",
                           cookie("session", "", std::chrono::seconds(0), "Lax", base_url));
    return r;
  }
  http_response r;
  r.status = 204;
  r.body = std::make_shared<const std::string>();
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Set-Cookie",
                         cookie("session", "", std::chrono::seconds(0), "Lax", base_url));
  return r;
}

http_response login_routes::form_logout(const http_request& request, utc_seconds now,
                                        std::string_view base_url) {
  if (media_type(request.content_type) != "application/x-www-form-urlencoded") {
    return page(store_, request, now, 415, {web::login_state::use_form, {}, {}});
  }
  if (!form_csrf_valid(request)) return csrf_refused(store_, request, now);
  end_session(request, now);
  auto r = http_response::text(303, "");
  r.headers.emplace_back("Location", "/");
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Set-Cookie",
                         cookie("session", "", std::chrono::seconds(0), "Lax", base_url));
  return r;
}

}  // namespace treffpunkt::server
