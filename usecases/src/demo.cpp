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

/// A member's offer as the demo proposes it.
demo_offer offer(demo_person host, std::string title, std::string description,
                 storage::offer_format format, std::chrono::minutes length,
                 std::vector<local_seconds> dates, std::optional<int> places, bool show_host) {
  demo_offer o;
  o.host = std::move(host);
  auto& d = o.draft;
  d.title = std::move(title);
  d.description = std::move(description);
  d.format = format;
  d.duration = length;
  d.dates = std::move(dates);
  d.capacity = places;
  d.show_host = show_host;
  return o;
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
              std::string(calendar::default_zone),
              {},
              {}};
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
    auto sexism = offer({"Mira Sommer", "mira.sommer@demo.invalid"},
                        "Erfahrungsaustausch: Sexismus in Gremien ansprechen",
                        "Wie sprechen wir Sexismus in Sitzungen an, ohne selbst zum Thema zu "
                        "werden? Ich erzähle, was in unserem Kreisvorstand geholfen hat, und "
                        "freue mich auf eure Erfahrungen.",
                        storage::offer_format::both, 120min,
                        {at(season + date::days{64}, 18h + 30min)}, 15, true);
    sexism.draft.location = "Juso-Büro, Juri-Gagarin-Ring 158, 99084 Erfurt";
    sexism.draft.online_url = "https://meet.demo.invalid/frauen-austausch";
    sexism.approved_at = at(season + date::days{64}, 18h + 30min);
    u.offers.push_back(std::move(sexism));
    auto podcast = offer({"Lena Hoffmann", "lena.hoffmann@demo.invalid"},
                         "Podcast-Workshop: Frauen*stimmen hörbar machen",
                         "Von der Idee bis zur ersten Folge: Technik, Themen, Interviews.",
                         storage::offer_format::online, 90min,
                         {at(season + date::days{78}, 19h), at(season + date::days{85}, 19h)},
                         std::nullopt, true);
    podcast.draft.online_url = "https://meet.demo.invalid/podcast";
    u.offers.push_back(std::move(podcast));
    u.wishes.push_back({{"Lena Hoffmann", "lena.hoffmann@demo.invalid"},
                        "Wer hat Erfahrung mit Mentoring-Programmen für junge Frauen* im "
                        "Verband?"});
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
              std::string(calendar::default_zone),
              {},
              {}};
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
    auto school =
        offer({"Jonas Weber", "jonas.weber@demo.invalid"},
              "Schüler*innenvertretung: Wie wir die Schulkonferenz überzeugt haben",
              "Ein Jahr Kampagne für kostenloses Mittagessen an unserer Schule: was "
              "funktioniert hat und was wir heute anders machen würden.",
              storage::offer_format::online, 90min, {at(season + date::days{65}, 18h)}, 25, true);
    school.draft.online_url = "https://meet.demo.invalid/schulkonferenz";
    school.approved_at = at(season + date::days{65}, 18h);
    u.offers.push_back(std::move(school));
    auto inclusion = offer({"Aylin Demir", "aylin.demir@demo.invalid"},
                           "Inklusion an Berufsschulen: Erfahrungen aus Gera",
                           "Was Azubis mit Behinderung an Berufsschulen brauchen und wie wir als "
                           "Jusos Druck machen können.",
                           storage::offer_format::in_person, 120min, {}, 15, false);
    inclusion.draft.location = "Haus der Jugend, Erfurt";
    u.offers.push_back(std::move(inclusion));
    u.wishes.push_back({{"Aylin Demir", "aylin.demir@demo.invalid"},
                        "Wer kennt sich mit BAföG-Beratung aus und kann davon erzählen?"});
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
              std::string(calendar::default_zone),
              {},
              {}};
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
    // Hosts of antifascist offers are often targets: this one is named only to the people
    // coming and the responsibles.
    auto safety = offer({"Tom Richter", "tom.richter@demo.invalid"},
                        "Sicher auf Demos: Erfahrungen aus Awareness-Teams",
                        "Wie wir bei Gegenprotesten aufeinander achten: Bezugsgruppen, "
                        "Ermittlungsausschuss, Nachsorge.",
                        storage::offer_format::in_person, 120min,
                        {at(season + date::days{69}, 18h)}, 20, false);
    safety.draft.location = "DGB-Haus, Schillerstraße 44, 99096 Erfurt";
    safety.approved_at = at(season + date::days{69}, 18h);
    u.offers.push_back(std::move(safety));
    auto research =
        offer({"Sam Keller", "sam.keller@demo.invalid"},
              "Rechte Strukturen vor Ort recherchieren: erste Schritte",
              "Offene Quellen, Quellenschutz und wie man sich dabei selbst schützt.",
              storage::offer_format::online, 90min, {at(season + date::days{80}, 19h)}, 12, false);
    research.draft.online_url = "https://meet.demo.invalid/recherche";
    u.offers.push_back(std::move(research));
    u.wishes.push_back({{"Sam Keller", "sam.keller@demo.invalid"},
                        "Wer hat Erfahrung mit Gegenprotesten in kleinen Orten?"});
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
              std::string(calendar::default_zone),
              {},
              {}};
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
    auto budget = offer({"Paula Neumann", "paula.neumann@demo.invalid"},
                        "Bürgerhaushalt in Jena: was ging, was nicht",
                        "Zwei Jahre Bürgerhaushalt aus Sicht einer Stadträtin: Beteiligung, "
                        "Verwaltung, Presse – und was ich heute anders machen würde.",
                        storage::offer_format::both, 120min,
                        {at(season + date::days{71}, 18h + 30min)}, 20, true);
    budget.draft.location = "Volkshaus Jena, Carl-Zeiß-Platz 15";
    budget.draft.online_url = "https://meet.demo.invalid/buergerhaushalt";
    budget.approved_at = at(season + date::days{71}, 18h + 30min);
    u.offers.push_back(std::move(budget));
    auto motions =
        offer({"Felix Braun", "felix.braun@demo.invalid"},
              "Anträge im Kreistag: vom Entwurf zur Mehrheit",
              "Wie ein Antrag geschrieben, abgestimmt und durchgebracht wird – mit "
              "Beispielen aus dem Ilm-Kreis.",
              storage::offer_format::in_person, 90min,
              {at(season + date::days{76}, 18h), at(season + date::days{90}, 18h)}, 15, true);
    motions.draft.location = "SPD-Büro Arnstadt";
    u.offers.push_back(std::move(motions));
    u.wishes.push_back({{"Felix Braun", "felix.braun@demo.invalid"},
                        "Wer hat Erfahrung mit Jugendbeteiligung in Gemeinderäten?"});
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
  auto demo = make_demo(date::floor<date::days>(now));
  for (auto& d : demo) {
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
  // The members' offers and wishes after every unit's events, so that those keep their ids.
  for (const auto& d : demo) {
    const auto u = store.unit_by_slug(d.unit.slug);
    if (!u) continue;
    for (const auto& w : d.wishes) {
      auto who = store.ensure_person(w.wisher.email, w.wisher.name);
      if (!who) return who.error();
      if (auto posted = store.post_wish(u->id, who->id, w.text, now); !posted) {
        return posted.error();
      }
    }
    for (const auto& o : d.offers) {
      auto who = store.ensure_person(o.host.email, o.host.name);
      if (!who) return who.error();
      auto proposed = store.propose_offer(u->id, who->id, o.draft, now);
      if (!proposed) return proposed.error();
      if (!o.approved_at) continue;
      storage::proposal_decision yes;
      yes.start = *o.approved_at;
      yes.capacity = o.draft.capacity;
      // No mails: demo people have no real address.
      if (auto decided = store.decide_proposal(proposed->id, system, yes, now); !decided) {
        return decided.error();
      }
    }
  }
  return created;
}

}  // namespace treffpunkt::usecases
