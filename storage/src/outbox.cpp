// Part of store: see store_impl.h. The outbox: a queue of complete messages, claimed with a
// lease so that several dispatchers never send the same row (docs/notifications.md: sent once).
#include "outbox.h"

#include <algorithm>

#include "store_impl.h"

namespace treffpunkt::storage {
namespace {

outbox_state state_from_db(std::string_view s) {
  if (s == "sending") return outbox_state::sending;
  if (s == "sent") return outbox_state::sent;
  if (s == "failed") return outbox_state::failed;
  return outbox_state::queued;
}

std::optional<calendar::utc_seconds> optional_utc(const sql::statement& s, int column) {
  if (const auto v = s.optional_int64(column)) return utc_from_db(*v);
  return std::nullopt;
}

/// Columns in the order read_entry expects. The body is not among them: it lives in
/// outbox_messages (schema v11), read by id where it is wanted (claim_due).
constexpr std::string_view entry_columns =
    "id, created, kind, recipient, due, attempts, state, lease_until, last_error, sent, "
    "dedupe_key";

outbox_entry read_entry(const sql::statement& s) {
  outbox_entry e;
  e.id = outbox_id{s.int64(0)};
  e.created = utc_from_db(s.int64(1));
  e.kind = s.text(2);
  e.recipient = s.text(3);
  e.due = utc_from_db(s.int64(4));
  e.attempts = s.integer(5);
  e.state = state_from_db(s.text(6));
  e.lease_until = optional_utc(s, 7);
  e.last_error = s.optional_text(8).value_or("");
  e.sent = optional_utc(s, 9);
  e.dedupe_key = s.optional_text(10).value_or("");
  return e;
}

}  // namespace

bool enqueue_in(sql::connection& c, const outbox_message& m, calendar::utc_seconds now) {
  // The new row's id for its body, and none when the key was taken (insert_if_new).
  auto& s = c.prepare_insert(
      "INSERT INTO outbox (created, kind, recipient, due, dedupe_key) "
      "VALUES (?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING");
  s.bind(1, to_db(now));
  s.bind(2, m.kind);
  s.bind(3, m.recipient);
  s.bind(4, to_db(m.due));
  if (m.dedupe_key.empty()) {
    s.bind_null(5);  // NULLs never collide under UNIQUE
  } else {
    s.bind(5, m.dedupe_key);
  }
  const auto id = s.insert_if_new();
  s.reset();
  if (!id) return false;
  // A message composed when it is due (empty here) has no body row until then, nor after:
  // the dispatcher composes it into memory.
  if (!m.message.empty()) {
    c.prepare("INSERT INTO outbox_messages (id, message) VALUES (?, ?)")
        .bind(1, *id)
        .bind_blob(2, m.message)
        .run();
  }
  return true;
}

std::string prefix_end(std::string_view prefix) {
  std::string end(prefix);
  // Keys are text (UTF-8, compared bytewise): 0xFF never occurs in them.
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xFF) end.pop_back();
  if (end.empty()) return std::string(1, '\xFF');
  end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  return end;
}

int drop_queued_in(sql::connection& c, std::string_view prefix) {
  // A range on the key's index rather than LIKE (keys may contain % and _) or substr() (which
  // reads every queued row); `+state` keeps SQLite from taking the index on state instead.
  c.prepare(sql::text_for(c.dialect(),
                          [](sql::dialect d) {
                            return "DELETE FROM outbox WHERE dedupe_key >= ?1 AND dedupe_key < ?2 "
                                   "AND " +
                                   sql::unindexed(d, "state") + " = 'queued'";
                          }))
      .bind(1, prefix)
      .bind(2, prefix_end(prefix))
      .run();
  return c.changes();
}

result<int> store::drop_queued(std::string_view prefix) {
  if (prefix.empty()) return error{errc::invalid, "drop_queued needs a key prefix"};
  return impl_->write([&](sql::connection& c) -> result<int> { return drop_queued_in(c, prefix); });
}

std::optional<error> unqueueable(const outbox_message& m) {
  if (m.recipient.empty() || (m.message.empty() && m.dedupe_key.empty())) {
    return error{errc::invalid,
                 "an outbox message needs a recipient, and a message or the dedupe key of one "
                 "composed when due"};
  }
  return std::nullopt;
}

result<bool> store::enqueue(const outbox_message& m, calendar::utc_seconds now) {
  if (auto refused = unqueueable(m)) return *refused;
  return impl_->write([&](sql::connection& c) -> result<bool> { return enqueue_in(c, m, now); });
}

result<std::vector<outbox_entry>> store::claim_due(calendar::utc_seconds now,
                                                   std::chrono::seconds lease, int max) {
  if (max <= 0 || lease <= std::chrono::seconds(0)) {
    return error{errc::invalid, "claim_due needs max > 0 and a positive lease"};
  }
  // One write transaction. On SQLite (BEGIN IMMEDIATE) the select and the update cannot
  // interleave with another claimer's, in this process (write_mutex) or another (SQLite's
  // write lock). On PostgreSQL claimers of several processes run at once, in READ COMMITTED:
  // the inner select locks the rows it picks and skips those another claimer has locked
  // (sql::skip_locked), and a row another claimer took and committed since this statement
  // began is checked again against the WHERE after its lock (PostgreSQL re-reads a locked
  // row's newest version) and left out, being `sending` with a lease to come.
  // Not waiting for its fsync: a claim lost in a power cut leaves the message queued, to be
  // sent after the restart, which is the window for a duplicate that sending before recording
  // has anyway; the outcomes' write (record_outcomes) syncs the claim with itself.
  return impl_->write_unsynced([&](sql::connection& c) -> result<std::vector<outbox_entry>> {
    // The UPDATE returns the small columns only: the bodies (outbox_messages) are neither
    // rewritten nor copied into RETURNING's temporary rows, and are read by id below.
    //
    // The rows are picked from two selects, each with its own LIMIT: the queued ones in the
    // order of the index on (state, due) (whose entries end in the id), which reads `max`
    // entries however many are due; and the few being sent whose lease is over. One select
    // with OR made SQLite take both index ranges whole and sort them: every claim read every
    // due message, and a backlog of 1,000 cost over a million instructions per claim. Each
    // select locks its rows on PostgreSQL (FOR UPDATE is not allowed on a UNION itself, but
    // is in a subquery of its arms); those of the at most 2 * max not taken stay locked, and
    // are passed over by other claimers, until this short transaction ends.
    auto& s = c.prepare(sql::text_for(c.dialect(), [](sql::dialect d) {
      const std::string skip(sql::skip_locked(d));
      return "UPDATE outbox SET state = 'sending', lease_until = ?1 WHERE id IN ("
             "  SELECT id FROM ("
             "    SELECT id, due FROM (SELECT id, due FROM outbox"
             "      WHERE state = 'queued' AND due <= ?2 ORDER BY due, id LIMIT ?3" +
             skip +
             ") AS queued"
             "    UNION ALL SELECT id, due FROM (SELECT id, due FROM outbox"
             "      WHERE state = 'sending' AND lease_until <= ?2 ORDER BY due, id LIMIT ?3" +
             skip +
             ") AS expired"
             "  ) AS due_now ORDER BY due, id LIMIT ?3"
             ") RETURNING " +
             std::string(entry_columns);
    }));
    s.bind(1, to_db(now + lease));
    s.bind(2, to_db(now));
    s.bind(3, max);
    std::vector<outbox_entry> claimed;
    while (s.step()) claimed.push_back(read_entry(s));
    s.reset();
    // RETURNING gives no order (SQLite docs): oldest due first, as selected.
    std::sort(claimed.begin(), claimed.end(), [](const outbox_entry& a, const outbox_entry& b) {
      return a.due != b.due ? a.due < b.due : a.id < b.id;
    });
    // In the same transaction: the rows are ours (and, on PostgreSQL, locked) until the commit,
    // so nobody deletes a body in between. No row: a message composed when due.
    auto& body = c.prepare("SELECT message FROM outbox_messages WHERE id = ?");
    for (auto& e : claimed) {
      body.bind(1, e.id.value);
      if (body.step()) e.message = body.text(0);
      body.reset();
    }
    return claimed;
  });
}

namespace {

/// Records one outcome inside a write; false when the message is not (or no longer) in a
/// state that outcome can follow. With the claim's lease (o.lease_until), only while the row
/// still holds that claim: a dispatcher whose lease ran out, and whose message another one has
/// claimed since, must neither mark it sent under the other (whose outcome would then be lost)
/// nor queue it again while the other sends it (a third copy). Each UPDATE locks the row and,
/// under READ COMMITTED, checks the WHERE against its newest version.
bool apply(sql::connection& c, const outbox_outcome& o, calendar::utc_seconds now) {
  const std::optional<std::int64_t> lease =
      o.lease_until ? std::optional<std::int64_t>(to_db(*o.lease_until)) : std::nullopt;
  switch (o.what) {
    case outbox_outcome::kind::sent:
      c.prepare(
           "UPDATE outbox SET state = 'sent', sent = ?1, lease_until = NULL "
           "WHERE id = ?2 AND state = 'sending' "
           "AND (CAST(?3 AS BIGINT) IS NULL OR lease_until = ?3)")
          .bind(1, to_db(now))
          .bind(2, o.id.value)
          .bind(3, lease)
          .run();
      break;
    case outbox_outcome::kind::retry:
      c.prepare(
           "UPDATE outbox SET state = 'queued', due = ?1, attempts = attempts + 1, "
           "last_error = ?2, lease_until = NULL WHERE id = ?3 AND state = 'sending' "
           "AND (CAST(?4 AS BIGINT) IS NULL OR lease_until = ?4)")
          .bind(1, to_db(o.next_due))
          .bind(2, o.error)
          .bind(3, o.id.value)
          .bind(4, lease)
          .run();
      break;
    case outbox_outcome::kind::failed:
      c.prepare(
           "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?1, "
           "lease_until = NULL WHERE id = ?2 AND state IN ('queued', 'sending') "
           "AND (CAST(?3 AS BIGINT) IS NULL OR (state = 'sending' AND lease_until = ?3))")
          .bind(1, o.error)
          .bind(2, o.id.value)
          .bind(3, lease)
          .run();
      break;
  }
  return c.changes() == 1;
}

}  // namespace

result<bool> store::drop_claimed(outbox_id id) {
  return impl_->write([&](sql::connection& c) -> result<bool> {
    c.prepare("DELETE FROM outbox WHERE id = ? AND state = 'sending'").bind(1, id.value).run();
    return c.changes() == 1;
  });
}

result<void> store::mark_sent(outbox_id id, calendar::utc_seconds now) {
  return impl_->write_rerunnable([&](sql::connection& c) -> result<void> {
    if (!apply(c, {id, outbox_outcome::kind::sent, {}, {}, std::nullopt}, now)) {
      return error{errc::not_found, "no such outbox message being sent"};
    }
    return {};
  });
}

result<void> store::mark_retry(outbox_id id, std::string_view error_text,
                               calendar::utc_seconds next_due) {
  return impl_->write_rerunnable([&](sql::connection& c) -> result<void> {
    if (!apply(c,
               {id, outbox_outcome::kind::retry, std::string(error_text), next_due, std::nullopt},
               {})) {
      return error{errc::not_found, "no such outbox message being sent"};
    }
    return {};
  });
}

result<void> store::mark_failed(outbox_id id, std::string_view error_text) {
  return impl_->write_rerunnable([&](sql::connection& c) -> result<void> {
    if (!apply(c, {id, outbox_outcome::kind::failed, std::string(error_text), {}, std::nullopt},
               {})) {
      return error{errc::not_found, "no such outbox message to fail"};
    }
    return {};
  });
}

result<std::vector<bool>> store::record_outcomes(std::span<const outbox_outcome> outcomes,
                                                 calendar::utc_seconds now) {
  if (outcomes.empty()) return std::vector<bool>{};
  return impl_->write_rerunnable([&](sql::connection& c) -> result<std::vector<bool>> {
    std::vector<bool> recorded;
    recorded.reserve(outcomes.size());
    for (const auto& o : outcomes) recorded.push_back(apply(c, o, now));
    return recorded;
  });
}

std::optional<calendar::utc_seconds> store::next_due() const {
  impl::reader r(*impl_);
  // Two index lookups on outbox_due (state, due); lease ends are few (one batch per dispatcher).
  auto& s = r->prepare(
      "SELECT min(t) FROM ("
      "SELECT min(due) AS t FROM outbox WHERE state = 'queued' "
      "UNION ALL SELECT min(lease_until) FROM outbox WHERE state = 'sending') AS ends");
  std::optional<calendar::utc_seconds> out;
  if (s.step()) {
    if (const auto v = s.optional_int64(0)) out = utc_from_db(*v);
  }
  s.reset();
  return out;
}

std::int64_t store::outbox_depth() const {
  impl::reader r(*impl_);
  auto& s = r->prepare("SELECT count(*) FROM outbox WHERE state IN ('queued', 'sending')");
  s.step();
  const std::int64_t n = s.int64(0);
  s.reset();
  return n;
}

std::vector<outbox_entry> store::outbox_list(int limit) const {
  impl::reader r(*impl_);
  auto& s =
      r->prepare("SELECT " + std::string(entry_columns) + " FROM outbox ORDER BY id DESC LIMIT ?");
  s.bind(1, std::max(limit, 0));
  std::vector<outbox_entry> out;
  while (s.step()) out.push_back(read_entry(s));
  s.reset();
  return out;
}

}  // namespace treffpunkt::storage
