#include "pages.h"

#include <calendar/expand.h>
#include <calendar/rsvp.h>
#include <openssl/rand.h>  // RAND_bytes: CSRF tokens
#include <web/assets.h>
#include <web/i18n.h>
#include <web/month.h>
#include <web/pages.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "auth.h"
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

bool is_base64url(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

/// 32 random bytes, URL-safe base64 (43 characters), as login.cpp makes its CSRF tokens.
std::string random_token() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed: no randomness for a CSRF token");
  }
  static constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const unsigned char b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += alphabet[(buffer >> bits) & 0x3F];
    }
  }
  if (bits > 0) out += alphabet[(buffer << (6 - bits)) & 0x3F];
  return out;
}

std::string cookie(std::string_view name, std::string_view value, std::chrono::seconds max_age,
                   std::string_view attributes, std::string_view base_url) {
  std::string out = std::string(name) + "=" + std::string(value) +
                    "; Path=/; Max-Age=" + std::to_string(max_age.count()) + "; " +
                    std::string(attributes);
  if (base_url.starts_with("https://")) out += "; Secure";
  return out;
}

std::optional<std::int64_t> parse_id(std::string_view digits) {
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || id <= 0) {
    return std::nullopt;
  }
  return id;
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

web::session make_session(const calendar::event& e, const calendar::unit& u,
                          const calendar::occurrence& o) {
  web::session s;
  s.event = e.id;
  s.key = o.key;
  s.title = std::string(o.title);
  s.unit_name = u.name;
  s.unit_slug = u.slug;
  s.start = o.local_start;
  s.end = o.local_end;
  s.all_day = e.all_day;
  s.cancelled = o.cancelled;
  s.moved = o.moved;
  return s;
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
  std::vector<std::string_view> out;
  std::string_view rest = path.substr(prefix.size());
  while (true) {
    const auto slash = rest.find('/');
    out.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return out;
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
                                  date::year_month month) {
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
    return web::render_unit(ctx, v);
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

  /// `member`: render the logged-in member's RSVP form with their answer and `csrf`.
  std::optional<std::string> occurrence(const web::page_context& ctx, calendar::event_id id,
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
      if (const auto r = store.rsvp_of(e->id, *key, member->id)) v.answer = r->answer;
    }
    v.csrf = csrf;
    return web::render_occurrence(ctx, v);
  }
};

}  // namespace

page_routes::page_routes(storage::store& store) : store_(store) {}

bool page_routes::owns(std::string_view path) {
  if (path == "/" || path.starts_with("/static/")) return true;
  if (path.ends_with(".ics")) return false;
  if (path.starts_with("/units/")) return rest_segments(path, "/units/").size() == 1;
  if (path.starts_with("/events/")) return rest_segments(path, "/events/").size() <= 2;
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
  if (request.method != "GET" && request.method != "HEAD") {
    auto r = http_response::text(405, "method not allowed\n");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  if (path.starts_with("/static/")) {
    const auto found = web::find_asset(path);
    if (!found) return http_response::text(404, "not found\n");
    auto r = http_response::text(200, std::string(found->body), std::string(found->content_type));
    r.headers.emplace_back("Cache-Control", std::string(web::asset_cache_control));
    return r;
  }

  const auto q = request.target.find('?');
  const std::string_view query =
      q == std::string::npos ? std::string_view{} : std::string_view(request.target).substr(q + 1);
  const auto lang_param = plain_query_value(query, "lang");
  const auto lang_cookie = cookie_value(request.cookie, "lang");
  const auto lang =
      web::negotiate_language(lang_param, lang_cookie.value_or(""), request.accept_language);
  const auto who = authenticate(store_, request, now);  // a stale cookie reads as anonymous
  const std::optional<storage::person> member =
      who.valid && who.who ? who.who : std::optional<storage::person>{};

  web::page_context ctx;
  ctx.lang = lang;
  ctx.path = std::string(path);
  ctx.base_url = std::string(base_url);
  ctx.logged_in = member.has_value();

  page_builder build{store_, now};
  // The cache key names everything the anonymous rendering depends on, normalised, so that
  // junk in the query string does not make new entries.
  std::string key = std::string(base_url) + " " + std::string(web::tag(lang)) +
                    (member ? " member " : " anonymous ") + std::string(path);
  std::shared_ptr<const std::string> html;
  bool has_forms = false;
  std::string csrf;
  bool new_csrf = false;

  if (path == "/") {
    html = cached(key, now, [&] { return build.home(ctx); });
  } else if (path.starts_with("/units/")) {
    const auto slug = path.substr(7);
    const auto here = date::year_month_day{
        date::floor<date::days>(calendar::to_local(now, calendar::default_zone))};
    const auto current = here.year() / here.month();
    auto month = web::parse_month(plain_query_value(query, "month")).value_or(current);
    const auto months_away = (month.year() - current.year()).count();
    if (months_away > month_range_years || months_away < -month_range_years) month = current;
    if (month != current) ctx.query = "month=" + web::month_param(month);
    key += "?" + ctx.query;
    html = cached(key, now, [&] { return build.unit(ctx, slug, month); });
  } else {
    const auto segments = rest_segments(path, "/events/");
    const auto id = parse_id(segments[0]);
    if (id && segments.size() == 1) {
      html = cached(key, now, [&] { return build.event(ctx, calendar::event_id{*id}); });
    } else if (id && segments.size() == 2) {
      has_forms = true;
      const auto existing = cookie_value(request.cookie, "csrf");
      if (existing && existing->size() == 43 && is_base64url(*existing)) {
        csrf = std::string(*existing);
      } else {
        csrf = random_token();
        new_csrf = true;
      }
      if (member) {
        // The member's own answer and token: rendered for them alone.
        auto page = build.occurrence(ctx, calendar::event_id{*id}, segments[1], member, csrf);
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
    if (new_csrf) {
      // Strict, as login.cpp's: the token is never needed on a request from another site.
      r.headers.emplace_back("Set-Cookie", cookie("csrf", csrf, std::chrono::days(1),
                                                  "HttpOnly; SameSite=Strict", base_url));
    }
  } else {
    r.status = 404;
    r.body = std::make_shared<const std::string>(web::render_not_found(ctx));
    r.headers.emplace_back("Cache-Control", "no-cache");
  }
  if (!lang_param.empty() && web::parse_language(lang_param)) {
    // The switch was used: remember the choice for the pages that follow.
    r.headers.emplace_back("Set-Cookie", cookie("lang", web::tag(lang), std::chrono::days(365),
                                                "SameSite=Lax", base_url));
  }
  return r;
}

}  // namespace treffpunkt::server
