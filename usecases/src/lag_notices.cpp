// Lag notices (usecases/lag_notices.h): which sessions a write changed at short notice, and the
// mails that tell the followers whose calendar app lags.
#include <notifications/message.h>
#include <usecases/lag_notices.h>

#include <algorithm>

#include "mail_writer.h"

namespace treffpunkt::usecases {
namespace mail = notifications;
namespace {

using calendar::occurrence;
using calendar::utc_seconds;

/// Every occurrence of a one-off event: one, wherever it lies. Ten years ahead is beyond any
/// one-off event anyone schedules, and costs nothing (the expansion stops at the one).
std::vector<occurrence> all_of_one_off(const calendar::event& e, utc_seconds now) {
  return calendar::expand(e, now - date::days(2), now + date::days(3660));
}

/// What `after` made of `was`, an occurrence of `before`: see short_notice_changes.
std::optional<occurrence> counterpart(const calendar::event& before, const calendar::event& after,
                                      const occurrence& was, utc_seconds now) {
  if (auto same = calendar::find_occurrence(after, was.key)) return *same;
  if (!before.is_series() && !after.is_series()) {
    auto only = all_of_one_off(after, now);
    if (only.size() == 1) return only.front();
    return std::nullopt;
  }
  const auto day = calendar::original_day(before, was.key);
  for (auto& o : calendar::expand(after, was.key.instant() - date::days(2),
                                  was.key.instant() + date::days(3))) {
    // A key `before` has too is another occurrence, not this one at another time.
    if (calendar::original_day(after, o.key) == day && !calendar::find_occurrence(before, o.key)) {
      return o;
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<short_notice_change> short_notice_changes(const calendar::event& before,
                                                      const calendar::event& after,
                                                      utc_seconds now) {
  std::vector<short_notice_change> out;
  if (before.status == calendar::event_status::cancelled) return out;
  const auto soon = [&](utc_seconds t) { return t > now && t <= now + lag_notice_window; };
  // The sessions calendars show in the window, and those whose counterpart is in it now: one
  // of a series that a new time of day moved stays on its day (counterpart), so it started at
  // most a day beyond the window; one moved by its own override keeps its key, from wherever it
  // came; a one-off event may have come from anywhere.
  auto shown = before.is_series()
                   ? calendar::expand(before, now, now + lag_notice_window + date::days(2))
                   : all_of_one_off(before, now);
  if (before.is_series()) {
    for (const auto& is : calendar::expand(after, now, now + lag_notice_window)) {
      const bool listed = std::any_of(shown.begin(), shown.end(),
                                      [&](const occurrence& o) { return o.key == is.key; });
      if (listed) continue;
      if (auto was = calendar::find_occurrence(before, is.key)) shown.push_back(*was);
    }
    std::sort(shown.begin(), shown.end(),
              [](const occurrence& a, const occurrence& b) { return a.start < b.start; });
  }
  for (const auto& was : shown) {
    if (was.cancelled || was.start <= now) continue;
    auto is = counterpart(before, after, was, now);
    if (!is || is->cancelled) {
      if (soon(was.start)) out.push_back({was, std::nullopt});
      continue;
    }
    const bool changed =
        was.start != is->start || was.end != is->end || was.location != is->location;
    if (changed && (soon(was.start) || soon(is->start))) out.push_back({was, is});
  }
  return out;
}

void mail_writer::add_lag_notices(std::vector<storage::outbox_message>& out,
                                  const calendar::event& before, const calendar::event& after,
                                  const std::string& unit_name,
                                  const std::vector<storage::person_id>& told,
                                  std::string_view version,
                                  const std::optional<calendar::occurrence_key>& only,
                                  bool whole_event) const {
  auto changes = short_notice_changes(before, after, ctx_.now);
  if (only) {
    std::erase_if(changes, [&](const short_notice_change& c) { return c.before.key != *only; });
  }
  if (changes.empty()) return;
  // Read outside the write transaction (as reminder_offsets is): follows and fetches are not
  // what the write changes.
  const auto followers = ctx_.store.lagging_followers(after.unit, ctx_.now - feed_client_memory);
  if (followers.empty()) return;
  const auto unit = ctx_.store.unit_by_id(after.unit);
  const std::string base(ctx_.base_url);
  const std::string event_id = std::to_string(after.id.value);
  std::vector<storage::person_id> done;
  const auto in = [](const std::vector<storage::person_id>& list, storage::person_id p) {
    return std::find(list.begin(), list.end(), p) != list.end();
  };
  for (const auto& c : changes) {
    for (const auto& [who, client] : followers) {
      if (in(told, who.id) || in(done, who.id)) continue;
      // The RSVP as it stood before this write (its transaction is not committed yet): going
      // gets the usual notice, no wants nothing of this session.
      const auto answer = ctx_.store.rsvp_of(before.id, c.before.key, who.id);
      if (answer && (answer->answer == calendar::rsvp_answer::no ||
                     answer->state == storage::rsvp_state::going)) {
        continue;
      }
      const auto lang = mail::language_from_tag(who.language);
      const auto app = mail::lagging_app(client.family, lang);
      mail::facts extra;
      extra.app = app.app;
      extra.delay = app.delay;
      const std::string slot =
          event_id + ":" + (whole_event ? std::string("event") : c.before.key.to_string());
      if (c.after) {
        extra.link = base;
        extra.link.append("/events/").append(event_id).append("/").append(c.after->key.to_string());
        std::string previous = mail::format_when(c.before.local_start, before.all_day, lang);
        if (c.before.location != c.after->location && !c.before.location.empty()) {
          previous += ", " + std::string(c.before.location);
        }
        const auto kind = mail::message_kind::lag_moved;
        out.push_back(compose(kind, after, *c.after, unit_name, who,
                              dedupe_key(mail::kind_name(kind), slot, who.id.value, version),
                              ctx_.now, std::move(previous), false, &extra));
      } else {
        // The session's page may be gone (a changed rule): the unit's sessions instead.
        extra.link = base + "/units/" + (unit ? unit->slug : std::string());
        const auto kind = mail::message_kind::lag_cancelled;
        out.push_back(compose(kind, before, c.before, unit_name, who,
                              dedupe_key(mail::kind_name(kind), slot, who.id.value, version),
                              ctx_.now, {}, false, &extra));
      }
      if (whole_event) done.push_back(who.id);
    }
  }
}

}  // namespace treffpunkt::usecases
