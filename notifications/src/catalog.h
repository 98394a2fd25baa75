#pragma once
/// The texts of all message kinds in one language. Placeholders in braces are filled from
/// notifications::facts: {name} {unit} {title} {when} {previous} {location} {sender} {body}
/// {expires} {app} {delay}. Paragraphs are separated by a blank line.

#include <notifications/message.h>

#include <array>
#include <string_view>

namespace treffpunkt::notifications::detail {

struct entry {
  std::string_view subject;
  std::string_view paragraphs;
  std::string_view action;  ///< the link's label; empty when the kind has no link
};

/// What the lag notices (message_kind::lag_moved, lag_cancelled) say of the calendar app.
struct lag_texts {
  std::string_view google_app;  ///< "Google Kalender"
  std::string_view google_delay;
  std::string_view microsoft_app;  ///< "Outlook"
  std::string_view microsoft_delay;
  std::string_view other_app;  ///< a family that does not lag (not sent today)
  std::string_view other_delay;
  /// Under lag notices instead of unsubscribe_note: why a follower without an RSVP gets them.
  std::string_view note;
};

struct catalog {
  std::string_view greeting;            ///< with {name}
  std::string_view greeting_anonymous;  ///< when the name is unknown
  std::string_view location_line;       ///< with {location}; left out when there is none
  std::string_view link_intro;          ///< before a bare link in the plain text
  std::string_view signature;
  std::string_view unsubscribe_note;  ///< under reminders and notices
  std::string_view responsible_note;  ///< under mails to responsibles (to_responsible), {unit}
  std::array<entry, static_cast<std::size_t>(last_message_kind) + 1>
      entries;                               ///< indexed by message_kind
  std::array<std::string_view, 7> weekdays;  ///< Sunday first
  std::array<std::string_view, 12> months;
  lag_texts lag;
};

const catalog& catalog_de();
const catalog& catalog_en();

}  // namespace treffpunkt::notifications::detail
