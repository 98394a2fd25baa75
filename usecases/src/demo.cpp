#include <calendar/expand.h>
#include <calendar/recurrence.h>
#include <usecases/demo.h>

#include <deque>
#include <iterator>
#include <stdexcept>
#include <utility>

namespace treffpunkt::usecases {
namespace {

using namespace std::chrono_literals;
using calendar::event;
using calendar::event_kind;
using calendar::local_seconds;

/// Builds the events of one unit with ids and UIDs numbered in order.
class event_maker {
 public:
  event_maker(std::string slug, calendar::unit_id unit, calendar::utc_seconds stamp)
      : slug_(std::move(slug)), unit_(unit), stamp_(stamp) {}

  event& add(const std::string& uid_suffix, std::string title, local_seconds start,
             std::chrono::seconds duration) {
    event e;
    e.unit = unit_;
    e.uid = uid_suffix + "." + slug_ + "@demo.treffpunkt";
    e.title = std::move(title);
    e.start = start;
    e.duration = duration;
    e.created = stamp_;
    e.last_modified = stamp_;
    events_.push_back(std::move(e));
    return events_.back();
  }

  std::vector<event> take() {
    return {std::make_move_iterator(events_.begin()), std::make_move_iterator(events_.end())};
  }

 private:
  std::string slug_;
  calendar::unit_id unit_;
  calendar::utc_seconds stamp_;
  std::deque<event> events_;  // add() hands out references that must outlive later adds
};

calendar::recurrence_rule rule(std::string_view text) {
  auto r = calendar::recurrence_rule::parse(text);
  if (!r) throw std::logic_error("demo rule does not parse: " + std::string(text));
  return *r;
}

/// The first local day on or after `from` that is `weekday`.
date::local_days next(date::local_days from, date::weekday weekday) {
  return from + (weekday - date::weekday{from});
}

/// The last `weekday` of the month that starts on `first`.
date::local_days last(date::local_days first, date::weekday weekday) {
  const date::year_month_day ymd{first};
  return date::local_days{ymd.year() / ymd.month() / weekday[date::last]};
}

local_seconds at(date::local_days day, std::chrono::minutes time_of_day) {
  return local_seconds{day} + time_of_day;
}

/// Cancels or moves the n-th occurrence (0-based) of a series, as a responsible would.
void override_nth(event& e, std::size_t n, bool cancel, std::chrono::minutes shift,
                  calendar::utc_seconds stamp) {
  const auto first = calendar::to_utc(e.start, e.zone);
  const auto occurrences = calendar::expand(e, first, first + date::years{2});
  if (n >= occurrences.size()) throw std::logic_error("demo override beyond the series");
  calendar::occurrence_override o;
  o.key = occurrences[n].key;
  o.cancelled = cancel;
  if (!cancel) o.start = occurrences[n].local_start + shift;
  o.sequence = 1;
  o.last_modified = stamp;
  e.overrides.push_back(std::move(o));
  // A cancellation is an EXDATE on the series itself: the series changed (docs/calendar.md).
  e.sequence += 1;
  e.last_modified = stamp;
}

}  // namespace

std::vector<demo_unit> make_demo(date::sys_days today) {
  const date::year_month_day ymd{today};
  const date::local_days season{(ymd.year() / ymd.month() / 1) - date::months{1}};
  const calendar::utc_seconds stamp =
      calendar::to_utc(local_seconds{season} - date::days{14}, calendar::default_zone);
  const calendar::utc_seconds edited = stamp + date::days{10};
  std::vector<demo_unit> units;

  {
    demo_unit u;
    u.unit = {calendar::unit_id{1},
              "frauen",
              "Netzwerkstelle Frauen*",
              "In der Frauen*netzwerkstelle organisieren wir regelmäßige Angebote für Frauen*: "
              "Vernetzung und Erfahrungsaustausch von Juso-Frauen*, Best-Practice-Beispiele für "
              "die politische Arbeit und gegen latente oder offene Diskriminierung. Wir erarbeiten "
              "Vorschläge, wie Frauen*förderung, z.B. über Frauen*empowermentprogramme, im "
              "Verband besser umgesetzt werden kann.",
              "#b0306a",
              std::string(calendar::default_zone)};
    u.responsibles = {{"Rosa Schererz", "rosa.schererz@demo.invalid"},
                      {"Katharina Klaus", "katharina.klaus@demo.invalid"}};
    event_maker m("frauen", u.unit.id, stamp);
    auto& meeting = m.add("vernetzung", "Vernetzungstreffen der Juso-Frauen*",
                          at(next(season, date::Tuesday), 19h), 2h);
    meeting.rule = rule("FREQ=MONTHLY;BYDAY=1TU");
    meeting.online_url = "https://meet.demo.invalid/frauen-vernetzung";
    meeting.description =
        "Monatliches Treffen: Neuigkeiten aus den Kreisverbänden, Erfahrungsaustausch und "
        "Planung der nächsten Angebote. Offen für alle Juso-Frauen*.";
    auto& exchange = m.add("best-practice",
                           "Best-Practice-Austausch: Gegen Diskriminierung in der "
                           "politischen Arbeit",
                           at(season + date::days{45}, 17h), 3h);
    exchange.kind = event_kind::exchange_offer;
    exchange.location = "Juso-Büro, Juri-Gagarin-Ring 158, 99084 Erfurt";
    exchange.capacity = 15;
    exchange.rsvp_deadline = date::days{2};
    auto& empower = m.add("empowerment", "Frauen*empowerment-Workshop: Reden halten",
                          at(season + date::days{94}, 10h), 6h);
    empower.kind = event_kind::exchange_offer;
    empower.location = "Jugendbildungsstätte Junker Jörg, Eisenach";
    empower.capacity = 12;
    empower.description = "Ein Tag Übung vor Publikum, mit Feedback und viel Kaffee ☕.";
    u.events = m.take();
    units.push_back(std::move(u));
  }
  {
    demo_unit u;
    u.unit = {calendar::unit_id{2},
              "bildung",
              "Netzwerkstelle Bildung",
              "Die Netzwerkstelle Bildung setzt sich mit jungsozialistischen Antworten auf das "
              "bestehende Bildungssystem auseinander: gemeinsam mit Hochschulgruppen und der "
              "Schüler*innen- und Auszubildendengruppe zu Zivilklausel, Inklusion an allen "
              "Bildungseinrichtungen und kostenlosen Kitas.",
              "#1f6fb2",
              std::string(calendar::default_zone)};
    u.responsibles = {{"Oleg Shevchenko", "oleg.shevchenko@demo.invalid"},
                      {"Konstantin Petry", "konstantin.petry@demo.invalid"},
                      {"Louisa Klopfleisch", "louisa.klopfleisch@demo.invalid"}};
    event_maker m("bildung", u.unit.id, stamp);
    auto& meeting = m.add("treffen", "Treffen der Netzwerkstelle Bildung",
                          at(next(season, date::Wednesday), 18h + 30min), 90min);
    meeting.rule = rule("FREQ=WEEKLY;INTERVAL=2;BYDAY=WE");
    meeting.location = "Haus der Jugend, Erfurt";
    meeting.online_url = "https://meet.demo.invalid/bildung";
    override_nth(meeting, 4, false, 24h, edited);  // one session moved to Thursday
    auto& exchange = m.add("zivilklausel", "Erfahrungsaustausch: Zivilklausel an Hochschulen",
                           at(season + date::days{52}, 18h), 2h);
    exchange.kind = event_kind::exchange_offer;
    exchange.location = "Friedrich-Schiller-Universität Jena, Seminarraum 3";
    exchange.capacity = 20;
    u.events = m.take();
    units.push_back(std::move(u));
  }
  {
    demo_unit u;
    u.unit = {calendar::unit_id{3},
              "antifa",
              "Netzwerkstelle Antifa",
              "Die Jusos Thüringen sind ein antifaschistischer Richtungsverband. Wir arbeiten mit "
              "Vereinen, Verbänden und Gruppen, die sich Nazis auf Demos, Kundgebungen und "
              "Konzerten in den Weg stellen, sprechen über Strategien gegen Rechts und engagieren "
              "uns in den Bürger*innenbündnissen in ganz Thüringen.",
              "#c62828",
              std::string(calendar::default_zone)};
    u.responsibles = {{"Romy Arnold", "romy.arnold@demo.invalid"},
                      {"Louisa Klopfleisch", "louisa.klopfleisch@demo.invalid"}};
    event_maker m("antifa", u.unit.id, stamp);
    auto& meeting = m.add("treffen", "Netzwerkstellentreffen Antifa",
                          at(last(season, date::Thursday), 19h), 2h);
    meeting.rule = rule("FREQ=MONTHLY;BYDAY=-1TH");
    meeting.online_url = "https://meet.demo.invalid/antifa";
    override_nth(meeting, 2, true, 0min, edited);  // one session cancelled
    auto& alliance = m.add("buendnis", "Bündnisarbeit: Austausch mit den Bürger*innenbündnissen",
                           at(season + date::days{60}, 18h), 2h);
    alliance.kind = event_kind::exchange_offer;
    alliance.location = "DGB-Haus, Schillerstraße 44, 99096 Erfurt";
    alliance.capacity = 30;
    u.events = m.take();
    units.push_back(std::move(u));
  }
  {
    demo_unit u;
    u.unit = {calendar::unit_id{4},
              "kommunales",
              "Netzwerkstelle Kommunales",
              "Die Netzwerkstelle Kommunales unterstützt die kommunalpolitische Arbeit der Jusos: "
              "eine Plattform für Jusos in Gemeinderäten und Kreistagen, um sich auszutauschen, "
              "Gelungenes vorzustellen und über das zu sprechen, was nicht so gut lief.",
              "#2e7d32",
              std::string(calendar::default_zone)};
    u.responsibles = {{"Konrad Erben", "konrad.erben@demo.invalid"},
                      {"Daniel Iliev", "daniel.iliev@demo.invalid"}};
    event_maker m("kommunales", u.unit.id, stamp);
    auto& meeting = m.add("stammtisch", "Kommunalpolitischer Stammtisch (online)",
                          at(next(season, date::Monday) + date::days{7}, 19h + 30min), 90min);
    meeting.rule = rule("FREQ=MONTHLY;BYDAY=2MO");
    meeting.online_url = "https://meet.demo.invalid/kommunales";
    auto& exchange =
        m.add("haushalt", "Haushaltsreden schreiben – Austausch für Mandatsträger*innen",
              at(season + date::days{75}, 10h), 4h);
    exchange.kind = event_kind::exchange_offer;
    exchange.location = "Landtag, Jürgen-Fuchs-Straße 1, 99096 Erfurt";
    exchange.capacity = 25;
    u.events = m.take();
    units.push_back(std::move(u));
  }

  std::int64_t next_id = 1;
  for (auto& u : units) {
    for (auto& e : u.events) {
      e.id = calendar::event_id{next_id++};
      if (auto ok = calendar::validate(e); !ok) {
        throw std::logic_error("demo event '" + e.title + "' is invalid: " + ok.error().what());
      }
    }
  }
  return units;
}

storage::result<int> load_demo(storage::store& store, calendar::utc_seconds now) {
  if (!store.units().empty()) return 0;
  const auto system = storage::actor::system();
  int created = 0;
  for (auto& d : make_demo(date::floor<date::days>(now))) {
    auto u = store.create_unit(d.unit, system);
    if (!u) return u.error();
    ++created;
    for (const auto& p : d.responsibles) {
      auto who = store.ensure_person(p.email, p.name);
      if (!who) return who.error();
      if (auto added = store.add_responsible(u->id, who->id, system); !added) {
        return added.error();
      }
    }
    for (auto& e : d.events) {
      e.id = {};
      e.unit = u->id;
      // Overrides are written one by one below, as a responsible would set them.
      auto overrides = std::move(e.overrides);
      e.overrides.clear();
      auto written = store.create_event(std::move(e), system, now);
      if (!written) return written.error();
      for (auto& o : overrides) {
        if (auto set = store.set_override(written->id, std::move(o), system, now); !set) {
          return set.error();
        }
      }
    }
  }
  return created;
}

}  // namespace treffpunkt::usecases
