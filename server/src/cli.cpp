#include <calendar/ical_reader.h>
#include <server/app.h>
#include <server/cli.h>
#include <server/demo.h>
#include <server/http_server.h>
#include <server/site.h>
#include <server/version.h>
#include <storage/store.h>

#include <charconv>
#include <chrono>
#include <exception>
#include <fstream>
#include <iterator>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

namespace treffpunkt::server {
namespace {

constexpr std::string_view usage =
    R"(treffpunkt - meetings and exchange offers of network units, as calendar feeds

Usage:
  treffpunkt serve [--listen 127.0.0.1:8080] [--base-url URL] [--smtp smtp://host:port] [--demo]
  treffpunkt admin add EMAIL                    make EMAIL an admin (created if new)
  treffpunkt token create EMAIL                 print a new API token for EMAIL (created if new)
  treffpunkt import --unit SLUG [--dry-run] FILE.ics
                                                add or update the unit's events from FILE.ics
  treffpunkt export [--person EMAIL]            all data (or all about one person, for their
                                                data request) as JSON on standard output
  treffpunkt --help | --version

Every command takes --data DIR (default ./treffpunkt-data/).
)";

constexpr std::string_view serve_usage = R"(Usage: treffpunkt serve [options]

  --listen HOST:PORT   address to listen on (default 127.0.0.1:8080; port 0 picks a free one)
  --base-url URL       public URL used in feeds and links (default http://HOST:PORT)
  --threads N          io threads (default: one per core)
  --demo               start with the four Netzwerkstellen of the seed page and a season of
                       sessions (only when the data folder has no units yet)
  --data DIR           data folder (default ./treffpunkt-data/)
  --smtp URL           accepted; mail arrives with the notifications
)";

calendar::utc_seconds now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

/// Arguments with `--data DIR` taken out (it may stand anywhere).
struct command_line {
  std::string data_dir = "treffpunkt-data";
  std::vector<std::string_view> rest;
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
    } else {
      c.rest.push_back(args[i]);
    }
  }
  return c;
}

std::unique_ptr<storage::store> open_store(const std::string& dir, std::ostream& err) {
  auto opened = storage::store::open(dir);
  if (!opened) {
    err << "treffpunkt: cannot open the data folder " << dir << ": " << opened.error().message
        << '\n';
    return nullptr;
  }
  return std::move(*opened);
}

/// Splits "host:port" ("[::1]:8080" for IPv6); false if malformed.
bool parse_listen(std::string_view text, server_options& options) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view host = text.substr(0, colon);
  if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
  const std::string_view port = text.substr(colon + 1);
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc{} || end != port.data() + port.size() || value > 65535) return false;
  options.address = std::string(host);
  options.port = static_cast<unsigned short>(value);
  return true;
}

int serve(const command_line& c, std::ostream& out, std::ostream& err) {
  const auto args = std::span(c.rest).subspan(1);
  server_options options;
  std::string base_url;
  bool demo = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    const bool has_value = i + 1 < args.size();
    if (arg == "--help" || arg == "-h") {
      out << serve_usage;
      return 0;
    }
    if (arg == "--demo") {
      demo = true;
    } else if (arg == "--listen" && has_value) {
      if (!parse_listen(args[++i], options)) {
        err << "treffpunkt serve: --listen wants HOST:PORT, got '" << args[i] << "'\n";
        return 2;
      }
    } else if (arg == "--base-url" && has_value) {
      base_url = std::string(args[++i]);
      while (base_url.ends_with('/')) base_url.pop_back();
    } else if (arg == "--threads" && has_value) {
      const std::string_view n = args[++i];
      unsigned value = 0;
      const auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), value);
      if (ec != std::errc{} || end != n.data() + n.size() || value == 0 || value > 256) {
        err << "treffpunkt serve: --threads wants a number from 1 to 256, got '" << n << "'\n";
        return 2;
      }
      options.threads = value;
    } else if (arg == "--smtp" && has_value) {
      ++i;  // accepted now, used once notifications exist
    } else {
      err << "treffpunkt serve: unknown or incomplete option '" << arg << "'\n\n" << serve_usage;
      return 2;
    }
  }

  auto store = open_store(c.data_dir, err);
  if (!store) return 1;
  if (demo) {
    auto loaded = load_demo(*store, now());
    if (!loaded) {
      err << "treffpunkt serve: cannot load the demo: " << loaded.error().message << '\n';
      return 1;
    }
  }
  try {
    std::unique_ptr<app> published;
    const request_handler handler = [&published](const http_request& request) {
      return published->handle(request);
    };
    return run_http_server(options, handler, [&](unsigned short port) {
      const std::string host = options.address.find(':') != std::string::npos
                                   ? "[" + options.address + "]"
                                   : options.address;
      if (base_url.empty()) base_url = "http://" + host + ":" + std::to_string(port);
      published = std::make_unique<app>(*store, app_options{base_url, false});
      out << "treffpunkt " << version << " listening on http://" << host << ":" << port << " with "
          << store->units().size() << " units from " << c.data_dir << std::endl;
    });
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
  auto store = open_store(c.data_dir, err);
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
  auto store = open_store(c.data_dir, err);
  if (!store) return 1;
  auto who = store->ensure_person(c.rest[2], "");
  if (!who) {
    err << "treffpunkt token create: " << who.error().message << '\n';
    return 1;
  }
  try {
    const auto issued =
        store->issue_token(storage::token_kind::api, who->id, std::chrono::days(365), now());
    out << issued.raw << '\n';
    err << "API token for " << who->email << ", valid until "
        << date::format("%Y-%m-%d", issued.expires) << "; it is shown only now\n";
    return 0;
  } catch (const std::exception& e) {
    err << "treffpunkt token create: " << e.what() << '\n';
    return 1;
  }
}

int import(const command_line& c, std::ostream& out, std::ostream& err) {
  std::string slug;
  std::string file;
  bool dry_run = false;
  for (std::size_t i = 1; i < c.rest.size(); ++i) {
    if (c.rest[i] == "--unit" && i + 1 < c.rest.size()) {
      slug = std::string(c.rest[++i]);
    } else if (c.rest[i] == "--dry-run") {
      dry_run = true;
    } else if (file.empty() && !c.rest[i].starts_with("--")) {
      file = std::string(c.rest[i]);
    } else {
      err << "treffpunkt import: unexpected '" << c.rest[i] << "'\n";
      return 2;
    }
  }
  if (slug.empty() || file.empty()) {
    err << "Usage: treffpunkt import --unit SLUG [--dry-run] FILE.ics\n";
    return 2;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    err << "treffpunkt import: cannot read " << file << '\n';
    return 1;
  }
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto events = calendar::read_events(text);
  if (!events) {
    err << file << ": " << events.error().what() << '\n';
    return 1;
  }
  auto store = open_store(c.data_dir, err);
  if (!store) return 1;
  const auto unit = store->unit_by_slug(slug);
  if (!unit) {
    err << "treffpunkt import: no unit '" << slug << "'\n";
    return 1;
  }
  const std::size_t count = events->size();
  auto summary =
      store->import_events(unit->id, std::move(*events), storage::actor::system(), now(), dry_run);
  if (!summary) {
    err << file << ": " << summary.error().message << '\n';
    return 1;
  }
  out << (dry_run ? "would import " : "imported ") << count << " events into " << slug << ": "
      << summary->created << " new, " << summary->updated << " updated, " << summary->unchanged
      << " unchanged" << (dry_run ? " (dry run: nothing written)" : "") << '\n';
  return 0;
}

int export_all(const command_line& c, std::ostream& out, std::ostream& err) {
  const bool one_person = c.rest.size() == 3 && c.rest[1] == "--person";
  if (c.rest.size() != 1 && !one_person) {
    err << "Usage: treffpunkt export [--person EMAIL]\n";
    return 2;
  }
  auto store = open_store(c.data_dir, err);
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

}  // namespace

int run_cli(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
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
  err << "treffpunkt: unknown command '" << command << "'\n\n" << usage;
  return 2;
}

}  // namespace treffpunkt::server
