// /api/v1/units/{slug}/events (POST) and /api/v1/events/{id}: an event or series made,
// read, changed (PATCH) and cancelled (DELETE). Changes and cancels tell those coming
// (usecases/events.h). POST /api/v1/events/{id}/confirm: a series still happens
// (usecases/series_confirmations.h).
#include <usecases/event_changes.h>
#include <usecases/events.h>
#include <usecases/series_confirmations.h>

#include "../request_context.h"
#include "api_bodies.h"
#include "api_handlers.h"
#include "api_shapes.h"

namespace treffpunkt::server::api_events {
namespace {

/// Where the event stands with "still happening?", for event_json.
std::optional<usecases::series_status> confirmation(const request_context& ctx,
                                                    const calendar::event& e) {
  return usecases::status_of(ctx.store(), e, ctx.now());
}

}  // namespace

http_response create(const request_context& ctx, const route_params& p) {
  auto u = unit_of(ctx, p);
  if (!u) return error_response(u.error());
  if (auto refused = need_editor(ctx, u->id)) return *refused;
  auto body = read_body<event_body>(ctx);
  if (!body) return error_response(body.error());
  const bool all_day = body->changes.all_day.value_or(false);
  auto changes = event_changes_of(std::move(*body), all_day);
  if (!changes) return error_response(changes.error());
  calendar::event e;
  e.unit = u->id;
  e.zone = u->zone;
  if (auto applied = usecases::apply_event_changes(e, *changes, true); !applied) {
    return error_response(problem_of(applied.error()));
  }
  auto made = ctx.store().create_event(std::move(e), ctx.who().actor(), ctx.now());
  if (!made) return error_response(problem_of(made.error()));
  auto out = event_json(*made, u->slug, confirmation(ctx, *made));
  out["warnings"] = warnings_of(ctx.store(), *made, ctx.now());
  return json_response(201, out);
}

http_response get(const request_context& ctx, const route_params& p) {
  auto e = event_of(ctx, p);
  if (!e) return error_response(e.error());
  return json_response(200, event_json(*e, slug_of(ctx, *e), confirmation(ctx, *e)));
}

http_response patch(const request_context& ctx, const route_params& p) {
  auto e = event_of(ctx, p);
  if (!e) return error_response(e.error());
  if (auto refused = need_editor_or_host(ctx, *e)) return *refused;
  auto body = read_body<event_body>(ctx);
  if (!body) return error_response(body.error());
  const bool all_day = body->changes.all_day.value_or(e->all_day);
  auto changes = event_changes_of(std::move(*body), all_day);
  if (!changes) return error_response(changes.error());
  if (auto applied = usecases::apply_event_changes(*e, *changes, false); !applied) {
    return error_response(problem_of(applied.error()));
  }
  auto changed = usecases::update_event(ctx.use(), std::move(*e), ctx.who().actor());
  if (!changed) return error_response(problem_of(changed.error()));
  auto out = event_json(*changed, slug_of(ctx, *changed), confirmation(ctx, *changed));
  out["warnings"] = warnings_of(ctx.store(), *changed, ctx.now());
  return json_response(200, out);
}

http_response cancel(const request_context& ctx, const route_params& p) {
  auto e = event_of(ctx, p);
  if (!e) return error_response(e.error());
  if (auto refused = need_editor_or_host(ctx, *e)) return *refused;
  auto cancelled = usecases::cancel_event(ctx.use(), *e, ctx.who().actor());
  if (!cancelled) return error_response(problem_of(cancelled.error()));
  return json_response(
      200, event_json(*cancelled, slug_of(ctx, *cancelled), confirmation(ctx, *cancelled)));
}

http_response confirm(const request_context& ctx, const route_params& p) {
  auto e = event_of(ctx, p);
  if (!e) return error_response(e.error());
  if (auto anonymous = need_person(ctx)) return *anonymous;
  auto done = usecases::confirm_series(ctx.use(), e->id, ctx.who().actor());
  if (!done) return error_response(problem_of(done.error()));
  return json_response(200, event_json(*e, slug_of(ctx, *e), confirmation(ctx, *e)));
}

}  // namespace treffpunkt::server::api_events
