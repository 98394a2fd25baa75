#include "problem.h"

#include <cstdio>

namespace treffpunkt::server {

problem problem_of(const storage::error& e) {
  using storage::errc;
  switch (e.code) {
    case errc::not_found:
      return {404, "not_found", e.message, e.field};
    case errc::forbidden:
      return {403, "forbidden", e.message, e.field};
    case errc::conflict:
      return {409, "conflict", e.message, e.field};
    case errc::invalid:
      return {422, "invalid", e.message, e.field};
    case errc::occurrence_cancelled:
      return {409, "occurrence_cancelled", e.message, e.field};
    case errc::occurrence_past:
      return {409, "occurrence_past", e.message, e.field};
    case errc::rsvp_closed:
      return {409, "rsvp_closed", e.message, e.field};
    case errc::expired:
      return {410, "expired", e.message, e.field};
    case errc::limit_reached:
      return {429, "limit_reached", e.message, e.field};
    case errc::not_started:
      return {409, "occurrence_not_started", e.message, e.field};
    case errc::schema_too_new:
      return {503, "unavailable", e.message, e.field};
    case errc::unavailable:
      // SQLite's own text ("exec: disk I/O error") helps the operator, not the client: it goes
      // to the log, the client learns what happened to its request.
      std::fprintf(stderr, "error: storage: %s\n", e.message.c_str());
      return {503, "unavailable", "storage unavailable: nothing was saved; try again later",
              e.field};
  }
  return {500, "internal", e.message, e.field};
}

problem problem_of(const usecases::error& e) {
  using usecases::errc;
  std::string code = "invalid";
  switch (e.code) {
    case errc::required:
    case errc::invalid:
    case errc::too_long:
      break;
    case errc::end_before_start:
      code = "end_before_start";
      break;
    case errc::unknown_zone:
      code = "unknown_zone";
      break;
    case errc::bad_rule:
      code = "bad_rule";
      break;
    case errc::out_of_bounds:
      code = "out_of_bounds";
      break;
  }
  return {422, std::move(code), e.message, e.field};
}

}  // namespace treffpunkt::server
