// Part of store: see store_impl.h.
#include <calendar/expand.h>

#include <algorithm>
#include <array>
#include <exception>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "event_rows.h"
#include "outbox.h"
#include "rights.h"
#include "rsvp_rows.h"
#include "store_impl.h"

namespace treffpunkt::storage {
namespace {

error from_calendar(const calendar::error& e) { return error{errc::invalid, e.what(), e.field}; }

/// Whether `after` offers more places than `before` (none = unlimited).
bool capacity_grew(std::optional<int> before, std::optional<int> after) {
  if (!before) return false;
  return !after || *after > *before;
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
    e.host.clear();  // the store's, not the feed's
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

/// Whether `edited` changes of `old` only what its host may change: the texts, the place and
/// the link (the bookkeeping of an edit aside).
bool only_host_changes(const calendar::event& old, calendar::event edited) {
  edited.title = old.title;
  edited.description = old.description;
  edited.location = old.location;
  edited.online_url = old.online_url;
  edited.id = old.id;
  edited.unit = old.unit;
  edited.uid = old.uid;
  edited.related_to = old.related_to;
  edited.sequence = old.sequence;
  edited.created = old.created;
  edited.last_modified = old.last_modified;
  edited.host = old.host;
  return edited == old;
}

std::string name_of(const calendar::event& e) {
  return "event '" + e.title + "' (UID " + (e.uid.empty() ? "none" : e.uid) + ")";
}

/// The occurrence keys of the event that someone is going to, in time order.
std::vector<calendar::occurrence_key> going_keys(sql::connection& c, calendar::event_id id) {
  std::vector<calendar::occurrence_key> keys;
  auto& s =
      c.prepare("SELECT DISTINCT occurrence_key FROM rsvps WHERE event_id = ? AND state = 'going'");
  s.bind(1, id.value);
  while (s.step()) {
    if (auto key = calendar::occurrence_key::parse(s.text(0))) keys.push_back(*key);
  }
  s.reset();
  std::sort(keys.begin(), keys.end());
  return keys;
}

/// The people going to one occurrence, as the write transaction on `c` sees them.
std::vector<attendee> going_to(sql::connection& c, calendar::event_id id,
                               const calendar::occurrence_key& key) {
  auto all = attendees_in(c, id, key);
  std::erase_if(all, [](const attendee& a) { return a.rsvp.state != rsvp_state::going; });
  return all;
}

/// Whether what a member has in their calendar of this occurrence changed: start, end, place.
bool occurrence_changed(const calendar::occurrence& a, const calendar::occurrence& b) {
  return a.start != b.start || a.end != b.end || a.location != b.location;
}

/// The local day an occurrence key names in `zone`.
date::local_days local_day_of(const calendar::occurrence_key& k, std::string_view zone) {
  if (k.is_date()) return date::local_days(date::floor<date::days>(k.instant()).time_since_epoch());
  return date::floor<date::days>(calendar::to_local(k.instant(), zone));
}

/// The key `after` gives the occurrence that `before` had under `k` (which `after` has not):
/// a one-off event's only occurrence, or a series' occurrence on the same local day.
std::optional<calendar::occurrence_key> followed_key(const calendar::event& before,
                                                     const calendar::event& after,
                                                     const calendar::occurrence_key& k) {
  if (!before.is_series() && !after.is_series()) {
    const auto all =
        calendar::expand(after, calendar::to_utc(after.start, after.zone) - date::days(2),
                         calendar::to_utc(after.start, after.zone) + date::days(2));
    if (all.size() == 1) return all.front().key;
    return std::nullopt;
  }
  const auto day = local_day_of(k, before.zone);
  for (const auto& o :
       calendar::expand(after, k.instant() - date::days(2), k.instant() + date::days(3))) {
    // A key `before` has too is another occurrence, with RSVPs of its own.
    if (local_day_of(o.key, after.zone) == day && !calendar::find_occurrence(before, o.key)) {
      return o.key;
    }
  }
  return std::nullopt;
}

/// Moves the RSVPs of every upcoming occurrence of `before` that `after` no longer has under
/// its key to the key `after` gives it (followed_key); returns {new key -> old key}.
std::map<calendar::occurrence_key, calendar::occurrence_key> follow_moved_occurrences(
    sql::connection& c, const calendar::event& before, const calendar::event& after,
    const actor& who, calendar::utc_seconds now) {
  std::vector<calendar::occurrence_key> keys;
  {
    auto& s = c.prepare("SELECT DISTINCT occurrence_key FROM rsvps WHERE event_id = ?");
    s.bind(1, before.id.value);
    while (s.step()) {
      if (auto key = calendar::occurrence_key::parse(s.text(0))) keys.push_back(*key);
    }
    s.reset();
  }
  std::map<calendar::occurrence_key, calendar::occurrence_key> followed;
  for (const auto& k : keys) {
    if (calendar::find_occurrence(after, k)) continue;
    const auto was = calendar::find_occurrence(before, k);
    if (!was || was->cancelled || was->start <= now) continue;
    const auto to = followed_key(before, after, k);
    if (!to || followed.contains(*to)) continue;
    c.prepare("UPDATE rsvps SET occurrence_key = ? WHERE event_id = ? AND occurrence_key = ?")
        .bind(1, to->to_string())
        .bind(2, before.id.value)
        .bind(3, k.to_string())
        .run();
    followed.emplace(*to, k);
    store::impl::audit(c, who, "rsvps_followed", after.unit, after.id,
                       "from " + k.to_string() + " to " + to->to_string(), now);
  }
  return followed;
}

/// What the write of `after` over `before` (on `c`, with the RSVPs followed as `followed`)
/// changed for the people going to an occurrence that had not started at `now`, for the mails:
/// see event_update. `promoted` are told by their promotion, not by a notice.
event_update update_of(sql::connection& c, const calendar::event& before,
                       const calendar::event& after,
                       const std::map<calendar::occurrence_key, calendar::occurrence_key>& followed,
                       std::vector<rsvp_record> promoted, calendar::utc_seconds now) {
  event_update u{before, after, std::move(promoted), {}, {}, {}};
  for (const auto& key : going_keys(c, after.id)) {
    const auto from = followed.find(key);
    const auto previous_key = from == followed.end() ? key : from->second;
    const auto was = calendar::find_occurrence(u.before, previous_key);
    // Started occurrences are history; so are RSVPs to keys the event never had.
    if (!was || was->start <= now) continue;
    const auto is = calendar::find_occurrence(u.after, key);
    if (!is) {
      // Gone with a changed rule: the RSVPs stay as history (as in promote_from_waitlists).
      if (!was->cancelled) u.gone.push_back(key);
      continue;
    }
    if (was->cancelled && is->cancelled) continue;
    if (!was->cancelled && !is->cancelled && !occurrence_changed(*was, *is)) continue;
    auto going = going_to(c, after.id, key);
    // Someone just promoted learns the new time from their promotion.
    std::erase_if(going, [&](const attendee& a) {
      return std::any_of(u.promoted.begin(), u.promoted.end(), [&](const rsvp_record& r) {
        return r.person == a.who.id && r.key == key;
      });
    });
    if (going.empty()) continue;
    (is->cancelled ? u.cancelled : u.changed).push_back({key, std::move(going), previous_key});
  }
  return u;
}

/// The occurrences of `e` that had not started at `now` and are not cancelled, with the
/// people going (read on `c`): whom a cancel of the whole event concerns.
std::vector<occurrence_going> upcoming_going(sql::connection& c, const calendar::event& e,
                                             calendar::utc_seconds now) {
  std::vector<occurrence_going> upcoming;
  for (const auto& key : going_keys(c, e.id)) {
    const auto o = calendar::find_occurrence(e, key);
    if (!o || o->cancelled || o->start <= now) continue;
    auto going = going_to(c, e.id, key);
    if (!going.empty()) upcoming.push_back({key, std::move(going), key});
  }
  return upcoming;
}

/// Makes `e`, read from a file, the next version of `stored`: what the file cannot say stays as
/// the store has it (iCalendar has no property for places or an RSVP deadline, and Google or
/// Outlook drop our kind), the identity stays, and SEQUENCE grows. False when the file then
/// says nothing new (`e` must not be written).
bool revise_from_file(const calendar::event& stored, calendar::event& e, bool kind_stated,
                      calendar::utc_seconds now) {
  if (!e.capacity) e.capacity = stored.capacity;
  if (!e.rsvp_deadline) e.rsvp_deadline = stored.rsvp_deadline;
  if (!kind_stated) e.kind = stored.kind;
  if (same_content(stored, e)) return false;
  e.id = stored.id;
  e.created = stored.created;
  e.related_to = e.related_to.empty() ? stored.related_to : e.related_to;
  e.sequence = std::max(stored.sequence + 1, e.sequence);
  e.last_modified = now;
  // As update_event: a calendar app ignores an instance whose SEQUENCE did not grow
  // (RFC 5546 §2.1.4), and the master's new one is above every stored override's.
  for (auto& o : e.overrides) o.sequence = std::max(o.sequence, e.sequence);
  return true;
}

/// Writes an import's update of `before` to `after` inside the import's transaction on `c`, as
/// update_event does (or, for an event the file newly cancels, as cancel_event), and returns
/// what it changed for the people who come.
imported_change write_import_update(sql::connection& c, const calendar::event& before,
                                    const calendar::event& after, const actor& who,
                                    calendar::utc_seconds now) {
  update_event_rows(c, after);
  store::impl::audit(c, who, "import_update", after.unit, after.id, after.uid, now);
  if (before.status != calendar::event_status::cancelled &&
      after.status == calendar::event_status::cancelled) {
    // As cancel_event: the RSVPs stay as history, and nobody moves up.
    return imported_change{event_update{before, after, {}, {}, {}, {}}, true,
                           upcoming_going(c, before, now)};
  }
  // As update_event: RSVPs follow a moved occurrence; more places move people up.
  const auto followed = follow_moved_occurrences(c, before, after, who, now);
  std::vector<rsvp_record> promoted;
  if (capacity_grew(before.capacity, after.capacity)) {
    promoted = promote_from_waitlists(c, after, who, now);
  }
  // Also an update that concerns nobody going: the unit's followers may be told of a change
  // at short notice (lag notices).
  return imported_change{
      update_of(c, before, after, followed, std::move(promoted), now), false, {}};
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
    if (load_event_by_uid(c, e.uid)) {
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
  return update_event(std::move(e), who, now, event_update_mails{});
}

result<calendar::event> store::update_event(calendar::event e, const actor& who,
                                            calendar::utc_seconds now,
                                            const event_update_mails& mails) {
  return impl_->write([&](sql::connection& c) -> result<calendar::event> {
    const auto old = load_event_for_write(c, e.id);
    if (!old) return error{errc::not_found, "no such event"};
    if (!may_edit_unit(c, who, old->unit)) {
      if (!hosts_event(c, who, old->id)) return forbidden_for(old->unit);
      if (!only_host_changes(*old, e)) {
        return error{errc::forbidden,
                     "a host may change the title, description, place and link of their offer, "
                     "nothing else"};
      }
    }
    // The identity of the event in every calendar that has it.
    e.uid = old->uid;
    e.created = old->created;
    e.unit = old->unit;
    e.related_to = old->related_to;
    e.host = old->host;
    e.sequence = old->sequence + 1;
    e.last_modified = now;
    // An edit of the series revises every moved or changed instance too (RFC 5546 §2.1.4): a
    // calendar app ignores an instance whose SEQUENCE did not grow. An override's SEQUENCE
    // never exceeds the master's, so the master's new one is above it.
    for (auto& o : e.overrides) o.sequence = std::max(o.sequence + 1, e.sequence);
    if (auto valid = calendar::validate(e); !valid) return from_calendar(valid.error());
    update_event_rows(c, e);
    impl::bump_unit_version(c, e.unit);
    impl::audit(c, who, "update_event", e.unit, e.id, e.title, now);
    // More places (or none to count) move people up from waitlists, as a withdrawal does.
    // Fewer places take nobody's place away: those going keep it, and the waitlist waits
    // until enough of them withdraw.
    const auto followed = follow_moved_occurrences(c, *old, e, who, now);
    std::vector<rsvp_record> promoted;
    if (capacity_grew(old->capacity, e.capacity)) promoted = promote_from_waitlists(c, e, who, now);
    if (mails) {
      const auto u = update_of(c, *old, e, followed, std::move(promoted), now);
      if (auto queued = compose_and_queue(
              c, "event", [&] { return mails(u); }, now);
          !queued) {
        return queued.error();
      }
    }
    return e;
  });
}

result<calendar::event> store::cancel_event(calendar::event_id id, const actor& who,
                                            calendar::utc_seconds now) {
  return cancel_event(id, who, now, event_cancel_mails{});
}

result<calendar::event> store::cancel_event(calendar::event_id id, const actor& who,
                                            calendar::utc_seconds now,
                                            const event_cancel_mails& mails) {
  return impl_->write([&](sql::connection& c) -> result<calendar::event> {
    auto e = load_event_for_write(c, id);
    if (!e) return error{errc::not_found, "no such event"};
    if (!may_edit_unit(c, who, e->unit) && !hosts_event(c, who, id)) {
      return forbidden_for(e->unit);
    }
    if (e->status == calendar::event_status::cancelled) return *e;  // nothing changes
    const calendar::event before = *e;
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
    if (mails) {
      const auto upcoming = upcoming_going(c, before, now);
      if (auto queued = compose_and_queue(
              c, "cancel", [&] { return mails(before, *e, upcoming); }, now);
          !queued) {
        return queued.error();
      }
    }
    return *e;
  });
}

result<calendar::event> store::set_override(calendar::event_id id, calendar::occurrence_override o,
                                            const actor& who, calendar::utc_seconds now) {
  return set_override(id, std::move(o), who, now, occurrence_mails{}, {});
}

result<calendar::event> store::set_override(calendar::event_id id, calendar::occurrence_override o,
                                            const actor& who, calendar::utc_seconds now,
                                            const occurrence_mails& mails,
                                            std::string_view drop_queued_prefix) {
  // The override and the mails it causes commit together or not at all.
  return impl_->write([&](sql::connection& c) -> result<calendar::event> {
    auto e = load_event_for_write(c, id);
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
    // Queued reminders planned for the old time (or for an occurrence that no longer takes
    // place) go first; `mails` plans them again for the new time where it should.
    if (!drop_queued_prefix.empty()) drop_queued_in(c, drop_queued_prefix);
    if (mails) {
      auto going = attendees_in(c, e->id, o.key);
      std::erase_if(going, [](const attendee& a) { return a.rsvp.state != rsvp_state::going; });
      std::vector<outbox_message> queued;
      try {
        queued = mails(*e, going);
      } catch (const std::exception& failure) {
        // Returning the error rolls back the override with everything else of this transaction.
        return error{errc::invalid,
                     std::string("cannot compose the occurrence mails: ") + failure.what()};
      }
      for (const auto& m : queued) {
        if (auto refused = unqueueable(m)) return *refused;
        enqueue_in(c, m, now);
      }
    }
    return *e;
  });
}

result<std::pair<calendar::event, calendar::event>> store::split_event(
    calendar::event_id id, calendar::occurrence_key from, const actor& who,
    calendar::utc_seconds now) {
  return split_event(id, from, who, now, event_split_mails{});
}

result<std::pair<calendar::event, calendar::event>> store::split_event(
    calendar::event_id id, calendar::occurrence_key from, const actor& who,
    calendar::utc_seconds now, const event_split_mails& mails) {
  using pair = std::pair<calendar::event, calendar::event>;
  return impl_->write([&](sql::connection& c) -> result<pair> {
    const auto e = load_event_for_write(c, id);
    if (!e) return error{errc::not_found, "no such event"};
    if (!may_edit_unit(c, who, e->unit)) return forbidden_for(e->unit);
    auto split = calendar::split_series(*e, from, new_uid());
    if (!split) {
      if (split.error().code == calendar::errc::not_found) {
        return error{errc::not_found, split.error().what(), "occurrence"};
      }
      return from_calendar(split.error());
    }
    // Not a structured binding: clang 14 (the fuzz preset) cannot capture one in a lambda.
    auto& old_series = split->first;
    auto& new_series = split->second;
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
    std::set<calendar::occurrence_key> moved_keys;
    {
      auto& s = c.prepare("SELECT id, occurrence_key FROM rsvps WHERE event_id = ?");
      s.bind(1, id.value);
      while (s.step()) {
        const auto key = calendar::occurrence_key::parse(s.text(1));
        if (key && !(*key < from)) {
          moving.push_back(s.int64(0));
          moved_keys.insert(*key);
        }
      }
      s.reset();
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
    if (mails) {
      std::vector<occurrence_going> moved;
      for (const auto& key : moved_keys) {
        auto going = going_to(c, new_series.id, key);
        if (!going.empty()) moved.push_back({key, std::move(going), key});
      }
      if (auto queued = compose_and_queue(
              c, "split", [&] { return mails(old_series, new_series, moved); }, now);
          !queued) {
        return queued.error();
      }
    }
    return pair{old_series, new_series};
  });
}

std::optional<calendar::event> store::event_by_id(calendar::event_id id) const {
  impl::reader r(*impl_);
  // Cached and current: one statement, no transaction (BEGIN and COMMIT cost as much).
  if (auto cached = impl_->events.current(*r, id)) return cached;
  // One snapshot, so that the event and its children agree.
  return in_snapshot(*r, [&] { return impl_->events.load(*r, id); });
}

std::vector<calendar::event> store::events_of_unit(calendar::unit_id u) const {
  impl::reader r(*impl_);
  // One snapshot, so that the events and their children agree.
  return in_snapshot(*r, [&] { return load_events_of_unit(*r, u); });
}

result<import_summary> store::import_events(calendar::unit_id u,
                                            std::vector<calendar::event> events, const actor& who,
                                            calendar::utc_seconds now, bool dry_run) {
  std::vector<imported_event> stated;
  stated.reserve(events.size());
  for (auto& e : events) stated.push_back({std::move(e), true});
  return import_events(u, std::move(stated), who, now, dry_run, import_mails{});
}

result<import_summary> store::import_events(calendar::unit_id u, std::vector<imported_event> events,
                                            const actor& who, calendar::utc_seconds now,
                                            bool dry_run, const import_mails& mails) {
  // Checked before the transaction: a file that breaks a rule is refused whole.
  std::set<std::string> seen;
  for (auto& [e, kind_stated] : events) {
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
    struct planned {
      plan what;
      calendar::event e;
      std::optional<calendar::event> before;  ///< of an update: as stored
    };
    std::vector<planned> plans;
    import_summary summary;
    for (auto& [e, kind_stated] : events) {
      auto existing = load_event_by_uid_for_write(c, e.uid);
      if (!existing) {
        e.id = {};
        e.created = now;
        e.last_modified = now;
        e.sequence = std::max(e.sequence, 0);  // the file's SEQUENCE never goes backwards
        plans.push_back({plan::create, std::move(e), std::nullopt});
        ++summary.created;
        continue;
      }
      if (existing->unit != u) {
        return error{errc::conflict, name_of(e) + " belongs to another unit", "uid"};
      }
      if (!revise_from_file(*existing, e, kind_stated, now)) {
        plans.push_back({plan::unchanged, std::move(*existing), std::nullopt});
        ++summary.unchanged;
        continue;
      }
      plans.push_back({plan::update, std::move(e), std::move(existing)});
      ++summary.updated;
    }
    if (dry_run) return summary;

    std::vector<imported_change> changes;
    for (auto& [what, e, before] : plans) {
      if (what == plan::create) {
        insert_event(c, e);
        impl::audit(c, who, "import_create", u, e.id, e.uid, now);
      } else if (what == plan::update) {
        auto change = write_import_update(c, *before, e, who, now);
        if (mails) changes.push_back(std::move(change));
      }
    }
    if (summary.created + summary.updated > 0) impl::bump_unit_version(c, u);
    if (mails && !changes.empty()) {
      if (auto queued = compose_and_queue(
              c, "import", [&] { return mails(changes); }, now);
          !queued) {
        return queued.error();
      }
    }
    return summary;
  });
}

}  // namespace treffpunkt::storage
