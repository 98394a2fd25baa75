#include "catalog.h"

#include <array>
#include <unordered_map>
#include <vector>

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
    message{"next_meetings", "Die nächsten Treffen", "Next meetings"},
    message{"no_meetings", "Gerade stehen keine Treffen an.", "No meetings are coming up."},
    message{"offers_heading", "Austauschangebote", "Exchange offers"},
    message{"offers_home_intro",
            "Workshops und Erfahrungsaustausch der Netzwerkstellen, oft mit begrenzten Plätzen.",
            "Workshops and exchanges of the network units, often with limited places."},
    message{"no_offers_home", "Gerade gibt es keine Austauschangebote.",
            "No exchange offers are coming up."},
    message{"no_offers_unit", "Gerade hat diese Netzwerkstelle keine Austauschangebote.",
            "This network unit has no exchange offers coming up."},
    message{"subscribe", "Kalender abonnieren", "Subscribe to calendar"},
    message{"ics_file", "iCalendar-Datei", "iCalendar file"},
    message{"subscribe_all", "Alle Netzwerkstellen abonnieren", "Subscribe to all network units"},
    message{"more_about", "Mehr über {name}", "More about {name}"},
    message{"responsible", "Verantwortlich", "Responsible"},
    message{"contact", "Kontakt", "Contact"},
    message{"unit_archived",
            "Diese Netzwerkstelle ist seit {date} archiviert. Hier stehen nur noch ihre "
            "vergangenen Termine.",
            "This network unit has been archived since {date}. Only its past sessions are "
            "listed here."},
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
    message{"upcoming_meetings", "Kommende Treffen", "Upcoming meetings"},
    message{"no_upcoming_meetings", "In den nächsten Wochen stehen keine Treffen an.",
            "No meetings in the coming weeks."},
    message{"month_view", "Monatsübersicht", "Month view"},
    message{"month_empty", "In diesem Monat stehen keine Termine an.", "No sessions this month."},
    message{"one_session", "1 Termin", "1 session"},
    message{"n_sessions", "{n} Termine", "{n} sessions"},
    message{"all_day", "ganztägig", "all day"},
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
    message{"unavailable_title", "Gerade nicht erreichbar", "Not available right now"},
    message{"unavailable_text",
            "treffpunkt kommt gerade nicht an seine Daten. Versuch es in ein paar Minuten noch "
            "einmal.",
            "treffpunkt cannot reach its data right now. Try again in a few minutes."},
    message{"unavailable_sent",
            "Hast du gerade etwas abgeschickt? Schau danach nach, ob es angekommen ist.",
            "Did you just send something? Check afterwards whether it arrived."},
    // ---- member pages: RSVP, follow, "me", login (issue 6) ----
    message{"rsvp_saved", "Deine Antwort ist gespeichert.", "Your answer has been saved."},
    message{"status_going", "Du bist dabei.", "You are going."},
    message{"status_waitlisted", "Du stehst auf der Warteliste.", "You are on the waiting list."},
    message{"status_waitlisted_at", "Du stehst auf der Warteliste (Platz {n}).",
            "You are on the waiting list (place {n})."},
    message{"status_maybe", "Vielleicht", "Maybe"},
    message{"status_not_going", "Abgesagt", "Not going"},
    message{"problem_csrf",
            "Das Formular war abgelaufen oder kam nicht von dieser Seite. Es wurde nichts "
            "gespeichert – bitte versuch es noch einmal.",
            "The form had expired or did not come from this page. Nothing was saved – please "
            "try again."},
    message{"problem_rate_limited",
            "Du hast gerade sehr oft geantwortet. Warte bitte eine Minute und versuch es dann "
            "noch einmal.",
            "You have answered very often just now. Please wait a minute and try again."},
    message{"problem_bad_answer", "Bitte wähle Ja, Vielleicht oder Nein.",
            "Please choose Yes, Maybe or No."},
    message{"problem_refused", "Für diesen Termin kannst du gerade nicht zusagen.",
            "You cannot RSVP to this session now."},
    message{"problem_unavailable",
            "Das hat gerade nicht geklappt, es wurde nichts gespeichert. Versuch es bitte gleich "
            "noch einmal.",
            "That did not work just now; nothing was saved. Please try again in a moment."},
    message{"guest_sent",
            "Wir haben dir eine E-Mail geschickt – bestätige deine Zusage über den Link darin.",
            "We have sent you an email – confirm your RSVP with the link in it."},
    message{"guest_name_missing", "Bitte gib deinen Namen ein.", "Please enter your name."},
    message{"guest_email_invalid",
            "Das sieht nicht wie eine E-Mail-Adresse aus, z. B. name@beispiel.de.",
            "That does not look like an email address, e.g. name@example.org."},
    message{"follow", "Folgen", "Follow"},
    message{"unfollow", "Nicht mehr folgen", "Unfollow"},
    message{"follow_intro",
            "Folge dieser Netzwerkstelle: Ihre Termine erscheinen dann in deinem persönlichen "
            "Kalender.",
            "Follow this network unit: its sessions then appear in your personal calendar."},
    message{"following_text",
            "Du folgst dieser Netzwerkstelle. Ihre Termine stehen in deinem persönlichen "
            "Kalender.",
            "You follow this network unit. Its sessions are in your personal calendar."},
    message{"me_title", "Mein Bereich", "My page"},
    message{"me_signed_in_as", "Angemeldet als {email}", "Logged in as {email}"},
    message{"me_rsvps", "Meine Zusagen", "My RSVPs"},
    message{"me_no_rsvps", "Du hast für die nächsten Termine noch nichts zugesagt.",
            "You have not RSVPed to any upcoming session yet."},
    message{"me_find_sessions", "Termine finden", "Find sessions"},
    message{"me_follows", "Netzwerkstellen, denen ich folge", "Network units I follow"},
    message{"me_no_follows",
            "Du folgst noch keiner Netzwerkstelle. Auf der Seite einer Netzwerkstelle kannst du "
            "ihr folgen.",
            "You do not follow any network unit yet. You can follow one on its page."},
    message{"me_unfollowed", "Du folgst der Netzwerkstelle nicht mehr.",
            "You no longer follow the network unit."},
    message{"me_reminders", "Erinnerungen", "Reminders"},
    message{"me_reminders_legend", "Erinnere mich per E-Mail", "Remind me by email"},
    message{"me_reminders_hint", "Nichts angekreuzt: keine Erinnerungen.",
            "Nothing ticked: no reminders."},
    message{"me_reminders_save", "Erinnerungen speichern", "Save reminders"},
    message{"me_reminders_saved", "Deine Erinnerungen sind gespeichert.",
            "Your reminders have been saved."},
    message{"me_reminders_invalid", "Diese Auswahl geht nicht. Bitte wähle aus der Liste.",
            "That choice does not work. Please choose from the list."},
    message{"me_reminders_default",
            "Du hast noch nichts gewählt, darum gilt die Voreinstellung: {times} vorher.",
            "You have not chosen yet, so the default applies: {times} before."},
    message{"me_reminders_chosen", "Du bekommst Erinnerungen {times} vorher.",
            "You get reminders {times} before."},
    message{"me_reminders_off", "Du bekommst keine Erinnerungen.", "You get no reminders."},
    message{"reminder_before", "{time} vorher", "{time} before"},
    message{"duration_day", "1 Tag", "1 day"},
    message{"duration_days", "{n} Tage", "{n} days"},
    message{"duration_hour", "1 Stunde", "1 hour"},
    message{"duration_hours", "{n} Stunden", "{n} hours"},
    message{"duration_minute", "1 Minute", "1 minute"},
    message{"duration_minutes", "{n} Minuten", "{n} minutes"},
    message{"me_feed", "Mein persönlicher Kalender", "My personal calendar"},
    message{"me_feed_intro",
            "Ein Kalender nur für dich: die Termine der Netzwerkstellen, denen du folgst, und "
            "deine Zusagen. Abonniere ihn in deiner Kalender-App.",
            "A calendar just for you: the sessions of the units you follow and your RSVPs. "
            "Subscribe to it in your calendar app."},
    message{"me_feed_new",
            "Hier ist dein neuer Link. Wir zeigen ihn nur jetzt – abonniere oder kopiere ihn "
            "gleich. Ein früherer Link funktioniert nicht mehr.",
            "Here is your new link. We show it only now – subscribe or copy it right away. Any "
            "earlier link no longer works."},
    message{"me_feed_exists",
            "Du hast schon einen Link. Aus Sicherheitsgründen können wir ihn nicht noch einmal "
            "anzeigen; du kannst aber einen neuen erzeugen.",
            "You already have a link. For your safety we cannot show it again, but you can make "
            "a new one."},
    message{"me_feed_rotate_warning",
            "Achtung: Der alte Link hört dann auf zu funktionieren. Kalender, die ihn "
            "abonniert haben, musst du mit dem neuen Link neu einrichten.",
            "Note: the old link then stops working. Calendars subscribed to it must be set up "
            "again with the new link."},
    message{"me_feed_rotate", "Neuen Link erzeugen", "Make a new link"},
    message{"me_feed_create", "Link erzeugen", "Make a link"},
    message{"me_logout", "Abmelden", "Log out"},
    message{"me_data", "Deine Daten", "Your data"},
    message{"me_data_intro",
            "Du kannst alles herunterladen, was wir über dich speichern (als JSON-Datei), und "
            "dein Konto jederzeit löschen.",
            "You can download everything we keep about you (as a JSON file) and delete your "
            "account at any time."},
    message{"me_data_download", "Meine Daten herunterladen", "Download my data"},
    message{"me_delete", "Konto löschen", "Delete account"},
    message{"me_delete_warning",
            "Das Löschen kann niemand rückgängig machen. Wir löschen deine E-Mail-Adresse, "
            "deinen Namen, deine Anmeldungen, Kalender-Links, gefolgte Netzwerkstellen, "
            "Erinnerungen und Mails an dich; bist du verantwortlich für eine Netzwerkstelle, "
            "endet das. Deine Zusagen für kommende Termine ziehen wir zurück: Deinen Platz "
            "bekommt, wer auf der Warteliste steht. Zusagen zu vergangenen Terminen bleiben "
            "nur als anonyme Zahl.",
            "Nobody can undo this. We delete your email address, your name, your logins, "
            "calendar links, followed units, reminders and mails to you; if you are responsible "
            "for a unit, that ends. Your answers for sessions to come are withdrawn: your place "
            "goes to whoever is on the waitlist. Answers for past sessions stay only as "
            "anonymous numbers."},
    message{"me_delete_confirm", "Ja, ich will mein Konto und meine Daten endgültig löschen.",
            "Yes, I want to delete my account and my data for good."},
    message{"me_delete_unconfirmed",
            "Bitte bestätige das Löschen mit dem Häkchen. Dein Konto ist nicht gelöscht.",
            "Please confirm the deletion with the tick box. Your account was not deleted."},
    message{"me_delete_last_admin",
            "Du bist die letzte Admin-Person. Ernenne zuerst jemand anderen zur Admin-Person.",
            "You are the last admin. Make someone else an admin first."},
    message{"login_title", "Anmelden", "Log in"},
    message{"login_intro",
            "Gib deine E-Mail-Adresse ein. Wir schicken dir einen Link, mit dem du dich ohne "
            "Passwort anmeldest.",
            "Enter your email address. We send you a link to log in without a password."},
    message{"login_email", "E-Mail-Adresse", "Email address"},
    message{"login_submit", "Link schicken", "Send link"},
    message{"login_invalid_email", "Das sieht nicht wie eine E-Mail-Adresse aus.",
            "That does not look like an email address."},
    message{"login_sent_title", "Wir haben dir einen Link geschickt", "We have sent you a link"},
    message{"login_sent_text",
            "Wenn die Adresse stimmt, ist eine E-Mail mit deinem Anmeldelink unterwegs. Schau in "
            "dein Postfach (auch in den Spam-Ordner). Der Link gilt nur kurz und nur einmal.",
            "If the address is right, an email with your login link is on its way. Check your "
            "inbox (and the spam folder). The link is valid briefly and only once."},
    message{"login_new_link", "Neuen Link anfordern", "Request a new link"},
    message{"login_limited_title", "Zu viele Versuche", "Too many attempts"},
    message{"login_limited_text",
            "Für diese Adresse wurden gerade zu viele Anmeldelinks angefordert. Bitte warte ein "
            "wenig und versuch es dann noch einmal.",
            "Too many login links were requested for this address just now. Please wait a "
            "little and try again."},
    message{"login_csrf_title", "Formular abgelaufen", "Form expired"},
    message{"login_csrf_text",
            "Das Formular war abgelaufen oder kam nicht von dieser Seite. Bitte lade die Seite "
            "neu und versuch es noch einmal.",
            "The form had expired or did not come from this page. Please reload the page and "
            "try again."},
    message{"login_use_form", "Bitte nutze das Formular.", "Please use the form."},
    message{"login_link_invalid_title", "Ungültiger Link", "Invalid link"},
    message{"login_link_invalid_text",
            "Dieser Anmeldelink ist unvollständig oder ungültig. Kopiere ihn bitte ganz aus der "
            "E-Mail oder fordere einen neuen an.",
            "This login link is incomplete or invalid. Please copy all of it from the email or "
            "request a new one."},
    message{"login_link_expired_title", "Link abgelaufen", "Link expired"},
    message{"login_link_expired_text",
            "Dieser Anmeldelink ist abgelaufen oder wurde schon benutzt. Jeder Link gilt nur "
            "einmal und nur kurze Zeit.",
            "This login link has expired or has been used already. Each link is valid only once "
            "and only briefly."},
    message{"login_link_text",
            "Tippe auf den Knopf, um dich anzumelden. Erst dann ist dein Link benutzt.",
            "Tap the button to log in. Only then is your link used."},
    message{"login_link_submit", "Jetzt anmelden", "Log in now"},
    message{"login_unavailable_title", "Gerade nicht erreichbar", "Not available right now"},
    message{"login_unavailable_text", "Bitte versuch es gleich noch einmal.",
            "Please try again in a moment."},
    message{"logout_title", "Abmelden", "Log out"},
    message{"logout_text", "Möchtest du dich auf diesem Gerät abmelden?",
            "Do you want to log out on this device?"},
    message{"logout_submit", "Abmelden", "Log out"},
    // Guest RSVP confirmation (/rsvp/confirm/{token}) and one-click unsubscribe.
    message{"guest_name_invalid",
            "Bitte gib einen Namen mit höchstens 100 Zeichen in einer Zeile ein.",
            "Please enter a name of at most 100 characters on one line."},
    message{"gc_title", "Teilnahme bestätigen", "Confirm your RSVP"},
    message{"gc_ask", "Fast geschafft: Bestätige deine Antwort mit dem Knopf. Erst dann zählt sie.",
            "Almost done: confirm your answer with the button. Only then does it count."},
    message{"gc_button", "Teilnahme bestätigen", "Confirm RSVP"},
    message{"gc_session", "Termin", "Session"},
    message{"gc_to_session", "Zum Termin", "Go to the session"},
    message{"gc_going",
            "Deine Zusage ist bestätigt. Wir haben dir eine E-Mail mit einer Einladung für deinen "
            "Kalender geschickt.",
            "Your RSVP is confirmed. We have sent you an email with an invitation for your "
            "calendar."},
    message{"gc_waitlisted",
            "Wird ein Platz frei, rückst du automatisch nach und bekommst eine E-Mail.",
            "When a place becomes free, you move up automatically and get an email."},
    message{"gc_saved_title", "Deine Antwort ist gespeichert", "Your answer is saved"},
    message{"gc_refused_title", "Das geht gerade nicht", "Not possible right now"},
    message{"gc_expired_title", "Link abgelaufen", "Link expired"},
    message{"gc_expired",
            "Dieser Link ist abgelaufen oder wurde schon benutzt. Sag auf der Seite des Termins "
            "einfach noch einmal zu.",
            "This link has expired or has been used already. Just RSVP again on the session's "
            "page."},
    message{"gc_unknown_title", "Unbekannter Link", "Unknown link"},
    message{"gc_unknown", "Diesen Link kennen wir nicht. Kopiere ihn bitte ganz aus der E-Mail.",
            "We do not know this link. Please copy all of it from the email."},
    message{"unsub_title", "E-Mails abbestellen", "Unsubscribe from emails"},
    message{"unsub_explain", "Mit einem Klick auf den Knopf bekommst du diese E-Mails nicht mehr:",
            "With one click on the button you no longer get these emails:"},
    message{"unsub_stops_reminders", "Erinnerungen vor Terminen, zu denen du zugesagt hast",
            "reminders before sessions you said yes to"},
    message{"unsub_stops_notices",
            "E-Mails über verschobene oder abgesagte Termine und Nachrichten der Verantwortlichen",
            "emails about moved or cancelled sessions and messages from the responsibles"},
    message{"unsub_keeps",
            "Deine Zusagen bleiben bestehen. Anmeldelinks und Bestätigungen, um die du selbst "
            "bittest, bekommst du weiter.",
            "Your RSVPs stay. You still get login links and confirmations you ask for yourself."},
    message{"unsub_button", "Abbestellen", "Unsubscribe"},
    message{"unsub_done_title", "Abbestellt", "Unsubscribed"},
    message{"unsub_done", "Du bekommst keine Erinnerungen und Benachrichtigungen mehr.",
            "You no longer get reminders and notifications."},
    message{"unsub_way_back", "Du kannst sie jederzeit wieder einschalten, in deinem Bereich:",
            "You can turn them on again any time, on your page:"},
    message{"unsub_unknown",
            "Diesen Abmeldelink kennen wir nicht. Kopiere ihn bitte ganz aus der E-Mail.",
            "We do not know this unsubscribe link. Please copy all of it from the email."},
    message{"me_notices", "Benachrichtigungen", "Notifications"},
    message{"me_notices_on",
            "Du bekommst E-Mails, wenn ein Termin, zu dem du zugesagt hast, verschoben oder "
            "abgesagt wird, und Nachrichten der Verantwortlichen.",
            "You get emails when a session you said yes to is moved or cancelled, and messages "
            "from the responsibles."},
    message{"me_notices_off",
            "Du bekommst keine E-Mails über verschobene oder abgesagte Termine und keine "
            "Nachrichten der Verantwortlichen.",
            "You get no emails about moved or cancelled sessions and no messages from the "
            "responsibles."},
    message{"me_notices_turn_off", "Benachrichtigungen ausschalten", "Turn notifications off"},
    message{"me_notices_turn_on", "Benachrichtigungen einschalten", "Turn notifications on"},
    message{"me_notices_saved", "Deine Einstellung ist gespeichert.", "Your setting is saved."},
    message{"me_lag_notices_label",
            "Auch ohne Zusage eine E-Mail, wenn ein Termin einer Netzwerkstelle, der ich folge, "
            "in den nächsten 48 Stunden verschoben wird oder ausfällt und mein Kalender das erst "
            "spät zeigt",
            "An email, even without an RSVP, when a session of a unit I follow in the next 48 "
            "hours is moved or cancelled and my calendar shows it late"},
    message{"me_lag_notices_hint",
            "Google Kalender holt ein abonniertes Abo nur alle 12 bis 24 Stunden ab, Outlook alle "
            "paar Stunden. Welche App dein persönliches Abo zuletzt abgeholt hat, sehen wir beim "
            "Abholen. Gilt nur, solange Benachrichtigungen an sind.",
            "Google Calendar fetches a subscription only every 12 to 24 hours, Outlook every few "
            "hours. Which app last fetched your personal feed we see when it fetches it. Only "
            "while notifications are on."},
    message{"me_lag_notices_save", "Speichern", "Save"},
};

}  // namespace

std::span<const message> catalog() {
  // The member pages' messages, then the manage and admin pages' (catalog_manage.cpp) and the
  // offers' (catalog_offers.cpp), the "still happening?" ones (catalog_confirm.cpp) and the
  // feed fetches' (catalog_fetches.cpp).
  static const std::vector<message> all = [] {
    std::vector<message> v(messages.begin(), messages.end());
    for (const auto more :
         {manage_catalog(), offers_catalog(), confirm_catalog(), fetches_catalog()}) {
      v.insert(v.end(), more.begin(), more.end());
    }
    return v;
  }();
  return all;
}

std::string_view text(language l, std::string_view key) {
  // Every page asks for dozens of texts: by hash, not by a walk through the whole catalog.
  static const std::unordered_map<std::string_view, const message*> by_key = [] {
    std::unordered_map<std::string_view, const message*> index;
    for (const auto& m : catalog()) index.emplace(m.key, &m);
    return index;
  }();
  const auto found = by_key.find(key);
  if (found == by_key.end()) return key;
  return l == language::en ? found->second->en : found->second->de;
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
