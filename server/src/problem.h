#pragma once
/// The one mapping from the other folders' errors to what a client is told: an HTTP status, a
/// stable code ("not_found", "occurrence_past", ...) and a message. The JSON API sends all
/// three (docs/api.md); the pages choose their page or notice by status and code.

#include <storage/error.h>
#include <usecases/error.h>

#include <string>

namespace treffpunkt::server {

struct problem {
  unsigned status = 400;
  std::string code;     ///< stable machine string ("invalid", "forbidden", ...)
  std::string message;  ///< English, for the API and logs; the pages translate by code
  std::string field;    ///< the body, query or form field at fault, empty if none
};

/// A store failure: not_found 404, forbidden 403, conflict 409, invalid 422 (with its field),
/// occurrence_cancelled / occurrence_past / rsvp_closed 409 with their own codes (not_started:
/// occurrence_not_started), expired 410,
/// limit_reached 429,
/// unavailable and schema_too_new 503. Unavailable's own text (SQLite's) goes to the log, not
/// to the client.
problem problem_of(const storage::error& e);

/// A use case's rule broken (and a calendar rule, which reaches the server only through the use
/// cases: usecases::from_calendar): 422 with the code of its kind; required, too_long and
/// invalid are all "invalid", the others (end_before_start, unknown_zone, bad_rule,
/// out_of_bounds) keep their names.
problem problem_of(const usecases::error& e);

}  // namespace treffpunkt::server
