// /api/v1/events/{id}/occurrences/{key}: one occurrence read, moved, changed or cancelled
// (PUT), its attendees (responsibles only), and a message to them.
#include <usecases/event_changes.h>
#include <usecases/events.h>
#include <usecases/input.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "../request_context.h"
#include "api_bodies.h"
#include "api_handlers.h"
#include "api_shapes.h"

namespace treffpunkt::server::api_occurrences {
namespace json = boost::json;

namespace {

http_response occurrence_response(const request_context& ctx, const calendar::event& e,
                                  const calendar::occurrence_key& key) {
  auto o = calendar::find_occurrence(e, key);
  if (!o) return error_response({404, "not_found", "no such occurrence", {}});
  return json_response(200, occurrence_json(e, *o, ctx.store().occupancy_of(e.id, key)));
}

}  // namespace

http_response get(const request_context& ctx, const route_params& p) {
  auto found = occurrence_of(ctx, p);
  if (!found) return error_response(found.error());
  return occurrence_response(ctx, found->event, found->key);
}

http_response put(const request_context& ctx, const route_params& p) {
  auto found = occurrence_of(ctx, p);
  if (!found) return error_response(found.error());
  const auto& [e, key] = *found;
  if (auto refused = need_editor(ctx, e.unit)) return *refused;
  auto body = read_body<override_body>(ctx);
  if (!body) return error_response(body.error());
  auto changes = occurrence_changes_of(std::move(*body), e.all_day);
  if (!changes) return error_response(changes.error());
  auto o = usecases::occurrence_override_of(e, key, *changes);
  if (!o) return error_response(problem_of(o.error()));
  auto changed = usecases::change_occurrence(ctx.use(), e, std::move(*o), ctx.who().actor());
  if (!changed) return error_response(problem_of(changed.error()));
  auto found_again = calendar::find_occurrence(*changed, key);
  if (!found_again) return error_response({404, "not_found", "no such occurrence", {}});
  auto out = occurrence_json(*changed, *found_again, ctx.store().occupancy_of(changed->id, key));
  out["warnings"] = warnings_of(ctx.store(), *changed, ctx.now(), &key);
  return json_response(200, out);
}

http_response attendees(const request_context& ctx, const route_params& p) {
  auto found = occurrence_of(ctx, p);
  if (!found) return error_response(found.error());
  const auto& [e, key] = *found;
  if (auto refused = need_editor_or_host(ctx, e)) return *refused;
  // A host sees who comes by name; addresses only the unit's responsibles and admins.
  const bool editor = ctx.store().may_edit(ctx.who().actor(), e.unit);
  json::array out;
  for (const auto& a : ctx.store().attendees(e.id, key)) {
    auto item = rsvp_json(a.rsvp);
    item["person"] = a.who.id.value;  // what PUT .../attendance names in "came"
    item["name"] = a.who.name;
    if (editor) item["email"] = a.who.email;
    out.emplace_back(std::move(item));
  }
  return json_response(
      200, json::object{{"event", e.id.value},
                        {"key", key.to_string()},
                        {"occupancy", occupancy_json(ctx.store().occupancy_of(e.id, key))},
                        {"attendees", std::move(out)}});
}

/// POST .../split: "this and all later dates" of a series, changed by the body's fields.
http_response split(const request_context& ctx, const route_params& p) {
  auto found = occurrence_of(ctx, p);
  if (!found) return error_response(found.error());
  const auto& [e, key] = *found;
  if (auto refused = need_editor(ctx, e.unit)) return *refused;
  auto body = read_body<event_body>(ctx);
  if (!body) return error_response(body.error());
  const bool all_day = body->changes.all_day.value_or(e.all_day);
  auto changes = event_changes_of(std::move(*body), all_day);
  if (!changes) return error_response(changes.error());
  auto changed = usecases::change_from(ctx.use(), e, key, *changes, ctx.who().actor());
  if (!changed) return error_response(problem_of(changed.error()));
  const auto slug = slug_of(ctx, e);
  return json_response(
      200, json::object{
               {"old", event_json(changed->first, slug,
                                  usecases::status_of(ctx.store(), changed->first, ctx.now()))},
               {"new", event_json(changed->second, slug,
                                  usecases::status_of(ctx.store(), changed->second, ctx.now()))},
               {"warnings", warnings_of(ctx.store(), changed->second, ctx.now())}});
}

/// POST .../message: a responsible's (or the host's) message to everyone going to or waiting
/// for the occurrence.
http_response message(const request_context& ctx, const route_params& p) {
  auto found = occurrence_of(ctx, p);
  if (!found) return error_response(found.error());
  const auto& [e, key] = *found;
  if (auto refused = need_editor_or_host(ctx, e)) return *refused;
  auto body = read_body<message_body>(ctx);
  if (!body) return error_response(body.error());
  auto subject = usecases::message_subject(body->subject);
  if (!subject) return error_response(problem_of(subject.error()));
  auto text = usecases::message_body(body->body);
  if (!text) return error_response(problem_of(text.error()));
  auto sent = usecases::message_attendees(ctx.use(), e, key, *ctx.who().who, *subject, *text);
  if (!sent) return error_response(problem_of(sent.error()));
  return json_response(
      202, json::object{{"event", e.id.value}, {"key", key.to_string()}, {"recipients", *sent}});
}

}  // namespace treffpunkt::server::api_occurrences
