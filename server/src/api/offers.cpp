// /api/v1/units/{slug}/proposals, /api/v1/proposals/{id} and /api/v1/me/proposals: exchange
// offers members propose and the unit's responsibles decide (usecases/offers.h); and
// /api/v1/units/{slug}/wishes, /api/v1/wishes/{id}: what members wish someone offered.
#include <usecases/offers.h>

#include "../request_context.h"
#include "../responses.h"  // parse_id
#include "api_bodies.h"
#include "api_handlers.h"
#include "api_shapes.h"

namespace treffpunkt::server {
namespace {

namespace json = boost::json;

api_result<storage::proposal> proposal_of(const request_context& ctx, const route_params& p) {
  const auto id = parse_id(p["id"]);
  auto found = id ? ctx.store().proposal_by_id(storage::proposal_id{*id}) : std::nullopt;
  if (!found) return problem{404, "not_found", "no proposal " + std::string(p["id"]), {}};
  return std::move(*found);
}

std::string slug_of_unit(const request_context& ctx, calendar::unit_id u) {
  const auto unit = ctx.store().unit_by_id(u);
  return unit ? unit->slug : std::string();
}

std::string zone_of_unit(const request_context& ctx, calendar::unit_id u) {
  const auto unit = ctx.store().unit_by_id(u);
  return unit ? unit->zone : std::string(calendar::default_zone);
}

/// The proposal as shown to the caller: with the proposer's name for the unit's responsibles.
json::object shown(const request_context& ctx, const storage::proposal& p) {
  std::string name;
  if (ctx.who().who && ctx.store().may_edit(ctx.who().actor(), p.unit)) {
    const auto proposer = ctx.store().person_by_id(p.proposer);
    if (proposer) name = proposer->name.empty() ? proposer->email : proposer->name;
  }
  return proposal_json(p, slug_of_unit(ctx, p.unit), name);
}

/// 401 for anonymous callers; 404 for a proposal that is neither theirs nor of a unit they
/// may edit (whether it exists is nobody else's business).
std::optional<http_response> need_proposer_or_editor(const request_context& ctx,
                                                     const storage::proposal& p) {
  if (auto anonymous = need_person(ctx)) return anonymous;
  if (ctx.who().who->id == p.proposer) return std::nullopt;
  if (ctx.store().may_edit(ctx.who().actor(), p.unit)) return std::nullopt;
  return error_response({404, "not_found", "no such proposal", {}});
}

}  // namespace

namespace api_offers {

http_response propose(const request_context& ctx, const route_params& p) {
  auto u = unit_of(ctx, p);
  if (!u) return error_response(u.error());
  if (auto refused = need_person(ctx)) return *refused;
  auto body = read_body<proposal_body>(ctx);
  if (!body) return error_response(body.error());
  auto draft = usecases::offer_draft_of(body->offer, u->zone, ctx.now());
  if (!draft) return error_response(problem_of(draft.error()));
  auto made = ctx.store().propose_offer(u->id, ctx.who().who->id, std::move(*draft), ctx.now());
  if (!made) return error_response(problem_of(made.error()));
  return json_response(201, proposal_json(*made, u->slug));
}

http_response of_unit(const request_context& ctx, const route_params& p) {
  auto u = unit_of(ctx, p);
  if (!u) return error_response(u.error());
  if (auto refused = need_editor(ctx, u->id)) return *refused;
  json::array out;
  for (const auto& proposal : ctx.store().proposals_of_unit(u->id)) {
    out.emplace_back(shown(ctx, proposal));
  }
  return json_response(200, json::object{{"proposals", std::move(out)}});
}

http_response mine(const request_context& ctx, const route_params&) {
  if (auto refused = need_person(ctx)) return *refused;
  json::array out;
  for (const auto& proposal : ctx.store().proposals_of_person(ctx.who().who->id)) {
    out.emplace_back(proposal_json(proposal, slug_of_unit(ctx, proposal.unit)));
  }
  return json_response(200, json::object{{"proposals", std::move(out)}});
}

http_response get(const request_context& ctx, const route_params& p) {
  auto found = proposal_of(ctx, p);
  if (!found) return error_response(found.error());
  if (auto refused = need_proposer_or_editor(ctx, *found)) return *refused;
  return json_response(200, shown(ctx, *found));
}

http_response revise(const request_context& ctx, const route_params& p) {
  auto found = proposal_of(ctx, p);
  if (!found) return error_response(found.error());
  if (auto refused = need_person(ctx)) return *refused;
  auto body = read_body<proposal_body>(ctx);
  if (!body) return error_response(body.error());
  auto draft = usecases::offer_draft_of(body->offer, zone_of_unit(ctx, found->unit), ctx.now());
  if (!draft) return error_response(problem_of(draft.error()));
  auto revised =
      ctx.store().revise_proposal(found->id, ctx.who().who->id, std::move(*draft), ctx.now());
  if (!revised) return error_response(problem_of(revised.error()));
  return json_response(200, shown(ctx, *revised));
}

http_response withdraw(const request_context& ctx, const route_params& p) {
  auto found = proposal_of(ctx, p);
  if (!found) return error_response(found.error());
  if (auto refused = need_person(ctx)) return *refused;
  auto withdrawn = ctx.store().withdraw_proposal(found->id, ctx.who().who->id, ctx.now());
  if (!withdrawn) return error_response(problem_of(withdrawn.error()));
  return json_response(200, shown(ctx, *withdrawn));
}

http_response decide(const request_context& ctx, const route_params& p) {
  auto found = proposal_of(ctx, p);
  if (!found) return error_response(found.error());
  if (auto refused = need_editor(ctx, found->unit)) return *refused;
  auto body = read_body<decision_body>(ctx);
  if (!body) return error_response(body.error());
  auto decision = usecases::decision_of(body->decision, zone_of_unit(ctx, found->unit), ctx.now());
  if (!decision) return error_response(problem_of(decision.error()));
  auto decided = usecases::decide_proposal(ctx.use(), found->id, ctx.who().actor(), *decision);
  if (!decided) return error_response(problem_of(decided.error()));
  return json_response(200, shown(ctx, *decided));
}

}  // namespace api_offers

namespace api_wishes {

http_response of_unit(const request_context& ctx, const route_params& p) {
  auto u = unit_of(ctx, p);
  if (!u) return error_response(u.error());
  json::array out;
  for (const auto& w : ctx.store().open_wishes(u->id)) out.emplace_back(wish_json(w, u->slug));
  return json_response(200, json::object{{"wishes", std::move(out)}});
}

http_response post(const request_context& ctx, const route_params& p) {
  auto u = unit_of(ctx, p);
  if (!u) return error_response(u.error());
  if (auto refused = need_person(ctx)) return *refused;
  auto body = read_body<wish_body>(ctx);
  if (!body) return error_response(body.error());
  auto text = usecases::wish_text(body->text);
  if (!text) return error_response(problem_of(text.error()));
  auto made = ctx.store().post_wish(u->id, ctx.who().who->id, std::move(*text), ctx.now());
  if (!made) return error_response(problem_of(made.error()));
  return json_response(201, wish_json(*made, u->slug));
}

http_response close(const request_context& ctx, const route_params& p) {
  if (auto refused = need_person(ctx)) return *refused;
  const auto id = parse_id(p["id"]);
  if (!id) return error_response({404, "not_found", "no wish " + std::string(p["id"]), {}});
  auto closed = ctx.store().close_wish(storage::wish_id{*id}, ctx.who().actor(), ctx.now());
  if (!closed) return error_response(problem_of(closed.error()));
  return json_response(200, wish_json(*closed, slug_of_unit(ctx, closed->unit)));
}

}  // namespace api_wishes
}  // namespace treffpunkt::server
