/// notify_bench: reminders falling due together, drained by the real dispatcher through libcurl
/// SMTP to a loopback sink (bench/notify.sh starts bench/smtp_sink.py and runs this).
///
///   notify_bench --smtp smtp://127.0.0.1:PORT --dir DATA --run TAG [--count 10000]
///                [--spread 60] [--lead 5] [--threads 1] [--staging DIR]
///                [--idle-ms N] [--due-file F] [--export F] [--when-due]
///
/// (1) composes `count` reminders with notifications::compose (kind reminder, German, one
///     recipient each @example.org, different units, events, places and times), with due
///     times spread evenly over `spread` seconds, the first `lead` seconds from now; spread 0
///     and lead 0: all due at once (a backlog, to measure throughput);
/// (2) enqueues them (store::enqueue, one transaction each) in a fresh store in `--staging`
///     (tmpfs: the disk's fsyncs would outlast the lead) and copies it to DATA, or directly
///     in DATA (which must not hold a database yet);
/// (3) starts `threads` dispatchers over the store in DATA, each with its own smtp_sender,
///     with serve's options (batch 10, longest sleep 60 s, lease 15 min; `--idle-ms` changes the
///     idle poll, to see what the lateness owes to it);
/// (4) waits until the outbox is empty, stops the dispatchers and counts the outbox's states.
///
/// The sink records arrival times; lateness (arrival minus due) and duplicates are worked out
/// by bench/notify_report.py from the sink's log and `--due-file` (Message-ID, due time in
/// seconds since the epoch, per line). `--export F` writes the composed messages (recipient,
/// length, bytes) for the smtplib baseline, which then sends the same bytes.
/// `--when-due`: the reminders as treffpunkt queues them (issue 16): only their keys, for real
/// people going to real sessions (five units, one weekly series each, every person a yes to its
/// first date), composed by the outbox adapter when the dispatcher claims them (compose_due).
/// The export for the baseline is composed beforehand, as the dispatcher will.
/// Lines `key=value` are for bench/notify.sh.

#include <calendar/expand.h>
#include <calendar/recurrence.h>
#include <calendar/time.h>
#include <notifications/dispatcher.h>
#include <notifications/message.h>
#include <notifications/reminders.h>
#include <notifications/smtp.h>
#include <storage/store.h>
#include <usecases/context.h>
#include <usecases/store_outbox.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using namespace treffpunkt;
namespace n = treffpunkt::notifications;
using clock_type = std::chrono::steady_clock;

struct options {
  std::string smtp;
  std::filesystem::path dir;
  std::string run = "run";
  int count = 10'000;
  int spread = 60;
  int lead = 5;
  int threads = 1;
  std::filesystem::path due_file;
  std::filesystem::path export_file;
  std::filesystem::path staging;  ///< empty: enqueue in --dir itself
  int idle_ms = -1;               ///< -1: serve's (dispatcher_options' default)
  bool when_due = false;          ///< queue keys only, composed when claimed
};

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--when-due") {
      o.when_due = true;
      continue;
    }
    if (i + 1 >= argc) throw std::invalid_argument("missing value after " + std::string(a));
    const std::string v = argv[++i];
    if (a == "--smtp") {
      o.smtp = v;
    } else if (a == "--dir") {
      o.dir = v;
    } else if (a == "--run") {
      o.run = v;
    } else if (a == "--count") {
      o.count = std::stoi(v);
    } else if (a == "--spread") {
      o.spread = std::stoi(v);
    } else if (a == "--lead") {
      o.lead = std::stoi(v);
    } else if (a == "--threads") {
      o.threads = std::stoi(v);
    } else if (a == "--due-file") {
      o.due_file = v;
    } else if (a == "--export") {
      o.export_file = v;
    } else if (a == "--staging") {
      o.staging = v;
    } else if (a == "--idle-ms") {
      o.idle_ms = std::stoi(v);
    } else {
      throw std::invalid_argument("unknown option " + std::string(a));
    }
  }
  if (o.smtp.rfind("smtp://127.0.0.1:", 0) != 0) {
    throw std::invalid_argument("--smtp must be smtp://127.0.0.1:PORT (loopback only)");
  }
  if (o.dir.empty() || o.count <= 0 || o.threads <= 0 || o.spread < 0 || o.lead < 0) {
    throw std::invalid_argument("need --dir, and positive --count and --threads");
  }
  return o;
}

// German names, units and events as the units write them (umlauts, ß, gender star).
constexpr std::array first_names{"Jürgen",     "Anna",   "Özlem",  "Lukas",    "Sören", "Maria",
                                 "Björn",      "Käthe",  "Mehmet", "Lea",      "Jörg",  "Sophie",
                                 "Małgorzata", "Tobias", "Ümit",   "Franziska"};
constexpr std::array last_names{"Müller", "Schmidt", "Weiß",   "Schäfer",  "Yılmaz",
                                "Groß",   "Köhler",  "Becker", "Hoffmann", "Krüger",
                                "Öztürk", "Wagner",  "Fuchs",  "Jäger",    "Böhm"};
constexpr std::array ascii_first{"juergen",    "anna",   "oezlem", "lukas",    "soeren", "maria",
                                 "bjoern",     "kaethe", "mehmet", "lea",      "joerg",  "sophie",
                                 "malgorzata", "tobias", "uemit",  "franziska"};
constexpr std::array ascii_last{"mueller",  "schmidt", "weiss",  "schaefer", "yilmaz",
                                "gross",    "koehler", "becker", "hoffmann", "krueger",
                                "oeztuerk", "wagner",  "fuchs",  "jaeger",   "boehm"};
struct unit_text {
  const char* name;
  const char* slug;
};
constexpr std::array units{unit_text{"Netzwerkstelle Bildung", "bildung"},
                           unit_text{"Netzwerkstelle Frauen*", "frauen"},
                           unit_text{"Jugendforum Thüringen", "jugendforum"},
                           unit_text{"Austauschbörse Süd", "austausch-sued"},
                           unit_text{"Arbeitskreis Gesundheit & Pflege", "gesundheit"}};
constexpr std::array titles{"Offenes Treffen",
                            "Empowerment für Schüler*innen, Thüringen",
                            "Sprechstunde: Fördermittel beantragen",
                            "Stammtisch „Grüne Stadt“",
                            "Workshop Öffentlichkeitsarbeit – Teil 2",
                            "Plenum der Netzwerkstelle",
                            "Erste-Hilfe-Kurs (Auffrischung)"};
constexpr std::array places{"Jugendhaus Erfurt, Raum 2",           "Bürgerhaus Jena, Großer Saal",
                            "Stadtteilzentrum Südstadt, Küche",    "Online (Link folgt)",
                            "Rathaus Weimar, Sitzungszimmer 1.04", ""};

struct composed {
  std::string recipient;
  std::string message_id;
  std::string dedupe_key;
  std::string data;
  calendar::utc_seconds due;
};

std::vector<composed> compose_all(const options& o, calendar::utc_seconds first_due,
                                  calendar::utc_seconds now) {
  std::vector<composed> out;
  out.reserve(static_cast<std::size_t>(o.count));
  for (int i = 0; i < o.count; ++i) {
    const auto fi = static_cast<std::size_t>(i) % first_names.size();
    const auto li = static_cast<std::size_t>(i / 7) % last_names.size();
    const auto& unit = units[static_cast<std::size_t>(i) % units.size()];
    const auto event = 100 + (i % 37);
    // Evenly over the spread: i * spread / count seconds after the first due time.
    const auto due =
        first_due + std::chrono::seconds(static_cast<std::int64_t>(i) * o.spread / o.count);
    // A one-day reminder: the occurrence starts 24 h after the reminder is due (CET, +1 h).
    const calendar::local_seconds start{(due + 24h + 1h).time_since_epoch()};
    composed c;
    c.recipient = std::string(ascii_first[fi]) + "." + ascii_last[li] + "." + std::to_string(i) +
                  "@example.org";
    c.message_id = "reminder-" + o.run + "-" + std::to_string(i) + "@treffpunkt.example";
    c.dedupe_key = "reminder:" + std::to_string(event) + ":" +
                   std::to_string(start.time_since_epoch().count()) + ":" + std::to_string(i) +
                   ":1440";
    c.due = due;
    n::facts f;
    f.unit_name = unit.name;
    f.event_title = titles[static_cast<std::size_t>(i) % titles.size()];
    f.when = n::format_when(start, false, n::language::de);
    f.location = places[static_cast<std::size_t>(i) % places.size()];
    f.link = "https://treffpunkt.example/units/" + std::string(unit.slug) + "/events/" +
             std::to_string(event);
    const n::envelope env{
        .from = {std::string(unit.name) + " über treffpunkt", "noreply@treffpunkt.example"},
        .to = {std::string(first_names[fi]) + " " + last_names[li], c.recipient},
        .date = now,
        .message_id = c.message_id,
        .unsubscribe_url = "https://treffpunkt.example/unsubscribe/" + std::to_string(i * 7919)};
    auto message = n::compose(n::message_kind::reminder, n::language::de, f, env);
    if (!message) throw std::runtime_error("compose failed: " + message.error().message);
    c.data = std::move(*message);
    out.push_back(std::move(c));
  }
  return out;
}

constexpr std::string_view sender = "noreply@treffpunkt.example";
constexpr std::string_view site = "https://treffpunkt.example";

/// The Message-ID treffpunkt gives a message with this dedupe key (usecases' mail_writer).
std::string message_id_of(std::string_view dedupe_key) {
  std::string id(dedupe_key);
  std::replace_if(
      id.begin(), id.end(),
      [](char ch) {
        return !(std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-');
      },
      '.');
  return id + std::string(sender.substr(sender.find('@')));
}

/// --when-due: five units with a weekly series each (first date three days ahead) and
/// `count` people, each going to the first date of one series; one day-before reminder key
/// each (due times are set by the caller). Nothing composed.
std::vector<composed> plan_when_due(const options& o, storage::store& s,
                                    calendar::utc_seconds now) {
  struct session {
    calendar::event_id event;
    calendar::occurrence occurrence;
  };
  std::vector<session> sessions;
  for (std::size_t u = 0; u < units.size(); ++u) {
    calendar::unit unit;
    unit.slug = units[u].slug;
    unit.name = units[u].name;
    auto made = s.create_unit(unit, storage::actor::system());
    if (!made) throw std::runtime_error("create_unit: " + made.error().message);
    calendar::event e;
    e.unit = made->id;
    e.title = titles[u % titles.size()];
    e.location = places[u % places.size()];
    e.zone = "Europe/Berlin";
    e.start = calendar::local_seconds(
                  date::floor<date::days>(now + std::chrono::hours(72)).time_since_epoch()) +
              std::chrono::hours(17 + static_cast<int>(u));
    e.duration = 2h;
    e.rule = calendar::recurrence_rule::parse("FREQ=WEEKLY").value();
    auto event = s.create_event(e, storage::actor::system(), now);
    if (!event) throw std::runtime_error("create_event: " + event.error().message);
    const auto dates = calendar::expand(*event, now, now + std::chrono::days(14));
    if (dates.empty()) throw std::runtime_error("the series has no date");
    sessions.push_back({event->id, dates.front()});
  }
  std::vector<composed> out;
  out.reserve(static_cast<std::size_t>(o.count));
  for (int i = 0; i < o.count; ++i) {
    const auto fi = static_cast<std::size_t>(i) % first_names.size();
    const auto li = static_cast<std::size_t>(i / 7) % last_names.size();
    const auto& at = sessions[static_cast<std::size_t>(i) % sessions.size()];
    composed c;
    c.recipient = std::string(ascii_first[fi]) + "." + ascii_last[li] + "." + std::to_string(i) +
                  "@example.org";
    auto who =
        s.ensure_person(c.recipient, std::string(first_names[fi]) + " " + last_names[li], "de");
    if (!who) throw std::runtime_error("ensure_person: " + who.error().message);
    auto going = s.set_rsvp(at.event, at.occurrence.key, who->id, calendar::rsvp_answer::yes, now);
    if (!going) throw std::runtime_error("set_rsvp: " + going.error().message);
    c.dedupe_key = n::reminder_key(at.event, at.occurrence.key, who->id.value, at.occurrence.start,
                                   std::chrono::minutes(1440));
    c.message_id = message_id_of(c.dedupe_key);
    out.push_back(std::move(c));
  }
  return out;
}

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

int run(const options& o) {
  if (std::filesystem::exists(o.dir / "treffpunkt.db")) {
    throw std::runtime_error(o.dir.string() + " holds a database already; give a fresh folder");
  }
  const auto wall_now = [] {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  };

  const treffpunkt::usecases::mail_settings mail{std::string(sender), {}};
  const auto compose_began = clock_type::now();
  std::unique_ptr<storage::store> prepared;  // --when-due: the people and sessions, staged
  std::vector<composed> messages;
  calendar::utc_seconds first_due{};
  if (o.when_due) {
    auto opened_staged = storage::store::open(o.staging.empty() ? o.dir : o.staging);
    if (!opened_staged) {
      throw std::runtime_error("cannot open the store: " + opened_staged.error().message);
    }
    prepared = std::move(*opened_staged);
    messages = plan_when_due(o, *prepared, wall_now());
    first_due = wall_now() + std::chrono::seconds(o.lead);
    for (int i = 0; i < o.count; ++i) {
      auto& m = messages[static_cast<std::size_t>(i)];
      m.due = first_due + std::chrono::seconds(static_cast<std::int64_t>(i) * o.spread / o.count);
      // For the export (the baseline's bytes) only: composed as the dispatcher will.
      storage::outbox_entry e;
      e.kind = "reminder";
      e.recipient = m.recipient;
      e.due = m.due;
      e.dedupe_key = m.dedupe_key;
      if (!o.export_file.empty()) {
        m.data = treffpunkt::usecases::compose_due({*prepared, mail, site, wall_now()}, e).message;
        if (m.data.empty()) throw std::runtime_error("a planned reminder does not apply");
      }
    }
  } else {
    // Due times are fixed before the enqueueing, so the lead must cover it (checked below).
    first_due = wall_now() + std::chrono::seconds(o.lead);
    messages = compose_all(o, first_due, wall_now());
  }
  std::size_t bytes = 0;
  for (const auto& m : messages) bytes += m.data.size();
  std::printf(
      "compose.seconds=%.3f\ncompose.count=%zu\ncompose.mean_bytes=%zu\n"
      "compose.when_due=%d\n",
      seconds_since(compose_began), messages.size(), bytes / messages.size(), o.when_due ? 1 : 0);

  if (!o.due_file.empty()) {
    std::ofstream due(o.due_file);
    for (const auto& m : messages) {
      due << m.message_id << '\t' << m.due.time_since_epoch().count() << '\n';
    }
  }
  if (!o.export_file.empty()) {
    std::ofstream out(o.export_file, std::ios::binary);
    for (const auto& m : messages) out << m.recipient << '\n' << m.data.size() << '\n' << m.data;
  }

  // The enqueueing: every enqueue is a transaction that waits for an fsync (a few hundred a
  // second on this disk), so 10,000 would take longer than a lead of a few seconds. With
  // --staging (tmpfs) they are enqueued there, and the database is then copied to --dir,
  // where the dispatchers work on it: on disk, as serve's data folder.
  const auto enqueue_began = clock_type::now();
  {
    if (!prepared) {
      auto staged = storage::store::open(o.staging.empty() ? o.dir : o.staging);
      if (!staged) throw std::runtime_error("cannot open the store: " + staged.error().message);
      prepared = std::move(*staged);
    }
    for (const auto& m : messages) {
      // --when-due: the key alone, as treffpunkt queues a reminder.
      auto queued =
          prepared->enqueue(storage::outbox_message{.kind = "reminder",
                                                    .recipient = m.recipient,
                                                    .message = o.when_due ? std::string() : m.data,
                                                    .due = m.due,
                                                    .dedupe_key = m.dedupe_key},
                            wall_now());
      if (!queued || !*queued) throw std::runtime_error("enqueue failed for " + m.message_id);
    }
    prepared.reset();  // closed: the WAL is checkpointed into treffpunkt.db
  }
  const double enqueue_seconds = seconds_since(enqueue_began);
  if (!o.staging.empty()) {
    std::filesystem::create_directories(o.dir);
    for (const auto& entry : std::filesystem::directory_iterator(o.staging)) {
      std::filesystem::copy(entry.path(), o.dir / entry.path().filename(),
                            std::filesystem::copy_options::recursive);
    }
  }
  std::printf("enqueue.seconds=%.3f\nenqueue.per_second=%.0f\nenqueue.staging=%s\n",
              enqueue_seconds, o.count / enqueue_seconds,
              o.staging.empty() ? "none" : o.staging.c_str());

  auto opened = storage::store::open(o.dir);
  if (!opened) throw std::runtime_error("cannot open the store: " + opened.error().message);
  auto& store = **opened;
  treffpunkt::usecases::store_outbox outbox(store);
  outbox.compose_with(mail, std::string(site));  // as serve, once it listens

  // serve's dispatcher: default options (cli.cpp), one smtp_sender per dispatcher thread. They
  // start before the first message falls due, as in a server that has been running.
  std::vector<std::unique_ptr<n::smtp_sender>> senders;
  std::vector<std::unique_ptr<n::dispatcher>> dispatchers;
  for (int t = 0; t < o.threads; ++t) {
    n::smtp_config smtp;
    smtp.url = o.smtp;
    smtp.starttls = n::smtp_config::tls::none;
    smtp.mail_from = "noreply@treffpunkt.example";
    senders.push_back(std::make_unique<n::smtp_sender>(std::move(smtp)));
    n::dispatcher_options d;
    if (o.idle_ms >= 0) d.idle = std::chrono::milliseconds(o.idle_ms);
    d.log = [](std::string_view what) {
      std::fprintf(stderr, "mail: %.*s\n", static_cast<int>(what.size()), what.data());
    };
    dispatchers.push_back(std::make_unique<n::dispatcher>(outbox, *senders.back(), std::move(d)));
    dispatchers.back()->start();
  }
  n::dispatcher_options defaults;
  if (o.idle_ms >= 0) defaults.idle = std::chrono::milliseconds(o.idle_ms);
  std::printf("dispatcher.threads=%d\ndispatcher.batch=%d\ndispatcher.idle_ms=%lld\n", o.threads,
              defaults.batch, static_cast<long long>(defaults.idle.count()));
  if (o.lead > 0 && wall_now() >= first_due) {
    std::printf("warning=the dispatchers started after the first due time; raise the lead\n");
  }
  std::fflush(stdout);

  const auto dispatch_began = clock_type::now();
  // Until the outbox is empty, at most spread + lead + 10 minutes.
  const auto deadline =
      clock_type::now() + std::chrono::seconds(o.spread + o.lead) + std::chrono::minutes(10);
  while (store.outbox_depth() > 0 && clock_type::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  const double drained_after = seconds_since(dispatch_began);
  for (auto& d : dispatchers) d->stop();

  int sent = 0;
  int failed = 0;
  int other = 0;
  for (const auto& e : store.outbox_list(o.count + 100)) {
    if (e.state == storage::outbox_state::sent) {
      ++sent;
    } else if (e.state == storage::outbox_state::failed) {
      ++failed;
    } else {
      ++other;
    }
  }
  std::printf("drained.seconds_after_dispatchers_started=%.3f\n", drained_after);
  std::printf("outbox.sent=%d\noutbox.failed=%d\noutbox.unsent=%d\n", sent, failed, other);
  std::printf("first_due.epoch=%lld\n",
              static_cast<long long>(first_due.time_since_epoch().count()));
  return sent == o.count ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "notify_bench: %s\n", e.what());
    return 2;
  }
}
