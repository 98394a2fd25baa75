#include <calendar/event.h>
#include <calendar/ical_reader.h>
#include <calendar/ical_writer.h>
#include <calendar/time.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/test_time.h"

namespace treffpunkt::calendar {
namespace {

using treffpunkt::testing::day;
using treffpunkt::testing::local;
using treffpunkt::testing::utc;

using std::chrono::hours;
using std::chrono::minutes;

std::string load(std::string_view name) {
  std::ifstream in(std::string(TREFFPUNKT_TEST_DATA) + "/" + std::string(name), std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

occurrence_key key(std::string_view text) { return occurrence_key::parse(text).value(); }

/// Reads a file that must import; fails the test with the reader's message otherwise.
std::vector<event> read_ok(std::string_view text) {
  auto r = read_events(text);
  EXPECT_TRUE(r.has_value()) << (r.has_value() ? std::string() : r.error().what());
  return r.has_value() ? *r : std::vector<event>{};
}

/// A minimal calendar around some VEVENT lines, LF line ends; the first VEVENT line is line 4.
std::string calendar_with(std::string_view body) {
  return "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//treffpunkt//test//EN\n" + std::string(body) +
         "END:VCALENDAR\n";
}

constexpr std::string_view one_event =
    "BEGIN:VEVENT\n"                                // 4
    "UID:einzel-1@example.org\n"                    // 5
    "DTSTAMP:20251101T080000Z\n"                    // 6
    "DTSTART;TZID=Europe/Berlin:20251110T190000\n"  // 7
    "DTEND;TZID=Europe/Berlin:20251110T210000\n"    // 8
    "SUMMARY:Treffen Netzwerkstelle Kommunales\n"   // 9
    "END:VEVENT\n";                                 // 10

// --- Google Calendar --------------------------------------------------------------------------

TEST(IcalReader, GoogleMonthlySeriesKeepsBerlinWallClock) {
  const auto events = read_ok(load("google.ics"));
  ASSERT_EQ(events.size(), 2u);
  const event& e = events[0];
  EXPECT_EQ(e.uid, "4v1b9q2k7mkr5s0l3c1s8d2e6a@google.com");
  EXPECT_EQ(e.title, "Treffen Netzwerkstelle Bildung");
  EXPECT_EQ(e.zone, "Europe/Berlin");
  EXPECT_FALSE(e.all_day);
  EXPECT_EQ(e.start, local(2025, 9, 2, 19));
  EXPECT_EQ(to_utc(e.start, e.zone), utc(2025, 9, 2, 17));
  EXPECT_EQ(e.duration, hours(2));
  ASSERT_TRUE(e.rule.has_value());
  EXPECT_EQ(e.rule->to_string(), "FREQ=MONTHLY;BYDAY=1TU");
  EXPECT_EQ(e.sequence, 2);
  EXPECT_EQ(e.created, utc(2025, 8, 1, 10, 15));
  EXPECT_EQ(e.last_modified, utc(2025, 10, 10, 12));
  EXPECT_EQ(e.status, event_status::confirmed);
  EXPECT_EQ(e.id.value, 0);
  EXPECT_EQ(e.unit.value, 0);
}

TEST(IcalReader, GoogleFoldedDescriptionIsUnfoldedAndUnescaped) {
  const auto events = read_ok(load("google.ics"));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].description,
            "Die Netzwerkstelle Bildung setzt sich mit jungsozialistischen Antworten auf das "
            "bestehende Bildungssystem auseinander.\nThemen: Zivilklausel an Hochschulen, "
            "Inklusion an allen Bildungseinrichtungen, kostenlose Kitas.\n\nVerantwortlich: "
            "Oleg Shevchenko, Konstantin Petry und Louisa Klopfleisch");
  EXPECT_EQ(events[0].location, "Juso-Büro, Juri-Gagarin-Ring 37, 99084 Erfurt");
}

TEST(IcalReader, GoogleExdateRecurrenceIdAndCancelledInstanceBecomeSortedOverrides) {
  const auto events = read_ok(load("google.ics"));
  ASSERT_EQ(events.size(), 2u);
  const auto& ov = events[0].overrides;
  ASSERT_EQ(ov.size(), 3u);
  // EXDATE;TZID=Europe/Berlin:20251007T190000 (CEST)
  EXPECT_EQ(ov[0].key, key("20251007T170000Z"));
  EXPECT_TRUE(ov[0].cancelled);
  // RECURRENCE-ID;TZID=Europe/Berlin:20251104T190000 (CET), moved to Wednesday 18:30
  EXPECT_EQ(ov[1].key, key("20251104T180000Z"));
  EXPECT_FALSE(ov[1].cancelled);
  EXPECT_EQ(ov[1].start, local(2025, 11, 5, 18, 30));
  EXPECT_EQ(ov[1].title, "Treffen Netzwerkstelle Bildung (verschoben auf Mittwoch)");
  EXPECT_FALSE(ov[1].duration.has_value()) << "same two hours as the series";
  EXPECT_FALSE(ov[1].description.has_value()) << "same text as the series";
  EXPECT_FALSE(ov[1].location.has_value());
  EXPECT_EQ(ov[1].sequence, 3);
  EXPECT_EQ(ov[1].last_modified, utc(2025, 10, 20, 9, 15));
  // RECURRENCE-ID with STATUS:CANCELLED
  EXPECT_EQ(ov[2].key, key("20251202T180000Z"));
  EXPECT_TRUE(ov[2].cancelled);
  EXPECT_EQ(ov[2].sequence, 4);
}

TEST(IcalReader, GoogleUtcEventIsShownInCalendarZone) {
  const auto events = read_ok(load("google.ics"));
  ASSERT_EQ(events.size(), 2u);
  const event& e = events[1];
  EXPECT_EQ(e.title, "Erfahrungsaustausch: Inklusion an Schulen");
  EXPECT_EQ(e.zone, "Europe/Berlin");  // X-WR-TIMEZONE
  EXPECT_EQ(e.start, local(2025, 11, 20, 18));
  EXPECT_EQ(to_utc(e.start, e.zone), utc(2025, 11, 20, 17));
  EXPECT_EQ(e.duration, hours(2));
  EXPECT_FALSE(e.is_series());
  EXPECT_EQ(e.location, "");
  EXPECT_EQ(e.description,
            "Best-Practice-Austausch für Schüler*innen- und Hochschulgruppen. <a "
            "href=\"https://meet.google.com/abc-defg-hij\">Videokonferenz</a>");
}

// --- Outlook ----------------------------------------------------------------------------------

TEST(IcalReader, OutlookWindowsZoneMapsToBerlin) {
  const auto events = read_ok(load("outlook.ics"));
  ASSERT_EQ(events.size(), 2u);
  const event& e = events[0];
  EXPECT_EQ(e.zone, "Europe/Berlin");
  EXPECT_EQ(e.title, "Erfahrungsaustausch Kommunales");
  EXPECT_EQ(e.start, local(2025, 9, 16, 18, 30));
  EXPECT_EQ(to_utc(e.start, e.zone), utc(2025, 9, 16, 16, 30));
  EXPECT_EQ(e.duration, minutes(90));
  ASSERT_TRUE(e.rule.has_value());
  EXPECT_EQ(e.rule->count(), 10);
  EXPECT_EQ(e.rule->interval(), 2);
  EXPECT_EQ(e.uid,
            "040000008200E00074C5B7101A82E00800000000D0C1F4A6B21ADC01000000000000000010000000A1B2"
            "C3D4E5F60718293A4B5C6D7E8F90");
  EXPECT_EQ(e.description,
            "Austausch der kommunalpolitisch engagierten Jusos: Was lief gut vor Ort, was nicht "
            "so gut?\n\nEinwahldaten folgen per Mail.\n");
}

TEST(IcalReader, OutlookExdateAndMovedOccurrenceAcrossDstEnd) {
  const auto events = read_ok(load("outlook.ics"));
  ASSERT_EQ(events.size(), 2u);
  const auto& ov = events[0].overrides;
  ASSERT_EQ(ov.size(), 2u);
  // 2025-10-28 is after the switch to CET on 2025-10-26: 18:30 local is 17:30 UTC.
  EXPECT_EQ(ov[0].key, key("20251028T173000Z"));
  EXPECT_FALSE(ov[0].cancelled);
  EXPECT_EQ(ov[0].start, local(2025, 10, 29, 19));
  EXPECT_EQ(ov[0].duration, hours(2));
  EXPECT_FALSE(ov[0].title.has_value());
  EXPECT_EQ(ov[0].sequence, 1);
  EXPECT_EQ(ov[1].key, key("20251223T173000Z"));
  EXPECT_TRUE(ov[1].cancelled);
}

TEST(IcalReader, OutlookAllDayEventLastsWholeDays) {
  const auto events = read_ok(load("outlook.ics"));
  ASSERT_EQ(events.size(), 2u);
  const event& e = events[1];
  EXPECT_EQ(e.title, "Klausurtagung Netzwerkstelle Frauen*");
  EXPECT_TRUE(e.all_day);
  EXPECT_EQ(e.zone, "Europe/Berlin");  // no X-WR-TIMEZONE: the default
  EXPECT_EQ(e.start, local(2025, 10, 3));
  EXPECT_EQ(e.duration, hours(48));
  EXPECT_EQ(e.description,
            "Klausur der Netzwerkstelle Frauen*: Frauen*förderung im Verband, "
            "Empowermentprogramme.\n");
}

TEST(IcalReader, CrlfAndLfLineEndsReadTheSame) {
  const std::string crlf = load("outlook.ics");
  ASSERT_NE(crlf.find("\r\n"), std::string::npos);
  std::string lf;
  for (char c : crlf) {
    if (c != '\r') lf.push_back(c);
  }
  EXPECT_EQ(read_ok(crlf), read_ok(lf));
}

// --- Thunderbird ------------------------------------------------------------------------------

TEST(IcalReader, ThunderbirdUntilAndSeveralExdateValues) {
  const auto events = read_ok(load("thunderbird.ics"));
  ASSERT_EQ(events.size(), 2u);
  const event& e = events[0];
  EXPECT_EQ(e.title, "Bündnistreffen Netzwerkstelle Antifa");
  EXPECT_EQ(e.start, local(2025, 10, 2, 18));
  EXPECT_EQ(e.duration, minutes(90));
  ASSERT_TRUE(e.rule.has_value());
  EXPECT_EQ(e.rule->until(), utc(2025, 12, 18, 17));
  EXPECT_FALSE(e.rule->count().has_value());
  ASSERT_EQ(e.overrides.size(), 2u);
  EXPECT_EQ(e.overrides[0].key, key("20251023T160000Z"));  // CEST
  EXPECT_EQ(e.overrides[1].key, key("20251113T170000Z"));  // CET
  EXPECT_TRUE(e.overrides[0].cancelled);
  EXPECT_TRUE(e.overrides[1].cancelled);
}

TEST(IcalReader, ThunderbirdFoldKeepsTheSpaceThatBelongsToTheText) {
  const auto events = read_ok(load("thunderbird.ics"));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].description,
            "Bündnisarbeit mit Vereinen, Verbänden und autonomen Gruppen gegen Rassismus und "
            "Antisemitismus.\nVerantwortlich: Romy Arnold und Louisa Klopfleisch");
  EXPECT_EQ(events[0].location, "DGB-Haus Erfurt, Juri-Gagarin-Ring 150");
}

TEST(IcalReader, MozillaPrefixedZoneAndDurationProperty) {
  const auto events = read_ok(load("thunderbird.ics"));
  ASSERT_EQ(events.size(), 2u);
  const event& e = events[1];
  EXPECT_EQ(e.uid, "{8c3f5a2e-1b4d-4e6f-9a7b-0c1d2e3f4a5b}");
  EXPECT_EQ(e.zone, "Europe/Berlin");
  EXPECT_EQ(e.start, local(2025, 11, 8, 10));
  EXPECT_EQ(e.duration, hours(7));
}

// --- Apple Calendar ---------------------------------------------------------------------------

TEST(IcalReader, AppleAllDayEventWithUmlautsAndEmoji) {
  const auto events = read_ok(load("apple.ics"));
  ASSERT_EQ(events.size(), 2u);
  const event& e = events[0];
  EXPECT_EQ(e.title, "Empowerment-Wochenende für Juso-Frauen* in Thüringen 💪");
  EXPECT_TRUE(e.all_day);
  EXPECT_EQ(e.start, local(2025, 11, 8));
  EXPECT_EQ(e.duration, hours(48));
  EXPECT_EQ(e.sequence, 1);
  EXPECT_EQ(e.description,
            "Vernetzung und Erfahrungsaustausch von Juso-Frauen*: Best-Practice-Beispiele für "
            "die politische Arbeit und gegen latente oder offene Diskriminierung. Anmeldung bis "
            "Freitag – wir freuen uns! 🎉");
  EXPECT_EQ(e.location, "Haus der Jugend\nJuri-Gagarin-Ring 1\n99084 Erfurt");
  EXPECT_EQ(e.online_url, "https://jusos-thueringen.de/netzwerkstellen/frauen");
}

TEST(IcalReader, AppleRdateAddsAnExtraStart) {
  const auto events = read_ok(load("apple.ics"));
  ASSERT_EQ(events.size(), 2u);
  const event& e = events[1];
  EXPECT_EQ(e.start, local(2025, 10, 15, 19));
  ASSERT_TRUE(e.rule.has_value());
  EXPECT_EQ(e.rule->count(), 3);
  ASSERT_EQ(e.rdates.size(), 1u);
  EXPECT_EQ(e.rdates[0], local(2025, 12, 10, 19));
  EXPECT_TRUE(e.overrides.empty());
}

// --- broken files -----------------------------------------------------------------------------

TEST(IcalReader, MissingEndVeventNamesTheNextBegin) {
  const auto r = read_events(load("broken_missing_end.ics"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, errc::parse_error);
  EXPECT_EQ(r.error().line, 12);
  EXPECT_NE(r.error().message.find("line 7"), std::string::npos) << r.error().message;
}

TEST(IcalReader, BadRruleNamesItsLineAndImportsNothing) {
  // The first VEVENT of the file is fine; all or nothing means it is not imported either.
  const auto r = read_events(load("broken_rrule.ics"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, errc::bad_rule);
  EXPECT_EQ(r.error().line, 16);
  EXPECT_EQ(r.error().field, "rrule");
}

TEST(IcalReader, UnknownTzidNamesTheFirstPropertyUsingIt) {
  const auto r = read_events(load("broken_tzid.ics"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, errc::unknown_zone);
  EXPECT_EQ(r.error().line, 23);  // DTEND comes before DTSTART in Outlook's order
  EXPECT_EQ(r.error().what().substr(0, 8), "line 23:");
}

TEST(IcalReader, DtendBeforeDtstartNamesDtendLine) {
  const auto r = read_events(load("broken_dtend.ics"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, errc::end_before_start);
  EXPECT_EQ(r.error().line, 9);
}

TEST(IcalReader, LineWithoutColonNamesItsLine) {
  const auto r = read_events(calendar_with("BEGIN:VEVENT\nUID:x\nSUMMARY Treffen\nEND:VEVENT\n"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, errc::parse_error);
  EXPECT_EQ(r.error().line, 6);
}

TEST(IcalReader, ErrorInFoldedLineNamesItsFirstPhysicalLine) {
  const auto r = read_events(calendar_with(
      "BEGIN:VEVENT\nUID:x\nSUMMARY:Treffen\nDTSTART;TZID=Europe/Berlin:2025\n 1110X1900\n"
      " 00\nDTEND;TZID=Europe/Berlin:20251110T210000\nEND:VEVENT\n"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().line, 7);
  // ...while the same fold around a good value reads fine: the fold is not the problem.
  EXPECT_TRUE(read_events(calendar_with("BEGIN:VEVENT\nUID:x\nSUMMARY:Treffen\n"
                                        "DTSTART;TZID=Europe/Berlin:2025\n 1110T1900\n 00\n"
                                        "DTEND;TZID=Europe/Berlin:20251110T210000\nEND:VEVENT\n"))
                  .has_value());
}

TEST(IcalReader, ContentOutsideVcalendarIsRejected) {
  auto r = read_events("BEGIN:VEVENT\nUID:x\nEND:VEVENT\n");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, errc::parse_error);
  EXPECT_EQ(r.error().line, 1);

  r = read_events(calendar_with(one_event) + "SUMMARY:Nachzügler\n");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().line, 12);

  r = read_events("");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, errc::parse_error);
}

TEST(IcalReader, MismatchedEndNamesTheEndLine) {
  const auto r =
      read_events(calendar_with("BEGIN:VEVENT\nUID:x\nBEGIN:VALARM\nEND:VEVENT\nEND:VALARM\n"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, errc::parse_error);
  EXPECT_EQ(r.error().line, 7);
}

TEST(IcalReader, MissingEndAtEndOfFileNamesTheUnclosedBegin) {
  const std::string text = "BEGIN:VCALENDAR\nVERSION:2.0\n" + std::string(one_event).substr(0, 120);
  const auto r = read_events(text.substr(0, text.rfind('\n') + 1));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, errc::parse_error);
  EXPECT_EQ(r.error().line, 3);  // the VEVENT's BEGIN in this file
}

TEST(IcalReader, InvalidUtf8NamesItsLine) {
  const auto r = read_events(calendar_with(
      "BEGIN:VEVENT\nUID:x\nSUMMARY:Th\xFCringen\nDTSTART:20251110T190000\nEND:VEVENT\n"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, errc::parse_error);
  EXPECT_EQ(r.error().line, 6);
}

// Found by tests/fuzz (fuzz_ical): a UID with a NUL was read, then written without it, so the
// feed named the series' UID twice and did not read back.
TEST(IcalReader, ControlCharacterNamesItsLine) {
  using namespace std::string_literals;
  const auto r = read_events(calendar_with(
      "BEGIN:VEVENT\nUID:serie\0\x13-1@example.org\nSUMMARY:x\nDTSTART:20251110T190000\n"
      "END:VEVENT\n"s));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, errc::parse_error);
  EXPECT_EQ(r.error().line, 5);
  EXPECT_NE(r.error().message.find("U+0000"), std::string::npos) << r.error().message;
  // A tab is allowed, and a CR only as part of the line end.
  EXPECT_EQ(read_ok(calendar_with("BEGIN:VEVENT\r\nUID:x\r\nSUMMARY:a\tb\r\n"
                                  "DTSTART:20251110T190000\r\nEND:VEVENT\r\n"))
                .at(0)
                .title,
            "a\tb");
  EXPECT_FALSE(read_events(
      calendar_with("BEGIN:VEVENT\nUID:x\nSUMMARY:a\rb\nDTSTART:20251110T190000\nEND:VEVENT\n")));
}

TEST(IcalReader, FoldInsideUtf8SequenceIsJoinedBeforeDecoding) {
  // Some writers fold at 75 octets without minding UTF-8: "ü" is C3 BC, split by the fold.
  const auto events = read_ok(calendar_with(
      "BEGIN:VEVENT\nUID:x\nSUMMARY:Th\xC3\n \xBCringen\nDTSTART:20251110T190000\nEND:VEVENT\n"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].title, "Thüringen");
}

TEST(IcalReader, TextEscapesAreUndone) {
  const auto events = read_ok(calendar_with(
      "BEGIN:VEVENT\nUID:x\nDTSTART:20251110T190000\n"
      "SUMMARY:Kitas\\, Schulen\\; Hochschulen \\\\ mehr\\nZeile 2\\NZeile 3\nEND:VEVENT\n"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].title, "Kitas, Schulen; Hochschulen \\ mehr\nZeile 2\nZeile 3");
}

TEST(IcalReader, LibicalFreeassociationPrefixIsStripped) {
  const auto events = read_ok(calendar_with(
      "BEGIN:VEVENT\nUID:evo-1\nSUMMARY:Treffen\n"
      "DTSTART;TZID=/freeassociation.sourceforge.net/Tzfile/Europe/Berlin:20251110T190000\n"
      "DTEND;TZID=/freeassociation.sourceforge.net/Europe/Berlin:20251110T210000\n"
      "END:VEVENT\n"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].zone, "Europe/Berlin");
  EXPECT_EQ(events[0].duration, hours(2));
}

TEST(IcalReader, WindowsZonesOfOtherRegionsMapToIana) {
  const auto zone_of = [](std::string_view tzid) {
    const auto events =
        read_ok(calendar_with("BEGIN:VEVENT\nUID:x\nSUMMARY:Treffen\nDTSTART;TZID=\"" +
                              std::string(tzid) + "\":20251110T190000\nEND:VEVENT\n"));
    return events.empty() ? std::string() : events[0].zone;
  };
  EXPECT_EQ(zone_of("Romance Standard Time"), "Europe/Paris");
  EXPECT_EQ(zone_of("GMT Standard Time"), "Europe/London");
  EXPECT_EQ(zone_of("Eastern Standard Time"), "America/New_York");
  EXPECT_EQ(zone_of("Pacific Standard Time"), "America/Los_Angeles");
  EXPECT_EQ(zone_of("Central Europe Standard Time"), "Europe/Budapest");
  EXPECT_EQ(zone_of("AUS Eastern Standard Time"), "Australia/Sydney");
  EXPECT_EQ(zone_of("Tokyo Standard Time"), "Asia/Tokyo");
}

TEST(IcalReader, VtimezoneLicLocationNamesAnOtherwiseUnknownTzid) {
  const auto events = read_ok(
      calendar_with("BEGIN:VTIMEZONE\nTZID:Mitteleuropäische Zeit\nX-LIC-LOCATION:Europe/Berlin\n"
                    "END:VTIMEZONE\nBEGIN:VEVENT\nUID:x\nSUMMARY:Treffen\n"
                    "DTSTART;TZID=Mitteleuropäische Zeit:20251110T190000\nEND:VEVENT\n"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].zone, "Europe/Berlin");
}

TEST(IcalReader, FloatingTimeIsReadInCalendarZone) {
  auto events =
      read_ok(calendar_with("X-WR-TIMEZONE:Europe/London\nBEGIN:VEVENT\nUID:x\nSUMMARY:Treffen\n"
                            "DTSTART:20251110T190000\nDTEND:20251110T200000\nEND:VEVENT\n"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].zone, "Europe/London");
  EXPECT_EQ(events[0].start, local(2025, 11, 10, 19));

  events = read_ok(
      calendar_with("BEGIN:VEVENT\nUID:x\nSUMMARY:Treffen\nDTSTART:20251110T190000\nEND:VEVENT\n"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].zone, "Europe/Berlin");
}

TEST(IcalReader, EventWithoutEndGetsDefaultLength) {
  // RFC 5545 §3.6.1 gives a timed event without end no length; events here need one.
  const auto events = read_ok(
      calendar_with("BEGIN:VEVENT\nUID:a\nSUMMARY:Treffen\nDTSTART:20251110T190000\nEND:VEVENT\n"
                    "BEGIN:VEVENT\nUID:b\nSUMMARY:Tag\nDTSTART;VALUE=DATE:20251110\nEND:VEVENT\n"
                    "BEGIN:VEVENT\nUID:c\nSUMMARY:Erinnerung\nDTSTART:20251110T190000Z\n"
                    "DTEND:20251110T190000Z\nEND:VEVENT\n"));
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].duration, hours(1));
  EXPECT_EQ(events[1].duration, hours(24));
  EXPECT_TRUE(events[1].all_day);
  EXPECT_EQ(events[2].duration, hours(1));
}

// RFC 5545 §2: names, parameters and enumerated values in any case; blanks around values go.
TEST(IcalReader, NamesAndEnumeratedValuesInAnyCase) {
  const auto events = read_ok(calendar_with(
      "begin:vevent\nuid: lower@example.org \nsummary:klein\n"
      "dtstart;tzid=America/New_York:20251110T190000\ndtend;Tzid= America/New_York "
      ":20251110T200000\n"
      "status:\tCancelled \nend: VEvent\n"
      "Begin:VEVENT\nUID:day\nSUMMARY:Tag\nDTSTART;value=date:20251110\nEND:VEVENT\n"));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].uid, "lower@example.org");
  EXPECT_EQ(events[0].title, "klein");
  EXPECT_EQ(events[0].zone, "America/New_York");
  EXPECT_EQ(events[0].duration, hours(1));
  EXPECT_EQ(events[0].status, event_status::cancelled);
  EXPECT_TRUE(events[1].all_day);
  EXPECT_EQ(events[1].status, event_status::confirmed);
}

TEST(IcalReader, DurationPropertySetsLength) {
  const auto events = read_ok(calendar_with(
      "BEGIN:VEVENT\nUID:x\nSUMMARY:Treffen\nDTSTART;TZID=Europe/Berlin:20251110T190000\n"
      "DURATION:PT1H30M\nEND:VEVENT\n"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].duration, minutes(90));
}

TEST(IcalReader, DtendAndDurationTogetherNameTheLaterLine) {
  const auto r = read_events(
      calendar_with("BEGIN:VEVENT\nUID:x\nSUMMARY:Treffen\nDTSTART:20251110T190000\nDURATION:PT1H\n"
                    "DTEND:20251110T200000\nEND:VEVENT\n"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, errc::parse_error);
  EXPECT_EQ(r.error().line, 9);
}

TEST(IcalReader, FloatingUntilIsReadInEventZone) {
  // §3.3.10 wants UNTIL in UTC here; some writers give the wall-clock time.
  const auto events = read_ok(calendar_with(
      "BEGIN:VEVENT\nUID:x\nSUMMARY:Treffen\nDTSTART;TZID=Europe/Berlin:20251002T180000\n"
      "RRULE:FREQ=WEEKLY;BYDAY=TH;UNTIL=20251218T180000\nEND:VEVENT\n"));
  ASSERT_EQ(events.size(), 1u);
  ASSERT_TRUE(events[0].rule.has_value());
  EXPECT_EQ(events[0].rule->until(), utc(2025, 12, 18, 17));
}

TEST(IcalReader, StartNotOnRuleNamesTheRruleLine) {
  // 2025-11-10 is a Monday; validate() wants the start to be the rule's first occurrence.
  const auto r = read_events(calendar_with(
      "BEGIN:VEVENT\nUID:x\nSUMMARY:Treffen\nDTSTART;TZID=Europe/Berlin:20251110T190000\n"
      "RRULE:FREQ=MONTHLY;BYDAY=1TU\nEND:VEVENT\n"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().line, 8);
  EXPECT_EQ(r.error().field, "rrule");
}

TEST(IcalReader, MissingSummaryNamesTheVeventBegin) {
  const auto r =
      read_events(calendar_with("BEGIN:VEVENT\nUID:x\nDTSTART:20251110T190000\nEND:VEVENT\n"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().field, "title");
  EXPECT_EQ(r.error().line, 4);
}

TEST(IcalReader, SecondMasterWithSameUidIsRejected) {
  std::string two(one_event);
  two += one_event;
  const auto r = read_events(calendar_with(two));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, errc::parse_error);
  EXPECT_EQ(r.error().line, 11);
}

TEST(IcalReader, ExdateDateOnTimedSeriesCancelsThatDaysOccurrence) {
  const auto events = read_ok(calendar_with(
      "BEGIN:VEVENT\nUID:x\nSUMMARY:Treffen\nDTSTART;TZID=Europe/Berlin:20251002T180000\n"
      "RRULE:FREQ=WEEKLY;COUNT=5\nEXDATE;VALUE=DATE:20251009\nEND:VEVENT\n"));
  ASSERT_EQ(events.size(), 1u);
  ASSERT_EQ(events[0].overrides.size(), 1u);
  EXPECT_EQ(events[0].overrides[0].key, key("20251009T160000Z"));
  EXPECT_TRUE(events[0].overrides[0].cancelled);
}

TEST(IcalReader, AllDaySeriesExdateHasDateKey) {
  const auto events = read_ok(
      calendar_with("BEGIN:VEVENT\nUID:x\nSUMMARY:Sprechstunde\nDTSTART;VALUE=DATE:20251006\n"
                    "DTEND;VALUE=DATE:20251007\nRRULE:FREQ=WEEKLY;COUNT=4\n"
                    "EXDATE;VALUE=DATE:20251013,20251020\nEND:VEVENT\n"));
  ASSERT_EQ(events.size(), 1u);
  ASSERT_EQ(events[0].overrides.size(), 2u);
  EXPECT_EQ(events[0].overrides[0].key, key("20251013"));
  EXPECT_EQ(events[0].overrides[1].key, key("20251020"));
}

TEST(IcalReader, OrphanInstanceBecomesOneOffEvent) {
  // Google exports one invited instance of someone else's series without the series.
  const auto events = read_ok(calendar_with(
      "BEGIN:VEVENT\nUID:fremd@google.com\nSUMMARY:Bündnistreffen\n"
      "RECURRENCE-ID;TZID=Europe/Berlin:20251106T180000\n"
      "DTSTART;TZID=Europe/Berlin:20251106T190000\nDTEND;TZID=Europe/Berlin:20251106T200000\n"
      "END:VEVENT\n"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].uid, "fremd@google.com/20251106T170000Z");
  EXPECT_EQ(events[0].start, local(2025, 11, 6, 19));
  EXPECT_FALSE(events[0].is_series());
}

TEST(IcalReader, TooManyEventsIsOutOfBounds) {
  std::string body;
  for (int i = 0; i < 10001; ++i) {
    body += "BEGIN:VEVENT\nUID:e" + std::to_string(i) +
            "\nSUMMARY:T\nDTSTART:20251110T190000Z\nEND:VEVENT\n";
  }
  const auto r = read_events(calendar_with(body));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, errc::out_of_bounds);
  EXPECT_EQ(r.error().line, 4 + 10000 * 5);
}

// Found by fuzz_ical: a SEQUENCE of ten digits overflowed an int before its length was checked.
TEST(IcalReader, SequenceTooLongForANumberNamesItsLine) {
  std::string body(one_event);
  body.insert(body.find("SUMMARY"), "SEQUENCE:2999999999\n");  // line 9
  const auto r = read_events(calendar_with(body));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, errc::parse_error);
  EXPECT_EQ(r.error().line, 9);
  EXPECT_NE(r.error().message.find("SEQUENCE"), std::string::npos) << r.error().message;
  body.replace(body.find("2999999999"), 10, "999999999");
  EXPECT_EQ(read_ok(calendar_with(body)).at(0).sequence, 999999999);
}

TEST(IcalReader, InputOverTenMebibytesIsRejected) {
  std::string text = calendar_with(one_event);
  text.insert(text.find("END:VCALENDAR"),
              "X-PADDING:" + std::string(10u * 1024u * 1024u, 'x') + "\n");
  const auto r = read_events(text);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, errc::out_of_bounds);
}

TEST(IcalReader, UnknownComponentsAndPropertiesAreIgnored) {
  const auto events =
      read_ok(calendar_with("BEGIN:VTODO\nUID:todo\nSUMMARY:Aufgabe\nEND:VTODO\n"
                            "BEGIN:X-WR-SOMETHING\nFOO:bar\nEND:X-WR-SOMETHING\n" +
                            std::string(one_event)));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].uid, "einzel-1@example.org");
}

TEST(IcalReader, WriterOutputReadsBackUnchanged) {
  // What the feeds publish must import again as the same series (e.g. `treffpunkt import`
  // of an exported feed).
  event e;
  e.uid = "rt-1@treffpunkt";
  e.title = "Treffen Netzwerkstelle Frauen*; Thüringen, \"Schüler*innen\" 💪";
  e.description = "Zeile 1\nZeile 2 \\ Ende";
  e.location = "Erfurt";
  e.start = local(2025, 9, 2, 19);
  e.duration = hours(2);
  e.rule = recurrence_rule::parse("FREQ=MONTHLY;BYDAY=1TU;COUNT=6").value();
  e.sequence = 3;
  e.created = utc(2025, 8, 1);
  e.last_modified = utc(2025, 8, 2);
  occurrence_override cancelled;
  cancelled.key = key("20251007T170000Z");
  cancelled.cancelled = true;
  occurrence_override moved;
  moved.key = key("20251104T180000Z");
  moved.start = local(2025, 11, 5, 18);
  moved.title = "verschoben";
  moved.sequence = 4;
  moved.last_modified = utc(2025, 10, 20);
  e.overrides = {cancelled, moved};

  const auto events = read_ok(write_event(e));
  ASSERT_EQ(events.size(), 1u);
  const event& b = events[0];
  EXPECT_EQ(b.uid, e.uid);
  EXPECT_EQ(b.title, e.title);
  EXPECT_EQ(b.description, e.description);
  EXPECT_EQ(b.location, e.location);
  EXPECT_EQ(b.zone, e.zone);
  EXPECT_EQ(b.start, e.start);
  EXPECT_EQ(b.duration, e.duration);
  EXPECT_EQ(b.rule, e.rule);
  EXPECT_EQ(b.sequence, e.sequence);
  EXPECT_EQ(b.created, e.created);
  EXPECT_EQ(b.last_modified, e.last_modified);
  ASSERT_EQ(b.overrides.size(), 2u);
  EXPECT_EQ(b.overrides[0].key, cancelled.key);
  EXPECT_TRUE(b.overrides[0].cancelled);
  EXPECT_EQ(b.overrides[1], moved);
}

// --- The kind of an event ---------------------------------------------------------------------

/// A meeting series with a moved occurrence and an exchange offer, as the feeds carry them.
std::vector<event> both_kinds() {
  event meeting;
  meeting.uid = "kind-meeting@treffpunkt";
  meeting.title = "Offenes Treffen";
  meeting.start = local(2025, 9, 2, 19);
  meeting.rule = recurrence_rule::parse("FREQ=MONTHLY;BYDAY=1TU;COUNT=6").value();
  meeting.created = meeting.last_modified = utc(2025, 8, 1);
  occurrence_override moved;
  moved.key = key("20251104T180000Z");
  moved.start = local(2025, 11, 5, 18);
  moved.last_modified = utc(2025, 10, 20);
  meeting.overrides = {moved};
  event offer = meeting;
  offer.uid = "kind-offer@treffpunkt";
  offer.title = "Best-Practice-Austausch";
  offer.kind = event_kind::exchange_offer;
  return {meeting, offer};
}

TEST(IcalReader, KindsReadBackFromAFeedInEveryLanguage) {
  const auto events = both_kinds();
  for (const auto lang :
       {std::optional<language>{}, std::optional{language::de}, std::optional{language::en}}) {
    feed_info info;
    info.name = "Netzwerkstelle Frauen*";
    info.lang = lang;
    const auto back = read_ok(write_feed(info, events));
    ASSERT_EQ(back.size(), 2u);
    EXPECT_EQ(back[0].kind, event_kind::meeting);
    EXPECT_EQ(back[1].kind, event_kind::exchange_offer);
    EXPECT_EQ(back, events);  // the rest too, the moved occurrences included
  }
}

TEST(IcalReader, TheHostLineOfOurFeedsIsNotReadIntoTheDescription) {
  auto events = both_kinds();
  events[1].description = "Wie wir es gemacht haben.";
  for (const auto lang : {language::de, language::en}) {
    auto named = events;
    named[1].host = "Paula Neumann";
    feed_info info;
    info.name = "Netzwerkstelle Frauen*";
    info.lang = lang;
    const auto back = read_ok(write_feed(info, named));
    ASSERT_EQ(back.size(), 2u);
    EXPECT_EQ(back[1].description, "Wie wir es gemacht haben.");
    EXPECT_EQ(back[1].host, "");  // the store's to set, never an import's
  }
  // Text that only looks like the line, without our X-property, stays.
  std::string body(one_event);
  body.insert(body.find("END:VEVENT"), "DESCRIPTION:Gastgeber*in: Paula\\n\\nText\n");
  EXPECT_EQ(read_ok(calendar_with(body)).at(0).description, "Gastgeber*in: Paula\n\nText");
}

TEST(IcalReader, KindFromTheXPropertyBeatsCategories) {
  std::string body(one_event);
  body.insert(body.find("END:VEVENT"), "CATEGORIES:Austauschangebot\nX-TREFFPUNKT-KIND:meeting\n");
  EXPECT_EQ(read_ok(calendar_with(body)).at(0).kind, event_kind::meeting);
  body.replace(body.find("X-TREFFPUNKT-KIND:meeting"), 25, "X-TREFFPUNKT-KIND:exchange-offer");
  EXPECT_EQ(read_ok(calendar_with(body)).at(0).kind, event_kind::exchange_offer);
}

TEST(IcalReader, KindFromCategoriesInAnyCaseAndLanguage) {
  for (const std::string_view categories :
       {"CATEGORIES:Austauschangebot", "CATEGORIES:austauschANGEBOT", "CATEGORIES:Exchange offer",
        "CATEGORIES:EXCHANGE-OFFER", "CATEGORIES:Arbeit, exchange OFFER ,Kommunales",
        "CATEGORIES:Arbeit\nCATEGORIES:Austauschangebot",
        // An X-property value we do not know says nothing: the categories decide.
        "X-TREFFPUNKT-KIND:WORKSHOP\nCATEGORIES:Exchange offer"}) {
    std::string body(one_event);
    body.insert(body.find("END:VEVENT"), std::string(categories) + "\n");
    EXPECT_EQ(read_ok(calendar_with(body)).at(0).kind, event_kind::exchange_offer) << categories;
  }
  for (const std::string_view categories :
       {"CATEGORIES:Treffen", "CATEGORIES:Meeting,Arbeit", "CATEGORIES:Austauschangebote",
        "CATEGORIES:Austausch\\,angebot", "CATEGORIES:Exchange\\, offer"}) {
    std::string body(one_event);
    body.insert(body.find("END:VEVENT"), std::string(categories) + "\n");
    EXPECT_EQ(read_ok(calendar_with(body)).at(0).kind, event_kind::meeting) << categories;
  }
  // Without either, as Google, Outlook and the others export: a meeting.
  EXPECT_EQ(read_ok(calendar_with(one_event)).at(0).kind, event_kind::meeting);
}

TEST(IcalReader, SaysWhetherTheFileStatedAKind) {
  const auto stated = [](std::string_view extra) {
    std::string body(one_event);
    body.insert(body.find("END:VEVENT"), std::string(extra));
    auto read = read_file_events(calendar_with(body));
    EXPECT_TRUE(read) << read.error().what();
    return read ? read->at(0).stated.kind : false;
  };
  EXPECT_TRUE(stated("X-TREFFPUNKT-KIND:MEETING\n"));
  EXPECT_TRUE(stated("CATEGORIES:Treffen\n"));
  EXPECT_TRUE(stated("CATEGORIES:Arbeit,Exchange offer\n"));
  // Google and Outlook drop ours: an import then keeps the store's kind.
  EXPECT_FALSE(stated(""));
  EXPECT_FALSE(stated("CATEGORIES:Arbeit\nX-TREFFPUNKT-KIND:WORKSHOP\n"));
}

}  // namespace
}  // namespace treffpunkt::calendar
