#include <calendar/event.h>
#include <calendar/ical_writer.h>
#include <calendar/recurrence.h>
#include <calendar/time.h>
#include <date/date.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/test_time.h"

// Internal to the calendar library; its only other user is the writer.
#include "../../calendar/src/vtimezone.h"

namespace {

using treffpunkt::testing::day;
using treffpunkt::testing::local;
using treffpunkt::testing::utc;

using namespace std::chrono_literals;
using namespace treffpunkt::calendar;

/// The physical lines of `text`, which must end in CRLF; an LF alone fails the test.
std::vector<std::string> physical_lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t end = text.find("\r\n", pos);
    if (end == std::string::npos) {
      ADD_FAILURE() << "text does not end in CRLF: " << text.substr(pos);
      break;
    }
    out.push_back(text.substr(pos, end - pos));
    EXPECT_EQ(out.back().find('\n'), std::string::npos) << "bare LF in " << out.back();
    EXPECT_EQ(out.back().find('\r'), std::string::npos) << "bare CR in " << out.back();
    pos = end + 2;
  }
  return out;
}

/// RFC 5545 §3.1 unfolding: CRLF followed by one space or tab is removed.
std::string unfold(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 2, "\r\n") == 0 && i + 2 < text.size() &&
        (text[i + 2] == ' ' || text[i + 2] == '\t')) {
      i += 2;
      continue;
    }
    out += text[i];
  }
  return out;
}

/// The logical content lines (unfolded, without CRLF).
std::vector<std::string> content_lines(const std::string& text) {
  return physical_lines(unfold(text));
}

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U; }

/// True if `s` is complete UTF-8: no sequence cut at either end or in the middle.
bool is_whole_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 1;
    if (c >= 0xF0U) {
      n = 4;
    } else if (c >= 0xE0U) {
      n = 3;
    } else if (c >= 0xC0U) {
      n = 2;
    } else if (c >= 0x80U) {
      return false;  // a continuation byte where a character should start
    }
    if (i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if (!is_continuation(s[i + k])) return false;
    }
    i += n;
  }
  return true;
}

/// Checks the folding rules on every physical line of `text`.
void expect_well_folded(const std::string& text) {
  for (const std::string& line : physical_lines(text)) {
    EXPECT_LE(line.size(), 75U) << line;
    const std::string_view content =
        !line.empty() && line.front() == ' ' ? std::string_view(line).substr(1) : line;
    EXPECT_TRUE(is_whole_utf8(content)) << "split UTF-8 sequence in: " << line;
  }
}

std::size_t count_of(const std::string& text, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t pos = text.find(needle); pos != std::string::npos;
       pos = text.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

bool has_line(const std::string& text, std::string_view line) {
  for (const std::string& l : content_lines(text)) {
    if (l == line) return true;
  }
  return false;
}

/// The content lines of the n-th component `name` (0-based), BEGIN and END included.
std::vector<std::string> component(const std::string& text, std::string_view name,
                                   std::size_t n = 0) {
  const std::string begin = "BEGIN:" + std::string(name);
  const std::string end = "END:" + std::string(name);
  std::vector<std::string> out;
  std::size_t seen = 0;
  bool inside = false;
  for (const std::string& l : content_lines(text)) {
    if (l == begin && seen++ == n) inside = true;
    if (inside) out.push_back(l);
    if (inside && l == end) break;
  }
  return out;
}

/// With TREFFPUNKT_FEED_DUMP set to a directory, leaves `ics` there as NAME.ics for the
/// oracles of tests/oracle (other people's parsers check what these tests write).
const std::string& dumped(std::string_view name, const std::string& ics) {
  if (const char* dir = std::getenv("TREFFPUNKT_FEED_DUMP"); dir != nullptr && *dir != '\0') {
    std::ofstream(std::filesystem::path(dir) / ("writer-" + std::string(name) + ".ics"),
                  std::ios::binary)
        << ics;
  }
  return ics;
}

recurrence_rule rule(std::string_view text) { return recurrence_rule::parse(text).value(); }

/// "Every first Tuesday, 19:00" in Berlin, from December 2025.
event monthly_meeting() {
  event e;
  e.id = event_id{1};
  e.unit = unit_id{1};
  e.uid = "event-1@treffpunkt.example";
  e.sequence = 2;
  e.created = utc(2025, 10, 1, 8);
  e.last_modified = utc(2025, 11, 1, 12);
  e.title = "Offenes Treffen der Netzwerkstelle Frauen*";
  e.description = "Für alle, die mitmachen wollen; Thüringen, Sachsen und Anhalt.";
  e.location = "Jugendhaus Erfurt, Raum 2";
  e.zone = "Europe/Berlin";
  e.start = local(2025, 12, 2, 19);
  e.duration = 2h;
  e.rule = rule("FREQ=MONTHLY;BYDAY=1TU");
  return e;
}

/// A one-day workshop offered online.
event all_day_workshop() {
  event e;
  e.id = event_id{2};
  e.unit = unit_id{1};
  e.uid = "event-2@treffpunkt.example";
  e.sequence = 0;
  e.created = utc(2025, 10, 5, 9);
  e.last_modified = utc(2025, 10, 5, 9);
  e.kind = event_kind::exchange_offer;
  e.title = "Erfahrungsaustausch Kommunales";
  e.online_url = "https://meet.example.org/kommunales";
  e.zone = "Europe/Berlin";
  e.all_day = true;
  e.start = local(2025, 12, 13);
  e.duration = date::days(1);
  return e;
}

occurrence_override cancelled_on(utc_seconds original_start) {
  occurrence_override o;
  o.key = occurrence_key::timed(original_start);
  o.cancelled = true;
  o.sequence = 3;
  o.last_modified = utc(2025, 11, 20, 10);
  return o;
}

// ---------------------------------------------------------------------------------------------
// Escaping and folding (RFC 5545 §3.3.11, §3.1)

TEST(EscapeText, EscapesBackslashSemicolonCommaAndNewline) {
  EXPECT_EQ(escape_text("a\\b;c,d\ne"), "a\\\\b\\;c\\,d\\ne");
}

TEST(EscapeText, DropsCarriageReturnSoCrlfBecomesOneNewline) {
  EXPECT_EQ(escape_text("Zeile 1\r\nZeile 2\r"), "Zeile 1\\nZeile 2");
}

TEST(EscapeText, DropsControlCharactersButKeepsTabAndUtf8) {
  EXPECT_EQ(escape_text(std::string("a\x01\tb\x7f") + "Thüringen: \"Frauen*\""),
            "a\tbThüringen: \"Frauen*\"");
}

TEST(FoldLines, ShortLineIsWrittenAsIsWithCrlf) {
  std::string out;
  append_folded(out, "SUMMARY:Treffen");
  EXPECT_EQ(out, "SUMMARY:Treffen\r\n");
}

TEST(FoldLines, Exactly75OctetsIsNotFolded) {
  std::string out;
  const std::string line(75, 'x');
  append_folded(out, line);
  EXPECT_EQ(out, line + "\r\n");
}

TEST(FoldLines, ContinuationSpaceCountsTowardTheLimit) {
  std::string out;
  const std::string line(75 + 74 + 3, 'x');
  append_folded(out, line);
  EXPECT_EQ(out, std::string(75, 'x') + "\r\n " + std::string(74, 'x') + "\r\n xxx\r\n");
}

TEST(FoldLines, UmlautAcrossTheBoundaryMovesToTheNextLine) {
  // "ü" is two octets, at octets 75 and 76: the first line keeps 74.
  const std::string line = std::string(74, 'a') + "ü" + "ringen";
  std::string out;
  append_folded(out, line);
  EXPECT_EQ(out, std::string(74, 'a') + "\r\n üringen\r\n");
  expect_well_folded(out);
  EXPECT_EQ(unfold(out), line + "\r\n");
}

TEST(FoldLines, AsteriskAtTheBoundaryStaysOnTheFirstLine) {
  const std::string line = std::string(74, 'a') + "*innen";
  std::string out;
  append_folded(out, line);
  EXPECT_EQ(out, std::string(74, 'a') + "*\r\n innen\r\n");
  EXPECT_EQ(unfold(out), line + "\r\n");
}

TEST(FoldLines, EmojiAcrossTheBoundaryIsNeverSplit) {
  // The four octets of U+1F308 at octets 73..76 of the first line, and again across the end
  // of the second line.
  const std::string rainbow = "\xF0\x9F\x8C\x88";
  for (std::size_t before = 72; before <= 75; ++before) {
    const std::string line = std::string(before, 'a') + rainbow + std::string(72, 'b') + rainbow +
                             "Frauen*, Schüler*innen";
    std::string out;
    append_folded(out, line);
    expect_well_folded(out);
    EXPECT_EQ(unfold(out), line + "\r\n");
    const auto lines = physical_lines(out);
    ASSERT_GE(lines.size(), 3U);
    EXPECT_EQ(lines[0].size(), before + 4 <= 75 ? before + 4 : before) << before;
  }
}

TEST(FoldLines, LongGermanDescriptionSurvivesFoldingAndUnfolding) {
  std::string text;
  for (int i = 0; i < 12; ++i) {
    text += "Schüler*innen aus Thüringen, Frauen* und alle Interessierten 🌈 sind willkommen; ";
  }
  const std::string line = "DESCRIPTION:" + escape_text(text);
  std::string out;
  append_folded(out, line);
  expect_well_folded(out);
  EXPECT_EQ(unfold(out), line + "\r\n");
  EXPECT_GT(physical_lines(out).size(), 12U);
}

TEST(FoldLines, InvalidUtf8StillFoldsWithinTheLimit) {
  const std::string line = "X:" + std::string(200, '\x80');
  std::string out;
  append_folded(out, line);
  for (const std::string& l : physical_lines(out)) EXPECT_LE(l.size(), 75U);
  EXPECT_EQ(unfold(out), line + "\r\n");
}

// ---------------------------------------------------------------------------------------------
// VTIMEZONE (RFC 5545 §3.6.5)

TEST(Vtimezone, BerlinHasEuropeanRulesAsRrules) {
  EXPECT_EQ(treffpunkt::calendar::detail::vtimezone("Europe/Berlin"),
            "BEGIN:VTIMEZONE\r\n"
            "TZID:Europe/Berlin\r\n"
            "X-LIC-LOCATION:Europe/Berlin\r\n"
            "BEGIN:DAYLIGHT\r\n"
            "TZOFFSETFROM:+0100\r\n"
            "TZOFFSETTO:+0200\r\n"
            "TZNAME:CEST\r\n"
            "DTSTART:19700329T020000\r\n"
            "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
            "END:DAYLIGHT\r\n"
            "BEGIN:STANDARD\r\n"
            "TZOFFSETFROM:+0200\r\n"
            "TZOFFSETTO:+0100\r\n"
            "TZNAME:CET\r\n"
            "DTSTART:19701025T030000\r\n"
            "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
            "END:STANDARD\r\n"
            "END:VTIMEZONE\r\n");
}

TEST(Vtimezone, SydneyHasSummerInOctoberAndWinterInApril) {
  const std::string& tz = treffpunkt::calendar::detail::vtimezone("Australia/Sydney");
  EXPECT_EQ(component(tz, "DAYLIGHT"),
            (std::vector<std::string>{"BEGIN:DAYLIGHT", "TZOFFSETFROM:+1000", "TZOFFSETTO:+1100",
                                      "TZNAME:AEDT", "DTSTART:19701004T020000",
                                      "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=1SU", "END:DAYLIGHT"}));
  EXPECT_EQ(component(tz, "STANDARD"),
            (std::vector<std::string>{"BEGIN:STANDARD", "TZOFFSETFROM:+1100", "TZOFFSETTO:+1000",
                                      "TZNAME:AEST", "DTSTART:19700405T030000",
                                      "RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU", "END:STANDARD"}));
}

TEST(Vtimezone, NewYorkHasSecondSundayOfMarchAndFirstOfNovember) {
  const std::string& tz = treffpunkt::calendar::detail::vtimezone("America/New_York");
  EXPECT_EQ(component(tz, "DAYLIGHT"),
            (std::vector<std::string>{"BEGIN:DAYLIGHT", "TZOFFSETFROM:-0500", "TZOFFSETTO:-0400",
                                      "TZNAME:EDT", "DTSTART:19700308T020000",
                                      "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "END:DAYLIGHT"}));
  EXPECT_EQ(component(tz, "STANDARD"),
            (std::vector<std::string>{"BEGIN:STANDARD", "TZOFFSETFROM:-0400", "TZOFFSETTO:-0500",
                                      "TZNAME:EST", "DTSTART:19701101T020000",
                                      "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", "END:STANDARD"}));
}

TEST(Vtimezone, ZoneWithoutDaylightSavingHasOneStandard) {
  EXPECT_EQ(treffpunkt::calendar::detail::vtimezone("Asia/Tokyo"),
            "BEGIN:VTIMEZONE\r\n"
            "TZID:Asia/Tokyo\r\n"
            "X-LIC-LOCATION:Asia/Tokyo\r\n"
            "BEGIN:STANDARD\r\n"
            "TZOFFSETFROM:+0900\r\n"
            "TZOFFSETTO:+0900\r\n"
            "TZNAME:JST\r\n"
            "DTSTART:19700101T000000\r\n"
            "END:STANDARD\r\n"
            "END:VTIMEZONE\r\n");
  for (const char* zone : {"UTC", "Africa/Johannesburg"}) {
    const std::string& tz = treffpunkt::calendar::detail::vtimezone(zone);
    EXPECT_EQ(count_of(tz, "BEGIN:STANDARD"), 1U) << zone;
    EXPECT_EQ(count_of(tz, "BEGIN:DAYLIGHT"), 0U) << zone;
  }
  EXPECT_TRUE(has_line(treffpunkt::calendar::detail::vtimezone("UTC"), "TZOFFSETTO:+0000"));
}

TEST(Vtimezone, RuleOnOrAfterADayUsesBymonthdayWindow) {
  // Israel: summer time from the Friday before the last Sunday of March ("Fri>=23").
  const std::string& tz = treffpunkt::calendar::detail::vtimezone("Asia/Jerusalem");
  EXPECT_TRUE(has_line(tz, "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=FR;BYMONTHDAY=23,24,25,26,27,28,29"))
      << tz;
  EXPECT_TRUE(has_line(tz, "DTSTART:19700327T020000")) << tz;
}

TEST(Vtimezone, HalfHourOffsetsAreWritten) {
  const std::string& tz = treffpunkt::calendar::detail::vtimezone("Australia/Adelaide");
  EXPECT_TRUE(has_line(tz, "TZOFFSETTO:+1030")) << tz;
  EXPECT_TRUE(has_line(tz, "TZOFFSETTO:+0930")) << tz;
}

TEST(Vtimezone, IsComputedOncePerZone) {
  const std::string& a = treffpunkt::calendar::detail::vtimezone("Europe/Berlin");
  const std::string& b = treffpunkt::calendar::detail::vtimezone(std::string("Europe/Berlin"));
  EXPECT_EQ(&a, &b);
}

TEST(Vtimezone, UnknownZoneThrows) {
  EXPECT_THROW((void)treffpunkt::calendar::detail::vtimezone("Europe/Erfurt"), std::runtime_error);
}

// ---------------------------------------------------------------------------------------------
// Feeds

feed_info frauen_feed() {
  feed_info info;
  info.name = "Netzwerkstelle Frauen*";
  info.description = "Treffen, Austausch, Empowerment";
  info.colour = "#aa3355";
  info.url = "https://treffpunkt.example/units/frauen.ics";
  info.lang = language::de;
  return info;
}

TEST(IcalWriter, FeedMatchesGoldenText) {
  event series = monthly_meeting();
  series.overrides.push_back(cancelled_on(utc(2026, 1, 6, 18)));
  occurrence_override moved;
  moved.key = occurrence_key::timed(utc(2026, 2, 3, 18));
  moved.start = local(2026, 2, 5, 18, 30);
  moved.title = "Treffen, verschoben";
  moved.sequence = 4;
  moved.last_modified = utc(2025, 12, 1, 9);
  series.overrides.push_back(moved);
  const std::vector<event> events{series, all_day_workshop()};

  EXPECT_EQ(dumped("golden", write_feed(frauen_feed(), events)),
            "BEGIN:VCALENDAR\r\n"
            "VERSION:2.0\r\n"
            "PRODID:-//treffpunkt//treffpunkt//DE\r\n"
            "CALSCALE:GREGORIAN\r\n"
            "METHOD:PUBLISH\r\n"
            "NAME:Netzwerkstelle Frauen*\r\n"
            "X-WR-CALNAME:Netzwerkstelle Frauen*\r\n"
            "DESCRIPTION:Treffen\\, Austausch\\, Empowerment\r\n"
            "X-WR-CALDESC:Treffen\\, Austausch\\, Empowerment\r\n"
            "COLOR:#aa3355\r\n"
            "X-APPLE-CALENDAR-COLOR:#aa3355\r\n"
            "URL:https://treffpunkt.example/units/frauen.ics\r\n"
            "SOURCE;VALUE=URI:https://treffpunkt.example/units/frauen.ics\r\n"
            "REFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n"
            "X-PUBLISHED-TTL:PT6H\r\n"
            "X-WR-TIMEZONE:Europe/Berlin\r\n" +
                treffpunkt::calendar::detail::vtimezone("Europe/Berlin") +
                "BEGIN:VEVENT\r\n"
                "UID:event-1@treffpunkt.example\r\n"
                "DTSTAMP:20251101T120000Z\r\n"
                "CREATED:20251001T080000Z\r\n"
                "LAST-MODIFIED:20251101T120000Z\r\n"
                "SEQUENCE:2\r\n"
                "DTSTART;TZID=Europe/Berlin:20251202T190000\r\n"
                "DTEND;TZID=Europe/Berlin:20251202T210000\r\n"
                "RRULE:FREQ=MONTHLY;BYDAY=1TU\r\n"
                "EXDATE;TZID=Europe/Berlin:20260106T190000\r\n"
                "SUMMARY:Offenes Treffen der Netzwerkstelle Frauen*\r\n"
                "DESCRIPTION:Für alle\\, die mitmachen wollen\\; Thüringen\\, Sachsen und Anh\r\n"
                " alt.\r\n"
                "LOCATION:Jugendhaus Erfurt\\, Raum 2\r\n"
                "STATUS:CONFIRMED\r\n"
                "TRANSP:OPAQUE\r\n"
                "CATEGORIES:Treffen\r\n"
                "X-TREFFPUNKT-KIND:MEETING\r\n"
                "END:VEVENT\r\n"
                "BEGIN:VEVENT\r\n"
                "UID:event-1@treffpunkt.example\r\n"
                "DTSTAMP:20251201T090000Z\r\n"
                "CREATED:20251001T080000Z\r\n"
                "LAST-MODIFIED:20251201T090000Z\r\n"
                "SEQUENCE:4\r\n"
                "RECURRENCE-ID;TZID=Europe/Berlin:20260203T190000\r\n"
                "DTSTART;TZID=Europe/Berlin:20260205T183000\r\n"
                "DTEND;TZID=Europe/Berlin:20260205T203000\r\n"
                "SUMMARY:Treffen\\, verschoben\r\n"
                "DESCRIPTION:Für alle\\, die mitmachen wollen\\; Thüringen\\, Sachsen und Anh\r\n"
                " alt.\r\n"
                "LOCATION:Jugendhaus Erfurt\\, Raum 2\r\n"
                "STATUS:CONFIRMED\r\n"
                "TRANSP:OPAQUE\r\n"
                "CATEGORIES:Treffen\r\n"
                "X-TREFFPUNKT-KIND:MEETING\r\n"
                "END:VEVENT\r\n"
                "BEGIN:VEVENT\r\n"
                "UID:event-2@treffpunkt.example\r\n"
                "DTSTAMP:20251005T090000Z\r\n"
                "CREATED:20251005T090000Z\r\n"
                "LAST-MODIFIED:20251005T090000Z\r\n"
                "SEQUENCE:0\r\n"
                "DTSTART;VALUE=DATE:20251213\r\n"
                "DTEND;VALUE=DATE:20251214\r\n"
                "SUMMARY:Erfahrungsaustausch Kommunales\r\n"
                "DESCRIPTION:https://meet.example.org/kommunales\r\n"
                "URL:https://meet.example.org/kommunales\r\n"
                "STATUS:CONFIRMED\r\n"
                "TRANSP:OPAQUE\r\n"
                "CATEGORIES:Austauschangebot\r\n"
                "X-TREFFPUNKT-KIND:EXCHANGE-OFFER\r\n"
                "END:VEVENT\r\n"
                "END:VCALENDAR\r\n");
}

TEST(IcalWriter, FeedIsDeterministicAndStampedWithLastModified) {
  const std::vector<event> events{monthly_meeting(), all_day_workshop()};
  const std::string first = write_feed(frauen_feed(), events);
  EXPECT_EQ(first, write_feed(frauen_feed(), events));
  EXPECT_TRUE(has_line(first, "DTSTAMP:20251101T120000Z"));

  std::vector<event> changed = events;
  changed[0].last_modified = utc(2025, 11, 2, 7, 30);
  const std::string second = write_feed(frauen_feed(), changed);
  EXPECT_NE(first, second);
  EXPECT_TRUE(has_line(second, "DTSTAMP:20251102T073000Z"));
  EXPECT_TRUE(has_line(second, "LAST-MODIFIED:20251102T073000Z"));
}

TEST(IcalWriter, EveryLineEndsInCrlfAndIsFolded) {
  event e = monthly_meeting();
  e.description.clear();
  for (int i = 0; i < 10; ++i) e.description += "Schüler*innen aus Thüringen 🌈, Frauen*; ";
  const std::string feed = write_feed(frauen_feed(), std::vector<event>{e});
  expect_well_folded(feed);
  EXPECT_TRUE(has_line(feed, "DESCRIPTION:" + escape_text(e.description)));
}

TEST(IcalWriter, ExdateHasTheTzidOfDtstart) {
  event e = monthly_meeting();
  e.overrides.push_back(cancelled_on(utc(2026, 1, 6, 18)));
  e.overrides.push_back(cancelled_on(utc(2026, 6, 2, 17)));  // summer: 19:00 CEST
  const std::string feed = write_event(e);
  EXPECT_TRUE(has_line(feed, "DTSTART;TZID=Europe/Berlin:20251202T190000"));
  EXPECT_TRUE(has_line(feed, "EXDATE;TZID=Europe/Berlin:20260106T190000"));
  EXPECT_TRUE(has_line(feed, "EXDATE;TZID=Europe/Berlin:20260602T190000"));
  EXPECT_EQ(count_of(feed, "BEGIN:VEVENT"), 1U);  // a cancellation is no override VEVENT
}

TEST(IcalWriter, RdateOnlySeriesKeepsItsStartForIcalJs) {
  // ical.js (Thunderbird) leaves DTSTART out of an RDATE-only expansion; the oracle found it.
  event e = monthly_meeting();
  e.rule.reset();
  e.rdates = {local(2026, 1, 13, 19), local(2026, 2, 10, 19)};
  const auto master = component(dumped("rdate-only", write_event(e)), "VEVENT");
  const std::vector<std::string> expected{
      "DTSTART;TZID=Europe/Berlin:20251202T190000", "DTEND;TZID=Europe/Berlin:20251202T210000",
      "RRULE:FREQ=DAILY;COUNT=1", "RDATE;TZID=Europe/Berlin:20260113T190000",
      "RDATE;TZID=Europe/Berlin:20260210T190000"};
  EXPECT_EQ(std::vector<std::string>(master.begin() + 6, master.begin() + 11), expected);
  // A one-off event has no recurrence set at all.
  e.rdates.clear();
  EXPECT_FALSE(has_line(write_event(e), "RRULE:FREQ=DAILY;COUNT=1"));
}

TEST(IcalWriter, OverrideIsStampedWithItsOwnLastModified) {
  event e = monthly_meeting();
  occurrence_override o;
  o.key = occurrence_key::timed(utc(2026, 1, 6, 18));
  o.title = "Neujahrstreffen";
  o.sequence = 1;
  o.last_modified = utc(2025, 10, 15, 9);  // before the series' last change
  e.overrides.push_back(o);
  const auto ov = component(write_event(e), "VEVENT", 1);
  ASSERT_GE(ov.size(), 6U);
  EXPECT_EQ(ov[2], "DTSTAMP:20251015T090000Z");
  EXPECT_EQ(ov[4], "LAST-MODIFIED:20251015T090000Z");
  EXPECT_EQ(ov[5], "SEQUENCE:2");  // the series' 2 is larger
}

TEST(IcalWriter, RdateHasTheValueTypeOfDtstart) {
  event e = monthly_meeting();
  e.rdates.push_back(local(2025, 12, 23, 19));
  EXPECT_TRUE(has_line(write_event(e), "RDATE;TZID=Europe/Berlin:20251223T190000"));

  event day = all_day_workshop();
  day.rule = rule("FREQ=WEEKLY;COUNT=3");
  day.rdates.push_back(local(2026, 1, 10));
  day.overrides.push_back({});
  day.overrides.back().key = occurrence_key::all_day(date::sys_days{date::year{2025} / 12 / 20});
  day.overrides.back().cancelled = true;
  const std::string feed = write_event(day);
  EXPECT_TRUE(has_line(feed, "RDATE;VALUE=DATE:20260110"));
  EXPECT_TRUE(has_line(feed, "EXDATE;VALUE=DATE:20251220"));
}

TEST(IcalWriter, MovedOccurrenceIsOverrideWithRecurrenceId) {
  event e = monthly_meeting();
  occurrence_override o;
  o.key = occurrence_key::timed(utc(2026, 4, 7, 17));  // 19:00 CEST
  o.start = local(2026, 4, 8, 18);
  o.duration = 90min;
  o.location = "Rathaus, Saal 1";
  o.sequence = 1;  // below the series': SEQUENCE is the larger
  o.last_modified = utc(2026, 3, 1, 10);
  e.overrides.push_back(o);
  const std::string feed = dumped("moved", write_event(e));

  ASSERT_EQ(count_of(feed, "BEGIN:VEVENT"), 2U);
  const auto ov = component(feed, "VEVENT", 1);
  const std::vector<std::string> expected{
      "BEGIN:VEVENT",
      "UID:event-1@treffpunkt.example",
      "DTSTAMP:20260301T100000Z",
      "CREATED:20251001T080000Z",
      "LAST-MODIFIED:20260301T100000Z",
      "SEQUENCE:2",
      "RECURRENCE-ID;TZID=Europe/Berlin:20260407T190000",
      "DTSTART;TZID=Europe/Berlin:20260408T180000",
      "DTEND;TZID=Europe/Berlin:20260408T193000",
      "SUMMARY:Offenes Treffen der Netzwerkstelle Frauen*",
      "DESCRIPTION:Für alle\\, die mitmachen wollen\\; Thüringen\\, Sachsen und Anhalt.",
      "LOCATION:Rathaus\\, Saal 1",
      "STATUS:CONFIRMED",
      "TRANSP:OPAQUE",
      "CATEGORIES:MEETING",  // write_event was given no language: the stable label
      "X-TREFFPUNKT-KIND:MEETING",
      "END:VEVENT"};
  EXPECT_EQ(ov, expected);
  // The override carries no recurrence set of its own.
  for (const std::string& l : ov) EXPECT_NE(l.rfind("RRULE", 0), 0U) << l;
}

// A one-off event has no series for a RECURRENCE-ID: its moved (or cancelled) only date is the
// event itself, as the pages show it, in one VEVENT.
TEST(IcalWriter, OneOffWithItsOnlyDateMovedIsTheEventAtItsNewTime) {
  event e = monthly_meeting();
  e.rule.reset();
  occurrence_override o;
  o.key = occurrence_key::timed(utc(2025, 12, 2, 18));  // its only date, 19:00 CET
  o.start = local(2025, 12, 3, 18);
  o.duration = 90min;
  o.location = "Rathaus, Saal 1";
  o.sequence = 3;
  o.last_modified = utc(2025, 11, 20, 10);
  e.overrides.push_back(o);
  const std::string feed = dumped("one-off-moved", write_event(e));
  ASSERT_EQ(count_of(feed, "BEGIN:VEVENT"), 1U);
  EXPECT_TRUE(has_line(feed, "DTSTART;TZID=Europe/Berlin:20251203T180000"));
  EXPECT_TRUE(has_line(feed, "DTEND;TZID=Europe/Berlin:20251203T193000"));
  EXPECT_TRUE(has_line(feed, "LOCATION:Rathaus\\, Saal 1"));
  EXPECT_TRUE(has_line(feed, "SEQUENCE:3"));
  EXPECT_TRUE(has_line(feed, "LAST-MODIFIED:20251120T100000Z"));
  EXPECT_TRUE(has_line(feed, "STATUS:CONFIRMED"));
  EXPECT_EQ(count_of(feed, "RECURRENCE-ID"), 0U);
  for (const std::string& l : component(feed, "VEVENT", 0)) EXPECT_NE(l.rfind("RRULE", 0), 0U) << l;

  e.overrides.front().cancelled = true;
  const std::string cancelled = write_event(e);
  ASSERT_EQ(count_of(cancelled, "BEGIN:VEVENT"), 1U);
  EXPECT_TRUE(has_line(cancelled, "STATUS:CANCELLED"));
  EXPECT_EQ(count_of(cancelled, "EXDATE"), 0U);
  EXPECT_EQ(count_of(cancelled, "RECURRENCE-ID"), 0U);
}

TEST(IcalWriter, AllDayEventUsesDateValues) {
  const std::string feed = write_event(all_day_workshop());
  EXPECT_TRUE(has_line(feed, "DTSTART;VALUE=DATE:20251213"));
  EXPECT_TRUE(has_line(feed, "DTEND;VALUE=DATE:20251214"));
  // No TZID is used, so no VTIMEZONE is needed.
  EXPECT_EQ(count_of(feed, "TZID"), 0U);
  EXPECT_EQ(count_of(feed, "BEGIN:VTIMEZONE"), 0U);
}

TEST(IcalWriter, AllDayOverrideHasDateRecurrenceId) {
  event e = all_day_workshop();
  e.rule = rule("FREQ=WEEKLY;COUNT=4");
  e.duration = date::days(2);
  occurrence_override o;
  o.key = occurrence_key::all_day(date::sys_days{date::year{2025} / 12 / 20});
  o.start = local(2025, 12, 21);
  o.title = "Erfahrungsaustausch (Sonntag)";
  e.overrides.push_back(o);
  const std::string feed = dumped("all-day-override", write_event(e));
  const auto ov = component(feed, "VEVENT", 1);
  EXPECT_NE(std::find(ov.begin(), ov.end(), "RECURRENCE-ID;VALUE=DATE:20251220"), ov.end());
  EXPECT_NE(std::find(ov.begin(), ov.end(), "DTSTART;VALUE=DATE:20251221"), ov.end());
  EXPECT_NE(std::find(ov.begin(), ov.end(), "DTEND;VALUE=DATE:20251223"), ov.end());
}

TEST(IcalWriter, CancelledEventHasStatusCancelled) {
  event e = all_day_workshop();
  e.status = event_status::cancelled;
  EXPECT_TRUE(has_line(write_event(e), "STATUS:CANCELLED"));
}

TEST(IcalWriter, RelatedToNamesTheSeriesItWasSplitFrom) {
  event e = monthly_meeting();
  e.uid = "event-3@treffpunkt.example";
  e.related_to = "event-1@treffpunkt.example";
  EXPECT_TRUE(has_line(write_event(e), "RELATED-TO:event-1@treffpunkt.example"));
  EXPECT_FALSE(has_line(write_event(monthly_meeting()), "RELATED-TO:"));
}

TEST(IcalWriter, KindIsACategoryInTheFeedsLanguageBesideTheXProperty) {
  const std::vector<event> events{monthly_meeting(), all_day_workshop()};
  struct expected {
    std::optional<language> lang;
    const char* meeting;
    const char* offer;
  };
  for (const auto& [lang, meeting, offer] :
       {expected{language::de, "CATEGORIES:Treffen", "CATEGORIES:Austauschangebot"},
        expected{language::en, "CATEGORIES:Meeting", "CATEGORIES:Exchange offer"},
        expected{std::nullopt, "CATEGORIES:MEETING", "CATEGORIES:EXCHANGE-OFFER"}}) {
    feed_info info = frauen_feed();
    info.lang = lang;
    const std::string feed =
        dumped(std::string("categories-") + (lang ? std::string(tag(*lang)) : "stable"),
               write_feed(info, events));
    const auto first = component(feed, "VEVENT", 0);
    const auto second = component(feed, "VEVENT", 1);
    EXPECT_NE(std::find(first.begin(), first.end(), meeting), first.end()) << meeting;
    EXPECT_NE(std::find(first.begin(), first.end(), "X-TREFFPUNKT-KIND:MEETING"), first.end());
    EXPECT_NE(std::find(second.begin(), second.end(), offer), second.end()) << offer;
    EXPECT_NE(std::find(second.begin(), second.end(), "X-TREFFPUNKT-KIND:EXCHANGE-OFFER"),
              second.end());
    EXPECT_EQ(count_of(feed, "CATEGORIES:"), 2U);
  }
  EXPECT_EQ(category_label(event_kind::exchange_offer, language::de), "Austauschangebot");
  EXPECT_EQ(category_label(event_kind::meeting, std::nullopt), "MEETING");
}

TEST(IcalWriter, OverridesCarryTheCategoryOfTheirSeries) {
  event e = monthly_meeting();
  e.kind = event_kind::exchange_offer;
  e.overrides.push_back(cancelled_on(utc(2026, 1, 6, 18)));  // an EXDATE, no VEVENT
  occurrence_override moved;
  moved.key = occurrence_key::timed(utc(2026, 2, 3, 18));
  moved.start = local(2026, 2, 5, 18, 30);
  e.overrides.push_back(moved);
  feed_info info = frauen_feed();
  info.lang = language::en;
  const std::string feed = dumped("override-category", write_feed(info, std::vector<event>{e}));
  ASSERT_EQ(count_of(feed, "BEGIN:VEVENT"), 2U);
  for (std::size_t n = 0; n < 2; ++n) {
    const auto ev = component(feed, "VEVENT", n);
    EXPECT_EQ(std::count(ev.begin(), ev.end(), "CATEGORIES:Exchange offer"), 1) << n;
    EXPECT_EQ(std::count(ev.begin(), ev.end(), "X-TREFFPUNKT-KIND:EXCHANGE-OFFER"), 1) << n;
  }
}

TEST(IcalWriter, SingleEventFeedCarriesTheCategoryInItsLanguage) {
  EXPECT_TRUE(
      has_line(write_event(all_day_workshop(), language::de), "CATEGORIES:Austauschangebot"));
  EXPECT_TRUE(has_line(write_event(all_day_workshop()), "CATEGORIES:EXCHANGE-OFFER"));
}

TEST(IcalWriter, AFeedNamesTheHostFirstInTheDescriptionWhereTheyAllowedIt) {
  event offer = all_day_workshop();
  offer.host = "Paula Neumann";
  offer.description = "Zwei Jahre Bürgerhaushalt.";
  feed_info info = frauen_feed();
  info.lang = language::de;
  const std::string feed = write_feed(info, std::vector<event>{offer});
  EXPECT_TRUE(has_line(feed,
                       "DESCRIPTION:Gastgeber*in: Paula Neumann\\n\\nZwei Jahre "
                       "Bürgerhaushalt.\\nhttps://meet.example.org/kommunales"))
      << feed;
  EXPECT_TRUE(has_line(feed, "X-TREFFPUNKT-HOST:Paula Neumann"));
  info.lang = language::en;
  EXPECT_NE(write_feed(info, std::vector<event>{offer}).find("DESCRIPTION:Host: Paula Neumann"),
            std::string::npos);
  // With a link and no text; never in an invitation (it has no CATEGORIES either).
  offer.description.clear();
  offer.online_url = "https://meet.example.org/bh";
  info.lang = language::de;
  EXPECT_TRUE(has_line(write_feed(info, std::vector<event>{offer}),
                       "DESCRIPTION:Gastgeber*in: Paula Neumann\\n\\nhttps://meet.example.org/bh"));
  // Nobody named: the description as before, no X-property.
  offer.host.clear();
  const std::string unnamed = write_feed(info, std::vector<event>{offer});
  EXPECT_TRUE(has_line(unnamed, "DESCRIPTION:https://meet.example.org/bh"));
  EXPECT_EQ(unnamed.find("X-TREFFPUNKT-HOST"), std::string::npos);
  EXPECT_EQ(unnamed.find("Gastgeber"), std::string::npos);
}

TEST(IcalWriter, SingleEventIsItsOwnCalendarNamedAfterIt) {
  const std::string ics = write_event(monthly_meeting());
  EXPECT_TRUE(has_line(ics, "METHOD:PUBLISH"));
  EXPECT_TRUE(has_line(ics, "NAME:Offenes Treffen der Netzwerkstelle Frauen*"));
  EXPECT_TRUE(has_line(ics, "X-WR-CALNAME:Offenes Treffen der Netzwerkstelle Frauen*"));
  EXPECT_EQ(count_of(ics, "BEGIN:VEVENT"), 1U);
}

TEST(IcalWriter, RefreshIntervalFollowsFeedInfo) {
  feed_info info = frauen_feed();
  info.refresh_interval = 90min;
  const std::string feed = write_feed(info, {});
  EXPECT_TRUE(has_line(feed, "REFRESH-INTERVAL;VALUE=DURATION:PT1H30M"));
  EXPECT_TRUE(has_line(feed, "X-PUBLISHED-TTL:PT1H30M"));
  info.refresh_interval = date::days(1);
  EXPECT_TRUE(has_line(write_feed(info, {}), "X-PUBLISHED-TTL:P1D"));
}

TEST(IcalWriter, EveryTzidHasItsVtimezoneExactlyOnceAndNoFreeassociation) {
  std::vector<event> events;
  for (const char* zone : {"Europe/Berlin", "America/New_York", "Europe/Berlin", "Australia/Sydney",
                           "Asia/Tokyo", "America/New_York"}) {
    event e = monthly_meeting();
    e.uid = std::string("uid-") + zone + std::to_string(events.size());
    e.zone = zone;
    e.overrides.push_back(cancelled_on(to_utc(local(2026, 1, 6, 19), zone)));
    events.push_back(e);
  }
  events.push_back(all_day_workshop());
  const std::string feed = dumped("zones", write_feed(frauen_feed(), events));
  EXPECT_EQ(feed.find("freeassociation"), std::string::npos);

  std::set<std::string> used;
  std::map<std::string, int> defined;
  for (const std::string& l : content_lines(feed)) {
    if (l.rfind("TZID:", 0) == 0) ++defined[l.substr(5)];
    const std::size_t at = l.find(";TZID=");
    if (at != std::string::npos) {
      const std::size_t end = l.find_first_of(":;", at + 6);
      used.insert(l.substr(at + 6, end - at - 6));
    }
  }
  EXPECT_EQ(used, (std::set<std::string>{"America/New_York", "Asia/Tokyo", "Australia/Sydney",
                                         "Europe/Berlin"}));
  for (const std::string& z : used) EXPECT_EQ(defined[z], 1) << z;
  EXPECT_EQ(defined.size(), used.size());
  expect_well_folded(feed);
}

TEST(IcalWriter, UnitFeedOf150EventsRendersQuickly) {
  std::vector<event> events;
  for (int i = 0; i < 150; ++i) {
    event e = i % 3 == 0 ? all_day_workshop() : monthly_meeting();
    e.uid = "event-" + std::to_string(i) + "@treffpunkt.example";
    if (i % 5 == 0) e.overrides.push_back(cancelled_on(utc(2026, 1, 6, 18)));
    events.push_back(e);
  }
  (void)write_feed(frauen_feed(), events);  // the VTIMEZONE cache
  const auto begin = std::chrono::steady_clock::now();
  constexpr int rounds = 20;
  std::size_t total = 0;
  for (int i = 0; i < rounds; ++i) total += write_feed(frauen_feed(), events).size();
  const auto each = (std::chrono::steady_clock::now() - begin) / rounds;
  EXPECT_GT(total, 0U);
  // Well under a millisecond in a release build; the bound leaves room for debug builds
  // with sanitizers on a busy machine.
  EXPECT_LT(each, 25ms);
}

// ---------------------------------------------------------------------------------------------
// What a feed carries (select_for_feed)

std::vector<std::string> selected_uids(const std::vector<event>& events, utc_seconds now) {
  std::vector<std::string> out;
  for (const event* e : select_for_feed(events, now)) out.push_back(e->uid);
  return out;
}

TEST(IcalWriter, CancelledOneOffStaysThirtyDaysThenIsDropped) {
  const utc_seconds now = utc(2026, 6, 1, 12);
  event e = all_day_workshop();
  e.start = local(2026, 6, 20);
  e.status = event_status::cancelled;
  e.last_modified = now - date::days(29);
  EXPECT_EQ(selected_uids({e}, now).size(), 1U);
  e.last_modified = now - date::days(30);
  EXPECT_EQ(selected_uids({e}, now).size(), 1U);
  e.last_modified = now - date::days(31);
  EXPECT_TRUE(selected_uids({e}, now).empty());

  e.last_modified = now - date::days(1);
  EXPECT_TRUE(has_line(write_event(e), "STATUS:CANCELLED"));
}

TEST(IcalWriter, OneOffEventIsKeptNinetyDaysAfterItEnded) {
  const utc_seconds now = utc(2026, 6, 1, 12);
  event e = monthly_meeting();
  e.rule.reset();
  e.start = to_local(now - date::days(80) - 2h, e.zone);
  EXPECT_EQ(selected_uids({e}, now).size(), 1U);
  e.start = to_local(now - date::days(100) - 2h, e.zone);
  EXPECT_TRUE(selected_uids({e}, now).empty());
}

TEST(IcalWriter, SeriesEndedHundredDaysAgoIsDroppedEightyDaysAgoKept) {
  const utc_seconds now = utc(2026, 6, 1, 12);
  // Three daily occurrences of two hours; the last one ends `ago` before now.
  auto ended = [&](date::days ago) {
    event e = monthly_meeting();
    e.uid = "ended-" + std::to_string(ago.count());
    e.rule = rule("FREQ=DAILY;COUNT=3");
    e.start = to_local(now - ago - date::days(2) - 2h, e.zone);
    return e;
  };
  EXPECT_EQ(selected_uids({ended(date::days(100)), ended(date::days(80))}, now),
            (std::vector<std::string>{"ended-80"}));

  event until = monthly_meeting();
  until.rule = rule("FREQ=MONTHLY;BYDAY=1TU;UNTIL=20260201T000000Z");  // last on 2026-01-06
  EXPECT_TRUE(selected_uids({until}, now).empty());
  EXPECT_EQ(selected_uids({until}, utc(2026, 4, 1)).size(), 1U);
}

TEST(IcalWriter, EndlessSeriesIsAlwaysKept) {
  event e = monthly_meeting();
  e.start = local(2019, 1, 1, 19);
  e.rule = rule("FREQ=WEEKLY");
  EXPECT_EQ(selected_uids({e}, utc(2030, 1, 1)).size(), 1U);
}

TEST(IcalWriter, SelectionKeepsTheOrderGiven) {
  const utc_seconds now = utc(2025, 12, 1);
  event a = monthly_meeting();
  a.uid = "b";
  event b = all_day_workshop();
  b.uid = "a";
  EXPECT_EQ(selected_uids({a, b}, now), (std::vector<std::string>{"b", "a"}));
}

// ---------------------------------------------------------------------------------------------
// iMIP (RFC 6047, RFC 5546)

imip_party people() {
  return {"Netzwerkstelle Frauen*", "frauen@treffpunkt.example", "Anna Müller", "anna@example.org"};
}

TEST(IcalWriter, MethodNameMatchesTheCalendarMethod) {
  EXPECT_EQ(method_name(imip_method::request), "REQUEST");
  EXPECT_EQ(method_name(imip_method::cancel), "CANCEL");
}

TEST(IcalWriter, ImipRequestCarriesOrganizerAttendeeAndMethod) {
  const event e = all_day_workshop();
  const std::string ics = write_imip(imip_method::request, e, std::nullopt, people());
  EXPECT_TRUE(has_line(ics, "METHOD:REQUEST"));
  EXPECT_FALSE(has_line(ics, "METHOD:PUBLISH"));
  EXPECT_TRUE(
      has_line(ics, "ORGANIZER;CN=\"Netzwerkstelle Frauen*\":mailto:frauen@treffpunkt.example"));
  EXPECT_TRUE(has_line(ics,
                       "ATTENDEE;CN=\"Anna Müller\";ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;"
                       "RSVP=FALSE:mailto:anna@example.org"));
  EXPECT_TRUE(has_line(ics, "UID:event-2@treffpunkt.example"));
  EXPECT_TRUE(has_line(ics, "SEQUENCE:0"));
  EXPECT_TRUE(has_line(ics, "STATUS:CONFIRMED"));
  EXPECT_EQ(count_of(ics, "BEGIN:VEVENT"), 1U);
  expect_well_folded(ics);
}

TEST(IcalWriter, ImipCancelOfWholeEventRaisesSequence) {
  const event e = monthly_meeting();
  const std::string ics = write_imip(imip_method::cancel, e, std::nullopt, people());
  EXPECT_TRUE(has_line(ics, "METHOD:CANCEL"));
  EXPECT_TRUE(has_line(ics, "STATUS:CANCELLED"));
  EXPECT_TRUE(has_line(ics, "SEQUENCE:3"));
  EXPECT_TRUE(has_line(ics, "UID:event-1@treffpunkt.example"));
  EXPECT_EQ(count_of(ics, "BEGIN:VTIMEZONE"), 1U);
  EXPECT_TRUE(has_line(ics, "TZID:Europe/Berlin"));

  event moved = e;  // an override sent with SEQUENCE 7 must not outrank the cancellation
  moved.overrides.push_back({});
  moved.overrides.back().key = occurrence_key::timed(utc(2026, 2, 3, 18));
  moved.overrides.back().start = local(2026, 2, 4, 19);
  moved.overrides.back().sequence = 7;
  EXPECT_TRUE(
      has_line(write_imip(imip_method::cancel, moved, std::nullopt, people()), "SEQUENCE:8"));
}

TEST(IcalWriter, ImipCancelOfOneOccurrenceHasRecurrenceId) {
  event e = monthly_meeting();
  e.overrides.push_back(cancelled_on(utc(2026, 1, 6, 18)));
  const std::string ics =
      write_imip(imip_method::cancel, e, occurrence_key::timed(utc(2026, 1, 6, 18)), people());
  EXPECT_TRUE(has_line(ics, "METHOD:CANCEL"));
  EXPECT_TRUE(has_line(ics, "RECURRENCE-ID;TZID=Europe/Berlin:20260106T190000"));
  EXPECT_TRUE(has_line(ics, "DTSTART;TZID=Europe/Berlin:20260106T190000"));
  EXPECT_TRUE(has_line(ics, "DTEND;TZID=Europe/Berlin:20260106T210000"));
  EXPECT_TRUE(has_line(ics, "STATUS:CANCELLED"));
  EXPECT_TRUE(has_line(ics, "SEQUENCE:4"));  // the override's 3, plus one
  EXPECT_EQ(count_of(ics, "RRULE:FREQ=MONTHLY"), 0U);
  EXPECT_EQ(count_of(ics, "EXDATE"), 0U);
  EXPECT_TRUE(
      has_line(ics, "ORGANIZER;CN=\"Netzwerkstelle Frauen*\":mailto:frauen@treffpunkt.example"));
  EXPECT_EQ(count_of(ics, "BEGIN:VEVENT"), 1U);
}

TEST(IcalWriter, ImipRequestOfMovedOccurrenceSendsItsNewTime) {
  event e = monthly_meeting();
  occurrence_override o;
  o.key = occurrence_key::timed(utc(2026, 2, 3, 18));
  o.start = local(2026, 2, 5, 18, 30);
  o.sequence = 5;
  o.last_modified = utc(2026, 1, 20, 8);
  e.overrides.push_back(o);
  const std::string ics = write_imip(imip_method::request, e, o.key, people());
  const auto ev = component(ics, "VEVENT");
  auto has = [&](std::string_view l) { return std::find(ev.begin(), ev.end(), l) != ev.end(); };
  EXPECT_TRUE(has("RECURRENCE-ID;TZID=Europe/Berlin:20260203T190000"));
  EXPECT_TRUE(has("DTSTART;TZID=Europe/Berlin:20260205T183000"));
  EXPECT_TRUE(has("DTEND;TZID=Europe/Berlin:20260205T203000"));
  EXPECT_TRUE(has("SEQUENCE:5"));
  EXPECT_TRUE(has("DTSTAMP:20260120T080000Z"));
  EXPECT_TRUE(has_line(ics, "METHOD:REQUEST"));
}

TEST(IcalWriter, ImipRequestOfPlainOccurrenceUsesItsOwnStart) {
  const event e = monthly_meeting();
  const std::string ics =
      write_imip(imip_method::request, e, occurrence_key::timed(utc(2026, 7, 7, 17)), people());
  EXPECT_TRUE(has_line(ics, "RECURRENCE-ID;TZID=Europe/Berlin:20260707T190000"));
  EXPECT_TRUE(has_line(ics, "DTSTART;TZID=Europe/Berlin:20260707T190000"));
  EXPECT_TRUE(has_line(ics, "DTEND;TZID=Europe/Berlin:20260707T210000"));
  EXPECT_TRUE(has_line(ics, "SEQUENCE:2"));
}

TEST(IcalWriter, ImipKeepsTheKindOnlyAsXProperty) {
  // A message knows no language: the feed's copy of the event shows the category.
  const std::string ics =
      write_imip(imip_method::request, all_day_workshop(), std::nullopt, people());
  EXPECT_EQ(count_of(ics, "CATEGORIES"), 0U);
  EXPECT_TRUE(has_line(ics, "X-TREFFPUNKT-KIND:EXCHANGE-OFFER"));
}

TEST(IcalWriter, ImipNamesAreQuotedWithoutQuotesOrControls) {
  imip_party p = people();
  p.attendee_name = "Anna \"Nanni\"\r\nMüller; Kassel, Nord";
  p.attendee_email = "anna@example.org\r\nX-INJECTED:1";
  const std::string ics = write_imip(imip_method::request, monthly_meeting(), std::nullopt, p);
  EXPECT_TRUE(has_line(ics,
                       "ATTENDEE;CN=\"Anna 'Nanni'  Müller; Kassel, Nord\";ROLE=REQ-PARTICIPANT;"
                       "PARTSTAT=ACCEPTED;RSVP=FALSE:mailto:anna@example.orgX-INJECTED:1"));
  EXPECT_FALSE(has_line(ics, "X-INJECTED:1"));
}

}  // namespace
