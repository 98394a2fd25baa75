#include <calendar/expand.h>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "rrule_iterator.h"

namespace treffpunkt::calendar {
namespace {

using std::chrono::seconds;

/// An occurrence as the series defines it, before any override: its key, its wall-clock
/// start as the rule produced it (possibly inside a DST gap) and its instant.
struct original {
  occurrence_key key;
  local_seconds local;
  utc_seconds instant;
};

date::local_days local_date(local_seconds t) { return date::floor<date::days>(t); }

occurrence_key key_of(const event& e, local_seconds local, utc_seconds instant) {
  if (e.all_day)
    return occurrence_key::all_day(date::sys_days(local_date(local).time_since_epoch()));
  return occurrence_key::timed(instant);
}

/// The original local start that a key names, when the key is of the event's kind.
std::optional<local_seconds> local_of_key(const event& e, const occurrence_key& key) {
  if (key.is_date() != e.all_day) return std::nullopt;
  if (e.all_day) {
    return local_seconds(date::floor<date::days>(key.instant()).time_since_epoch());
  }
  return to_local(key.instant(), e.zone);
}

/// Whether a candidate is still within the rule's UNTIL (inclusive, RFC 5545 §3.3.10). The
/// iterator walks wall-clock times, so UNTIL is applied here: a UTC UNTIL against the
/// candidate's instant, a date UNTIL against its local date (as clients do for all-day
/// series), a floating UNTIL (only with a floating DTSTART, see expand_floating) against its
/// wall-clock time.
bool within_until(const recurrence_rule& rule, local_seconds local, utc_seconds instant) {
  const auto until = rule.until();
  if (!until) return true;
  if (rule.until_is_date()) {
    return local_date(local).time_since_epoch() <=
           date::floor<date::days>(*until).time_since_epoch();
  }
  if (rule.until_is_floating()) return local.time_since_epoch() <= until->time_since_epoch();
  return instant <= *until;
}

/// The step budget of one expand_floating call: a rule's instances may lie centuries apart.
constexpr std::size_t floating_steps = 1000000;

/// Counts rule steps across every walk of one call, so that limits hold per call.
struct budget {
  std::size_t steps_left;
  bool exhausted() const { return steps_left == 0; }
};

/// Appends the rule's originals whose instant is in [lo, hi) to `out`, ascending, with at
/// most `max_results` of them at or after `counted_from` (earlier ones are few: they only
/// matter for reaching into a window). Returns false when it stopped for the step budget or
/// the result limit rather than because the rule or the range ended.
bool walk_rule(const event& e, utc_seconds lo, utc_seconds hi, utc_seconds counted_from,
               std::size_t max_results, budget& steps, std::vector<original>& out) {
  const recurrence_rule& rule = *e.rule;
  // The rule repeats the wall-clock time, DST or not (RFC 5545 §3.3.10); turning it into
  // instants is `to_utc`'s job (§3.3.5).
  rrule_iterator it(rule, e.start);

  // Without COUNT, nothing before the window needs counting: jump close to it (two days
  // early, so that no occurrence near the DST edge or the window is missed).
  if (!rule.count()) {
    const local_seconds target = to_local(lo, e.zone) - date::days(2);
    if (target > e.start + date::days(2)) it.seek(target);
  }
  // Instants are not strictly monotonic in local time: a gap time (02:30 read with the
  // offset before the gap) lands after 03:00-03:29. Walk a little past `hi` before stopping.
  const utc_seconds stop = hi + std::chrono::hours(3);
  std::size_t counted = 0;
  while (true) {
    const auto next = it.next(steps.steps_left);
    if (!next) return it.ended();
    const local_seconds local = *next;
    const utc_seconds instant = to_utc(local, e.zone);
    if (!within_until(rule, local, instant)) return true;
    if (instant >= stop) return true;
    if (instant < lo || instant >= hi) continue;
    if (instant >= counted_from) {
      if (counted == max_results) return false;
      ++counted;
    }
    out.push_back({key_of(e, local, instant), local, instant});
  }
}

/// The originals of `e` (DTSTART or the rule's occurrences, plus RDATEs, deduplicated by
/// key) whose instant is in [lo, hi), ascending by key; at most `max_results` from
/// `counted_from` on.
std::vector<original> originals(const event& e, utc_seconds lo, utc_seconds hi,
                                utc_seconds counted_from, std::size_t max_results, budget& steps) {
  std::vector<original> out;
  bool complete = true;
  if (e.rule) {
    complete = walk_rule(e, lo, hi, counted_from, max_results, steps, out);
  } else {
    // RFC 5545 §3.8.5.2: with RDATEs and no RRULE, DTSTART is still the first instance.
    const utc_seconds instant = to_utc(e.start, e.zone);
    if (instant >= lo && instant < hi)
      out.push_back({key_of(e, e.start, instant), e.start, instant});
  }
  // When the rule walk was cut short, RDATEs after the last rule occurrence found would
  // jump the queue: keep only those before it.
  const std::optional<utc_seconds> cut =
      complete || out.empty() ? std::nullopt : std::optional(out.back().instant);
  for (const local_seconds& rdate : e.rdates) {
    const local_seconds local = e.all_day ? local_seconds(local_date(rdate)) : rdate;
    const utc_seconds instant = to_utc(local, e.zone);
    if (instant < lo || instant >= hi || (cut && instant > *cut)) continue;
    out.push_back({key_of(e, local, instant), local, instant});
  }
  std::sort(out.begin(), out.end(),
            [](const original& a, const original& b) { return a.key < b.key; });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const original& a, const original& b) { return a.key == b.key; }),
            out.end());
  const auto counted_begin =
      std::lower_bound(out.begin(), out.end(), counted_from,
                       [](const original& o, utc_seconds t) { return o.instant < t; });
  if (static_cast<std::size_t>(out.end() - counted_begin) > max_results) {
    out.erase(counted_begin + static_cast<std::ptrdiff_t>(max_results), out.end());
  }
  return out;
}

/// The range of instants in which the original a key names must lie to be found.
std::optional<std::pair<utc_seconds, utc_seconds>> key_range(const event& e,
                                                             const occurrence_key& key) {
  const auto local = local_of_key(e, key);
  if (!local) return std::nullopt;
  const utc_seconds instant = e.all_day ? to_utc(*local, e.zone) : key.instant();
  return std::pair{instant, instant + seconds(1)};
}

/// The original that `key` names, if it is one of the event's.
std::optional<original> find_original(const event& e, const occurrence_key& key, budget& steps) {
  const auto range = key_range(e, key);
  if (!range) return std::nullopt;
  for (const original& o : originals(e, range->first, range->second, range->first, 4, steps)) {
    if (o.key == key) return o;
  }
  return std::nullopt;
}

/// The occurrence as a member sees it: the series' values with its override applied.
occurrence make_occurrence(const event& e, const original& o) {
  occurrence r;
  r.key = o.key;
  const occurrence_override* ov = e.find_override(o.key);
  r.override = ov;
  const local_seconds wanted = ov && ov->start ? *ov->start : o.local;
  const seconds length = ov && ov->duration ? *ov->duration : e.duration;
  if (e.all_day) {
    // A day is a calendar day, not 24 hours: the end is midnight N dates later.
    r.local_start = local_seconds(local_date(wanted));
    r.local_end = r.local_start + length;
    r.start = to_utc(r.local_start, e.zone);
    r.end = to_utc(r.local_end, e.zone);
  } else {
    r.start = ov && ov->start ? to_utc(*ov->start, e.zone) : o.instant;
    r.end = r.start + length;  // real time, so 2 hours stay 2 hours across a switch
    r.local_start = to_local(r.start, e.zone);
    r.local_end = to_local(r.end, e.zone);
  }
  const seconds original_length =
      e.all_day ? to_utc(local_seconds(local_date(o.local)) + e.duration, e.zone) - o.instant
                : e.duration;
  r.moved = r.start != o.instant || r.end - r.start != original_length;
  r.cancelled = e.status == event_status::cancelled || (ov && ov->cancelled);
  auto text = [&](const std::optional<std::string>& over, const std::string& base) {
    return std::string_view(over ? *over : base);
  };
  r.title = ov ? text(ov->title, e.title) : std::string_view(e.title);
  r.description = ov ? text(ov->description, e.description) : std::string_view(e.description);
  r.location = ov ? text(ov->location, e.location) : std::string_view(e.location);
  r.online_url = ov ? text(ov->online_url, e.online_url) : std::string_view(e.online_url);
  return r;
}

/// Overlap with [from, to); an occurrence of zero length counts when it starts in it.
bool overlaps(const occurrence& o, utc_seconds from, utc_seconds to) {
  if (o.start == o.end) return o.start >= from && o.start < to;
  return o.start < to && o.end > from;
}

error not_found(const occurrence_key& key) {
  return error{errc::not_found, "occurrence",
               "no occurrence of this event starts at " + key.to_string()};
}

}  // namespace

std::vector<occurrence> expand(const event& e, utc_seconds from, utc_seconds to,
                               const expand_limits& limits) {
  std::vector<occurrence> out;
  if (from >= to || limits.max_occurrences == 0 || !is_known_zone(e.zone)) return out;
  budget steps{limits.max_steps};

  // An occurrence that starts before `from` can still reach into the window; one more day
  // covers an all-day occurrence that is an hour longer across a DST switch.
  const utc_seconds lo = from - e.duration - date::days(1);
  std::set<occurrence_key> seen;
  for (const original& o : originals(e, lo, to, from, limits.max_occurrences, steps)) {
    seen.insert(o.key);
    occurrence occ = make_occurrence(e, o);
    if (overlaps(occ, from, to)) out.push_back(occ);
  }
  // Moved occurrences whose original start lies outside the range walked above but which
  // now overlap the window.
  for (const occurrence_override& ov : e.overrides) {
    if ((!ov.start && !ov.duration) || seen.contains(ov.key)) continue;
    if (steps.exhausted()) break;
    const auto o = find_original(e, ov.key, steps);
    if (!o) continue;
    occurrence occ = make_occurrence(e, *o);
    if (overlaps(occ, from, to)) out.push_back(occ);
  }
  std::sort(out.begin(), out.end(), [](const occurrence& a, const occurrence& b) {
    return a.start != b.start ? a.start < b.start : a.key < b.key;
  });
  if (out.size() > limits.max_occurrences) out.resize(limits.max_occurrences);
  return out;
}

result<std::vector<local_seconds>> expand_floating(std::string_view rule, local_seconds start,
                                                   std::size_t limit) {
  auto parsed = recurrence_rule::parse(rule);
  if (!parsed) return parsed.error();
  if (parsed->until() && !parsed->until_is_floating() && !parsed->until_is_date()) {
    // RFC 5545 §3.3.10: a floating DTSTART takes a floating UNTIL (or a date); a UTC one
    // would need a zone to compare with.
    return error{errc::bad_rule, "rrule",
                 "with a floating start, UNTIL must be floating too (no Z) or a date"};
  }
  // Straight from the iterator, without a window: a floating time needs no zone, and a rule
  // with years between its instances must not end at some horizon.
  rrule_iterator it(*parsed, start);
  std::size_t steps = floating_steps;
  std::vector<local_seconds> out;
  while (out.size() < limit) {
    const auto next = it.next(steps);
    if (!next) break;
    // The same comparison as within_until; the instant is unused for floating and date UNTIL.
    if (!within_until(*parsed, *next, utc_seconds(next->time_since_epoch()))) break;
    out.push_back(*next);
  }
  return out;
}

result<occurrence> find_occurrence(const event& e, const occurrence_key& key) {
  if (!is_known_zone(e.zone)) return not_found(key);
  budget steps{expand_limits{}.max_steps};
  const auto o = find_original(e, key, steps);
  if (!o) return not_found(key);
  return make_occurrence(e, *o);
}

result<std::pair<event, event>> split_series(const event& e, const occurrence_key& from,
                                             std::string new_uid) {
  if (!e.rule) {
    return error{errc::invalid_value, "rrule", "only a series with a recurrence rule can be split"};
  }
  if (!is_known_zone(e.zone)) return not_found(from);
  budget steps{expand_limits{}.max_steps};
  const auto at = find_original(e, from, steps);
  if (!at) return not_found(from);

  // The new series starts at `from` with the same rule, so `from` must be one of the rule's
  // own occurrences, not only an extra date (RDATE) that the rule would not produce.
  event rule_only = e;
  rule_only.rdates.clear();
  if (!find_original(rule_only, from, steps)) {
    return error{
        errc::invalid_value, "occurrence",
        "an extra date (RDATE) cannot start a new series: choose an occurrence of the rule"};
  }
  // The rule's own occurrences before `from` (RFC 5545 §3.3.10: COUNT counts the RRULE's
  // instances, DTSTART included, not RDATEs).
  const utc_seconds series_start = to_utc(e.start, e.zone) - date::days(2);
  const std::size_t before = at->instant > series_start
                                 ? originals(rule_only, series_start, at->instant, series_start,
                                             expand_limits{}.max_steps, steps)
                                       .size()
                                 : 0;
  if (before == 0) {
    return error{errc::invalid_value, "occurrence",
                 "this is the first occurrence: edit the whole series instead"};
  }

  event old_series = e;
  event new_series = e;
  const recurrence_rule& rule = *e.rule;
  if (rule.count()) {
    old_series.rule = rule.with_count(static_cast<int>(before));
    new_series.rule = rule.with_count(*rule.count() - static_cast<int>(before));
  } else if (e.all_day) {
    // An all-day series keeps a DATE UNTIL (§3.3.10: UNTIL has DTSTART's value type).
    old_series.rule = rule.with_until(
        utc_seconds(date::sys_days(local_date(at->local).time_since_epoch()) - date::days(1)),
        true);
  } else {
    old_series.rule = rule.with_until(at->instant - seconds(1), false);
  }
  old_series.rdates.clear();
  new_series.rdates.clear();
  for (const local_seconds& r : e.rdates) {
    (key_of(e, r, to_utc(r, e.zone)) < from ? old_series : new_series).rdates.push_back(r);
  }
  old_series.overrides.clear();
  new_series.overrides.clear();
  for (const occurrence_override& o : e.overrides) {
    (o.key < from ? old_series : new_series).overrides.push_back(o);
  }
  old_series.sequence = e.sequence + 1;

  new_series.id = event_id{};
  new_series.uid = std::move(new_uid);
  new_series.related_to = e.uid;
  new_series.sequence = 0;
  new_series.start = at->local;
  return std::pair{std::move(old_series), std::move(new_series)};
}

std::optional<event> ended_at(const event& e, utc_seconds at) {
  if (!e.is_series()) {
    if (to_utc(e.start, e.zone) >= at) return std::nullopt;
    return e;
  }
  // The first occurrence (by its original start, which is what split_series splits at) that
  // starts at or after `at`; one that started before and still runs overlaps too.
  const auto later = expand(e, at, at + date::years{300}, expand_limits{4, 200000});
  const auto first_after =
      std::find_if(later.begin(), later.end(), [&](const occurrence& o) { return o.start >= at; });
  if (first_after == later.end()) return e;
  // Nothing of it took place before: none of it stays.
  const auto earlier =
      expand(e, to_utc(e.start, e.zone) - date::days{2}, at, expand_limits{1, 200000});
  if (earlier.empty() || earlier.front().start >= at) return std::nullopt;
  event kept = e;
  if (!e.rule) {
    std::erase_if(kept.rdates, [&](local_seconds r) { return to_utc(r, e.zone) >= at; });
  } else {
    auto split = split_series(e, first_after->key, e.uid + "-after");
    if (!split) return e;  // cannot happen: a later occurrence of a rule-based series
    kept = std::move(split->first);
  }
  // A change calendar apps take: a higher SEQUENCE, changed when the unit was archived.
  kept.sequence = e.sequence + 1;
  kept.last_modified = std::max(e.last_modified, at);
  return kept;
}

std::vector<event> shown_events(const unit& u, std::vector<event> events) {
  if (!u.archived) return events;
  std::vector<event> kept;
  for (const auto& e : events) {
    if (auto ended = ended_at(e, *u.archived)) kept.push_back(std::move(*ended));
  }
  return kept;
}

date::local_days original_day(const event& e, const occurrence_key& key) {
  if (key.is_date()) {
    return date::local_days{date::floor<date::days>(key.instant()).time_since_epoch()};
  }
  return date::floor<date::days>(to_local(key.instant(), e.zone));
}

std::vector<date::local_days> left_out_days(const event& e) {
  std::vector<date::local_days> out;
  for (const auto& o : e.overrides) {
    if (o.only_cancelled()) out.push_back(original_day(e, o.key));
  }
  return out;
}

}  // namespace treffpunkt::calendar
