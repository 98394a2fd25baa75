#pragma once
/// The JSON shapes of the API's answers (docs/api.md): units, events, occurrences, RSVPs.

#include <calendar/event.h>
#include <calendar/expand.h>
#include <calendar/time.h>
#include <storage/store.h>
#include <usecases/clashes.h>
#include <usecases/series_confirmations.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace treffpunkt::server {

/// "2026-12-01T18:00:00Z"
std::string utc_text(calendar::utc_seconds t);
/// "2026-12-01T19:00:00" (wall clock in the event's zone), or "2026-12-01" when `date_only`.
std::string local_text(calendar::local_seconds t, bool date_only = false);
/// A unit with its responsibles' names (public, as on the home page).
boost::json::object unit_json(const storage::store& store, const calendar::unit& u);
/// An event or series as stored, times as wall clock in its zone, with "confirmed" (the last
/// edit or confirmation of a series) and "unconfirmed_since" (when its responsibles were asked
/// whether it still happens, once it is flagged as unconfirmed) from `confirmation`
/// (usecases::status_of): null for a one-off event, and the latter while it is not flagged.
boost::json::object event_json(const calendar::event& e, std::string_view unit_slug,
                               const std::optional<usecases::series_status>& confirmation);
/// One occurrence with its counts (never names).
boost::json::object occurrence_json(const calendar::event& e, const calendar::occurrence& o,
                                    const storage::occupancy& counts);
boost::json::object occupancy_json(const storage::occupancy& counts);
boost::json::object rsvp_json(const storage::rsvp_record& r);
/// Who came to an occurrence: members by id, name and the state of their answer (and their
/// address when `with_email`: the unit's responsibles and admins), walk-ins by name, how many
/// have deleted their account since (never named), the total and when it was recorded.
boost::json::object attendance_json(calendar::event_id e, const calendar::occurrence_key& key,
                                    const storage::attendance_record& a, bool with_email);
/// A proposal as its proposer and the unit's responsibles see it; `proposer_name` (shown to
/// the responsibles only) when not empty.
boost::json::object proposal_json(const storage::proposal& p, std::string_view unit_slug,
                                  std::string_view proposer_name = {});
/// Clash warnings (usecases/clashes.h): for each, our occurrence, the session it overlaps and
/// why. Only `key`'s when given.
boost::json::array warnings_json(const std::vector<usecases::clash>& clashes,
                                 const calendar::occurrence_key* key = nullptr);
/// The clashes of `e`'s occurrences in the year from `now` (or from its start, if later), as
/// warnings_json.
boost::json::array warnings_of(const storage::store& store, const calendar::event& e,
                               calendar::utc_seconds now,
                               const calendar::occurrence_key* key = nullptr);
/// An open or closed wish: its text, never who wished it.
boost::json::object wish_json(const storage::wish& w, std::string_view unit_slug);

}  // namespace treffpunkt::server
