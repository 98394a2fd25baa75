// /manage/offers/{id}: the host's page of their exchange offer (and the unit's responsibles'):
// who comes, by name; a message to them; its texts, place and link; cancelling it. The store
// decides what a host may change (only those four texts, and cancelling); the writes go through
// the use cases, which tell the people coming.
#include <usecases/event_changes.h>
#include <usecases/events.h>
#include <usecases/input.h>
#include <web/offer_pages.h>

#include "../pages/page_views.h"
#include "../problem.h"
#include "../request_context.h"
#include "../responses.h"
#include "manage_handlers.h"

namespace treffpunkt::server {
namespace {

/// The offer of {id} with its unit, if the manager hosts it or may edit its unit.
std::variant<event_in_unit, http_response> hosted_event(const request_context& ctx,
                                                        const route_params& p) {
  const auto id = parse_id(p["id"]);
  auto e = id ? ctx.store().event_by_id(calendar::event_id{*id}) : std::nullopt;
  if (!e) return not_found(ctx);
  auto u = ctx.store().unit_by_id(e->unit);
  if (!u) return not_found(ctx);
  const auto host = ctx.store().host_of(e->id);
  const bool hosts = host && host->person == manager(ctx).id;
  if (!hosts && !ctx.store().may_edit(manager_actor(ctx), u->id)) return forbidden(ctx);
  return event_in_unit{std::move(*u), std::move(*e)};
}

web::host_event_view host_view(const request_context& ctx, const event_in_unit& x) {
  const auto& e = x.event;
  web::host_event_view v;
  v.unit = summary(x.unit);
  v.id = e.id;
  v.title = e.title;
  v.description = e.description;
  v.location = e.location;
  v.online_url = e.online_url;
  v.cancelled = e.status == calendar::event_status::cancelled;
  v.capacity = e.capacity;
  const auto start = calendar::to_utc(e.start, e.zone);
  const auto all = calendar::expand(e, start, start + e.duration + std::chrono::seconds(1));
  if (!all.empty()) {
    v.when = make_session(e, x.unit, all.front());
    if (!all.front().cancelled && all.front().start <= ctx.now()) {
      v.came_href = "/manage/events/" + std::to_string(e.id.value) + "/" +
                    all.front().key.to_string() + "/attendance";
    }
    for (const auto& a : ctx.store().attendees(e.id, all.front().key)) {
      const std::string name = a.who.name.empty() ? "–" : a.who.name;
      if (a.rsvp.state == storage::rsvp_state::going) v.going.push_back(name);
      if (a.rsvp.state == storage::rsvp_state::waitlisted) v.waitlist.push_back(name);
    }
  }
  v.csrf = ctx.csrf_token();
  const auto done = ctx.plain_query("done");
  const auto l = ctx.lang();
  if (done == "saved") v.notice = web::offer_text(l, "o_done_saved");
  if (done == "cancelled") v.notice = web::offer_text(l, "o_done_cancelled");
  if (done == "message") v.notice = web::offer_text(l, "o_done_message");
  return v;
}

http_response show(const request_context& ctx, const web::host_event_view& v, unsigned status) {
  return manage_html(ctx, status, web::render_host_event(page_context_of(ctx), v));
}

std::string back(const calendar::event& e, std::string_view done) {
  return "/manage/offers/" + std::to_string(e.id.value) + "?done=" + std::string(done);
}

}  // namespace

namespace host_pages {

http_response page(const request_context& ctx, const route_params& p) {
  auto found = hosted_event(ctx, p);
  if (auto* refused = std::get_if<http_response>(&found)) return std::move(*refused);
  return show(ctx, host_view(ctx, std::get<event_in_unit>(found)), 200);
}

http_response edit(const request_context& ctx, const route_params& p) {
  auto found = hosted_event(ctx, p);
  if (auto* refused = std::get_if<http_response>(&found)) return std::move(*refused);
  auto& x = std::get<event_in_unit>(found);
  auto v = host_view(ctx, x);
  usecases::event_changes c;
  c.title = ctx.form_value("title");
  c.description = ctx.form_value("description");
  std::erase(*c.description, '\r');
  c.location = ctx.form_value("location");
  c.online_url = ctx.form_value("online_url");
  v.title = *c.title;
  v.description = *c.description;
  v.location = *c.location;
  v.online_url = *c.online_url;
  const auto l = ctx.lang();
  auto edited = x.event;
  if (auto applied = usecases::apply_event_changes(edited, c, false); !applied) {
    v.errors.push_back(web::offer_error(l, applied.error().field));
    return show(ctx, v, 422);
  }
  auto changed = usecases::update_event(ctx.use(), std::move(edited), manager_actor(ctx));
  if (!changed) return store_error(ctx, changed.error());
  return see_other(back(x.event, "saved"));
}

http_response cancel(const request_context& ctx, const route_params& p) {
  auto found = hosted_event(ctx, p);
  if (auto* refused = std::get_if<http_response>(&found)) return std::move(*refused);
  const auto& x = std::get<event_in_unit>(found);
  auto cancelled = usecases::cancel_event(ctx.use(), x.event, manager_actor(ctx));
  if (!cancelled) return store_error(ctx, cancelled.error());
  return see_other(back(x.event, "cancelled"));
}

http_response message(const request_context& ctx, const route_params& p) {
  auto found = hosted_event(ctx, p);
  if (auto* refused = std::get_if<http_response>(&found)) return std::move(*refused);
  const auto& x = std::get<event_in_unit>(found);
  auto v = host_view(ctx, x);
  if (!v.when) return not_found(ctx);
  auto typed = read_message_form(ctx);
  v.subject = typed.subject;
  v.body = typed.body;
  v.errors = typed.errors;
  if (v.errors.empty()) {
    auto sent = usecases::message_attendees(ctx.use(), x.event, v.when->key, manager(ctx),
                                            typed.checked_subject, typed.checked_body);
    if (sent) return see_other(back(x.event, "message"));
    if (problem_of(sent.error()).status == 403) return forbidden(ctx);
    v.errors.push_back({"body", web::manage_text(ctx.lang(), "m_err_message_failed")});
  }
  return show(ctx, v, 422);
}

}  // namespace host_pages
}  // namespace treffpunkt::server
