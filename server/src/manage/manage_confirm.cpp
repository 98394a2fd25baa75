// /manage/events/{id}/confirm: "still happening?" (usecases/series_confirmations.h). The link
// of the mail that asks a unit's responsibles whether a series still takes place opens this
// page; seeing it changes nothing (mail scanners open links), its button (a POST with the CSRF
// token, checked by the area) confirms. For the unit's responsibles and admins, as every
// /manage page; an anonymous visitor logs in and comes back here.
#include <usecases/series_confirmations.h>
#include <web/confirm_pages.h>

#include "../pages/page_views.h"
#include "../request_context.h"
#include "../responses.h"
#include "manage_handlers.h"

namespace treffpunkt::server {
namespace {

date::local_days local_day(calendar::utc_seconds t, std::string_view zone) {
  return date::floor<date::days>(calendar::to_local(t, zone));
}

/// The page of series `e` of unit `u`, answered with `status`.
http_response confirm_page(const request_context& ctx, const calendar::unit& u,
                           const calendar::event& e, unsigned status, bool confirmed_now) {
  web::confirm_series_view v;
  v.unit = summary(u);
  v.event = e.id;
  v.title = e.title;
  v.rule = rule_words(e, ctx.lang());
  const auto stamps = ctx.store().series_confirmation_of(e.id);
  if (!stamps) return not_found(ctx);
  const auto state = usecases::status_of(e, u, *stamps, ctx.now());
  v.since = local_day(state.confirmed, e.zone);
  if (state.asked) v.asked = local_day(*state.asked, e.zone);
  v.unconfirmed = state.unconfirmed_since.has_value();
  v.open = usecases::asked_about(e, u, ctx.now());
  if (v.open) {
    for (const auto& o : usecases::next_dates(e, ctx.now(), 5)) {
      v.next.push_back(make_session(e, u, o));
    }
  }
  v.confirmed_now = confirmed_now;
  v.csrf = ctx.csrf_token();
  return manage_html(ctx, status, web::render_confirm_series(page_context_of(ctx), v));
}

}  // namespace

web::unconfirmed_flag unconfirmed_flag_of(const usecases::unconfirmed_series& s) {
  return {s.event.id, s.event.title, s.unit.name, local_day(s.asked, s.event.zone)};
}

namespace manage_confirm {

http_response page(const request_context& ctx, const route_params& p) {
  auto found = editable_event(ctx, p);
  if (auto* refused = std::get_if<http_response>(&found)) return std::move(*refused);
  const auto& [u, e] = std::get<event_in_unit>(found);
  if (!e.is_series()) return not_found(ctx);  // one-off events are never asked about
  return confirm_page(ctx, u, e, 200, ctx.plain_query("done") == "confirmed");
}

http_response confirm(const request_context& ctx, const route_params& p) {
  auto found = editable_event(ctx, p);
  if (auto* refused = std::get_if<http_response>(&found)) return std::move(*refused);
  const auto& [u, e] = std::get<event_in_unit>(found);
  if (!e.is_series()) return not_found(ctx);
  const auto done = usecases::confirm_series(ctx.use(), e.id, manager_actor(ctx));
  if (!done) {
    // Cancelled, without dates to come, or of an archived unit: the page says so.
    if (done.error().code == storage::errc::conflict) return confirm_page(ctx, u, e, 409, false);
    return store_error(ctx, done.error());
  }
  return see_other("/manage/events/" + std::to_string(e.id.value) + "/confirm?done=confirmed");
}

}  // namespace manage_confirm
}  // namespace treffpunkt::server
