#pragma once
/// The demo data of `treffpunkt serve --demo`: the four Netzwerkstellen of the seed page with a
/// season of sessions around a given day.

#include <calendar/event.h>
#include <calendar/time.h>
#include <storage/store.h>

#include <string>
#include <vector>

namespace treffpunkt::usecases {

/// A person responsible for a unit; demo people have no real address.
struct demo_person {
  std::string name;
  std::string email;
};

/// One unit with its responsibles and its events.
struct demo_unit {
  calendar::unit unit;
  std::vector<demo_person> responsibles;
  std::vector<calendar::event> events;
};

/// The four units with regular meetings (monthly and every other week, online and in person),
/// exchange offers with limited places, one cancelled and one moved occurrence. The season runs
/// from the first day of the month before `today` for about six months, so the demo always has
/// a past and a future. Deterministic for the same `today`.
std::vector<demo_unit> make_demo(date::sys_days today);

/// Writes the demo into an empty store (units, responsibles as people, events with their
/// overrides). A store that already has units is left as it is: a restarted demo keeps the
/// RSVPs given to it. Returns how many units it created.
storage::result<int> load_demo(storage::store& store, calendar::utc_seconds now);

}  // namespace treffpunkt::usecases
