// Login by emailed one-time link, and logout (docs/api.md "Login by emailed link"): the pages
// /login, /login/{token}, /logout, and the API's POST /api/v1/login and /api/v1/logout. Forms
// carry a CSRF token (double submit: a `csrf` cookie and a hidden field).
#include <calendar/text.h>  // is_base64url
#include <usecases/input.h>
#include <usecases/people.h>
#include <web/i18n.h>
#include <web/pages.h>

#include <boost/json/object.hpp>

#include "../api/api_bodies.h"
#include "../api/json_io.h"
#include "../request_context.h"
#include "../responses.h"
#include "../routes.h"
#include "../services.h"
#include "page_handlers.h"
#include "page_views.h"

namespace treffpunkt::server {
namespace {

namespace json = boost::json;

/// A login page (web::render_login) in the reader's language, inside the site's layout.
http_response login_page(const request_context& ctx, unsigned status, const web::login_view& view) {
  auto page = page_context_of(ctx);
  if (page.path.starts_with("/login/")) page.path = "/login";  // never the token in a link
  // The language switch keeps where the login form returns to.
  if (page.path == "/login" && !view.next.empty()) page.query = "next=" + url_encode(view.next);
  auto r = http_response::text(status, web::render_login(page, view), "text/html; charset=utf-8");
  r.headers.emplace_back("Content-Language", std::string(web::tag(page.lang)));
  r.headers.emplace_back("Vary", "Accept-Language, Cookie");
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

/// A page with a form: the request's CSRF token, or a new one set as a cookie.
http_response form_page(const request_context& ctx, web::login_view view, unsigned status = 200) {
  view.csrf = ctx.csrf_token();
  auto r = login_page(ctx, status, view);
  ctx.set_csrf_cookie(r);
  return r;
}

http_response csrf_refused(const request_context& ctx) {
  return login_page(ctx, 403, {web::login_state::csrf_expired, {}, {}});
}

/// `next` (decoded) if it is a path of this site (is_local_path), else empty: where the browser
/// goes after logging in.
std::string checked_next(std::optional<std::string> next) {
  if (!next || !is_local_path(*next)) return {};
  return std::move(*next);
}

/// Why a login link was not sent.
enum class refusal { none, invalid, limited, unavailable };
struct sent {
  refusal why = refusal::none;
  std::chrono::seconds retry_after{0};
};

/// What both login forms do: check the address, the limits, then the use case (a person, a
/// token, the mail). Known and unknown addresses take the same way, so the answer and its
/// timing say nothing about who has an account. `next`: a checked path of this site the
/// emailed link leads back to, or empty.
sent send_login_link(const request_context& ctx, std::string_view typed, std::string_view next) {
  const auto email = usecases::email_address(typed);
  if (!email) return {refusal::invalid};
  auto wait = ctx.app().logins_by_ip.take(ctx.request().remote_address);
  if (wait.count() == 0) wait = ctx.app().logins_by_address.take(*email);
  if (wait.count() > 0) return {refusal::limited, wait};
  const auto done =
      usecases::request_login_link(ctx.use(), *email, next, ctx.app().options.login.link_ttl);
  if (!done)
    return {problem_of(done.error()).status == 422 ? refusal::invalid : refusal::unavailable};
  return {};
}

bool is_form(const request_context& ctx) {
  return media_type(ctx.request().content_type) == "application/x-www-form-urlencoded";
}

/// The Set-Cookie of the session cookie (`raw`), or one that clears it.
std::string session_cookie(const request_context& ctx, std::string_view raw,
                           std::chrono::seconds ttl) {
  return cookie("session", raw, ttl, "HttpOnly; SameSite=Lax", ctx.base_url());
}

/// A JSON answer of the login API; never stored.
http_response login_json(unsigned status, const json::value& body) {
  auto r = json_response(status, body);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

http_response login_error(const problem& p) {
  auto r = error_response(p);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

std::optional<http_response> cross_site(const request_context& ctx) {
  return refuse_cross_site_write(ctx);
}

http_response login_not_found(const request_context& ctx) { return not_found_page(ctx); }

}  // namespace

namespace login_pages {

http_response form(const request_context& ctx, const route_params&) {
  return form_page(ctx, {web::login_state::form, {}, {}, checked_next(ctx.query("next"))});
}

http_response send_link(const request_context& ctx, const route_params&) {
  if (!is_form(ctx)) return login_page(ctx, 415, {web::login_state::use_form, {}, {}});
  if (!ctx.csrf_valid()) return csrf_refused(ctx);
  const auto email = ctx.form("email");
  const auto next = checked_next(ctx.form("next"));
  const auto done = send_login_link(ctx, email.value_or(""), next);
  switch (done.why) {
    case refusal::invalid:
      // The form again, with what was typed and the error next to the field.
      return form_page(ctx, {web::login_state::invalid_email, email.value_or(""), {}, next}, 400);
    case refusal::limited: {
      auto r = login_page(ctx, 429, {web::login_state::rate_limited, {}, {}});
      r.headers.emplace_back("Retry-After", std::to_string(done.retry_after.count()));
      return r;
    }
    case refusal::unavailable:
      return login_page(ctx, 503, {web::login_state::unavailable, {}, {}});
    case refusal::none:
      break;
  }
  return login_page(ctx, 200, {web::login_state::sent, {}, {}});
}

http_response link_page(const request_context& ctx, const route_params& p) {
  const auto token = p["token"];
  if (token.size() > 128 || !calendar::is_base64url(token)) {
    return login_page(ctx, 400, {web::login_state::link_invalid, {}, {}});
  }
  // Nothing is used up here: mail scanners (Outlook's Safe Links and others) open the links of
  // a mail before the member does. The button's POST logs in.
  web::login_view view{web::login_state::link, {}, {}, checked_next(ctx.query("next"))};
  view.action = "/login/" + std::string(token);
  return form_page(ctx, std::move(view));
}

http_response redeem(const request_context& ctx, const route_params& p) {
  const auto token = p["token"];
  if (token.size() > 128 || !calendar::is_base64url(token)) {
    return login_page(ctx, 400, {web::login_state::link_invalid, {}, {}});
  }
  if (!ctx.csrf_valid()) return csrf_refused(ctx);
  auto who = ctx.store().redeem_token(storage::token_kind::login, token, ctx.now());
  if (!who) {
    if (problem_of(who.error()).status == 503) {
      return login_page(ctx, 503, {web::login_state::unavailable, {}, {}});
    }
    return login_page(ctx, 410, {web::login_state::link_expired, {}, {}});
  }
  const auto ttl = ctx.app().options.login.session_ttl;
  const auto session =
      ctx.store().issue_token(storage::token_kind::session, who->id, ttl, ctx.now());
  // Back to the page that asked for the login; never to another site (checked_next).
  const auto next = checked_next(ctx.form("next"));
  auto r = see_other(next.empty() ? "/" : next);
  r.headers.emplace_back("Set-Cookie", session_cookie(ctx, session.raw, ttl));
  return r;
}

http_response logout_page(const request_context& ctx, const route_params&) {
  return form_page(ctx, {web::login_state::logout, {}, {}});
}

http_response logout(const request_context& ctx, const route_params&) {
  if (!is_form(ctx)) return login_page(ctx, 415, {web::login_state::use_form, {}, {}});
  if (!ctx.csrf_valid()) return csrf_refused(ctx);
  if (const auto raw = cookie_value(ctx.request().cookie, "session")) {
    usecases::end_session(ctx.use(), *raw);
  }
  auto r = see_other("/");
  r.headers.emplace_back("Set-Cookie", session_cookie(ctx, "", std::chrono::seconds(0)));
  return r;
}

}  // namespace login_pages

namespace login_api {

http_response login(const request_context& ctx, const route_params&) {
  auto body = read_body<login_body>(ctx);
  if (!body) return login_error(body.error());
  const auto done = send_login_link(ctx, body->email, {});
  switch (done.why) {
    case refusal::invalid:
      return login_error({422, "invalid", "email: not a valid address", "email"});
    case refusal::limited: {
      auto r = login_error({429, "rate_limited", "too many login emails; try again later", {}});
      r.headers.emplace_back("Retry-After", std::to_string(done.retry_after.count()));
      return r;
    }
    case refusal::unavailable:
      return login_error({503,
                          "unavailable",
                          "storage unavailable: nothing was saved and no mail sent; try "
                          "again later",
                          {}});
    case refusal::none:
      break;
  }
  return login_json(
      202, json::object{{"message", "if the address is valid, a login link is on its way"}});
}

http_response logout(const request_context& ctx, const route_params&) {
  // refuse_cross_site_write ran before: a cookie-authenticated POST here is application/json.
  const auto raw = cookie_value(ctx.request().cookie, "session");
  if (!raw || !usecases::end_session(ctx.use(), *raw)) {
    auto r = login_error({401, "unauthenticated", "no valid session cookie", {}});
    r.headers.emplace_back("Set-Cookie", session_cookie(ctx, "", std::chrono::seconds(0)));
    return r;
  }
  http_response r;
  r.status = 204;
  r.body = std::make_shared<const std::string>();
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Set-Cookie", session_cookie(ctx, "", std::chrono::seconds(0)));
  return r;
}

}  // namespace login_api

area login_routes() {
  return {
      "login",
      {"/login", "/logout"},
      {
          {"GET", "/login", login_pages::form},
          {"POST", "/login", login_pages::send_link},
          {"GET", "/login/{token}", login_pages::link_page},
          {"POST", "/login/{token}", login_pages::redeem},
          {"GET", "/logout", login_pages::logout_page},
          {"POST", "/logout", login_pages::logout},
      },
      login_not_found,
      text_method_not_allowed,
  };
}

area login_api_routes() {
  return {
      "login_api",
      {},
      {
          {"POST", "/api/v1/login", login_api::login},
          {"POST", "/api/v1/logout", login_api::logout},
      },
      text_not_found,
      text_method_not_allowed,
      cross_site,
  };
}

}  // namespace treffpunkt::server
