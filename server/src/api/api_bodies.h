#pragma once
/// The request bodies of the JSON API, each a plain struct with the fields it may have
/// (`fields`, checked by read_body before anything is read) and a tag_invoke that reads it with
/// Boost.JSON's value_to (json_io.h). Values are read here as types and formats; what they may
/// be is the use cases' business (usecases/event_changes.h, usecases/input.h).

#include <calendar/event.h>
#include <calendar/rsvp.h>
#include <usecases/event_changes.h>
#include <usecases/offers.h>

#include <array>
#include <boost/json/value.hpp>
#include <boost/json/value_to.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "json_io.h"

namespace treffpunkt::server {

/// PUT .../rsvp: {"answer": "yes" | "no" | "maybe"}
struct rsvp_body {
  static constexpr std::array<std::string_view, 1> fields{"answer"};
  calendar::rsvp_answer answer = calendar::rsvp_answer::yes;
};
rsvp_body tag_invoke(boost::json::value_to_tag<rsvp_body>, const boost::json::value& v);

/// POST .../guest-rsvp: {"name", "email", "answer"}, as typed (checked by usecases/input.h).
struct guest_rsvp_body {
  static constexpr std::array<std::string_view, 3> fields{"name", "email", "answer"};
  std::string name;
  std::string email;
  std::string answer;
};
guest_rsvp_body tag_invoke(boost::json::value_to_tag<guest_rsvp_body>, const boost::json::value& v);

/// POST .../message: {"subject", "body"}, as typed.
struct message_body {
  static constexpr std::array<std::string_view, 2> fields{"subject", "body"};
  std::string subject;
  std::string body;
};
message_body tag_invoke(boost::json::value_to_tag<message_body>, const boost::json::value& v);

/// PUT .../attendance: {"came": [person ids], "walk_ins": ["Name", ...]}, both optional
/// (an empty list when left out).
struct attendance_body {
  static constexpr std::array<std::string_view, 2> fields{"came", "walk_ins"};
  std::vector<std::int64_t> came;
  std::vector<std::string> walk_ins;
};
attendance_body tag_invoke(boost::json::value_to_tag<attendance_body>, const boost::json::value& v);

/// PUT /me/reminders: {"reminders": [minutes, ...]}
struct reminders_body {
  static constexpr std::array<std::string_view, 1> fields{"reminders"};
  std::vector<std::int64_t> minutes;
};
reminders_body tag_invoke(boost::json::value_to_tag<reminders_body>, const boost::json::value& v);

/// PUT /me/notices: {"notices": true | false, "lag_notices": true | false}, either or both
/// (without lag_notices, notices is required).
struct notices_body {
  static constexpr std::array<std::string_view, 2> fields{"notices", "lag_notices"};
  std::optional<bool> notices;
  std::optional<bool> lag_notices;
};
notices_body tag_invoke(boost::json::value_to_tag<notices_body>, const boost::json::value& v);

/// POST /me/tokens: no fields yet ({} or no body), so that a client does not believe it chose
/// a name or a lifetime.
struct token_body {
  static constexpr std::array<std::string_view, 0> fields{};
};
token_body tag_invoke(boost::json::value_to_tag<token_body>, const boost::json::value& v);

/// POST /api/v1/login: {"email"}
struct login_body {
  static constexpr std::array<std::string_view, 1> fields{"email"};
  std::string email;
};
login_body tag_invoke(boost::json::value_to_tag<login_body>, const boost::json::value& v);

/// POST /units/{slug}/events and PATCH /events/{id}: the fields of an event (docs/api.md).
/// Times stay text until the event's all_day is known (event_changes_of).
struct event_body {
  static constexpr std::array<std::string_view, 15> fields{"title",
                                                           "description",
                                                           "location",
                                                           "online_url",
                                                           "kind",
                                                           "zone",
                                                           "start",
                                                           "end",
                                                           "duration_minutes",
                                                           "all_day",
                                                           "rrule",
                                                           "capacity",
                                                           "rsvp_deadline_minutes",
                                                           "rdates",
                                                           "left_out"};
  usecases::event_changes changes;
  std::optional<std::string> start;
  std::optional<std::string> end;
  /// Extra dates as text until all_day is known, as start and end.
  std::optional<std::vector<std::string>> rdates;
};
event_body tag_invoke(boost::json::value_to_tag<event_body>, const boost::json::value& v);

/// The changes an event body asks for of an event that is all-day (`all_day`: the event's, or
/// what the body sets): its start and end read as dates, else as local times.
api_result<usecases::event_changes> event_changes_of(event_body body, bool all_day);

/// PUT /events/{id}/occurrences/{key}: one occurrence moved, changed or cancelled.
struct override_body {
  static constexpr std::array<std::string_view, 8> fields{
      "cancelled", "start",       "end",      "duration_minutes",
      "title",     "description", "location", "online_url"};
  usecases::occurrence_changes changes;
  std::optional<std::string> start;
  std::optional<std::string> end;
};
override_body tag_invoke(boost::json::value_to_tag<override_body>, const boost::json::value& v);

/// The changes of an override body for an occurrence of an event that is `all_day` or not.
api_result<usecases::occurrence_changes> occurrence_changes_of(override_body body, bool all_day);

/// POST /units/{slug}/proposals and PUT /proposals/{id}: an exchange offer as its proposer
/// writes it (usecases/offers.h checks it); "dates" are local times "YYYY-MM-DDTHH:MM".
struct proposal_body {
  static constexpr std::array<std::string_view, 10> fields{
      "title", "description",      "format",   "location",  "online_url",
      "dates", "duration_minutes", "capacity", "show_host", "wish"};
  usecases::offer_input offer;
};
proposal_body tag_invoke(boost::json::value_to_tag<proposal_body>, const boost::json::value& v);

/// POST /proposals/{id}/decision: {"decision", "start", "capacity", "message"}.
struct decision_body {
  static constexpr std::array<std::string_view, 4> fields{"decision", "start", "capacity",
                                                          "message"};
  usecases::decision_input decision;
};
decision_body tag_invoke(boost::json::value_to_tag<decision_body>, const boost::json::value& v);

/// POST /units/{slug}/wishes: {"text"}.
struct wish_body {
  static constexpr std::array<std::string_view, 1> fields{"text"};
  std::string text;
};
wish_body tag_invoke(boost::json::value_to_tag<wish_body>, const boost::json::value& v);

/// POST /units: a new unit, {"slug", "name", "description", "zone", "colour", "contact"}.
struct unit_create_body {
  static constexpr std::array<std::string_view, 6> fields{"slug", "name",   "description",
                                                          "zone", "colour", "contact"};
  calendar::unit unit;
};
unit_create_body tag_invoke(boost::json::value_to_tag<unit_create_body>,
                            const boost::json::value& v);

/// PATCH /units/{slug}: what changes of a unit; {"archived": true} archives it.
struct unit_patch_body {
  static constexpr std::array<std::string_view, 6> fields{"name",   "description", "zone",
                                                          "colour", "contact",     "archived"};
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::string> zone;
  std::optional<std::string> colour;
  std::optional<std::string> contact;
  std::optional<bool> archived;
};
unit_patch_body tag_invoke(boost::json::value_to_tag<unit_patch_body>, const boost::json::value& v);

/// Reads "YYYY-MM-DD" (calendar::parse_iso_date: a real day of the calendar, nothing more).
std::optional<date::sys_days> parse_date(std::string_view text);
/// Reads "YYYY-MM-DDTHH:MM[:SS]", or when `all_day` "YYYY-MM-DD".
std::optional<calendar::local_seconds> parse_local(std::string_view text, bool all_day);

}  // namespace treffpunkt::server
