// GET of the member pages ("/", /units/{slug}, /events/{id}, /events/{id}/{occurrence},
// /me) and the static files.
#include <web/assets.h>
#include <web/month.h>
#include <web/pages.h>

#include <algorithm>
#include <array>

#include "../request_context.h"
#include "../responses.h"
#include "../services.h"
#include "fetch_views.h"
#include "page_handlers.h"
#include "page_views.h"

namespace treffpunkt::server {
namespace {

/// Month views further away than this show the current month (and are not cached apart).
constexpr int month_range_years = 5;

/// The start of a page's cache key: everything the rendering depends on besides the path and
/// query, normalised (junk in the query string makes no new entries). Members' pages differ by
/// the header's links (set_viewer).
std::string cache_key(const request_context& ctx, const web::page_context& page) {
  const std::string_view viewer = !ctx.member()     ? " anonymous "
                                  : page.is_admin   ? " admin "
                                  : page.can_manage ? " responsible "
                                                    : " member ";
  return std::string(ctx.base_url()) + " " + std::string(web::tag(page.lang)) +
         std::string(viewer) + std::string(ctx.path());
}

}  // namespace

namespace {

/// The fields of a page's answer: page_answer's fields before add_security_headers.
http_response page_fields(web::language lang, bool has_forms) {
  http_response r;
  r.content_type = "text/html; charset=utf-8";
  r.headers.emplace_back("Content-Language", std::string(web::tag(lang)));
  r.headers.emplace_back("Vary", "Accept-Language, Cookie");
  r.headers.emplace_back("Cache-Control", has_forms ? "private, no-store" : "no-cache");
  return r;
}

/// The head of a page answered with 200, up to the fields that differ per request (the CSRF
/// cookie, the length): the status line and page_fields with the security headers, built once
/// per language and kind. A page then costs one string per request, not a list of fields and
/// their formatting on the socket side.
const std::string& page_head_start(web::language lang, bool has_forms) {
  static const auto heads = [] {
    std::array<std::array<std::string, 2>, 2> out;
    for (const auto l : {web::language::de, web::language::en}) {
      for (const bool forms : {false, true}) {
        auto r = page_fields(l, forms);
        add_security_headers(r);
        std::string head = "HTTP/1.1 200 OK\r\n";
        append_head_fields(head, r);
        out[static_cast<std::size_t>(l)][forms ? 1 : 0] = std::move(head);
      }
    }
    return out;
  }();
  return heads[static_cast<std::size_t>(lang)][has_forms ? 1 : 0];
}

}  // namespace

http_response page_answer(const request_context& ctx, std::shared_ptr<const std::string> html,
                          bool has_forms) {
  if (html && !ctx.lang_chosen()) {
    // The usual answer: the head in advance (http_response::prebuilt_head), from the start
    // kept per language and kind, the CSRF cookie when the visitor has none yet, the length.
    http_response cookie;
    if (has_forms) ctx.set_csrf_cookie(cookie);
    const std::string& start = page_head_start(ctx.lang(), has_forms);
    auto head = std::make_shared<std::string>();
    head->reserve(start.size() + 40 + (cookie.headers.empty() ? 0 : 200));
    *head += start;
    append_fields(*head, cookie.headers);
    *head += "Content-Length: ";
    *head += std::to_string(html->size());
    *head += "\r\n";
    http_response r;
    r.content_type.clear();
    r.body = std::move(html);
    r.prebuilt_head = std::move(head);
    return r;
  }
  auto r = page_fields(ctx.lang(), has_forms && html);
  if (html) {
    r.body = std::move(html);
    if (has_forms) ctx.set_csrf_cookie(r);
  } else {
    r.status = 404;
    r.body = std::make_shared<const std::string>(web::render_not_found(page_context_of(ctx)));
  }
  return remember_language(ctx, std::move(r));
}

http_response remember_language(const request_context& ctx, http_response r) {
  if (ctx.lang_chosen()) {
    // The switch was used: remember the choice for the pages that follow.
    r.headers.emplace_back(
        "Set-Cookie", cookie("lang", web::tag(ctx.lang()), std::chrono::days(365), "SameSite=Lax",
                             ctx.base_url()));
  }
  return r;
}

http_response not_found_page(const request_context& ctx) {
  return personal_html(404, web::render_not_found(page_context_of(ctx)), ctx.lang());
}

namespace member_pages {

http_response home(const request_context& ctx, const route_params&) {
  const auto page = page_context_of(ctx);
  page_builder build{ctx.store(), ctx.now()};
  return page_answer(
      ctx, ctx.app().pages.get(cache_key(ctx, page), ctx.now(), [&] { return build.home(page); }),
      false);
}

http_response unit(const request_context& ctx, const route_params& p) {
  auto page = page_context_of(ctx);
  page_builder build{ctx.store(), ctx.now()};
  const auto slug = p["slug"];
  const auto here = date::year_month_day{
      date::floor<date::days>(calendar::to_local(ctx.now(), calendar::default_zone))};
  const auto current = here.year() / here.month();
  auto month = web::parse_month(ctx.plain_query("month")).value_or(current);
  const auto months_away = (month.year() - current.year()).count();
  if (months_away > month_range_years || months_away < -month_range_years) month = current;
  if (month != current) page.query = "month=" + web::month_param(month);
  const std::string key = cache_key(ctx, page) + "?" + page.query;
  if (!ctx.member()) {
    return page_answer(
        ctx,
        ctx.app().pages.get(key, ctx.now(),
                            [&] { return build.unit(page, slug, month, std::nullopt); }),
        false);
  }
  // A member's page differs from the next member's (of the same kind: the header) only by the
  // follow button's state and the CSRF token: cached per state with an empty token, which is
  // filled in per request. (An unknown slug follows nothing and renders none: 404.)
  const bool following = ctx.app().members.follows(ctx.member()->id, slug);
  return page_answer(
      ctx,
      ctx.app().pages.get_with_csrf(
          key + (following ? " following" : " not following"), ctx.now(), ctx.csrf_token(),
          [&] {
            return build.unit(page, slug, month, web::follow_state{following, ""});
          }),
      true);
}

http_response event(const request_context& ctx, const route_params& p) {
  const auto id = parse_id(p["id"]);
  if (!id) return page_answer(ctx, nullptr, false);
  const auto page = page_context_of(ctx);
  page_builder build{ctx.store(), ctx.now()};
  return page_answer(
      ctx,
      ctx.app().pages.get(cache_key(ctx, page), ctx.now(),
                          [&] { return build.event(page, calendar::event_id{*id}); }),
      false);
}

http_response occurrence(const request_context& ctx, const route_params& p) {
  const auto id = parse_id(p["id"]);
  const auto key = calendar::occurrence_key::parse(p["key"]);
  const auto& csrf = ctx.csrf_token();
  if (!id || !key) return page_answer(ctx, nullptr, true);
  const auto page = page_context_of(ctx);
  page_builder build{ctx.store(), ctx.now()};
  std::optional<member_answer> mine;
  std::string state;
  const bool saved = ctx.member() && ctx.plain_query("rsvp") == "saved";
  if (ctx.member()) {
    // What the page shows of the member is their answer (member_answer) and their token: the
    // page is the same for every member (of the same kind: the header) in the same state, and
    // is cached per state with an empty token, filled in per request.
    mine = answer_from(ctx.app().members.rsvp_of(calendar::event_id{*id}, *key, ctx.member()->id));
    state = mine->key() + (saved ? " saved" : "");
  }
  return page_answer(
      ctx,
      ctx.app().pages.get_with_csrf(
          cache_key(ctx, page) + state, ctx.now(), csrf,
          [&] { return build.occurrence(page, calendar::event_id{*id}, *key, mine, "", saved); }),
      true);
}

http_response me(const request_context& ctx, const route_params&) {
  if (!ctx.member()) return remember_language(ctx, to_login("/me"));
  web::me_notice notice = web::me_notice::none;
  const auto flag = ctx.plain_query("done");
  if (flag == "reminders") notice = web::me_notice::reminders_saved;
  if (flag == "unfollowed") notice = web::me_notice::unfollowed;
  if (flag == "notices") notice = web::me_notice::notices_saved;
  // Their own page, kept for them alone: under their id (only their session finds it), with an
  // empty token filled in per request.
  const auto page = page_context_of(ctx);
  const auto& who = *ctx.member();
  page_builder build{ctx.store(), ctx.now()};
  // When and by which app their feed was last fetched: from the store and the counts still in
  // memory, whose number is in the key, so that a fetch shows at once.
  const auto fetched_key = ctx.app().fetches.held_fetches(storage::feed_ref::of(who.id), ctx.now());
  return page_answer(ctx,
                     ctx.app().pages.get_with_csrf(
                         cache_key(ctx, page) + " person=" + std::to_string(who.id.value) +
                             " notice=" + std::to_string(static_cast<int>(notice)) +
                             " held=" + std::to_string(fetched_key),
                         ctx.now(), ctx.csrf_token(),
                         [&] {
                           auto v = build.me(who, "");
                           v.notice = notice;
                           v.feed_fetched = personal_feed_fetched(ctx, who);
                           return std::optional<std::string>(web::render_me(page, v));
                         }),
                     true);
}

http_response static_file(const request_context& ctx, const route_params&) {
  const auto found = web::find_asset(ctx.path());
  if (!found) return not_found_text();
  auto r = http_response::text(200, std::string(found->body), std::string(found->content_type));
  r.headers.emplace_back("Cache-Control", std::string(web::asset_cache_control));
  return r;
}

}  // namespace member_pages
}  // namespace treffpunkt::server
