#pragma once
/// The pages of responsibles (/manage/...) and admins (/admin/...) as pure functions: a view
/// model in, a complete HTML document out, like pages.h. Also the pure parts of their forms:
/// reading the event form into wall-clock times and an RRULE, and the attendee list as CSV.
/// Attendee names and addresses appear only here, and the server shows these pages only to
/// the unit's responsibles and admins (docs/security.md).

#include <calendar/event.h>
#include <calendar/time.h>
#include <date/date.h>
#include <web/fetches.h>
#include <web/i18n.h>
#include <web/pages.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace treffpunkt::web {

/// An error of one form field, shown next to it: `field` is the input's name.
struct field_error {
  std::string field;
  std::string message;  ///< in the page's language
};

// ---- /manage --------------------------------------------------------------------------

struct manage_home_view {
  std::vector<unit_summary> units;  ///< the units the viewer may edit
  bool admin = false;               ///< links /admin
  int waiting_proposals = 0;        ///< of those units: proposed offers to decide
};

/// One event or series in a unit's list.
struct managed_event {
  calendar::event_id id;
  std::string title;
  std::string rule;             ///< the rule in words (describe_rule); empty for a one-off event
  std::optional<session> next;  ///< its next occurrence, if any
  bool cancelled = false;       ///< the whole event
};

/// A series flagged as unconfirmed: its responsibles were asked whether it still happens and
/// nobody has answered for four weeks (usecases/series_confirmations.h). Links its confirm page.
struct unconfirmed_flag {
  calendar::event_id event;
  std::string title;
  std::string unit_name;
  date::local_days asked{};  ///< the day of the question, in the series' zone
};

struct manage_unit_view {
  unit_summary unit;
  std::vector<managed_event> events;
  std::vector<unconfirmed_flag> unconfirmed;  ///< of this unit, the longest waiting first
  /// The apps that fetched the unit's feed in the last unit_fetch_days days, by family, the
  /// most recent first; times in the unit's zone.
  std::vector<app_fetches> fetches;
};

/// A clash warning as the pages show it: our session overlaps theirs, and why ("same_unit",
/// "shared_responsible", "same_location").
struct clash_warning {
  session ours;
  session theirs;
  std::string reason;
};

/// The event form as typed: every value a string, so that what was typed comes back as it was
/// when the form is shown again with errors.
struct event_form {
  std::string title;
  std::string description;       ///< Markdown
  std::string kind = "meeting";  ///< "meeting" or "exchange_offer"
  std::string date;              ///< "2026-02-03"
  std::string start_time = "19:00";
  std::string end_time = "21:00";
  bool all_day = false;
  std::string location;
  std::string online_url;
  std::string capacity;         ///< empty: unlimited
  std::string repeat = "once";  ///< repeat_id(), or "keep" (the edited series' own rule)
  std::string ends = "never";   ///< "never", "count" or "until"
  std::string count;            ///< with ends=count
  std::string until;            ///< with ends=until: "2026-06-30"
  /// Extra dates, one "2026-12-23" a line, each at the start time (RDATE).
  std::string extra_dates;
  /// Left-out dates of the series, one "2026-12-22" a line (EXDATE).
  std::string left_out;
};

/// What a well-formed event form asks for, in the event's zone.
struct event_input {
  calendar::local_seconds start{};  ///< for an all-day event: midnight of its day
  calendar::local_seconds end{};    ///< exclusive; all-day: midnight after the day
  bool all_day = false;
  /// The RRULE value with COUNT or UNTIL (UNTIL in UTC, or a date when all-day); empty for a
  /// one-off event. Unset when the form keeps the edited series' rule ("keep").
  std::optional<std::string> rrule;
  std::optional<int> capacity;
  std::vector<calendar::local_seconds> rdates;  ///< the extra dates at the start time
  std::vector<date::local_days> left_out;
};

/// Reads the form's dates, times, repeat and capacity (texts are checked by the caller with
/// the API's rules). An end time before the start time ends on the next day. `zone` (known)
/// turns an UNTIL date into the instant at the end of that day. The errors name the fields.
struct event_form_check {
  std::optional<event_input> input;  ///< set when there are no errors
  std::vector<field_error> errors;
};
event_form_check check_event_form(const event_form& form, std::string_view zone, language l);

/// The form filled from a stored event (for editing): its wall-clock date and times, its rule
/// as one of the choices, or "keep" when it is none of them.
event_form event_form_of(const calendar::event& e);

struct event_form_view {
  unit_summary unit;
  std::optional<calendar::event_id> editing;  ///< none: a new event
  event_form form;
  std::string zone;  ///< the unit's zone, said next to the times
  std::vector<field_error> errors;
  /// The edited series' own rule in words, offered as "keep" when it is none of the choices.
  std::string kept_rule;
  bool previewed = false;               ///< the "Vorschau" button was used and the values are valid
  std::string preview_rule;             ///< the rule in words
  std::vector<session> preview;         ///< the next occurrences
  std::vector<clash_warning> warnings;  ///< of the previewed event's next dates
  std::string csrf;
};

/// One occurrence on an event's manage page, with its counts.
struct managed_occurrence {
  session when;
  int going = 0;
  int waitlisted = 0;
  int maybe = 0;
  std::optional<int> capacity;
  /// A later date of a series: "change from this date on" is offered.
  bool can_split = false;
  std::vector<clash_warning> warnings;  ///< sessions it overlaps
  /// Values of its move form (kept after an error) and the error, if this one was moved.
  std::string move_date;
  std::string move_time;
  std::vector<field_error> errors;
};

/// One date of a series' season chart: the answers, and who came once it was recorded.
struct season_point {
  session when;
  int going = 0;       ///< said yes and have a place
  int waitlisted = 0;  ///< said yes, on the waitlist
  int maybe = 0;
  std::optional<int> came;  ///< none: not recorded (or still to come)
  bool started = false;     ///< who came may be recorded (its page is linked)
};

struct manage_event_view {
  unit_summary unit;
  calendar::event_id id;
  std::string title;
  std::string rule;  ///< in words; empty for a one-off event
  bool cancelled = false;
  /// The season: recent dates that have started and the next few, oldest first, not cancelled.
  std::vector<season_point> season;
  std::vector<managed_occurrence> occurrences;  ///< the next ones, cancelled ones included
  std::vector<field_error> errors;              ///< of the form that cancels the whole event
  std::string notice;  ///< what was just done ("Termin abgesagt."), or empty
  std::string csrf;
};

/// "This and all later dates": the form that changes a series from one date on, as typed.
struct split_form_view {
  unit_summary unit;
  calendar::event_id id;
  std::string series_title;  ///< the series as it is, for the heading
  session from;              ///< the date the change starts at
  std::string title;
  std::string description;
  std::string start_time;  ///< "19:00"
  std::string end_time;
  std::string location;
  std::string online_url;
  std::string capacity;  ///< empty: unlimited
  std::string zone;
  std::vector<field_error> errors;
  std::string csrf;
};

/// /manage/units/{slug}/edit: a unit as typed; admins change all of it and archive it, its
/// responsibles its description.
struct unit_edit_view {
  unit_summary unit;
  std::string name;
  std::string description;  ///< Markdown
  std::string zone;
  std::string contact;
  bool admin = false;  ///< name, zone, contact and archiving are shown
  std::optional<calendar::utc_seconds> archived;
  std::vector<field_error> errors;
  std::string notice;
  std::string csrf;
};

/// One person on an occurrence's attendee list.
struct attendee_row {
  std::string name;
  std::string email;
  std::string state;  ///< "going", "waitlisted", "maybe"
  int position = 0;   ///< 1-based on the waitlist, else 0
  calendar::utc_seconds answered_at{};
};

struct manage_attendees_view {
  unit_summary unit;
  session when;
  std::vector<attendee_row> attendees;  ///< going, then the waitlist in order, then maybe
  std::optional<int> capacity;
  std::string subject;  ///< the message form's values, kept after an error
  std::string body;
  std::vector<field_error> errors;
  std::string notice;
  std::string csrf;
};

/// Someone who answered an occurrence, on its list of who came.
struct attendance_person {
  std::int64_t person = 0;
  std::string name;
  std::string state;  ///< "going", "waitlisted", "maybe"
  bool came = false;  ///< ticked
};

/// /manage/events/{id}/{key}/attendance: ticking who came, on a phone.
struct attendance_view {
  unit_summary unit;
  session when;
  std::string back_href;  ///< the event's manage page, or the host's page of their offer
  std::string action;     ///< where the form posts
  std::string csv_href;   ///< the list as CSV; empty: not for this viewer (a host)
  bool started = false;   ///< before the start there is no form, only a note
  std::vector<attendance_person> answered;  ///< going, then waitlisted, then maybe
  std::vector<std::string> walk_ins;        ///< recorded or typed before, each a ticked box
  std::string new_walk_ins;                 ///< the field for more names, as typed
  int anonymous = 0;                        ///< came and deleted their account since
  std::optional<calendar::utc_seconds> recorded;
  std::vector<field_error> errors;  ///< fields "came", "walk_ins"; "occurrence" for the page
  std::string notice;
  std::string csrf;
};

/// One line of the CSV of who came: `came_as` is the state of their answer ("going",
/// "waitlisted", "maybe"), "walk_in", or "deleted_account" (no name, no address).
struct came_row {
  std::string name;
  std::string email;
  std::string came_as;
};

// ---- /admin ---------------------------------------------------------------------------

struct admin_unit {
  unit_summary unit;
  std::string zone;
  struct responsible {
    std::int64_t person = 0;
    std::string label;  ///< "Name <email>"
  };
  std::vector<responsible> responsibles;
  /// The add-responsible form's values and errors, if it was this unit's.
  std::string add_email;
  std::string add_name;
  std::vector<field_error> errors;
};

/// The create-unit form as typed.
struct unit_form {
  std::string slug;
  std::string name;
  std::string description;
  std::string zone{calendar::default_zone};
};

struct admin_view {
  std::vector<admin_unit> units;
  std::vector<clash_warning> clashes;         ///< of the next 90 days, across all units
  std::vector<unconfirmed_flag> unconfirmed;  ///< of every unit, the longest waiting first
  unit_form form;
  std::vector<field_error> errors;  ///< of the create-unit form
  std::string notice;
  std::string csrf;
};

struct outbox_row {
  std::string kind;
  std::string recipient;
  calendar::utc_seconds due{};
  std::string state;  ///< "queued", "sending", "sent", "failed"
  int attempts = 0;
  std::string last_error;
};

struct admin_outbox_view {
  std::vector<outbox_row> rows;  ///< newest first, never the message itself
  std::int64_t waiting = 0;      ///< queued or sending, in the whole outbox
};

/// A person as /admin/people shows them; never a deleted account (a tombstone).
struct admin_person {
  std::int64_t id = 0;
  std::string name;
  std::string email;
  calendar::utc_seconds created{};
  bool admin = false;
  bool guest = false;
};

/// /admin/people: the search by address and, for the person found, the form that deletes
/// their account (an erasure asked for by email, or for someone who lost their address).
struct admin_people_view {
  std::string query;                  ///< the address searched for, as typed; empty: none yet
  std::optional<admin_person> found;  ///< whom it found
  /// Of the delete form: "confirm" (not ticked), "person" (refused: the last admin).
  std::vector<field_error> errors;
  std::string notice;  ///< what was just done ("Konto gelöscht."), or empty
  std::string csrf;
};

std::string render_manage_home(const page_context& ctx, const manage_home_view& view);
std::string render_manage_unit(const page_context& ctx, const manage_unit_view& view);
std::string render_event_form(const page_context& ctx, const event_form_view& view);
std::string render_manage_event(const page_context& ctx, const manage_event_view& view);
std::string render_manage_attendees(const page_context& ctx, const manage_attendees_view& view);
std::string render_split_form(const page_context& ctx, const split_form_view& view);
std::string render_attendance(const page_context& ctx, const attendance_view& view);
std::string render_unit_edit(const page_context& ctx, const unit_edit_view& view);
std::string render_admin(const page_context& ctx, const admin_view& view);
std::string render_admin_outbox(const page_context& ctx, const admin_outbox_view& view);
std::string render_admin_people(const page_context& ctx, const admin_people_view& view);
/// "You may not see this page" (sent with 403).
std::string render_forbidden(const page_context& ctx);

/// The attendee list as CSV for spreadsheets (RFC 4180: CRLF, fields quoted when needed,
/// quotes doubled), UTF-8 with a byte order mark so that Excel shows umlauts; columns name,
/// email, state, position, answered_at (UTC, ISO 8601). A cell that starts with = + - @ (or a
/// tab or CR) gets a leading apostrophe, so that a spreadsheet does not run it as a formula.
std::string attendees_csv(const std::vector<attendee_row>& rows);

/// Who came, as CSV: as attendees_csv, with the columns name, email, came_as.
std::string attendance_csv(const std::vector<came_row>& rows);

/// The season as a bar chart: an SVG (no script, no style attribute: classes of style.css)
/// with, per date, bars for yes, maybe, waitlist and came. Its text alternative
/// (role="img", a <title>) names what it shows and points to the table of the same numbers,
/// whose id is `table_id`. Each bar carries its number (data-value) and is drawn to scale.
std::string season_chart_svg(const std::vector<season_point>& season, language l,
                             std::string_view table_id);

/// The text of catalog message `key` in `l` with its "{name}" slots filled (for the server's
/// notices and error messages).
std::string manage_text(
    language l, std::string_view key,
    std::initializer_list<std::pair<std::string_view, std::string_view>> values = {});

}  // namespace treffpunkt::web
