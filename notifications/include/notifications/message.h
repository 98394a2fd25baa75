#pragma once
/// The notifications treffpunkt sends, in the recipient's language: texts from one catalog per
/// language (catalog_de.cpp, catalog_en.cpp), turned into a MIME message by render().

#include <calendar/client.h>
#include <calendar/language.h>
#include <notifications/error.h>
#include <notifications/mime.h>

#include <optional>
#include <string>
#include <string_view>

namespace treffpunkt::notifications {

enum class message_kind {
  login_link,               ///< the one-time link that logs a member in
  guest_rsvp_link,          ///< a guest's double opt-in link for their RSVP
  rsvp_confirmation,        ///< an RSVP counted; carries an iMIP REQUEST
  reminder,                 ///< before an occurrence the member said yes to
  moved,                    ///< an occurrence moved or changed; REQUEST with a higher SEQUENCE
  cancelled,                ///< an occurrence or event cancelled; CANCEL
  waitlist_promotion,       ///< a place came free; carries an iMIP REQUEST
  responsibles_message,     ///< a unit's responsibles write to an occurrence's attendees
  offer_approved,           ///< a member's proposed exchange offer is approved, with its date
  offer_changes_requested,  ///< the responsibles ask the proposer to change their proposal
  offer_declined,           ///< the responsibles decline a proposal
  wish_answered,            ///< an approved offer answers the member's wish
  series_confirmation,      ///< to a unit's responsibles: does a series still take place?
  /// To a follower whose calendar app lags (calendar::lags): a session of the next 48 hours
  /// moved or was cancelled, which their subscribed feed may show only hours later. No iMIP
  /// part (the feed has the session; an invitation would add it twice).
  lag_moved,
  lag_cancelled,
};

/// The last message_kind, for code that goes through all of them.
inline constexpr message_kind last_message_kind = message_kind::lag_cancelled;

/// calendar::language, the one the pages use too (an alias, not a copy): German is the
/// default, English for people who chose it.
using language = calendar::language;

/// A person's stored language (people.language) as the mails read it: "en" (or "en-GB",
/// anything starting with "en") -> en, anything else -> de. Mails always go out, so there is
/// no "none" as calendar::parse_language has; calendar::tag writes what this reads.
language language_from_tag(std::string_view tag);

/// "login_link", "reminder", ...: the outbox's `kind` column.
std::string_view kind_name(message_kind k);

/// Whether the kind carries List-Unsubscribe (reminders and notices: RFC 8058), and which
/// iMIP method it must carry, if any.
bool wants_unsubscribe(message_kind k);
/// Whether the kind goes to someone for their role as a unit's responsible: no
/// List-Unsubscribe (the mail comes with the role), a footer that says why they get it.
bool to_responsible(message_kind k);
std::optional<calendar::imip_method> required_method(message_kind k);

/// The facts a text is filled with, already formatted for the recipient (times in the event's
/// zone, see format_when). Fields a kind does not use are ignored.
struct facts {
  std::string unit_name;      ///< "Netzwerkstelle Bildung"
  std::string event_title;    ///< "Offenes Treffen"
  std::string when;           ///< "Dienstag, 2. Dezember 2025, 19:00 Uhr"
  std::string previous_when;  ///< for `moved`: the old time; `series_confirmation`: the day
                              ///< it was last edited or confirmed
  std::string location;       ///< may be empty
  std::string link;           ///< the action: login, confirm, event page (https)
  std::string sender_name;    ///< for `responsibles_message`
  std::string subject;        ///< for `responsibles_message`: their subject line
  std::string body;           ///< for `responsibles_message` and decisions: their text, plain
  std::string expires_in;     ///< for links: "24 Stunden", "48 hours"
  std::string app;            ///< for lag notices: "Google Kalender" (lagging_app)
  std::string delay;          ///< for lag notices: "bis zu 24 Stunden" (lagging_app)
};

/// A lagging calendar app as the lag notices name it, and how late it may show a change, in
/// `lang`: {"Google Kalender", "bis zu 24 Stunden"}, {"Outlook", "a few hours"}. For a family
/// that does not lag, a neutral "dein Kalender" / "einigen Stunden".
struct app_delay {
  std::string app;
  std::string delay;
};
app_delay lagging_app(calendar::client_family f, language lang);

/// Who, when and how to address one message.
struct envelope {
  mailbox from;
  mailbox to;
  calendar::utc_seconds date{};
  std::string message_id;       ///< see mail::message_id
  std::string unsubscribe_url;  ///< required for kinds that want_unsubscribe()
};

/// The subject, plain text and HTML of one kind in one language: pure, for previews and tests.
struct texts {
  std::string subject;
  std::string text;
  std::string html;
};
texts write_texts(message_kind kind, language lang, const facts& f, std::string_view to_name);

/// A wall-clock start in the recipient's language: "Dienstag, 2. Dezember 2025, 19:00 Uhr" or
/// "Tuesday, 2 December 2025, 7:00 pm"; all-day events without a time.
std::string format_when(calendar::local_seconds start, bool all_day, language lang);

/// One complete RFC 5322 message of `kind`. Errors as render(), and invalid_value when a kind
/// that needs an invitation (rsvp_confirmation, moved, cancelled) has none or one of the
/// wrong method (method_mismatch), or a reminder or notice has no unsubscribe URL.
result<std::string> compose(message_kind kind, language lang, const facts& f, const envelope& env,
                            const std::optional<calendar_part>& invitation = std::nullopt);

}  // namespace treffpunkt::notifications
