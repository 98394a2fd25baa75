#pragma once
/// The JSON shapes of the API (docs/api.md) and the reading of request bodies into calendar
/// values. No HTTP here beyond the status an error asks for.

#include <calendar/error.h>
#include <calendar/event.h>
#include <calendar/expand.h>
#include <calendar/time.h>
#include <storage/error.h>
#include <storage/store.h>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace treffpunkt::server {

/// An API error as the client sees it: {"error": {"code", "message", "field"}}.
struct api_error {
  unsigned status = 400;
  std::string code;     ///< stable machine string ("invalid", "forbidden", ...)
  std::string message;  ///< English for now; translated by code later
  std::string field;    ///< the body or query field at fault, empty if none
};

/// Lets api_result<T>::value() throw (found by ADL); routes check before they take values.
[[noreturn]] void throw_exception_from_error(const api_error& e, const boost::source_location& loc);

template <class T>
using api_result = boost::system::result<T, api_error>;

/// The API error for a store failure: not_found 404, forbidden 403, conflict 409, invalid 422
/// (with its field), occurrence_cancelled / occurrence_past / rsvp_closed 409 with own codes,
/// unavailable 503.
api_error from_storage(const storage::error& e);
/// A calendar validation failure: 422 with the field.
api_error from_calendar(const calendar::error& e);

/// "2026-12-01T18:00:00Z"
std::string utc_text(calendar::utc_seconds t);
/// "2026-12-01T19:00:00" (wall clock in the event's zone), or "2026-12-01" when `date_only`.
std::string local_text(calendar::local_seconds t, bool date_only = false);
/// Reads "YYYY-MM-DDTHH:MM[:SS]" or, when `all_day`, "YYYY-MM-DD".
std::optional<calendar::local_seconds> parse_local(std::string_view text, bool all_day);
/// Reads "YYYY-MM-DD".
std::optional<date::sys_days> parse_date(std::string_view text);

/// A unit with its responsibles' names (public, as on the home page).
boost::json::object unit_json(const storage::store& store, const calendar::unit& u);
/// An event or series as stored, times as wall clock in its zone.
boost::json::object event_json(const calendar::event& e, std::string_view unit_slug);
/// One occurrence with its counts (never names).
boost::json::object occurrence_json(const calendar::event& e, const calendar::occurrence& o,
                                    const storage::occupancy& counts);
boost::json::object occupancy_json(const storage::occupancy& counts);
boost::json::object rsvp_json(const storage::rsvp_record& r);

/// Applies the fields of a POST (`creating`: title and start required) or PATCH body to `e`.
/// Wrong JSON types are 400, unknown fields and bad values 422, each with the field.
api_result<void> apply_event_fields(calendar::event& e, const boost::json::object& body,
                                    bool creating);

/// The override of occurrence `key` of `e` that a PUT body describes (replacing any earlier
/// one; fields left out take the series' values again).
api_result<calendar::occurrence_override> override_from(const calendar::event& e,
                                                        const calendar::occurrence_key& key,
                                                        const boost::json::object& body);

}  // namespace treffpunkt::server
