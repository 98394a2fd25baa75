// The feeds (/calendar.ics, /units/{slug}.ics, /events/{id}.ics, /feeds/{secret}.ics),
// /healthz and /metrics; and the answers to paths of no area. A cached feed is answered from
// memory with its prebuilt head: this is the hot path.
#include <calendar/client.h>  // classify_client
#include <calendar/event.h>   // parse_event_kind
#include <calendar/text.h>    // is_base64url
#include <storage/fetches.h>

#include "../request_context.h"
#include "../request_log.h"  // log_failure
#include "../responses.h"
#include "../routes.h"
#include "../services.h"
#include "feed_response.h"

namespace treffpunkt::server {
namespace {

/// What `?kind=` asks a feed for: every kind (no such parameter), one kind, or, for a value
/// that names none, nothing (`valid` false: 400). A feed without a query, as calendar apps
/// ask for it, pays one comparison for this.
struct kind_query {
  bool valid = true;
  kind_filter kind;
};

kind_query kind_of(const request_context& ctx) {
  if (ctx.raw_query().empty()) return {};
  const auto value = ctx.query("kind");
  if (!value) return {};
  const auto kind = calendar::parse_event_kind(*value);
  return {kind.has_value(), kind};
}

http_response bad_kind() {
  return http_response::text(400, "kind must be meeting or exchange_offer\n");
}

/// The feed's answer (200 or 304), counted for `feed` by the family of the app that asked: in
/// memory per day (usecases/feed_fetches.h, written in batches) and in /metrics. The
/// User-Agent is read here and kept nowhere. Refusals (400, 404, 410) are not fetches.
http_response counted(const request_context& ctx, const storage::feed_ref& feed,
                      const rendered& r) {
  auto answer = answer_feed(ctx.request(), r);
  const auto family = calendar::classify_client(ctx.request().user_agent);
  const bool not_modified = answer.status == 304;
  ctx.app().fetches.count(feed, family, not_modified, ctx.now());
  ctx.app().counts->record_feed_fetch(family, not_modified);
  return answer;
}

/// A feed the store cannot give right now, with none served before to fall back on (the caches
/// serve what they served last when the store fails): 503 with Retry-After, which calendar
/// apps take as "try again later", rather than the catch-all's 500.
template <class F>
http_response or_unavailable(const request_context& ctx, F&& answer) {
  try {
    return std::forward<F>(answer)();
  } catch (const std::exception& e) {
    log_failure(ctx.request(), e.what());
    auto r = http_response::text(503, "the calendar is not available right now; try again later\n");
    r.headers.emplace_back("Retry-After", "120");
    return r;
  }
}

http_response all_units(const request_context& ctx, const route_params&) {
  return or_unavailable(ctx, [&] {
    const auto filter = kind_of(ctx);
    if (!filter.valid) return bad_kind();
    return counted(ctx, storage::feed_ref::all_units(),
                   *ctx.site_of().all_units_feed(ctx.path(), filter.kind, ctx.now()));
  });
}

http_response unit(const request_context& ctx, const route_params& p) {
  return or_unavailable(ctx, [&] {
    const auto filter = kind_of(ctx);
    if (!filter.valid) return bad_kind();
    const auto feed = ctx.site_of().unit_feed(ctx.path(), p["slug"], filter.kind, ctx.now());
    if (!feed) return not_found_text();
    if (feed->gone_from && ctx.now() >= *feed->gone_from) {
      return http_response::text(410, "this unit was archived; its calendar has ended\n");
    }
    return counted(ctx, storage::feed_ref::of(feed->unit), *feed);
  });
}

http_response event(const request_context& ctx, const route_params& p) {
  return or_unavailable(ctx, [&] {
    const auto id = parse_id(p["id"]);
    const auto feed =
        id ? ctx.site_of().event_feed(ctx.path(), calendar::event_id{*id}, ctx.now()) : nullptr;
    if (!feed) return not_found_text();
    return counted(ctx, storage::feed_ref::of(calendar::event_id{*id}), *feed);
  });
}

/// A member's personal feed, behind its secret; an unknown or rotated secret is 404, the same
/// answer as for anything else, so that a guess learns nothing.
http_response personal(const request_context& ctx, const route_params& p) {
  return or_unavailable(ctx, [&] {
    const auto secret = p["secret"];
    if (secret.size() > 128 || !calendar::is_base64url(secret)) return not_found_text();
    const auto who = ctx.store().redeem_token(storage::token_kind::feed, secret, ctx.now());
    if (!who) return not_found_text();
    // After the secret: a wrong one is 404 whatever the query says.
    const auto filter = kind_of(ctx);
    if (!filter.valid) return bad_kind();
    return counted(ctx, storage::feed_ref::of(who->id),
                   *ctx.app().personal.feed_of(*who, filter.kind, ctx.now()));
  });
}

/// Calendar apps that ask robots.txt before they fetch a subscribed feed (Google Calendar's
/// importer does, and gives up on a feed it is told to leave alone) may fetch every feed, the
/// personal ones too: their secret guards them, not this file. Crawlers may read the public
/// pages (a unit wants to be found) and the public feeds, nothing behind a login or a link
/// from a mail, and no personal feed.
constexpr std::string_view robots_txt =
    "# treffpunkt: calendar apps may fetch every feed; crawlers only the public pages.\n"
    "User-agent: Google-Calendar-Importer\n"
    "Allow: /\n"
    "\n"
    "User-agent: *\n"
    "Disallow: /admin\n"
    "Disallow: /api/\n"
    "Disallow: /feeds/\n"
    "Disallow: /login\n"
    "Disallow: /logout\n"
    "Disallow: /manage\n"
    "Disallow: /me\n"
    "Disallow: /rsvp/\n"
    "Disallow: /unsubscribe/\n"
    "Disallow: /wishes/\n"
    "Disallow: /units/*/propose\n"
    "Disallow: /units/*/wishes\n";

http_response robots(const request_context&, const route_params&) {
  auto r = http_response::text(200, std::string(robots_txt));
  r.headers.emplace_back("Cache-Control", "public, max-age=86400");
  return r;
}

http_response healthz(const request_context&, const route_params&) {
  return http_response::text(200, "ok\n");
}

/// Request counts per route are nobody else's business: this machine (a Prometheus next to it)
/// by default. Behind a trusted proxy the address is the proxy's client's.
http_response metrics_page(const request_context& ctx, const route_params&) {
  if (!ctx.app().options.metrics_from.contains(ctx.request().remote_address)) {
    return http_response::text(403,
                               "metrics are not served to this address (see --metrics-from)\n");
  }
  // One COUNT query per scrape: cheap next to a scrape interval of seconds.
  const auto durability = ctx.store().durability();
  return http_response::text(
      200,
      ctx.app().counts->render(ctx.app().cache(), ctx.store().outbox_depth(), durability.commits,
                               durability.writes, durability.syncs),
      "text/plain; version=0.0.4");
}

}  // namespace

area feed_routes() {
  return {
      "feeds",
      {},
      {
          {"GET", "/calendar.ics", all_units},
          {"GET", "/units/{slug}.ics", unit},
          {"GET", "/events/{id}.ics", event},
          {"GET", "/feeds/{secret}.ics", personal},
          {"GET", "/robots.txt", robots},
          {"GET", "/healthz", healthz},
          {"GET", "/metrics", metrics_page},
      },
      text_not_found,
      text_method_not_allowed,
  };
}

}  // namespace treffpunkt::server
