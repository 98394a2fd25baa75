#include <array>

#include "catalog.h"

namespace treffpunkt::web::detail {
namespace {

// "Still happening?" (issue 15): the page that confirms a series, and the flags of series
// nobody confirmed on the unit's manage page and /admin ("du" as in catalog.cpp).
constexpr std::array messages = {
    message{"c_title", "Findet „{title}“ noch statt?", "Is “{title}” still happening?"},
    message{"c_intro",
            "Wir fragen die Verantwortlichen von Zeit zu Zeit, ob ihre Terminreihen noch "
            "stattfinden, damit niemand zu einem Termin kommt, den es nicht mehr gibt.",
            "Now and then we ask the responsibles whether their series still take place, so "
            "that nobody comes to a date that no longer exists."},
    message{"c_since", "Zuletzt bearbeitet oder bestätigt", "Last edited or confirmed"},
    message{"c_asked", "Die Verantwortlichen wurden am {date} gefragt.",
            "The responsibles were asked on {date}."},
    message{"c_unconfirmed",
            "Seit der Frage am {date} hat niemand geantwortet: Die Reihe gilt als unbestätigt.",
            "Nobody has answered since the question on {date}: the series counts as "
            "unconfirmed."},
    message{"c_next_heading", "Die nächsten Termine", "The next dates"},
    message{"c_button", "Findet weiter statt", "Still happening"},
    message{"c_button_hint",
            "Hat sich etwas geändert? Dann bearbeite die Reihe oder sag sie ab; auch das zählt "
            "als Antwort.",
            "Has something changed? Then edit the series or cancel it; that counts as an answer "
            "too."},
    message{"c_edit", "Reihe bearbeiten", "Edit the series"},
    message{"c_event_page", "Zur Reihe", "To the series"},
    message{"c_done", "Danke! Die Reihe ist bestätigt.", "Thank you! The series is confirmed."},
    message{"c_closed",
            "Diese Reihe hat keine Termine mehr, die stattfinden: Es gibt nichts zu bestätigen.",
            "This series has no dates left that take place: there is nothing to confirm."},
    message{"c_unconfirmed_heading", "Unbestätigte Reihen", "Unconfirmed series"},
    message{"c_unconfirmed_intro",
            "Die Verantwortlichen wurden gefragt, ob diese Reihen noch stattfinden, und haben "
            "seit vier Wochen nicht geantwortet. Die Reihen bleiben im Kalender, bis jemand sie "
            "bestätigt, bearbeitet oder absagt.",
            "The responsibles were asked whether these series still take place and have not "
            "answered for four weeks. The series stay in the calendar until someone confirms, "
            "edits or cancels them."},
    message{"c_asked_on", "gefragt am {date}", "asked on {date}"},
    message{"c_confirm", "Bestätigen", "Confirm"},
    message{"c_confirm_label", "Bestätigen: {title}", "Confirm: {title}"},
};

}  // namespace

std::span<const message> confirm_catalog() { return messages; }

}  // namespace treffpunkt::web::detail
