// Part of store: see store_impl.h.
//
// Privacy: deleting an account (the member's right to erasure) and expiring the outbox's old
// messages, which carry addresses and text.
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "rights.h"
#include "rsvp_rows.h"
#include "store_impl.h"

namespace treffpunkt::storage {

result<void> store::delete_person(person_id p, const actor& who, calendar::utc_seconds now,
                                  const deletion_mails& mails) {
  return impl_->write([&](sql::connection& c) -> result<void> {
    auto& find = c.prepare("SELECT email, admin FROM people WHERE id = ? AND deleted IS NULL");
    find.bind(1, p.value);
    if (!find.step()) {
      find.reset();
      return error{errc::not_found, "no such person"};
    }
    const std::string email = find.text(0);
    const bool admin = find.int64(1) != 0;
    find.reset();

    if (who.person() != p && !is_admin(c, who)) {
      return error{errc::forbidden, "only the person themselves or an admin deletes an account"};
    }
    // Units whose occurrences lose someone from a waitlist: their pages' counts change.
    std::set<std::int64_t> units;
    // Every event whose counts (rsvp_counts, kept by triggers) this deletion changes, in id
    // order: each is locked before anything of it changes. The DELETE of the waitlisted rows
    // below updates the count rows of several events in one statement; without the events'
    // locks it could hold one count row and wait for another that an RSVP holds, while that
    // RSVP's promotion waits for this person's waitlisted row (a deadlock on PostgreSQL). In
    // id order, as release_future_places takes them too: it then takes no new lock.
    std::set<std::int64_t> counted;
    auto& waiting = c.prepare(
        "SELECT DISTINCT r.event_id, e.unit_id, "
        "CASE WHEN r.state = 'waitlisted' THEN 1 ELSE 0 END FROM rsvps r "
        "JOIN events e ON e.id = r.event_id WHERE r.person_id = ? "
        "AND (r.state = 'going' OR r.state = 'waitlisted' OR r.state = 'maybe')");
    waiting.bind(1, p.value);
    while (waiting.step()) {
      counted.insert(waiting.int64(0));
      if (waiting.int64(2) != 0) units.insert(waiting.int64(1));
    }
    waiting.reset();
    for (const std::int64_t e : counted) c.lock_row("events", e);

    if (admin) {
      // Two admins deleting themselves at once through two processes on PostgreSQL would each
      // count the other and both go: the admins' rows are locked, in id order (so two such
      // deletions wait for each other, never deadlock), and counted after the lock, which sees
      // what the other committed. After the events' locks, as an RSVP takes an event's lock
      // before any person's row. On SQLite the write transaction already excludes it.
      std::vector<std::int64_t> ids;
      auto& admins =
          c.prepare("SELECT id FROM people WHERE admin = 1 AND deleted IS NULL ORDER BY id");
      while (admins.step()) ids.push_back(admins.int64(0));
      admins.reset();
      for (const auto id : ids) c.lock_row("people", id);
      auto& count = c.prepare("SELECT count(*) FROM people WHERE admin = 1 AND deleted IS NULL");
      count.step();
      const std::int64_t n = count.int64(0);
      count.reset();
      if (n <= 1) {
        return error{errc::conflict, "the last admin cannot be deleted: name another first",
                     "admin"};
      }
    }

    // Whoever deletes their account does not come: their places still to come go to the
    // waitlists, as if they had said no. Going and maybe to what has started stay, anonymous,
    // so that the past keeps its numbers.
    const auto released = release_future_places(c, p, who, now);
    for (const auto& r : released) units.insert(r.event.unit.value);
    // The rest is only about them. A waitlisted row leaves the queue: positions are ranks by
    // waitlist_seq, so the people behind move up in order, and nobody gets a place, because
    // none was freed. Their guest links go with their rows (CASCADE).
    c.prepare("DELETE FROM rsvps WHERE person_id = ? AND state NOT IN ('going', 'maybe')")
        .bind(1, p.value)
        .run();
    // Who came keeps its numbers as the RSVPs do, but not who it was: the link goes.
    c.prepare("UPDATE attendance SET person_id = NULL WHERE person_id = ?").bind(1, p.value).run();
    for (const char* table : {"tokens", "follows", "reminder_preferences", "responsibles"}) {
      c.prepare(std::string("DELETE FROM ") + table + " WHERE person_id = ?")
          .bind(1, p.value)
          .run();
    }
    // Their proposals and wishes are their words and go; the events made from their approved
    // proposals stay with the unit, without a host. Pages and feeds that named them change.
    auto& named = c.prepare(
        "SELECT e.unit_id FROM event_hosts h JOIN events e ON e.id = h.event_id "
        "WHERE h.person_id = ? UNION SELECT unit_id FROM wishes WHERE person_id = ? AND open = 1");
    named.bind(1, p.value).bind(2, p.value);
    while (named.step()) units.insert(named.int64(0));
    named.reset();
    for (const char* table : {"event_hosts", "offer_proposals", "wishes"}) {
      c.prepare(std::string("DELETE FROM ") + table + " WHERE person_id = ?")
          .bind(1, p.value)
          .run();
    }
    // When and with which app their own feed was fetched is about them too.
    c.prepare("DELETE FROM feed_fetches WHERE feed = ?").bind(1, feed_ref::of(p).key()).run();
    // Every message to them, sent ones too: the address and the text are theirs. A message
    // being sent just now is gone as well; its dispatcher's mark_sent then finds nothing.
    c.prepare("DELETE FROM outbox WHERE recipient = ?").bind(1, email).run();
    // The tombstone: "deleted:<id>" is unique and no address, so nobody can log in as it or
    // mail it, and the old address is free for a new account.
    c.prepare(
         "UPDATE people SET email = 'deleted:' || id, name = '', language = 'de', admin = 0, "
         "guest = 0, notices = 0, deleted = ?, version = version + 1 WHERE id = ?")
        .bind(1, to_db(now))
        .bind(2, p.value)
        .run();
    if (mails && !released.empty()) {
      auto queued = compose_and_queue(
          c, "account deletion", [&] { return mails(released); }, now);
      if (!queued) return queued.error();
    }
    for (const std::int64_t u : units) impl::bump_unit_version(c, calendar::unit_id{u});
    impl::audit(c, who, "delete_person", std::nullopt, std::nullopt,
                "person " + std::to_string(p.value), now);
    return {};
  });
}

int store::expire_outbox(calendar::utc_seconds before) {
  auto expired = impl_->write([&](sql::connection& c) -> result<int> {
    // A failed row has no time of its own: its last attempt was due at `due`.
    c.prepare("DELETE FROM outbox WHERE state IN ('sent', 'failed') AND coalesce(sent, due) < ?")
        .bind(1, to_db(before))
        .run();
    return static_cast<int>(c.changes());
  });
  // As expire_guest_rsvps: a failed clean-up removed nothing and the next round retries.
  return expired ? *expired : 0;
}

}  // namespace treffpunkt::storage
