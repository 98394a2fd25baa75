// /api/v1/me...: the caller's account, data, reminder and notice choices, personal feed link,
// and deleting the account.
#include <usecases/people.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "../request_context.h"
#include "../responses.h"
#include "api_bodies.h"
#include "api_handlers.h"
#include "api_shapes.h"

namespace treffpunkt::server::api_me {
namespace json = boost::json;

namespace {

/// webcal:// is what phones and desktop calendar apps open as "subscribe".
std::string webcal(std::string_view url) {
  const auto colon = url.find("://");
  return "webcal" + std::string(url.substr(colon == std::string_view::npos ? 0 : colon));
}

json::object feed_json(const request_context& ctx, const storage::issued_token& secret) {
  const std::string path = usecases::personal_feed_path(secret.raw);
  const std::string url = std::string(ctx.base_url()) + path;
  return json::object{{"path", path},    {"url", url},  {"webcal", webcal(url)},
                      {"id", secret.id}, {"new", true}, {"created", utc_text(ctx.now())}};
}

}  // namespace

http_response get(const request_context& ctx, const route_params&) {
  if (auto refused = need_person(ctx)) return *refused;
  const auto& p = *ctx.who().who;
  auto& store = ctx.store();
  json::array follows;
  for (const auto id : store.follows(p.id)) {
    if (const auto u = store.unit_by_id(id)) follows.emplace_back(u->slug);
  }
  json::array responsible_for;
  for (const auto& u : store.units()) {
    const auto people = store.responsibles(u.id);
    if (std::any_of(people.begin(), people.end(),
                    [&](const storage::person& r) { return r.id == p.id; })) {
      responsible_for.emplace_back(u.slug);
    }
  }
  json::array rsvps;
  for (const auto& r : store.rsvps_of_person(p.id)) {
    auto item = rsvp_json(r);
    if (const auto e = store.event_by_id(r.event)) item["title"] = e->title;
    rsvps.emplace_back(std::move(item));
  }
  return json_response(200, json::object{{"id", p.id.value},
                                         {"name", p.name},
                                         {"email", p.email},
                                         {"language", p.language},
                                         {"admin", p.admin},
                                         {"notices", p.notices},
                                         {"lag_notices", store.lag_notices(p.id)},
                                         {"responsible_for", std::move(responsible_for)},
                                         {"follows", std::move(follows)},
                                         {"rsvps", std::move(rsvps)}});
}

/// Deletes the caller's account (usecases::delete_account): their sessions, tokens and feed
/// links end with it, so the cookie is cleared too.
http_response remove(const request_context& ctx, const route_params&) {
  if (auto refused = need_person(ctx)) return *refused;
  if (auto done = usecases::delete_account(ctx.use(), ctx.who().who->id, ctx.who().actor());
      !done) {
    return error_response(problem_of(done.error()));
  }
  auto r = json_response(200, json::object{{"deleted", true}});
  r.headers.emplace_back("Set-Cookie", clear_session_cookie(ctx.base_url()));
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

/// All data about the caller (store::export_person_json), as a file to keep.
http_response data(const request_context& ctx, const route_params&) {
  if (auto refused = need_person(ctx)) return *refused;
  auto data = ctx.store().export_person_json(ctx.who().who->id);
  if (!data) return error_response(problem_of(data.error()));
  auto r = http_response::text(200, *data + "\n", "application/json");
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"treffpunkt-meine-daten.json\"");
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

http_response reminders(const request_context& ctx, const route_params&) {
  if (auto refused = need_person(ctx)) return *refused;
  const auto me = ctx.who().who->id;
  json::array minutes;
  for (const auto m : ctx.store().reminder_offsets(me)) minutes.emplace_back(m.count());
  return json_response(200, json::object{{"reminders", std::move(minutes)},
                                         {"chosen", ctx.store().has_reminder_choice(me)}});
}

http_response set_reminders(const request_context& ctx, const route_params& p) {
  if (auto refused = need_person(ctx)) return *refused;
  auto body = read_body<reminders_body>(ctx);
  if (!body) return error_response(body.error());
  std::vector<std::chrono::minutes> before;
  for (const auto m : body->minutes) before.emplace_back(m);
  // The reminders already queued follow the choice, in its transaction.
  if (auto done = usecases::set_reminders(ctx.use(), ctx.who().who->id, std::move(before)); !done) {
    return error_response(problem_of(done.error()));
  }
  return reminders(ctx, p);
}

/// Whether the caller gets notices of changed or cancelled sessions and the responsibles'
/// messages (off after a one-click unsubscribe, as on /me), and the lag notices: changes at short
/// notice of the sessions of units they follow, when their calendar app fetches their feed late
/// (usecases/lag_notices.h; only while notices are on).
http_response notices(const request_context& ctx, const route_params&) {
  if (auto refused = need_person(ctx)) return *refused;
  const auto& me = *ctx.who().who;
  return json_response(
      200, json::object{{"notices", me.notices}, {"lag_notices", ctx.store().lag_notices(me.id)}});
}

http_response set_notices(const request_context& ctx, const route_params&) {
  if (auto refused = need_person(ctx)) return *refused;
  auto body = read_body<notices_body>(ctx);
  if (!body) return error_response(body.error());
  const auto me = ctx.who().who->id;
  if (body->notices) {
    if (auto done = ctx.store().set_notices(me, *body->notices); !done) {
      return error_response(problem_of(done.error()));
    }
  }
  if (body->lag_notices) {
    if (auto done = ctx.store().set_lag_notices(me, *body->lag_notices); !done) {
      return error_response(problem_of(done.error()));
    }
  }
  const auto now = ctx.store().person_by_id(me);
  return json_response(200, json::object{{"notices", now ? now->notices : false},
                                         {"lag_notices", ctx.store().lag_notices(me)}});
}

/// The feed's link. The store keeps only a secret's hash, so the link can be shown only when the
/// secret is made: on the first call. Later calls say that there is one ("url": null); POST
/// .../rotate makes a new one (and the old link stops working).
http_response feed(const request_context& ctx, const route_params&) {
  if (auto refused = need_person(ctx)) return *refused;
  const auto me = ctx.who().who->id;
  const auto existing = ctx.store().list_tokens(me, storage::token_kind::feed, ctx.now());
  if (!existing.empty()) {
    return json_response(200, json::object{{"path", nullptr},
                                           {"url", nullptr},
                                           {"webcal", nullptr},
                                           {"id", existing.front().id},
                                           {"new", false},
                                           {"created", utc_text(existing.front().created)}});
  }
  const auto secret =
      ctx.store().issue_token(storage::token_kind::feed, me, usecases::feed_secret_ttl, ctx.now());
  return json_response(200, feed_json(ctx, secret));
}

http_response rotate_feed(const request_context& ctx, const route_params&) {
  if (auto refused = need_person(ctx)) return *refused;
  // What the "me" page's "make a new link" does too.
  return json_response(200,
                       feed_json(ctx, usecases::new_feed_secret(ctx.use(), ctx.who().who->id)));
}

}  // namespace treffpunkt::server::api_me
