// Part of store: see event_rows.h.
#include "event_rows.h"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

#include "store_impl.h"  // to_db, utc_from_db, local_from_db

namespace treffpunkt::storage {
namespace {

using std::chrono::seconds;

std::string_view kind_to_db(calendar::event_kind k) {
  return k == calendar::event_kind::meeting ? "meeting" : "exchange_offer";
}
calendar::event_kind kind_from_db(std::string_view s) {
  return s == "exchange_offer" ? calendar::event_kind::exchange_offer
                               : calendar::event_kind::meeting;
}
std::string_view status_to_db(calendar::event_status s) {
  return s == calendar::event_status::cancelled ? "cancelled" : "confirmed";
}
calendar::event_status status_from_db(std::string_view s) {
  return s == "cancelled" ? calendar::event_status::cancelled : calendar::event_status::confirmed;
}

constexpr std::string_view event_columns =
    "id, unit_id, uid, related_to, sequence, created, last_modified, kind, status, title, "
    "description, location, online_url, zone, all_day, start_local, duration, rrule, capacity, "
    "rsvp_deadline, "
    // The host's name where they allowed it to be shown (calendar::event::host).
    "coalesce((SELECT p.name FROM event_hosts h JOIN people p ON p.id = h.person_id "
    "WHERE h.event_id = events.id AND h.public = 1 AND p.deleted IS NULL), '')";

// Statements are cached by their text, so each query text is built once.
const std::string& event_by_id_query() {
  static const std::string q = "SELECT " + std::string(event_columns) + " FROM events WHERE id = ?";
  return q;
}
const std::string& events_of_unit_query() {
  static const std::string q =
      "SELECT " + std::string(event_columns) + " FROM events WHERE unit_id = ? ORDER BY id";
  return q;
}

calendar::event event_from(const sql::statement& s) {
  calendar::event e;
  e.id = calendar::event_id{s.int64(0)};
  e.unit = calendar::unit_id{s.int64(1)};
  e.uid = s.text(2);
  e.related_to = s.text(3);
  e.sequence = s.integer(4);
  e.created = utc_from_db(s.int64(5));
  e.last_modified = utc_from_db(s.int64(6));
  e.kind = kind_from_db(s.text(7));
  e.status = status_from_db(s.text(8));
  e.title = s.text(9);
  e.description = s.text(10);
  e.location = s.text(11);
  e.online_url = s.text(12);
  e.zone = s.text(13);
  e.all_day = s.int64(14) != 0;
  e.start = local_from_db(s.int64(15));
  e.duration = seconds(s.int64(16));
  if (const auto rule = s.optional_text(17)) {
    // Written from recurrence_rule::to_string() of a rule that parsed: see load_event. Read
    // as stored, so that a rule saved before the parser refused what RFC 5545 forbids still
    // loads.
    auto parsed = calendar::recurrence_rule::parse_stored(*rule);
    if (!parsed) {
      throw sql::failure::bad_data("event " + std::to_string(e.id.value) + ": bad rrule");
    }
    e.rule = std::move(*parsed);
  }
  if (const auto capacity = s.optional_int64(18)) e.capacity = static_cast<int>(*capacity);
  if (const auto deadline = s.optional_int64(19)) e.rsvp_deadline = seconds(*deadline);
  e.host = s.text(20);
  return e;
}

/// Fills in the rdates and overrides of `e` from their tables.
void load_children(sql::connection& c, calendar::event& e) {
  auto& r = c.prepare("SELECT start_local FROM event_rdates WHERE event_id = ? ORDER BY 1");
  r.bind(1, e.id.value);
  while (r.step()) e.rdates.push_back(local_from_db(r.int64(0)));

  auto& o = c.prepare(
      "SELECT occurrence_key, cancelled, start_local, duration, title, description, location, "
      "online_url, sequence, last_modified FROM occurrence_overrides WHERE event_id = ?");
  o.bind(1, e.id.value);
  while (o.step()) {
    const auto key = calendar::occurrence_key::parse(o.text(0));
    if (!key) continue;  // written from occurrence_key::to_string(): cannot happen
    calendar::occurrence_override v;
    v.key = *key;
    v.cancelled = o.int64(1) != 0;
    if (const auto start = o.optional_int64(2)) v.start = local_from_db(*start);
    if (const auto duration = o.optional_int64(3)) v.duration = seconds(*duration);
    v.title = o.optional_text(4);
    v.description = o.optional_text(5);
    v.location = o.optional_text(6);
    v.online_url = o.optional_text(7);
    v.sequence = o.integer(8);
    v.last_modified = utc_from_db(o.int64(9));
    e.overrides.push_back(std::move(v));
  }
  // find_override relies on the order by key (instant, then date-ness), not the text order.
  std::sort(e.overrides.begin(), e.overrides.end(),
            [](const auto& a, const auto& b) { return a.key < b.key; });
}

void bind_event_fields(sql::statement& s, const calendar::event& e) {
  s.bind(1, e.unit.value);
  s.bind(2, e.uid);
  s.bind(3, e.related_to);
  s.bind(4, e.sequence);
  s.bind(5, to_db(e.created));
  s.bind(6, to_db(e.last_modified));
  s.bind(7, kind_to_db(e.kind));
  s.bind(8, status_to_db(e.status));
  s.bind(9, e.title);
  s.bind(10, e.description);
  s.bind(11, e.location);
  s.bind(12, e.online_url);
  s.bind(13, e.zone);
  s.bind(14, e.all_day ? 1 : 0);
  s.bind(15, to_db(e.start));
  s.bind(16, static_cast<std::int64_t>(e.duration.count()));
  if (e.rule) {
    s.bind(17, e.rule->to_string());
  } else {
    s.bind_null(17);
  }
  s.bind(18, e.capacity);
  if (e.rsvp_deadline) {
    s.bind(19, static_cast<std::int64_t>(e.rsvp_deadline->count()));
  } else {
    s.bind_null(19);
  }
}

/// Replaces the event's rdates and overrides with those of `e`.
void write_children(sql::connection& c, const calendar::event& e) {
  c.prepare("DELETE FROM event_rdates WHERE event_id = ?").bind(1, e.id.value).run();
  c.prepare("DELETE FROM occurrence_overrides WHERE event_id = ?").bind(1, e.id.value).run();
  for (const auto& r : e.rdates) {
    // OR IGNORE: a date listed twice is one date.
    c.insert_or_ignore("INTO event_rdates (event_id, start_local) VALUES (?, ?)")
        .bind(1, e.id.value)
        .bind(2, to_db(r))
        .run();
  }
  for (const auto& o : e.overrides) {
    auto& s = c.prepare(
        "INSERT INTO occurrence_overrides (event_id, occurrence_key, cancelled, start_local, "
        "duration, title, description, location, online_url, sequence, last_modified) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    s.bind(1, e.id.value);
    s.bind(2, o.key.to_string());
    s.bind(3, o.cancelled ? 1 : 0);
    if (o.start) {
      s.bind(4, to_db(*o.start));
    } else {
      s.bind_null(4);
    }
    if (o.duration) {
      s.bind(5, static_cast<std::int64_t>(o.duration->count()));
    } else {
      s.bind_null(5);
    }
    s.bind(6, o.title);
    s.bind(7, o.description);
    s.bind(8, o.location);
    s.bind(9, o.online_url);
    s.bind(10, o.sequence);
    s.bind(11, to_db(o.last_modified));
    s.run();
  }
}

}  // namespace

/// A new iCalendar UID: 128 random bits, so that UIDs of different servers never collide
/// (RFC 5545 §3.8.4.7 asks for global uniqueness).
std::string new_uid() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed: no randomness for a UID");
  }
  constexpr std::string_view hex = "0123456789abcdef";
  std::string uid;
  for (const unsigned char b : bytes) {
    uid += hex[b >> 4];
    uid += hex[b & 15];
  }
  return uid + "@treffpunkt";
}

std::optional<calendar::event> load_event(sql::connection& c, calendar::event_id id) {
  auto& s = c.prepare(event_by_id_query());
  s.bind(1, id.value);
  std::optional<calendar::event> e;
  try {
    if (s.step()) e = event_from(s);
  } catch (...) {
    s.reset();
    throw;
  }
  s.reset();
  if (e) load_children(c, *e);
  return e;
}

namespace {

/// An event's unit and that unit's version (event_cache's tag), if the event exists.
std::optional<std::pair<std::int64_t, std::int64_t>> tag_of(sql::connection& c,
                                                            calendar::event_id id) {
  auto& s = c.prepare(
      "SELECT e.unit_id, u.version FROM events e JOIN units u ON u.id = e.unit_id "
      "WHERE e.id = ?");
  s.bind(1, id.value);
  std::optional<std::pair<std::int64_t, std::int64_t>> tag;
  if (s.step()) tag.emplace(s.int64(0), s.int64(1));
  s.reset();
  return tag;
}

}  // namespace

std::optional<calendar::event> event_cache::current(sql::connection& c, calendar::event_id id) {
  const auto tag = tag_of(c, id);
  if (!tag) return std::nullopt;
  const std::lock_guard lock(mutex_);
  if (const auto it = by_id_.find(id.value);
      it != by_id_.end() && it->second.unit == tag->first && it->second.version == tag->second) {
    return *it->second.event;
  }
  return std::nullopt;
}

std::optional<calendar::event> event_cache::load(sql::connection& c, calendar::event_id id) {
  // The version first, then the rows: an event read after its version is at least as new as
  // that version, so an entry can be newer than its tag (and is read again) but never older.
  const auto tag = tag_of(c, id);
  std::unique_lock lock(mutex_);
  if (!tag) {
    by_id_.erase(id.value);
    return std::nullopt;
  }
  if (const auto it = by_id_.find(id.value);
      it != by_id_.end() && it->second.unit == tag->first && it->second.version == tag->second) {
    return *it->second.event;
  }
  lock.unlock();
  auto e = load_event(c, id);
  if (!e) return e;
  // Bounded by forgetting everything: a server has far fewer events in use than this.
  constexpr std::size_t most = 4096;
  const std::lock_guard relock(mutex_);
  if (by_id_.size() >= most) by_id_.clear();
  by_id_[id.value] = entry{tag->first, tag->second, std::make_shared<const calendar::event>(*e)};
  return e;
}

std::optional<calendar::event> load_event_for_write(sql::connection& c, calendar::event_id id) {
  c.lock_row("events", id.value);
  return load_event(c, id);
}

namespace {

std::optional<calendar::event_id> event_id_of_uid(sql::connection& c, std::string_view uid) {
  auto& s = c.prepare("SELECT id FROM events WHERE uid = ?");
  s.bind(1, uid);
  std::optional<calendar::event_id> id;
  if (s.step()) id = calendar::event_id{s.int64(0)};
  s.reset();
  return id;
}

}  // namespace

std::optional<calendar::event> load_event_by_uid(sql::connection& c, std::string_view uid) {
  const auto id = event_id_of_uid(c, uid);
  if (!id) return std::nullopt;
  return load_event(c, *id);
}

std::optional<calendar::event> load_event_by_uid_for_write(sql::connection& c,
                                                           std::string_view uid) {
  // The id never changes, so the lock can follow its lookup.
  const auto id = event_id_of_uid(c, uid);
  if (!id) return std::nullopt;
  return load_event_for_write(c, *id);
}

std::vector<calendar::event> load_events_of_unit(sql::connection& c, calendar::unit_id u) {
  auto& s = c.prepare(events_of_unit_query());
  s.bind(1, u.value);
  std::vector<calendar::event> out;
  try {
    while (s.step()) out.push_back(event_from(s));
  } catch (...) {
    s.reset();
    throw;
  }
  s.reset();
  for (auto& e : out) load_children(c, e);
  return out;
}

void insert_event(sql::connection& c, calendar::event& e) {
  auto& s = c.prepare_insert(
      "INSERT INTO events (unit_id, uid, related_to, sequence, created, last_modified, kind, "
      "status, title, description, location, online_url, zone, all_day, start_local, duration, "
      "rrule, capacity, rsvp_deadline) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  bind_event_fields(s, e);
  e.id = calendar::event_id{s.insert()};
  write_children(c, e);
}

void update_event_rows(sql::connection& c, const calendar::event& e) {
  auto& s = c.prepare(
      "UPDATE events SET unit_id = ?, uid = ?, related_to = ?, sequence = ?, created = ?, "
      "last_modified = ?, kind = ?, status = ?, title = ?, description = ?, location = ?, "
      "online_url = ?, zone = ?, all_day = ?, start_local = ?, duration = ?, rrule = ?, "
      "capacity = ?, rsvp_deadline = ? WHERE id = ?");
  bind_event_fields(s, e);
  s.bind(20, e.id.value);
  s.run();
  write_children(c, e);
}

}  // namespace treffpunkt::storage
