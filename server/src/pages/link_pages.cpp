// The pages emailed links open, without a login: a guest's RSVP confirmation
// (/rsvp/confirm/{token}) and one-click unsubscribe (/unsubscribe/{token}, RFC 8058). GET only
// asks, with a button: mail scanners follow links, and must not confirm or unsubscribe.
#include <calendar/text.h>  // is_base64url
#include <usecases/people.h>
#include <usecases/rsvps.h>
#include <web/link_pages.h>

#include "../problem.h"
#include "../request_context.h"
#include "../responses.h"
#include "page_handlers.h"
#include "page_views.h"

namespace treffpunkt::server {
namespace {

/// A link token as treffpunkt makes them: base64url, of a sane length.
bool looks_like_token(std::string_view token) {
  return token.size() >= 20 && token.size() <= 128 && calendar::is_base64url(token);
}

/// Whether the body is RFC 8058's one-click POST: "List-Unsubscribe=One-Click" as
/// application/x-www-form-urlencoded (or without a type) or as a multipart/form-data field.
bool one_click(const request_context& ctx) {
  const auto media = media_type(ctx.request().content_type);
  if (media.empty() || media == "application/x-www-form-urlencoded") {
    return ctx.form("List-Unsubscribe") == "One-Click";
  }
  if (media != "multipart/form-data") return false;
  // A part named List-Unsubscribe whose content is One-Click (RFC 7578).
  const std::string_view body = ctx.request().body;
  static constexpr std::string_view name = "name=\"List-Unsubscribe\"";
  for (auto at = body.find(name); at != std::string_view::npos; at = body.find(name, at + 1)) {
    const auto head_end = body.find("\r\n\r\n", at);
    if (head_end == std::string_view::npos) return false;
    const auto value = body.substr(head_end + 4);
    if (value.starts_with("One-Click\r\n--")) return true;
  }
  return false;
}

/// The guest confirmation page: asks (GET, `confirm` false) or confirms (POST).
http_response guest_link(const request_context& ctx, std::string_view token, bool confirm) {
  const auto page = page_context_of(ctx);
  web::guest_confirm_view v;
  v.csrf = ctx.csrf_token();
  const auto reply = [&](unsigned status) {
    auto r = personal_html(status, web::render_guest_confirm(page, v), page.lang);
    ctx.set_csrf_cookie(r);
    return r;
  };
  if (!looks_like_token(token)) {
    v.state = web::guest_link_state::unknown;
    return reply(404);
  }
  v.action = "/rsvp/confirm/" + std::string(token);
  // The occurrence the link is for, shown on every answer that knows it.
  const auto show = [&](const storage::rsvp_record& r) {
    const auto e = ctx.store().event_by_id(r.event);
    const auto u = e ? ctx.store().unit_by_id(e->unit) : std::nullopt;
    if (e && u) {
      if (const auto o = calendar::find_occurrence(*e, r.key)) v.when = make_session(*e, *u, *o);
    }
    v.waitlist_position = r.waitlist_position;
    switch (r.state) {
      case storage::rsvp_state::pending:
        v.state = web::guest_link_state::ask;
        break;
      case storage::rsvp_state::going:
        v.state = web::guest_link_state::going;
        break;
      case storage::rsvp_state::waitlisted:
        v.state = web::guest_link_state::waitlisted;
        break;
      case storage::rsvp_state::maybe:
        v.state = web::guest_link_state::maybe;
        break;
      case storage::rsvp_state::not_going:
        v.state = web::guest_link_state::not_going;
        break;
    }
  };
  const auto failed = [&](const storage::error& e) {
    const auto why = problem_of(e);
    if (why.status == 404) {
      v.state = web::guest_link_state::unknown;
      return reply(404);
    }
    if (why.status == 410) {
      v.state = web::guest_link_state::expired;
      return reply(410);
    }
    if (why.code == "occurrence_cancelled" || why.code == "occurrence_past" ||
        why.code == "rsvp_closed") {
      v.state = web::guest_link_state::refused;
      return reply(409);
    }
    v.state = web::guest_link_state::unavailable;
    return reply(503);
  };

  // Reading the link uses nothing up: GET (what mail scanners do) only asks.
  const auto found = ctx.store().guest_rsvp_of_link(token, ctx.now());
  if (!found) return failed(found.error());
  show(*found);
  if (!confirm || found->state != storage::rsvp_state::pending) {
    // Asking, or a link already used (a second click): how the RSVP stands now.
    return reply(200);
  }
  if (!ctx.csrf_valid()) {
    v.state = web::guest_link_state::csrf;
    return reply(403);
  }
  const auto change = usecases::confirm_guest_rsvp(ctx.use(), token);
  if (!change) return failed(change.error());
  show(change->rsvp);
  return reply(200);
}

/// The unsubscribe page: explains (GET, `post` false) or unsubscribes (POST).
http_response unsubscribe_link(const request_context& ctx, std::string_view token, bool post) {
  const auto page = page_context_of(ctx);
  web::unsubscribe_view v;
  v.csrf = ctx.csrf_token();
  v.action = "/unsubscribe/" + std::string(token);
  const auto reply = [&](unsigned status) {
    auto r = personal_html(status, web::render_unsubscribe(page, v), page.lang);
    ctx.set_csrf_cookie(r);
    return r;
  };
  // The signed token is the proof: no login, no row per link (usecases/src/signed_token.h).
  const auto person = usecases::unsubscriber(ctx.store(), token);
  if (!person || !ctx.store().person_by_id(*person)) {
    v.state = web::unsubscribe_state::unknown;
    return reply(404);
  }
  if (!post) return reply(200);  // never unsubscribes on GET: mail scanners follow links
  // RFC 8058 §3.2: a mail client POSTs "List-Unsubscribe=One-Click" (it has no CSRF token and
  // needs none: the token in the path is the secret); the page's form sends that and its
  // CSRF field.
  if (!one_click(ctx) && !ctx.csrf_valid()) {
    v.state = web::unsubscribe_state::bad_request;
    return reply(400);
  }
  if (!usecases::unsubscribe(ctx.use(), *person)) {
    v.state = web::unsubscribe_state::unavailable;
    return reply(503);
  }
  v.state = web::unsubscribe_state::done;
  return reply(200);
}

}  // namespace

namespace link_pages {

http_response guest_confirm_page(const request_context& ctx, const route_params& p) {
  return guest_link(ctx, p["token"], false);
}

http_response guest_confirm(const request_context& ctx, const route_params& p) {
  return guest_link(ctx, p["token"], true);
}

http_response unsubscribe_page(const request_context& ctx, const route_params& p) {
  return unsubscribe_link(ctx, p["token"], false);
}

http_response unsubscribe(const request_context& ctx, const route_params& p) {
  return unsubscribe_link(ctx, p["token"], true);
}

}  // namespace link_pages
}  // namespace treffpunkt::server
