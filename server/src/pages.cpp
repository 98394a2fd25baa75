#include "pages.h"

#include <calendar/expand.h>
#include <calendar/rsvp.h>
#include <usecases/input.h>
#include <usecases/people.h>
#include <usecases/rsvps.h>
#include <web/assets.h>
#include <web/i18n.h>
#include <web/link_pages.h>
#include <web/month.h>
#include <web/pages.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "auth.h"
#include "page_helpers.h"
#include "personal_feed.h"
#include "rate_limit.h"
#include "url_pairs.h"

namespace treffpunkt::server {
namespace {

using calendar::utc_seconds;

/// How far ahead the lists look.
constexpr auto home_window = date::days{60};
constexpr std::size_t home_sessions = 8;
constexpr auto unit_window = date::days{90};
constexpr std::size_t unit_sessions = 40;
constexpr auto event_window = date::days{366};
constexpr std::size_t event_sessions = 12;
/// Month views further away than this show the current month (and are not cached apart).
constexpr int month_range_years = 5;
/// Distinct pages kept; beyond that the cache starts over (a crawler cannot grow it forever).
constexpr std::size_t max_cached_pages = 4096;

std::string cookie(std::string_view name, std::string_view value, std::chrono::seconds max_age,
                   std::string_view attributes, std::string_view base_url) {
  std::string out = std::string(name) + "=" + std::string(value) +
                    "; Path=/; Max-Age=" + std::to_string(max_age.count()) + "; " +
                    std::string(attributes);
  if (base_url.starts_with("https://")) out += "; Secure";
  return out;
}

/// A query value that is plain (letters, digits, '-'): the only ones pages read.
std::string_view plain_query_value(std::string_view query, std::string_view name) {
  const auto raw = raw_pair_value(query, name);
  if (!raw || raw->size() > 16) return {};
  const bool plain = std::all_of(raw->begin(), raw->end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  });
  return plain ? *raw : std::string_view{};
}

/// The occurrences of the unit's events in [from, to), soonest first, at most `limit`.
std::vector<web::session> sessions_of(const calendar::unit& u,
                                      const std::vector<calendar::event>& events, utc_seconds from,
                                      utc_seconds to, std::size_t limit) {
  std::vector<std::pair<utc_seconds, web::session>> found;
  for (const auto& e : events) {
    for (const auto& o : calendar::expand(e, from, to)) {
      found.emplace_back(o.start, make_session(e, u, o));
    }
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<web::session> out;
  for (auto& [start, s] : found) {
    if (out.size() == limit) break;
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> responsible_names(storage::store& store, calendar::unit_id u) {
  std::vector<std::string> names;
  for (const auto& p : store.responsibles(u)) {
    if (!p.name.empty()) names.push_back(p.name);  // names only: never an address
  }
  return names;
}

/// A page's path split in segments after its first one: "/events/7/KEY" -> {"7", "KEY"}.
std::vector<std::string_view> rest_segments(std::string_view path, std::string_view prefix) {
  return split_segments(path.substr(prefix.size()));
}

std::optional<web::rsvp_status> status_of(storage::rsvp_state st) {
  switch (st) {
    case storage::rsvp_state::going:
      return web::rsvp_status::going;
    case storage::rsvp_state::waitlisted:
      return web::rsvp_status::waitlisted;
    case storage::rsvp_state::maybe:
      return web::rsvp_status::maybe;
    case storage::rsvp_state::not_going:
      return web::rsvp_status::not_going;
    case storage::rsvp_state::pending:
      return std::nullopt;
  }
  return std::nullopt;
}

/// Whether `s` is empty or white space only (a name field left empty).
bool trimmed_empty(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

/// A link token as treffpunkt makes them: base64url, of a sane length.
bool looks_like_token(std::string_view token) {
  return token.size() >= 20 && token.size() <= 128 &&
         std::all_of(token.begin(), token.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
         });
}

/// Whether the body is RFC 8058's one-click POST: "List-Unsubscribe=One-Click" as
/// application/x-www-form-urlencoded (or without a type) or as a multipart/form-data field.
bool one_click(const http_request& request) {
  const std::string_view type = request.content_type;
  std::string media(type.substr(0, type.find(';')));
  std::transform(media.begin(), media.end(), media.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
  std::erase(media, ' ');
  if (media.empty() || media == "application/x-www-form-urlencoded") {
    return form_field(request.body, "List-Unsubscribe") == "One-Click";
  }
  if (media != "multipart/form-data") return false;
  // A part named List-Unsubscribe whose content is One-Click (RFC 7578).
  std::string_view body = request.body;
  static constexpr std::string_view name = "name=\"List-Unsubscribe\"";
  for (auto at = body.find(name); at != std::string_view::npos; at = body.find(name, at + 1)) {
    const auto head_end = body.find("\r\n\r\n", at);
    if (head_end == std::string_view::npos) return false;
    const auto value = body.substr(head_end + 4);
    if (value.starts_with("One-Click\r\n--")) return true;
  }
  return false;
}

struct page_builder {
  storage::store& store;
  utc_seconds now;

  std::optional<std::string> home(const web::page_context& ctx) {
    web::home_view v;
    std::vector<std::pair<utc_seconds, web::session>> all;
    for (const auto& u : store.units()) {
      v.units.push_back({u.slug, u.name, u.description});
      for (auto& s :
           sessions_of(u, store.events_of_unit(u.id), now, now + home_window, home_sessions)) {
        all.emplace_back(calendar::to_utc(s.start, u.zone), std::move(s));
      }
    }
    std::stable_sort(all.begin(), all.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [start, s] : all) {
      if (v.next.size() == home_sessions) break;
      v.next.push_back(std::move(s));
    }
    return web::render_home(ctx, v);
  }

  std::optional<std::string> unit(const web::page_context& ctx, std::string_view slug,
                                  date::year_month month,
                                  const std::optional<web::follow_state>& follow) {
    const auto u = store.unit_by_slug(slug);
    if (!u) return std::nullopt;
    const auto events = store.events_of_unit(u->id);
    web::unit_view v;
    v.unit = {u->slug, u->name, u->description};
    v.responsibles = responsible_names(store, u->id);
    v.upcoming = sessions_of(*u, events, now, now + unit_window, unit_sessions);
    v.month = month;
    const auto from =
        calendar::to_utc(calendar::local_seconds{date::local_days{month / 1}}, u->zone);
    const auto to = calendar::to_utc(
        calendar::local_seconds{date::local_days{(month + date::months{1}) / 1}}, u->zone);
    v.in_month = sessions_of(*u, events, from, to, 500);
    return follow ? web::render_unit(ctx, v, *follow) : web::render_unit(ctx, v);
  }

  std::optional<std::string> event(const web::page_context& ctx, calendar::event_id id) {
    const auto e = store.event_by_id(id);
    if (!e) return std::nullopt;
    const auto u = store.unit_by_id(e->unit);
    if (!u) return std::nullopt;
    web::event_view v;
    v.id = e->id;
    v.title = e->title;
    v.description = e->description;
    v.unit_name = u->name;
    v.unit_slug = u->slug;
    v.kind = e->kind;
    v.location = e->location;
    v.online_url = e->online_url;
    v.cancelled = e->status == calendar::event_status::cancelled;
    v.next = sessions_of(*u, {*e}, now, now + event_window, event_sessions);
    return web::render_event(ctx, v);
  }

  /// The occurrence page's view; with `member`, their RSVP form with their answer and `csrf`.
  std::optional<web::occurrence_view> occurrence_view(calendar::event_id id,
                                                      std::string_view key_text,
                                                      const std::optional<storage::person>& member,
                                                      const std::string& csrf) {
    const auto key = calendar::occurrence_key::parse(key_text);
    if (!key) return std::nullopt;
    const auto e = store.event_by_id(id);
    if (!e) return std::nullopt;
    const auto o = calendar::find_occurrence(*e, *key);
    if (!o) return std::nullopt;
    const auto u = store.unit_by_id(e->unit);
    if (!u) return std::nullopt;
    web::occurrence_view v;
    v.when = make_session(*e, *u, *o);
    if (o->moved) {
      v.original_start = key->is_date() ? calendar::local_seconds{key->instant().time_since_epoch()}
                                        : calendar::to_local(key->instant(), e->zone);
    }
    v.description = std::string(o->description);
    v.location = std::string(o->location);
    v.online_url = std::string(o->online_url);
    const auto seats = store.occupancy_of(e->id, *key);
    v.capacity = seats.capacity;
    v.going = seats.going;
    v.waitlisted = seats.waitlisted;
    v.refused = calendar::rsvp_refused(*e, *o, now);
    if (member) {
      v.who = web::viewer::member;
      if (const auto r = store.rsvp_of(e->id, *key, member->id)) {
        v.answer = r->answer;
        v.status = status_of(r->state);
        v.waitlist_position = r->waitlist_position;
      }
    }
    v.csrf = csrf;
    return v;
  }

  std::optional<std::string> occurrence(const web::page_context& ctx, calendar::event_id id,
                                        std::string_view key_text,
                                        const std::optional<storage::person>& member,
                                        const std::string& csrf, bool saved = false) {
    auto v = occurrence_view(id, key_text, member, csrf);
    if (!v) return std::nullopt;
    v->saved = saved && member.has_value();
    return web::render_occurrence(ctx, *v);
  }

  /// The member's own page: upcoming RSVPs, follows, reminders, whether a feed link exists.
  web::me_view me(const storage::person& p, const std::string& csrf) {
    web::me_view v;
    v.name = p.name;
    v.email = p.email;
    v.csrf = csrf;
    std::vector<std::pair<utc_seconds, web::my_rsvp>> found;
    for (const auto& r : store.rsvps_of_person(p.id)) {
      const auto st = status_of(r.state);
      if (!st || *st == web::rsvp_status::not_going) continue;
      const auto e = store.event_by_id(r.event);
      if (!e) continue;
      const auto o = calendar::find_occurrence(*e, r.key);
      if (!o || o->end <= now) continue;
      const auto u = store.unit_by_id(e->unit);
      if (!u) continue;
      found.emplace_back(o->start,
                         web::my_rsvp{make_session(*e, *u, *o), *st, r.waitlist_position});
    }
    std::stable_sort(found.begin(), found.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [start, r] : found) v.rsvps.push_back(std::move(r));
    for (const auto id : store.follows(p.id)) {
      if (const auto u = store.unit_by_id(id)) v.follows.push_back({u->slug, u->name, {}});
    }
    for (const auto m : store.reminder_offsets(p.id))
      v.reminders.push_back(static_cast<int>(m.count()));
    v.reminders_chosen = store.has_reminder_choice(p.id);
    for (const auto m : storage::store::default_reminder_offsets()) {
      v.default_reminders.push_back(static_cast<int>(m.count()));
    }
    v.has_feed = !store.list_tokens(p.id, storage::token_kind::feed, now).empty();
    v.notices = p.notices;
    return v;
  }
};

/// 405 for a link page (the guest confirmation, unsubscribe) asked with anything but GET, HEAD
/// or POST.
std::optional<http_response> refuse_link_method(const http_request& request) {
  if (request.method == "POST" || request.method == "GET" || request.method == "HEAD") {
    return std::nullopt;
  }
  auto r = http_response::text(405, "method not allowed\n");
  r.headers.emplace_back("Allow", "GET, HEAD, POST");
  return r;
}

/// The CSRF value a page's form carries: the visitor's cookie, or a new one that the answer
/// then sets (link pages are opened from mail, often without a cookie yet; a form refused for
/// its token is shown again with one that works).
struct link_csrf {
  explicit link_csrf(const http_request& request)
      : existing(csrf_from_cookie(request)), value(existing ? *existing : new_csrf_token()) {}
  http_response answer(http_response r, std::string_view base_url) const {
    if (!existing) r.headers.emplace_back("Set-Cookie", csrf_set_cookie(value, base_url));
    return r;
  }
  std::optional<std::string> existing;
  std::string value;
};

/// The event and occurrence a form posted to /events/{id}/{key} is for; none if either is
/// unknown.
struct posted {
  calendar::event event;
  calendar::occurrence_key key;
  calendar::occurrence occurrence;
};
std::optional<posted> posted_occurrence(const storage::store& store, std::string_view event_id,
                                        std::string_view key_text) {
  const auto id = parse_id(event_id);
  const auto key = calendar::occurrence_key::parse(key_text);
  const auto e = id ? store.event_by_id(calendar::event_id{*id}) : std::nullopt;
  if (!e || !key) return std::nullopt;
  auto o = calendar::find_occurrence(*e, *key);
  if (!o) return std::nullopt;
  return posted{*e, *key, std::move(*o)};
}

}  // namespace

/// What every request to the pages needs: who asks, in which language, when, for which site.
struct page_routes::request_info {
  web::page_context ctx;
  std::optional<storage::person> member;
  std::string_view query;
  std::string_view lang_param;
  utc_seconds now;
  std::string_view base_url;
};

page_routes::page_routes(storage::store& store, rsvp_limiters limits, rsvp_mail_options mail)
    : store_(store), mail_(std::move(mail)), limits_(limits) {}

page_routes::~page_routes() = default;

bool page_routes::owns(std::string_view path) {
  if (path == "/" || path.starts_with("/static/")) return true;
  if (path == "/me" || path == "/me/reminders" || path == "/me/notices" ||
      path == "/me/feed/rotate" || path == "/me/delete") {
    return true;
  }
  for (const std::string_view link : {"/rsvp/confirm/", "/unsubscribe/"}) {
    if (path.starts_with(link)) {
      const auto token = path.substr(link.size());
      return !token.empty() && token.find('/') == std::string_view::npos;
    }
  }
  if (path.ends_with(".ics")) return false;
  if (path.starts_with("/units/")) {
    const auto segments = rest_segments(path, "/units/");
    return segments.size() == 1 || (segments.size() == 2 && segments[1] == "follow");
  }
  if (path.starts_with("/events/")) {
    const auto segments = rest_segments(path, "/events/");
    return segments.size() <= 2 ||
           (segments.size() == 3 && (segments[2] == "rsvp" || segments[2] == "guest-rsvp"));
  }
  return false;
}

template <class F>
std::shared_ptr<const std::string> page_routes::cached(const std::string& key, utc_seconds now,
                                                       F&& render) {
  // The stamp is read before the store is: a write that commits in between moves it, so what
  // we remember under the older stamp is rendered again by the next request.
  const auto stamp = store_.change_stamp();
  // Pages also change with the clock (what is upcoming, whether RSVPs are still open).
  const auto minute = date::floor<std::chrono::minutes>(now).time_since_epoch().count();
  {
    const std::shared_lock lock(mutex_);
    if (const auto found = cache_.find(key);
        found != cache_.end() && found->second.stamp == stamp && found->second.minute == minute) {
      hits_.fetch_add(1, std::memory_order_relaxed);
      return found->second.html;
    }
  }
  std::optional<std::string> html = std::forward<F>(render)();
  renders_.fetch_add(1, std::memory_order_relaxed);
  if (!html) return nullptr;
  auto value = std::make_shared<const std::string>(std::move(*html));
  const std::unique_lock lock(mutex_);
  if (cache_.size() >= max_cached_pages && !cache_.contains(key)) cache_.clear();
  auto& entry = cache_[key];
  // A thread that read an older stamp must not push back a newer page.
  if (!entry.html || entry.stamp != stamp || entry.minute <= minute) {
    entry = cached_page{stamp, minute, value};
  }
  return value;
}

http_response page_routes::handle(const http_request& request, std::string_view path,
                                  utc_seconds now, std::string_view base_url) {
  if (path.starts_with("/static/")) {
    if (request.method != "GET" && request.method != "HEAD") {
      auto r = http_response::text(405, "method not allowed\n");
      r.headers.emplace_back("Allow", "GET, HEAD");
      return r;
    }
    const auto found = web::find_asset(path);
    if (!found) return http_response::text(404, "not found\n");
    auto r = http_response::text(200, std::string(found->body), std::string(found->content_type));
    r.headers.emplace_back("Cache-Control", std::string(web::asset_cache_control));
    return r;
  }

  const auto q = request.target.find('?');
  request_info in;
  in.query =
      q == std::string::npos ? std::string_view{} : std::string_view(request.target).substr(q + 1);
  in.lang_param = plain_query_value(in.query, "lang");
  const auto lang_cookie = cookie_value(request.cookie, "lang");
  in.ctx.lang =
      web::negotiate_language(in.lang_param, lang_cookie.value_or(""), request.accept_language);
  const auto who = authenticate(store_, request, now);  // a stale cookie reads as anonymous
  if (who.valid && who.who) in.member = who.who;
  in.ctx.path = std::string(path);
  in.ctx.base_url = std::string(base_url);
  set_viewer(in.ctx, store_, in.member);
  in.now = now;
  in.base_url = base_url;

  // The pages of emailed links answer GET, HEAD (asking) and POST (doing) themselves.
  if (path.starts_with("/rsvp/confirm/")) {
    return guest_link(request, in, path.substr(std::string_view("/rsvp/confirm/").size()));
  }
  if (path.starts_with("/unsubscribe/")) {
    return unsubscribe_link(request, in, path.substr(std::string_view("/unsubscribe/").size()));
  }
  // Form targets take POST only; the pages GET and HEAD.
  const bool form_target =
      path == "/me/reminders" || path == "/me/notices" || path == "/me/feed/rotate" ||
      path == "/me/delete" ||
      (path.starts_with("/units/") && rest_segments(path, "/units/").size() == 2) ||
      (path.starts_with("/events/") && rest_segments(path, "/events/").size() == 3);
  if (form_target) {
    if (request.method != "POST") {
      auto r = http_response::text(405, "method not allowed\n");
      r.headers.emplace_back("Allow", "POST");
      return r;
    }
    return post(request, path, in);
  }
  if (request.method != "GET" && request.method != "HEAD") {
    auto r = http_response::text(405, "method not allowed\n");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  auto r = get(request, path, in);
  if (!in.lang_param.empty() && web::parse_language(in.lang_param)) {
    // The switch was used: remember the choice for the pages that follow.
    r.headers.emplace_back("Set-Cookie", cookie("lang", web::tag(in.ctx.lang),
                                                std::chrono::days(365), "SameSite=Lax", base_url));
  }
  return r;
}

http_response page_routes::get(const http_request& request, std::string_view path,
                               const request_info& in) {
  const auto now = in.now;
  const auto base_url = in.base_url;
  const auto& member = in.member;
  const auto lang = in.ctx.lang;
  auto ctx = in.ctx;

  page_builder build{store_, now};
  // The cache key names everything the anonymous rendering depends on, normalised, so that
  // junk in the query string does not make new entries.
  // Members' pages differ by the header's links (set_viewer).
  const std::string_view viewer = !member             ? " anonymous "
                                  : in.ctx.is_admin   ? " admin "
                                  : in.ctx.can_manage ? " responsible "
                                                      : " member ";
  std::string key = std::string(base_url) + " " + std::string(web::tag(lang)) +
                    std::string(viewer) + std::string(path);
  std::shared_ptr<const std::string> html;
  bool has_forms = false;
  // The request's CSRF token, or a new one (then set as the cookie).
  const auto existing_csrf = csrf_from_cookie(request);
  std::string csrf = existing_csrf.value_or("");
  const auto token = [&] {
    has_forms = true;
    if (csrf.empty()) csrf = new_csrf_token();
    return csrf;
  };

  if (path == "/") {
    html = cached(key, now, [&] { return build.home(ctx); });
  } else if (path == "/me") {
    if (!member) return to_login("/me");
    web::me_notice notice = web::me_notice::none;
    const auto flag = plain_query_value(in.query, "done");
    if (flag == "reminders") notice = web::me_notice::reminders_saved;
    if (flag == "unfollowed") notice = web::me_notice::unfollowed;
    if (flag == "notices") notice = web::me_notice::notices_saved;
    auto v = build.me(*member, token());
    v.notice = notice;
    renders_.fetch_add(1, std::memory_order_relaxed);
    html = std::make_shared<const std::string>(web::render_me(ctx, v));
  } else if (path.starts_with("/units/")) {
    const auto slug = path.substr(7);
    const auto here = date::year_month_day{
        date::floor<date::days>(calendar::to_local(now, calendar::default_zone))};
    const auto current = here.year() / here.month();
    auto month = web::parse_month(plain_query_value(in.query, "month")).value_or(current);
    const auto months_away = (month.year() - current.year()).count();
    if (months_away > month_range_years || months_away < -month_range_years) month = current;
    if (month != current) ctx.query = "month=" + web::month_param(month);
    key += "?" + ctx.query;
    if (member) {
      // A member's page differs from the next member's (of the same kind: the header) only by
      // the follow button's state and the CSRF token: cached per state with an empty token,
      // which is filled in per request.
      const auto u = store_.unit_by_slug(slug);
      if (u) {
        const auto follows = store_.follows(member->id);
        const bool following = std::find(follows.begin(), follows.end(), u->id) != follows.end();
        html = cached(key + (following ? " following" : " not following"), now, [&] {
          return build.unit(ctx, slug, month, web::follow_state{following, ""});
        });
        if (html) html = std::make_shared<const std::string>(web::with_csrf(*html, token()));
      }
    } else {
      html = cached(key, now, [&] { return build.unit(ctx, slug, month, std::nullopt); });
    }
  } else {
    const auto segments = rest_segments(path, "/events/");
    const auto id = parse_id(segments[0]);
    if (id && segments.size() == 1) {
      html = cached(key, now, [&] { return build.event(ctx, calendar::event_id{*id}); });
    } else if (id && segments.size() == 2) {
      token();
      if (member) {
        // The member's own answer and token: rendered for them alone.
        const bool saved = plain_query_value(in.query, "rsvp") == "saved";
        auto page =
            build.occurrence(ctx, calendar::event_id{*id}, segments[1], member, csrf, saved);
        renders_.fetch_add(1, std::memory_order_relaxed);
        if (page) html = std::make_shared<const std::string>(std::move(*page));
      } else {
        html = cached(key, now, [&] {
          return build.occurrence(ctx, calendar::event_id{*id}, segments[1], std::nullopt, "");
        });
        if (html) html = std::make_shared<const std::string>(web::with_csrf(*html, csrf));
      }
    }
  }

  http_response r;
  r.content_type = "text/html; charset=utf-8";
  r.headers.emplace_back("Content-Language", std::string(web::tag(lang)));
  r.headers.emplace_back("Vary", "Accept-Language, Cookie");
  if (html) {
    r.body = html;
    r.headers.emplace_back("Cache-Control", has_forms ? "private, no-store" : "no-cache");
    if (has_forms && !existing_csrf) {
      // Strict, as login.cpp's: the token is never needed on a request from another site.
      r.headers.emplace_back("Set-Cookie", csrf_set_cookie(csrf, base_url));
    }
  } else {
    r.status = 404;
    r.body = std::make_shared<const std::string>(web::render_not_found(ctx));
    r.headers.emplace_back("Cache-Control", "no-cache");
  }
  return r;
}

http_response page_routes::post(const http_request& request, std::string_view path,
                                const request_info& in) {
  if (path == "/me/reminders") return post_reminders(request, in);
  if (path == "/me/notices") return post_notices(request, in);
  if (path == "/me/feed/rotate") return post_feed_rotate(request, in);
  if (path == "/me/delete") return post_delete_account(request, in);
  if (path.starts_with("/units/")) {
    return post_follow(request, in, rest_segments(path, "/units/")[0]);
  }
  const auto segments = rest_segments(path, "/events/");
  if (segments[2] == "rsvp") return post_rsvp(request, in, segments[0], segments[1]);
  if (segments[2] == "guest-rsvp") return post_guest_rsvp(request, in, segments[0], segments[1]);
  return personal_html(404, web::render_not_found(in.ctx), in.ctx.lang);
}

http_response page_routes::post_rsvp(const http_request& request, const request_info& in,
                                     std::string_view event_id, std::string_view key_text) {
  page_builder build{store_, in.now};
  const auto target = posted_occurrence(store_, event_id, key_text);
  if (!target) return personal_html(404, web::render_not_found(in.ctx), in.ctx.lang);
  const auto& e = target->event;
  const auto& key = target->key;
  const auto& o = target->occurrence;
  const std::string back = web::occurrence_path(e.id, key);
  if (!in.member) return to_login(back);
  // The script that sends the form asks for the RSVP area alone (app.js).
  const bool fragment = form_field(request.body, "fragment") == "rsvp";
  auto ctx = in.ctx;
  ctx.path = back;

  // Answers with the page (or the area) as it now stands, with `problem` if not taken.
  const auto answer_page = [&](unsigned status, std::optional<web::rsvp_problem> problem,
                               bool saved, const std::string& csrf) {
    auto v = build.occurrence_view(e.id, key_text, in.member, csrf);
    if (!v) return personal_html(404, web::render_not_found(ctx), ctx.lang);
    v->problem = problem;
    v->saved = saved;
    return personal_html(
        status, fragment ? web::render_rsvp_area(ctx, *v) : web::render_occurrence(ctx, *v),
        ctx.lang);
  };

  const auto csrf = form_value(request.body, "csrf");
  if (!csrf_valid(request, csrf)) {
    // A fresh token (and cookie) in the page shown again, so that sending it once more works.
    const link_csrf fresh(request);
    return fresh.answer(answer_page(403, web::rsvp_problem::csrf, false, fresh.value), in.base_url);
  }
  const auto answer = calendar::parse_rsvp_answer(form_value(request.body, "answer"));
  if (!answer) return answer_page(422, web::rsvp_problem::bad_answer, false, csrf);
  if (calendar::rsvp_refused(e, o, in.now)) {
    return answer_page(409, web::rsvp_problem::refused, false, csrf);
  }
  // The JSON API's RSVP limits, shared with it (app): per person, then per address.
  auto wait = limits_.by_person.take(std::to_string(in.member->id.value));
  if (wait.count() == 0) wait = limits_.by_address.take(request.remote_address);
  if (wait.count() > 0) {
    auto r = answer_page(429, web::rsvp_problem::rate_limited, false, csrf);
    r.headers.emplace_back("Retry-After", std::to_string(wait.count()));
    return r;
  }
  const auto change =
      usecases::answer_rsvp({store_, mail_, in.base_url, in.now}, e, key, *in.member, *answer);
  if (!change) {
    switch (change.error().code) {
      case storage::errc::occurrence_cancelled:
      case storage::errc::occurrence_past:
      case storage::errc::rsvp_closed:
        return answer_page(409, web::rsvp_problem::refused, false, csrf);
      case storage::errc::not_found:
        return personal_html(404, web::render_not_found(ctx), ctx.lang);
      case storage::errc::invalid:
        return answer_page(422, web::rsvp_problem::bad_answer, false, csrf);
      default:
        return answer_page(503, web::rsvp_problem::unavailable, false, csrf);
    }
  }
  if (fragment) return answer_page(200, std::nullopt, true, csrf);
  // Post/redirect/get: a reload shows the page, not "send the form again?".
  return see_other(back + "?rsvp=saved");
}

http_response page_routes::post_guest_rsvp(const http_request& request, const request_info& in,
                                           std::string_view event_id, std::string_view key_text) {
  page_builder build{store_, in.now};
  const auto target = posted_occurrence(store_, event_id, key_text);
  if (!target) return personal_html(404, web::render_not_found(in.ctx), in.ctx.lang);
  const auto& e = target->event;
  const auto& key = target->key;
  const auto& o = target->occurrence;
  auto ctx = in.ctx;
  ctx.path = web::occurrence_path(e.id, key);

  // What was typed, shown again with any error next to its field.
  web::guest_form form;
  form.name = form_value(request.body, "name");
  form.email = form_value(request.body, "email");
  const auto answer = calendar::parse_rsvp_answer(form_value(request.body, "answer"));
  if (answer) form.answer = *answer;
  const auto answer_page = [&](unsigned status, std::optional<web::rsvp_problem> problem, bool sent,
                               const std::string& csrf) {
    auto v = build.occurrence_view(e.id, key_text, in.member, csrf);
    if (!v) return personal_html(404, web::render_not_found(ctx), ctx.lang);
    v->problem = problem;
    v->guest_sent = sent;
    if (!sent) v->guest = form;
    return personal_html(status, web::render_occurrence(ctx, *v), ctx.lang);
  };

  const auto csrf = form_value(request.body, "csrf");
  if (!csrf_valid(request, csrf)) {
    const link_csrf fresh(request);
    return fresh.answer(answer_page(403, web::rsvp_problem::csrf, false, fresh.value), in.base_url);
  }
  const auto name = usecases::guest_name(form.name);
  const auto email = usecases::email_address(form.email);
  if (!name)
    form.name_error = trimmed_empty(form.name) ? "guest_name_missing" : "guest_name_invalid";
  if (!email) form.email_error = "guest_email_invalid";
  if (!name || !email || !answer) {
    return answer_page(422, answer ? std::nullopt : std::optional(web::rsvp_problem::bad_answer),
                       false, csrf);
  }
  if (calendar::rsvp_refused(e, o, in.now)) {
    return answer_page(409, web::rsvp_problem::refused, false, csrf);
  }
  // As the JSON API's guest RSVPs: per address asked for, then per client address.
  auto wait = limits_.by_person.take("guest:" + *email);
  if (wait.count() == 0) wait = limits_.by_address.take(request.remote_address);
  if (wait.count() > 0) {
    auto r = answer_page(429, web::rsvp_problem::rate_limited, false, csrf);
    r.headers.emplace_back("Retry-After", std::to_string(wait.count()));
    return r;
  }
  const auto pending = usecases::request_guest_rsvp({store_, mail_, in.base_url, in.now}, e, key,
                                                    *name, *email, *answer, web::tag(ctx.lang));
  if (!pending) {
    switch (pending.error().code) {
      case storage::errc::conflict:
        // The address has answered already: the same page as for a new one, so that it tells
        // nobody who comes (the owner of the address changes the answer after logging in).
        break;
      case storage::errc::occurrence_cancelled:
      case storage::errc::occurrence_past:
      case storage::errc::rsvp_closed:
        return answer_page(409, web::rsvp_problem::refused, false, csrf);
      case storage::errc::not_found:
        return personal_html(404, web::render_not_found(ctx), ctx.lang);
      case storage::errc::invalid:
        if (pending.error().field == "name") form.name_error = "guest_name_invalid";
        if (pending.error().field == "email") form.email_error = "guest_email_invalid";
        return answer_page(422, std::nullopt, false, csrf);
      default:
        return answer_page(503, web::rsvp_problem::unavailable, false, csrf);
    }
  }
  // The page itself, not a redirect: "check your mail" belongs to this answer only.
  return answer_page(200, std::nullopt, true, csrf);
}

http_response page_routes::guest_link(const http_request& request, const request_info& in,
                                      std::string_view token) {
  if (auto refused = refuse_link_method(request)) return *refused;
  const bool post = request.method == "POST";
  const link_csrf csrf(request);
  web::guest_confirm_view v;
  v.csrf = csrf.value;
  const auto reply = [&](unsigned status) {
    return csrf.answer(personal_html(status, web::render_guest_confirm(in.ctx, v), in.ctx.lang),
                       in.base_url);
  };
  if (!looks_like_token(token)) {
    v.state = web::guest_link_state::unknown;
    return reply(404);
  }
  v.action = "/rsvp/confirm/" + std::string(token);
  // The occurrence the link is for, shown on every answer that knows it.
  const auto show = [&](const storage::rsvp_record& r) {
    const auto e = store_.event_by_id(r.event);
    const auto u = e ? store_.unit_by_id(e->unit) : std::nullopt;
    if (e && u) {
      if (const auto o = calendar::find_occurrence(*e, r.key)) v.when = make_session(*e, *u, *o);
    }
    v.waitlist_position = r.waitlist_position;
    switch (r.state) {
      case storage::rsvp_state::pending:
        v.state = web::guest_link_state::ask;
        break;
      case storage::rsvp_state::going:
        v.state = web::guest_link_state::going;
        break;
      case storage::rsvp_state::waitlisted:
        v.state = web::guest_link_state::waitlisted;
        break;
      case storage::rsvp_state::maybe:
        v.state = web::guest_link_state::maybe;
        break;
      case storage::rsvp_state::not_going:
        v.state = web::guest_link_state::not_going;
        break;
    }
  };
  const auto failed = [&](storage::errc code) {
    switch (code) {
      case storage::errc::not_found:
        v.state = web::guest_link_state::unknown;
        return reply(404);
      case storage::errc::expired:
        v.state = web::guest_link_state::expired;
        return reply(410);
      case storage::errc::occurrence_cancelled:
      case storage::errc::occurrence_past:
      case storage::errc::rsvp_closed:
        v.state = web::guest_link_state::refused;
        return reply(409);
      default:
        v.state = web::guest_link_state::unavailable;
        return reply(503);
    }
  };

  // Reading the link uses nothing up: GET (what mail scanners do) only asks.
  const auto found = store_.guest_rsvp_of_link(token, in.now);
  if (!found) return failed(found.error().code);
  show(*found);
  if (!post || found->state != storage::rsvp_state::pending) {
    // Asking, or a link already used (a second click): how the RSVP stands now.
    return reply(200);
  }
  if (!csrf_valid(request, form_value(request.body, "csrf"))) {
    v.state = web::guest_link_state::csrf;
    return reply(403);
  }
  const auto change = usecases::confirm_guest_rsvp({store_, mail_, in.base_url, in.now}, token);
  if (!change) return failed(change.error().code);
  show(change->rsvp);
  return reply(200);
}

http_response page_routes::unsubscribe_link(const http_request& request, const request_info& in,
                                            std::string_view token) {
  if (auto refused = refuse_link_method(request)) return *refused;
  const bool post = request.method == "POST";
  const link_csrf csrf(request);
  web::unsubscribe_view v;
  v.csrf = csrf.value;
  v.action = "/unsubscribe/" + std::string(token);
  const auto reply = [&](unsigned status) {
    return csrf.answer(personal_html(status, web::render_unsubscribe(in.ctx, v), in.ctx.lang),
                       in.base_url);
  };
  // The signed token is the proof: no login, no row per link (signed_token.h).
  const auto person = usecases::unsubscriber(store_, token);
  if (!person || !store_.person_by_id(*person)) {
    v.state = web::unsubscribe_state::unknown;
    return reply(404);
  }
  if (!post) return reply(200);  // never unsubscribes on GET: mail scanners follow links
  // RFC 8058 §3.2: a mail client POSTs "List-Unsubscribe=One-Click" (it has no CSRF token and
  // needs none: the token in the path is the secret); the page's form sends that and its
  // CSRF field.
  if (!one_click(request) && !csrf_valid(request, form_value(request.body, "csrf"))) {
    v.state = web::unsubscribe_state::bad_request;
    return reply(400);
  }
  if (!usecases::unsubscribe({store_, mail_, in.base_url, in.now}, *person)) {
    v.state = web::unsubscribe_state::unavailable;
    return reply(503);
  }
  v.state = web::unsubscribe_state::done;
  return reply(200);
}

http_response page_routes::post_follow(const http_request& request, const request_info& in,
                                       std::string_view slug) {
  const auto u = store_.unit_by_slug(slug);
  if (!u) return personal_html(404, web::render_not_found(in.ctx), in.ctx.lang);
  const std::string unit_path = "/units/" + u->slug;
  if (!in.member) return to_login(unit_path);
  const bool to_me = form_field(request.body, "back") == "me";
  const auto csrf = form_value(request.body, "csrf");
  if (!csrf_valid(request, csrf)) {
    const link_csrf fresh(request);
    const std::string& token = fresh.value;
    http_response r;
    if (to_me) {
      r = me_page(in, 403, web::me_notice::csrf, std::nullopt, token);
    } else {
      auto ctx = in.ctx;
      ctx.path = unit_path;
      const auto follows = store_.follows(in.member->id);
      const web::follow_state f{std::find(follows.begin(), follows.end(), u->id) != follows.end(),
                                token, true};
      const auto here = date::year_month_day{
          date::floor<date::days>(calendar::to_local(in.now, calendar::default_zone))};
      page_builder build{store_, in.now};
      r = personal_html(403, build.unit(ctx, u->slug, here.year() / here.month(), f).value_or(""),
                        ctx.lang);
    }
    return fresh.answer(std::move(r), in.base_url);
  }
  const bool on = form_field(request.body, "follow") != "0";
  if (auto done = store_.set_follow(in.member->id, u->id, on); !done) {
    return http_response::text(503, "unavailable\n");
  }
  if (to_me) return see_other(on ? "/me" : "/me?done=unfollowed");
  return see_other(unit_path);
}

http_response page_routes::post_reminders(const http_request& request, const request_info& in) {
  if (!in.member) return to_login("/me");
  const auto csrf = form_value(request.body, "csrf");
  if (!csrf_valid(request, csrf)) return me_csrf_refused(request, in);
  std::vector<std::chrono::minutes> before;
  for (const auto raw : raw_pair_values(request.body, "before")) {
    int minutes = 0;
    const auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), minutes);
    if (raw.empty() || ec != std::errc{} || end != raw.data() + raw.size()) {
      return me_page(in, 422, web::me_notice::reminders_invalid, std::nullopt, csrf);
    }
    before.emplace_back(minutes);
  }
  if (auto done = store_.set_reminder_offsets(in.member->id, std::move(before)); !done) {
    const bool invalid = done.error().code == storage::errc::invalid;
    return me_page(in, invalid ? 422 : 503, web::me_notice::reminders_invalid, std::nullopt, csrf);
  }
  return see_other("/me?done=reminders");
}

http_response page_routes::post_notices(const http_request& request, const request_info& in) {
  if (!in.member) return to_login("/me");
  const auto csrf = form_value(request.body, "csrf");
  if (!csrf_valid(request, csrf)) return me_csrf_refused(request, in);
  const bool on = form_field(request.body, "notices") != "0";
  if (auto done = store_.set_notices(in.member->id, on); !done) {
    return http_response::text(503, "unavailable\n");
  }
  return see_other("/me?done=notices");
}

http_response page_routes::post_feed_rotate(const http_request& request, const request_info& in) {
  if (!in.member) return to_login("/me");
  const auto csrf = form_value(request.body, "csrf");
  if (!csrf_valid(request, csrf)) return me_csrf_refused(request, in);
  // The same as the API's POST /me/feed/rotate. The secret is stored hashed: this answer is
  // the only time its link can be shown, so it is the page itself, not a redirect.
  const auto secret =
      usecases::new_feed_secret({store_, mail_, in.base_url, in.now}, in.member->id);
  return me_page(in, 200, web::me_notice::none,
                 std::string(in.base_url) + usecases::personal_feed_path(secret.raw), csrf);
}

/// "Konto löschen" on /me: the ticked confirmation and the CSRF token, then the same as the
/// API's DELETE /me (actions::delete_account). The session is gone with the account; the cookie
/// is cleared and the browser goes to the home page.
http_response page_routes::post_delete_account(const http_request& request,
                                               const request_info& in) {
  if (!in.member) return to_login("/me");
  const auto csrf = form_value(request.body, "csrf");
  if (!csrf_valid(request, csrf)) return me_csrf_refused(request, in);
  if (form_field(request.body, "confirm") != "yes") {
    return me_page(in, 422, web::me_notice::delete_unconfirmed, std::nullopt, csrf);
  }
  if (auto done = usecases::delete_account({store_, mail_, in.base_url, in.now}, in.member->id,
                                           storage::actor::of(in.member->id));
      !done) {
    if (done.error().code == storage::errc::conflict) {
      return me_page(in, 409, web::me_notice::delete_last_admin, std::nullopt, csrf);
    }
    return http_response::text(503, "unavailable\n");
  }
  auto r = see_other("/");
  std::string clear = "session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax";
  if (in.base_url.starts_with("https://")) clear += "; Secure";
  r.headers.emplace_back("Set-Cookie", std::move(clear));
  return r;
}

http_response page_routes::me_csrf_refused(const http_request& request, const request_info& in) {
  // A fresh token (and cookie) in the page shown again, so that sending it once more works.
  const link_csrf fresh(request);
  return fresh.answer(me_page(in, 403, web::me_notice::csrf, std::nullopt, fresh.value),
                      in.base_url);
}

http_response page_routes::me_page(const request_info& in, unsigned status, web::me_notice notice,
                                   std::optional<std::string> new_feed_url,
                                   const std::string& csrf) {
  page_builder build{store_, in.now};
  auto v = build.me(*in.member, csrf);
  v.notice = notice;
  if (new_feed_url) v.new_feed = web::feed_link{std::move(*new_feed_url)};
  auto ctx = in.ctx;
  ctx.path = "/me";
  renders_.fetch_add(1, std::memory_order_relaxed);
  return personal_html(status, web::render_me(ctx, v), ctx.lang);
}

}  // namespace treffpunkt::server
