// Part of store: see store_impl.h.
//
// Who came to an occurrence: a list recorded at or after its start by the unit's responsibles,
// an admin or the offer's host, of people who had answered and of walk-ins by name. Kept like
// RSVPs (docs/security.md): in the person's export, and anonymous after their account is
// deleted (privacy.cpp).
#include <calendar/text.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "event_rows.h"
#include "people_rows.h"
#include "rights.h"
#include "store_impl.h"

namespace treffpunkt::storage {
namespace {

/// A walk-in's name as the caller should have checked it already (usecases::guest_name): the
/// store refuses what would break a list, a CSV line or a page anyway.
bool acceptable_name(std::string_view name) {
  if (name.empty() || name != trimmed(name) || !calendar::valid_utf8(name)) return false;
  std::size_t characters = 0;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return false;
    if ((u & 0xC0) != 0x80) ++characters;
  }
  return characters <= max_walk_in_chars;
}

rsvp_state state_of(std::string_view s) {
  if (s == "going") return rsvp_state::going;
  if (s == "waitlisted") return rsvp_state::waitlisted;
  return rsvp_state::maybe;
}

attendance_record attendance_in(sql::connection& c, calendar::event_id id,
                                const calendar::occurrence_key& key) {
  const std::string k = key.to_string();
  attendance_record out;
  auto& list = c.prepare(
      "SELECT recorded_at FROM attendance_lists WHERE event_id = ? AND occurrence_key = ?");
  list.bind(1, id.value).bind(2, k);
  if (list.step()) out.recorded = utc_from_db(list.int64(0));
  list.reset();

  // The person's columns as person_columns, in the same order.
  constexpr std::string_view members =
      "SELECT r.state, p.id, p.name, p.email, p.language, p.admin, p.guest, p.created, "
      "p.notices FROM attendance a JOIN people p ON p.id = a.person_id "
      "LEFT JOIN rsvps r ON r.event_id = a.event_id AND r.occurrence_key = a.occurrence_key "
      "AND r.person_id = a.person_id "
      "WHERE a.event_id = ? AND a.occurrence_key = ? AND p.deleted IS NULL "
      "ORDER BY CASE r.state WHEN 'going' THEN 0 WHEN 'waitlisted' THEN 1 ELSE 2 END, "
      "p.name, p.id";
  auto& m = c.prepare(members);
  m.bind(1, id.value).bind(2, k);
  while (m.step()) {
    out.came.push_back({person_from(m, 1), state_of(m.is_null(0) ? "" : m.text(0))});
  }
  m.reset();

  auto& w = c.prepare(
      "SELECT walk_in FROM attendance WHERE event_id = ? AND occurrence_key = ? "
      "AND walk_in IS NOT NULL ORDER BY id");
  w.bind(1, id.value).bind(2, k);
  while (w.step()) out.walk_ins.push_back(w.text(0));
  w.reset();

  // Tombstones (a deletion that raced the list) count as anonymous too.
  auto& a = c.prepare(
      "SELECT count(*) FROM attendance a LEFT JOIN people p ON p.id = a.person_id "
      "WHERE a.event_id = ? AND a.occurrence_key = ? AND a.walk_in IS NULL "
      "AND (a.person_id IS NULL OR p.deleted IS NOT NULL)");
  a.bind(1, id.value).bind(2, k);
  a.step();
  out.anonymous = a.integer(0);
  a.reset();
  return out;
}

/// Refuses `came` unless each is a different person who answered the occurrence (going,
/// waitlisted or maybe) and still has an account.
result<void> check_came(sql::connection& c, calendar::event_id id, const std::string& key,
                        const std::vector<person_id>& came) {
  std::set<person_id> seen;
  auto& answered = c.prepare(
      "SELECT 1 FROM rsvps r JOIN people p ON p.id = r.person_id "
      "WHERE r.event_id = ? AND r.occurrence_key = ? AND r.person_id = ? "
      "AND r.state IN ('going', 'waitlisted', 'maybe') AND p.deleted IS NULL");
  for (const person_id p : came) {
    if (!seen.insert(p).second) {
      return error{errc::invalid, "person " + std::to_string(p.value) + " is listed twice", "came"};
    }
    answered.bind(1, id.value).bind(2, key).bind(3, p.value);
    const bool ok = answered.step();
    answered.reset();
    if (!ok) {
      return error{errc::invalid,
                   "person " + std::to_string(p.value) +
                       " did not answer yes or maybe (add them as a walk-in)",
                   "came"};
    }
  }
  return {};
}

result<void> check_walk_ins(const std::vector<std::string>& walk_ins) {
  if (walk_ins.size() > max_walk_ins) {
    return error{errc::invalid, "at most " + std::to_string(max_walk_ins) + " walk-ins",
                 "walk_ins"};
  }
  std::set<std::string_view> seen;
  for (const auto& name : walk_ins) {
    if (!acceptable_name(name)) {
      return error{errc::invalid,
                   "a walk-in's name is 1 to " + std::to_string(max_walk_in_chars) +
                       " characters on one line",
                   "walk_ins"};
    }
    if (!seen.insert(name).second) {
      return error{errc::invalid, "the walk-in '" + name + "' is listed twice", "walk_ins"};
    }
  }
  return {};
}

}  // namespace

result<attendance_record> store::set_attendance(calendar::event_id id,
                                                const calendar::occurrence_key& key,
                                                const std::vector<person_id>& came,
                                                const std::vector<std::string>& walk_ins,
                                                const actor& who, calendar::utc_seconds now) {
  return impl_->write([&](sql::connection& c) -> result<attendance_record> {
    const auto e = load_event_for_write(c, id);
    if (!e) return error{errc::not_found, "no event " + std::to_string(id.value)};
    if (!may_edit_unit(c, who, e->unit) && !hosts_event(c, who, id)) {
      return error{errc::forbidden,
                   "only the unit's responsibles, admins and the host record who came"};
    }
    const auto o = calendar::find_occurrence(*e, key);
    if (!o) {
      return error{errc::not_found, key.to_string() + " is not an occurrence of this event",
                   "occurrence"};
    }
    if (o->cancelled) return error{errc::occurrence_cancelled, "the occurrence is cancelled"};
    if (o->start > now) {
      return error{errc::not_started, "who came is recorded once the occurrence has started",
                   "occurrence"};
    }
    const std::string k = key.to_string();
    if (auto ok = check_came(c, id, k, came); !ok) return ok.error();
    if (auto ok = check_walk_ins(walk_ins); !ok) return ok.error();

    // The list is replaced; those who came and deleted their account since stay, anonymous.
    c.prepare(
         "DELETE FROM attendance WHERE event_id = ? AND occurrence_key = ? "
         "AND (person_id IS NOT NULL OR walk_in IS NOT NULL)")
        .bind(1, id.value)
        .bind(2, k)
        .run();
    constexpr std::string_view insert =
        "INSERT INTO attendance (event_id, occurrence_key, person_id, walk_in, recorded_at) "
        "VALUES (?, ?, ?, ?, ?)";
    for (const person_id p : came) {
      c.prepare(insert)
          .bind(1, id.value)
          .bind(2, k)
          .bind(3, p.value)
          .bind_null(4)
          .bind(5, to_db(now))
          .run();
    }
    for (const auto& name : walk_ins) {
      c.prepare(insert)
          .bind(1, id.value)
          .bind(2, k)
          .bind_null(3)
          .bind(4, name)
          .bind(5, to_db(now))
          .run();
    }
    c.prepare(
         "INSERT INTO attendance_lists (event_id, occurrence_key, recorded_at) VALUES (?, ?, ?) "
         "ON CONFLICT (event_id, occurrence_key) DO UPDATE SET recorded_at = excluded.recorded_at")
        .bind(1, id.value)
        .bind(2, k)
        .bind(3, to_db(now))
        .run();
    // Counts only: the audit log outlives the list's names.
    impl::audit(
        c, who, "record_attendance", e->unit, e->id,
        k + " came=" + std::to_string(came.size()) + " walk_ins=" + std::to_string(walk_ins.size()),
        now);
    return attendance_in(c, id, key);
  });
}

attendance_record store::attendance_of(calendar::event_id id,
                                       const calendar::occurrence_key& key) const {
  impl::reader r(*impl_);
  return in_snapshot(*r, [&] { return attendance_in(*r, id, key); });
}

std::vector<std::pair<calendar::occurrence_key, int>> store::attendance_counts(
    calendar::event_id id) const {
  impl::reader r(*impl_);
  auto& s = r->prepare(
      "SELECT l.occurrence_key, (SELECT count(*) FROM attendance a WHERE a.event_id = "
      "l.event_id AND a.occurrence_key = l.occurrence_key) FROM attendance_lists l "
      "WHERE l.event_id = ? ORDER BY l.occurrence_key");
  s.bind(1, id.value);
  std::vector<std::pair<calendar::occurrence_key, int>> out;
  while (s.step()) {
    if (auto key = calendar::occurrence_key::parse(s.text(0))) out.emplace_back(*key, s.integer(1));
  }
  s.reset();
  return out;
}

}  // namespace treffpunkt::storage
