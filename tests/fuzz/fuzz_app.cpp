#include "fuzz_app.h"

#include <calendar/clock.h>
#include <calendar/expand.h>
#include <server/app.h>
#include <storage/store.h>
#include <unistd.h>  // getpid: one folder per fuzzer process
#include <usecases/demo.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

namespace treffpunkt::fuzz {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

/// How many requests the store takes before it is put back to its state after set-up.
constexpr unsigned reset_every = 500;

struct placeholders {
  std::vector<std::pair<std::string, std::string>> values;
};

struct world {
  fs::path root;      ///< the process's own folder: template/ and live/
  placeholders subs;  ///< what substitute() puts in
  std::unique_ptr<storage::store> store;
  std::unique_ptr<server::app> app;
  unsigned calls = 0;
};

world& the_world() {
  static world w;
  return w;
}

/// A fixed day, so that a finding replays the same way on any day (the store and the app run
/// on a clock set to start there).
const calendar::clock& fuzz_clock() {
  static const calendar::clock c = calendar::clock::starting_at(
      calendar::utc_seconds{date::sys_days{date::year{2026} / 6 / 10}});
  return c;
}

calendar::utc_seconds now() { return fuzz_clock().now(); }

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz set-up failed: %s\n", what.c_str());
  std::abort();
}

std::unique_ptr<storage::store> open_store(const fs::path& dir) {
  auto s = storage::store::open(dir, storage::store::if_read_only::fail, fuzz_clock());
  if (!s) fail("cannot open the store in " + dir.string());
  return std::move(*s);
}

server::app_options app_options() {
  server::app_options o;
  o.access_log = false;
  // Rate limits would turn most writes into 429s after a few runs; the fuzzer wants the routes.
  o.limits.rsvps_per_person_per_minute = 0;
  o.limits.rsvps_per_address_per_minute = 0;
  o.login.emails_per_address_per_hour = 0;
  o.login.emails_per_ip_per_hour = 0;
  o.clock = fuzz_clock();
  // No thread writing feed fetch counts at its own times: a finding replays the same way.
  o.fetch_counts_every = std::chrono::milliseconds(0);
  return o;
}

/// The key of the first occurrence of `e` that is still to come and not cancelled, else of its
/// first occurrence (the demo's season moves with today).
std::string upcoming_key(const calendar::event& e) {
  const auto from = now() + std::chrono::hours(1);
  for (const auto& o : calendar::expand(e, from, from + std::chrono::days(400))) {
    if (!o.cancelled) return o.key.to_string();
  }
  const auto first = calendar::to_utc(e.start, e.zone);
  const auto all = calendar::expand(e, first, first + std::chrono::days(400));
  if (all.empty()) fail("demo event " + e.uid + " has no occurrence");
  return all.front().key.to_string();
}

/// Loads the demo, makes the people and their secrets, and closes the store again, so that
/// `template/` holds the state each reset starts from.
placeholders make_template(const fs::path& dir) {
  auto s = open_store(dir);
  if (!usecases::load_demo(*s, now())) fail("load_demo");
  const auto bildung = s->unit_by_slug("bildung");
  if (!bildung) fail("demo has no unit bildung");
  const auto responsibles = s->responsibles(bildung->id);
  if (responsibles.empty()) fail("bildung has no responsible");
  const auto& editor = responsibles.front();
  auto admin = s->ensure_person("admin@fuzz.invalid", "Admin");
  if (!admin || !s->set_admin(admin->id, true, storage::actor::system())) fail("admin");

  placeholders p;
  const auto t = now();
  p.values.emplace_back("{api}",
                        s->issue_token(storage::token_kind::api, editor.id, 3650 * 24h, t).raw);
  p.values.emplace_back("{session}",
                        s->issue_token(storage::token_kind::session, editor.id, 3650 * 24h, t).raw);
  p.values.emplace_back("{admin}",
                        s->issue_token(storage::token_kind::session, admin->id, 3650 * 24h, t).raw);
  p.values.emplace_back("{csrf}", std::string(43, 'c'));
  for (const auto& e : s->events_of_unit(bildung->id)) {
    const bool series = e.is_series();
    if (series && e.uid.starts_with("treffen.")) {
      p.values.emplace_back("{event}", std::to_string(e.id.value));
      p.values.emplace_back("{key}", upcoming_key(e));
    } else if (e.uid.starts_with("zivilklausel.")) {
      p.values.emplace_back("{offer}", std::to_string(e.id.value));
      p.values.emplace_back("{okey}", upcoming_key(e));
    }
  }
  if (p.values.size() != 8) fail("bildung's demo events changed: update tests/fuzz/fuzz_app.cpp");
  return p;
}

/// Opens a fresh copy of the template as the live store.
void reset(world& w) {
  w.app.reset();
  w.store.reset();
  const auto live = w.root / "live";
  fs::remove_all(live);
  fs::copy(w.root / "template", live, fs::copy_options::recursive);
  w.store = open_store(live);
  w.app = std::make_unique<server::app>(*w.store, app_options());
  w.calls = 0;
}

void remove_root() {
  auto& w = the_world();
  w.app.reset();
  w.store.reset();
  std::error_code ignored;
  fs::remove_all(w.root, ignored);
}

}  // namespace

void init() {
  auto& w = the_world();
  // TMPDIR decides where: scripts/fuzz points it at /dev/shm when it can (SQLite's fsyncs).
  w.root = fs::temp_directory_path() / ("treffpunkt-fuzz-" + std::to_string(::getpid()));
  fs::remove_all(w.root);
  fs::create_directories(w.root / "template");
  w.subs = make_template(w.root / "template");
  std::atexit(remove_root);
  reset(w);
}

std::string substitute(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto& values = the_world().subs.values;
  while (!text.empty()) {
    bool replaced = false;
    if (text.front() == '{') {
      for (const auto& [name, value] : values) {
        if (text.starts_with(name)) {
          out += value;
          text.remove_prefix(name.size());
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) {
      out += text.front();
      text.remove_prefix(1);
    }
  }
  return out;
}

server::http_response handle(const server::http_request& request) {
  auto& w = the_world();
  if (++w.calls > reset_every) reset(w);
  auto response = w.app->handle(request);
  if (response.status >= 500) {
    std::fprintf(stderr,
                 "FINDING: %u for %s %s\ncontent-type: %s\nauthorization: %s\ncookie: %s\n"
                 "body (%zu bytes): %s\nanswer: %s\n",
                 response.status, request.method.c_str(), request.target.c_str(),
                 request.content_type.c_str(), request.authorization.c_str(),
                 request.cookie.c_str(), request.body.size(), request.body.c_str(),
                 response.body ? response.body->c_str() : "");
    std::abort();
  }
  if (response.status < 100) std::abort();
  // TREFFPUNKT_FUZZ_VERBOSE=1: one line per request, to see which routes a corpus reaches.
  static const bool verbose = std::getenv("TREFFPUNKT_FUZZ_VERBOSE") != nullptr;
  if (verbose) {
    std::fprintf(stderr, "fuzz: %u %s %s\n", response.status, request.method.c_str(),
                 request.target.c_str());
  }
  return response;
}

}  // namespace treffpunkt::fuzz
