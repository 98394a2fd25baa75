// The exact bytes of a mail's texts, as mail clients have received them: the subject, the plain
// text, and the HTML (escaping of < > & " ', <br> for line ends, the link, the unsubscribe note).
#include <gtest/gtest.h>
#include <notifications/message.h>

#include <string>

#include "mail_fixture.h"

namespace treffpunkt::notifications {
namespace {

using testing::sample_facts;
using treffpunkt::testing::local;

/// Every character HTML escapes, a line end in a value and a query in the link.
facts tricky_facts(language lang) {
  facts f = sample_facts(lang);
  f.event_title = "Tom & Jerry's \"Show\" <live>";
  f.location = "Raum 2\nHinterhaus";
  f.link = "https://treffpunkt.example/events/7/20251202T180000Z?a=1&b='2'";
  return f;
}

TEST(MailTexts, ConfirmationInEnglishEscapesNameTitleLocationAndLink) {
  const texts t = write_texts(message_kind::rsvp_confirmation, language::en,
                              tricky_facts(language::en), "O'Brien <ob>");
  EXPECT_EQ(t.subject,
            "You're going: Tom & Jerry's \"Show\" <live>, Tuesday, 2 December 2025, 7:00 pm");
  EXPECT_EQ(t.text,
            "Hello O'Brien <ob>,\n"
            "\n"
            "we received your RSVP for “Tom & Jerry's \"Show\" <live>”. See you there!\n"
            "\n"
            "When: Tuesday, 2 December 2025, 7:00 pm\n"
            "\n"
            "Where: Raum 2\n"
            "Hinterhaus\n"
            "\n"
            "View session: https://treffpunkt.example/events/7/20251202T180000Z?a=1&b='2'\n"
            "\n"
            "Best wishes\n"
            "Netzwerkstelle Frauen*\n");
  EXPECT_EQ(t.html,
            "<!DOCTYPE html>\n"
            "<html lang=\"en\">\n"
            "<head><meta charset=\"utf-8\"><title>You&#39;re going: Tom &amp; Jerry&#39;s "
            "&quot;Show&quot; &lt;live&gt;, Tuesday, 2 December 2025, 7:00 pm</title></head>\n"
            "<body style=\"font-family:sans-serif\">\n"
            "<p>Hello O&#39;Brien &lt;ob&gt;,</p>\n"
            "<p>we received your RSVP for “Tom &amp; Jerry&#39;s &quot;Show&quot; &lt;live&gt;”. "
            "See you there!</p>\n"
            "<p>When: Tuesday, 2 December 2025, 7:00 pm</p>\n"
            "<p>Where: Raum 2<br>\n"
            "Hinterhaus</p>\n"
            "<p><a "
            "href=\"https://treffpunkt.example/events/7/"
            "20251202T180000Z?a=1&amp;b=&#39;2&#39;\">View session</a></p>\n"
            "<p>Best wishes<br>\n"
            "Netzwerkstelle Frauen*</p>\n"
            "</body>\n"
            "</html>\n");
}

TEST(MailTexts, ResponsiblesMessageInGermanHasTheirTextAndTheUnsubscribeNote) {
  const texts t = write_texts(message_kind::responsibles_message, language::de,
                              tricky_facts(language::de), "Jürgen");
  EXPECT_EQ(t.subject,
            "Raumänderung – Tom & Jerry's \"Show\" <live>, Dienstag, 2. Dezember 2025, 19:00 Uhr");
  EXPECT_EQ(t.text,
            "Hallo Jürgen,\n"
            "\n"
            "Anna Schmidt schreibt allen Angemeldeten von „Tom & Jerry's \"Show\" <live>“ am "
            "Dienstag, 2. Dezember 2025, 19:00 Uhr:\n"
            "\n"
            "Bitte bringt <Snacks> mit & gute Laune.\n"
            "Bis bald!\n"
            "\n"
            "Ort: Raum 2\n"
            "Hinterhaus\n"
            "\n"
            "Zum Termin: https://treffpunkt.example/events/7/20251202T180000Z?a=1&b='2'\n"
            "\n"
            "Viele Grüße\n"
            "Netzwerkstelle Frauen*\n"
            "\n"
            "-- \n"
            "Du bekommst diese E-Mail, weil du dich für diesen Termin angemeldet hast. "
            "Erinnerungen kannst du in deinem Profil ändern oder abbestellen.\n");
  EXPECT_EQ(t.html,
            "<!DOCTYPE html>\n"
            "<html lang=\"de\">\n"
            "<head><meta charset=\"utf-8\"><title>Raumänderung – Tom &amp; Jerry&#39;s "
            "&quot;Show&quot; &lt;live&gt;, Dienstag, 2. Dezember 2025, 19:00 Uhr</title></head>\n"
            "<body style=\"font-family:sans-serif\">\n"
            "<p>Hallo Jürgen,</p>\n"
            "<p>Anna Schmidt schreibt allen Angemeldeten von „Tom &amp; Jerry&#39;s "
            "&quot;Show&quot; &lt;live&gt;“ am Dienstag, 2. Dezember 2025, 19:00 Uhr:</p>\n"
            "<p>Bitte bringt &lt;Snacks&gt; mit &amp; gute Laune.<br>\n"
            "Bis bald!</p>\n"
            "<p>Ort: Raum 2<br>\n"
            "Hinterhaus</p>\n"
            "<p><a "
            "href=\"https://treffpunkt.example/events/7/"
            "20251202T180000Z?a=1&amp;b=&#39;2&#39;\">Zum Termin</a></p>\n"
            "<p>Viele Grüße<br>\n"
            "Netzwerkstelle Frauen*</p>\n"
            "<p style=\"color:#666;font-size:small\">Du bekommst diese E-Mail, weil du dich für "
            "diesen Termin angemeldet hast. Erinnerungen kannst du in deinem Profil ändern oder "
            "abbestellen.</p>\n"
            "</body>\n"
            "</html>\n");
}

TEST(MailTexts, LoginLinkWithoutANameHasNoLocationAndNoNote) {
  const texts t =
      write_texts(message_kind::login_link, language::de, sample_facts(language::de), "");
  EXPECT_EQ(t.subject, "Dein Anmeldelink für treffpunkt");
  EXPECT_EQ(
      t.text,
      "Hallo,\n"
      "\n"
      "mit diesem Link meldest du dich bei treffpunkt an. Er gilt 48 Stunden und nur einmal.\n"
      "\n"
      "Wenn du das nicht warst, kannst du diese E-Mail einfach ignorieren.\n"
      "\n"
      "Jetzt anmelden: https://treffpunkt.example/events/7/20251202T180000Z\n"
      "\n"
      "Viele Grüße\n"
      "Netzwerkstelle Frauen*\n");
  EXPECT_EQ(
      t.html,
      "<!DOCTYPE html>\n"
      "<html lang=\"de\">\n"
      "<head><meta charset=\"utf-8\"><title>Dein Anmeldelink für treffpunkt</title></head>\n"
      "<body style=\"font-family:sans-serif\">\n"
      "<p>Hallo,</p>\n"
      "<p>mit diesem Link meldest du dich bei treffpunkt an. Er gilt 48 Stunden und nur "
      "einmal.</p>\n"
      "<p>Wenn du das nicht warst, kannst du diese E-Mail einfach ignorieren.</p>\n"
      "<p><a href=\"https://treffpunkt.example/events/7/20251202T180000Z\">Jetzt anmelden</a></p>\n"
      "<p>Viele Grüße<br>\n"
      "Netzwerkstelle Frauen*</p>\n"
      "</body>\n"
      "</html>\n");
}

/// "Still happening?" to a unit's responsible: the day it was last touched, the next date, the
/// link to the confirm page, and under the signature why they get it (no unsubscribe note).
facts series_facts(language lang) {
  facts f = sample_facts(lang);
  f.unit_name = "Netzwerkstelle Bildung";
  f.event_title = "Offenes Treffen";
  f.previous_when = format_when(local(2025, 10, 7), true, lang);
  f.location = "Jugendhaus";
  f.link = "https://treffpunkt.example/manage/events/7/confirm";
  return f;
}

TEST(MailTexts, SeriesConfirmationInGermanAsksWithTheRoleNote) {
  const texts t = write_texts(message_kind::series_confirmation, language::de,
                              series_facts(language::de), "Oleg");
  EXPECT_EQ(t.subject, "Findet „Offenes Treffen“ noch statt?");
  EXPECT_EQ(t.text,
            "Hallo Oleg,\n"
            "\n"
            "seit Dienstag, 7. Oktober 2025 hat niemand die Terminreihe „Offenes Treffen“ von "
            "Netzwerkstelle Bildung bearbeitet oder bestätigt. Findet sie weiter so statt? Dann "
            "bestätige sie bitte: Öffne den Link und drück dort auf „Findet weiter statt“. Hat "
            "sich etwas geändert, bearbeite die Reihe oder sag sie ab; auch das zählt als "
            "Antwort.\n"
            "\n"
            "Ohne Antwort bleibt die Reihe im Kalender. Nach vier Wochen zeigen wir sie auf der "
            "Seite der Netzwerkstelle als unbestätigt an.\n"
            "\n"
            "Nächster Termin: Dienstag, 2. Dezember 2025, 19:00 Uhr\n"
            "\n"
            "Ort: Jugendhaus\n"
            "\n"
            "Reihe ansehen und bestätigen: https://treffpunkt.example/manage/events/7/confirm\n"
            "\n"
            "Viele Grüße\n"
            "Netzwerkstelle Bildung\n"
            "\n"
            "-- \n"
            "Du bekommst diese E-Mail, weil du für Netzwerkstelle Bildung verantwortlich bist. "
            "Stimmt das nicht mehr, sag bitte den Admins von treffpunkt Bescheid.\n");
  EXPECT_NE(t.html.find("<p style=\"color:#666;font-size:small\">Du bekommst diese E-Mail, weil "
                        "du für Netzwerkstelle Bildung verantwortlich bist."),
            std::string::npos);
  EXPECT_NE(t.html.find("<p><a href=\"https://treffpunkt.example/manage/events/7/confirm\">Reihe "
                        "ansehen und bestätigen</a></p>"),
            std::string::npos);
}

TEST(MailTexts, SeriesConfirmationInEnglish) {
  const texts t = write_texts(message_kind::series_confirmation, language::en,
                              series_facts(language::en), "Oleg");
  EXPECT_EQ(t.subject, "Is “Offenes Treffen” still happening?");
  EXPECT_EQ(t.text,
            "Hello Oleg,\n"
            "\n"
            "nobody has edited or confirmed the series “Offenes Treffen” of Netzwerkstelle "
            "Bildung since Tuesday, 7 October 2025. Does it go on like this? Then please confirm "
            "it: open the link and press “Still happening” there. If something has changed, edit "
            "the series or cancel it; that counts as an answer too.\n"
            "\n"
            "Without an answer the series stays in the calendar. After four weeks we mark it as "
            "unconfirmed on the unit's page.\n"
            "\n"
            "Next date: Tuesday, 2 December 2025, 7:00 pm\n"
            "\n"
            "Where: Jugendhaus\n"
            "\n"
            "View and confirm the series: https://treffpunkt.example/manage/events/7/confirm\n"
            "\n"
            "Best wishes\n"
            "Netzwerkstelle Bildung\n"
            "\n"
            "-- \n"
            "You get this email because you are responsible for Netzwerkstelle Bildung. If that "
            "is no longer so, please tell the admins of treffpunkt.\n");
}

TEST(MailTexts, ALagNoticeNamesTheAppHowLateItMayBeAndWhyAFollowerGetsIt) {
  const texts t = write_texts(message_kind::lag_moved, language::de, sample_facts(), "Jürgen");
  EXPECT_EQ(t.subject,
            "Verschoben: Empowerment für Schüler*innen, Thüringen, jetzt " + sample_facts().when);
  EXPECT_NE(t.text.find(
                "die Sitzung „Empowerment für Schüler*innen, Thüringen“ von Netzwerkstelle Frauen* "
                "wurde verschoben auf Dienstag, 2. Dezember 2025, 19:00 Uhr.\n\n"
                "Bisher: Montag, 1. Dezember 2025, 18:00 Uhr\n\n"
                "Dein Kalender (Google Kalender) zeigt das womöglich erst in bis zu 24 "
                "Stunden"),
            std::string::npos)
      << t.text;
  // Not the reminders' note ("angemeldet"): a follower may never have answered.
  EXPECT_NE(t.text.find("weil du dieser Netzwerkstelle folgst"), std::string::npos);
  EXPECT_EQ(t.text.find("angemeldet"), std::string::npos);
  EXPECT_NE(t.html.find("weil du dieser Netzwerkstelle folgst"), std::string::npos);

  facts outlook = sample_facts(language::en);
  const auto app = lagging_app(calendar::client_family::microsoft, language::en);
  EXPECT_EQ(app.app, "Outlook");
  EXPECT_EQ(app.delay, "a few hours");
  outlook.app = app.app;
  outlook.delay = app.delay;
  const texts en = write_texts(message_kind::lag_cancelled, language::en, outlook, "Jürgen");
  EXPECT_EQ(en.subject, "Cancelled: Empowerment für Schüler*innen, Thüringen, " + outlook.when);
  EXPECT_NE(en.text.find("Your calendar (Outlook) may show this only in a few hours"),
            std::string::npos)
      << en.text;
  EXPECT_NE(en.text.find("because you follow this unit"), std::string::npos);
}

TEST(MailTexts, ALagNoticeCarriesListUnsubscribeAndNoInvitation) {
  const auto m = compose(message_kind::lag_cancelled, language::de, sample_facts(),
                         testing::sample_envelope());
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_NE(m->find("List-Unsubscribe: <https://treffpunkt.example/unsubscribe/abc123>"),
            std::string::npos);
  EXPECT_EQ(m->find("text/calendar"), std::string::npos);
  EXPECT_EQ(kind_name(message_kind::lag_moved), "lag_moved");
  EXPECT_TRUE(wants_unsubscribe(message_kind::lag_moved));
  EXPECT_FALSE(required_method(message_kind::lag_moved));
}

}  // namespace
}  // namespace treffpunkt::notifications
