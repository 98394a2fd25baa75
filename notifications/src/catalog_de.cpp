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
      .responsible_note =
          "Du bekommst diese E-Mail, weil du für {unit} verantwortlich bist. Stimmt das nicht "
          "mehr, sag bitte den Admins von treffpunkt Bescheid.",
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
          {.subject = "Dein Angebot ist angenommen: {title}, {when}",
           .paragraphs = "{unit} hat dein Austauschangebot „{title}“ angenommen. Es steht "
                         "jetzt im Kalender.\n\nWann: {when}\n\nAuf der Seite des Angebots "
                         "siehst du als Gastgeber*in, wer kommt, und kannst allen schreiben.",
           .action = "Zum Angebot"},
          {.subject = "Rückfrage zu deinem Angebot: {title}",
           .paragraphs = "{unit} hat sich dein Austauschangebot „{title}“ angesehen und "
                         "bittet dich um eine Änderung:\n\n{body}\n\nDu kannst dein Angebot "
                         "überarbeiten und wieder einreichen.",
           .action = "Angebot überarbeiten"},
          {.subject = "Dein Angebot: {title}",
           .paragraphs = "{unit} hat dein Austauschangebot „{title}“ diesmal nicht "
                         "angenommen.\n\n{body}\n\nDanke, dass du dein Wissen teilen "
                         "wolltest!",
           .action = "Zur Netzwerkstelle"},
          {.subject = "Zu deinem Wunsch gibt es ein Angebot: {title}",
           .paragraphs = "zu deinem Wunsch bei {unit} gibt es jetzt ein Austauschangebot: "
                         "„{title}“.\n\nWann: {when}",
           .action = "Zum Angebot"},
          {.subject = "Findet „{title}“ noch statt?",
           .paragraphs = "seit {previous} hat niemand die Terminreihe „{title}“ von {unit} "
                         "bearbeitet oder bestätigt. Findet sie weiter so statt? Dann bestätige "
                         "sie bitte: Öffne den Link und drück dort auf „Findet weiter statt“. "
                         "Hat sich etwas geändert, bearbeite die Reihe oder sag sie ab; auch "
                         "das zählt als Antwort.\n\nOhne Antwort bleibt die Reihe im Kalender. "
                         "Nach vier Wochen zeigen wir sie auf der Seite der Netzwerkstelle als "
                         "unbestätigt an.\n\nNächster Termin: {when}",
           .action = "Reihe ansehen und bestätigen"},
          {.subject = "Verschoben: {title}, jetzt {when}",
           .paragraphs = "die Sitzung „{title}“ von {unit} wurde verschoben auf {when}.\n\n"
                         "Bisher: {previous}\n\nDein Kalender ({app}) zeigt das womöglich erst "
                         "in {delay}: Er holt Änderungen nur alle paar Stunden ab. Darum sagen "
                         "wir es dir schon jetzt.",
           .action = "Zum Termin"},
          {.subject = "Abgesagt: {title}, {when}",
           .paragraphs = "die Sitzung „{title}“ von {unit} am {when} fällt aus.\n\n"
                         "Dein Kalender ({app}) zeigt das womöglich erst in {delay}: Er holt "
                         "Änderungen nur alle paar Stunden ab. Darum sagen wir es dir schon "
                         "jetzt.",
           .action = "Weitere Termine"},
      }},
      .weekdays = {"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"},
      .months = {"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
                 "Oktober", "November", "Dezember"},
      .lag = {.google_app = "Google Kalender",
              .google_delay = "bis zu 24 Stunden",
              .microsoft_app = "Outlook",
              .microsoft_delay = "einigen Stunden",
              .other_app = "deine Kalender-App",
              .other_delay = "einigen Stunden",
              .note = "Du bekommst diese E-Mail, weil du dieser Netzwerkstelle folgst und dein "
                      "Kalender Änderungen erst spät zeigt. Du kannst diese Hinweise in deinem "
                      "Profil abstellen."},
  };
  return c;
}

}  // namespace treffpunkt::notifications::detail
