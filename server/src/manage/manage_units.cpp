// /manage and /manage/units/{slug}: the units a responsible may manage, and a unit's events.
#include <algorithm>

#include "../pages/fetch_views.h"
#include "../pages/page_views.h"
#include "../request_context.h"
#include "../responses.h"
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
  for (const auto& s : usecases::unconfirmed_series_of(ctx.store(), u.id, ctx.now())) {
    v.unconfirmed.push_back(unconfirmed_flag_of(s));
  }
  // Soonest next occurrence first; those without one (past, cancelled) after them.
  std::stable_sort(v.events.begin(), v.events.end(), [](const auto& a, const auto& b) {
    if (a.next.has_value() != b.next.has_value()) return a.next.has_value();
    return a.next && b.next && a.next->start < b.next->start;
  });
  v.fetches = app_fetches_of(ctx, storage::feed_ref::of(u.id), web::unit_fetch_days, u.zone);
  return manage_html(ctx, 200, web::render_manage_unit(page_context_of(ctx), v));
}

namespace {

web::unit_edit_view edit_view(const request_context& ctx, const calendar::unit& u) {
  web::unit_edit_view v;
  v.unit = summary(u);
  v.name = u.name;
  v.description = u.description;
  v.zone = u.zone;
  v.contact = u.contact;
  v.admin = manager(ctx).admin;
  v.archived = u.archived;
  v.csrf = ctx.csrf_token();
  const auto done = ctx.plain_query("done");
  for (const std::string_view known : {"unit_saved", "archived", "unarchived"}) {
    if (done == known) v.notice = web::manage_text(ctx.lang(), "m_done_" + std::string(known));
  }
  return v;
}

}  // namespace

http_response edit_form(const request_context& ctx, const route_params& p) {
  auto found = editable_unit(ctx, p);
  if (auto* refused = std::get_if<http_response>(&found)) return std::move(*refused);
  const auto& u = std::get<calendar::unit>(found);
  return manage_html(ctx, 200, web::render_unit_edit(page_context_of(ctx), edit_view(ctx, u)));
}

http_response edit(const request_context& ctx, const route_params& p) {
  auto found = editable_unit(ctx, p);
  if (auto* refused = std::get_if<http_response>(&found)) return std::move(*refused);
  const auto& u = std::get<calendar::unit>(found);
  auto v = edit_view(ctx, u);
  v.notice.clear();
  auto changed = u;
  changed.description = ctx.form_value("description");
  std::erase(changed.description, '\r');
  v.description = changed.description;
  if (v.admin) {
    // A responsible's form has only the description: the rest stays as it is.
    v.name = changed.name = ctx.form_value("name");
    v.zone = changed.zone = ctx.form_value("zone");
    v.contact = changed.contact = ctx.form_value("contact");
  }
  auto saved = ctx.store().update_unit(changed, manager_actor(ctx));
  if (!saved) {
    if (saved.error().code != storage::errc::invalid) return store_error(ctx, saved.error());
    const auto& field = saved.error().field;
    const std::string key = field == "name"      ? "m_err_unit_name"
                            : field == "zone"    ? "m_err_zone"
                            : field == "contact" ? "m_err_contact"
                                                 : "m_err_invalid";
    v.errors.push_back({field.empty() ? "description" : field, web::manage_text(ctx.lang(), key)});
    return manage_html(ctx, 422, web::render_unit_edit(page_context_of(ctx), v));
  }
  return see_other("/manage/units/" + u.slug + "/edit?done=unit_saved");
}

http_response archive(const request_context& ctx, const route_params& p) {
  auto found = editable_unit(ctx, p);
  if (auto* refused = std::get_if<http_response>(&found)) return std::move(*refused);
  const auto& u = std::get<calendar::unit>(found);
  const bool archived = ctx.form_value("archived") == "1";
  auto done = ctx.store().set_archived(u.id, archived, manager_actor(ctx), ctx.now());
  if (!done) return store_error(ctx, done.error());
  return see_other("/manage/units/" + u.slug +
                   "/edit?done=" + (archived ? "archived" : "unarchived"));
}

}  // namespace treffpunkt::server::manage_units
