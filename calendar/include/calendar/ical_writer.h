#pragma once
/// iCalendar (RFC 5545) output: feeds, single events and iMIP (RFC 6047) messages.
/// Output is byte-for-byte deterministic for the same input: no "now" is read anywhere.

#include <calendar/event.h>
#include <calendar/language.h>
#include <calendar/time.h>

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace treffpunkt::calendar {

/// What a feed says about itself.
struct feed_info {
  std::string name;         ///< NAME and X-WR-CALNAME
  std::string description;  ///< DESCRIPTION and X-WR-CALDESC, may be empty
  std::string colour;       ///< COLOR (RFC 7986) as "#rrggbb", may be empty
  std::string url;          ///< URL of the feed itself, may be empty
  std::chrono::seconds refresh_interval{
      std::chrono::hours(6)};  ///< REFRESH-INTERVAL, X-PUBLISHED-TTL
  /// The language of the feed's readers: the words its CATEGORIES show (category_label).
  std::optional<language> lang = std::nullopt;
};

/// The word a calendar app shows for an event's kind, written as its CATEGORIES: "Treffen" and
/// "Austauschangebot" in German, "Meeting" and "Exchange offer" in English (the pages' words);
/// without a language the stable "MEETING" and "EXCHANGE-OFFER" of X-TREFFPUNKT-KIND.
std::string_view category_label(event_kind kind, std::optional<language> lang);

/// The line that names an exchange offer's host at the top of its DESCRIPTION in feeds, where
/// the host allowed it (event::host): "Gastgeber*in: NAME", "Host: NAME" in English. The
/// VEVENT carries the name as X-TREFFPUNKT-HOST too, so that the reader can take the line off.
std::string host_line(std::string_view host, std::optional<language> lang);

/// A whole feed: VCALENDAR with METHOD:PUBLISH, one VTIMEZONE per zone used (IANA TZID,
/// current rules as RRULEs), then each event with its overrides, each VEVENT with its kind as
/// X-TREFFPUNKT-KIND and as CATEGORIES. Which events belong in a feed (the past 90 days,
/// cancelled one-offs for 30 days) is `select_for_feed`'s job.
std::string write_feed(const feed_info& info, std::span<const event> events);

/// One event or series as its own calendar (METHOD:PUBLISH), for /events/{id}.ics; `lang` as
/// in feed_info.
std::string write_event(const event& e, std::optional<language> lang = std::nullopt);

/// The events a feed should carry at `now`: everything that has an occurrence ending after
/// now - 90 days, and cancelled one-off events only for 30 days after they were cancelled
/// (their last_modified).
std::vector<const event*> select_for_feed(std::span<const event> events, utc_seconds now);

/// An iMIP message's people (RFC 6047 §3.2: REQUEST and CANCEL carry ORGANIZER and ATTENDEE).
struct imip_party {
  std::string organizer_name;
  std::string organizer_email;
  std::string attendee_name;
  std::string attendee_email;
};

enum class imip_method { request, cancel };

/// "REQUEST" or "CANCEL": also the value of the text/calendar part's method= parameter.
std::string_view method_name(imip_method m);

/// An iMIP message about one occurrence of `e` (or the whole event when `key` is empty): the
/// same UID as in the feeds; an occurrence of a series gets its RECURRENCE-ID. REQUEST sends
/// the occurrence as it is now (moved ones with their new time and the override's SEQUENCE);
/// CANCEL sends STATUS:CANCELLED with a SEQUENCE above the last REQUEST's.
std::string write_imip(imip_method method, const event& e, const std::optional<occurrence_key>& key,
                       const imip_party& party);

/// TEXT value escaping of RFC 5545 §3.3.11: backslash, semicolon, comma, newline.
std::string escape_text(std::string_view text);

/// Folds one content line (without CRLF) at 75 octets per RFC 5545 §3.1, never inside a UTF-8
/// sequence, and appends it with CRLF line ends to `out`.
void append_folded(std::string& out, std::string_view line);

}  // namespace treffpunkt::calendar
