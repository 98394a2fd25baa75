#pragma once
/// The demo data of `treffpunkt serve --demo`: the four Netzwerkstellen of the seed page with a
/// season of sessions around a given day.

#include <calendar/event.h>
#include <calendar/time.h>
#include <storage/store.h>

#include <optional>
#include <string>
#include <vector>

namespace treffpunkt::usecases {

/// A person responsible for a unit; demo people have no real address.
struct demo_person {
  std::string name;
  std::string email;
};

/// An exchange offer a demo member proposed: approved (an event they host) or still waiting.
struct demo_offer {
  demo_person host;
  storage::offer_draft draft;
  /// Approved to start then (wall clock in the unit's zone), with `draft`'s places; none: the
  /// proposal waits for the responsibles.
  std::optional<calendar::local_seconds> approved_at;
};

/// A demo member's open wish.
struct demo_wish {
  demo_person wisher;
  std::string text;
};

/// One unit with its responsibles, its events, its members' offers and an open wish.
struct demo_unit {
  calendar::unit unit;
  std::vector<demo_person> responsibles;
  std::vector<calendar::event> events;
  std::vector<demo_offer> offers;
  std::vector<demo_wish> wishes;
};

/// The four units with regular meetings (monthly and every other week, online and in person),
/// exchange offers with limited places, one cancelled and one moved occurrence; per unit an
/// offer a member hosts, a member's proposal waiting for the responsibles, and an open wish. The
/// season runs from the first day of the month before `today` for about six months, so the demo
/// always has a past and a future. Deterministic for the same `today`.
std::vector<demo_unit> make_demo(date::sys_days today);

/// Writes the demo into an empty store (units, responsibles as people, events with their
/// overrides; then the members' offers, as proposals approved or waiting, and their wishes,
/// so that the events of the units keep their ids). A store that already has units is left as it
/// is: a restarted demo keeps the RSVPs given to it. Returns how many units it created.
storage::result<int> load_demo(storage::store& store, calendar::utc_seconds now);

}  // namespace treffpunkt::usecases
