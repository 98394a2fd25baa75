// Part of store: see store_impl.h.
//
// RSVPs: yes / no / maybe per occurrence, places and the waitlist, guest RSVPs with double
// opt-in. The rules themselves (may one answer now, how many places are free) are
// calendar::rsvp_refused and calendar::places_free; this file applies them inside one write
// transaction so that the count of places and the change of the RSVP cannot interleave.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "event_rows.h"
#include "outbox.h"
#include "people_rows.h"
#include "rights.h"
#include "rsvp_rows.h"
#include "store_impl.h"
#include "tokens.h"

namespace treffpunkt::storage {
namespace {

using namespace std::chrono_literals;

/// How long a guest's emailed link stays valid.
constexpr std::chrono::seconds guest_rsvp_ttl = 48h;

// ---- names as stored --------------------------------------------------------------------

std::string_view db_text(calendar::rsvp_answer a) { return calendar::to_string(a); }

calendar::rsvp_answer answer_from_db(std::string_view s) {
  // The column's CHECK admits only the three names.
  return calendar::parse_rsvp_answer(s).value_or(calendar::rsvp_answer::no);
}

std::string_view db_text(rsvp_state s) {
  switch (s) {
    case rsvp_state::going:
      return "going";
    case rsvp_state::waitlisted:
      return "waitlisted";
    case rsvp_state::maybe:
      return "maybe";
    case rsvp_state::not_going:
      return "not_going";
    case rsvp_state::pending:
      return "pending";
  }
  return "pending";
}

rsvp_state state_from_db(std::string_view s) {
  if (s == "going") return rsvp_state::going;
  if (s == "waitlisted") return rsvp_state::waitlisted;
  if (s == "maybe") return rsvp_state::maybe;
  if (s == "not_going") return rsvp_state::not_going;
  return rsvp_state::pending;
}

// ---- occurrences -----------------------------------------------------------------------

/// The occurrence `key` of `e` if an RSVP to it may be given at `now`, else the reason why not.
/// An archived unit takes no answers to what was to come when it was archived.
result<calendar::occurrence> open_occurrence(sql::connection& c, const calendar::event& e,
                                             const calendar::occurrence_key& key,
                                             calendar::utc_seconds now) {
  auto o = calendar::find_occurrence(e, key);
  if (!o) {
    return error{errc::not_found,
                 "event " + std::to_string(e.id.value) + " has no occurrence " + key.to_string()};
  }
  auto& archived = c.prepare("SELECT archived FROM units WHERE id = ?");
  archived.bind(1, e.unit.value);
  std::optional<std::int64_t> since;
  if (archived.step()) since = archived.optional_int64(0);
  archived.reset();
  if (since && o->start >= utc_from_db(*since)) {
    return error{errc::rsvp_closed, "the unit is archived: it takes no answers"};
  }
  if (const auto refusal = calendar::rsvp_refused(e, *o, now)) {
    switch (*refusal) {
      case calendar::rsvp_refusal::cancelled:
        return error{errc::occurrence_cancelled, "the occurrence is cancelled"};
      case calendar::rsvp_refusal::past:
        return error{errc::occurrence_past, "the occurrence has already started"};
      case calendar::rsvp_refusal::deadline_passed:
        return error{errc::rsvp_closed, "RSVPs for this occurrence are closed"};
    }
  }
  return *o;
}

// ---- RSVP rows ----------------------------------------------------------------------------

/// One occurrence of one event, as RSVP rows address it: the key in its stored form.
struct slot {
  calendar::event_id event;
  std::string key;
};

/// The columns of an rsvp_record, for queries over `rsvps r`. The waitlist position is not
/// stored but counted (rank among the waitlisted by waitlist_seq), so that a promotion never
/// has to renumber the rows behind it.
constexpr std::string_view record_columns =
    "SELECT r.event_id, r.occurrence_key, r.person_id, r.answer, r.state, r.updated, "
    "CASE WHEN r.state = 'waitlisted' THEN (SELECT count(*) FROM rsvps w "
    "WHERE w.event_id = r.event_id AND w.occurrence_key = r.occurrence_key "
    "AND w.state = 'waitlisted' AND w.waitlist_seq <= r.waitlist_seq) ELSE 0 END";
constexpr int record_column_count = 7;

// Statements are cached by their text, so each query text is built once.
const std::string& one_record_query() {
  static const std::string q = std::string(record_columns) +
                               " FROM rsvps r WHERE r.event_id = ? AND r.occurrence_key = ? "
                               "AND r.person_id = ?";
  return q;
}

const std::string& records_of_person_query() {
  static const std::string q = std::string(record_columns) +
                               " FROM rsvps r WHERE r.person_id = ? "
                               "ORDER BY r.event_id, r.occurrence_key";
  return q;
}

/// Going first (by time of RSVP), then the waitlist in order, then maybe.
const std::string& attendees_query() {
  static const std::string q =
      std::string(record_columns) +
      ", p.id, p.name, p.email, p.language, p.admin, p.guest, p.created, p.notices "
      "FROM rsvps r JOIN people p ON p.id = r.person_id "
      // A deleted account's place still counts (occupancy_of) but has no one to show or mail.
      "WHERE r.event_id = ? AND r.occurrence_key = ? AND p.deleted IS NULL "
      "AND r.state IN ('going', 'waitlisted', 'maybe') "
      "ORDER BY CASE r.state WHEN 'going' THEN 0 WHEN 'waitlisted' THEN 1 ELSE 2 END, "
      "CASE WHEN r.state = 'waitlisted' THEN r.waitlist_seq ELSE r.updated END, r.id";
  return q;
}

rsvp_record read_record(const sql::statement& s) {
  rsvp_record r;
  r.event = calendar::event_id{s.int64(0)};
  r.key = calendar::occurrence_key::parse(s.text(1)).value_or(calendar::occurrence_key{});
  r.person = person_id{s.int64(2)};
  r.answer = answer_from_db(s.text(3));
  r.state = state_from_db(s.text(4));
  r.updated = utc_from_db(s.int64(5));
  r.waitlist_position = s.integer(6);
  return r;
}

std::optional<rsvp_record> find_record(sql::connection& c, const slot& at, person_id p) {
  auto& s = c.prepare(one_record_query());
  s.bind(1, at.event.value).bind(2, at.key).bind(3, p.value);
  std::optional<rsvp_record> r;
  if (s.step()) r = read_record(s);
  s.reset();
  return r;
}

/// How many of the slot's RSVPs are going: rsvp_counts' row for it (schema v10, kept by the
/// triggers on rsvps), one index lookup however many have answered; no row, none.
int count_going(sql::connection& c, const slot& at) {
  auto& s = c.prepare("SELECT going FROM rsvp_counts WHERE event_id = ? AND occurrence_key = ?");
  s.bind(1, at.event.value).bind(2, at.key);
  const int n = s.step() ? s.integer(0) : 0;
  s.reset();
  return n;
}

std::int64_t next_waitlist_seq(sql::connection& c, const slot& at) {
  auto& s = c.prepare(
      "SELECT coalesce(max(waitlist_seq), 0) + 1 FROM rsvps "
      "WHERE event_id = ? AND occurrence_key = ? AND state = 'waitlisted'");
  s.bind(1, at.event.value).bind(2, at.key);
  s.step();
  const std::int64_t seq = s.int64(0);
  s.reset();
  return seq;
}

/// Inserts or replaces the person's RSVP row for the slot; returns its id.
void upsert_row(sql::connection& c, const slot& at, person_id p, calendar::rsvp_answer answer,
                rsvp_state state, std::optional<std::int64_t> waitlist_seq,
                calendar::utc_seconds now) {
  // No RETURNING: SQLite builds a temporary table for it, on the path of every RSVP.
  auto& s = c.prepare(
      "INSERT INTO rsvps (event_id, occurrence_key, person_id, answer, state, waitlist_seq, "
      "created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (event_id, occurrence_key, person_id) DO UPDATE SET "
      "answer = excluded.answer, state = excluded.state, waitlist_seq = excluded.waitlist_seq, "
      "updated = excluded.updated");
  s.bind(1, at.event.value).bind(2, at.key).bind(3, p.value).bind(4, db_text(answer));
  s.bind(5, db_text(state)).bind(6, waitlist_seq).bind(7, to_db(now)).bind(8, to_db(now));
  s.run();
}

/// The row id of someone's RSVP (which must exist).
std::int64_t row_id(sql::connection& c, const slot& at, person_id p) {
  auto& s =
      c.prepare("SELECT id FROM rsvps WHERE event_id = ? AND occurrence_key = ? AND person_id = ?");
  s.bind(1, at.event.value).bind(2, at.key).bind(3, p.value);
  s.step();
  const std::int64_t id = s.int64(0);
  s.reset();
  return id;
}

/// Someone's personal feed shows their RSVPs: its cache key moves with the person's version.
void bump_person_version(sql::connection& c, person_id p) {
  c.prepare("UPDATE people SET version = version + 1 WHERE id = ?").bind(1, p.value).run();
}

/// Moves people from the head of the waitlist to free places, in waitlist order, and returns
/// them (as they now stand).
std::vector<rsvp_record> fill_places(sql::connection& c, const calendar::event& e, const slot& at,
                                     calendar::utc_seconds now) {
  std::vector<rsvp_record> promoted;
  // Without a capacity every place is free: who goes would not change the answer.
  const std::size_t going = e.capacity ? static_cast<std::size_t>(count_going(c, at)) : 0;
  const std::size_t free = calendar::places_free(e.capacity, going);
  if (free == 0) return promoted;

  std::vector<person_id> movers;
  auto& head = c.prepare(
      "SELECT person_id FROM rsvps WHERE event_id = ? AND occurrence_key = ? "
      "AND state = 'waitlisted' ORDER BY waitlist_seq, id");
  head.bind(1, at.event.value).bind(2, at.key);
  while (movers.size() < free && head.step()) movers.push_back(person_id{head.int64(0)});
  head.reset();

  for (const person_id p : movers) {
    c.prepare(
         "UPDATE rsvps SET state = 'going', waitlist_seq = NULL, updated = ? "
         "WHERE event_id = ? AND occurrence_key = ? AND person_id = ?")
        .bind(1, to_db(now))
        .bind(2, at.event.value)
        .bind(3, at.key)
        .bind(4, p.value)
        .run();
    bump_person_version(c, p);
    promoted.push_back(*find_record(c, at, p));
  }
  return promoted;
}

std::string describe(const slot& at, person_id p, const rsvp_record& r) {
  return "person=" + std::to_string(p.value) + " occurrence=" + at.key +
         " answer=" + std::string(db_text(r.answer)) + " state=" + std::string(db_text(r.state));
}

/// One "rsvp_promoted" audit line per person moved up, by whoever freed the place.
void audit_promotions(sql::connection& c, const actor& who, const calendar::event& e,
                      const slot& at, const std::vector<rsvp_record>& promoted,
                      calendar::utc_seconds now) {
  for (const auto& r : promoted) {
    store::impl::audit(c, who, "rsvp_promoted", e.unit, e.id, describe(at, r.person, r), now);
  }
}

/// Applies `answer` of `p` to the slot inside the caller's write transaction; the occurrence
/// must already have been found open for RSVPs, and `before` is p's record there as read in
/// this transaction (find_record). A yes takes a free place or joins the end of
/// the waitlist; any change that frees a place moves the head of the waitlist up.
rsvp_change apply_answer(sql::connection& c, const calendar::event& e, const slot& at, person_id p,
                         calendar::rsvp_answer answer, calendar::utc_seconds now,
                         std::string_view action, const std::optional<rsvp_record>& before) {
  // Saying again what one said keeps one's place: no new waitlist position, nothing written.
  if (before && before->state != rsvp_state::pending && before->answer == answer) {
    return rsvp_change{*before, {}};
  }

  rsvp_state state = rsvp_state::not_going;
  std::optional<std::int64_t> waitlist_seq;
  switch (answer) {
    case calendar::rsvp_answer::yes:
      // Without a capacity there is a place for everyone: going at once (and fill_places below
      // still moves up anyone left waiting from when there was one).
      if (!e.capacity) {
        state = rsvp_state::going;
        break;
      }
      // Everyone saying yes queues at the end of the waitlist first, and fill_places then hands
      // out the free places in waitlist order: so a newcomer never overtakes someone already
      // waiting, even if a place became free without a promotion (capacity raised).
      state = rsvp_state::waitlisted;
      waitlist_seq = next_waitlist_seq(c, at);
      break;
    case calendar::rsvp_answer::maybe:
      state = rsvp_state::maybe;
      break;
    case calendar::rsvp_answer::no:
      state = rsvp_state::not_going;
      break;
  }
  upsert_row(c, at, p, answer, state, waitlist_seq, now);
  bump_person_version(c, p);

  auto promoted = fill_places(c, e, at, now);
  // The caller getting the place they asked for is their answer, not a promotion.
  std::optional<rsvp_record> placed;
  std::erase_if(promoted, [&](const rsvp_record& r) {
    if (r.person != p) return false;
    placed = r;
    return true;
  });

  // The row as written, without reading it back, unless it waits: its position is a rank
  // among the waiting (record_columns), which only a read gives.
  rsvp_record mine;
  if (placed) {
    mine = *placed;
  } else if (state == rsvp_state::waitlisted) {
    mine = *find_record(c, at, p);
  } else {
    mine = rsvp_record{
        e.id,  calendar::occurrence_key::parse(at.key).value_or(calendar::occurrence_key{}),
        p,     answer,
        state, 0,
        now};
  }
  rsvp_change change{std::move(mine), std::move(promoted)};
  store::impl::audit(c, actor::of(p), action, e.unit, e.id, describe(at, p, change.rsvp), now);
  audit_promotions(c, actor::of(p), e, at, change.promoted, now);
  return change;
}

// ---- guests -------------------------------------------------------------------------------

/// The person with this (normalised) email, created as a guest if new. A member's address is
/// fine: their RSVP still waits for the emailed link, since typing an address proves nothing.
person_id guest_person(sql::connection& c, const std::string& email, const std::string& name,
                       std::string_view language, calendar::utc_seconds now) {
  auto& find = c.prepare("SELECT id FROM people WHERE email = ?");
  find.bind(1, email);
  std::optional<person_id> found;
  if (find.step()) found = person_id{find.int64(0)};
  find.reset();
  if (found) return *found;
  return person_id{c.prepare_insert("INSERT INTO people (email, name, language, guest, created) "
                                    "VALUES (?, ?, ?, 1, ?)")
                       .bind(1, email)
                       .bind(2, name)
                       .bind(3, language == "en" ? "en" : "de")
                       .bind(4, to_db(now))
                       .insert()};
}

}  // namespace

std::vector<rsvp_record> promote_from_waitlists(sql::connection& c, const calendar::event& e,
                                                const actor& who, calendar::utc_seconds now) {
  std::vector<calendar::occurrence_key> keys;
  auto& waiting = c.prepare(
      "SELECT DISTINCT occurrence_key FROM rsvps WHERE event_id = ? AND state = 'waitlisted'");
  waiting.bind(1, e.id.value);
  while (waiting.step()) {
    if (auto key = calendar::occurrence_key::parse(waiting.text(0))) keys.push_back(*key);
  }
  waiting.reset();
  // In time order, so the audit log reads like the calendar.
  std::sort(keys.begin(), keys.end());

  std::vector<rsvp_record> promoted;
  for (const auto& key : keys) {
    const auto o = calendar::find_occurrence(e, key);
    if (!o) continue;  // no longer an occurrence (the rule changed): its RSVPs stay as history
    // Cancelled and started occurrences keep their lists as history. After the RSVP deadline
    // nobody may answer any more, but those waiting answered in time: a place that opens
    // before the start still goes to them.
    const auto refusal = calendar::rsvp_refused(e, *o, now);
    if (refusal && *refusal != calendar::rsvp_refusal::deadline_passed) continue;
    const slot at{e.id, key.to_string()};
    auto moved = fill_places(c, e, at, now);
    audit_promotions(c, who, e, at, moved, now);
    promoted.insert(promoted.end(), std::make_move_iterator(moved.begin()),
                    std::make_move_iterator(moved.end()));
  }
  return promoted;
}

result<void> queue_plan(sql::connection& c, const mail_plan& plan, calendar::utc_seconds now) {
  for (const auto& m : plan.queue) {
    if (auto refused = unqueueable(m)) return *refused;
  }
  for (const auto& prefix : plan.drop) {
    if (!prefix.empty()) drop_queued_in(c, prefix);
  }
  for (const auto& m : plan.queue) enqueue_in(c, m, now);
  return {};
}

std::vector<released_places> release_future_places(sql::connection& c, person_id p,
                                                   const actor& who, calendar::utc_seconds now) {
  std::map<std::int64_t, std::vector<std::string>> keys_by_event;
  auto& answers = c.prepare(
      "SELECT event_id, occurrence_key FROM rsvps WHERE person_id = ? "
      "AND state IN ('going', 'maybe') ORDER BY event_id, occurrence_key");
  answers.bind(1, p.value);
  while (answers.step()) keys_by_event[answers.int64(0)].push_back(answers.text(1));
  answers.reset();

  std::vector<released_places> released;
  for (const auto& [id, keys] : keys_by_event) {
    // In event order: two such writes lock the events they share in the same order.
    const auto e = load_event_for_write(c, calendar::event_id{id});
    if (!e) continue;
    bool withdrawn = false;
    for (const auto& text : keys) {
      const auto key = calendar::occurrence_key::parse(text);
      if (!key) continue;
      const auto o = calendar::find_occurrence(*e, *key);
      if (!o) continue;
      const auto refusal = calendar::rsvp_refused(*e, *o, now);
      if (refusal && *refusal != calendar::rsvp_refusal::deadline_passed) continue;
      c.prepare("DELETE FROM rsvps WHERE event_id = ? AND occurrence_key = ? AND person_id = ?")
          .bind(1, id)
          .bind(2, text)
          .bind(3, p.value)
          .run();
      withdrawn = true;
    }
    if (!withdrawn) continue;
    released.push_back(released_places{*e, promote_from_waitlists(c, *e, who, now)});
  }
  return released;
}

// ---- writes -------------------------------------------------------------------------------

result<rsvp_change> store::set_rsvp(calendar::event_id id, const calendar::occurrence_key& key,
                                    person_id p, calendar::rsvp_answer answer,
                                    calendar::utc_seconds now) {
  return set_rsvp(id, key, p, answer, now, rsvp_mails{}, {});
}

result<rsvp_change> store::set_rsvp(calendar::event_id id, const calendar::occurrence_key& key,
                                    person_id p, calendar::rsvp_answer answer,
                                    calendar::utc_seconds now, const rsvp_mails& mails,
                                    std::string_view drop_unless_going) {
  // impl::write runs the body in BEGIN IMMEDIATE, which takes SQLite's write lock before the
  // first read. So counting the places and writing the RSVP cannot interleave with another
  // write, neither from this process (write_mutex) nor from another one on the same file (the
  // lock, waited for by the busy timeout): of two members asking for the last place, the
  // second transaction only starts after the first has committed and sees the place taken.
  // And write() returns only after COMMIT (WAL, synchronous=FULL), so an acknowledged RSVP
  // survives a crash.
  // On PostgreSQL, where another process's writer runs at the same time in READ COMMITTED,
  // load_event_for_write first locks the event's row: the other's write on this event waits,
  // and what this one counts after the lock includes everything committed before it.
  // The mails the change causes go into the outbox in the same transaction: the RSVP and its
  // confirmation commit together or not at all.
  // Rerunnable: the body derives everything from its arguments and what it reads; `mails` only
  // composes (it runs again with the body).
  return impl_->write_rerunnable([&](sql::connection& c) -> result<rsvp_change> {
    const auto e = impl_->events.load_for_write(c, id);
    if (!e) return error{errc::not_found, "no event " + std::to_string(id.value)};
    const auto o = open_occurrence(c, *e, key, now);
    if (!o) return o.error();
    if (!person_exists(c, p)) {
      return error{errc::not_found, "no person " + std::to_string(p.value)};
    }
    const slot at{id, o->key.to_string()};
    const auto before = find_record(c, at, p);
    // apply_answer writes nothing for a repeated answer: then there is nothing to tell anyone.
    const bool unchanged =
        before && before->state != rsvp_state::pending && before->answer == answer;
    auto change = apply_answer(c, *e, at, p, answer, now, "rsvp", before);
    if (unchanged) return change;
    // Such messages (reminders) are queued only while one is going: from any other state
    // there is nothing to drop, and the walk over the outbox's index is saved.
    if (!drop_unless_going.empty() && change.rsvp.state != rsvp_state::going && before &&
        before->state == rsvp_state::going) {
      drop_queued_in(c, drop_unless_going);
    }
    if (mails) {
      std::vector<outbox_message> queued;
      try {
        queued = mails(change, *e);
      } catch (const std::exception& failure) {
        // Returning the error rolls back the RSVP with everything else of this transaction.
        return error{errc::invalid,
                     std::string("cannot compose the RSVP mails: ") + failure.what()};
      }
      for (const auto& m : queued) {
        if (auto refused = unqueueable(m)) return *refused;
        enqueue_in(c, m, now);
      }
    }
    return change;
  });
}

result<guest_rsvp> store::request_guest_rsvp(calendar::event_id id,
                                             const calendar::occurrence_key& key,
                                             std::string_view name, std::string_view email,
                                             calendar::rsvp_answer answer,
                                             calendar::utc_seconds now) {
  return request_guest_rsvp(id, key, name, email, answer, now, "de", guest_rsvp_mails{});
}

result<guest_rsvp> store::request_guest_rsvp(calendar::event_id id,
                                             const calendar::occurrence_key& key,
                                             std::string_view name, std::string_view email,
                                             calendar::rsvp_answer answer,
                                             calendar::utc_seconds now, std::string_view language,
                                             const guest_rsvp_mails& mails) {
  const std::string address = normalise_email(email);
  if (!looks_like_email(address)) return error{errc::invalid, "not an email address", "email"};
  const std::string who = trimmed(name);
  if (who.empty() || who.size() > 200) {
    return error{errc::invalid, "a name of 1 to 200 characters is needed", "name"};
  }
  const std::string raw = random_token();
  const std::string hash = token_hash(raw);

  return impl_->write_rerunnable([&](sql::connection& c) -> result<guest_rsvp> {
    const auto e = impl_->events.load_for_write(c, id);
    if (!e) return error{errc::not_found, "no event " + std::to_string(id.value)};
    const auto o = open_occurrence(c, *e, key, now);
    if (!o) return o.error();
    const person_id p = guest_person(c, address, who, language, now);
    const slot at{id, o->key.to_string()};

    // An unconfirmed request must not touch an answer that counts: anyone can type anyone's
    // address. A member changes their answer after logging in.
    if (const auto before = find_record(c, at, p); before && before->state != rsvp_state::pending) {
      return error{errc::conflict,
                   "this address has already answered for this occurrence: log in to change it",
                   "email"};
    }
    upsert_row(c, at, p, answer, rsvp_state::pending, {}, now);
    const std::int64_t rsvp_row = row_id(c, at, p);
    // Asking again (another answer, a lost email) sends a new link; the old one stops working.
    c.prepare("DELETE FROM tokens WHERE rsvp_id = ? AND kind = 'guest_rsvp'")
        .bind(1, rsvp_row)
        .run();
    insert_token(c, token_kind::guest_rsvp, p, rsvp_row, now, guest_rsvp_ttl, hash);

    guest_rsvp out{*find_record(c, at, p), raw, now + guest_rsvp_ttl};
    store::impl::audit(c, actor::of(p), "guest_rsvp_requested", e->unit, e->id,
                       describe(at, p, out.rsvp), now);
    if (mails) {
      auto& s = c.prepare("SELECT " + std::string(person_columns) + " FROM people WHERE id = ?");
      s.bind(1, p.value);
      s.step();
      const person guest = person_from(s);
      s.reset();
      mail_plan plan;
      try {
        plan = mails(out, *e, guest);
      } catch (const std::exception& failure) {
        // Returning the error rolls back the request with everything else of this transaction.
        return error{errc::invalid,
                     std::string("cannot compose the confirmation mail: ") + failure.what()};
      }
      if (auto queued = queue_plan(c, plan, now); !queued) return queued.error();
    }
    return out;
  });
}

result<rsvp_change> store::confirm_guest_rsvp(std::string_view token, calendar::utc_seconds now) {
  return confirm_guest_rsvp(token, now, rsvp_mails{});
}

result<rsvp_change> store::confirm_guest_rsvp(std::string_view token, calendar::utc_seconds now,
                                              const rsvp_mails& mails) {
  const std::string hash = token_hash(token);
  return impl_->write_rerunnable([&](sql::connection& c) -> result<rsvp_change> {
    const auto t = find_token(c, hash);
    if (!t || t->kind != token_kind::guest_rsvp || !t->rsvp_id) {
      return error{errc::not_found, "no such confirmation link"};
    }
    if (t->used || now >= t->expires) {
      return error{errc::expired, "the confirmation link has expired or was already used"};
    }

    auto& row = c.prepare(
        "SELECT event_id, occurrence_key, person_id, answer FROM rsvps "
        "WHERE id = ? AND state = 'pending'");
    row.bind(1, *t->rsvp_id);
    if (!row.step()) {
      row.reset();
      return error{errc::expired, "the RSVP of this link is no longer pending"};
    }
    const calendar::event_id id{row.int64(0)};
    const auto key = calendar::occurrence_key::parse(row.text(1));
    const person_id p{row.int64(2)};
    const auto answer = answer_from_db(row.text(3));
    row.reset();

    const auto e = load_event_for_write(c, id);
    if (!e || !key) return error{errc::not_found, "the event of this RSVP no longer exists"};
    // Checked again now: the occurrence may have been cancelled or started since the request.
    // A refusal rolls back, so the link is not used up by it.
    const auto o = open_occurrence(c, *e, *key, now);
    if (!o) return o.error();
    // The check of `used` above may be older than a confirmation through another process
    // (PostgreSQL, READ COMMITTED) that committed while this one waited for the event's lock:
    // the UPDATE sees it, and only one of the two uses the link.
    if (!mark_token_used(c, hash, now)) {
      return error{errc::expired, "the confirmation link has expired or was already used"};
    }
    // Places are given now, not at the request: an unconfirmed RSVP held none.
    const slot at{id, o->key.to_string()};
    auto change =
        apply_answer(c, *e, at, p, answer, now, "guest_rsvp_confirmed", find_record(c, at, p));
    if (mails) {
      std::vector<outbox_message> queued;
      try {
        queued = mails(change, *e);
      } catch (const std::exception& failure) {
        return error{errc::invalid,
                     std::string("cannot compose the RSVP mails: ") + failure.what()};
      }
      if (auto done = queue_plan(c, mail_plan{{}, std::move(queued)}, now); !done) {
        return done.error();
      }
    }
    return change;
  });
}

result<rsvp_record> store::guest_rsvp_of_link(std::string_view token,
                                              calendar::utc_seconds now) const {
  impl::reader r(*impl_);
  const auto t = find_token(*r, token_hash(token));
  if (!t || t->kind != token_kind::guest_rsvp || !t->rsvp_id) {
    return error{errc::not_found, "no such confirmation link"};
  }
  if (!t->used && now >= t->expires) return error{errc::expired, "the link has expired"};
  auto& s = r->prepare(std::string(record_columns) + " FROM rsvps r WHERE r.id = ?");
  s.bind(1, *t->rsvp_id);
  std::optional<rsvp_record> found;
  if (s.step()) found = read_record(s);
  s.reset();
  if (!found) return error{errc::not_found, "the RSVP of this link is gone"};
  return *found;
}

int store::expire_guest_rsvps(calendar::utc_seconds now) {
  auto expired = impl_->write([&](sql::connection& c) -> result<int> {
    std::vector<std::pair<std::int64_t, person_id>> stale;
    auto& find = c.prepare(
        "SELECT r.id, r.person_id FROM rsvps r WHERE r.state = 'pending' AND NOT EXISTS "
        "(SELECT 1 FROM tokens t WHERE t.rsvp_id = r.id AND t.kind = 'guest_rsvp' "
        "AND t.used IS NULL AND t.expires > ?)");
    find.bind(1, to_db(now));
    while (find.step()) stale.emplace_back(find.int64(0), person_id{find.int64(1)});
    find.reset();

    for (const auto& [rsvp_row, p] : stale) {
      // Its token goes with it (tokens.rsvp_id ON DELETE CASCADE).
      c.prepare("DELETE FROM rsvps WHERE id = ?").bind(1, rsvp_row).run();
      // A guest who never confirmed anything leaves no address behind.
      c.prepare(
           "DELETE FROM people WHERE id = ? AND guest = 1 AND admin = 0 "
           "AND NOT EXISTS (SELECT 1 FROM rsvps WHERE person_id = people.id) "
           "AND NOT EXISTS (SELECT 1 FROM tokens WHERE person_id = people.id) "
           "AND NOT EXISTS (SELECT 1 FROM responsibles WHERE person_id = people.id)")
          .bind(1, p.value)
          .run();
    }
    // Used or expired confirmation links are worth nothing any more.
    c.prepare("DELETE FROM tokens WHERE kind = 'guest_rsvp' AND expires <= ?")
        .bind(1, to_db(now))
        .run();
    const int n = static_cast<int>(stale.size());
    if (n > 0) {
      store::impl::audit(c, actor::system(), "guest_rsvps_expired", std::nullopt, std::nullopt,
                         "count=" + std::to_string(n), now);
    }
    return n;
  });
  // The interface returns a count: a failed clean-up (database busy or full) removed nothing
  // and is retried by the next run.
  return expired ? *expired : 0;
}

// ---- reads --------------------------------------------------------------------------------

std::optional<rsvp_record> store::rsvp_of(calendar::event_id id,
                                          const calendar::occurrence_key& key, person_id p) const {
  impl::reader r(*impl_);
  return find_record(*r, slot{id, key.to_string()}, p);
}

std::vector<rsvp_record> store::rsvps_of_person(person_id p) const {
  impl::reader r(*impl_);
  auto& s = r->prepare(records_of_person_query());
  s.bind(1, p.value);
  std::vector<rsvp_record> out;
  while (s.step()) out.push_back(read_record(s));
  s.reset();
  return out;
}

occupancy store::occupancy_of(calendar::event_id id, const calendar::occurrence_key& key) const {
  impl::reader r(*impl_);
  // One statement, so the counts and the capacity come from the same snapshot. The counts are
  // rsvp_counts' row (schema v10): one lookup, not three counts over the occurrence's RSVPs.
  // No row: nobody has answered.
  auto& s = r->prepare(
      "SELECT e.capacity, coalesce(n.going, 0), coalesce(n.waitlisted, 0), "
      "coalesce(n.maybe, 0) FROM events e LEFT JOIN rsvp_counts n "
      "ON n.event_id = e.id AND n.occurrence_key = ?1 WHERE e.id = ?2");
  s.bind(1, key.to_string()).bind(2, id.value);
  occupancy out;
  if (s.step()) {
    if (const auto capacity = s.optional_int64(0)) out.capacity = static_cast<int>(*capacity);
    out.going = s.integer(1);
    out.waitlisted = s.integer(2);
    out.maybe = s.integer(3);
  }
  s.reset();
  return out;
}

std::vector<attendee> attendees_in(sql::connection& c, calendar::event_id id,
                                   const calendar::occurrence_key& key) {
  auto& s = c.prepare(attendees_query());
  s.bind(1, id.value).bind(2, key.to_string());
  std::vector<attendee> out;
  while (s.step()) {
    attendee a;
    a.rsvp = read_record(s);
    a.who = person_from(s, record_column_count);
    out.push_back(std::move(a));
  }
  s.reset();
  return out;
}

result<int> store::queue_for_attendees(calendar::event_id id, const calendar::occurrence_key& key,
                                       const actor& who, const attendee_mails& mails,
                                       calendar::utc_seconds now) {
  return impl_->write([&](sql::connection& c) -> result<int> {
    const auto e = load_event(c, id);
    if (!e) return error{errc::not_found, "no event " + std::to_string(id.value)};
    if (!may_edit_unit(c, who, e->unit) && !hosts_event(c, who, id)) {
      return error{errc::forbidden,
                   "only the unit's responsibles, admins and the host may write to "
                   "the attendees"};
    }
    if (!calendar::find_occurrence(*e, key)) {
      return error{errc::not_found, key.to_string() + " is not an occurrence of this event",
                   "occurrence"};
    }
    auto people = attendees_in(c, id, key);
    std::erase_if(people, [](const attendee& a) {
      return a.rsvp.state != rsvp_state::going && a.rsvp.state != rsvp_state::waitlisted;
    });
    std::vector<outbox_message> queued;
    try {
      queued = mails(people);
    } catch (const std::exception& failure) {
      return error{errc::invalid, std::string("cannot compose the messages: ") + failure.what()};
    }
    int count = 0;
    for (const auto& m : queued) {
      if (auto refused = unqueueable(m)) return *refused;
      if (enqueue_in(c, m, now)) ++count;
    }
    store::impl::audit(c, who, "message_attendees", e->unit, e->id,
                       key.to_string() + " recipients=" + std::to_string(count), now);
    return count;
  });
}

std::vector<attendee> store::attendees(calendar::event_id id,
                                       const calendar::occurrence_key& key) const {
  impl::reader r(*impl_);
  return attendees_in(*r, id, key);
}

}  // namespace treffpunkt::storage
