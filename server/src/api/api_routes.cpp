// The JSON API's routes (docs/api.md): every one of them, with its handler, in one table. Before
// any handler: a write with the session cookie must be JSON (no cross-site form can send that),
// and credentials that were sent must be valid (401, also where anonymous reads are allowed).
#include "../request_context.h"
#include "../responses.h"  // parse_id
#include "../routes.h"
#include "../services.h"
#include "api_handlers.h"

namespace treffpunkt::server {
namespace {

http_response not_found(const request_context&) {
  return error_response({404, "not_found", "no such API route", {}});
}

http_response not_allowed(const request_context& ctx, std::string_view allow) {
  auto r =
      error_response({405,
                      "method_not_allowed",
                      std::string(ctx.method()) + " is not allowed here; use " + std::string(allow),
                      {}});
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

std::optional<http_response> authenticated(const request_context& ctx) {
  if (auto refused = refuse_cross_site_write(ctx)) return refused;
  if (!ctx.who().valid) {
    return error_response({401, "unauthenticated", "unknown or expired credentials", {}});
  }
  return std::nullopt;
}

}  // namespace

std::optional<http_response> refuse_cross_site_write(const request_context& ctx) {
  const auto& request = ctx.request();
  if (request.method == "GET" || request.method == "HEAD" || request.method == "OPTIONS") {
    return std::nullopt;
  }
  if (!request.authorization.empty()) return std::nullopt;  // Bearer: never sent by a browser
  if (!cookie_value(request.cookie, "session")) return std::nullopt;
  if (media_type(request.content_type) == "application/json") return std::nullopt;
  return error_response(
      {403, "csrf", "a write with the session cookie must be sent as application/json", {}});
}

area api_routes() {
  return {
      "api",
      {"/api/v1"},
      {
          {"GET", "/api/v1/units", api_units::list},
          {"POST", "/api/v1/units", api_units::create},
          {"GET", "/api/v1/units/{slug}", api_units::get},
          {"PATCH", "/api/v1/units/{slug}", api_units::patch},
          {"GET", "/api/v1/units/{slug}/occurrences", api_units::occurrences},
          {"GET", "/api/v1/units/{slug}/events", api_units::events},
          {"POST", "/api/v1/units/{slug}/events", api_events::create},
          {"GET", "/api/v1/units/{slug}/proposals", api_offers::of_unit},
          {"POST", "/api/v1/units/{slug}/proposals", api_offers::propose},
          {"GET", "/api/v1/units/{slug}/wishes", api_wishes::of_unit},
          {"POST", "/api/v1/units/{slug}/wishes", api_wishes::post},
          {"PUT", "/api/v1/units/{slug}/follow", api_units::follow},
          {"DELETE", "/api/v1/units/{slug}/follow", api_units::unfollow},
          {"GET", "/api/v1/events/{id}", api_events::get},
          {"PATCH", "/api/v1/events/{id}", api_events::patch},
          {"DELETE", "/api/v1/events/{id}", api_events::cancel},
          {"POST", "/api/v1/events/{id}/confirm", api_events::confirm},
          {"GET", "/api/v1/events/{id}/occurrences/{key}", api_occurrences::get},
          {"PUT", "/api/v1/events/{id}/occurrences/{key}", api_occurrences::put},
          {"GET", "/api/v1/events/{id}/occurrences/{key}/rsvp", api_rsvps::get},
          {"PUT", "/api/v1/events/{id}/occurrences/{key}/rsvp", api_rsvps::put},
          {"GET", "/api/v1/events/{id}/occurrences/{key}/attendees", api_occurrences::attendees},
          {"GET", "/api/v1/events/{id}/occurrences/{key}/attendance", api_attendance::get},
          {"PUT", "/api/v1/events/{id}/occurrences/{key}/attendance", api_attendance::put},
          {"POST", "/api/v1/events/{id}/occurrences/{key}/message", api_occurrences::message},
          {"POST", "/api/v1/events/{id}/occurrences/{key}/split", api_occurrences::split},
          {"POST", "/api/v1/events/{id}/occurrences/{key}/guest-rsvp", api_rsvps::guest},
          {"GET", "/api/v1/proposals/{id}", api_offers::get},
          {"PUT", "/api/v1/proposals/{id}", api_offers::revise},
          {"DELETE", "/api/v1/proposals/{id}", api_offers::withdraw},
          {"POST", "/api/v1/proposals/{id}/decision", api_offers::decide},
          {"DELETE", "/api/v1/wishes/{id}", api_wishes::close},
          {"GET", "/api/v1/me", api_me::get},
          {"DELETE", "/api/v1/me", api_me::remove},
          {"GET", "/api/v1/me/export", api_me::data},
          {"GET", "/api/v1/me/proposals", api_offers::mine},
          {"GET", "/api/v1/me/reminders", api_me::reminders},
          {"PUT", "/api/v1/me/reminders", api_me::set_reminders},
          {"GET", "/api/v1/me/notices", api_me::notices},
          {"PUT", "/api/v1/me/notices", api_me::set_notices},
          {"GET", "/api/v1/me/feed", api_me::feed},
          {"POST", "/api/v1/me/feed/rotate", api_me::rotate_feed},
          {"GET", "/api/v1/me/tokens", api_tokens::list},
          {"POST", "/api/v1/me/tokens", api_tokens::create},
          {"DELETE", "/api/v1/me/tokens/{token}", api_tokens::revoke},
      },
      not_found,
      not_allowed,
      authenticated,
  };
}

std::optional<http_response> need_person(const request_context& ctx) {
  if (ctx.who().who) return std::nullopt;
  return error_response({401, "unauthenticated", "log in or send an API token", {}});
}

std::optional<http_response> need_editor(const request_context& ctx, calendar::unit_id u) {
  if (auto anonymous = need_person(ctx)) return anonymous;
  if (ctx.store().may_edit(ctx.who().actor(), u)) return std::nullopt;
  return error_response(
      {403, "forbidden", "only the unit's responsibles and admins may do this", {}});
}

std::optional<http_response> need_editor_or_host(const request_context& ctx,
                                                 const calendar::event& e) {
  if (auto anonymous = need_person(ctx)) return anonymous;
  if (ctx.store().may_edit(ctx.who().actor(), e.unit)) return std::nullopt;
  if (const auto host = ctx.store().host_of(e.id); host && host->person == ctx.who().who->id) {
    return std::nullopt;
  }
  return error_response(
      {403, "forbidden", "only the unit's responsibles, admins and the host may do this", {}});
}

api_result<calendar::unit> unit_of(const request_context& ctx, const route_params& p) {
  auto u = ctx.store().unit_by_slug(p["slug"]);
  if (!u) return problem{404, "not_found", "no unit '" + std::string(p["slug"]) + "'", {}};
  return std::move(*u);
}

api_result<calendar::event> event_of(const request_context& ctx, const route_params& p) {
  const auto id = parse_id(p["id"]);
  auto e = id ? ctx.store().event_by_id(calendar::event_id{*id}) : std::nullopt;
  if (!e) return problem{404, "not_found", "no event " + std::string(p["id"]), {}};
  return std::move(*e);
}

api_result<event_occurrence> occurrence_of(const request_context& ctx, const route_params& p) {
  auto e = event_of(ctx, p);
  if (!e) return e.error();
  const auto key = calendar::occurrence_key::parse(p["key"]);
  if (!key || !calendar::find_occurrence(*e, *key)) {
    return problem{404, "not_found", "no such occurrence", {}};
  }
  return event_occurrence{std::move(*e), *key};
}

std::string slug_of(const request_context& ctx, const calendar::event& e) {
  const auto u = ctx.store().unit_by_id(e.unit);
  return u ? u->slug : std::string();
}

std::optional<http_response> rate_limited(const request_context& ctx, const std::string& who) {
  auto wait = ctx.app().rsvps_by_person.take(who);
  if (wait.count() == 0) wait = ctx.app().rsvps_by_address.take(ctx.request().remote_address);
  if (wait.count() == 0) return std::nullopt;
  auto r = error_response({429, "rate_limited", "too many RSVPs; try again later", {}});
  r.headers.emplace_back("Retry-After", std::to_string(wait.count()));
  return r;
}

}  // namespace treffpunkt::server
