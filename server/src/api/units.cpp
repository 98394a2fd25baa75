// /api/v1/units...: the units, their occurrences in a window, their events, following one.
#include <calendar/expand.h>
#include <date/date.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "../request_context.h"
#include "api_bodies.h"  // parse_date
#include "api_handlers.h"
#include "api_shapes.h"

namespace treffpunkt::server::api_units {
namespace json = boost::json;

namespace {

/// The default window of GET .../occurrences, and the longest one asked for.
constexpr date::days default_window{90};
constexpr date::days longest_window{366};

}  // namespace

http_response list(const request_context& ctx, const route_params&) {
  json::array out;
  for (const auto& u : ctx.store().units()) out.emplace_back(unit_json(ctx.store(), u));
  return json_response(200, json::object{{"units", std::move(out)}});
}

http_response create(const request_context& ctx, const route_params&) {
  if (auto refused = need_person(ctx)) return *refused;
  auto body = read_body<unit_create_body>(ctx);
  if (!body) return error_response(body.error());
  auto made = ctx.store().create_unit(std::move(body->unit), ctx.who().actor());
  if (!made) return error_response(problem_of(made.error()));
  return json_response(201, unit_json(ctx.store(), *made));
}

http_response patch(const request_context& ctx, const route_params& p) {
  auto u = unit_of(ctx, p);
  if (!u) return error_response(u.error());
  if (auto refused = need_editor(ctx, u->id)) return *refused;
  auto body = read_body<unit_patch_body>(ctx);
  if (!body) return error_response(body.error());
  auto changed = *u;
  if (body->name) changed.name = *body->name;
  if (body->description) changed.description = *body->description;
  if (body->zone) changed.zone = *body->zone;
  if (body->colour) changed.colour = *body->colour;
  if (body->contact) changed.contact = *body->contact;
  // Archiving is checked first: a responsible's description is not saved with a refused archive.
  if (body->archived && *body->archived != u->archived.has_value() && !ctx.who().who->admin) {
    return error_response({403, "forbidden", "only admins archive units", "archived"});
  }
  auto saved = ctx.store().update_unit(changed, ctx.who().actor());
  if (!saved) return error_response(problem_of(saved.error()));
  if (body->archived) {
    auto archived = ctx.store().set_archived(u->id, *body->archived, ctx.who().actor(), ctx.now());
    if (!archived) return error_response(problem_of(archived.error()));
    saved = std::move(*archived);
  }
  return json_response(200, unit_json(ctx.store(), *saved));
}

http_response get(const request_context& ctx, const route_params& p) {
  auto u = unit_of(ctx, p);
  if (!u) return error_response(u.error());
  return json_response(200, unit_json(ctx.store(), *u));
}

http_response occurrences(const request_context& ctx, const route_params& p) {
  auto u = unit_of(ctx, p);
  if (!u) return error_response(u.error());
  // Dates are days in the unit's zone; `to` is the last day shown.
  const auto today = date::floor<date::days>(calendar::to_local(ctx.now(), u->zone));
  date::sys_days from{today.time_since_epoch()};
  date::sys_days to = from + default_window;
  for (const std::string_view name : {"from", "to"}) {
    const auto text = ctx.query(name);
    if (!text) continue;
    const auto day = parse_date(*text);
    if (!day) {
      return error_response(
          {422, "invalid", std::string(name) + " must be a date YYYY-MM-DD", std::string(name)});
    }
    (name == "from" ? from : to) = *day;
  }
  if (to < from) return error_response({422, "invalid", "to is before from", "to"});
  if (to - from > longest_window) {
    return error_response({422, "window_too_long", "a window spans at most 366 days", "to"});
  }
  const auto start = calendar::to_utc(calendar::local_seconds(from.time_since_epoch()), u->zone);
  const auto end =
      calendar::to_utc(calendar::local_seconds((to + date::days(1)).time_since_epoch()), u->zone);
  struct found {
    calendar::utc_seconds start;
    json::object item;
  };
  std::vector<found> all;
  for (const auto& e : calendar::shown_events(*u, ctx.store().events_of_unit(u->id))) {
    for (const auto& o : calendar::expand(e, start, end)) {
      all.push_back({o.start, occurrence_json(e, o, ctx.store().occupancy_of(e.id, o.key))});
    }
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const found& a, const found& b) { return a.start < b.start; });
  json::array out;
  for (auto& f : all) out.emplace_back(std::move(f.item));
  return json_response(200, json::object{{"unit", u->slug},
                                         {"from", date::format("%F", from)},
                                         {"to", date::format("%F", to)},
                                         {"occurrences", std::move(out)}});
}

http_response events(const request_context& ctx, const route_params& p) {
  auto u = unit_of(ctx, p);
  if (!u) return error_response(u.error());
  json::array out;
  for (const auto& e : ctx.store().events_of_unit(u->id)) {
    out.emplace_back(event_json(e, u->slug, usecases::status_of(ctx.store(), e, ctx.now())));
  }
  return json_response(200, json::object{{"events", std::move(out)}});
}

namespace {

http_response set_follow(const request_context& ctx, const route_params& p, bool on) {
  auto u = unit_of(ctx, p);
  if (!u) return error_response(u.error());
  if (auto refused = need_person(ctx)) return *refused;
  if (auto done = ctx.store().set_follow(ctx.who().who->id, u->id, on); !done) {
    return error_response(problem_of(done.error()));
  }
  return json_response(200, json::object{{"unit", u->slug}, {"following", on}});
}

}  // namespace

http_response follow(const request_context& ctx, const route_params& p) {
  return set_follow(ctx, p, true);
}

http_response unfollow(const request_context& ctx, const route_params& p) {
  return set_follow(ctx, p, false);
}

}  // namespace treffpunkt::server::api_units
