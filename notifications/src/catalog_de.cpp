// German texts, the default. Gender-inclusive as the organisation writes ("Teilnehmer*innen").
#include "catalog.h"

namespace treffpunkt::notifications::detail {

const catalog& catalog_de() {
  static const catalog c{
      .greeting = "Hallo {name},",
      .greeting_anonymous = "Hallo,",
      .location_line = "Ort: {location}",
      .link_intro = "Link:",
      .signature = "Viele Grüße\n{unit}",
      .unsubscribe_note =
          "Du bekommst diese E-Mail, weil du dich für diesen Termin angemeldet hast. "
          "Erinnerungen kannst du in deinem Profil ändern oder abbestellen.",
      .entries = {{
          {.subject = "Dein Anmeldelink für treffpunkt",
           .paragraphs = "mit diesem Link meldest du dich bei treffpunkt an. Er gilt "
                         "{expires} und nur einmal.\n\nWenn du das nicht warst, kannst du "
                         "diese E-Mail einfach ignorieren.",
           .action = "Jetzt anmelden"},
          {.subject = "Bitte bestätige deine Zusage: {title}",
           .paragraphs = "du hast dich für „{title}“ am {when} angemeldet. Damit deine "
                         "Zusage zählt, bestätige sie bitte innerhalb von {expires}.\n\n"
                         "Wenn du das nicht warst, ignoriere diese E-Mail einfach.",
           .action = "Zusage bestätigen"},
          {.subject = "Angemeldet: {title}, {when}",
           .paragraphs = "deine Zusage für „{title}“ ist angekommen. Wir freuen uns auf "
                         "dich!\n\nWann: {when}",
           .action = "Zum Termin"},
          {.subject = "Erinnerung: {title}, {when}",
           .paragraphs = "eine kurze Erinnerung an „{title}“.\n\nWann: {when}",
           .action = "Zum Termin"},
          {.subject = "Geändert: {title}, jetzt {when}",
           .paragraphs = "der Termin „{title}“ hat sich geändert.\n\nNeu: {when}\n"
                         "Bisher: {previous}\n\nDeine Zusage gilt weiter. Dein Kalender "
                         "wird mit dieser E-Mail aktualisiert.",
           .action = "Zum Termin"},
          {.subject = "Abgesagt: {title}, {when}",
           .paragraphs = "der Termin „{title}“ am {when} fällt leider aus.\n\n"
                         "Dein Kalender wird mit dieser E-Mail aktualisiert.",
           .action = "Weitere Termine"},
          {.subject = "Du bist dabei: {title}, {when}",
           .paragraphs = "es ist ein Platz frei geworden: Du bist von der Warteliste für "
                         "„{title}“ nachgerückt.\n\nWann: {when}\n\nWenn du doch nicht "
                         "kannst, sag bitte ab, damit die nächste Person nachrücken kann.",
           .action = "Zum Termin"},
          {.subject = "{subject} – {title}, {when}",
           .paragraphs = "{sender} schreibt allen Angemeldeten von „{title}“ am {when}:"
                         "\n\n{body}",
           .action = "Zum Termin"},
      }},
      .weekdays = {"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"},
      .months = {"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
                 "Oktober", "November", "Dezember"},
  };
  return c;
}

}  // namespace treffpunkt::notifications::detail
