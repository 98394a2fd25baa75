/// calendar_bench [FEED.ics]: how fast the calendar library expands series and renders feeds.
///
///  (a) expand: 1,000 realistic series (weekly, every other week, monthly first Tuesday, last
///      Friday, last weekday of the month; some with COUNT or UNTIL, some with cancelled and
///      moved occurrences; six zones) expanded over two years, repeated until the time is
///      stable: occurrences per second.
///  (b) render: one unit's feed of 150 events (series and one-offs, with overrides) rendered
///      with write_feed, repeated: renders per second and microseconds per render.
///  (c) with FEED.ics: writes the 1,000 series as one feed there, for bench/calendar.sh to let
///      recurring-ical-events expand the same series over the same window, and beside it
///      FEED.json, the library's own occurrences in the format of tests/oracle/oracle_dump, so
///      that tests/oracle/check_python.py can say which occurrences differ.
///
/// Lines of the form `key=value` are for bench/calendar.sh; the rest is for people.

#include <calendar/event.h>
#include <calendar/expand.h>
#include <calendar/ical_writer.h>
#include <calendar/recurrence.h>
#include <calendar/time.h>
#include <date/date.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
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
using namespace std::chrono_literals;
using bench_clock = std::chrono::steady_clock;

/// The two-year window of (a) and of bench/calendar.sh's baseline.
const cal::utc_seconds window_from = date::sys_days{date::year{2025} / 1 / 1};
const cal::utc_seconds window_to = date::sys_days{date::year{2027} / 1 / 1};

/// A small deterministic generator (splitmix64), so every run benchmarks the same events on
/// every standard library (std::uniform_int_distribution is not specified bit for bit).
class generator {
 public:
  explicit generator(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15U);
    z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9U;
    z = (z ^ (z >> 27U)) * 0x94d049bb133111ebU;
    return z ^ (z >> 31U);
  }
  /// Uniform in [0, n).
  int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
  /// True with probability percent / 100.
  bool chance(int percent) { return below(100) < percent; }

 private:
  std::uint64_t state_;
};

constexpr std::array<std::string_view, 6> zones = {"Europe/Berlin",    "Europe/Berlin",
                                                   "Europe/Vienna",    "Europe/Zurich",
                                                   "America/New_York", "Australia/Sydney"};

constexpr std::array<std::string_view, 8> titles = {
    "Frauen*-Treffen: Austausch & Vernetzung",
    "Plenum der Netzwerkstelle Bildung",
    "Antifa-Café – offenes Treffen",
    "Kommunalpolitik: Vorbereitung der Ratssitzung",
    "Empowerment-Workshop für Schüler*innen in Thüringen",
    "Erfahrungsaustausch \"Best Practice\"; mit Gästen, Snacks",
    "Lesekreis 📚 (jede zweite Woche)",
    "Bündnistreffen gegen Rechts 💪"};

cal::local_seconds local(int y, unsigned m, unsigned d, int hh = 0, int mm = 0) {
  return date::local_days{date::year{y} / date::month{m} / date::day{d}} + std::chrono::hours{hh} +
         std::chrono::minutes{mm};
}

/// A weekday of the given kind on or after `day`, so that the start is one of the rule's
/// occurrences (validate() wants that).
date::local_days first_on_or_after(date::local_days day, date::weekday wd) {
  return day + (wd - date::weekday{day});
}

cal::event base_event(generator& g, std::int64_t id, std::string_view stem) {
  cal::event e;
  e.id = cal::event_id{id};
  e.unit = cal::unit_id{1 + id % 4};
  e.uid = std::string(stem) + "-" + std::to_string(id) + "@treffpunkt.example";
  e.sequence = g.below(4);
  e.created = cal::utc_seconds{date::sys_days{date::year{2024} / 10 / 1}};
  e.last_modified = e.created + std::chrono::hours{g.below(24 * 60)};
  e.title = titles[static_cast<std::size_t>(g.below(static_cast<int>(titles.size())))];
  e.description =
      "Wir treffen uns, tauschen Erfahrungen aus und planen die nächsten Aktionen.\n"
      "Alle sind willkommen – bringt gern Freund*innen mit!";
  e.location = "Jugendzentrum \"Mühle\", Raum " + std::to_string(1 + g.below(5)) + ", Erfurt";
  if (g.chance(30)) e.online_url = "https://meet.example/netzwerkstelle-" + std::to_string(id);
  e.duration = std::chrono::minutes{60 + 30 * g.below(5)};
  return e;
}

/// One realistic series: a rule, a start that is its first occurrence, some overrides.
cal::event make_series(generator& g, std::int64_t id) {
  cal::event e = base_event(g, id, "series");
  e.zone = std::string(zones[static_cast<std::size_t>(g.below(static_cast<int>(zones.size())))]);
  const int hour = 17 + g.below(4);
  const int minute = 30 * g.below(2);
  // First day somewhere between September 2024 and August 2025.
  const date::local_days earliest =
      date::local_days{date::year{2024} / 9 / 1} + date::days{g.below(365)};
  const date::year_month first_month{date::year_month_day{earliest}.year(),
                                     date::year_month_day{earliest}.month()};
  std::string rule;
  date::local_days first_day;
  switch (g.below(5)) {
    case 0: {  // weekly on one weekday
      const date::weekday wd{static_cast<unsigned>(1 + g.below(5))};
      first_day = first_on_or_after(earliest, wd);
      rule = "FREQ=WEEKLY";
      break;
    }
    case 1: {  // every other week
      const date::weekday wd{static_cast<unsigned>(1 + g.below(5))};
      first_day = first_on_or_after(earliest, wd);
      rule = "FREQ=WEEKLY;INTERVAL=2";
      break;
    }
    case 2:  // first Tuesday of the month
      first_day = date::local_days{(first_month + date::months{1}) / date::Tuesday[1]};
      rule = "FREQ=MONTHLY;BYDAY=1TU";
      break;
    case 3:  // last Friday of the month
      first_day = date::local_days{(first_month + date::months{1}) / date::Friday[date::last]};
      rule = "FREQ=MONTHLY;BYDAY=-1FR";
      break;
    default: {  // last weekday of the month
      const date::local_days last{(first_month + date::months{1}) / date::last};
      const date::weekday wd{last};
      first_day = wd == date::Saturday ? last - date::days{1}
                  : wd == date::Sunday ? last - date::days{2}
                                       : last;
      rule = "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1";
      break;
    }
  }
  if (g.chance(8)) {
    rule += ";COUNT=" + std::to_string(10 + g.below(40));
  } else if (g.chance(8)) {
    rule += g.chance(50) ? ";UNTIL=20260630T215959Z" : ";UNTIL=20251231T225959Z";
  }
  e.start = first_day + std::chrono::hours{hour} + std::chrono::minutes{minute};
  e.rule = cal::recurrence_rule::parse(rule).value();

  // A third of the series has a cancelled or moved occurrence or two.
  if (g.chance(35)) {
    const std::vector<cal::occurrence> known = cal::expand(e, window_from, window_to);
    const int changes = 1 + g.below(3);
    for (int i = 0; i < changes && !known.empty(); ++i) {
      const cal::occurrence& o =
          known[static_cast<std::size_t>(g.below(static_cast<int>(known.size())))];
      if (e.find_override(o.key) != nullptr) continue;
      cal::occurrence_override change;
      change.key = o.key;
      change.sequence = 1;
      change.last_modified = e.last_modified + 24h;
      if (g.chance(60)) {
        change.cancelled = true;
      } else {
        change.start = o.local_start + std::chrono::hours{24 * (1 + g.below(2)) + g.below(2)};
        if (g.chance(30)) change.title = "Verschoben: " + e.title;
      }
      e.overrides.push_back(change);
      std::ranges::sort(e.overrides, {}, &cal::occurrence_override::key);
    }
  }
  return e;
}

cal::event make_one_off(generator& g, std::int64_t id) {
  cal::event e = base_event(g, id, "one-off");
  e.start = local(2025, 1, 1, 17 + g.below(4)) + std::chrono::days{g.below(540)};
  if (g.chance(5)) {
    e.status = cal::event_status::cancelled;
    e.sequence += 1;
  }
  return e;
}

std::vector<cal::event> thousand_series() {
  generator g(20250101);
  std::vector<cal::event> events;
  events.reserve(1000);
  for (std::int64_t id = 1; id <= 1000; ++id) events.push_back(make_series(g, id));
  return events;
}

/// One unit's feed: 40 series and 110 one-offs.
std::vector<cal::event> unit_feed() {
  generator g(4);
  std::vector<cal::event> events;
  events.reserve(150);
  for (std::int64_t id = 1; id <= 40; ++id) events.push_back(make_series(g, id));
  for (std::int64_t id = 41; id <= 150; ++id) events.push_back(make_one_off(g, id));
  return events;
}

std::string iso(cal::utc_seconds t) { return date::format("%Y-%m-%dT%H:%M:%SZ", t); }

/// The library's occurrences in the format of tests/oracle/oracle_dump.cpp's NAME.json.
std::string expansion_json(const std::vector<cal::event>& events) {
  boost::json::array occurrences;
  for (const cal::event& e : events) {
    for (const cal::occurrence& o : cal::expand(e, window_from, window_to)) {
      if (o.cancelled) continue;
      occurrences.push_back(boost::json::object{{"uid", e.uid},
                                                {"recurrence_id", o.key.to_string()},
                                                {"all_day", false},
                                                {"start", iso(o.start)},
                                                {"end", iso(o.end)},
                                                {"title", std::string(o.title)}});
    }
  }
  return boost::json::serialize(boost::json::object{{"feed", "series-1000"},
                                                    {"from", iso(window_from)},
                                                    {"to", iso(window_to)},
                                                    {"occurrences", std::move(occurrences)}}) +
         "\n";
}

/// Non-cancelled occurrences of all events in the window: what calendar apps show.
std::size_t expand_all(const std::vector<cal::event>& events) {
  std::size_t n = 0;
  for (const cal::event& e : events) {
    for (const cal::occurrence& o : cal::expand(e, window_from, window_to)) {
      if (!o.cancelled) ++n;
    }
  }
  return n;
}

double seconds_since(bench_clock::time_point start) {
  return std::chrono::duration<double>(bench_clock::now() - start).count();
}

/// Runs `body` until at least `min_time` has passed (and at least three times); returns the
/// number of runs and the seconds they took.
template <class F>
std::pair<std::size_t, double> repeat(F&& body, double min_time) {
  body();  // warm up: tzdata, caches, allocator
  std::size_t runs = 0;
  const auto start = bench_clock::now();
  double elapsed = 0;
  while (runs < 3 || elapsed < min_time) {
    body();
    ++runs;
    elapsed = seconds_since(start);
  }
  return {runs, elapsed};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 2) {
    std::cerr << "usage: calendar_bench [FEED.ics]\n";
    return 2;
  }
  try {
    const std::vector<cal::event> series = thousand_series();
    for (const cal::event& e : series) {
      if (auto valid = cal::validate(e); !valid) {
        std::cerr << e.uid << " (" << e.rule->to_string()
                  << ") is not valid: " << valid.error().what() << "\n";
        return 1;
      }
    }

    // (a) expansion
    std::size_t occurrences = 0;
    const auto [expand_runs, expand_time] = repeat([&] { occurrences = expand_all(series); }, 2.0);
    const double per_second = static_cast<double>(occurrences * expand_runs) / expand_time;
    std::printf("(a) expand %zu series over [%s, %s): %zu occurrences, %zu runs in %.2f s\n",
                series.size(), date::format("%FT%TZ", window_from).c_str(),
                date::format("%FT%TZ", window_to).c_str(), occurrences, expand_runs, expand_time);
    std::printf("    %.0f occurrences/s, %.2f ms per expansion of all series\n", per_second,
                1e3 * expand_time / static_cast<double>(expand_runs));
    std::printf("expand.series=%zu\nexpand.occurrences=%zu\nexpand.per_second=%.0f\n",
                series.size(), occurrences, per_second);
    std::printf("window.from=%s\nwindow.to=%s\n", date::format("%FT%TZ", window_from).c_str(),
                date::format("%FT%TZ", window_to).c_str());

    // (b) rendering one unit's feed
    const std::vector<cal::event> unit = unit_feed();
    const cal::feed_info info{.name = "Netzwerkstelle Frauen*",
                              .description = "Treffen, Erfahrungsaustausch und Empowerment",
                              .colour = "#aa3355",
                              .url = "https://treffpunkt.example/units/frauen.ics"};
    std::size_t feed_bytes = 0;
    const auto [render_runs, render_time] =
        repeat([&] { feed_bytes = cal::write_feed(info, unit).size(); }, 2.0);
    const double render_us = 1e6 * render_time / static_cast<double>(render_runs);
    std::printf("(b) render one unit's feed (%zu events, %zu bytes): %zu runs in %.2f s\n",
                unit.size(), feed_bytes, render_runs, render_time);
    std::printf("    %.0f renders/s, %.1f us per render\n",
                static_cast<double>(render_runs) / render_time, render_us);
    std::printf("render.events=%zu\nrender.bytes=%zu\nrender.us=%.1f\n", unit.size(), feed_bytes,
                render_us);

    // (c) the 1,000 series as a feed, for the baseline
    if (argc == 2) {
      const cal::feed_info all{
          .name = "Benchmark: 1000 Serien", .description = "", .colour = "", .url = ""};
      const std::filesystem::path feed = argv[1];
      std::filesystem::path json = feed;
      json.replace_extension(".json");
      std::ofstream out(feed, std::ios::binary);
      out << cal::write_feed(all, series);
      std::ofstream out_json(json, std::ios::binary);
      out_json << expansion_json(series);
      if (!out.flush() || !out_json.flush()) {
        std::cerr << "cannot write " << feed.string() << " and " << json.string() << "\n";
        return 1;
      }
      std::printf("(c) wrote %s and %s\nfeed=%s\n", feed.c_str(), json.c_str(), feed.c_str());
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "calendar_bench: " << e.what() << "\n";
    return 1;
  }
}
