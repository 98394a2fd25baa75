// /manage and /manage/units/{slug}: the units a responsible may manage, and a unit's events.
#include <algorithm>

#include "../pages/page_views.h"
#include "../request_context.h"
#include "manage_handlers.h"

namespace treffpunkt::server::manage_units {

http_response home(const request_context& ctx, const route_params&) {
  web::manage_home_view v;
  v.admin = manager(ctx).admin;
  for (const auto& u : ctx.store().units()) {
    if (ctx.store().may_edit(manager_actor(ctx), u.id)) v.units.push_back(summary(u));
  }
  if (v.units.empty() && !v.admin) return forbidden(ctx);
  v.waiting_proposals = static_cast<int>(ctx.store().waiting_proposals(manager_actor(ctx)).size());
  return manage_html(ctx, 200, web::render_manage_home(page_context_of(ctx), v));
}

http_response unit(const request_context& ctx, const route_params& p) {
  auto found = editable_unit(ctx, p);
  if (auto* refused = std::get_if<http_response>(&found)) return std::move(*refused);
  const auto& u = std::get<calendar::unit>(found);
  web::manage_unit_view v;
  v.unit = summary(u);
  for (const auto& e : ctx.store().events_of_unit(u.id)) {
    web::managed_event m;
    m.id = e.id;
    m.title = e.title;
    m.rule = rule_words(e, ctx.lang());
    m.cancelled = e.status == calendar::event_status::cancelled;
    const auto next = calendar::expand(e, ctx.now(), ctx.now() + date::days{2 * 366});
    if (!next.empty()) m.next = make_session(e, u, next.front());
    v.events.push_back(std::move(m));
  }
  // Soonest next occurrence first; those without one (past, cancelled) after them.
  std::stable_sort(v.events.begin(), v.events.end(), [](const auto& a, const auto& b) {
    if (a.next.has_value() != b.next.has_value()) return a.next.has_value();
    return a.next && b.next && a.next->start < b.next->start;
  });
  return manage_html(ctx, 200, web::render_manage_unit(page_context_of(ctx), v));
}

}  // namespace treffpunkt::server::manage_units
