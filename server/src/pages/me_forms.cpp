// The forms of /me (reminders, notices, a new feed link, deleting the account) and the unit
// page's follow button: POSTs with a CSRF token, answered by a redirect or the page again.
#include <usecases/people.h>
#include <web/pages.h>

#include <algorithm>
#include <charconv>

#include "../problem.h"
#include "../request_context.h"
#include "../responses.h"
#include "../services.h"
#include "fetch_views.h"
#include "page_handlers.h"
#include "page_views.h"

namespace treffpunkt::server {
namespace {

/// The member's page with `notice`; `new_feed_url`: a feed link made just now, shown once.
http_response me_page(const request_context& ctx, unsigned status, web::me_notice notice,
                      std::optional<std::string> new_feed_url = std::nullopt) {
  page_builder build{ctx.store(), ctx.now()};
  auto v = build.me(*ctx.member(), ctx.csrf_token());
  v.notice = notice;
  if (new_feed_url) v.new_feed = web::feed_link{std::move(*new_feed_url)};
  v.feed_fetched = personal_feed_fetched(ctx, *ctx.member());
  auto page = page_context_of(ctx);
  page.path = "/me";
  ctx.app().pages.count_render();
  return personal_html(status, web::render_me(page, v), page.lang);
}

/// The member's page saying that a form's CSRF token was wrong (403), with a valid one.
http_response me_csrf_refused(const request_context& ctx) {
  // A fresh token (and cookie) in the page shown again, so that sending it once more works.
  auto r = me_page(ctx, 403, web::me_notice::csrf);
  ctx.set_csrf_cookie(r);
  return r;
}

}  // namespace

namespace me_forms {

http_response follow(const request_context& ctx, const route_params& p) {
  const auto u = ctx.store().unit_by_slug(p["slug"]);
  if (!u) return not_found_page(ctx);
  const std::string unit_path = "/units/" + u->slug;
  if (!ctx.member()) return to_login(unit_path);
  const bool to_me = ctx.form("back") == "me";
  if (!ctx.csrf_valid()) {
    http_response r;
    if (to_me) {
      r = me_page(ctx, 403, web::me_notice::csrf);
    } else {
      auto page = page_context_of(ctx);
      page.path = unit_path;
      const auto follows = ctx.store().follows(ctx.member()->id);
      const web::follow_state f{std::find(follows.begin(), follows.end(), u->id) != follows.end(),
                                ctx.csrf_token(), true};
      const auto here = date::year_month_day{
          date::floor<date::days>(calendar::to_local(ctx.now(), calendar::default_zone))};
      page_builder build{ctx.store(), ctx.now()};
      r = personal_html(403, build.unit(page, u->slug, here.year() / here.month(), f).value_or(""),
                        page.lang);
    }
    ctx.set_csrf_cookie(r);
    return r;
  }
  const bool on = ctx.form("follow") != "0";
  if (auto done = ctx.store().set_follow(ctx.member()->id, u->id, on); !done) {
    return http_response::text(503, "unavailable\n");
  }
  if (to_me) return see_other(on ? "/me" : "/me?done=unfollowed");
  return see_other(unit_path);
}

http_response reminders(const request_context& ctx, const route_params&) {
  if (!ctx.member()) return to_login("/me");
  if (!ctx.csrf_valid()) return me_csrf_refused(ctx);
  std::vector<std::chrono::minutes> before;
  for (const auto& raw : ctx.form_values("before")) {
    int minutes = 0;
    const auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), minutes);
    if (raw.empty() || ec != std::errc{} || end != raw.data() + raw.size()) {
      return me_page(ctx, 422, web::me_notice::reminders_invalid);
    }
    before.emplace_back(minutes);
  }
  // The reminders already queued follow the choice, in its transaction.
  if (auto done = usecases::set_reminders(ctx.use(), ctx.member()->id, std::move(before)); !done) {
    const bool invalid = problem_of(done.error()).status == 422;
    return me_page(ctx, invalid ? 422 : 503, web::me_notice::reminders_invalid);
  }
  return see_other("/me?done=reminders");
}

http_response notices(const request_context& ctx, const route_params&) {
  if (!ctx.member()) return to_login("/me");
  if (!ctx.csrf_valid()) return me_csrf_refused(ctx);
  const bool on = ctx.form("notices") != "0";
  if (auto done = ctx.store().set_notices(ctx.member()->id, on); !done) {
    return http_response::text(503, "unavailable\n");
  }
  return see_other("/me?done=notices");
}

/// The lag notices' checkbox (usecases/lag_notices.h): ticked is on, left empty off (a
/// checkbox that is not ticked sends nothing).
http_response lag_notices(const request_context& ctx, const route_params&) {
  if (!ctx.member()) return to_login("/me");
  if (!ctx.csrf_valid()) return me_csrf_refused(ctx);
  const bool on = ctx.form("lag_notices") == "1";
  if (auto done = ctx.store().set_lag_notices(ctx.member()->id, on); !done) {
    return http_response::text(503, "unavailable\n");
  }
  return see_other("/me?done=notices");
}

http_response rotate_feed(const request_context& ctx, const route_params&) {
  if (!ctx.member()) return to_login("/me");
  if (!ctx.csrf_valid()) return me_csrf_refused(ctx);
  // The same as the API's POST /me/feed/rotate. The secret is stored hashed: this answer is
  // the only time its link can be shown, so it is the page itself, not a redirect.
  const auto secret = usecases::new_feed_secret(ctx.use(), ctx.member()->id);
  return me_page(ctx, 200, web::me_notice::none,
                 std::string(ctx.base_url()) + usecases::personal_feed_path(secret.raw));
}

/// "Konto löschen" on /me: the ticked confirmation and the CSRF token, then the same as the
/// API's DELETE /me (usecases::delete_account). The session is gone with the account; the
/// cookie is cleared and the browser goes to the home page.
http_response delete_account(const request_context& ctx, const route_params&) {
  if (!ctx.member()) return to_login("/me");
  if (!ctx.csrf_valid()) return me_csrf_refused(ctx);
  if (ctx.form("confirm") != "yes") {
    return me_page(ctx, 422, web::me_notice::delete_unconfirmed);
  }
  const auto me = ctx.member()->id;
  if (auto done = usecases::delete_account(ctx.use(), me, storage::actor::of(me)); !done) {
    if (problem_of(done.error()).code == "conflict") {
      return me_page(ctx, 409, web::me_notice::delete_last_admin);
    }
    return http_response::text(503, "unavailable\n");
  }
  auto r = see_other("/");
  r.headers.emplace_back("Set-Cookie", clear_session_cookie(ctx.base_url()));
  return r;
}

}  // namespace me_forms
}  // namespace treffpunkt::server
