#include <calendar/expand.h>
#include <date/date.h>
#include <server/api.h>
#include <usecases/events.h>
#include <usecases/input.h>
#include <usecases/people.h>
#include <usecases/rsvps.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api_json.h"
#include "auth.h"
#include "page_helpers.h"  // parse_id, split_segments
#include "personal_feed.h"
#include "rate_limit.h"
#include "url_pairs.h"

namespace treffpunkt::server {
namespace json = boost::json;
using calendar::utc_seconds;

namespace {

/// The default window of GET .../occurrences, and the longest one asked for.
constexpr date::days default_window{90};
constexpr date::days longest_window{366};

/// How long a guest's emailed link is valid (as the store keeps it).
constexpr std::chrono::seconds guest_link_ttl = std::chrono::hours(48);

/// How long an API token made with POST /me/tokens is valid (as `treffpunkt token create`).
constexpr std::chrono::seconds api_token_ttl = std::chrono::days(365);

/// A token's id (storage::token_info::id): 16 lower-case hex digits.
bool is_token_id(std::string_view id) {
  return id.size() == 16 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

/// webcal:// is what phones and desktop calendar apps open as "subscribe".
std::string webcal(std::string_view url) {
  const auto colon = url.find("://");
  return "webcal" + std::string(url.substr(colon == std::string_view::npos ? 0 : colon));
}

http_response json_response(unsigned status, const json::value& body) {
  return http_response::text(status, json::serialize(body) + "\n", "application/json");
}

http_response error_response(const api_error& e) {
  json::object inner{{"code", e.code}, {"message", e.message}};
  if (!e.field.empty()) inner["field"] = e.field;
  auto r = json_response(e.status, json::object{{"error", std::move(inner)}});
  if (e.status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

api_error not_found(std::string message) { return {404, "not_found", std::move(message), {}}; }

/// What may follow a lead byte in UTF-8 (RFC 3629 §4): how many continuation bytes, and the
/// range of the first of them (narrower after E0, ED, F0, F4: no overlongs, no surrogates,
/// nothing above U+10FFFF). `extra` < 0: not a lead byte.
struct utf8_lead {
  int extra = -1;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
};

utf8_lead lead_of(unsigned char c) {
  if (c < 0x80) return {0};
  if (c >= 0xC2 && c <= 0xDF) return {1};
  if (c == 0xE0) return {2, 0xA0, 0xBF};
  if (c == 0xED) return {2, 0x80, 0x9F};
  if (c >= 0xE1 && c <= 0xEF) return {2};
  if (c == 0xF0) return {3, 0x90, 0xBF};
  if (c == 0xF4) return {3, 0x80, 0x8F};
  if (c >= 0xF1 && c <= 0xF3) return {3};
  return {};
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const utf8_lead lead = lead_of(static_cast<unsigned char>(s[i]));
    if (lead.extra < 0) return false;
    const auto extra = static_cast<std::size_t>(lead.extra);
    if (i + extra >= s.size()) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if (b < (k == 1 ? lead.low : 0x80) || b > (k == 1 ? lead.high : 0xBF)) return false;
    }
    i += extra + 1;
  }
  return true;
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
  return out;
}

/// "application/json" with optional parameters; a charset other than UTF-8 is refused.
bool is_json_type(std::string_view type) {
  const auto semicolon = type.find(';');
  std::string_view media = type.substr(0, semicolon);
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  if (ascii_lower(media) != "application/json") return false;
  if (semicolon == std::string_view::npos) return true;
  const std::string params = ascii_lower(type.substr(semicolon + 1));
  const auto charset = params.find("charset=");
  if (charset == std::string::npos) return true;
  std::string value = params.substr(charset + 8);
  std::erase(value, '"');
  std::erase(value, ' ');
  return value == "utf-8";
}

/// The body of a write as a JSON object: 415 for another content type, 400 for bad UTF-8,
/// bad JSON or something other than an object.
api_result<json::object> read_body(const http_request& request) {
  if (!is_json_type(request.content_type)) {
    return api_error{415, "unsupported_media_type", "the body must be application/json", {}};
  }
  if (!valid_utf8(request.body)) {
    return api_error{400, "bad_utf8", "the body is not valid UTF-8", {}};
  }
  boost::system::error_code ec;
  json::value v = json::parse(request.body, ec);
  if (ec) return api_error{400, "bad_json", "the body is not JSON: " + ec.message(), {}};
  if (!v.is_object()) return api_error{400, "bad_json", "the body must be a JSON object", {}};
  return std::move(v.as_object());
}

/// The method a route sees: HEAD is answered as GET (the socket side drops the body).
std::string_view route_method(const http_request& request) {
  if (request.method == "HEAD") return "GET";
  return request.method;
}

std::vector<std::string_view> split_path(std::string_view path) {
  // "units/" is two segments, the second empty: no route has empty segments.
  if (path.empty()) return {};
  return split_segments(path);
}

/// The value of `name` in a query string (no percent-decoding: the API's values are dates).
std::optional<std::string_view> query_value(std::string_view query, std::string_view name) {
  return raw_pair_value(query, name);
}

std::optional<calendar::event_id> parse_event_id(std::string_view text) {
  const auto n = parse_id(text);
  if (!n) return std::nullopt;
  return calendar::event_id{*n};
}

/// Limits of a message to an occurrence's attendees, in characters (code points).
constexpr std::size_t max_subject_chars = 200;
constexpr std::size_t max_body_chars = 5000;

std::size_t code_points(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

/// A required text field of a message, trimmed: 1 to `max` characters, no control characters
/// (a subject is one line: no CR or LF, so no header can be smuggled in; a body may have line
/// breaks and tabs, CRLF becomes LF).
api_result<std::string> message_text(const json::object& body, std::string_view field,
                                     std::size_t max, bool multiline) {
  const std::string name(field);
  const auto* v = body.if_contains(field);
  if (v == nullptr) return api_error{422, "invalid", name + " is required", name};
  if (!v->is_string()) return api_error{400, "wrong_type", name + " must be a string", name};
  std::string text(v->get_string());
  if (multiline) {
    std::string normalised;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
      normalised += text[i];
    }
    text = std::move(normalised);
  }
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    const bool allowed = multiline && (c == '\n' || c == '\t');
    if ((u < 0x20 || u == 0x7F) && !allowed) {
      return api_error{422, "invalid",
                       name + (multiline ? " must not contain control characters"
                                         : " must be one line without control characters"),
                       name};
    }
  }
  const auto first = text.find_first_not_of(" \t\n");
  if (first == std::string::npos) return api_error{422, "invalid", name + " is empty", name};
  text = text.substr(first, text.find_last_not_of(" \t\n") - first + 1);
  if (code_points(text) > max) {
    return api_error{422, "invalid",
                     name + " is longer than " + std::to_string(max) + " characters", name};
  }
  return text;
}

/// The routes: path shape -> allowed methods. `*` matches one segment.
struct route {
  std::vector<std::string_view> shape;
  std::string_view allow;
};
const std::vector<route>& routes() {
  static const std::vector<route> table = {
      {{"units"}, "GET, HEAD"},
      {{"units", "*"}, "GET, HEAD"},
      {{"units", "*", "occurrences"}, "GET, HEAD"},
      {{"units", "*", "events"}, "GET, HEAD, POST"},
      {{"units", "*", "follow"}, "PUT, DELETE"},
      {{"events", "*"}, "GET, HEAD, PATCH, DELETE"},
      {{"events", "*", "occurrences", "*"}, "GET, HEAD, PUT"},
      {{"events", "*", "occurrences", "*", "rsvp"}, "GET, HEAD, PUT"},
      {{"events", "*", "occurrences", "*", "attendees"}, "GET, HEAD"},
      {{"events", "*", "occurrences", "*", "message"}, "POST"},
      {{"events", "*", "occurrences", "*", "guest-rsvp"}, "POST"},
      {{"me"}, "GET, HEAD, DELETE"},
      {{"me", "export"}, "GET, HEAD"},
      {{"me", "reminders"}, "GET, HEAD, PUT"},
      {{"me", "notices"}, "GET, HEAD, PUT"},
      {{"me", "feed"}, "GET, HEAD"},
      {{"me", "feed", "rotate"}, "POST"},
      {{"me", "tokens"}, "GET, HEAD, POST"},
      {{"me", "tokens", "*"}, "DELETE"},
  };
  return table;
}

const route* match(const std::vector<std::string_view>& parts) {
  for (const auto& r : routes()) {
    if (r.shape.size() != parts.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < parts.size() && same; ++i) {
      same = parts[i].empty() ? false : (r.shape[i] == "*" || r.shape[i] == parts[i]);
    }
    if (same) return &r;
  }
  return nullptr;
}

bool allows(std::string_view allow, std::string_view method) {
  while (!allow.empty()) {
    const auto comma = allow.find(',');
    if (allow.substr(0, comma) == method) return true;
    if (comma == std::string_view::npos) break;
    allow.remove_prefix(comma + 2);
  }
  return false;
}

/// One request in flight: who asks, what they ask for, and the store.
class call {
 public:
  call(storage::store& store, const http_request& request, const caller& who, utc_seconds now,
       rate_limiter& by_person, rate_limiter& by_address, std::string_view base_url,
       const rsvp_mail_options& mail)
      : store_(store),
        request_(request),
        who_(who),
        now_(now),
        by_person_(by_person),
        by_address_(by_address),
        base_url_(base_url),
        mail_(mail) {}

  http_response run(const std::vector<std::string_view>& p, std::string_view query) {
    if (p[0] == "units") return unit_routes(p, query);
    if (p[0] == "events") return event_routes(p);
    const std::string_view method = route_method(request_);
    if (p.size() == 1) return method == "DELETE" ? delete_me() : me();
    if (p[1] == "export") return export_me();
    if (p[1] == "feed") return p.size() == 2 ? feed_link() : rotate_feed();
    if (p[1] == "tokens") {
      if (p.size() == 3) return revoke_token(p[2]);
      return method == "GET" ? tokens() : create_token();
    }
    if (p[1] == "notices") return method == "GET" ? notices() : set_notices();
    return method == "GET" ? reminders() : set_reminders();
  }

 private:
  // ---- dispatch -------------------------------------------------------------------------
  http_response unit_routes(const std::vector<std::string_view>& p, std::string_view query) {
    const std::string_view method = route_method(request_);
    if (p.size() == 1) return units();
    auto u = unit(p[1]);
    if (!u) return error_response(u.error());
    if (p.size() == 2) return json_response(200, unit_json(store_, *u));
    if (p[2] == "occurrences") return occurrences(*u, query);
    if (p[2] == "events") return method == "GET" ? unit_events(*u) : create_event(*u);
    return follow(*u, method == "PUT");
  }

  http_response event_routes(const std::vector<std::string_view>& p) {
    const std::string_view method = route_method(request_);
    auto e = event(p[1]);
    if (!e) return error_response(e.error());
    if (p.size() == 2) {
      if (method == "GET") return json_response(200, event_json(*e, slug_of(*e)));
      if (method == "PATCH") return patch_event(*e);
      return cancel_event(*e);
    }
    const auto key = calendar::occurrence_key::parse(p[3]);
    if (!key || !calendar::find_occurrence(*e, *key)) {
      return error_response(not_found("no such occurrence"));
    }
    if (p.size() == 4)
      return method == "GET" ? occurrence_response(*e, *key) : set_override(*e, *key);
    if (p[4] == "rsvp") return method == "GET" ? own_rsvp(*e, *key) : set_rsvp(*e, *key);
    if (p[4] == "message") return message_attendees(*e, *key);
    if (p[4] == "guest-rsvp") return guest_rsvp(*e, *key);
    return attendees(*e, *key);
  }
  // ---- helpers --------------------------------------------------------------------------
  /// Writes that queue mail, shared with the pages.
  usecases::context use() const { return {store_, mail_, base_url_, now_}; }
  api_result<calendar::unit> unit(std::string_view slug) const {
    auto u = store_.unit_by_slug(slug);
    if (!u) return not_found("no unit '" + std::string(slug) + "'");
    return std::move(*u);
  }
  api_result<calendar::event> event(std::string_view id) const {
    const auto n = parse_event_id(id);
    auto e = n ? store_.event_by_id(*n) : std::nullopt;
    if (!e) return not_found("no event " + std::string(id));
    return std::move(*e);
  }
  std::string slug_of(const calendar::event& e) const {
    const auto u = store_.unit_by_id(e.unit);
    return u ? u->slug : std::string();
  }
  /// 401 for anonymous callers of routes that need someone.
  std::optional<http_response> need_person() const {
    if (who_.who) return std::nullopt;
    return error_response({401, "unauthenticated", "log in or send an API token", {}});
  }
  /// 401 for anonymous, 403 for people who may not edit the unit.
  std::optional<http_response> need_editor(calendar::unit_id u) const {
    if (auto anonymous = need_person()) return anonymous;
    if (store_.may_edit(who_.actor(), u)) return std::nullopt;
    return error_response(
        {403, "forbidden", "only the unit's responsibles and admins may do this", {}});
  }
  /// 429 with Retry-After when the caller or their address has written too many RSVPs.
  std::optional<http_response> rate_limited() const {
    auto wait = by_person_.take(std::to_string(who_.who->id.value));
    if (wait.count() == 0) wait = by_address_.take(request_.remote_address);
    if (wait.count() == 0) return std::nullopt;
    auto r = error_response({429, "rate_limited", "too many RSVPs; try again later", {}});
    r.headers.emplace_back("Retry-After", std::to_string(wait.count()));
    return r;
  }
  http_response occurrence_response(const calendar::event& e, const calendar::occurrence_key& key,
                                    unsigned status = 200) const {
    auto o = calendar::find_occurrence(e, key);
    if (!o) return error_response(not_found("no such occurrence"));
    return json_response(status, occurrence_json(e, *o, store_.occupancy_of(e.id, key)));
  }

  // ---- units ----------------------------------------------------------------------------
  http_response units() const {
    json::array out;
    for (const auto& u : store_.units()) out.emplace_back(unit_json(store_, u));
    return json_response(200, json::object{{"units", std::move(out)}});
  }

  http_response unit_events(const calendar::unit& u) const {
    json::array out;
    for (const auto& e : store_.events_of_unit(u.id)) out.emplace_back(event_json(e, u.slug));
    return json_response(200, json::object{{"events", std::move(out)}});
  }

  http_response occurrences(const calendar::unit& u, std::string_view query) const {
    // Dates are days in the unit's zone; `to` is the last day shown.
    const auto today = date::floor<date::days>(calendar::to_local(now_, u.zone));
    date::sys_days from{today.time_since_epoch()};
    date::sys_days to = from + default_window;
    for (const std::string_view name : {"from", "to"}) {
      const auto text = query_value(query, name);
      if (!text) continue;
      const auto day = parse_date(*text);
      if (!day) {
        return error_response(
            {422, "invalid", std::string(name) + " must be a date YYYY-MM-DD", std::string(name)});
      }
      (name == "from" ? from : to) = *day;
    }
    if (to < from) return error_response({422, "invalid", "to is before from", "to"});
    if (to - from > longest_window) {
      return error_response({422, "window_too_long", "a window spans at most 366 days", "to"});
    }
    const auto start = calendar::to_utc(calendar::local_seconds(from.time_since_epoch()), u.zone);
    const auto end =
        calendar::to_utc(calendar::local_seconds((to + date::days(1)).time_since_epoch()), u.zone);
    struct found {
      utc_seconds start;
      json::object item;
    };
    std::vector<found> all;
    for (const auto& e : store_.events_of_unit(u.id)) {
      for (const auto& o : calendar::expand(e, start, end)) {
        all.push_back({o.start, occurrence_json(e, o, store_.occupancy_of(e.id, o.key))});
      }
    }
    std::stable_sort(all.begin(), all.end(),
                     [](const found& a, const found& b) { return a.start < b.start; });
    json::array out;
    for (auto& f : all) out.emplace_back(std::move(f.item));
    return json_response(200, json::object{{"unit", u.slug},
                                           {"from", date::format("%F", from)},
                                           {"to", date::format("%F", to)},
                                           {"occurrences", std::move(out)}});
  }

  http_response follow(const calendar::unit& u, bool on) const {
    if (auto refused = need_person()) return *refused;
    if (auto done = store_.set_follow(who_.who->id, u.id, on); !done) {
      return error_response(from_storage(done.error()));
    }
    return json_response(200, json::object{{"unit", u.slug}, {"following", on}});
  }

  // ---- events ---------------------------------------------------------------------------
  http_response create_event(const calendar::unit& u) const {
    if (auto refused = need_editor(u.id)) return *refused;
    auto body = read_body(request_);
    if (!body) return error_response(body.error());
    calendar::event e;
    e.unit = u.id;
    e.zone = u.zone;
    if (auto applied = apply_event_fields(e, *body, true); !applied) {
      return error_response(applied.error());
    }
    auto made = store_.create_event(std::move(e), who_.actor(), now_);
    if (!made) return error_response(from_storage(made.error()));
    return json_response(201, event_json(*made, u.slug));
  }

  http_response patch_event(calendar::event e) const {
    if (auto refused = need_editor(e.unit)) return *refused;
    auto body = read_body(request_);
    if (!body) return error_response(body.error());
    if (auto applied = apply_event_fields(e, *body, false); !applied) {
      return error_response(applied.error());
    }
    auto changed = usecases::update_event(use(), std::move(e), who_.actor());
    if (!changed) return error_response(from_storage(changed.error()));
    return json_response(200, event_json(*changed, slug_of(*changed)));
  }

  http_response cancel_event(const calendar::event& e) const {
    if (auto refused = need_editor(e.unit)) return *refused;
    auto cancelled = usecases::cancel_event(use(), e, who_.actor());
    if (!cancelled) return error_response(from_storage(cancelled.error()));
    return json_response(200, event_json(*cancelled, slug_of(*cancelled)));
  }

  http_response set_override(const calendar::event& e, const calendar::occurrence_key& key) const {
    if (auto refused = need_editor(e.unit)) return *refused;
    auto body = read_body(request_);
    if (!body) return error_response(body.error());
    auto o = override_from(e, key, *body);
    if (!o) return error_response(o.error());
    auto changed = usecases::change_occurrence(use(), e, std::move(*o), who_.actor());
    if (!changed) return error_response(from_storage(changed.error()));
    return occurrence_response(*changed, key);
  }

  // ---- RSVPs ----------------------------------------------------------------------------
  http_response own_rsvp(const calendar::event& e, const calendar::occurrence_key& key) const {
    if (auto refused = need_person()) return *refused;
    const auto r = store_.rsvp_of(e.id, key, who_.who->id);
    if (!r) return error_response(not_found("no RSVP to this occurrence yet"));
    auto out = rsvp_json(*r);
    out["occupancy"] = occupancy_json(store_.occupancy_of(e.id, key));
    return json_response(200, out);
  }

  http_response set_rsvp(const calendar::event& e, const calendar::occurrence_key& key) const {
    if (auto refused = need_person()) return *refused;
    auto body = read_body(request_);
    if (!body) return error_response(body.error());
    for (const auto& item : *body) {
      if (item.key() != "answer") {
        return error_response(
            {422, "invalid", "unknown field " + std::string(item.key()), std::string(item.key())});
      }
    }
    const auto* answer_value = body->if_contains("answer");
    if (answer_value == nullptr)
      return error_response({422, "invalid", "answer is required", "answer"});
    if (!answer_value->is_string()) {
      return error_response({400, "wrong_type", "answer must be a string", "answer"});
    }
    const auto answer = calendar::parse_rsvp_answer(answer_value->get_string());
    if (!answer) {
      return error_response({422, "invalid", "answer must be yes, no or maybe", "answer"});
    }
    if (auto limited = rate_limited()) return *limited;
    auto change = usecases::answer_rsvp(use(), e, key, *who_.who, *answer);
    if (!change) return error_response(from_storage(change.error()));
    auto out = rsvp_json(change->rsvp);
    out["promoted"] = change->promoted.size();
    out["occupancy"] = occupancy_json(store_.occupancy_of(e.id, key));
    return json_response(200, out);
  }

  /// POST .../guest-rsvp: an RSVP without an account, pending until the emailed link is
  /// confirmed. Anyone may ask; 202 whether or not a mail goes out (an address that has
  /// answered already gets none), so that the answer tells nobody who comes.
  http_response guest_rsvp(const calendar::event& e, const calendar::occurrence_key& key) const {
    auto body = read_body(request_);
    if (!body) return error_response(body.error());
    for (const auto& item : *body) {
      if (item.key() != "name" && item.key() != "email" && item.key() != "answer") {
        return error_response(
            {422, "invalid", "unknown field " + std::string(item.key()), std::string(item.key())});
      }
    }
    std::string fields[3];
    for (std::size_t i = 0; const std::string_view field : {"name", "email", "answer"}) {
      const std::string name(field);
      const auto* v = body->if_contains(field);
      if (v == nullptr) return error_response({422, "invalid", name + " is required", name});
      if (!v->is_string()) {
        return error_response({400, "wrong_type", name + " must be a string", name});
      }
      fields[i++] = std::string(v->get_string());
    }
    const auto name = usecases::guest_name(fields[0]);
    if (!name) {
      return error_response(
          {422, "invalid", "name must be 1 to 100 characters on one line", "name"});
    }
    const auto email = usecases::email_address(fields[1]);
    if (!email) {
      return error_response({422, "invalid",
                             "email must be a plain email address (ASCII, name@example.org)",
                             "email"});
    }
    const auto answer = calendar::parse_rsvp_answer(fields[2]);
    if (!answer) {
      return error_response({422, "invalid", "answer must be yes, no or maybe", "answer"});
    }
    // As RSVPs: per person (here: per address asked for, so that nobody's inbox is flooded)
    // and per client address.
    auto wait = by_person_.take("guest:" + *email);
    if (wait.count() == 0) wait = by_address_.take(request_.remote_address);
    if (wait.count() > 0) {
      auto r = error_response({429, "rate_limited", "too many RSVPs; try again later", {}});
      r.headers.emplace_back("Retry-After", std::to_string(wait.count()));
      return r;
    }
    const std::string_view language = request_.accept_language.starts_with("en") ? "en" : "de";
    auto pending = usecases::request_guest_rsvp(use(), e, key, *name, *email, *answer, language);
    utc_seconds expires = now_ + guest_link_ttl;
    if (pending) {
      expires = pending->expires;
    } else if (pending.error().code != storage::errc::conflict) {
      return error_response(from_storage(pending.error()));
    }
    return json_response(202, json::object{{"pending", true}, {"expires", utc_text(expires)}});
  }

  http_response attendees(const calendar::event& e, const calendar::occurrence_key& key) const {
    if (auto refused = need_editor(e.unit)) return *refused;
    json::array out;
    for (const auto& a : store_.attendees(e.id, key)) {
      auto item = rsvp_json(a.rsvp);
      item["name"] = a.who.name;
      item["email"] = a.who.email;
      out.emplace_back(std::move(item));
    }
    return json_response(200,
                         json::object{{"event", e.id.value},
                                      {"key", key.to_string()},
                                      {"occupancy", occupancy_json(store_.occupancy_of(e.id, key))},
                                      {"attendees", std::move(out)}});
  }

  /// POST .../message: a responsible's message to everyone going to or waiting for the
  /// occurrence.
  http_response message_attendees(const calendar::event& e,
                                  const calendar::occurrence_key& key) const {
    if (auto refused = need_editor(e.unit)) return *refused;
    auto body = read_body(request_);
    if (!body) return error_response(body.error());
    for (const auto& item : *body) {
      if (item.key() != "subject" && item.key() != "body") {
        return error_response(
            {422, "invalid", "unknown field " + std::string(item.key()), std::string(item.key())});
      }
    }
    auto subject = message_text(*body, "subject", max_subject_chars, false);
    if (!subject) return error_response(subject.error());
    auto text = message_text(*body, "body", max_body_chars, true);
    if (!text) return error_response(text.error());
    auto sent = usecases::message_attendees(use(), e, key, *who_.who, *subject, *text);
    if (!sent) return error_response(from_storage(sent.error()));
    return json_response(
        202, json::object{{"event", e.id.value}, {"key", key.to_string()}, {"recipients", *sent}});
  }

  // ---- me -------------------------------------------------------------------------------
  http_response me() const {
    if (auto refused = need_person()) return *refused;
    const auto& p = *who_.who;
    json::array follows;
    for (const auto id : store_.follows(p.id)) {
      if (const auto u = store_.unit_by_id(id)) follows.emplace_back(u->slug);
    }
    json::array responsible_for;
    for (const auto& u : store_.units()) {
      const auto people = store_.responsibles(u.id);
      if (std::any_of(people.begin(), people.end(),
                      [&](const storage::person& r) { return r.id == p.id; })) {
        responsible_for.emplace_back(u.slug);
      }
    }
    json::array rsvps;
    for (const auto& r : store_.rsvps_of_person(p.id)) {
      auto item = rsvp_json(r);
      if (const auto e = store_.event_by_id(r.event)) item["title"] = e->title;
      rsvps.emplace_back(std::move(item));
    }
    return json_response(200, json::object{{"id", p.id.value},
                                           {"name", p.name},
                                           {"email", p.email},
                                           {"language", p.language},
                                           {"admin", p.admin},
                                           {"notices", p.notices},
                                           {"responsible_for", std::move(responsible_for)},
                                           {"follows", std::move(follows)},
                                           {"rsvps", std::move(rsvps)}});
  }

  /// All data about the caller (store::export_person_json), as a file to keep.
  http_response export_me() const {
    if (auto refused = need_person()) return *refused;
    auto data = store_.export_person_json(who_.who->id);
    if (!data) return error_response(from_storage(data.error()));
    auto r = http_response::text(200, *data + "\n", "application/json");
    r.headers.emplace_back("Content-Disposition",
                           "attachment; filename=\"treffpunkt-meine-daten.json\"");
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  }

  /// Deletes the caller's account (store::delete_person): their sessions, tokens and feed
  /// links end with it, so the cookie is cleared too.
  http_response delete_me() const {
    if (auto refused = need_person()) return *refused;
    if (auto done = usecases::delete_account(use(), who_.who->id, who_.actor()); !done) {
      return error_response(from_storage(done.error()));
    }
    auto r = json_response(200, json::object{{"deleted", true}});
    std::string clear = "session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax";
    if (base_url_.starts_with("https://")) clear += "; Secure";
    r.headers.emplace_back("Set-Cookie", std::move(clear));
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  }

  http_response reminders() const {
    if (auto refused = need_person()) return *refused;
    json::array minutes;
    for (const auto m : store_.reminder_offsets(who_.who->id)) minutes.emplace_back(m.count());
    return json_response(200, json::object{{"reminders", std::move(minutes)},
                                           {"chosen", store_.has_reminder_choice(who_.who->id)}});
  }

  /// Whether the caller gets notices of changed or cancelled sessions and the responsibles'
  /// messages (off after a one-click unsubscribe, as on /me).
  http_response notices() const {
    if (auto refused = need_person()) return *refused;
    return json_response(200, json::object{{"notices", who_.who->notices}});
  }

  http_response set_notices() const {
    if (auto refused = need_person()) return *refused;
    auto body = read_body(request_);
    if (!body) return error_response(body.error());
    for (const auto& item : *body) {
      if (item.key() != "notices") {
        return error_response(
            {422, "invalid", "unknown field " + std::string(item.key()), std::string(item.key())});
      }
    }
    const auto* on = body->if_contains("notices");
    if (on == nullptr) return error_response({422, "invalid", "notices is required", "notices"});
    if (!on->is_bool()) {
      return error_response({400, "wrong_type", "notices must be true or false", "notices"});
    }
    if (auto done = store_.set_notices(who_.who->id, on->get_bool()); !done) {
      return error_response(from_storage(done.error()));
    }
    return json_response(200, json::object{{"notices", on->get_bool()}});
  }

  http_response set_reminders() const {
    if (auto refused = need_person()) return *refused;
    auto body = read_body(request_);
    if (!body) return error_response(body.error());
    for (const auto& item : *body) {
      if (item.key() != "reminders") {
        return error_response(
            {422, "invalid", "unknown field " + std::string(item.key()), std::string(item.key())});
      }
    }
    const auto* list = body->if_contains("reminders");
    if (list == nullptr)
      return error_response({422, "invalid", "reminders is required", "reminders"});
    if (!list->is_array()) {
      return error_response(
          {400, "wrong_type", "reminders must be a list of minutes", "reminders"});
    }
    std::vector<std::chrono::minutes> before;
    for (const auto& v : list->get_array()) {
      if (!v.is_int64()) {
        return error_response(
            {400, "wrong_type", "reminders must be a list of minutes", "reminders"});
      }
      before.emplace_back(v.get_int64());
    }
    if (auto done = store_.set_reminder_offsets(who_.who->id, std::move(before)); !done) {
      return error_response(from_storage(done.error()));
    }
    return reminders();
  }

  // ---- personal feed ----------------------------------------------------------------------
  json::object feed_json(const storage::issued_token& secret, bool made_now) const {
    const std::string path = usecases::personal_feed_path(secret.raw);
    const std::string url = std::string(base_url_) + path;
    return json::object{{"path", path},
                        {"url", url},
                        {"webcal", webcal(url)},
                        {"id", secret.id},
                        {"new", made_now}};
  }

  /// The feed's link. The store keeps only a secret's hash, so the link can be shown only when
  /// the secret is made: on the first call. Later calls say that there is one ("url": null);
  /// POST .../rotate makes a new one (and the old link stops working).
  http_response feed_link() const {
    if (auto refused = need_person()) return *refused;
    const auto existing = store_.list_tokens(who_.who->id, storage::token_kind::feed, now_);
    if (!existing.empty()) {
      return json_response(200, json::object{{"path", nullptr},
                                             {"url", nullptr},
                                             {"webcal", nullptr},
                                             {"id", existing.front().id},
                                             {"new", false},
                                             {"created", utc_text(existing.front().created)}});
    }
    const auto secret = store_.issue_token(storage::token_kind::feed, who_.who->id,
                                           usecases::feed_secret_ttl, now_);
    auto out = feed_json(secret, true);
    out["created"] = utc_text(now_);
    return json_response(200, out);
  }

  http_response rotate_feed() const {
    if (auto refused = need_person()) return *refused;
    // What the "me" page's "make a new link" does too.
    const auto secret = usecases::new_feed_secret(use(), who_.who->id);
    auto out = feed_json(secret, true);
    out["created"] = utc_text(now_);
    return json_response(200, out);
  }

  // ---- API tokens -----------------------------------------------------------------------
  http_response tokens() const {
    if (auto refused = need_person()) return *refused;
    json::array out;
    for (const auto& t : store_.list_tokens(who_.who->id, storage::token_kind::api, now_)) {
      out.emplace_back(json::object{
          {"id", t.id}, {"created", utc_text(t.created)}, {"expires", utc_text(t.expires)}});
    }
    return json_response(200, json::object{{"tokens", std::move(out)}});
  }

  http_response create_token() const {
    if (auto refused = need_person()) return *refused;
    // No fields yet: an empty body or {} (anything else is refused, so that a client does
    // not believe it chose a name or a lifetime).
    if (!request_.body.empty()) {
      auto body = read_body(request_);
      if (!body) return error_response(body.error());
      if (!body->empty()) {
        const std::string field(body->begin()->key());
        return error_response({422, "invalid", "unknown field " + field, field});
      }
    }
    const auto t = store_.issue_token(storage::token_kind::api, who_.who->id, api_token_ttl, now_);
    return json_response(201, json::object{{"id", t.id},
                                           {"token", t.raw},
                                           {"created", utc_text(now_)},
                                           {"expires", utc_text(t.expires)}});
  }

  http_response revoke_token(std::string_view id) const {
    if (auto refused = need_person()) return *refused;
    if (!is_token_id(id) || !store_.revoke_token(who_.who->id, storage::token_kind::api, id)) {
      return error_response(not_found("you have no API token " + std::string(id)));
    }
    return json_response(200, json::object{{"id", id}, {"revoked", true}});
  }

  storage::store& store_;
  const http_request& request_;
  const caller& who_;
  utc_seconds now_;
  rate_limiter& by_person_;
  rate_limiter& by_address_;
  std::string_view base_url_;
  const rsvp_mail_options& mail_;
};

}  // namespace

api::api(storage::store& store, rsvp_limiters limits, rsvp_mail_options mail)
    : store_(store), limits_(limits), mail_(std::move(mail)) {}

api::~api() = default;

http_response api::handle(const http_request& request, utc_seconds now, std::string_view base_url) {
  const std::string_view target = request.target;
  const auto question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
  constexpr std::string_view prefix = "/api/v1/";
  if (!path.starts_with(prefix)) return error_response(not_found("no such API route"));
  const auto parts = split_path(path.substr(prefix.size()));
  const route* r = parts.empty() ? nullptr : match(parts);
  if (r == nullptr) return error_response(not_found("no such API route"));
  if (!allows(r->allow, route_method(request))) {
    auto out =
        error_response({405,
                        "method_not_allowed",
                        request.method + " is not allowed here; use " + std::string(r->allow),
                        {}});
    out.headers.emplace_back("Allow", std::string(r->allow));
    return out;
  }
  const caller who = authenticate(store_, request, now);
  if (!who.valid) {
    return error_response({401, "unauthenticated", "unknown or expired credentials", {}});
  }
  call c(store_, request, who, now, limits_.by_person, limits_.by_address, base_url, mail_);
  return c.run(parts, query);
}

}  // namespace treffpunkt::server
