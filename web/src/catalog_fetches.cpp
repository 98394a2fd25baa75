#include <array>

#include "catalog.h"

namespace treffpunkt::web::detail {
namespace {

// How calendar apps fetch feeds (issue 15): the apps' names and how soon a change reaches each
// (app_), the unit's manage page (fetch_) and the member's own feed on /me (me_fetch_).
constexpr std::array messages = {
    message{"app_google", "Google Kalender", "Google Calendar"},
    message{"app_microsoft", "Outlook", "Outlook"},
    message{"app_apple", "Apple Kalender", "Apple Calendar"},
    message{"app_thunderbird", "Thunderbird", "Thunderbird"},
    message{"app_davx5", "ICSx⁵/DAVx⁵", "ICSx⁵/DAVx⁵"},
    message{"app_browser", "Browser", "Browser"},
    message{"app_other", "Andere", "Other"},
    message{"app_delay_google", "Google Kalender übernimmt Änderungen erst nach bis zu 24 Stunden.",
            "Google Calendar takes up to 24 hours to pick up changes."},
    message{"app_delay_microsoft", "Outlook.com übernimmt Änderungen erst nach einigen Stunden.",
            "Outlook.com takes several hours to pick up changes."},
    message{"app_delay_apple",
            "Apple Kalender holt Änderungen so oft, wie es eingestellt ist – meist stündlich oder "
            "täglich.",
            "Apple Calendar fetches changes as often as it is set to – usually hourly or daily."},
    message{"app_delay_thunderbird",
            "Thunderbird holt Änderungen so oft, wie es eingestellt ist – meist stündlich oder "
            "täglich.",
            "Thunderbird fetches changes as often as it is set to – usually hourly or daily."},
    message{"app_delay_davx5",
            "ICSx⁵ holt Änderungen so oft, wie es eingestellt ist – meist stündlich oder täglich.",
            "ICSx⁵ fetches changes as often as it is set to – usually hourly or daily."},
    message{"app_delay_browser",
            "Im Browser geöffnet: Das ist kein Abo, Änderungen kommen dort nicht von selbst an.",
            "Opened in a browser: that is no subscription, changes do not arrive there by "
            "themselves."},
    message{"app_delay_other",
            "Eine andere App: Sie holt Änderungen so oft, wie sie eingestellt ist.",
            "Another app: it fetches changes as often as it is set to."},
    message{"fetch_heading", "Kalender-Apps der letzten 7 Tage",
            "Calendar apps of the last 7 days"},
    message{"fetch_intro",
            "Welche Kalender-Apps den Kalender dieser Netzwerkstelle abgerufen haben (mit seinen "
            "Varianten nur für Treffen oder Austauschangebote). Wir zählen nur die Art der App je "
            "Tag – keine Adressen, keine Personen.",
            "Which calendar apps fetched this unit's calendar (with its variants of meetings or "
            "exchange offers only). We count only the kind of app per day – no addresses, no "
            "people."},
    message{"fetch_none",
            "In den letzten 7 Tagen hat keine Kalender-App den Kalender dieser Netzwerkstelle "
            "abgerufen.",
            "No calendar app fetched this unit's calendar in the last 7 days."},
    message{"fetch_count_one", "1 Abruf", "1 fetch"},
    message{"fetch_count", "{n} Abrufe", "{n} fetches"},
    message{"fetch_unchanged", "{n} davon ohne Änderung (304)", "{n} of them unchanged (304)"},
    message{"fetch_last", "zuletzt {when}", "last {when}"},
    message{"me_fetch_last", "Zuletzt abgerufen: {when}, von {app}.",
            "Last fetched: {when}, by {app}."},
    message{"me_fetch_lag_hint",
            "Kurzfristige Änderungen siehst du früher hier auf der Seite und in unseren E-Mails.",
            "You see short-notice changes sooner here on the site and in our emails."},
    message{"me_fetch_never",
            "Noch nicht abgerufen: Keine Kalender-App hat deinen Kalender bisher geholt.",
            "Not fetched yet: no calendar app has fetched your calendar so far."},
    message{"me_fetch_steps", "So abonnierst du ihn:", "How to subscribe to it:"},
    message{"me_fetch_step_copy", "Kopiere unten die Kalenderadresse.",
            "Copy the calendar address below."},
    message{"me_fetch_step_make",
            "Erzeuge unten einen Link und kopiere die Kalenderadresse (wir zeigen sie nur "
            "einmal).",
            "Make a link below and copy the calendar address (we show it only once)."},
    message{"me_fetch_step_paste", "Füge sie in deiner Kalender-App als Abo ein:",
            "Add it to your calendar app as a subscription:"},
    message{"me_fetch_step_google",
            "Google Kalender (im Browser): „Weitere Kalender“ → „+“ → „Per URL“, Adresse "
            "einfügen.",
            "Google Calendar (in a browser): “Other calendars” → “+” → “From URL”, paste the "
            "address."},
    message{"me_fetch_step_apple",
            "Apple Kalender: auf dem Mac „Ablage“ → „Neues Kalenderabonnement …“; auf dem iPhone "
            "„Einstellungen“ → „Kalender“ → „Accounts“ → „Account hinzufügen“ → „Andere“ → "
            "„Kalenderabo hinzufügen“.",
            "Apple Calendar: on a Mac “File” → “New Calendar Subscription…”; on an iPhone "
            "“Settings” → “Calendar” → “Accounts” → “Add Account” → “Other” → “Add Subscribed "
            "Calendar”."},
    message{"me_fetch_step_outlook",
            "Outlook: „Kalender hinzufügen“ → „Aus dem Internet abonnieren“, Adresse einfügen.",
            "Outlook: “Add calendar” → “Subscribe from web”, paste the address."},
    message{"me_fetch_step_thunderbird",
            "Thunderbird: „Neuer Kalender …“ → „Im Netzwerk“, Adresse einfügen.",
            "Thunderbird: “New Calendar…” → “On the Network”, paste the address."},
};

}  // namespace

std::span<const message> fetches_catalog() { return messages; }

}  // namespace treffpunkt::web::detail
