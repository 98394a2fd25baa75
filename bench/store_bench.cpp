/// store_bench [--build-only] [--baseline-writes FILE] DIR: how fast the store takes RSVPs, and
/// how fast one unit's next 90 days are listed, on a database of realistic size.
///
///  (0) DIR/base holds a database of 50 units, 5,000 series (weekly, every other week, monthly
///      first Tuesday and last Friday; some with places, an RSVP deadline, an UNTIL, a cancelled
///      or moved occurrence), 20,000 people and 500,000 RSVPs spread over the occurrences of the
///      next four months, all written through the store's API. It is built once and reused:
///      DIR/manifest.txt says how far the build got, so a killed build resumes. The store has
///      no bulk path for RSVPs (every set_rsvp is one transaction that waits for an fsync), so
///      the build runs on tmpfs (/dev/shm, or STORE_BENCH_STAGING) and copies the database to
///      DIR/base after every phase and every batch of RSVPs.
///  (1) list: events_of_unit + calendar::expand over the next 90 days + sort by start, for one
///      unit; median microseconds over repetitions.
///  (2) rsvp: set_rsvp (yes / no / maybe of random people to random open occurrences) on a
///      copy of the database in DIR/run, on disk, with 1 and with 8 threads, in three
///      alternating rounds for a fixed time: writes per second, p50 and p99 latency.
///  (3) with --baseline-writes FILE: the same kind of writes (another seed) as tab-separated
///      event id, occurrence key, person id, answer and time, for bench/store.sh to let the
///      sqlite3 shell insert them into a copy of DIR/base, one transaction per row.
/// --build-only stops after (0) and (3).
///
/// The clock of the data set is the day of the build (kept in the manifest), passed as `now`
/// to every call, so that a reused database still has its "coming months" ahead of it.
/// Environment: STORE_BENCH_SCALE (default 1: units, people and RSVPs scale, 100 series per
/// unit), STORE_BENCH_SECONDS (default 15, per write run), STORE_BENCH_BASELINE_WRITES
/// (default 3000), STORE_BENCH_STAGING (a folder on tmpfs, or "none" to build in DIR/base).
///
/// Lines of the form `key=value` are for bench/store.sh; the rest is for people.

#include <calendar/event.h>
#include <calendar/expand.h>
#include <calendar/recurrence.h>
#include <calendar/rsvp.h>
#include <calendar/time.h>
#include <date/date.h>
#include <storage/store.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

namespace {

namespace cal = treffpunkt::calendar;
namespace st = treffpunkt::storage;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using bench_clock = std::chrono::steady_clock;

/// A small deterministic generator (splitmix64), as in calendar_bench: every run builds the
/// same data on every standard library.
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
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
  /// True with probability percent / 100.
  bool chance(int percent) { return below(100) < percent; }

 private:
  std::uint64_t state_;
};

// ---- configuration ------------------------------------------------------------------------

double env_number(const char* name, double fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  return std::stod(text);
}

struct config {
  double scale = 1;
  int units = 50;
  int series_per_unit = 100;
  int people = 20000;
  std::size_t rsvps = 500000;
  double write_seconds = 15;
  std::size_t baseline_writes = 3000;
  std::size_t batch = 50000;  ///< RSVPs between two copies of the staged database

  static config from_env() {
    config c;
    c.scale = env_number("STORE_BENCH_SCALE", 1);
    if (c.scale <= 0 || c.scale > 1) throw std::invalid_argument("STORE_BENCH_SCALE in (0, 1]");
    c.units = std::max(1, static_cast<int>(std::lround(50 * c.scale)));
    c.people = std::max(100, static_cast<int>(std::lround(20000 * c.scale)));
    c.rsvps = static_cast<std::size_t>(std::llround(500000 * c.scale));
    c.write_seconds = env_number("STORE_BENCH_SECONDS", 15);
    c.baseline_writes = static_cast<std::size_t>(env_number("STORE_BENCH_BASELINE_WRITES", 3000));
    c.batch = std::max<std::size_t>(5000, c.rsvps / 10);
    return c;
  }
};

// ---- the manifest: how far the build of DIR/base got ------------------------------------

enum class stage { nothing = 0, people = 1, series = 2, complete = 3 };

struct manifest {
  std::string scale;
  std::int64_t anchor_day = 0;  ///< days since 1970: the data set's "today"
  stage done = stage::nothing;
  std::size_t rsvps_loaded = 0;

  static std::optional<manifest> read(const fs::path& file) {
    std::ifstream in(file);
    if (!in) return std::nullopt;
    std::map<std::string, std::string> kv;
    for (std::string line; std::getline(in, line);) {
      if (const auto eq = line.find('='); eq != std::string::npos) {
        kv[line.substr(0, eq)] = line.substr(eq + 1);
      }
    }
    manifest m;
    m.scale = kv["scale"];
    m.anchor_day = std::stoll(kv.at("anchor_day"));
    m.done = static_cast<stage>(std::stoi(kv.at("stage")));
    m.rsvps_loaded = std::stoull(kv.at("rsvps_loaded"));
    return m;
  }

  void write(const fs::path& file) const {
    const fs::path part = file.string() + ".part";
    {
      std::ofstream out(part);
      out << "scale=" << scale << "\nanchor_day=" << anchor_day
          << "\nstage=" << static_cast<int>(done) << "\nrsvps_loaded=" << rsvps_loaded << "\n";
      if (!out.flush()) throw std::runtime_error("cannot write " + part.string());
    }
    fs::rename(part, file);
  }

  cal::utc_seconds anchor() const { return date::sys_days{date::days{anchor_day}}; }
};

// ---- helpers ----------------------------------------------------------------------------

template <class T>
T must(st::result<T> r, std::string_view what) {
  if (!r) throw std::runtime_error(std::string(what) + ": " + r.error().message);
  return std::move(*r);
}

void must(const st::result<void>& r, std::string_view what) {
  if (!r) throw std::runtime_error(std::string(what) + ": " + r.error().message);
}

std::unique_ptr<st::store> open_store(const fs::path& dir) {
  return must(st::store::open(dir), "open " + dir.string());
}

double seconds_since(bench_clock::time_point start) {
  return std::chrono::duration<double>(bench_clock::now() - start).count();
}

/// Copies a closed store's database file to `to_dir` (replacing what is there) by way of a
/// temporary file, so that a kill leaves either the old or the new copy.
void copy_database(const fs::path& from_dir, const fs::path& to_dir) {
  const fs::path from = from_dir / "treffpunkt.db";
  if (fs::exists(from_dir / "treffpunkt.db-wal") &&
      fs::file_size(from_dir / "treffpunkt.db-wal") > 0) {
    throw std::runtime_error(from_dir.string() + ": the WAL was not checkpointed on close");
  }
  fs::create_directories(to_dir);
  fs::remove(to_dir / "treffpunkt.db-wal");
  fs::remove(to_dir / "treffpunkt.db-shm");
  const fs::path part = to_dir / "treffpunkt.db.part";
  fs::copy_file(from, part, fs::copy_options::overwrite_existing);
  fs::rename(part, to_dir / "treffpunkt.db");
}

std::string with_commas(std::size_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// ---- the data set -------------------------------------------------------------------------

constexpr std::array<std::string_view, 10> themes = {
    "Bildung", "Frauen*",   "Jugend", "Kultur", "Kommunalpolitik",
    "Umwelt",  "Migration", "Sport",  "Antifa", "Nachbarschaft"};
constexpr std::array<std::string_view, 8> titles = {"Plenum",
                                                    "Offenes Treffen",
                                                    "Erfahrungsaustausch",
                                                    "Lesekreis",
                                                    "Workshop",
                                                    "Vorbereitung der Ratssitzung",
                                                    "Empowerment-Runde",
                                                    "Bündnistreffen"};
constexpr std::array<std::string_view, 12> first_names = {"Anna", "Ben",   "Clara", "Deniz",
                                                          "Elif", "Finn",  "Greta", "Hamid",
                                                          "Ida",  "Jonas", "Lena",  "Mehmet"};

std::string unit_slug(int index) { return "einheit-" + std::to_string(index + 1); }
std::string person_email(int index) {
  return "person-" + std::to_string(index + 1) + "@bench.treffpunkt.example";
}

date::local_days first_on_or_after(date::local_days day, date::weekday wd) {
  return day + (wd - date::weekday{day});
}

/// Series `index` of a unit: a rule, a start that is its first occurrence (up to 13 months
/// ago, or in the next month), sometimes places and an RSVP deadline.
cal::event make_series(cal::unit_id unit, int unit_index, int index, cal::utc_seconds anchor) {
  generator g(0x5e7e5U + static_cast<std::uint64_t>(unit_index) * 1000U +
              static_cast<std::uint64_t>(index));
  cal::event e;
  e.unit = unit;
  e.uid = "bench-" + std::to_string(unit_index + 1) + "-" + std::to_string(index + 1) +
          "@treffpunkt.example";
  e.title = std::string(titles[g.below(titles.size())]) + " " +
            std::string(themes[static_cast<std::size_t>(unit_index) % themes.size()]);
  e.description = "Wir treffen uns, tauschen Erfahrungen aus und planen die nächsten Schritte.";
  e.location = "Jugendzentrum \"Mühle\", Raum " + std::to_string(1 + g.below(5)) + ", Erfurt";
  if (g.chance(30)) e.online_url = "https://meet.example/bench-" + std::to_string(index);
  e.zone = g.chance(85) ? "Europe/Berlin" : (g.chance(50) ? "Europe/Vienna" : "Europe/Zurich");
  e.duration = std::chrono::minutes{90 + 30 * g.below(4)};
  if (g.chance(25)) {  // exchange offers with places
    e.kind = cal::event_kind::exchange_offer;
    e.capacity = 5 + g.below(20);
    if (g.chance(40)) e.rsvp_deadline = 24h;
  }

  const date::local_days today{
      date::sys_days{std::chrono::floor<date::days>(anchor)}.time_since_epoch()};
  const date::local_days earliest = today + date::days{g.below(420) - 390};
  const date::year_month_day ymd{earliest};
  const date::year_month next_month = date::year_month{ymd.year(), ymd.month()} + date::months{1};
  std::string rule;
  date::local_days first_day;
  const int kind = g.below(100);
  if (kind < 35) {
    first_day = first_on_or_after(earliest, date::weekday{static_cast<unsigned>(1 + g.below(5))});
    rule = "FREQ=WEEKLY";
  } else if (kind < 60) {
    first_day = first_on_or_after(earliest, date::weekday{static_cast<unsigned>(1 + g.below(5))});
    rule = "FREQ=WEEKLY;INTERVAL=2";
  } else if (kind < 80) {
    first_day = date::local_days{next_month / date::Tuesday[1]};
    rule = "FREQ=MONTHLY;BYDAY=1TU";
  } else {
    first_day = date::local_days{next_month / date::Friday[date::last]};
    rule = "FREQ=MONTHLY;BYDAY=-1FR";
  }
  if (g.chance(10)) {
    const date::sys_days until{(today + date::days{180 + g.below(360)}).time_since_epoch()};
    rule += ";UNTIL=" + date::format("%Y%m%dT215959Z", until);
  }
  e.start = first_day + std::chrono::hours{17 + g.below(4)} + std::chrono::minutes{30 * g.below(2)};
  e.rule = cal::recurrence_rule::parse(rule).value();
  return e;
}

/// A cancelled or moved occurrence or two in the coming months, for a third of the series.
std::vector<cal::occurrence_override> make_overrides(const cal::event& e, cal::utc_seconds anchor,
                                                     cal::utc_seconds now) {
  generator g(0x0be7U + static_cast<std::uint64_t>(e.id.value));
  std::vector<cal::occurrence_override> out;
  if (!g.chance(30)) return out;
  const auto coming = cal::expand(e, anchor + 24h, anchor + date::days{120});
  const int changes = 1 + g.below(2);
  for (int i = 0; i < changes && !coming.empty(); ++i) {
    const cal::occurrence& o = coming[g.below(coming.size())];
    if (std::ranges::any_of(out, [&](const auto& x) { return x.key == o.key; })) continue;
    cal::occurrence_override change;
    change.key = o.key;
    change.sequence = 1;
    change.last_modified = now;
    if (g.chance(60)) {
      change.cancelled = true;
    } else {
      change.start = o.local_start + std::chrono::hours{25};
    }
    out.push_back(change);
  }
  return out;
}

/// An occurrence that takes RSVPs at the data set's "now".
struct target {
  cal::event_id event;
  cal::occurrence_key key;
  cal::utc_seconds start;
};

/// The open occurrences of all events in [anchor, anchor + 120 days), by start.
std::vector<target> open_occurrences(const st::store& s, cal::utc_seconds anchor) {
  std::vector<target> out;
  for (const cal::unit& u : s.units()) {
    for (const cal::event& e : s.events_of_unit(u.id)) {
      for (const cal::occurrence& o : cal::expand(e, anchor, anchor + date::days{120})) {
        if (o.start > anchor && !cal::rsvp_refused(e, o, anchor)) {
          out.push_back(target{e.id, o.key, o.start});
        }
      }
    }
  }
  std::ranges::sort(out, [](const target& a, const target& b) {
    return std::tie(a.start, a.event.value) < std::tie(b.start, b.event.value);
  });
  return out;
}

cal::rsvp_answer random_answer(generator& g) {
  const int r = g.below(100);
  return r < 55 ? cal::rsvp_answer::yes : r < 75 ? cal::rsvp_answer::no : cal::rsvp_answer::maybe;
}

/// One RSVP of the load: distinct (occurrence, person) pairs, more of them on the nearer
/// occurrences (half of the draws take the earlier of two).
struct planned_rsvp {
  std::size_t target = 0;
  std::size_t person = 0;
  cal::rsvp_answer answer = cal::rsvp_answer::yes;
};

class rsvp_plan {
 public:
  rsvp_plan(std::size_t targets, std::size_t people) : targets_(targets), people_(people) {}
  planned_rsvp next() {
    for (;;) {
      std::size_t t = g_.below(targets_);
      if (g_.chance(50)) t = std::min(t, g_.below(targets_));
      const std::size_t p = g_.below(people_);
      const cal::rsvp_answer a = random_answer(g_);
      if (seen_.insert(static_cast<std::uint64_t>(t) * people_ + p).second) return {t, p, a};
    }
  }

 private:
  generator g_{0x125b9U};
  std::size_t targets_;
  std::size_t people_;
  std::unordered_set<std::uint64_t> seen_;
};

std::vector<st::person_id> people_ids(const st::store& s, int people) {
  std::vector<st::person_id> out;
  out.reserve(static_cast<std::size_t>(people));
  for (int i = 0; i < people; ++i) {
    const auto p = s.person_by_email(person_email(i));
    if (!p) throw std::runtime_error("the database lacks " + person_email(i));
    out.push_back(p->id);
  }
  return out;
}

// ---- (0) building DIR/base ----------------------------------------------------------------

struct paths {
  fs::path dir;
  fs::path base;     ///< the finished (or partly built) database
  fs::path staging;  ///< where the build writes; == base when not staged
  fs::path run;      ///< the copy the write benchmark changes
  fs::path manifest_file;
};

paths paths_for(const fs::path& dir) {
  paths p;
  p.dir = fs::absolute(dir);
  p.base = p.dir / "base";
  p.run = p.dir / "run";
  p.manifest_file = p.dir / "manifest.txt";
  const char* staging = std::getenv("STORE_BENCH_STAGING");
  if (staging != nullptr && std::string_view(staging) == "none") {
    p.staging = p.base;
  } else if (staging != nullptr && *staging != '\0') {
    p.staging = fs::path(staging) / "treffpunkt-store-bench";
  } else if (fs::is_directory("/dev/shm")) {
    p.staging = fs::path("/dev/shm") /
                ("treffpunkt-store-bench-" +
                 std::to_string(std::hash<std::string>{}(p.dir.string()) % 1000000007U));
  } else {
    p.staging = p.base;
  }
  return p;
}

/// Builds or finishes DIR/base; returns its manifest. Prints what it does.
manifest build(const config& cfg, const paths& p, const std::string& scale_text) {
  auto m = manifest::read(p.manifest_file);
  if (m && m->scale != scale_text) {
    throw std::runtime_error(p.dir.string() + " holds a database of scale " + m->scale + ", not " +
                             scale_text + ": give another folder");
  }
  if (m && m->done == stage::complete && fs::exists(p.base / "treffpunkt.db")) {
    std::printf("(0) reusing the database in %s (built for %s)\n", p.base.c_str(),
                date::format("%F", m->anchor()).c_str());
    return *m;
  }
  const bool staged = p.staging != p.base;
  if (!m || m->done == stage::nothing || !fs::exists(p.base / "treffpunkt.db")) {
    m = manifest{};
    m->scale = scale_text;
    m->anchor_day =
        std::chrono::floor<date::days>(std::chrono::system_clock::now()).time_since_epoch().count();
    fs::remove_all(p.base);
    fs::create_directories(p.dir);
    m->write(p.manifest_file);
    std::printf("(0) building the database in %s\n", p.base.c_str());
  } else {
    std::printf("(0) resuming the build in %s (%zu of %zu RSVPs loaded)\n", p.base.c_str(),
                m->rsvps_loaded, cfg.rsvps);
  }
  if (staged) {
    fs::remove_all(p.staging);
    fs::create_directories(p.staging);
    if (fs::exists(p.base / "treffpunkt.db")) copy_database(p.base, p.staging);
    std::printf("    staged on tmpfs in %s, copied to %s after every step\n", p.staging.c_str(),
                p.base.c_str());
  }
  std::fflush(stdout);

  const cal::utc_seconds anchor = m->anchor();
  const cal::utc_seconds before = anchor - date::days{30};  // when the series were entered
  auto s = open_store(p.staging);
  // Makes what is in the staging area the state of DIR/base and of the manifest.
  const auto checkpoint = [&] {
    if (staged) {
      s.reset();  // closing the last connection checkpoints the WAL into the file
      copy_database(p.staging, p.base);
    }
    m->write(p.manifest_file);
    if (staged) s = open_store(p.staging);
  };

  const auto started = bench_clock::now();
  if (m->done < stage::people) {
    for (int i = 0; i < cfg.units; ++i) {
      cal::unit u;
      u.slug = unit_slug(i);
      u.name = "Netzwerkstelle " +
               std::string(themes[static_cast<std::size_t>(i) % themes.size()]) + " " +
               std::to_string(i + 1);
      u.description = "Treffen, Erfahrungsaustausch und Empowerment";
      u.colour = "#aa3355";
      must(s->create_unit(u, st::actor::system()), "create_unit " + u.slug);
    }
    for (int i = 0; i < cfg.people; ++i) {
      const std::string name =
          std::string(first_names[static_cast<std::size_t>(i) % first_names.size()]) + " " +
          std::to_string(i + 1);
      must(s->ensure_person(person_email(i), name, i % 7 == 0 ? "en" : "de"), "ensure_person");
    }
    const auto units = s->units();
    for (std::size_t i = 0; i < units.size(); ++i) {  // two responsibles per unit
      for (int k = 0; k < 2; ++k) {
        const auto who = s->person_by_email(person_email(static_cast<int>(2 * i) + k));
        must(s->add_responsible(units[i].id, who->id, st::actor::system()), "add_responsible");
      }
    }
    m->done = stage::people;
    checkpoint();
    std::printf("    %d units, %d people: %.1f s\n", cfg.units, cfg.people, seconds_since(started));
    std::fflush(stdout);
  }

  if (m->done < stage::series) {
    int series = 0;
    int overrides = 0;
    auto units = s->units();
    std::ranges::sort(units, {}, &cal::unit::slug);
    for (int i = 0; i < cfg.units; ++i) {
      const auto unit = s->unit_by_slug(unit_slug(i));
      for (int k = 0; k < cfg.series_per_unit; ++k) {
        const cal::event e =
            must(s->create_event(make_series(unit->id, i, k, anchor), st::actor::system(), before),
                 "create_event");
        ++series;
        for (const auto& o : make_overrides(e, anchor, before)) {
          must(s->set_override(e.id, o, st::actor::system(), before), "set_override");
          ++overrides;
        }
      }
    }
    m->done = stage::series;
    checkpoint();
    std::printf("    %d series with %d cancelled or moved occurrences: %.1f s\n", series, overrides,
                seconds_since(started));
    std::fflush(stdout);
  }

  const auto targets = open_occurrences(*s, anchor);
  const auto people = people_ids(*s, cfg.people);
  std::printf(
      "    RSVPs: the store has no bulk path, every set_rsvp is one transaction waiting for an "
      "fsync,\n    so they go through set_rsvp one by one, in batches of %s, onto %s\n",
      with_commas(cfg.batch).c_str(), staged ? "tmpfs" : "disk (slow: hours at full scale)");
  std::printf("    %zu open occurrences in the next 120 days, about %.1f RSVPs each\n",
              targets.size(), static_cast<double>(cfg.rsvps) / static_cast<double>(targets.size()));
  std::fflush(stdout);
  rsvp_plan plan(targets.size(), people.size());
  for (std::size_t i = 0; i < m->rsvps_loaded; ++i) plan.next();  // already in the database
  const auto rsvps_started = bench_clock::now();
  const std::size_t resumed_at = m->rsvps_loaded;
  while (m->rsvps_loaded < cfg.rsvps) {
    const std::size_t end = std::min(cfg.rsvps, m->rsvps_loaded + cfg.batch);
    for (std::size_t i = m->rsvps_loaded; i < end; ++i) {
      const planned_rsvp r = plan.next();
      const target& t = targets[r.target];
      must(s->set_rsvp(t.event, t.key, people[r.person], r.answer, anchor), "set_rsvp");
    }
    m->rsvps_loaded = end;
    checkpoint();
    const double took = seconds_since(rsvps_started);
    std::printf("    %s RSVPs, %.0f set_rsvp/s, %.1f s\n", with_commas(end).c_str(),
                static_cast<double>(end - resumed_at) / took, seconds_since(started));
    std::fflush(stdout);
  }
  if (m->rsvps_loaded > resumed_at) {
    std::printf("load.rsvp_per_second=%.0f\n",
                static_cast<double>(m->rsvps_loaded - resumed_at) / seconds_since(rsvps_started));
  }
  m->done = stage::complete;
  s.reset();
  if (staged) {
    copy_database(p.staging, p.base);
    fs::remove_all(p.staging);
  }
  m->write(p.manifest_file);
  std::printf("load.seconds=%.1f\n", seconds_since(started));
  return *m;
}

// ---- (1) listing one unit's next 90 days ----------------------------------------------------

struct listing {
  std::size_t events = 0;
  std::size_t occurrences = 0;
  double read_us = 0;   ///< events_of_unit
  double total_us = 0;  ///< read + expand + sort
};

listing list_unit(const st::store& s, cal::unit_id u, cal::utc_seconds from) {
  const auto start = bench_clock::now();
  const std::vector<cal::event> events = s.events_of_unit(u);
  const auto read = bench_clock::now();
  std::vector<cal::occurrence> all;
  for (const cal::event& e : events) {
    auto some = cal::expand(e, from, from + date::days{90});
    all.insert(all.end(), some.begin(), some.end());
  }
  std::ranges::sort(all, [](const cal::occurrence& a, const cal::occurrence& b) {
    return std::tie(a.start, a.title) < std::tie(b.start, b.title);
  });
  const auto done = bench_clock::now();
  return listing{events.size(), all.size(),
                 std::chrono::duration<double, std::micro>(read - start).count(),
                 std::chrono::duration<double, std::micro>(done - start).count()};
}

double median(std::vector<double> v) {
  std::ranges::sort(v);
  return v[v.size() / 2];
}

// ---- (2) RSVP writes ----------------------------------------------------------------------

struct write_run {
  std::size_t writes = 0;
  std::size_t refused = 0;
  double seconds = 0;
  std::vector<double> latencies_ms;
};

/// The q-quantile by nearest rank.
double quantile(const std::vector<double>& sorted, double q) {
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

write_run run_writes(st::store& s, const std::vector<target>& targets,
                     const std::vector<st::person_id>& people, cal::utc_seconds now, int threads,
                     double seconds) {
  std::vector<write_run> per_thread(static_cast<std::size_t>(threads));
  std::atomic<bool> go{false};
  const auto deadline_after =
      std::chrono::duration_cast<bench_clock::duration>(std::chrono::duration<double>(seconds));
  bench_clock::time_point start;
  {
    std::vector<std::jthread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        generator g(0xb0b0U + static_cast<std::uint64_t>(threads) * 100U +
                    static_cast<std::uint64_t>(t));
        write_run& mine = per_thread[static_cast<std::size_t>(t)];
        while (!go.load()) std::this_thread::yield();
        const auto deadline = start + deadline_after;
        while (bench_clock::now() < deadline) {
          const target& at = targets[g.below(targets.size())];
          const st::person_id who = people[g.below(people.size())];
          const cal::rsvp_answer answer = random_answer(g);
          const auto before = bench_clock::now();
          const auto outcome = s.set_rsvp(at.event, at.key, who, answer, now);
          mine.latencies_ms.push_back(
              std::chrono::duration<double, std::milli>(bench_clock::now() - before).count());
          if (outcome) {
            ++mine.writes;
          } else {
            ++mine.refused;
          }
        }
      });
    }
    start = bench_clock::now();
    go.store(true);
  }
  write_run all;
  all.seconds = seconds_since(start);
  for (auto& r : per_thread) {
    all.writes += r.writes;
    all.refused += r.refused;
    all.latencies_ms.insert(all.latencies_ms.end(), r.latencies_ms.begin(), r.latencies_ms.end());
  }
  std::ranges::sort(all.latencies_ms);
  return all;
}

std::string_view answer_text(cal::rsvp_answer a) {
  return a == cal::rsvp_answer::yes ? "yes" : a == cal::rsvp_answer::no ? "no" : "maybe";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  fs::path baseline_file;
  bool build_only = false;
  while (args.size() > 1) {
    if (args[0] == "--baseline-writes" && args.size() > 2) {
      baseline_file = args[1];
      args.erase(args.begin(), args.begin() + 2);
    } else if (args[0] == "--build-only") {
      build_only = true;
      args.erase(args.begin());
    } else {
      break;
    }
  }
  if (args.size() != 1) {
    std::cerr << "usage: store_bench [--build-only] [--baseline-writes FILE] DIR\n";
    return 2;
  }
  try {
    const config cfg = config::from_env();
    char scale_text[32];
    std::snprintf(scale_text, sizeof scale_text, "%g", cfg.scale);
    const paths p = paths_for(args[0]);
    const manifest m = build(cfg, p, scale_text);
    const cal::utc_seconds now = m.anchor();

    // Measured on a copy, so that DIR/base stays as built for the next run and the baseline.
    fs::remove_all(p.run);
    copy_database(p.base, p.run);
    auto s = open_store(p.run);
    const auto units = s->units();
    const auto targets = open_occurrences(*s, now);
    const auto people = people_ids(*s, cfg.people);
    std::size_t rsvps = 0;  // counted through the store: every person's RSVPs
    for (const st::person_id who : people) rsvps += s->rsvps_of_person(who).size();
    std::size_t series = 0;
    for (const cal::unit& u : units) series += s->events_of_unit(u.id).size();
    std::printf("db.path=%s\ndb.bytes=%ju\n", (p.base / "treffpunkt.db").c_str(),
                static_cast<std::uintmax_t>(fs::file_size(p.base / "treffpunkt.db")));
    std::printf("db.units=%zu\ndb.series=%zu\ndb.people=%zu\ndb.rsvps=%zu\n", units.size(), series,
                people.size(), rsvps);
    std::printf("db.now=%s\ndb.open_occurrences_120_days=%zu\n",
                date::format("%FT%TZ", now).c_str(), targets.size());
    std::fflush(stdout);

    // (3) the baseline's writes: drawn like those of (2), from another seed; the first ones
    // warm it up as (2) is warmed up.
    if (!baseline_file.empty()) {
      constexpr std::size_t baseline_warmup = 1000;
      std::ofstream out(baseline_file);
      generator g(0xba5eU);
      for (std::size_t i = 0; i < baseline_warmup + cfg.baseline_writes; ++i) {
        const target& at = targets[g.below(targets.size())];
        const st::person_id who = people[g.below(people.size())];
        out << at.event.value << '\t' << at.key.to_string() << '\t' << who.value << '\t'
            << answer_text(random_answer(g)) << '\t' << now.time_since_epoch().count() << '\n';
      }
      if (!out.flush()) throw std::runtime_error("cannot write " + baseline_file.string());
      std::printf("(3) %zu + %zu writes (warm-up, measured) for the baseline in %s\n",
                  baseline_warmup, cfg.baseline_writes, baseline_file.c_str());
      std::printf("baseline.warmup=%zu\n", baseline_warmup);
    }
    if (build_only) {
      s.reset();
      fs::remove_all(p.run);
      return 0;
    }

    // (1) one unit's next 90 days
    const cal::unit& first = units.front();
    for (int i = 0; i < 3; ++i) list_unit(*s, first.id, now);  // warm up
    std::vector<double> total_us;
    std::vector<double> read_us;
    listing last;
    const auto list_started = bench_clock::now();
    while (total_us.size() < 21 || seconds_since(list_started) < 2.0) {
      last = list_unit(*s, first.id, now);
      total_us.push_back(last.total_us);
      read_us.push_back(last.read_us);
    }
    std::printf("(1) list %s's next 90 days: %zu events, %zu occurrences, %zu runs\n",
                first.slug.c_str(), last.events, last.occurrences, total_us.size());
    std::printf("list.events=%zu\nlist.occurrences=%zu\nlist.runs=%zu\n", last.events,
                last.occurrences, total_us.size());
    std::printf("list.us.median=%.0f\nlist.events_of_unit_us.median=%.0f\n", median(total_us),
                median(read_us));
    std::fflush(stdout);

    // (2) RSVP writes on disk, 1 and 8 threads, in alternating rounds: the fsync that every
    // write waits for varies a lot on shared disks, and alternating spreads that over both.
    // Warm-up: enough writes for the WAL to wrap at least once (a checkpoint every 1,000
    // pages), so that no measured commit pays for growing the WAL file.
    {
      generator g(0x3a3aU);
      for (int i = 0; i < 1000; ++i) {
        const target& at = targets[g.below(targets.size())];
        must(s->set_rsvp(at.event, at.key, people[g.below(people.size())], random_answer(g), now),
             "set_rsvp");
      }
    }
    constexpr int rounds = 3;
    std::map<int, write_run> totals;
    for (int round = 1; round <= rounds; ++round) {
      for (const int threads : {1, 8}) {
        write_run r = run_writes(*s, targets, people, now, threads, cfg.write_seconds / rounds);
        std::printf(
            "(2) round %d, set_rsvp with %d thread%s for %.1f s: %zu writes (%.0f/s), %zu "
            "refused, p50 %.2f ms, p99 %.2f ms\n",
            round, threads, threads == 1 ? "" : "s", r.seconds, r.writes,
            static_cast<double>(r.writes) / r.seconds, r.refused, quantile(r.latencies_ms, 0.5),
            quantile(r.latencies_ms, 0.99));
        std::fflush(stdout);
        write_run& sum = totals[threads];
        sum.writes += r.writes;
        sum.refused += r.refused;
        sum.seconds += r.seconds;
        sum.latencies_ms.insert(sum.latencies_ms.end(), r.latencies_ms.begin(),
                                r.latencies_ms.end());
      }
    }
    for (auto& [threads, r] : totals) {
      std::ranges::sort(r.latencies_ms);
      std::printf("rsvp.writes.threads%d=%zu\nrsvp.refused.threads%d=%zu\n", threads, r.writes,
                  threads, r.refused);
      std::printf("rsvp.writes_per_second.threads%d=%.0f\n", threads,
                  static_cast<double>(r.writes) / r.seconds);
      std::printf("rsvp.latency_ms.p50.threads%d=%.2f\nrsvp.latency_ms.p99.threads%d=%.2f\n",
                  threads, quantile(r.latencies_ms, 0.5), threads, quantile(r.latencies_ms, 0.99));
    }
    s.reset();
    fs::remove_all(p.run);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "store_bench: " << e.what() << "\n";
    return 1;
  }
}
