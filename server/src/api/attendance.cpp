// /api/v1/events/{id}/occurrences/{key}/attendance: who came to an occurrence, read and
// recorded by the unit's responsibles and admins, and by the offer's host (who sees names, not
// addresses, as of those coming).
#include <usecases/input.h>

#include <boost/json/object.hpp>

#include "../request_context.h"
#include "api_bodies.h"
#include "api_handlers.h"
#include "api_shapes.h"

namespace treffpunkt::server::api_attendance {

http_response get(const request_context& ctx, const route_params& p) {
  auto found = occurrence_of(ctx, p);
  if (!found) return error_response(found.error());
  const auto& [e, key] = *found;
  if (auto refused = need_editor_or_host(ctx, e)) return *refused;
  const bool editor = ctx.store().may_edit(ctx.who().actor(), e.unit);
  return json_response(200,
                       attendance_json(e.id, key, ctx.store().attendance_of(e.id, key), editor));
}

http_response put(const request_context& ctx, const route_params& p) {
  auto found = occurrence_of(ctx, p);
  if (!found) return error_response(found.error());
  const auto& [e, key] = *found;
  if (auto refused = need_editor_or_host(ctx, e)) return *refused;
  auto body = read_body<attendance_body>(ctx);
  if (!body) return error_response(body.error());
  std::vector<storage::person_id> came;
  came.reserve(body->came.size());
  for (const auto id : body->came) came.push_back(storage::person_id{id});
  std::vector<std::string> walk_ins;
  walk_ins.reserve(body->walk_ins.size());
  for (const auto& typed : body->walk_ins) {
    auto name = usecases::guest_name(typed);
    if (!name) {
      return error_response(
          {422, "invalid", "a walk-in's name is 1 to 100 characters on one line", "walk_ins"});
    }
    walk_ins.push_back(std::move(*name));
  }
  auto saved = ctx.store().set_attendance(e.id, key, came, walk_ins, ctx.who().actor(), ctx.now());
  if (!saved) return error_response(problem_of(saved.error()));
  const bool editor = ctx.store().may_edit(ctx.who().actor(), e.unit);
  return json_response(200, attendance_json(e.id, key, *saved, editor));
}

}  // namespace treffpunkt::server::api_attendance
