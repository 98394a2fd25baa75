// /api/v1/events/{id}/occurrences/{key}/rsvp (the caller's own) and .../guest-rsvp (without an
// account, pending until the emailed link is confirmed).
#include <usecases/input.h>
#include <usecases/rsvps.h>

#include <boost/json/object.hpp>

#include "../request_context.h"
#include "api_bodies.h"
#include "api_handlers.h"
#include "api_shapes.h"

namespace treffpunkt::server::api_rsvps {
namespace json = boost::json;

http_response get(const request_context& ctx, const route_params& p) {
  auto found = occurrence_of(ctx, p);
  if (!found) return error_response(found.error());
  const auto& [e, key] = *found;
  if (auto refused = need_person(ctx)) return *refused;
  const auto r = ctx.store().rsvp_of(e.id, key, ctx.who().who->id);
  if (!r) return error_response({404, "not_found", "no RSVP to this occurrence yet", {}});
  auto out = rsvp_json(*r);
  out["occupancy"] = occupancy_json(ctx.store().occupancy_of(e.id, key));
  return json_response(200, out);
}

http_response put(const request_context& ctx, const route_params& p) {
  auto found = occurrence_of(ctx, p);
  if (!found) return error_response(found.error());
  const auto& [e, key] = *found;
  if (auto refused = need_person(ctx)) return *refused;
  auto body = read_body<rsvp_body>(ctx);
  if (!body) return error_response(body.error());
  const auto& me = *ctx.who().who;
  if (auto limited = rate_limited(ctx, std::to_string(me.id.value))) return *limited;
  auto change = usecases::answer_rsvp(ctx.use(), e, key, me, body->answer);
  if (!change) return error_response(problem_of(change.error()));
  auto out = rsvp_json(change->rsvp);
  out["promoted"] = change->promoted.size();
  out["occupancy"] = occupancy_json(ctx.store().occupancy_of(e.id, key));
  return json_response(200, out);
}

/// POST .../guest-rsvp: anyone may ask; 202 whether or not a mail goes out (an address that has
/// answered already gets none), so that the answer tells nobody who comes.
http_response guest(const request_context& ctx, const route_params& p) {
  auto found = occurrence_of(ctx, p);
  if (!found) return error_response(found.error());
  const auto& [e, key] = *found;
  auto body = read_body<guest_rsvp_body>(ctx);
  if (!body) return error_response(body.error());
  const auto name = usecases::guest_name(body->name);
  if (!name) {
    return error_response({422, "invalid", "name must be 1 to 100 characters on one line", "name"});
  }
  const auto email = usecases::email_address(body->email);
  if (!email) {
    return error_response(
        {422, "invalid", "email must be a plain email address (ASCII, name@example.org)", "email"});
  }
  const auto answer = calendar::parse_rsvp_answer(body->answer);
  if (!answer) {
    return error_response({422, "invalid", "answer must be yes, no or maybe", "answer"});
  }
  // As RSVPs: per person (here: per address asked for, so that nobody's inbox is flooded) and
  // per client address.
  if (auto limited = rate_limited(ctx, "guest:" + *email)) return *limited;
  const std::string_view language = ctx.request().accept_language.starts_with("en") ? "en" : "de";
  auto pending = usecases::request_guest_rsvp(ctx.use(), e, key, *name, *email, *answer, language);
  calendar::utc_seconds expires = ctx.now() + usecases::guest_link_ttl;
  if (pending) {
    expires = pending->expires;
  } else if (pending.error().code != storage::errc::conflict) {
    return error_response(problem_of(pending.error()));
  }
  return json_response(202, json::object{{"pending", true}, {"expires", utc_text(expires)}});
}

}  // namespace treffpunkt::server::api_rsvps
