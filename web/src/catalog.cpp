#include "catalog.h"

#include <array>

namespace treffpunkt::web::detail {
namespace {

// Informal "du" in German: the users are young volunteers of a youth organisation.
constexpr std::array messages = {
    message{"skip", "Zum Inhalt springen", "Skip to content"},
    message{"nav_label", "Hauptnavigation", "Main navigation"},
    message{"nav_home", "Netzwerkstellen", "Network units"},
    message{"nav_login", "Anmelden", "Log in"},
    message{"nav_me", "Mein Bereich", "My page"},
    message{"switch_to", "English", "Deutsch"},
    message{"footer_note", "treffpunkt – Termine der Netzwerkstellen",
            "treffpunkt – dates of the network units"},
    message{"home_title", "Unsere Netzwerkstellen", "Our network units"},
    message{"home_intro",
            "Finde eine Netzwerkstelle, abonniere ihren Kalender und sag zu ihren Treffen zu.",
            "Find a network unit, subscribe to its calendar and RSVP to its sessions."},
    message{"next_sessions", "Die nächsten Termine", "Next sessions"},
    message{"no_sessions", "Gerade stehen keine Termine an.", "No sessions are coming up."},
    message{"subscribe", "Kalender abonnieren", "Subscribe to calendar"},
    message{"ics_file", "iCalendar-Datei", "iCalendar file"},
    message{"subscribe_all", "Alle Netzwerkstellen abonnieren", "Subscribe to all network units"},
    message{"more_about", "Mehr über {name}", "More about {name}"},
    message{"responsible", "Verantwortlich", "Responsible"},
    message{"and", "und", "and"},
    message{"subscribe_heading", "Kalender abonnieren", "Subscribe to the calendar"},
    message{"subscribe_intro",
            "Abonniere den Kalender in deiner Kalender-App: neue Termine, Verschiebungen und "
            "Absagen erscheinen dann von selbst.",
            "Subscribe in your calendar app: new sessions, moves and cancellations then show up "
            "on their own."},
    message{"subscribe_app", "In Kalender-App abonnieren", "Subscribe in calendar app"},
    message{"feed_url_label", "Kalenderadresse zum Kopieren", "Calendar address to copy"},
    message{"copy", "Kopieren", "Copy"},
    message{"copied", "Kopiert", "Copied"},
    message{"add_google", "Zu Google Kalender hinzufügen", "Add to Google Calendar"},
    message{"add_outlook", "Zu Outlook hinzufügen", "Add to Outlook"},
    message{"qr_caption", "Mit dem Handy scannen, um den Kalender zu abonnieren.",
            "Scan with your phone to subscribe to the calendar."},
    message{"qr_title", "QR-Code der Kalenderadresse von {name}",
            "QR code of the calendar address of {name}"},
    message{"upcoming", "Kommende Termine", "Upcoming sessions"},
    message{"no_upcoming", "In den nächsten Wochen stehen keine Termine an.",
            "No sessions in the coming weeks."},
    message{"month_view", "Monatsübersicht", "Month view"},
    message{"month_nav", "Monat wechseln", "Change month"},
    message{"prev_month", "Vorheriger Monat: {month}", "Previous month: {month}"},
    message{"next_month", "Nächster Monat: {month}", "Next month: {month}"},
    message{"cancelled", "Fällt aus", "Cancelled"},
    message{"moved", "Verschoben", "Moved"},
    message{"kind_label", "Art", "Kind"},
    message{"kind_meeting", "Treffen", "Meeting"},
    message{"kind_exchange_offer", "Austauschangebot", "Exchange offer"},
    message{"event_cancelled", "Diese Veranstaltung wurde abgesagt.",
            "This event has been cancelled."},
    message{"dates", "Termine", "Dates"},
    message{"no_dates", "Keine kommenden Termine.", "No upcoming dates."},
    message{"all_dates", "Alle Termine", "All dates"},
    message{"when", "Wann", "When"},
    message{"where", "Wo", "Where"},
    message{"online", "Online", "Online"},
    message{"places", "Plätze", "Places"},
    message{"places_left", "Noch {left} von {capacity} Plätzen frei",
            "{left} of {capacity} places left"},
    message{"places_full", "Ausgebucht", "Fully booked"},
    message{"places_waitlist", "{n} auf der Warteliste", "{n} on the waiting list"},
    message{"places_unlimited", "Keine Platzbegrenzung, {going} Zusagen",
            "No limit on places, {going} going"},
    message{"occurrence_cancelled", "Dieser Termin fällt aus.", "This session is cancelled."},
    message{"occurrence_moved", "Dieser Termin wurde verschoben. Ursprünglich: {original}.",
            "This session has been moved. Originally: {original}."},
    message{"add_to_calendar", "Zum Kalender hinzufügen", "Add to calendar"},
    message{"rsvp_heading", "Kommst du?", "Are you coming?"},
    message{"your_answer", "Deine Antwort", "Your answer"},
    message{"answer_yes", "Ja", "Yes"},
    message{"answer_no", "Nein", "No"},
    message{"answer_maybe", "Vielleicht", "Maybe"},
    message{"rsvp_legend", "Deine Antwort ändern", "Change your answer"},
    message{"refused_cancelled", "Dieser Termin fällt aus, Zusagen sind nicht mehr möglich.",
            "This session is cancelled; RSVPs are closed."},
    message{"refused_past", "Dieser Termin hat schon begonnen oder ist vorbei.",
            "This session has started or is over."},
    message{"refused_deadline", "Die Anmeldung für diesen Termin ist geschlossen.",
            "RSVPs for this session are closed."},
    message{"guest_intro", "Sag ohne Konto zu: Wir schicken dir einen Link zur Bestätigung.",
            "RSVP without an account: we send you a link to confirm."},
    message{"guest_login", "Oder melde dich an.", "Or log in."},
    message{"guest_name", "Dein Name", "Your name"},
    message{"guest_email", "Deine E-Mail-Adresse", "Your email address"},
    message{"guest_answer", "Deine Antwort", "Your answer"},
    message{"guest_submit", "Antwort schicken", "Send answer"},
    message{"not_found_title", "Seite nicht gefunden", "Page not found"},
    message{"not_found_text",
            "Diese Netzwerkstelle, Veranstaltung oder diesen Termin gibt es nicht (mehr).",
            "This network unit, event or session does not exist (any more)."},
    message{"not_found_back", "Zur Übersicht der Netzwerkstellen", "To the network units"},
};

}  // namespace

std::span<const message> catalog() { return messages; }

std::string_view text(language l, std::string_view key) {
  for (const auto& m : messages) {
    if (m.key == key) return l == language::en ? m.en : m.de;
  }
  return key;
}

std::string fill(std::string_view pattern,
                 std::initializer_list<std::pair<std::string_view, std::string_view>> values) {
  std::string out;
  while (!pattern.empty()) {
    const auto open = pattern.find('{');
    const auto close = pattern.find('}', open);
    if (open == std::string_view::npos || close == std::string_view::npos) break;
    out += pattern.substr(0, open);
    const auto name = pattern.substr(open + 1, close - open - 1);
    bool found = false;
    for (const auto& [k, v] : values) {
      if (k == name) {
        out += v;
        found = true;
        break;
      }
    }
    if (!found) out += pattern.substr(open, close - open + 1);
    pattern.remove_prefix(close + 1);
  }
  out += pattern;
  return out;
}

}  // namespace treffpunkt::web::detail
