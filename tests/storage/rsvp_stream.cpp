// rsvp_stream DATA_DIR [COUNT]: a stream of RSVPs for durability_test.py, which kills this
// program (SIGKILL) mid-stream and then checks that every RSVP acknowledged here is stored.
//
// Prints "event <event_id>" once, then for each member i: set_rsvp(yes) and, only after it
// returned success, "ack <person_id> <occurrence_key>". Run again on the same directory, it
// reuses the unit, the event and the members and goes on with the first member without an RSVP.
#include <calendar/event.h>
#include <calendar/rsvp.h>
#include <calendar/time.h>
#include <date/date.h>
#include <storage/store.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

namespace cal = treffpunkt::calendar;
namespace st = treffpunkt::storage;

constexpr std::string_view unit_slug = "durability";
constexpr std::string_view event_uid = "rsvp-stream@treffpunkt.test";

int fail(const std::string& what) {
  std::fprintf(stderr, "rsvp_stream: %s\n", what.c_str());
  return 1;
}

std::string member_email(long i) { return "stream-" + std::to_string(i) + "@example.org"; }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: rsvp_stream DATA_DIR [COUNT]\n");
    return 2;
  }
  const long count = argc == 3 ? std::strtol(argv[2], nullptr, 10) : 100'000;
  const auto now = [] {
    return std::chrono::floor<std::chrono::seconds>(cal::utc_seconds::clock::now());
  };

  auto opened = st::store::open(argv[1]);
  if (!opened) return fail(opened.error().message);
  st::store& db = **opened;

  auto unit = db.unit_by_slug(unit_slug);
  if (!unit) {
    cal::unit u;
    u.slug = std::string(unit_slug);
    u.name = "Durability";
    auto created = db.create_unit(u, st::actor::system());
    if (!created) return fail(created.error().message);
    unit = *created;
  }

  std::optional<cal::event> event;
  for (auto& e : db.events_of_unit(unit->id)) {
    if (e.uid == event_uid) event = std::move(e);
  }
  if (!event) {
    // A one-off far ahead, so that no run meets its start or its deadline; places enough for
    // every member, but counted, so each RSVP takes the path of a limited event.
    cal::event e;
    e.unit = unit->id;
    e.uid = std::string(event_uid);
    e.title = "Durability";
    e.start = date::local_days{date::year{2100} / 1 / 5} + std::chrono::hours{19};
    e.capacity = 100'000;  // the most validate() accepts
    auto created = db.create_event(e, st::actor::system(), now());
    if (!created) return fail(created.error().message);
    event = std::move(*created);
  }
  const auto key = cal::occurrence_key::timed(cal::to_utc(event->start, event->zone));
  const std::string key_text = key.to_string();
  std::printf("event %lld\n", static_cast<long long>(event->id.value));
  std::fflush(stdout);

  for (long i = 1; i <= count; ++i) {
    const std::string email = member_email(i);
    auto p = db.person_by_email(email);
    if (p && db.rsvp_of(event->id, key, p->id)) continue;  // done by an earlier run
    if (!p) {
      auto created = db.ensure_person(email, "Stream " + std::to_string(i));
      if (!created) return fail(created.error().message);
      p = std::move(*created);
    }
    const auto r = db.set_rsvp(event->id, key, p->id, cal::rsvp_answer::yes, now());
    if (!r) return fail(r.error().message);
    // Acknowledged only now: set_rsvp returns after COMMIT.
    std::printf("ack %lld %s\n", static_cast<long long>(p->id.value), key_text.c_str());
    std::fflush(stdout);
  }
  return 0;
}
