// /manage/proposals[/{id}]: the exchange offers members proposed to the units a responsible
// may edit (all for admins), and the page that decides one: approve with a date and places,
// ask for a change, or decline (usecases/offers.h, which mails the proposer).
#include <usecases/offers.h>
#include <web/markdown.h>
#include <web/offer_pages.h>

#include "../api/api_bodies.h"  // parse_local
#include "../pages/page_views.h"
#include "../problem.h"
#include "../request_context.h"
#include "../responses.h"
#include "manage_handlers.h"

namespace treffpunkt::server {
namespace {

std::string name_of(const request_context& ctx, storage::person_id id) {
  const auto p = ctx.store().person_by_id(id);
  if (!p) return {};
  return p->name.empty() ? p->email : p->name;
}

/// The proposal of {id} of a unit the manager may edit, and its unit, or the answer.
struct proposal_in_unit {
  calendar::unit unit;
  storage::proposal proposal;
};
std::variant<proposal_in_unit, http_response> editable_proposal(const request_context& ctx,
                                                                const route_params& p) {
  const auto id = parse_id(p["id"]);
  auto found = id ? ctx.store().proposal_by_id(storage::proposal_id{*id}) : std::nullopt;
  if (!found) return not_found(ctx);
  auto u = ctx.store().unit_by_id(found->unit);
  if (!u) return not_found(ctx);
  if (!ctx.store().may_edit(manager_actor(ctx), u->id)) return forbidden(ctx);
  return proposal_in_unit{std::move(*u), std::move(*found)};
}

web::manage_proposal_view proposal_view(const request_context& ctx, const proposal_in_unit& x) {
  const auto& p = x.proposal;
  const auto& d = p.draft;
  web::manage_proposal_view v;
  v.unit = summary(x.unit);
  v.id = p.id.value;
  v.state = std::string(storage::to_string(p.state));
  v.title = d.title;
  v.description_html = web::markdown_to_html(d.description);
  v.format = std::string(storage::to_string(d.format));
  v.location = d.location;
  v.online_url = d.online_url;
  v.duration_minutes =
      static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(d.duration).count());
  for (const auto t : d.dates) {
    v.dates.push_back({date::format("%Y-%m-%dT%H:%M", t), date::format("%Y-%m-%d", t),
                       date::format("%H:%M", t), web::format_date_time(t, ctx.lang())});
  }
  if (d.capacity) v.capacity = std::to_string(*d.capacity);
  v.proposer = name_of(ctx, p.proposer);
  v.show_host = d.show_host;
  if (d.wish) {
    if (const auto w = ctx.store().wish_by_id(*d.wish)) v.wish_text = w->text;
  }
  v.zone = x.unit.zone;
  // The approve form starts at the proposer's first date and places; "another date" starts
  // there too.
  v.start_choice = v.dates.empty() ? "other" : v.dates.front().value;
  if (!v.dates.empty()) {
    v.start_date = v.dates.front().date;
    v.start_time = v.dates.front().time;
  } else {
    v.start_time = "18:00";
  }
  v.approve_capacity = v.capacity;
  v.csrf = ctx.csrf_token();
  return v;
}

}  // namespace

namespace manage_proposals {

http_response list(const request_context& ctx, const route_params&) {
  web::manage_proposals_view v;
  for (const auto& p : ctx.store().waiting_proposals(manager_actor(ctx))) {
    const auto u = ctx.store().unit_by_id(p.unit);
    if (!u) continue;
    v.waiting.push_back(
        {p.id.value, summary(*u), p.draft.title, name_of(ctx, p.proposer), p.created});
  }
  const auto done = ctx.plain_query("done");
  if (done == "approved") v.notice = web::offer_text(ctx.lang(), "o_done_approved");
  if (done == "changes") v.notice = web::offer_text(ctx.lang(), "o_done_changes");
  if (done == "declined") v.notice = web::offer_text(ctx.lang(), "o_done_declined");
  return manage_html(ctx, 200, web::render_manage_proposals(page_context_of(ctx), v));
}

http_response page(const request_context& ctx, const route_params& p) {
  auto found = editable_proposal(ctx, p);
  if (auto* refused = std::get_if<http_response>(&found)) return std::move(*refused);
  const auto v = proposal_view(ctx, std::get<proposal_in_unit>(found));
  return manage_html(ctx, 200, web::render_manage_proposal(page_context_of(ctx), v));
}

http_response decide(const request_context& ctx, const route_params& p) {
  auto found = editable_proposal(ctx, p);
  if (auto* refused = std::get_if<http_response>(&found)) return std::move(*refused);
  const auto& x = std::get<proposal_in_unit>(found);
  const auto l = ctx.lang();
  auto v = proposal_view(ctx, x);
  usecases::decision_input in;
  in.decision = ctx.form_value("decision");
  in.message = ctx.form_value("message");
  std::erase(in.message, '\r');
  v.message = in.message;
  if (in.decision == "approve") {
    v.start_choice = ctx.form_value("start_choice");
    v.start_date = ctx.form_value("start_date");
    v.start_time = ctx.form_value("start_time");
    v.approve_capacity = ctx.form_value("capacity");
    // One of the suggested dates, or (also without a choice, as older forms sent) the typed one.
    const bool suggested = !v.start_choice.empty() && v.start_choice != "other";
    in.start = parse_local(suggested ? v.start_choice : v.start_date + "T" + v.start_time, false);
    if (!in.start) v.errors.push_back(web::offer_error(l, "start"));
    if (!v.approve_capacity.empty()) {
      const auto places = parse_id(v.approve_capacity);
      if (!places) v.errors.push_back(web::offer_error(l, "capacity"));
      if (places) in.capacity = *places;
    }
  }
  if (v.errors.empty()) {
    auto decision = usecases::decision_of(in, x.unit.zone, ctx.now());
    if (!decision) {
      v.errors.push_back(web::offer_error(l, decision.error().field));
    } else {
      auto decided =
          usecases::decide_proposal(ctx.use(), x.proposal.id, manager_actor(ctx), *decision);
      if (decided) {
        const char* done = in.decision == "approve"           ? "approved"
                           : in.decision == "request_changes" ? "changes"
                                                              : "declined";
        return see_other(std::string("/manage/proposals?done=") + done);
      }
      if (decided.error().code != storage::errc::conflict &&
          decided.error().code != storage::errc::invalid) {
        return store_error(ctx, decided.error());
      }
      v.errors.push_back(decided.error().code == storage::errc::conflict
                             ? web::field_error{"start", web::offer_text(l, "o_err_decided")}
                             : web::offer_error(l, decided.error().field));
    }
  }
  return manage_html(ctx, 422, web::render_manage_proposal(page_context_of(ctx), v));
}

}  // namespace manage_proposals
}  // namespace treffpunkt::server
