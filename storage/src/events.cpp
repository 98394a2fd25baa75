// Part of store: see store_impl.h.
#include <calendar/expand.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <set>
#include <stdexcept>

#include "rights.h"
#include "store_impl.h"

namespace treffpunkt::storage {
namespace {

using std::chrono::seconds;

error from_calendar(const calendar::error& e) { return error{errc::invalid, e.what(), e.field}; }

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
    "rsvp_deadline";

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
  // Written from recurrence_rule::to_string(), so it parses again.
  if (const auto rule = s.optional_text(17)) {
    if (auto parsed = calendar::recurrence_rule::parse(*rule)) e.rule = *parsed;
  }
  if (const auto capacity = s.optional_int64(18)) e.capacity = static_cast<int>(*capacity);
  if (const auto deadline = s.optional_int64(19)) e.rsvp_deadline = seconds(*deadline);
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
  // Sorted as occurrence keys, not as their text.
  std::sort(e.overrides.begin(), e.overrides.end(),
            [](const auto& a, const auto& b) { return a.key < b.key; });
}

std::optional<calendar::event> read_event(sql::connection& c, calendar::event_id id) {
  auto& s = c.prepare("SELECT " + std::string(event_columns) + " FROM events WHERE id = ?");
  s.bind(1, id.value);
  std::optional<calendar::event> e;
  if (s.step()) e = event_from(s);
  s.reset();
  if (e) load_children(c, *e);
  return e;
}

std::optional<calendar::event> read_event_by_uid(sql::connection& c, std::string_view uid) {
  auto& s = c.prepare("SELECT id FROM events WHERE uid = ?");
  s.bind(1, uid);
  std::optional<calendar::event_id> id;
  if (s.step()) id = calendar::event_id{s.int64(0)};
  s.reset();
  if (!id) return std::nullopt;
  return read_event(c, *id);
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
    c.prepare("INSERT OR IGNORE INTO event_rdates (event_id, start_local) VALUES (?, ?)")
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

/// Inserts a new event row (e.id is set) with its children.
void insert_event(sql::connection& c, calendar::event& e) {
  auto& s = c.prepare(
      "INSERT INTO events (unit_id, uid, related_to, sequence, created, last_modified, kind, "
      "status, title, description, location, online_url, zone, all_day, start_local, duration, "
      "rrule, capacity, rsvp_deadline) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  bind_event_fields(s, e);
  s.run();
  e.id = calendar::event_id{c.last_insert_rowid()};
  write_children(c, e);
}

/// Overwrites an existing event row (by e.id) and its children.
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

bool unit_exists(sql::connection& c, calendar::unit_id u) {
  auto& s = c.prepare("SELECT 1 FROM units WHERE id = ?");
  s.bind(1, u.value);
  const bool found = s.step();
  s.reset();
  return found;
}

error forbidden_for(calendar::unit_id u) {
  return error{errc::forbidden, "only the unit's responsibles and admins may change unit " +
                                    std::to_string(u.value)};
}

/// Whether an import changes what the event says (ids, versions and times of change aside).
bool same_content(const calendar::event& a, const calendar::event& b) {
  const auto strip = [](calendar::event e) {
    e.id = {};
    e.sequence = 0;
    e.created = {};
    e.last_modified = {};
    for (auto& o : e.overrides) {
      o.sequence = 0;
      o.last_modified = {};
    }
    std::sort(e.rdates.begin(), e.rdates.end());
    e.rdates.erase(std::unique(e.rdates.begin(), e.rdates.end()), e.rdates.end());
    return e;
  };
  return strip(a) == strip(b);
}

std::string name_of(const calendar::event& e) {
  return "event '" + e.title + "' (UID " + (e.uid.empty() ? "none" : e.uid) + ")";
}

}  // namespace

result<calendar::event> store::create_event(calendar::event e, const actor& who,
                                            calendar::utc_seconds now) {
  if (e.uid.empty()) e.uid = new_uid();
  e.id = {};
  e.sequence = 0;
  e.created = now;
  e.last_modified = now;
  if (auto valid = calendar::validate(e); !valid) return from_calendar(valid.error());
  return impl_->write([&](sql::connection& c) -> result<calendar::event> {
    if (!unit_exists(c, e.unit)) return error{errc::not_found, "no such unit", "unit"};
    if (!may_edit_unit(c, who, e.unit)) return forbidden_for(e.unit);
    if (read_event_by_uid(c, e.uid)) {
      return error{errc::conflict, "an event with UID " + e.uid + " exists", "uid"};
    }
    insert_event(c, e);
    impl::bump_unit_version(c, e.unit);
    impl::audit(c, who, "create_event", e.unit, e.id, e.title, now);
    return e;
  });
}

result<calendar::event> store::update_event(calendar::event e, const actor& who,
                                            calendar::utc_seconds now) {
  return impl_->write([&](sql::connection& c) -> result<calendar::event> {
    const auto old = read_event(c, e.id);
    if (!old) return error{errc::not_found, "no such event"};
    if (!may_edit_unit(c, who, old->unit)) return forbidden_for(old->unit);
    // The identity of the event in every calendar that has it.
    e.uid = old->uid;
    e.created = old->created;
    e.unit = old->unit;
    e.related_to = old->related_to;
    e.sequence = old->sequence + 1;
    e.last_modified = now;
    if (auto valid = calendar::validate(e); !valid) return from_calendar(valid.error());
    update_event_rows(c, e);
    impl::bump_unit_version(c, e.unit);
    impl::audit(c, who, "update_event", e.unit, e.id, e.title, now);
    return e;
  });
}

result<calendar::event> store::cancel_event(calendar::event_id id, const actor& who,
                                            calendar::utc_seconds now) {
  return impl_->write([&](sql::connection& c) -> result<calendar::event> {
    auto e = read_event(c, id);
    if (!e) return error{errc::not_found, "no such event"};
    if (!may_edit_unit(c, who, e->unit)) return forbidden_for(e->unit);
    if (e->status == calendar::event_status::cancelled) return *e;  // nothing changes
    e->status = calendar::event_status::cancelled;
    e->sequence += 1;
    e->last_modified = now;
    c.prepare(
         "UPDATE events SET status = 'cancelled', sequence = ?, last_modified = ? WHERE id = ?")
        .bind(1, e->sequence)
        .bind(2, to_db(now))
        .bind(3, id.value)
        .run();
    impl::bump_unit_version(c, e->unit);
    impl::audit(c, who, "cancel_event", e->unit, e->id, e->title, now);
    return *e;
  });
}

result<calendar::event> store::set_override(calendar::event_id id, calendar::occurrence_override o,
                                            const actor& who, calendar::utc_seconds now) {
  return impl_->write([&](sql::connection& c) -> result<calendar::event> {
    auto e = read_event(c, id);
    if (!e) return error{errc::not_found, "no such event"};
    if (!may_edit_unit(c, who, e->unit)) return forbidden_for(e->unit);

    // Without its current override, so that a cancelled occurrence (an EXDATE) can be
    // changed again and a moved one is found under its original start.
    const auto previous =
        std::find_if(e->overrides.begin(), e->overrides.end(),
                     [&](const calendar::occurrence_override& v) { return v.key == o.key; });
    std::optional<int> previous_sequence;
    if (previous != e->overrides.end()) {
      previous_sequence = previous->sequence;
      e->overrides.erase(previous);
    }
    if (!calendar::find_occurrence(*e, o.key)) {
      return error{errc::not_found, o.key.to_string() + " is not an occurrence of this event",
                   "occurrence"};
    }
    e->sequence += 1;
    e->last_modified = now;
    // A calendar app compares the override's SEQUENCE with the instance it holds; a first
    // override replaces an instance of the master, so it takes the master's new sequence.
    o.sequence = previous_sequence ? *previous_sequence + 1 : e->sequence;
    o.last_modified = now;
    const auto at = std::lower_bound(e->overrides.begin(), e->overrides.end(), o.key,
                                     [](const calendar::occurrence_override& v,
                                        const calendar::occurrence_key& k) { return v.key < k; });
    e->overrides.insert(at, o);
    if (auto valid = calendar::validate(*e); !valid) return from_calendar(valid.error());
    update_event_rows(c, *e);
    impl::bump_unit_version(c, e->unit);
    impl::audit(c, who, o.cancelled ? "cancel_occurrence" : "override_occurrence", e->unit, e->id,
                o.key.to_string(), now);
    return *e;
  });
}

result<std::pair<calendar::event, calendar::event>> store::split_event(
    calendar::event_id id, calendar::occurrence_key from, const actor& who,
    calendar::utc_seconds now) {
  using pair = std::pair<calendar::event, calendar::event>;
  return impl_->write([&](sql::connection& c) -> result<pair> {
    const auto e = read_event(c, id);
    if (!e) return error{errc::not_found, "no such event"};
    if (!may_edit_unit(c, who, e->unit)) return forbidden_for(e->unit);
    auto split = calendar::split_series(*e, from, new_uid());
    if (!split) {
      if (split.error().code == calendar::errc::not_found) {
        return error{errc::not_found, split.error().what(), "occurrence"};
      }
      return from_calendar(split.error());
    }
    auto& [old_series, new_series] = *split;
    old_series.last_modified = now;
    new_series.created = now;
    new_series.last_modified = now;
    if (auto valid = calendar::validate(old_series); !valid) return from_calendar(valid.error());
    if (auto valid = calendar::validate(new_series); !valid) return from_calendar(valid.error());
    update_event_rows(c, old_series);
    insert_event(c, new_series);

    // RSVPs follow their occurrence into the new series. Keys are compared as keys: their
    // text sorts differently once all-day ("20251202") and timed keys meet.
    std::vector<std::int64_t> moving;
    {
      auto& s = c.prepare("SELECT id, occurrence_key FROM rsvps WHERE event_id = ?");
      s.bind(1, id.value);
      while (s.step()) {
        const auto key = calendar::occurrence_key::parse(s.text(1));
        if (key && !(*key < from)) moving.push_back(s.int64(0));
      }
    }
    for (const std::int64_t rsvp : moving) {
      c.prepare("UPDATE rsvps SET event_id = ? WHERE id = ?")
          .bind(1, new_series.id.value)
          .bind(2, rsvp)
          .run();
    }
    impl::bump_unit_version(c, e->unit);
    impl::audit(c, who, "split_event", e->unit, e->id,
                "from " + from.to_string() + " into event " + std::to_string(new_series.id.value),
                now);
    return pair{old_series, new_series};
  });
}

std::optional<calendar::event> store::event_by_id(calendar::event_id id) const {
  impl::reader r(*impl_);
  // One read transaction, so that the event and its children are one snapshot.
  r->exec("BEGIN");
  std::optional<calendar::event> e;
  try {
    e = read_event(*r, id);
  } catch (...) {
    r->exec("ROLLBACK");
    throw;
  }
  r->exec("COMMIT");
  return e;
}

std::vector<calendar::event> store::events_of_unit(calendar::unit_id u) const {
  impl::reader r(*impl_);
  // One read transaction, so that the events and their children are one snapshot.
  r->exec("BEGIN");
  std::vector<calendar::event> out;
  try {
    auto& s = r->prepare("SELECT " + std::string(event_columns) +
                         " FROM events WHERE unit_id = ? "
                         "ORDER BY id");
    s.bind(1, u.value);
    while (s.step()) out.push_back(event_from(s));
    for (auto& e : out) load_children(*r, e);
  } catch (...) {
    r->exec("ROLLBACK");
    throw;
  }
  r->exec("COMMIT");
  return out;
}

result<import_summary> store::import_events(calendar::unit_id u,
                                            std::vector<calendar::event> events, const actor& who,
                                            calendar::utc_seconds now, bool dry_run) {
  // Checked before the transaction: a file that breaks a rule is refused whole.
  std::set<std::string> seen;
  for (auto& e : events) {
    e.unit = u;
    if (e.uid.empty()) e.uid = new_uid();
    if (!seen.insert(e.uid).second) {
      return error{errc::invalid, name_of(e) + ": the UID appears twice in the import", "uid"};
    }
    if (auto valid = calendar::validate(e); !valid) {
      return error{errc::invalid, name_of(e) + ": " + valid.error().what(), valid.error().field};
    }
  }
  return impl_->write([&](sql::connection& c) -> result<import_summary> {
    if (!unit_exists(c, u)) return error{errc::not_found, "no such unit", "unit"};
    if (!may_edit_unit(c, who, u)) return forbidden_for(u);

    // First decide for every event, then write: a dry run and a failing import stop before
    // the first write.
    enum class plan { create, update, unchanged };
    std::vector<std::pair<plan, calendar::event>> plans;
    import_summary summary;
    for (auto& e : events) {
      auto existing = read_event_by_uid(c, e.uid);
      if (!existing) {
        e.id = {};
        e.created = now;
        e.last_modified = now;
        e.sequence = std::max(e.sequence, 0);  // the file's SEQUENCE never goes backwards
        plans.emplace_back(plan::create, std::move(e));
        ++summary.created;
        continue;
      }
      if (existing->unit != u) {
        return error{errc::conflict, name_of(e) + " belongs to another unit", "uid"};
      }
      if (same_content(*existing, e)) {
        plans.emplace_back(plan::unchanged, std::move(*existing));
        ++summary.unchanged;
        continue;
      }
      e.id = existing->id;
      e.created = existing->created;
      e.related_to = e.related_to.empty() ? existing->related_to : e.related_to;
      e.sequence = std::max(existing->sequence + 1, e.sequence);
      e.last_modified = now;
      plans.emplace_back(plan::update, std::move(e));
      ++summary.updated;
    }
    if (dry_run) return summary;

    for (auto& [what, e] : plans) {
      if (what == plan::create) {
        insert_event(c, e);
        impl::audit(c, who, "import_create", u, e.id, e.uid, now);
      } else if (what == plan::update) {
        update_event_rows(c, e);
        impl::audit(c, who, "import_update", u, e.id, e.uid, now);
      }
    }
    if (summary.created + summary.updated > 0) impl::bump_unit_version(c, u);
    return summary;
  });
}

}  // namespace treffpunkt::storage
