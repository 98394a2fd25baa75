#include "schema.h"

#include <array>

namespace treffpunkt::storage {
namespace {

// Times are INTEGER Unix seconds (UTC); wall-clock times in an event's zone are INTEGER seconds
// of the local epoch (calendar::local_seconds). Occurrence keys are occurrence_key::to_string().
constexpr std::string_view v1 = R"sql(
CREATE TABLE units (
  id          INTEGER PRIMARY KEY,
  slug        TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  colour      TEXT NOT NULL DEFAULT '',
  zone        TEXT NOT NULL DEFAULT 'Europe/Berlin',
  version     INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE people (
  id       INTEGER PRIMARY KEY,
  email    TEXT NOT NULL UNIQUE,
  name     TEXT NOT NULL DEFAULT '',
  language TEXT NOT NULL DEFAULT 'de',
  admin    INTEGER NOT NULL DEFAULT 0,
  guest    INTEGER NOT NULL DEFAULT 0,
  created  INTEGER NOT NULL,
  version  INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE responsibles (
  unit_id   INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  PRIMARY KEY (unit_id, person_id)
);
CREATE TABLE follows (
  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  unit_id   INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
  created   INTEGER NOT NULL,
  PRIMARY KEY (person_id, unit_id)
);
CREATE TABLE events (
  id            INTEGER PRIMARY KEY,
  unit_id       INTEGER NOT NULL REFERENCES units(id),
  uid           TEXT NOT NULL UNIQUE,
  related_to    TEXT NOT NULL DEFAULT '',
  sequence      INTEGER NOT NULL DEFAULT 0,
  created       INTEGER NOT NULL,
  last_modified INTEGER NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('meeting', 'exchange_offer')),
  status        TEXT NOT NULL CHECK (status IN ('confirmed', 'cancelled')),
  title         TEXT NOT NULL,
  description   TEXT NOT NULL DEFAULT '',
  location      TEXT NOT NULL DEFAULT '',
  online_url    TEXT NOT NULL DEFAULT '',
  zone          TEXT NOT NULL,
  all_day       INTEGER NOT NULL DEFAULT 0,
  start_local   INTEGER NOT NULL,
  duration      INTEGER NOT NULL,
  rrule         TEXT,
  capacity      INTEGER,
  rsvp_deadline INTEGER
);
CREATE INDEX events_unit ON events (unit_id);
CREATE TABLE event_rdates (
  event_id    INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  start_local INTEGER NOT NULL,
  PRIMARY KEY (event_id, start_local)
);
CREATE TABLE occurrence_overrides (
  event_id       INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  occurrence_key TEXT NOT NULL,
  cancelled      INTEGER NOT NULL DEFAULT 0,
  start_local    INTEGER,
  duration       INTEGER,
  title          TEXT,
  description    TEXT,
  location       TEXT,
  online_url     TEXT,
  sequence       INTEGER NOT NULL DEFAULT 0,
  last_modified  INTEGER NOT NULL,
  PRIMARY KEY (event_id, occurrence_key)
);
CREATE TABLE rsvps (
  id             INTEGER PRIMARY KEY,
  event_id       INTEGER NOT NULL REFERENCES events(id),
  occurrence_key TEXT NOT NULL,
  person_id      INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  answer         TEXT NOT NULL CHECK (answer IN ('yes', 'no', 'maybe')),
  state          TEXT NOT NULL
                 CHECK (state IN ('going', 'waitlisted', 'maybe', 'not_going', 'pending')),
  waitlist_seq   INTEGER,
  created        INTEGER NOT NULL,
  updated        INTEGER NOT NULL,
  UNIQUE (event_id, occurrence_key, person_id)
);
CREATE INDEX rsvps_occurrence ON rsvps (event_id, occurrence_key, state);
CREATE INDEX rsvps_person ON rsvps (person_id);
CREATE TABLE tokens (
  hash      BLOB PRIMARY KEY,
  kind      TEXT NOT NULL CHECK (kind IN ('login', 'session', 'api', 'feed', 'guest_rsvp')),
  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  rsvp_id   INTEGER REFERENCES rsvps(id) ON DELETE CASCADE,
  created   INTEGER NOT NULL,
  expires   INTEGER NOT NULL,
  used      INTEGER
);
CREATE INDEX tokens_person ON tokens (person_id, kind);
CREATE TABLE reminder_preferences (
  person_id INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
  offsets   TEXT NOT NULL
);
CREATE TABLE outbox (
  id          INTEGER PRIMARY KEY,
  created     INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  recipient   TEXT NOT NULL,
  message     BLOB NOT NULL,
  due         INTEGER NOT NULL,
  attempts    INTEGER NOT NULL DEFAULT 0,
  state       TEXT NOT NULL DEFAULT 'queued'
              CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
  lease_until INTEGER,
  last_error  TEXT,
  sent        INTEGER,
  dedupe_key  TEXT UNIQUE
);
CREATE INDEX outbox_due ON outbox (state, due);
CREATE TABLE audit_log (
  id       INTEGER PRIMARY KEY,
  at       INTEGER NOT NULL,
  actor_id INTEGER,
  action   TEXT NOT NULL,
  unit_id  INTEGER,
  event_id INTEGER,
  detail   TEXT NOT NULL DEFAULT ''
);
)sql";

// v2: one-click unsubscribe (RFC 8058). `settings` keeps installation-wide values, such as
// the secret that signs unsubscribe links; `people.notices` = 0 stops the notices of changes
// and the messages of responsibles for that person (reminders are their own setting).
constexpr std::string_view v2 = R"sql(
CREATE TABLE settings (
  name  TEXT PRIMARY KEY,
  value BLOB NOT NULL
);
ALTER TABLE people ADD COLUMN notices INTEGER NOT NULL DEFAULT 1;
)sql";

// v3: deleted accounts (store::delete_person). The row stays as an anonymous tombstone so that
// the RSVPs that count keep counting; `deleted` is when its personal data was removed.
constexpr std::string_view v3 = R"sql(
ALTER TABLE people ADD COLUMN deleted INTEGER;
)sql";

// v4: exchange offers proposed by members (offer_proposals), wishes, and the host of an event
// made from an approved proposal (event_hosts). `dates` holds the proposer's suggested starts as
// comma-separated local seconds ("" = flexible); `wish_id` the wish an offer answers.
constexpr std::string_view v4 = R"sql(
CREATE TABLE wishes (
  id        INTEGER PRIMARY KEY,
  unit_id   INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
  person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
  text      TEXT NOT NULL,
  open      INTEGER NOT NULL DEFAULT 1,
  created   INTEGER NOT NULL,
  closed    INTEGER
);
CREATE INDEX wishes_unit ON wishes (unit_id, open);
CREATE TABLE offer_proposals (
  id          INTEGER PRIMARY KEY,
  unit_id     INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
  person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  state       TEXT NOT NULL CHECK (state IN
                ('waiting', 'changes_requested', 'approved', 'declined', 'withdrawn')),
  title       TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  format      TEXT NOT NULL CHECK (format IN ('in_person', 'online', 'both')),
  location    TEXT NOT NULL DEFAULT '',
  online_url  TEXT NOT NULL DEFAULT '',
  duration    INTEGER NOT NULL,
  dates       TEXT NOT NULL DEFAULT '',
  capacity    INTEGER,
  show_host   INTEGER NOT NULL DEFAULT 0,
  wish_id     INTEGER REFERENCES wishes(id) ON DELETE SET NULL,
  message     TEXT NOT NULL DEFAULT '',
  event_id    INTEGER REFERENCES events(id),
  created     INTEGER NOT NULL,
  updated     INTEGER NOT NULL
);
CREATE INDEX offer_proposals_unit ON offer_proposals (unit_id, state);
CREATE INDEX offer_proposals_person ON offer_proposals (person_id, state);
CREATE TABLE event_hosts (
  event_id  INTEGER PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  public    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX event_hosts_person ON event_hosts (person_id);
)sql";

// v5: units get a contact address and can be archived (when; NULL: active).
constexpr std::string_view v5 = R"sql(
ALTER TABLE units ADD COLUMN contact TEXT NOT NULL DEFAULT '';
ALTER TABLE units ADD COLUMN archived INTEGER;
)sql";

// v6: who came to an occurrence (store::set_attendance). `attendance_lists` says that and when
// a list was recorded (an empty list: nobody came); `attendance` holds one row per person who
// came: a member who answered (person_id), a walk-in by name (walk_in), or neither: someone who
// came and has since deleted their account (store::delete_person drops the link, the count
// stays).
constexpr std::string_view v6 = R"sql(
CREATE TABLE attendance_lists (
  event_id       INTEGER NOT NULL REFERENCES events(id),
  occurrence_key TEXT NOT NULL,
  recorded_at    INTEGER NOT NULL,
  PRIMARY KEY (event_id, occurrence_key)
);
CREATE TABLE attendance (
  id             INTEGER PRIMARY KEY,
  event_id       INTEGER NOT NULL REFERENCES events(id),
  occurrence_key TEXT NOT NULL,
  person_id      INTEGER REFERENCES people(id) ON DELETE SET NULL,
  walk_in        TEXT,
  recorded_at    INTEGER NOT NULL,
  CHECK (person_id IS NULL OR walk_in IS NULL),
  UNIQUE (event_id, occurrence_key, person_id)
);
CREATE INDEX attendance_person ON attendance (person_id);
)sql";

// v7 (issue 15): feed fetches counted per feed, UTC day and client family, written in batches
// by the server (no address, no User-Agent; kept 90 days). `feed` is "all", "unit:<id>",
// "event:<id>" or "person:<id>"; `day` counts days since 1970-01-01 (UTC); `family` is a
// calendar::client_family name; `last_fetch` Unix seconds. `events.confirmed` is when a
// responsible last said a series still happens, `events.confirm_asked` when they were last
// asked to; `people.lag_notices` = 0 stops the notices for members whose calendar app lags.
constexpr std::string_view v7 = R"sql(
CREATE TABLE feed_fetches (
  feed         TEXT NOT NULL,
  day          INTEGER NOT NULL,
  family       TEXT NOT NULL,
  fetches      INTEGER NOT NULL DEFAULT 0,
  not_modified INTEGER NOT NULL DEFAULT 0,
  last_fetch   INTEGER NOT NULL,
  PRIMARY KEY (feed, day, family)
) WITHOUT ROWID;
CREATE INDEX feed_fetches_day ON feed_fetches (day);
ALTER TABLE events ADD COLUMN confirmed INTEGER;
ALTER TABLE events ADD COLUMN confirm_asked INTEGER;
ALTER TABLE people ADD COLUMN lag_notices INTEGER NOT NULL DEFAULT 1;
)sql";

// v8 (issue 16): the same CHECK constraints, written as comparisons joined by OR instead of
// IN (...): SQLite checks an IN list by building a temporary table on every INSERT and
// UPDATE, which made most of the cost of an RSVP's upsert (10 us against 2.7 us). The
// constraints mean the same, so the schema text is edited in place, as SQLite's documentation
// allows for changes that leave the stored rows as they are (lang_altertable.html, "Making
// Other Kinds Of Table Schema Changes"); migrate() bumps schema_version after it.
constexpr std::string_view v8 = R"sql(
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql, 'kind IN (''meeting'', ''exchange_offer'')', 'kind = ''meeting'' OR kind = ''exchange_offer''')
  WHERE type = 'table' AND name = 'events';
UPDATE sqlite_schema SET sql = replace(sql, 'status IN (''confirmed'', ''cancelled'')', 'status = ''confirmed'' OR status = ''cancelled''')
  WHERE type = 'table' AND name = 'events';
UPDATE sqlite_schema SET sql = replace(sql, 'answer IN (''yes'', ''no'', ''maybe'')', 'answer = ''yes'' OR answer = ''no'' OR answer = ''maybe''')
  WHERE type = 'table' AND name = 'rsvps';
UPDATE sqlite_schema SET sql = replace(sql, 'state IN (''going'', ''waitlisted'', ''maybe'', ''not_going'', ''pending'')', 'state = ''going'' OR state = ''waitlisted'' OR state = ''maybe'' OR state = ''not_going'' OR state = ''pending''')
  WHERE type = 'table' AND name = 'rsvps';
UPDATE sqlite_schema SET sql = replace(sql, 'kind IN (''login'', ''session'', ''api'', ''feed'', ''guest_rsvp'')', 'kind = ''login'' OR kind = ''session'' OR kind = ''api'' OR kind = ''feed'' OR kind = ''guest_rsvp''')
  WHERE type = 'table' AND name = 'tokens';
UPDATE sqlite_schema SET sql = replace(sql, 'state IN (''queued'', ''sending'', ''sent'', ''failed'')', 'state = ''queued'' OR state = ''sending'' OR state = ''sent'' OR state = ''failed''')
  WHERE type = 'table' AND name = 'outbox';
UPDATE sqlite_schema SET sql = replace(sql, 'format IN (''in_person'', ''online'', ''both'')', 'format = ''in_person'' OR format = ''online'' OR format = ''both''')
  WHERE type = 'table' AND name = 'offer_proposals';
PRAGMA writable_schema = OFF;
)sql";

// v9 (issue 18): rate limits that several instances on one database share
// (storage/src/rate_limits.cpp): one token bucket per limiter and key, the key a keyed SHA-256
// in hex (no address in clear), the tokens in thousandths of an action, the times in Unix
// seconds. A bucket is deleted once it has been full again for a minute (full_at). On SQLite,
// which one instance serves, the server keeps its limits in memory and the table stays empty.
constexpr std::string_view v9 = R"sql(
CREATE TABLE rate_limits (
  bucket  TEXT NOT NULL PRIMARY KEY,
  tokens  INTEGER NOT NULL,
  updated INTEGER NOT NULL,
  full_at INTEGER NOT NULL
);
CREATE INDEX rate_limits_full_at ON rate_limits (full_at);
)sql";

// v10 (issue 16): how many RSVPs of each occurrence are going, waitlisted and maybe, so that
// store::occupancy_of and the count of free places read one row instead of counting the
// occurrence's RSVPs (three walks over rsvps_occurrence that grow with every answer). The
// counts derive from `rsvps` alone and are kept exact by its triggers, whatever statement
// changes a row: an answer, a promotion, a deletion (also by a person's ON DELETE CASCADE), a
// moved occurrence (occurrence_key) or split series (event_id). A row whose counts fall to 0
// stays; a missing row reads as zeros. The states are compared with = joined by OR, not IN
// (...), for the reason of v8. A change of state within one occurrence (a new answer, a
// promotion: the write path) is one upsert of the difference; a row that moves to another
// occurrence (rare) leaves the old count and joins the new. The migration counts the RSVPs
// already there. No personal data: numbers per occurrence.
constexpr std::string_view v10 = R"sql(
CREATE TABLE rsvp_counts (
  event_id       INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  occurrence_key TEXT NOT NULL,
  going          INTEGER NOT NULL DEFAULT 0,
  waitlisted     INTEGER NOT NULL DEFAULT 0,
  maybe          INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (event_id, occurrence_key)
) WITHOUT ROWID;
INSERT INTO rsvp_counts (event_id, occurrence_key, going, waitlisted, maybe)
  SELECT event_id, occurrence_key, sum(state = 'going'), sum(state = 'waitlisted'),
         sum(state = 'maybe')
  FROM rsvps WHERE state = 'going' OR state = 'waitlisted' OR state = 'maybe'
  GROUP BY event_id, occurrence_key;
CREATE TRIGGER rsvp_counts_insert AFTER INSERT ON rsvps
WHEN NEW.state = 'going' OR NEW.state = 'waitlisted' OR NEW.state = 'maybe'
BEGIN
  INSERT INTO rsvp_counts (event_id, occurrence_key, going, waitlisted, maybe)
  VALUES (NEW.event_id, NEW.occurrence_key, NEW.state = 'going', NEW.state = 'waitlisted',
          NEW.state = 'maybe')
  ON CONFLICT (event_id, occurrence_key) DO UPDATE SET
    going = going + excluded.going, waitlisted = waitlisted + excluded.waitlisted,
    maybe = maybe + excluded.maybe;
END;
CREATE TRIGGER rsvp_counts_delete AFTER DELETE ON rsvps
WHEN OLD.state = 'going' OR OLD.state = 'waitlisted' OR OLD.state = 'maybe'
BEGIN
  UPDATE rsvp_counts SET going = going - (OLD.state = 'going'),
    waitlisted = waitlisted - (OLD.state = 'waitlisted'), maybe = maybe - (OLD.state = 'maybe')
  WHERE event_id = OLD.event_id AND occurrence_key = OLD.occurrence_key;
END;
CREATE TRIGGER rsvp_counts_update AFTER UPDATE OF state ON rsvps
WHEN OLD.state IS NOT NEW.state AND OLD.event_id IS NEW.event_id
  AND OLD.occurrence_key IS NEW.occurrence_key
  AND (OLD.state = 'going' OR OLD.state = 'waitlisted' OR OLD.state = 'maybe'
    OR NEW.state = 'going' OR NEW.state = 'waitlisted' OR NEW.state = 'maybe')
BEGIN
  INSERT INTO rsvp_counts (event_id, occurrence_key, going, waitlisted, maybe)
  VALUES (NEW.event_id, NEW.occurrence_key, (NEW.state = 'going') - (OLD.state = 'going'),
          (NEW.state = 'waitlisted') - (OLD.state = 'waitlisted'),
          (NEW.state = 'maybe') - (OLD.state = 'maybe'))
  ON CONFLICT (event_id, occurrence_key) DO UPDATE SET
    going = going + excluded.going, waitlisted = waitlisted + excluded.waitlisted,
    maybe = maybe + excluded.maybe;
END;
CREATE TRIGGER rsvp_counts_move AFTER UPDATE OF event_id, occurrence_key ON rsvps
WHEN OLD.event_id IS NOT NEW.event_id OR OLD.occurrence_key IS NOT NEW.occurrence_key
BEGIN
  UPDATE rsvp_counts SET going = going - (OLD.state = 'going'),
    waitlisted = waitlisted - (OLD.state = 'waitlisted'), maybe = maybe - (OLD.state = 'maybe')
  WHERE event_id = OLD.event_id AND occurrence_key = OLD.occurrence_key
    AND (OLD.state = 'going' OR OLD.state = 'waitlisted' OR OLD.state = 'maybe');
  INSERT INTO rsvp_counts (event_id, occurrence_key, going, waitlisted, maybe)
  SELECT NEW.event_id, NEW.occurrence_key, NEW.state = 'going', NEW.state = 'waitlisted',
         NEW.state = 'maybe'
  WHERE NEW.state = 'going' OR NEW.state = 'waitlisted' OR NEW.state = 'maybe'
  ON CONFLICT (event_id, occurrence_key) DO UPDATE SET
    going = going + excluded.going, waitlisted = waitlisted + excluded.waitlisted,
    maybe = maybe + excluded.maybe;
END;
)sql";

// v11 (issue 16): the message bodies leave the outbox's rows for a table of their own. SQLite
// writes a whole row again on every UPDATE, so each claim and each outcome (sending, sent,
// retry: state, lease and attempts) copied the body's overflow pages and put them in the WAL;
// now those UPDATEs rewrite a row of a hundred bytes and the body is written once, when it is
// queued. A message composed when it is due (a reminder, queued as its key alone) has no row
// here. A body goes with its message (ON DELETE CASCADE: the expiry of sent mail, a deleted
// account, a dropped reminder). DROP COLUMN (SQLite 3.35) rewrites the rows without the body;
// the pages it frees are reused by later writes.
constexpr std::string_view v11 = R"sql(
CREATE TABLE outbox_messages (
  id      INTEGER PRIMARY KEY REFERENCES outbox(id) ON DELETE CASCADE,
  message BLOB NOT NULL
);
INSERT INTO outbox_messages (id, message)
  SELECT id, message FROM outbox WHERE length(message) > 0 ORDER BY id;
ALTER TABLE outbox DROP COLUMN message;
)sql";

constexpr std::array<std::string_view, 11> all{v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11};

}  // namespace

std::span<const std::string_view> migrations() { return all; }

}  // namespace treffpunkt::storage
