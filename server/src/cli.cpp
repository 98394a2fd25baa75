#include <calendar/ical_reader.h>
#include <notifications/dispatcher.h>
#include <notifications/maildir.h>
#include <notifications/mime.h>
#include <notifications/smtp.h>
#include <server/app.h>
#include <server/cli.h>
#include <server/http_server.h>
#include <server/version.h>
#include <storage/store.h>
#include <usecases/demo.h>
#include <usecases/housekeeping.h>
#include <usecases/import.h>
#include <usecases/people.h>
#include <usecases/store_outbox.h>

#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <ostream>
#include <sstream>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "config.h"
#include "copy_command.h"
#include "expand_command.h"

namespace treffpunkt::server {
namespace {

constexpr std::string_view usage =
    R"(treffpunkt - meetings and exchange offers of network units, as calendar feeds

Usage:
  treffpunkt serve [--listen 127.0.0.1:8080] [--base-url URL] [--config FILE] [--demo] ...
                                                (treffpunkt serve --help lists all options)
  treffpunkt admin add EMAIL                    make EMAIL an admin (created if new)
  treffpunkt token create EMAIL                 print a new API token for EMAIL (created if new)
  treffpunkt import --unit SLUG [--dry-run] [--base-url URL] [--mail-from ADDRESS]
                    [--config FILE] FILE.ics    add or update the unit's events from FILE.ics;
                                                mails to those going to a changed session link
                                                to URL
  treffpunkt export [--person EMAIL]            all data (or all about one person, for their
                                                data request) as JSON on standard output
  treffpunkt person delete EMAIL [--base-url URL] [--mail-from ADDRESS] [--config FILE]
                                                delete EMAIL's account (their erasure request);
                                                mails to whoever gets their places link to URL
  treffpunkt expand --jsonl                     expand recurrence rules, one JSON object a
                                                line on standard input, one answer a line on
                                                standard output (docs/calendar.md)
  treffpunkt copy --from DIR --to postgresql://...
                                                copy the data folder's SQLite database into
                                                an empty PostgreSQL database, all or nothing
  treffpunkt --help | --version

Every command but expand and copy takes --data DIR (default ./treffpunkt-data/), where the
SQLite database and the Maildir live, and --database postgresql://... (or TREFFPUNKT_DATABASE)
to use a PostgreSQL database instead; the data folder then holds only the Maildir.
)";

/// Arguments with `--data DIR` and `--database URL` taken out (they may stand anywhere), and
/// the clock.
struct command_line {
  std::string data_dir = "treffpunkt-data";  ///< --data, else TREFFPUNKT_DATA, else the default
  bool data_given = false;                   ///< by --data
  /// --database, else TREFFPUNKT_DATABASE; empty: SQLite in data_dir. serve, import and person
  /// delete also read the `database` key of serve's --config file (below the variable).
  std::string database;
  bool database_given = false;  ///< by --database
  std::vector<std::string_view> rest;
  /// The system clock, or for tests one that starts at TREFFPUNKT_NOW.
  calendar::clock clock;
};

std::optional<command_line> split_data_dir(std::span<const std::string_view> args,
                                           std::ostream& err) {
  command_line c;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--data") {
      if (i + 1 == args.size() || args[i + 1].empty()) {
        err << "treffpunkt: --data wants a folder\n";
        return std::nullopt;
      }
      c.data_dir = std::string(args[++i]);
      c.data_given = true;
    } else if (args[i] == "--database" || args[i].starts_with("--database=")) {
      std::string_view url;
      if (args[i] != "--database") {
        url = args[i].substr(std::string_view("--database=").size());
      } else if (i + 1 < args.size()) {
        url = args[++i];
      }
      if (!is_database_url(url)) {
        err << "treffpunkt: --database wants a URL starting with postgresql:// or postgres://, "
               "got '"
            << redacted_url(url) << "'\n";
        return std::nullopt;
      }
      c.database = std::string(url);
      c.database_given = true;
    } else {
      c.rest.push_back(args[i]);
    }
  }
  if (!c.data_given) {
    if (auto env = process_env("TREFFPUNKT_DATA"); env && !env->empty()) c.data_dir = *env;
  }
  // A bad variable matters only to the commands that open the store (not to --version).
  const bool opens_store = !c.rest.empty() && c.rest[0] != "expand" &&
                           !c.rest[0].starts_with("-") && c.rest[0] != "help";
  if (!c.database_given && opens_store) {
    if (auto env = process_env("TREFFPUNKT_DATABASE"); env && !env->empty()) {
      if (!is_database_url(*env)) {
        err << "treffpunkt: TREFFPUNKT_DATABASE wants a URL starting with postgresql:// or "
               "postgres://, got '"
            << redacted_url(*env) << "'\n";
        return std::nullopt;
      }
      c.database = *env;
    }
  }
  // For tests, which must pass on any day: every command's clock starts at this instant.
  if (auto env = process_env("TREFFPUNKT_NOW"); env && !env->empty()) {
    const auto start = calendar::parse_utc(*env);
    if (!start) {
      err << "treffpunkt: TREFFPUNKT_NOW must be an instant such as 2026-03-29T00:30:00Z, not '"
          << *env << "'\n";
      return std::nullopt;
    }
    c.clock = calendar::clock::starting_at(*start);
  }
  return c;
}

/// Where the store is: the PostgreSQL database of `database`, else SQLite in `dir`.
/// (`fallback` is SQLite's: a PostgreSQL store is never opened for reading only.)
std::unique_ptr<storage::store> open_store(
    const std::string& dir, const std::string& database, const calendar::clock& clock,
    std::ostream& err, storage::store::if_read_only fallback = storage::store::if_read_only::fail) {
  if (!database.empty()) {
    auto opened = storage::store::open_postgres(database, clock);
    if (!opened) {
      // The URL without its password: errors end up in logs and terminals.
      err << "treffpunkt: cannot open the database " << redacted_url(database) << ": "
          << opened.error().message << '\n';
      return nullptr;
    }
    return std::move(*opened);
  }
  auto opened = storage::store::open(dir, fallback, clock);
  if (!opened) {
    err << "treffpunkt: cannot open the data folder " << dir << ": " << opened.error().message
        << '\n';
    return nullptr;
  }
  return std::move(*opened);
}

/// On PostgreSQL, where the rate limits' buckets are rows (store::take_allowance): deletes
/// those that are full again every 10 minutes, whether requests come or not, so that no row
/// outlives its limit by much (docs/security.md). Stops (and joins) when destroyed.
class rate_limit_sweeper {
 public:
  rate_limit_sweeper(storage::store& store, calendar::clock clock)
      : thread_([this, &store, clock](const std::stop_token& stop) {
          std::unique_lock lock(mutex_);
          while (!wake_.wait_for(lock, stop, std::chrono::minutes(10), [] { return false; })) {
            if (stop.stop_requested()) return;
            lock.unlock();
            if (auto swept = store.expire_rate_limits(clock.now()); !swept) {
              std::fprintf(stderr, "rate limits: %s\n", swept.error().message.c_str());
            }
            lock.lock();
          }
        }) {}

 private:
  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::jthread thread_;  ///< last: started once the members it uses exist
};

/// --mail-from, else treffpunkt@<host of the base URL (or of --listen)>; a host that makes no
/// plain address (localhost, an IPv6 literal) gives treffpunkt@localhost.invalid.
std::string mail_from(const serve_config& config) {
  if (!config.mail_from.empty()) return config.mail_from;
  std::string_view host = config.server.address;
  if (!config.base_url.empty()) {
    std::string_view rest = config.base_url;
    rest.remove_prefix(rest.find("://") + 3);
    rest = rest.substr(0, rest.find('/'));
    if (!rest.starts_with('[')) rest = rest.substr(0, rest.find(':'));
    host = rest;
  }
  std::string address = "treffpunkt@" + std::string(host);
  if (!notifications::valid_address(address)) address = "treffpunkt@localhost.invalid";
  return address;
}

/// Where mail goes: the SMTP server of --smtp, else the Maildir DATA/mail. Throws when the
/// Maildir cannot be made (a start-up failure).
std::unique_ptr<notifications::mail_sender> make_sender(const serve_config& config,
                                                        const std::string& from) {
  if (config.smtp.empty()) {
    return std::make_unique<notifications::maildir_sender>(std::filesystem::path(config.data_dir) /
                                                           "mail");
  }
  notifications::smtp_config smtp;
  smtp.url = config.smtp;
  smtp.mail_from = from;
  return std::make_unique<notifications::smtp_sender>(std::move(smtp));
}

/// Whether `rest[i]` is one of serve's options that shape the mails a command queues for serve
/// to send (--base-url, --config, --mail-from; NAME VALUE or NAME=VALUE): then it and its value
/// are added to `args` and `i` stands on the last one taken.
bool take_mail_option(const std::vector<std::string_view>& rest, std::size_t& i,
                      std::vector<std::string_view>& args) {
  const std::string_view arg = rest[i];
  const std::string_view name = arg.substr(0, arg.find('='));
  if (name != "--base-url" && name != "--config" && name != "--mail-from") return false;
  args.push_back(arg);
  if (name == arg && i + 1 < rest.size()) args.push_back(rest[++i]);
  return true;
}

/// serve's configuration from `args` (take_mail_option's, after --data if it was given) and
/// the TREFFPUNKT_* variables: the data folder, From and base URL of the mails a command queues.
std::optional<serve_config> mail_config(const command_line& c,
                                        std::vector<std::string_view> mail_args, std::ostream& out,
                                        std::ostream& err) {
  std::vector<std::string_view> args;
  if (c.data_given) args = {"--data", c.data_dir};
  if (c.database_given) args.insert(args.end(), {"--database", c.database});
  args.insert(args.end(), mail_args.begin(), mail_args.end());
  auto loaded = load_serve_config(args, process_env, out, err);
  if (!loaded.config) return std::nullopt;
  return *loaded.config;
}

/// The base URL of links in mails: serve's --base-url, else (as serve without one) its own
/// listening address.
std::string mail_base_url(const serve_config& config) {
  if (!config.base_url.empty()) return config.base_url;
  const auto& host = config.server.address;
  return "http://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
         std::to_string(config.server.port);
}

int serve(const command_line& c, std::ostream& out, std::ostream& err) {
  // --data and --database were taken out for every command; here they are flags again, above
  // the environment.
  std::vector<std::string_view> args(c.rest.begin() + 1, c.rest.end());
  if (c.data_given) args.insert(args.begin(), {"--data", c.data_dir});
  if (c.database_given) args.insert(args.begin(), {"--database", c.database});
  auto loaded = load_serve_config(args, process_env, out, err);
  if (!loaded.config) return loaded.exit_code;
  const serve_config& config = *loaded.config;
  const server_options& options = config.server;

  // A data folder that cannot be written still serves its feeds and pages.
  auto store = open_store(config.data_dir, config.database, c.clock, err,
                          storage::store::if_read_only::open_for_reading);
  if (!store) return 1;
  if (store->read_only()) {
    err << "treffpunkt serve: the data folder " << config.data_dir
        << " cannot be written: serving what is there; every change answers 503 and no mail "
           "goes out until it is writable again and treffpunkt restarts\n";
  }
  if (config.demo) {
    auto demo_loaded = usecases::load_demo(*store, c.clock.now());
    if (!demo_loaded) {
      err << "treffpunkt serve: cannot load the demo: " << demo_loaded.error().message << '\n';
      return 1;
    }
  }
  try {
    const std::string from = mail_from(config);
    const auto sender = make_sender(config, from);
    usecases::store_outbox outbox(*store);
    notifications::dispatcher_options mail_options;
    mail_options.clock = [clock = c.clock] { return clock.now(); };
    mail_options.log = [](std::string_view what) {
      std::fprintf(stderr, "mail: %.*s\n", static_cast<int>(what.size()), what.data());
    };
    // Started after the store opened; stopped after the io threads finished (no route can
    // wake it any more) and before the store closes (it records each batch's outcome).
    notifications::dispatcher mailer(outbox, *sender, std::move(mail_options));
    // Read-only, nothing can be claimed from the outbox, nor guests expired: both stay idle.
    // Started once serve listens (below): reminders are composed when claimed, with the public
    // URL that is known only then; one claimed before would wait for its lease.
    // Unconfirmed guest RSVPs go once their link expired (48 hours): checked every 10 minutes.
    usecases::housekeeping keeper(
        *store, std::chrono::minutes(10),
        [](std::string_view what) {
          std::fprintf(stderr, "housekeeping: %.*s\n", static_cast<int>(what.size()), what.data());
        },
        c.clock);
    if (!store->read_only()) keeper.start();
    std::optional<rate_limit_sweeper> sweeper;
    if (!config.database.empty()) sweeper.emplace(*store, c.clock);
    std::unique_ptr<app> published;
    const request_handler handler = [&published](const http_request& request) {
      return published->handle(request);
    };
    const request_observer observer = [&published](const http_request& request,
                                                   const http_response& answer, std::size_t bytes,
                                                   std::chrono::microseconds took) {
      published->record(request, answer, bytes, took);
    };
    const int status = run_http_server(
        options, handler,
        [&](unsigned short port) {
          const std::string host = options.address.find(':') != std::string::npos
                                       ? "[" + options.address + "]"
                                       : options.address;
          app_options app_config;
          app_config.base_url = config.base_url;
          app_config.default_base_url = "http://" + host + ":" + std::to_string(port);
          app_config.trust_proxy = options.trust_proxy;
          app_config.access_log = config.access_log;
          app_config.limits = config.limits;
          app_config.metrics_from = config.metrics_from;
          app_config.clock = c.clock;
          app_config.fetch_counts_every = config.fetch_counts_every;
          // Several instances may serve a PostgreSQL database: their limits count together.
          app_config.limits_in_store = !config.database.empty();
          app_config.login.mail_from = from;
          app_config.login.link_ttl = config.login_link_ttl;
          app_config.login.emails_per_address_per_hour = config.login_emails_per_address_per_hour;
          app_config.login.emails_per_ip_per_hour = config.login_emails_per_ip_per_hour;
          app_config.login.mail_queued = [&mailer] { mailer.wake(); };
          // Reminders are composed when due, with links to this server: its URL is known now.
          outbox.compose_with(
              {from, [&mailer] { mailer.wake(); }},
              config.base_url.empty() ? app_config.default_base_url : config.base_url);
          if (!store->read_only()) mailer.start();
          // "Still happening?" mails link to the confirm page: the base URL is known now.
          if (config.confirm_series_after_weeks > 0) {
            keeper.ask_about_series(
                {std::chrono::weeks(config.confirm_series_after_weeks),
                 config.base_url.empty() ? app_config.default_base_url : config.base_url,
                 {from, [&mailer] { mailer.wake(); }}});
          }
          published = std::make_unique<app>(*store, std::move(app_config));
          out << "treffpunkt " << version << " listening on http://" << host << ":" << port
              << " with " << store->units().size() << " units from "
              << (config.database.empty() ? config.data_dir : redacted_url(config.database))
              << std::endl;
        },
        observer,
        // On SQLite reads are local and short and stay on the io threads; on PostgreSQL every
        // read is a round trip to the server (and may wait for it): requests go to the
        // blocking pool, unless they can be answered from memory (a cached feed or page).
        config.database.empty() ? request_predicate(app::may_write)
                                : request_predicate([](const http_request&) { return true; }),
        config.database.empty() ? request_first_try()
                                : request_first_try([&published](const http_request& request) {
                                    return published->answer_from_memory(request);
                                  }));
    // The io threads have ended: the feed fetch counts still in memory are written now.
    if (published) published->finish();
    keeper.stop();
    mailer.stop();
    return status;
  } catch (const std::exception& e) {
    err << "treffpunkt serve: " << e.what() << "\n";
    return 1;
  }
}

int admin(const command_line& c, std::ostream& out, std::ostream& err) {
  if (c.rest.size() != 3 || c.rest[1] != "add") {
    err << "Usage: treffpunkt admin add EMAIL\n";
    return 2;
  }
  auto store = open_store(c.data_dir, c.database, c.clock, err);
  if (!store) return 1;
  auto who = store->ensure_person(c.rest[2], "");
  if (!who) {
    err << "treffpunkt admin add: " << who.error().message << '\n';
    return 1;
  }
  if (auto made = store->set_admin(who->id, true, storage::actor::system()); !made) {
    err << "treffpunkt admin add: " << made.error().message << '\n';
    return 1;
  }
  out << who->email << " is an admin\n";
  return 0;
}

int token(const command_line& c, std::ostream& out, std::ostream& err) {
  if (c.rest.size() != 3 || c.rest[1] != "create") {
    err << "Usage: treffpunkt token create EMAIL\n";
    return 2;
  }
  auto store = open_store(c.data_dir, c.database, c.clock, err);
  if (!store) return 1;
  auto who = store->ensure_person(c.rest[2], "");
  if (!who) {
    err << "treffpunkt token create: " << who.error().message << '\n';
    return 1;
  }
  try {
    const auto issued = store->issue_token(storage::token_kind::api, who->id,
                                           std::chrono::days(365), c.clock.now());
    out << issued.raw << '\n';
    err << "API token for " << who->email << ", valid until "
        << date::format("%Y-%m-%d", issued.expires) << "; it is shown only now\n";
    return 0;
  } catch (const std::exception& e) {
    err << "treffpunkt token create: " << e.what() << '\n';
    return 1;
  }
}

/// `import --unit SLUG [--dry-run] FILE.ics`: the unit's events created or updated by UID, as
/// usecases::import_events does it; the notices, promotions and reminders of updated events are
/// queued with the links and sender that serve would use (its --base-url, --mail-from and
/// --config, and their TREFFPUNKT_* variables), and the running or next serve sends them.
int import(const command_line& c, std::ostream& out, std::ostream& err) {
  std::string slug;
  std::string file;
  bool dry_run = false;
  std::vector<std::string_view> mail_args;
  for (std::size_t i = 1; i < c.rest.size(); ++i) {
    if (c.rest[i] == "--unit" && i + 1 < c.rest.size()) {
      slug = std::string(c.rest[++i]);
    } else if (c.rest[i] == "--dry-run") {
      dry_run = true;
    } else if (take_mail_option(c.rest, i, mail_args)) {
      continue;
    } else if (file.empty() && !c.rest[i].starts_with("--")) {
      file = std::string(c.rest[i]);
    } else {
      err << "treffpunkt import: unexpected '" << c.rest[i] << "'\n";
      return 2;
    }
  }
  if (slug.empty() || file.empty()) {
    err << "Usage: treffpunkt import --unit SLUG [--dry-run] [--base-url URL] [--mail-from "
           "ADDRESS] [--config FILE] FILE.ics\n";
    return 2;
  }
  const auto config = mail_config(c, mail_args, out, err);
  if (!config) return 2;
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    err << "treffpunkt import: cannot read " << file << '\n';
    return 1;
  }
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto events = calendar::read_file_events(text);
  if (!events) {
    err << file << ": " << events.error().what() << '\n';
    return 1;
  }
  auto store = open_store(config->data_dir, config->database, c.clock, err);
  if (!store) return 1;
  const auto unit = store->unit_by_slug(slug);
  if (!unit) {
    err << "treffpunkt import: no unit '" << slug << "'\n";
    return 1;
  }
  const std::size_t count = events->size();
  const std::string base_url = mail_base_url(*config);
  const usecases::mail_settings mail{mail_from(*config), {}};
  const usecases::context use{*store, mail, base_url, c.clock.now()};
  auto summary =
      usecases::import_events(use, unit->id, std::move(*events), storage::actor::system(), dry_run);
  if (!summary) {
    err << file << ": " << summary.error().message << '\n';
    return 1;
  }
  out << (dry_run ? "would import " : "imported ") << count << " events into " << slug << ": "
      << summary->created << " new, " << summary->updated << " updated, " << summary->unchanged
      << " unchanged" << (dry_run ? " (dry run: nothing written)" : "") << '\n';
  if (!dry_run && summary->updated > 0 && config->base_url.empty()) {
    err << "treffpunkt import: no --base-url given: links in mails about the updated events "
           "point to "
        << base_url << '\n';
  }
  return 0;
}

int export_all(const command_line& c, std::ostream& out, std::ostream& err) {
  const bool one_person = c.rest.size() == 3 && c.rest[1] == "--person";
  if (c.rest.size() != 1 && !one_person) {
    err << "Usage: treffpunkt export [--person EMAIL]\n";
    return 2;
  }
  // Only reads: a read-only data folder (a snapshot, a backup mount) exports too.
  auto store = open_store(c.data_dir, c.database, c.clock, err,
                          storage::store::if_read_only::open_for_reading);
  if (!store) return 1;
  if (!one_person) {
    out << store->export_json() << '\n';
    return 0;
  }
  const auto who = store->person_by_email(c.rest[2]);
  if (!who) {
    err << "treffpunkt export: nobody with the address " << c.rest[2] << '\n';
    return 1;
  }
  auto data = store->export_person_json(who->id);
  if (!data) {
    err << "treffpunkt export: " << data.error().message << '\n';
    return 1;
  }
  out << *data << '\n';
  return 0;
}

/// `person delete EMAIL`: the account deleted at the console, as an admin does on
/// /admin/people (the system may delete anyone but the last admin). The places it held go to
/// the waitlists; the promotion mails are queued with the links and sender that serve would use
/// (its --base-url, --mail-from and --config, and their TREFFPUNKT_* variables), and the
/// running or next serve sends them.
int person(const command_line& c, std::ostream& out, std::ostream& err) {
  if (c.rest.size() < 3 || c.rest[1] != "delete" || c.rest[2].starts_with("--")) {
    err << "Usage: treffpunkt person delete EMAIL [--base-url URL] [--mail-from ADDRESS] "
           "[--config FILE]\n";
    return 2;
  }
  const std::string_view email = c.rest[2];
  // Only serve's options that shape the mails; the others mean nothing here. The data folder
  // too is serve's: --data, else TREFFPUNKT_DATA, else the file's, else the default.
  std::vector<std::string_view> mail_args;
  for (std::size_t i = 3; i < c.rest.size(); ++i) {
    if (!take_mail_option(c.rest, i, mail_args)) {
      err << "treffpunkt person delete: unexpected '" << c.rest[i] << "'\n";
      return 2;
    }
  }
  const auto loaded = mail_config(c, mail_args, out, err);
  if (!loaded) return 2;
  const serve_config& config = *loaded;
  const std::string base_url = mail_base_url(config);

  auto store = open_store(config.data_dir, config.database, c.clock, err);
  if (!store) return 1;
  const auto who = store->person_by_email(email);
  // A deleted account's tombstone has the email "deleted:<id>", no address.
  if (!who || who->email.find('@') == std::string::npos) {
    err << "treffpunkt person delete: nobody with the address " << email << '\n';
    return 1;
  }
  const usecases::mail_settings mail{mail_from(config), {}};
  const usecases::context use{*store, mail, base_url, c.clock.now()};
  if (auto done = usecases::delete_account(use, who->id, storage::actor::system()); !done) {
    if (done.error().code == storage::errc::conflict) {
      err << "treffpunkt person delete: " << who->email
          << " is the last admin and cannot be deleted; make someone else an admin first "
             "(treffpunkt admin add EMAIL)\n";
    } else {
      err << "treffpunkt person delete: " << done.error().message << '\n';
    }
    return 1;
  }
  out << "deleted the account of " << who->email << " (person " << who->id.value << ")\n";
  if (config.base_url.empty()) {
    err << "treffpunkt person delete: no --base-url given: links in mails to anyone who moved up "
           "into a freed place point to "
        << base_url << '\n';
  }
  return 0;
}

/// `expand --jsonl`: needs no data folder; the input's format is in docs/calendar.md.
int expand_rules(const command_line& c, std::istream& in, std::ostream& out, std::ostream& err) {
  if (c.rest.size() != 2 || c.rest[1] != "--jsonl") {
    err << "Usage: treffpunkt expand --jsonl < rules.jsonl\n"
           "  each line {\"id\": \"...\", \"rrule\": \"FREQ=...\", \"dtstart\": "
           "\"YYYYMMDDTHHMMSS\", \"limit\": N}\n"
           "  (N up to "
        << expand_max_limit
        << "), answered by {\"id\": \"...\", \"occurrences\": [...]} or {\"id\": \"...\", "
           "\"error\": \"...\"}\n";
    return 2;
  }
  return expand_jsonl(in, out);
}

}  // namespace

int run_cli(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
  std::istringstream nothing;
  return run_cli(args, nothing, out, err);
}

int run_cli(std::span<const std::string_view> args, std::istream& in, std::ostream& out,
            std::ostream& err) {
  const auto c = split_data_dir(args, err);
  if (!c) return 2;
  if (c->rest.empty()) {
    err << usage;
    return 2;
  }
  const std::string_view command = c->rest.front();
  if (command == "--help" || command == "-h" || command == "help") {
    out << usage;
    return 0;
  }
  if (command == "--version") {
    out << "treffpunkt " << version << '\n';
    return 0;
  }
  if (command == "serve") return serve(*c, out, err);
  if (command == "admin") return admin(*c, out, err);
  if (command == "token") return token(*c, out, err);
  if (command == "import") return import(*c, out, err);
  if (command == "export") return export_all(*c, out, err);
  if (command == "person") return person(*c, out, err);
  if (command == "expand") return expand_rules(*c, in, out, err);
  if (command == "copy") return copy_database(c->rest, out, err);
  err << "treffpunkt: unknown command '" << command << "'\n\n" << usage;
  return 2;
}

}  // namespace treffpunkt::server
