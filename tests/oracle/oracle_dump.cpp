/// oracle_dump OUTDIR: writes feeds of realistic events as OUTDIR/NAME.ics and, beside each,
/// OUTDIR/NAME.json with the two-year window and the calendar library's own expansion of every
/// event in it. check_python.py and check_icaljs.mjs expand the .ics files with other people's
/// code and compare with the .json, occurrence by occurrence.
///
/// JSON layout (one file per feed):
///   {"feed": "frauen", "from": "2025-01-01T00:00:00Z", "to": "2027-01-01T00:00:00Z",
///    "occurrences": [{"uid": "...", "recurrence_id": "20250107T180000Z", "all_day": false,
///                     "start": "2025-01-07T18:00:00Z", "end": "2025-01-07T20:00:00Z",
///                     "title": "..."}, ...]}
/// `recurrence_id` is occurrence_key::to_string(); for all-day occurrences `start` and `end`
/// are dates ("2025-02-01"), `end` exclusive. Only occurrences that are not cancelled appear,
/// i.e. what a calendar app should show.

#include <calendar/event.h>
#include <calendar/expand.h>
#include <calendar/ical_writer.h>
#include <calendar/recurrence.h>
#include <calendar/time.h>
#include <date/date.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

namespace cal = treffpunkt::calendar;
namespace json = boost::json;
using namespace std::chrono_literals;

/// The window every feed is expanded in: two years, as the task of the oracles says.
const cal::utc_seconds window_from = date::sys_days{date::year{2025} / 1 / 1};
const cal::utc_seconds window_to = date::sys_days{date::year{2027} / 1 / 1};

cal::local_seconds local(int y, unsigned m, unsigned d, int hh = 0, int mm = 0) {
  return date::local_days{date::year{y} / date::month{m} / date::day{d}} + std::chrono::hours{hh} +
         std::chrono::minutes{mm};
}

cal::utc_seconds utc(int y, unsigned m, unsigned d, int hh = 0, int mm = 0) {
  return date::sys_days{date::year{y} / date::month{m} / date::day{d}} + std::chrono::hours{hh} +
         std::chrono::minutes{mm};
}

cal::recurrence_rule rule(std::string_view text) {
  return cal::recurrence_rule::parse(text).value();
}

/// Collects the events of one feed; ids and UIDs are numbered so that every UID is unique.
class feed_builder {
 public:
  feed_builder(std::string name, cal::feed_info info)
      : name_(std::move(name)), info_(std::move(info)) {}

  /// A timed event with sensible defaults; the caller fills in rule, overrides and the rest.
  cal::event& add(std::string uid_stem, std::string title, cal::local_seconds start,
                  std::chrono::seconds duration = 2h, std::string zone = "Europe/Berlin") {
    cal::event e;
    e.id = cal::event_id{next_id_};
    e.unit = cal::unit_id{1};
    e.uid = uid_stem + "-" + std::to_string(next_id_) + "@treffpunkt.example";
    ++next_id_;
    e.sequence = 1;
    e.created = utc(2024, 11, 3, 10, 15);
    e.last_modified = utc(2024, 11, 20, 8, 30);
    e.title = std::move(title);
    e.description = "Offenes Treffen der Netzwerkstelle.\nAlle sind willkommen; bringt Ideen mit!";
    e.location = "Jugendzentrum \"Mühle\", Raum 2, Erfurt";
    e.zone = std::move(zone);
    e.start = start;
    e.duration = duration;
    events_.push_back(std::move(e));
    return events_.back();
  }

  /// An all-day event starting on the given day, `days` long.
  cal::event& add_all_day(std::string uid_stem, std::string title, cal::local_seconds first_day,
                          int days) {
    cal::event& e =
        add(std::move(uid_stem), std::move(title), first_day, std::chrono::hours{24 * days});
    e.all_day = true;
    return e;
  }

  const std::string& name() const { return name_; }
  const cal::feed_info& info() const { return info_; }
  std::vector<cal::event>& events() { return events_; }

 private:
  std::string name_;
  cal::feed_info info_;
  std::vector<cal::event> events_;
  std::int64_t next_id_ = 1;
};

cal::occurrence_override cancelled(cal::occurrence_key key) {
  cal::occurrence_override o;
  o.key = key;
  o.cancelled = true;
  o.sequence = 2;
  o.last_modified = utc(2025, 1, 10, 12);
  return o;
}

cal::occurrence_override moved(cal::occurrence_key key, cal::local_seconds new_start) {
  cal::occurrence_override o;
  o.key = key;
  o.start = new_start;
  o.sequence = 2;
  o.last_modified = utc(2025, 1, 10, 12);
  return o;
}

/// Feed 1, Netzwerkstelle Frauen*: the weekly meeting with cancellations and moves, the
/// monthly first-Tuesday meeting, an all-day series, a one-off and a cancelled one-off.
feed_builder frauen_feed() {
  feed_builder f("frauen",
                 {.name = "Netzwerkstelle Frauen*",
                  .description = "Treffen, Erfahrungsaustausch und Empowerment – für "
                                 "Frauen*, Lesben, inter, nicht-binäre, trans und agender "
                                 "Personen 💜",
                  .colour = "#aa3355",
                  .url = "https://treffpunkt.example/units/frauen.ics",
                  .lang = cal::language::de});

  // Weekly on Tuesdays 19:00, across both DST switches of 2025 and 2026.
  cal::event& weekly = f.add("frauen-weekly", "Frauen*-Treffen: Austausch & Vernetzung 💬",
                             local(2024, 10, 1, 19), 2h);
  weekly.rule = rule("FREQ=WEEKLY;BYDAY=TU");
  // Cancelled once in winter time (18:00 UTC) and once in summer time (17:00 UTC).
  weekly.overrides.push_back(cancelled(cal::occurrence_key::timed(utc(2025, 2, 4, 18))));
  weekly.overrides.push_back(cancelled(cal::occurrence_key::timed(utc(2025, 8, 12, 17))));
  // Moved across the spring switch: from Tuesday 25 March 2025 (CET) to Thursday 3 April
  // 18:00 (CEST).
  weekly.overrides.push_back(
      moved(cal::occurrence_key::timed(utc(2025, 3, 25, 18)), local(2025, 4, 3, 18)));
  {  // Only the title and place change; time stays.
    cal::occurrence_override o;
    o.key = cal::occurrence_key::timed(utc(2025, 9, 9, 17));
    o.title = "Frauen*-Treffen – heute im Café Größenwahn ☕";
    o.location = "Café Größenwahn, Löberstraße 12, Erfurt";
    o.sequence = 3;
    o.last_modified = utc(2025, 9, 1, 9);
    weekly.overrides.push_back(o);
  }
  // Moved back across the autumn switch: from Tuesday 28 October 2025 (CET) to Thursday
  // 23 October (CEST), and made longer.
  {
    cal::occurrence_override o =
        moved(cal::occurrence_key::timed(utc(2025, 10, 28, 18)), local(2025, 10, 23, 18, 30));
    o.duration = 3h;
    weekly.overrides.push_back(o);
  }
  // Moved out of the window: the first occurrence of 2025 goes back to 30 December 2024.
  weekly.overrides.push_back(
      moved(cal::occurrence_key::timed(utc(2025, 1, 7, 18)), local(2024, 12, 30, 19)));

  // Monthly, first Tuesday 19:00, with one cancelled and one moved.
  cal::event& monthly =
      f.add("frauen-plenum", "Plenum der Netzwerkstelle Frauen*", local(2025, 1, 7, 19), 150min);
  monthly.rule = rule("FREQ=MONTHLY;BYDAY=1TU");
  monthly.overrides.push_back(cancelled(cal::occurrence_key::timed(utc(2025, 4, 1, 17))));
  monthly.overrides.push_back(
      moved(cal::occurrence_key::timed(utc(2026, 3, 3, 18)), local(2026, 3, 31, 19)));

  // An empowerment weekend, all day Saturday and Sunday, every first Saturday of the quarter.
  cal::event& weekend = f.add_all_day("frauen-empowerment", "Empowerment-Wochenende für Frauen*",
                                      local(2025, 1, 4), 2);
  weekend.rule = rule("FREQ=MONTHLY;INTERVAL=3;BYDAY=1SA");
  weekend.kind = cal::event_kind::exchange_offer;
  weekend.overrides.push_back(
      cancelled(cal::occurrence_key::all_day(date::sys_days{date::year{2025} / 7 / 5})));

  // One-off workshop and a cancelled one-off.
  f.add("frauen-workshop", "Workshop: Selbstverteidigung & Selbstbehauptung",
        local(2025, 5, 17, 10), 6h)
      .kind = cal::event_kind::exchange_offer;
  cal::event& gone = f.add("frauen-lesung", "Lesung „Schüler*innen in Thüringen“ (fällt aus)",
                           local(2025, 6, 12, 19, 30), 90min);
  gone.status = cal::event_status::cancelled;
  return f;
}

/// Feed 2, Netzwerkstelle Bildung: biweekly, last Friday, last weekday, COUNT, UNTIL, RDATE.
feed_builder bildung_feed() {
  feed_builder f("bildung", {.name = "Netzwerkstelle Bildung",
                             .description = "Bildungsarbeit, Seminare, Erfahrungsaustausch",
                             .colour = "#3355aa",
                             .url = "https://treffpunkt.example/units/bildung.ics"});

  cal::event& biweekly = f.add("bildung-lesekreis", "Lesekreis (jede zweite Woche) 📚",
                               local(2024, 11, 13, 18, 30), 90min);
  biweekly.rule = rule("FREQ=WEEKLY;INTERVAL=2;BYDAY=WE");
  biweekly.overrides.push_back(cancelled(cal::occurrence_key::timed(utc(2025, 12, 24, 17, 30))));

  cal::event& last_friday =
      f.add("bildung-stammtisch", "Stammtisch am letzten Freitag", local(2025, 1, 31, 20), 3h);
  last_friday.rule = rule("FREQ=MONTHLY;BYDAY=-1FR");
  last_friday.overrides.push_back(
      moved(cal::occurrence_key::timed(utc(2025, 10, 31, 19)), local(2025, 10, 24, 20)));

  cal::event& last_weekday =
      f.add("bildung-orga", "Orga-Runde am letzten Werktag des Monats", local(2025, 1, 31, 17), 1h);
  last_weekday.rule = rule("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1");

  cal::event& seminar = f.add("bildung-seminar", "Seminarreihe „Politische Bildung, kritisch“",
                              local(2025, 2, 3, 17), 2h);
  seminar.rule = rule("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;COUNT=8");

  // Until the last occurrence exactly (UNTIL is inclusive): Wednesday 30 July 2025 19:00 CEST.
  cal::event& sommer = f.add("bildung-sommer", "Sommer-Werkstatt", local(2025, 6, 4, 19), 2h);
  sommer.rule = rule("FREQ=WEEKLY;BYDAY=WE;UNTIL=20250730T170000Z");

  // Monthly on the 15th plus two extra dates (RDATE), one of them moved later.
  cal::event& sprechstunde = f.add("bildung-sprechstunde", "Sprechstunde; Fragen, Ideen, Kritik",
                                   local(2025, 1, 15, 16), 1h);
  sprechstunde.rule = rule("FREQ=MONTHLY;BYMONTHDAY=15;COUNT=12");
  sprechstunde.rdates = {local(2025, 3, 27, 16), local(2025, 11, 3, 16)};
  sprechstunde.overrides.push_back(
      moved(cal::occurrence_key::timed(utc(2025, 11, 3, 15)), local(2025, 11, 4, 17)));

  // Only RDATEs, no rule.
  cal::event& tage =
      f.add("bildung-tage", "Bildungstage (drei Termine)", local(2025, 4, 5, 10), 7h);
  tage.rdates = {local(2025, 9, 20, 10), local(2026, 4, 18, 10)};

  // A one-off that straddles the window start and one that ends exactly at it (not shown).
  f.add("bildung-silvester", "Silvester-Lesung 🎆", local(2024, 12, 31, 23, 30), 2h);
  f.add("bildung-jahresende", "Jahresrückblick", local(2025, 1, 1, 0), 1h);
  // Starts exactly at the window end (not shown).
  f.add("bildung-neujahr", "Neujahrsempfang", local(2027, 1, 1, 1), 2h);
  return f;
}

/// Feed 3: daylight saving time. A daily 02:30 series crossing the spring gap, weekly
/// meetings either side of both switches, and a night event spanning the switch.
feed_builder dst_feed() {
  feed_builder f(
      "sommerzeit",
      {.name = "Netzwerkstelle Antifa", .description = "", .colour = "#222222", .url = ""});

  // 02:30 does not exist on 30 March 2025 in Europe/Berlin: RFC 5545 §3.3.5 reads it with the
  // offset before the gap, 03:30 CEST.
  cal::event& daily = f.add("antifa-nachtwache", "Nachtwache", local(2025, 3, 26, 2, 30), 1h);
  daily.rule = rule("FREQ=DAILY;COUNT=10");
  cal::event& daily_2026 =
      f.add("antifa-nachtwache-2026", "Nachtwache 2026", local(2026, 3, 27, 2, 30), 1h);
  daily_2026.rule = rule("FREQ=DAILY;UNTIL=20260402T000000Z");
  // 02:30 happens twice on 26 October 2025; RFC 5545 §3.3.5 takes the first (CEST).
  cal::event& daily_autumn =
      f.add("antifa-nachtwache-herbst", "Nachtwache (Herbst)", local(2025, 10, 23, 2, 30), 1h);
  daily_autumn.rule = rule("FREQ=DAILY;COUNT=7");

  // Weekly on Sunday 10:00 over the weeks around both switches of 2026.
  cal::event& brunch = f.add("antifa-brunch", "Antifa-Brunch", local(2026, 3, 1, 10), 2h);
  brunch.rule = rule("FREQ=WEEKLY;BYDAY=SU;COUNT=40");

  // Saturday night into Sunday, spanning the spring and autumn switches.
  cal::event& nacht = f.add("antifa-soli", "Soli-Party", local(2025, 3, 29, 22), 6h);
  nacht.rule = rule("FREQ=YEARLY;BYMONTH=3,10;BYDAY=-1SA");
  return f;
}

/// Feed 4: several zones in one feed (Sydney, New York, Berlin).
feed_builder welt_feed() {
  feed_builder f("welt", {.name = "Netzwerkstelle Kommunales – international",
                          .description = "Bündnisarbeit mit Partner*innen weltweit 🌍",
                          .colour = "#33aa55",
                          .url = "",
                          .lang = cal::language::en});

  // Sydney switches on the first Sunday of April and of October.
  cal::event& sydney = f.add("kommunales-sydney", "Partnerschafts-Call Sydney",
                             local(2025, 1, 9, 18, 30), 1h, "Australia/Sydney");
  sydney.rule = rule("FREQ=WEEKLY;BYDAY=TH");
  sydney.kind = cal::event_kind::exchange_offer;
  sydney.overrides.push_back(cancelled(cal::occurrence_key::timed(utc(2025, 4, 10, 8, 30))));
  sydney.overrides.push_back(
      moved(cal::occurrence_key::timed(utc(2025, 10, 2, 8, 30)), local(2025, 10, 6, 18, 30)));

  // New York switches on the second Sunday of March and the first of November.
  cal::event& nyc = f.add("kommunales-nyc", "Coalition meeting New York", local(2025, 1, 8, 18),
                          90min, "America/New_York");
  nyc.rule = rule("FREQ=MONTHLY;BYDAY=2WE");
  cal::event& nyc_weekly = f.add("kommunales-nyc-weekly", "Tenant organizing call (NYC)",
                                 local(2025, 3, 3, 12), 1h, "America/New_York");
  nyc_weekly.rule = rule("FREQ=WEEKLY;BYDAY=MO,FR;UNTIL=20251130T235959Z");

  cal::event& berlin =
      f.add("kommunales-ratssitzung", "Vorbereitung Ratssitzung", local(2025, 1, 13, 18), 2h);
  berlin.rule = rule("FREQ=MONTHLY;BYDAY=2MO");
  return f;
}

std::string iso(cal::utc_seconds t) { return date::format("%Y-%m-%dT%H:%M:%SZ", t); }

std::string iso_date(cal::local_seconds t) {
  return date::format("%Y-%m-%d", date::floor<date::days>(t));
}

json::value expansion(feed_builder& f) {
  json::array occurrences;
  for (const cal::event& e : f.events()) {
    for (const cal::occurrence& o : cal::expand(e, window_from, window_to)) {
      if (o.cancelled) continue;
      json::object item;
      item["uid"] = e.uid;
      item["recurrence_id"] = o.key.to_string();
      item["all_day"] = e.all_day;
      if (e.all_day) {
        item["start"] = iso_date(o.local_start);
        item["end"] = iso_date(o.local_end);
      } else {
        item["start"] = iso(o.start);
        item["end"] = iso(o.end);
      }
      item["title"] = std::string(o.title);
      occurrences.push_back(std::move(item));
    }
  }
  json::object doc;
  doc["feed"] = f.name();
  doc["from"] = iso(window_from);
  doc["to"] = iso(window_to);
  doc["occurrences"] = std::move(occurrences);
  return doc;
}

void write_file(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
  if (!out.flush()) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: oracle_dump OUTDIR\n";
    return 2;
  }
  try {
    const std::filesystem::path dir = argv[1];
    std::filesystem::create_directories(dir);
    // Start clean, so that a feed this program no longer writes cannot pass by being stale.
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      const auto ext = entry.path().extension();
      if (entry.is_regular_file() && (ext == ".ics" || ext == ".json")) {
        std::filesystem::remove(entry.path());
      }
    }
    std::vector<feed_builder> feeds;
    feeds.push_back(frauen_feed());
    feeds.push_back(bildung_feed());
    feeds.push_back(dst_feed());
    feeds.push_back(welt_feed());
    for (feed_builder& f : feeds) {
      for (cal::event& e : f.events()) {
        // The contract wants overrides sorted by key; above they are in the order of the story.
        std::ranges::sort(e.overrides, {}, &cal::occurrence_override::key);
        if (auto valid = cal::validate(e); !valid) {
          std::cerr << "oracle_dump: " << e.uid << " is not valid: " << valid.error().what()
                    << "\n";
          return 1;
        }
      }
      write_file(dir / (f.name() + ".ics"), cal::write_feed(f.info(), f.events()));
      write_file(dir / (f.name() + ".json"), json::serialize(expansion(f)) + "\n");
      std::cout << "wrote " << (dir / (f.name() + ".ics")).string() << "\n";
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "oracle_dump: " << e.what() << "\n";
    return 1;
  }
}
