#pragma once
/// Shared by the notification tests: a sample event, a real SMTP server (smtp_server.py) run
/// as a child process, what Python's email package makes of a received message, and the
/// outbox_port over a real storage::store (server::store_outbox, as `serve` uses it).

#include <calendar/event.h>
#include <calendar/ical_writer.h>
#include <gtest/gtest.h>
#include <notifications/dispatcher.h>
#include <notifications/message.h>
#include <signal.h>
#include <spawn.h>
#include <storage/store.h>
#include <sys/wait.h>
#include <unistd.h>
#include <usecases/store_outbox.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/test_time.h"

extern char** environ;  // NOLINT: POSIX, for posix_spawn

namespace treffpunkt::notifications::testing {

using namespace std::chrono_literals;
using treffpunkt::testing::local;
using treffpunkt::testing::utc;

inline const std::filesystem::path test_dir{TREFFPUNKT_NOTIFICATIONS_TEST_DIR};

/// A one-off session with umlauts, a star and a comma, as the units write them.
inline calendar::event sample_event() {
  calendar::event e;
  e.id = calendar::event_id{7};
  e.unit = calendar::unit_id{1};
  e.uid = "event-7@treffpunkt.example";
  e.sequence = 1;
  e.created = utc(2025, 10, 1, 8);
  e.last_modified = utc(2025, 11, 1, 12);
  e.title = "Empowerment für Schüler*innen, Thüringen";
  e.location = "Jugendhaus Erfurt, Raum 2";
  e.zone = "Europe/Berlin";
  e.start = local(2025, 12, 2, 19);
  e.duration = 2h;
  return e;
}

inline calendar::imip_party sample_party() {
  return {"Netzwerkstelle Frauen*", "frauen@treffpunkt.example", "Jürgen Müller",
          "juergen@example.org"};
}

inline calendar_part invitation(calendar::imip_method method,
                                const calendar::event& e = sample_event()) {
  return calendar_part{method, calendar::write_imip(method, e, std::nullopt, sample_party())};
}

inline facts sample_facts(language lang = language::de) {
  const auto e = sample_event();
  return facts{.unit_name = "Netzwerkstelle Frauen*",
               .event_title = e.title,
               .when = format_when(e.start, false, lang),
               .previous_when = format_when(local(2025, 12, 1, 18), false, lang),
               .location = e.location,
               .link = "https://treffpunkt.example/events/7/20251202T180000Z",
               .sender_name = "Anna Schmidt",
               .subject = "Raumänderung",
               .body = "Bitte bringt <Snacks> mit & gute Laune.\nBis bald!",
               .expires_in = lang == language::de ? "48 Stunden" : "48 hours",
               .app = lagging_app(calendar::client_family::google, lang).app,
               .delay = lagging_app(calendar::client_family::google, lang).delay};
}

inline envelope sample_envelope(std::string id = "m1@treffpunkt.example") {
  return envelope{.from = {"Netzwerkstelle Frauen* über treffpunkt", "noreply@treffpunkt.example"},
                  .to = {"Jürgen Müller", "juergen@example.org"},
                  .date = utc(2025, 11, 25, 19, 46, 46),
                  .message_id = std::move(id),
                  .unsubscribe_url = "https://treffpunkt.example/unsubscribe/abc123"};
}

/// A folder under the temp directory, removed with everything in it.
class scratch_dir {
 public:
  scratch_dir() {
    std::random_device entropy;
    path_ = std::filesystem::temp_directory_path() /
            ("treffpunkt-mail-" + std::to_string(entropy()) + std::to_string(getpid()));
    std::filesystem::create_directories(path_);
  }
  ~scratch_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// A port nobody listens on right now (bound, read, closed).
int free_port();

/// smtp_server.py on 127.0.0.1: started by the constructor (waits until it listens), stopped
/// with SIGTERM by the destructor.
class smtp_server {
 public:
  struct options {
    int port = 0;  ///< 0: any free port
    int fail_first = 0;
    std::vector<std::string> reject;
    std::string tls = "none";  ///< none, starttls (required), implicit
    std::string auth;          ///< "user:pass" to require AUTH
    int delay_ms = 0;          ///< before each DATA reply
  };
  smtp_server(const std::filesystem::path& dir, const options& o);
  ~smtp_server();
  smtp_server(const smtp_server&) = delete;
  smtp_server& operator=(const smtp_server&) = delete;

  int port() const { return port_; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  /// The received .eml files, in order of arrival.
  std::vector<std::filesystem::path> received() const;
  /// How many SMTP sessions greeted the server.
  int connections() const;

 private:
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

/// inspect_mail.py's view of a received message.
boost::json::object inspect(const std::filesystem::path& eml);

/// The production adapter (server/store_outbox.h), under the name the tests use.
using store_outbox = usecases::store_outbox;

}  // namespace treffpunkt::notifications::testing
