#pragma once
/// The SQLite store: units, people, roles, follows, events with their overrides, RSVPs, tokens,
/// the outbox and an audit log. Speaks in calendar/ types; nothing above storage/ writes SQL.
///
/// Thread safety: one `store` is shared by all threads. Reads run in parallel on a pool of
/// connections; writes are serialised on one connection, each in its own transaction
/// (BEGIN IMMEDIATE), so a write that returns success has committed (WAL, synchronous=FULL).

#include <calendar/client.h>
#include <calendar/clock.h>
#include <calendar/event.h>
#include <calendar/rsvp.h>
#include <calendar/time.h>
#include <storage/error.h>
#include <storage/fetches.h>
#include <storage/ids.h>
#include <storage/offers.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace treffpunkt::storage {

struct person {
  person_id id;
  std::string name;
  std::string email;  ///< lower-cased; unique
  std::string language{"de"};
  bool admin = false;
  bool guest = false;  ///< created by a guest RSVP, never logged in
  calendar::utc_seconds created{};
  /// Whether they get notices of changed or cancelled sessions and messages of responsibles
  /// (false after a one-click unsubscribe, until they turn them on again).
  bool notices = true;
};

/// Who does something: a person (rights checked) or the system (CLI, demo, import by an admin
/// at the console), which may do everything.
class actor {
 public:
  static actor system() { return actor{}; }
  static actor of(person_id p) { return actor{p}; }
  bool is_system() const { return !person_; }
  std::optional<person_id> person() const { return person_; }

 private:
  actor() = default;
  explicit actor(person_id p) : person_(p) {}
  std::optional<person_id> person_;
};

/// Where an RSVP stands. `pending` is a guest RSVP whose email link was not clicked yet; it
/// counts for nothing until then.
enum class rsvp_state { going, waitlisted, maybe, not_going, pending };

struct rsvp_record {
  calendar::event_id event;
  calendar::occurrence_key key;
  person_id person;
  calendar::rsvp_answer answer = calendar::rsvp_answer::yes;
  rsvp_state state = rsvp_state::going;
  int waitlist_position = 0;  ///< 1-based while waitlisted, else 0
  calendar::utc_seconds updated{};
};

/// The result of an RSVP write: the caller's RSVP, and everyone who moved up from the
/// waitlist because of it (to be told, once notifications exist).
struct rsvp_change {
  rsvp_record rsvp;
  std::vector<rsvp_record> promoted;
};

/// A guest RSVP waiting for its emailed link: `confirm_token` goes into the email and is
/// stored only hashed.
struct guest_rsvp {
  rsvp_record rsvp;
  std::string confirm_token;
  calendar::utc_seconds expires{};  ///< when the link stops working
};

struct occupancy {
  int going = 0;
  int waitlisted = 0;
  int maybe = 0;
  std::optional<int> capacity;  ///< none = unlimited
};

struct attendee {
  person who;
  rsvp_record rsvp;
};

/// Who came to one occurrence, as recorded at or after its start by a responsible of its unit,
/// an admin or the host of the offer (store::set_attendance).
struct attendance_record {
  /// A member (or a confirmed guest) who had answered yes or maybe, with their answer's state.
  struct member {
    person who;
    rsvp_state state = rsvp_state::going;
  };
  /// Going first, then waitlisted, then maybe; by name within each.
  std::vector<member> came;
  std::vector<std::string> walk_ins;  ///< names of those who came without an answer, as typed
  /// People who came and have since deleted their account: counted, never named.
  int anonymous = 0;
  /// When the list was last saved; none when it never was (an empty saved list: nobody came).
  std::optional<calendar::utc_seconds> recorded;

  int total() const { return static_cast<int>(came.size() + walk_ins.size()) + anonymous; }
};

/// At most this many walk-ins per occurrence, each 1 to max_walk_in_chars characters.
inline constexpr std::size_t max_walk_ins = 500;
inline constexpr std::size_t max_walk_in_chars = 100;

enum class token_kind { login, session, api, feed, guest_rsvp };

/// A freshly issued secret: `raw` is shown once (link, cookie, API token); the store keeps
/// only its SHA-256.
struct issued_token {
  std::string raw;
  calendar::utc_seconds expires{};
  std::string id;  ///< as in token_info: names the token without revealing it
};

/// The owner of a token that is presented again and again (session, API token, feed secret),
/// and until when it is valid.
struct token_owner {
  person who;
  calendar::utc_seconds expires{};
};

/// A token as its owner may see it later: never the secret itself.
struct token_info {
  /// The first 16 hex digits of the secret's SHA-256: stable, and says nothing usable about
  /// the secret (list_tokens, revoke_token).
  std::string id;
  calendar::utc_seconds created{};
  calendar::utc_seconds expires{};
};

/// An outbox row's identity.
struct outbox_id {
  std::int64_t value = 0;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  friend auto operator<=>(const outbox_id&, const outbox_id&) = default;
};

/// A message to send: the complete RFC 5322 bytes (notifications::compose), to whom, and when.
struct outbox_message {
  std::string kind;       ///< notifications::kind_name(), for /admin and metrics
  std::string recipient;  ///< envelope recipient (RCPT TO)
  std::string message;    ///< the message as it goes over SMTP
  calendar::utc_seconds due{};
  /// The same key is queued only once ("reminder:<event>:<occurrence>:<person>:<offset>");
  /// empty: no deduplication.
  std::string dedupe_key;
};

/// The mails an RSVP write causes, composed by the caller (storage does not compose mail):
/// called by set_rsvp inside its write transaction, after the RSVP rows are written, with the
/// change and the event as they now stand. What it returns is queued in the same transaction
/// (enqueue_in, so dedupe keys make it idempotent); if it throws, the RSVP is rolled back too.
using rsvp_mails =
    std::function<std::vector<outbox_message>(const rsvp_change&, const calendar::event&)>;

/// The mails a change of one occurrence (moved, changed, cancelled) causes, composed by the
/// caller: called by set_override inside its write transaction, after the override is written,
/// with the event as it now stands and the occurrence's attendees who are going (read in the
/// same transaction). What it returns is queued in the same transaction (enqueue_in); if it
/// throws, the override is rolled back too.
using occurrence_mails = std::function<std::vector<outbox_message>(
    const calendar::event& after, const std::vector<attendee>& going)>;

/// What a write's mails are, composed by the caller: first the queued messages whose dedupe
/// key starts with one of `drop` (non-empty prefixes: e.g. the reminders planned for what
/// changed) are dropped, then `queue` is queued (enqueue_in: dedupe keys make it idempotent).
struct mail_plan {
  std::vector<std::string> drop;
  std::vector<outbox_message> queue;
};

/// The mail a guest RSVP request causes (the link to confirm it), composed by the caller:
/// called by request_guest_rsvp inside its write transaction with the pending RSVP and its
/// token, the event and the person the address belongs to. What it returns is dropped and
/// queued in the same transaction; if it throws, the request is rolled back too.
using guest_rsvp_mails =
    std::function<mail_plan(const guest_rsvp&, const calendar::event&, const person&)>;

/// One occurrence and the people going to it, as a write transaction sees them.
struct occurrence_going {
  calendar::occurrence_key key;
  std::vector<attendee> going;
  /// For event_update: the key the occurrence had before the edit (a one-off event's or a
  /// series' new start changes its keys; the RSVPs followed it). Else equal to `key`.
  calendar::occurrence_key previous_key;
};

/// What an edit of a whole event (update_event) changed for the people who come.
struct event_update {
  calendar::event before;
  calendar::event after;
  /// Moved up from a waitlist because the capacity grew (as they now stand).
  std::vector<rsvp_record> promoted;
  /// Occurrences that had not started at the edit and whose start, end or location changed
  /// (and are not cancelled now), each with the people going who were going before (the
  /// promoted are in `promoted` only); also a cancelled occurrence that takes place again.
  std::vector<occurrence_going> changed;
  /// Occurrences that had not started, were not cancelled and now are (an import's EXDATE or
  /// cancelled RECURRENCE-ID), with the people going.
  std::vector<occurrence_going> cancelled;
  /// Occurrences that had not started, that someone was going to and that the event no longer
  /// has (a changed rule; their RSVPs stay as history): their reminders are void.
  std::vector<calendar::occurrence_key> gone;
};

/// The mails an event edit causes: called by update_event inside its write transaction, after
/// the event and any promotions are written. If it throws, the edit is rolled back too.
using event_update_mails = std::function<mail_plan(const event_update&)>;

/// An event in which an account deletion freed places, and who moved up into them from the
/// waitlist (as they now stand).
struct released_places {
  calendar::event event;
  std::vector<rsvp_record> promoted;
};

/// The mails an account deletion causes (the promotions into the places it freed): called by
/// delete_person inside its transaction. If it throws, the deletion is rolled back too.
using deletion_mails = std::function<mail_plan(const std::vector<released_places>&)>;

/// The mails a whole-event cancel causes: called by cancel_event inside its transaction with
/// the event as it was and as it now is (cancelled), and every occurrence that had not started
/// and was not cancelled, with the people going to it.
using event_cancel_mails =
    std::function<mail_plan(const calendar::event& before, const calendar::event& after,
                            const std::vector<occurrence_going>& upcoming)>;

/// The mails a series split causes: called by split_event inside its transaction with the
/// old series (now ending before the split), the new one, and the occurrences whose RSVPs
/// moved to the new series with the people going to them.
using event_split_mails =
    std::function<mail_plan(const calendar::event& old_series, const calendar::event& new_series,
                            const std::vector<occurrence_going>& moved)>;

/// The mails to an occurrence's attendees (a message from its unit's responsibles): called by
/// queue_for_attendees inside its write transaction with the people going and waitlisted, in
/// that order.
using attendee_mails = std::function<std::vector<outbox_message>(const std::vector<attendee>&)>;

/// A decision about a proposal as its write transaction sees it, for the mails it causes.
struct decided_proposal {
  proposal after;   ///< as decided
  person proposer;  ///< their address and language
  std::string unit_name;
  std::optional<calendar::event> event;  ///< approve: the event made
  /// approve, when the offer answers a wish whose wisher still has an account: the wish and
  /// the wisher.
  std::optional<wish> answered;
  std::optional<person> wisher;
};

/// The mails a decision causes (to the proposer, and to the wisher on approval): called by
/// decide_proposal inside its transaction. If it throws, the decision is rolled back too.
using decision_mails = std::function<mail_plan(const decided_proposal&)>;

/// "Still happening?" (issue 15): when a series was last edited or confirmed by a responsible,
/// and when its unit's responsibles were last asked to confirm it (events.confirmed,
/// events.confirm_asked).
struct series_confirmation {
  calendar::event_id event;
  calendar::unit_id unit;
  calendar::utc_seconds last_modified{};           ///< the last edit (any change of the event)
  std::optional<calendar::utc_seconds> confirmed;  ///< the last "still happening" of anyone
  std::optional<calendar::utc_seconds> asked;      ///< the last question to the responsibles

  /// The newest of the last edit and the last confirmation: where the clock starts again.
  calendar::utc_seconds since() const {
    return confirmed && *confirmed > last_modified ? *confirmed : last_modified;
  }
  /// Whether the responsibles were asked after that and have not answered (by confirming or
  /// editing) yet.
  bool waiting() const { return asked && *asked > since(); }
};

/// The mails that ask a unit's responsibles whether a series still happens: called by
/// ask_series_confirmation inside its transaction with the series and the unit's
/// responsibles. If it throws, nothing is written.
using confirmation_mails = std::function<mail_plan(const calendar::event& series,
                                                   const std::vector<person>& responsibles)>;

/// queued -> sending (claimed, with a lease) -> sent | failed; sending -> queued on retry.
enum class outbox_state { queued, sending, sent, failed };

/// One outbox row as stored.
struct outbox_entry {
  outbox_id id;
  calendar::utc_seconds created{};
  std::string kind;
  std::string recipient;
  std::string message;
  calendar::utc_seconds due{};
  int attempts = 0;
  outbox_state state = outbox_state::queued;
  std::optional<calendar::utc_seconds> lease_until;
  std::string last_error;
  std::optional<calendar::utc_seconds> sent;
  std::string dedupe_key;
};

/// What became of one claimed message (store::record_outcomes).
struct outbox_outcome {
  enum class kind { sent, retry, failed };
  outbox_id id;
  kind what = kind::sent;
  std::string error;                 ///< retry, failed: the reason
  calendar::utc_seconds next_due{};  ///< retry: when to try again
  /// The lease of the claim that sent it (outbox_entry::lease_until as claim_due returned it):
  /// the outcome is recorded only while the message still holds that claim, not once another
  /// dispatcher claimed it after the lease ran out. None: whatever claim it holds.
  std::optional<calendar::utc_seconds> lease_until;
};

struct import_summary {
  int created = 0;
  int updated = 0;
  int unchanged = 0;
};

/// One event of an import file, and whether the file said its kind
/// (calendar::stated_fields): an update keeps the stored kind when it did not.
struct imported_event {
  calendar::event event;
  bool kind_stated = true;
};

/// What an import did to an event the store had, for the mails it causes.
struct imported_change {
  /// As update_event's: the event before and as written, the promoted, and the changed,
  /// cancelled and gone occurrences (those lists empty when the whole event was cancelled).
  event_update update;
  /// The file cancelled the whole event (STATUS:CANCELLED), as cancel_event: `upcoming` lists
  /// every occurrence of `update.before` that had not started and was not cancelled, with the
  /// people going.
  bool event_cancelled = false;
  std::vector<occurrence_going> upcoming;
};

/// The mails an import causes: called once by import_events inside its transaction, after
/// every event is written, with each updated event (its lists empty when the update concerns
/// nobody going: followers may still be told, see usecases/lag_notices.h; a created or
/// unchanged event causes no mail). If it throws, the whole import is rolled back.
using import_mails = std::function<mail_plan(const std::vector<imported_change>&)>;

/// The occurrences of one event that a person is going to and that have not started, as a
/// write transaction sees them (set_reminder_offsets).
struct places_in_event {
  calendar::event event;
  std::vector<calendar::occurrence_key> keys;
};

/// What a new reminder choice does to the outbox: the queued messages whose dedupe key starts
/// with one of `drop` are dropped unless their key is one of `keep` (a reminder still wanted
/// stays, even when its time has just passed and the dispatcher has not yet taken it), then
/// `queue` is queued (enqueue_in: a key that exists already, queued or sent, stays as it is).
struct reminder_plan {
  std::vector<std::string> drop;
  std::vector<std::string> keep;
  std::vector<outbox_message> queue;
};

/// The reminders of a new choice, composed by the caller: called by set_reminder_offsets
/// inside its write transaction with the person, their new offsets (longest first; empty:
/// reminders off) and the upcoming occurrences they are going to. If it throws, the choice is
/// rolled back too.
using reminder_mails =
    std::function<reminder_plan(const person& who, const std::vector<std::chrono::minutes>& chosen,
                                const std::vector<places_in_event>& going)>;

/// The calendar app that last fetched a feed (feed_fetches, schema v7), and when.
struct feed_client_seen {
  calendar::client_family family = calendar::client_family::other;
  calendar::utc_seconds last_fetch{};
};

/// A follower of a unit whose personal feed a calendar app that lags fetched last
/// (store::lagging_followers).
struct lagging_follower {
  person who;
  feed_client_seen client;
};

/// Thrown by a store call that would go to the database while its thread is in a
/// memory_only_scope. Not a std::exception, on purpose: it must pass every handler of
/// failures on its way (a feed's "serve what was served last", the catch-all 500) up to the
/// code that opened the scope, which answers the request another way.
struct would_block {};

/// While one is alive on a thread, the store's calls on that thread answer from memory
/// (change_stamp(), feed_stamp() and the units between probes) or throw would_block: no
/// read, write or change probe goes to the database. On PostgreSQL, where every query is a
/// round trip that may wait, the server tries a GET so on its io thread first, and answers it
/// on the blocking pool when it throws (server::app::answer_from_memory). Scopes nest.
class memory_only_scope {
 public:
  memory_only_scope();
  ~memory_only_scope();
  memory_only_scope(const memory_only_scope&) = delete;
  memory_only_scope& operator=(const memory_only_scope&) = delete;

 private:
  bool outer_;
};

class store {
 public:
  /// What open() does when the data folder cannot be written (a read-only mount, or a folder
  /// or file that belongs to someone else).
  enum class if_read_only {
    fail,              ///< unavailable, with a message (the CLI's commands)
    open_for_reading,  ///< open the existing database for reading; every write then fails
                       ///< with unavailable (serve: feeds and pages stay up)
  };

  /// Opens or creates DIR/treffpunkt.db (creating DIR), WAL mode, foreign keys on, busy
  /// timeout; runs pending migrations, each in a transaction. Errors: schema_too_new when the
  /// database was written by a newer version, unavailable when it cannot be opened (or, read
  /// only, when it is missing or needs a migration). `clock` dates what carries no time of
  /// the caller's (a unit's or person's `created`, their audit lines).
  static result<std::unique_ptr<store>> open(const std::filesystem::path& data_dir,
                                             if_read_only fallback = if_read_only::fail,
                                             calendar::clock clock = {});
  /// Opens the PostgreSQL database at `url` (postgresql://... or postgres://..., libpq's URI:
  /// user, password, host or ?host=/socket/folder, database) and brings it to the newest
  /// schema (pg_migrate: once, however many instances start at once). Errors: invalid for
  /// another kind of URL, schema_too_new, unavailable when the server cannot be reached or
  /// refuses. Not every operation runs on PostgreSQL yet (issue 18): only the areas whose
  /// tests run on it (tests/CMakeLists.txt, storage_tests_postgres) are known to work.
  static result<std::unique_ptr<store>> open_postgres(const std::string& url,
                                                      calendar::clock clock = {});
  /// Whether open() fell back to reading only: writes answer unavailable.
  bool read_only() const;
  ~store();
  store(const store&) = delete;
  store& operator=(const store&) = delete;

  /// The schema version this build writes.
  static int schema_version();

  // ---- units -------------------------------------------------------------------------
  /// Admins create units: a slug of a-z, 0-9 and '-', a name, a known zone, a contact address
  /// or none. Errors: invalid (with the field), conflict (slug taken), forbidden.
  result<calendar::unit> create_unit(calendar::unit u, const actor& who);
  /// Changes the unit `u.id`: admins its name, description, colour, zone and contact; its
  /// responsibles only its description (anything else they change is forbidden). The slug never
  /// changes. Errors: not_found, forbidden, invalid as create_unit.
  result<calendar::unit> update_unit(calendar::unit u, const actor& who);
  /// Archives a unit (admins only) at `now`, or makes it active again; doing what is already so
  /// changes nothing. Errors: not_found, forbidden.
  result<calendar::unit> set_archived(calendar::unit_id id, bool archived, const actor& who,
                                      calendar::utc_seconds now);
  std::vector<calendar::unit> units() const;
  std::optional<calendar::unit> unit_by_slug(std::string_view slug) const;
  std::optional<calendar::unit> unit_by_id(calendar::unit_id id) const;
  /// Grows with every write that changes what the unit's feed shows.
  std::int64_t unit_version(calendar::unit_id id) const;
  /// Grows with every write to any unit, and when a unit is added (for /calendar.ics).
  std::int64_t data_version() const;
  /// A cheap "has anything a feed shows changed?" for caches in front of unit_version() and
  /// data_version(): an atomic load, no SQLite. It changes at once after every committed write
  /// of this store (whether or not a feed changed: callers then compare versions), and within
  /// `change_probe_interval` after a commit by any other connection or process (`treffpunkt
  /// import` while the server runs), which it notices with PRAGMA data_version at most once
  /// per interval. Only compare it for equality; it may also change without a relevant write.
  std::uint64_t change_stamp() const;
  /// As change_stamp(), but of this process's writes only those that change what the public
  /// feeds show move it: a write that bumps a unit's version (an event, its children or host,
  /// the unit) or creates a unit. An RSVP, a login or a mail sent leaves it, so that feeds are
  /// served from memory while members answer. Another process's writes move it as they move
  /// change_stamp() (the probe cannot tell them apart).
  std::uint64_t feed_stamp() const;
  /// The staleness bound of change_stamp() for writes by other processes.
  static constexpr std::chrono::milliseconds change_probe_interval{1000};
  /// The same on PostgreSQL (open_postgres), where other instances on the same database are
  /// the rule: a change made through one shows on the others well within a second. The probe
  /// is one round trip (pg_current_snapshot()), at most four a second.
  static constexpr std::chrono::milliseconds postgres_change_probe_interval{250};

  /// Since open: write transactions committed, the writes they held (on SQLite, writes that
  /// queue together share one transaction), and the fsyncs of the WAL that made them durable
  /// (group commit: commits that arrive together share one; docs/architecture.md). For
  /// /metrics.
  struct durability_counts {
    std::uint64_t commits = 0;
    std::uint64_t writes = 0;
    std::uint64_t syncs = 0;
  };
  durability_counts durability() const;

  /// Runs `work` on the caller's thread unless another store (another process on the same
  /// PostgreSQL database, or this one on another thread) is running work under the same
  /// `name`; returns whether it ran. For periodic work that every instance schedules but one
  /// should do (housekeeping): the other skips that round. On PostgreSQL a session-level
  /// advisory lock (pg_try_advisory_lock), held on a connection of its own while `work` runs
  /// and given back after (also when it throws); should the process die, it goes with its
  /// session. On SQLite `work` always runs (several processes on one file are rare, and their
  /// writes serialise anyway). Errors: unavailable when the lock cannot be asked for (work does
  /// not run then).
  result<bool> try_exclusive(std::string_view name, const std::function<void()>& work);

  // ---- people, roles, follows -----------------------------------------------------------
  /// The person with this email, created (as a member, not a guest) if new.
  result<person> ensure_person(std::string_view email, std::string_view name,
                               std::string_view language = "de");
  std::optional<person> person_by_email(std::string_view email) const;
  std::optional<person> person_by_id(person_id id) const;
  result<void> set_admin(person_id p, bool admin, const actor& who);
  result<void> add_responsible(calendar::unit_id u, person_id p, const actor& who);
  /// Ends a person's role for a unit (admins only, audited); not_found when they had none. Their
  /// events stay with the unit.
  result<void> remove_responsible(calendar::unit_id u, person_id p, const actor& who);
  std::vector<person> responsibles(calendar::unit_id u) const;
  /// Admins may edit every unit; responsibles their own.
  bool may_edit(const actor& who, calendar::unit_id u) const;
  result<void> set_follow(person_id p, calendar::unit_id u, bool follow);
  std::vector<calendar::unit_id> follows(person_id p) const;

  // ---- reminder preferences -------------------------------------------------------------
  /// Reminders for someone who has not chosen: a day and two hours before, longest first.
  static std::vector<std::chrono::minutes> default_reminder_offsets();
  /// How long before each occurrence the person wants a reminder email; empty turns reminders
  /// off. Each offset is 5 minutes to 28 days, at most 5 different ones; duplicates are
  /// dropped and the rest kept longest first. Errors: invalid (field "reminders") with
  /// nothing written; not_found for an unknown person.
  result<void> set_reminder_offsets(person_id p, std::vector<std::chrono::minutes> before);
  /// The same at `now`, planning the reminders again in the same transaction: `mails` gets the
  /// occurrences the person is going to that start after `now` (not cancelled) and says what
  /// to drop, keep and queue (reminder_plan). Errors as above, and invalid when `mails` throws
  /// or a message lacks recipient or bytes; nothing is written then.
  result<void> set_reminder_offsets(person_id p, std::vector<std::chrono::minutes> before,
                                    calendar::utc_seconds now, const reminder_mails& mails);
  /// The person's choice (empty: reminders off), or default_reminder_offsets() if they made
  /// none. Longest first.
  std::vector<std::chrono::minutes> reminder_offsets(person_id p) const;
  /// Whether the person chose their reminders (turning them off is a choice), rather than
  /// following the installation's default.
  bool has_reminder_choice(person_id p) const;

  // ---- events -------------------------------------------------------------------------
  /// Validates, gives the event an id, a UID (if empty), created/last_modified = now.
  result<calendar::event> create_event(calendar::event e, const actor& who,
                                       calendar::utc_seconds now);
  /// Replaces the event's fields (UID and created stay), SEQUENCE + 1, last_modified = now;
  /// every override's SEQUENCE grows too (the series' change revises each instance).
  /// An occurrence key is its original start, so a new start changes keys: the RSVPs of an
  /// upcoming occurrence follow it to its new key when a one-off event moves, and when a
  /// series' occurrence stays on the same local day (a new time of day); others stay under
  /// their old key as history (audited as rsvps_followed).
  /// A raised capacity moves people up from the waitlist of every occurrence that has not
  /// started and is not cancelled, in the same transaction (audited as rsvp_promoted, as a
  /// withdrawal does). A lowered one takes no place from anyone who has it: the occurrence is
  /// over-full until enough withdraw, and the waitlist moves only then.
  result<calendar::event> update_event(calendar::event e, const actor& who,
                                       calendar::utc_seconds now);
  /// The same, queueing the mails the edit causes (promotions, notices of changed occurrences,
  /// reminders planned again) in its transaction; see event_update_mails.
  result<calendar::event> update_event(calendar::event e, const actor& who,
                                       calendar::utc_seconds now, const event_update_mails& mails);
  /// Cancels a whole event or series (kept, STATUS:CANCELLED); its RSVPs stay as history.
  result<calendar::event> cancel_event(calendar::event_id id, const actor& who,
                                       calendar::utc_seconds now);
  /// The same, queueing the mails the cancel causes in its transaction (event_cancel_mails).
  /// Cancelling a cancelled event again changes nothing and calls `mails` not at all.
  result<calendar::event> cancel_event(calendar::event_id id, const actor& who,
                                       calendar::utc_seconds now, const event_cancel_mails& mails);
  /// Moves, changes or cancels one occurrence (its key must be an occurrence of the series).
  /// RSVPs stay with the occurrence's key, so a move keeps them and a cancel keeps them as
  /// history.
  result<calendar::event> set_override(calendar::event_id id, calendar::occurrence_override o,
                                       const actor& who, calendar::utc_seconds now);
  /// The same, queueing the mails the change causes in its transaction: first the queued
  /// messages whose dedupe key starts with `drop_queued_prefix` (non-empty: e.g. every reminder
  /// of the occurrence) are dropped, then what `mails` returns is queued. A failure of `mails`
  /// (it throws) or of the queueing rolls the override back.
  result<calendar::event> set_override(calendar::event_id id, calendar::occurrence_override o,
                                       const actor& who, calendar::utc_seconds now,
                                       const occurrence_mails& mails,
                                       std::string_view drop_queued_prefix = {});
  /// "From this occurrence on": calendar::split_series, and RSVPs from `from` on move to the
  /// new series. Returns {old, new}.
  result<std::pair<calendar::event, calendar::event>> split_event(calendar::event_id id,
                                                                  calendar::occurrence_key from,
                                                                  const actor& who,
                                                                  calendar::utc_seconds now);
  /// The same, queueing the mails the split causes in its transaction (event_split_mails).
  result<std::pair<calendar::event, calendar::event>> split_event(calendar::event_id id,
                                                                  calendar::occurrence_key from,
                                                                  const actor& who,
                                                                  calendar::utc_seconds now,
                                                                  const event_split_mails& mails);
  std::optional<calendar::event> event_by_id(calendar::event_id id) const;
  std::vector<calendar::event> events_of_unit(calendar::unit_id u) const;
  /// Creates or updates the unit's events by UID, all in one transaction; nothing is written
  /// when `dry_run` or when any event fails. An update keeps what a file cannot say: the
  /// stored capacity and RSVP deadline when the imported event has none (iCalendar has no
  /// property for them), the kind when the file did not state one, the host (never imported).
  /// It is what update_event does otherwise: SEQUENCE + 1 (every override's at least the
  /// master's), RSVPs follow a moved occurrence, a raised capacity promotes; but an event the
  /// file newly cancels (STATUS:CANCELLED) keeps its RSVPs as history, as cancel_event does.
  result<import_summary> import_events(calendar::unit_id u, std::vector<calendar::event> events,
                                       const actor& who, calendar::utc_seconds now, bool dry_run);
  /// The same, with what the file stated of each event, queueing the mails the updates cause
  /// in the same transaction (import_mails; not called when `dry_run`).
  result<import_summary> import_events(calendar::unit_id u, std::vector<imported_event> events,
                                       const actor& who, calendar::utc_seconds now, bool dry_run,
                                       const import_mails& mails);

  // ---- exchange offers and wishes (offers.h) ------------------------------------------
  /// A member proposes an exchange offer to a unit: it waits for the unit's responsibles.
  /// Errors: not_found (no such unit; field "wish": no such wish), forbidden (a guest or an
  /// unknown person), limit_reached when they have max_open_proposals undecided already,
  /// conflict (field "wish") when the wish is closed or another unit's. Audited.
  result<proposal> propose_offer(calendar::unit_id u, person_id p, offer_draft d,
                                 calendar::utc_seconds now);
  /// The proposer replaces the text of their undecided proposal (waiting, or sent back to them
  /// with changes requested); it waits again. Errors: not_found (no such proposal, or not
  /// theirs), conflict when it is decided or withdrawn, and as propose_offer for the wish.
  result<proposal> revise_proposal(proposal_id id, person_id p, offer_draft d,
                                   calendar::utc_seconds now);
  /// The proposer takes back their undecided proposal. Errors as revise_proposal.
  result<proposal> withdraw_proposal(proposal_id id, person_id p, calendar::utc_seconds now);
  /// A responsible of the proposal's unit (or an admin) decides about a waiting proposal, in
  /// one transaction with the mails `mails` composes. Approving makes an event of kind
  /// exchange_offer in the unit's zone at `d.start`, with the proposal's texts, format and
  /// length, `d.capacity` places and the proposer as its host (shown publicly if they allowed
  /// it). Errors: not_found, forbidden, conflict when it is not waiting (decided already, sent
  /// back, withdrawn), invalid when the event does not validate (calendar::validate).
  result<proposal> decide_proposal(proposal_id id, const actor& who, const proposal_decision& d,
                                   calendar::utc_seconds now, const decision_mails& mails = {});
  std::optional<proposal> proposal_by_id(proposal_id id) const;
  /// The unit's proposals, undecided first (oldest first), then the decided ones, newest first.
  std::vector<proposal> proposals_of_unit(calendar::unit_id u) const;
  /// The person's proposals, newest first.
  std::vector<proposal> proposals_of_person(person_id p) const;
  /// The waiting proposals of the units `who` may edit (every unit for admins), oldest first.
  std::vector<proposal> waiting_proposals(const actor& who) const;
  /// The host of an event made from a proposal, if it has one (whose account still exists).
  std::optional<event_host> host_of(calendar::event_id e) const;
  /// The events the person hosts, by id.
  std::vector<calendar::event_id> hosted_by(person_id p) const;

  /// A member's wish to a unit: 1 to 500 characters, already checked. Errors: not_found
  /// (unit), forbidden (a guest or an unknown person), limit_reached when they have
  /// max_open_wishes open in the unit.
  result<wish> post_wish(calendar::unit_id u, person_id p, std::string text,
                         calendar::utc_seconds now);
  /// Closes a wish (its wisher, the unit's responsibles or an admin); a closed wish no longer
  /// says who wished it. Closing a closed wish changes nothing. Errors: not_found, forbidden.
  result<wish> close_wish(wish_id id, const actor& who, calendar::utc_seconds now);
  std::optional<wish> wish_by_id(wish_id id) const;
  /// Deletes declined and withdrawn proposals and closed wishes last changed before `before`:
  /// what a member wrote that nothing shows any more. Returns how many.
  int expire_offers(calendar::utc_seconds before);
  /// The unit's open wishes, oldest first.
  std::vector<wish> open_wishes(calendar::unit_id u) const;

  // ---- RSVPs --------------------------------------------------------------------------
  /// Yes / no / maybe of a member to one occurrence. Refused (occurrence_cancelled,
  /// occurrence_past, rsvp_closed) by calendar::rsvp_refused. A yes takes a place or joins
  /// the waitlist; a withdrawal moves the first on the waitlist up. One transaction.
  result<rsvp_change> set_rsvp(calendar::event_id id, const calendar::occurrence_key& key,
                               person_id p, calendar::rsvp_answer answer,
                               calendar::utc_seconds now);
  /// The same, queueing the mails the change causes in its transaction: `mails` is called
  /// only when the RSVP changed (saying again what one said queues nothing), and when the
  /// caller was going and is then not, the queued messages whose dedupe key starts with
  /// `drop_unless_going` (non-empty: messages queued only while one goes, e.g. the member's
  /// reminders for the occurrence) are dropped. A failure of `mails` (it throws) or of the
  /// queueing rolls the RSVP back.
  result<rsvp_change> set_rsvp(calendar::event_id id, const calendar::occurrence_key& key,
                               person_id p, calendar::rsvp_answer answer, calendar::utc_seconds now,
                               const rsvp_mails& mails, std::string_view drop_unless_going = {});
  /// A guest's RSVP: recorded as pending, counts once confirm_guest_rsvp is called with the
  /// token before it expires (48 hours).
  result<guest_rsvp> request_guest_rsvp(calendar::event_id id, const calendar::occurrence_key& key,
                                        std::string_view name, std::string_view email,
                                        calendar::rsvp_answer answer, calendar::utc_seconds now);
  /// The same, queueing the link mail in its transaction (guest_rsvp_mails). A new guest is
  /// recorded with `language` ("de", "en"). Errors: invalid (field "email" or "name"),
  /// not_found, the refusals of set_rsvp, conflict (field "email") when the address has
  /// already answered for the occurrence; nothing is written or queued then.
  result<guest_rsvp> request_guest_rsvp(calendar::event_id id, const calendar::occurrence_key& key,
                                        std::string_view name, std::string_view email,
                                        calendar::rsvp_answer answer, calendar::utc_seconds now,
                                        std::string_view language, const guest_rsvp_mails& mails);
  /// Counts the guest RSVP of the emailed link: places are given now (a yes may join the
  /// waitlist). Errors: not_found (unknown link), expired (expired or used link), the
  /// refusals of set_rsvp (the link stays usable then).
  result<rsvp_change> confirm_guest_rsvp(std::string_view token, calendar::utc_seconds now);
  /// The same, queueing the mails the confirmation causes in its transaction, as set_rsvp:
  /// `mails` gets the change (the guest's RSVP and anyone promoted) and the event.
  result<rsvp_change> confirm_guest_rsvp(std::string_view token, calendar::utc_seconds now,
                                         const rsvp_mails& mails);
  /// The RSVP a guest's link is for, without using the link (for the page that asks to
  /// confirm): pending while the link is valid, or as it now stands once the link was used.
  /// Errors: not_found (unknown link, or its RSVP is gone), expired (unused and expired).
  result<rsvp_record> guest_rsvp_of_link(std::string_view token, calendar::utc_seconds now) const;
  /// Deletes unconfirmed guest RSVPs older than their expiry; returns how many.
  int expire_guest_rsvps(calendar::utc_seconds now);
  std::optional<rsvp_record> rsvp_of(calendar::event_id id, const calendar::occurrence_key& key,
                                     person_id p) const;
  std::vector<rsvp_record> rsvps_of_person(person_id p) const;
  occupancy occupancy_of(calendar::event_id id, const calendar::occurrence_key& key) const;
  /// Going first (by time of RSVP), then the waitlist in order, then maybe.
  std::vector<attendee> attendees(calendar::event_id id, const calendar::occurrence_key& key) const;

  /// Queues what `mails` returns for the occurrence's going and waitlisted attendees in one
  /// transaction; returns how many messages were queued (a repeated dedupe key counts not).
  /// Errors: not_found (event or occurrence), forbidden (who may not edit the unit), invalid
  /// when `mails` throws or a message lacks recipient or bytes; nothing is queued then.
  result<int> queue_for_attendees(calendar::event_id id, const calendar::occurrence_key& key,
                                  const actor& who, const attendee_mails& mails,
                                  calendar::utc_seconds now);

  // ---- who came ---------------------------------------------------------------------------
  /// Records who came to an occurrence, replacing its list: `came` are people who answered it
  /// (going, waitlisted or maybe), `walk_ins` names of others (trimmed and checked by the
  /// caller: usecases::guest_name). Those of the list who have since deleted their account
  /// stay, anonymous. For the unit's responsibles, admins and the event's host; audited with
  /// the counts only. Errors, with nothing written: not_found (event; field "occurrence": no
  /// such occurrence), forbidden, occurrence_cancelled, not_started (it starts after `now`),
  /// invalid with field "came" (someone who did not answer yes or maybe, or twice) or
  /// "walk_ins" (an empty, too long or multi-line name, the same name twice, more than
  /// max_walk_ins).
  result<attendance_record> set_attendance(calendar::event_id id,
                                           const calendar::occurrence_key& key,
                                           const std::vector<person_id>& came,
                                           const std::vector<std::string>& walk_ins,
                                           const actor& who, calendar::utc_seconds now);
  /// The occurrence's list as recorded (empty, without `recorded`, if it never was).
  attendance_record attendance_of(calendar::event_id id, const calendar::occurrence_key& key) const;
  /// How many came to each occurrence of the event whose list was recorded, by key (for the
  /// season's chart).
  std::vector<std::pair<calendar::occurrence_key, int>> attendance_counts(
      calendar::event_id id) const;

  // ---- one-click unsubscribe (RFC 8058) ------------------------------------------------
  /// 32 random bytes made when the database is first opened and kept in it: the key that signs
  /// unsubscribe links, the same for every process on this database. Never exported.
  const std::string& installation_secret() const;
  /// Turns the person's notices (changed or cancelled sessions, messages of responsibles) on
  /// or off. Errors: not_found for an unknown person.
  result<void> set_notices(person_id p, bool on);
  /// One click on an unsubscribe link, in one transaction: reminders off (as
  /// set_reminder_offsets with none), notices off, and the person's queued (not yet claimed)
  /// messages of the outbox kinds `drop_kinds` (e.g. "reminder") dropped. Returns how many
  /// were dropped. Errors: not_found for an unknown person.
  result<int> unsubscribe(person_id p, const std::vector<std::string>& drop_kinds,
                          calendar::utc_seconds now);

  // ---- still happening? (series_confirmation) -------------------------------------------
  /// The series (a rule or extra dates) that are not cancelled, of units that are not
  /// archived, with their stamps: of unit `u`, or of every unit when none. By event id.
  std::vector<series_confirmation> series_confirmations(
      std::optional<calendar::unit_id> u = std::nullopt) const;
  /// The stamps of any one event; none when there is no such event.
  std::optional<series_confirmation> series_confirmation_of(calendar::event_id id) const;
  /// A responsible of the series' unit (or an admin) says it still happens: confirmed = now,
  /// in one transaction, audited (confirm_series). Nothing a feed shows changes. Errors:
  /// not_found, forbidden, conflict (field "event") when the event is no series or is
  /// cancelled.
  result<series_confirmation> confirm_series(calendar::event_id id, const actor& who,
                                             calendar::utc_seconds now);
  /// Asks the unit's responsibles whether the series still happens, in one transaction:
  /// confirm_asked = now and what `mails` returns queued (enqueue_in: dedupe keys make it
  /// idempotent). Only while the series is as the caller saw it, stale since `since`: not
  /// edited or confirmed since (series_confirmation::since() is still `since`), not asked
  /// since, not cancelled; otherwise it writes nothing and answers false. Errors: not_found,
  /// invalid when `mails` throws or a message lacks recipient or bytes.
  result<bool> ask_series_confirmation(calendar::event_id id, calendar::utc_seconds since,
                                       calendar::utc_seconds now, const confirmation_mails& mails);

  // ---- calendar apps that lag (lag_notices.cpp) ----------------------------------------
  /// The last fetch of `feed` ("person:<id>", "unit:<id>", as feed_fetches names them) at or
  /// after `since`: which client family made it and when; none when there was none. A family
  /// this build does not know reads as `other`.
  std::optional<feed_client_seen> feed_client(std::string_view feed,
                                              calendar::utc_seconds since) const;
  /// The followers of unit `u` whose personal feed ("person:<id>") was last fetched, at or
  /// after `since`, by a client that lags (calendar::lags: Google, Outlook) and who have
  /// notices and lag notices on and an address: whom a change at short notice may not reach
  /// in time through their calendar. By person id.
  std::vector<lagging_follower> lagging_followers(calendar::unit_id u,
                                                  calendar::utc_seconds since) const;
  /// Whether the person wants lag notices (people.lag_notices; the default is on). False for
  /// an unknown person. They go out only while notices are on too.
  bool lag_notices(person_id p) const;
  /// Turns the person's lag notices on or off, audited. Errors: not_found.
  result<void> set_lag_notices(person_id p, bool on);

  // ---- tokens -------------------------------------------------------------------------
  issued_token issue_token(token_kind kind, person_id p, std::chrono::seconds ttl,
                           calendar::utc_seconds now);
  /// The token's owner if it is valid now. Login and guest tokens are single use.
  result<person> redeem_token(token_kind kind, std::string_view raw, calendar::utc_seconds now);
  /// redeem_token of a reusable token (session, api, feed) by its hash (token_hash(raw)), with
  /// its expiry: for a caller that remembers the answer while change_stamp() stays the same
  /// (the server's session memo). Errors as redeem_token's; invalid for login and guest_rsvp
  /// tokens, which redeeming uses up.
  result<token_owner> owner_of_token(token_kind kind, std::string_view hash,
                                     calendar::utc_seconds now) const;
  /// Revokes all of a person's tokens of one kind (logout everywhere, rotate feed secret).
  void revoke_tokens(person_id p, token_kind kind);
  /// The person's tokens of one kind that have not expired (nor been used, if single use),
  /// oldest first.
  std::vector<token_info> list_tokens(person_id p, token_kind kind,
                                      calendar::utc_seconds now) const;
  /// Revokes one of the person's tokens of `kind` by its id; false if they have none such.
  bool revoke_token(person_id p, token_kind kind, std::string_view id);
  /// Grows with every write that changes what the person's own feed shows of them: their
  /// follows and RSVPs (also when someone else's withdrawal moves them up a waitlist).
  std::int64_t person_version(person_id p) const;

  // ---- outbox -------------------------------------------------------------------------
  /// Queues a message in its own transaction; writes that cause a message queue it in theirs
  /// (outbox.h: enqueue_in). False when a message with the same dedupe key exists already.
  result<bool> enqueue(const outbox_message& m, calendar::utc_seconds now);
  /// Claims up to `max` messages that are due (queued with due <= now, or sending with an
  /// expired lease) in one write transaction: they become `sending` with lease_until =
  /// now + lease, so no other dispatcher (thread or process) gets them until the lease ends.
  /// Several processes on one PostgreSQL database claim side by side: rows another one is
  /// claiming at that moment are skipped (FOR UPDATE SKIP LOCKED), never claimed twice.
  result<std::vector<outbox_entry>> claim_due(calendar::utc_seconds now, std::chrono::seconds lease,
                                              int max);
  /// Deletes a claimed message that no longer applies (a reminder composed when due, for a
  /// session or a person gone since): false if it was not `sending` (any more).
  result<bool> drop_claimed(outbox_id id);
  /// The message went out: state sent, sent = now. not_found unless it is `sending`.
  result<void> mark_sent(outbox_id id, calendar::utc_seconds now);
  /// A temporary failure: back to queued, due = next_due, attempts + 1, last_error = error.
  result<void> mark_retry(outbox_id id, std::string_view error, calendar::utc_seconds next_due);
  /// A permanent failure: state failed with the reason, attempts + 1; never sent again.
  result<void> mark_failed(outbox_id id, std::string_view error);
  /// The outcomes of one batch in one transaction (one commit and fsync for the batch, not one
  /// per mail), each recorded as mark_sent, mark_retry or mark_failed would. Per outcome,
  /// whether it was recorded: false when the message was no longer being sent (gone, or taken
  /// by another dispatcher after its lease ran out: an outcome with its claim's lease_until
  /// never overwrites the newer claim, so that claim's dispatcher records its own outcome).
  result<std::vector<bool>> record_outcomes(std::span<const outbox_outcome> outcomes,
                                            calendar::utc_seconds now);
  /// Deletes the queued (not yet claimed) messages whose dedupe key starts with `prefix`, e.g.
  /// the reminders of an occurrence that moved or was cancelled, or of an RSVP changed to no;
  /// their keys can be queued again. Returns how many. An empty prefix is refused (invalid).
  result<int> drop_queued(std::string_view prefix);
  /// When a claim_due could next find something: the earliest due time of a queued message or
  /// lease end of a claimed one; none when nothing waits. For the dispatcher's sleep.
  std::optional<calendar::utc_seconds> next_due() const;
  /// Messages still to send (queued or sending).
  std::int64_t outbox_depth() const;
  /// The newest `limit` rows, newest first, without their message bytes (for /admin).
  std::vector<outbox_entry> outbox_list(int limit) const;

  // ---- privacy ------------------------------------------------------------------------
  /// Deletes a person's account (their own request, or an admin's) in one transaction: their
  /// address, name and language are removed and the row stays as an anonymous tombstone (no
  /// email, no name; `deleted` set), so that their going and maybe RSVPs to occurrences that
  /// have started (or were cancelled) keep counting: the past keeps its numbers. Their answers
  /// to occurrences still to come are withdrawn: a place they held goes to the head of the
  /// waitlist, as if they had said no (audited rsvp_promoted by `who`; `mails` composes the
  /// promotions, queued in the same transaction). Removed as well: every token (sessions,
  /// login links, API, feed, guest links), follows, reminder choices, responsible roles, their
  /// other RSVPs (waitlisted, pending, not going: the waitlist behind them moves up in order)
  /// and every outbox message to their address, in any state, and the counts of their
  /// personal feed's fetches. Audit lines stay, naming only
  /// the tombstone's id. Afterwards the address is free for a new account.
  /// Errors: not_found (no such person, or already deleted), forbidden (who is neither the
  /// person, an admin nor the system), conflict (field "admin") for the last admin, invalid
  /// when `mails` throws.
  result<void> delete_person(person_id p, const actor& who, calendar::utc_seconds now,
                             const deletion_mails& mails = {});
  /// Deletes sent and failed outbox rows (with their addresses and text) last touched before
  /// `before`; returns how many. Queued and sending messages stay.
  int expire_outbox(calendar::utc_seconds before);

  // ---- feed fetches (fetches.h) ------------------------------------------------------
  /// Adds counts in one transaction: per (feed, day, family) the fetches and 304s grow by the
  /// given ones and the last fetch becomes the later of both. Errors: unavailable (nothing
  /// written then: the caller keeps the counts and tries again).
  result<void> add_feed_fetches(const std::vector<feed_fetch_count>& counts);
  /// The feed's counts of `from_day` (fetch_day) and later, by day, then family.
  std::vector<feed_fetch_count> feed_fetches(const feed_ref& feed, std::int64_t from_day) const;
  /// Deletes the counts of days before `before_day`; returns how many rows.
  int expire_feed_fetches(std::int64_t before_day);

  // ---- rate limits shared by instances (rate_limits.cpp) ---------------------------------
  /// Takes one action from the token bucket of `key` under the limiter `limiter` ("rsvp",
  /// "login-ip", ...), which holds `count` actions and regains them evenly over `period`: zero
  /// when one was there (and is now spent), else the whole seconds until one is (nothing
  /// spent). The buckets are rows of the database, so every instance on it counts into the
  /// same one (server/src/rate_limit.h). The key is kept only as the SHA-256 of the
  /// installation secret, the limiter and the key: never an address in clear. `count` <= 0
  /// allows everything and writes nothing. Errors: unavailable (the caller decides).
  result<std::chrono::seconds> take_allowance(std::string_view limiter, std::string_view key,
                                              int count, std::chrono::seconds period,
                                              calendar::utc_seconds now);
  /// Deletes the buckets that have been full again for a minute by `now` (keeping them would
  /// change nothing); returns how many.
  result<int> expire_rate_limits(calendar::utc_seconds now);

  // ---- export -------------------------------------------------------------------------
  /// Everything, as JSON, for backups.
  std::string export_json() const;
  /// All data about one person (their data request).
  result<std::string> export_person_json(person_id p) const;

  struct impl;

 private:
  explicit store(std::unique_ptr<impl> i);
  std::unique_ptr<impl> impl_;
};

}  // namespace treffpunkt::storage
