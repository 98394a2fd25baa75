#include <calendar/expand.h>
#include <usecases/clashes.h>

#include <algorithm>
#include <boost/algorithm/string/case_conv.hpp>
#include <boost/algorithm/string/trim.hpp>
#include <locale>
#include <map>
#include <set>

namespace treffpunkt::usecases {
namespace {

/// What a session of a stored event needs to be compared: when, where, whose.
struct session {
  clash_side side;
  std::string place;  ///< trimmed, lower-case; empty: none
  calendar::unit_id unit;
};

std::string place_of(std::string_view location) {
  return boost::algorithm::to_lower_copy(boost::algorithm::trim_copy(std::string(location)),
                                         std::locale::classic());
}

/// The sessions of `e` (of unit `u`) in [from, to) that take place.
void add_sessions(std::vector<session>& out, const calendar::event& e, const calendar::unit& u,
                  calendar::utc_seconds from, calendar::utc_seconds to) {
  for (const auto& o : calendar::expand(e, from, to)) {
    if (o.cancelled) continue;
    out.push_back({clash_side{e.id, o.key, std::string(o.title), u.slug, u.name, o.start, o.end},
                   place_of(o.location), u.id});
  }
}

/// Which units share a responsible with which: pairs (a, b) with a < b.
std::set<std::pair<std::int64_t, std::int64_t>> shared_responsibles(
    const storage::store& store, const std::vector<calendar::unit>& units) {
  std::map<std::int64_t, std::vector<std::int64_t>> units_of_person;
  for (const auto& u : units) {
    for (const auto& p : store.responsibles(u.id))
      units_of_person[p.id.value].push_back(u.id.value);
  }
  std::set<std::pair<std::int64_t, std::int64_t>> out;
  for (const auto& [person, ids] : units_of_person) {
    for (std::size_t i = 0; i < ids.size(); ++i) {
      for (std::size_t j = i + 1; j < ids.size(); ++j) {
        out.emplace(std::min(ids[i], ids[j]), std::max(ids[i], ids[j]));
      }
    }
  }
  return out;
}

std::optional<clash_reason> reason(const session& a, const session& b,
                                   const std::set<std::pair<std::int64_t, std::int64_t>>& shared) {
  // Overlap: each starts before the other ends (back to back is no clash).
  if (!(a.side.start < b.side.end && b.side.start < a.side.end)) return std::nullopt;
  if (a.unit == b.unit) return clash_reason::same_unit;
  if (shared.contains(
          {std::min(a.unit.value, b.unit.value), std::max(a.unit.value, b.unit.value)})) {
    return clash_reason::shared_responsible;
  }
  if (!a.place.empty() && a.place == b.place) return clash_reason::same_location;
  return std::nullopt;
}

/// The stored sessions of every active unit in [from, to), but those of event `except`.
std::vector<session> stored_sessions(const storage::store& store,
                                     const std::vector<calendar::unit>& units,
                                     calendar::utc_seconds from, calendar::utc_seconds to,
                                     std::optional<calendar::event_id> except) {
  std::vector<session> out;
  for (const auto& u : units) {
    for (const auto& e : calendar::shown_events(u, store.events_of_unit(u.id))) {
      if (e.status == calendar::event_status::cancelled || (except && e.id == *except)) continue;
      add_sessions(out, e, u, from, to);
    }
  }
  std::sort(out.begin(), out.end(),
            [](const session& a, const session& b) { return a.side.start < b.side.start; });
  return out;
}

std::vector<calendar::unit> active_units(const storage::store& store) {
  auto units = store.units();
  std::erase_if(units, [](const calendar::unit& u) { return u.archived.has_value(); });
  return units;
}

}  // namespace

std::string_view to_string(clash_reason r) {
  switch (r) {
    case clash_reason::same_unit:
      return "same_unit";
    case clash_reason::shared_responsible:
      return "shared_responsible";
    case clash_reason::same_location:
      return "same_location";
  }
  return "same_unit";
}

std::vector<clash> clashes_with(const storage::store& store, const calendar::event& candidate,
                                calendar::utc_seconds from, calendar::utc_seconds to) {
  std::vector<clash> out;
  if (candidate.status == calendar::event_status::cancelled) return out;
  const auto units = active_units(store);
  const auto own = std::find_if(units.begin(), units.end(),
                                [&](const calendar::unit& u) { return u.id == candidate.unit; });
  if (own == units.end()) return out;
  std::vector<session> ours;
  add_sessions(ours, candidate, *own, from, to);
  if (ours.empty()) return out;
  // Theirs may begin a little before our window and still overlap.
  const auto others = stored_sessions(
      store, units, from - date::days{2}, to,
      candidate.id.value != 0 ? std::optional<calendar::event_id>(candidate.id) : std::nullopt);
  const auto shared = shared_responsibles(store, units);
  for (const auto& a : ours) {
    for (const auto& b : others) {
      if (b.side.start >= a.side.end) break;  // sorted by start: none later overlaps
      if (const auto why = reason(a, b, shared)) out.push_back({a.side, b.side, *why});
    }
  }
  return out;
}

std::vector<clash> all_clashes(const storage::store& store, calendar::utc_seconds from,
                               calendar::utc_seconds to) {
  const auto units = active_units(store);
  const auto sessions = stored_sessions(store, units, from, to, std::nullopt);
  const auto shared = shared_responsibles(store, units);
  std::vector<clash> out;
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    for (std::size_t j = i + 1; j < sessions.size(); ++j) {
      if (sessions[j].side.start >= sessions[i].side.end) break;
      if (sessions[i].side.event == sessions[j].side.event) continue;  // a series with itself
      if (const auto why = reason(sessions[i], sessions[j], shared)) {
        out.push_back({sessions[i].side, sessions[j].side, *why});
      }
    }
  }
  return out;
}

}  // namespace treffpunkt::usecases
