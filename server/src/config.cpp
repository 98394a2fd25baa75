#include "config.h"

#include <notifications/mime.h>
#include <toml++/toml.h>

#include <algorithm>
#include <boost/algorithm/string/case_conv.hpp>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <locale>
#include <ostream>
#include <vector>

namespace treffpunkt::server {
namespace {

enum class kind { text, integer, boolean };

/// Sets the option from its text form; returns what was wanted when the value is bad.
using setter = std::optional<std::string> (*)(serve_config&, std::string_view);

struct option {
  std::string_view name;   ///< the flag without "--"; the TOML key has '_' for '-'
  std::string_view value;  ///< what the value looks like in --help; empty for booleans
  kind type;
  std::string_view help;
  setter set;
};

std::optional<unsigned long long> parse_number(std::string_view text, unsigned long long lo,
                                               unsigned long long hi) {
  unsigned long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < lo || value > hi) {
    return std::nullopt;
  }
  return value;
}

std::optional<bool> parse_bool(std::string_view text) {
  const auto lower = boost::algorithm::to_lower_copy(std::string(text), std::locale::classic());
  if (lower == "1" || lower == "true" || lower == "yes" || lower == "on") return true;
  if (lower == "0" || lower == "false" || lower == "no" || lower == "off") return false;
  return std::nullopt;
}

std::optional<std::string> set_seconds(std::chrono::seconds& field, std::string_view text) {
  const auto n = parse_number(text, 1, 86400);
  if (!n) return "a number of seconds from 1 to 86400";
  field = std::chrono::seconds(*n);
  return std::nullopt;
}

std::optional<std::string> set_per_minute(int& field, std::string_view text) {
  const auto n = parse_number(text, 0, 1000000);
  if (!n) return "a number per minute from 0 (off) to 1000000";
  field = static_cast<int>(*n);
  return std::nullopt;
}

std::optional<std::string> set_bool(bool& field, std::string_view text) {
  const auto b = parse_bool(text);
  if (!b) return "true or false";
  field = *b;
  return std::nullopt;
}

/// Every option of `serve`, in the order of --help. "config" is read before the others.
const std::vector<option>& options() {
  static const std::vector<option> all = {
      {"config", "FILE", kind::text, "read options from this TOML file",
       [](serve_config&, std::string_view) -> std::optional<std::string> { return {}; }},
      {"listen", "HOST:PORT", kind::text,
       "address to listen on (default 127.0.0.1:8080; port 0 picks a free one)",
       [](serve_config& c, std::string_view text) -> std::optional<std::string> {
         const auto colon = text.rfind(':');
         if (colon == std::string_view::npos || colon == 0) return "HOST:PORT";
         std::string_view host = text.substr(0, colon);
         if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
         const auto port = parse_number(text.substr(colon + 1), 0, 65535);
         if (!port || host.empty()) return "HOST:PORT";
         c.server.address = std::string(host);
         c.server.port = static_cast<unsigned short>(*port);
         return std::nullopt;
       }},
      {"base-url", "URL", kind::text,
       "public URL used in feeds and links (default http://HOST:PORT of --listen)",
       [](serve_config& c, std::string_view text) -> std::optional<std::string> {
         if (!text.starts_with("http://") && !text.starts_with("https://")) {
           return "a URL starting with http:// or https://";
         }
         c.base_url = std::string(text);
         while (c.base_url.ends_with('/')) c.base_url.pop_back();
         return std::nullopt;
       }},
      {"data", "DIR", kind::text, "data folder (default ./treffpunkt-data/)",
       [](serve_config& c, std::string_view text) -> std::optional<std::string> {
         if (text.empty()) return "a folder";
         c.data_dir = std::string(text);
         return std::nullopt;
       }},
      {"database", "URL", kind::text,
       "a PostgreSQL database instead of SQLite in the data folder: "
       "postgresql://[user[:password]@]host[:port]/name[?param=value] (libpq's URI); several "
       "instances may serve one. The data folder then holds only the Maildir (without --smtp)",
       [](serve_config& c, std::string_view text) -> std::optional<std::string> {
         // Empty: back to SQLite (a variable set empty over a file's key).
         if (!text.empty() && !is_database_url(text)) {
           return "a URL starting with postgresql:// or postgres://";
         }
         c.database = std::string(text);
         return std::nullopt;
       }},
      {"threads", "N", kind::integer, "io threads (default: one per core)",
       [](serve_config& c, std::string_view text) -> std::optional<std::string> {
         const auto n = parse_number(text, 1, 256);
         if (!n) return "a number from 1 to 256";
         c.server.threads = static_cast<unsigned>(*n);
         return std::nullopt;
       }},
      {"demo", "", kind::boolean,
       "start with the four Netzwerkstellen of the seed page and a season of sessions (only "
       "when the data folder has no units yet)",
       [](serve_config& c, std::string_view text) { return set_bool(c.demo, text); }},
      {"trust-proxy", "", kind::boolean,
       "behind a reverse proxy: the client address is the last X-Forwarded-For entry, and "
       "links follow X-Forwarded-Proto/Host unless --base-url is set",
       [](serve_config& c, std::string_view text) { return set_bool(c.server.trust_proxy, text); }},
      {"read-timeout", "SECONDS", kind::integer,
       "a request not received by then gets 408; idle keep-alive connections close (default 30)",
       [](serve_config& c, std::string_view text) {
         return set_seconds(c.server.read_timeout, text);
       }},
      {"write-timeout", "SECONDS", kind::integer,
       "a response not taken by the client by then is dropped (default 60)",
       [](serve_config& c, std::string_view text) {
         return set_seconds(c.server.write_timeout, text);
       }},
      {"shutdown-timeout", "SECONDS", kind::integer,
       "on SIGTERM/SIGINT, how long requests in flight may still take (default 10)",
       [](serve_config& c, std::string_view text) {
         return set_seconds(c.server.shutdown_timeout, text);
       }},
      {"header-limit", "BYTES", kind::integer, "larger request headers get 431 (default 8192)",
       [](serve_config& c, std::string_view text) -> std::optional<std::string> {
         const auto n = parse_number(text, 1024, 1024 * 1024ULL);
         if (!n) return "a number of bytes from 1024 to 1048576";
         c.server.header_limit = static_cast<std::size_t>(*n);
         return std::nullopt;
       }},
      {"body-limit", "BYTES", kind::integer, "larger request bodies get 413 (default 1048576)",
       [](serve_config& c, std::string_view text) -> std::optional<std::string> {
         const auto n = parse_number(text, 1, 1024ULL * 1024 * 1024);
         if (!n) return "a number of bytes from 1 to 1073741824";
         c.server.body_limit = static_cast<std::size_t>(*n);
         return std::nullopt;
       }},
      {"metrics-from", "LIST", kind::text,
       "who may read /metrics: client addresses or CIDR ranges, comma-separated, or any "
       "(default 127.0.0.0/8, ::1)",
       [](serve_config& c, std::string_view text) -> std::optional<std::string> {
         std::string bad;
         auto ranges = address_ranges::parse(text, &bad);
         if (!ranges) {
           return "addresses or ranges such as 10.0.0.0/8 or ::1, comma-separated, or any (\"" +
                  bad + "\" is none)";
         }
         c.metrics_from = std::move(*ranges);
         return std::nullopt;
       }},
      {"access-log", "", kind::boolean, "one line per request on stderr (default true)",
       [](serve_config& c, std::string_view text) { return set_bool(c.access_log, text); }},
      {"fetch-counts-seconds", "SECONDS", kind::integer,
       "how often the feed fetches counted per calendar app are written to the data folder "
       "(default 15; a clean stop writes them too)",
       [](serve_config& c, std::string_view text) {
         return set_seconds(c.fetch_counts_every, text);
       }},
      {"rsvp-limit-per-person", "N", kind::integer,
       "RSVPs one person may write per minute (a burst of N, then one every 60/N seconds; "
       "default 30; 0 turns the limit off)",
       [](serve_config& c, std::string_view text) {
         return set_per_minute(c.limits.rsvps_per_person_per_minute, text);
       }},
      {"rsvp-limit-per-address", "N", kind::integer,
       "RSVPs one client address may write per minute, all people together (default 300; 0 "
       "turns the limit off)",
       [](serve_config& c, std::string_view text) {
         return set_per_minute(c.limits.rsvps_per_address_per_minute, text);
       }},
      {"smtp", "URL", kind::text,
       "send mail through this server: smtp://[user:pass@]host:587 (STARTTLS when offered) or "
       "smtps://host:465 (default: none, mail goes to the Maildir DATA/mail)",
       [](serve_config& c, std::string_view text) -> std::optional<std::string> {
         if (!text.empty() && !text.starts_with("smtp://") && !text.starts_with("smtps://")) {
           return "a URL starting with smtp:// or smtps://";
         }
         c.smtp = std::string(text);
         return std::nullopt;
       }},
      {"mail-from", "ADDRESS", kind::text,
       "sender address of every email (default treffpunkt@<host of --base-url>)",
       [](serve_config& c, std::string_view text) -> std::optional<std::string> {
         if (!notifications::valid_address(text)) return "a plain address like a@example.org";
         c.mail_from = std::string(text);
         return std::nullopt;
       }},
      {"login-link-seconds", "SECONDS", kind::integer,
       "how long an emailed login link stays valid (default 900)",
       [](serve_config& c, std::string_view text) { return set_seconds(c.login_link_ttl, text); }},
      {"login-limit-per-address", "N", kind::integer,
       "login emails one address may be sent per hour (default 5; 0 turns the limit off)",
       [](serve_config& c, std::string_view text) -> std::optional<std::string> {
         const auto n = parse_number(text, 0, 100000);
         if (!n) return "a number per hour from 0 (off) to 100000";
         c.login_emails_per_address_per_hour = static_cast<int>(*n);
         return std::nullopt;
       }},
      {"login-limit-per-ip", "N", kind::integer,
       "login emails one client address may ask for per hour (default 20; 0 turns the limit "
       "off)",
       [](serve_config& c, std::string_view text) -> std::optional<std::string> {
         const auto n = parse_number(text, 0, 100000);
         if (!n) return "a number per hour from 0 (off) to 100000";
         c.login_emails_per_ip_per_hour = static_cast<int>(*n);
         return std::nullopt;
       }},
      {"confirm-series-after", "WEEKS", kind::integer,
       "ask a unit's responsibles whether a series still happens once nobody has edited or "
       "confirmed it for this many weeks (default 8; 0 never asks)",
       [](serve_config& c, std::string_view text) -> std::optional<std::string> {
         const auto n = parse_number(text, 0, 520);
         if (!n) return "a number of weeks from 0 (never) to 520";
         c.confirm_series_after_weeks = static_cast<int>(*n);
         return std::nullopt;
       }},
  };
  return all;
}

std::string toml_key(std::string_view name) {
  std::string key(name);
  std::replace(key.begin(), key.end(), '-', '_');
  return key;
}

std::string env_name(std::string_view name) {
  return boost::algorithm::to_upper_copy("TREFFPUNKT_" + toml_key(name), std::locale::classic());
}

const option* find_option(std::string_view name) {
  for (const auto& o : options()) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

struct flag_value {
  const option* opt;
  std::string value;
  std::string spelled;  ///< as given, for messages
};

/// Applies `value`; false (with the message written) when it is bad.
bool apply(serve_config& c, const option& o, std::string_view value, std::string_view where,
           std::ostream& err) {
  if (const auto wanted = o.set(c, value)) {
    // A database URL may carry a password: never shown.
    err << "treffpunkt serve: " << where << " wants " << *wanted << ", got '"
        << (o.name == "database" ? redacted_url(value) : std::string(value)) << "'\n";
    return false;
  }
  return true;
}

bool apply_toml(serve_config& c, const std::string& path, std::ostream& err) {
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    err << "treffpunkt serve: " << path << ":" << e.source().begin.line << ":"
        << e.source().begin.column << ": " << e.description() << '\n';
    return false;
  }
  for (auto&& [key, node] : table) {
    const auto line = node.source().begin.line;
    const std::string where = path + ":" + std::to_string(line) + ": " + std::string(key.str());
    const option* o = nullptr;
    for (const auto& candidate : options()) {
      if (candidate.name != "config" && toml_key(candidate.name) == key.str()) o = &candidate;
    }
    if (!o) {
      err << "treffpunkt serve: " << path << ":" << line << ": unknown key '" << key.str() << "'\n";
      return false;
    }
    std::string text;
    if (o->type == kind::text && node.is_string()) {
      text = *node.value<std::string>();
    } else if (o->type == kind::integer && node.is_integer()) {
      text = std::to_string(*node.value<std::int64_t>());
    } else if (o->type == kind::boolean && node.is_boolean()) {
      text = *node.value<bool>() ? "true" : "false";
    } else {
      err << "treffpunkt serve: " << where << " wants "
          << (o->type == kind::text      ? "a string"
              : o->type == kind::integer ? "an integer"
                                         : "true or false")
          << '\n';
      return false;
    }
    if (!apply(c, *o, text, where, err)) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> process_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe): at start-up
  if (!value) return std::nullopt;
  return std::string(value);
}

bool is_database_url(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

std::string redacted_url(std::string_view url) {
  std::string shown(url);
  // The user part: scheme://user:password@host... (the first '@' before the path).
  const auto scheme_end = shown.find("://");
  if (scheme_end != std::string::npos) {
    const auto authority = scheme_end + 3;
    const auto path = shown.find_first_of("/?#", authority);
    const auto at = shown.rfind('@', path == std::string::npos ? std::string::npos : path);
    if (at != std::string::npos && at >= authority) {
      const auto colon = shown.find(':', authority);
      if (colon != std::string::npos && colon < at) shown.erase(colon, at - colon);
    }
  }
  // A password=... parameter of the query, wherever it stands.
  const auto query = shown.find('?');
  if (query != std::string::npos) {
    std::string out = shown.substr(0, query);
    char separator = '?';
    std::string_view rest = std::string_view(shown).substr(query + 1);
    while (true) {
      const auto amp = rest.find('&');
      const auto item = rest.substr(0, amp);
      if (!item.starts_with("password=")) {
        out += separator;
        out += item;
        separator = '&';
      }
      if (amp == std::string_view::npos) break;
      rest = rest.substr(amp + 1);
    }
    shown = std::move(out);
  }
  return shown;
}

std::string serve_help() {
  std::string text =
      "Usage: treffpunkt serve [options]\n\n"
      "Each option can also be set by an environment variable or a key in the TOML file of\n"
      "--config; flags win over the environment, the environment over the file.\n\n";
  constexpr std::size_t indent = 28;
  constexpr std::size_t width = 96;
  for (const auto& o : options()) {
    std::string line = "  --" + std::string(o.name);
    if (!o.value.empty()) line += " " + std::string(o.value);
    line += line.size() + 2 > indent ? "\n" + std::string(indent, ' ')
                                     : std::string(indent - line.size(), ' ');
    std::size_t column = indent;
    std::string_view words = o.help;
    while (!words.empty()) {  // wrap the help at `width`
      const auto space = words.find(' ');
      const auto word = words.substr(0, space);
      if (column > indent && column + 1 + word.size() > width) {
        line += "\n" + std::string(indent, ' ');
        column = indent;
      } else if (column > indent) {
        line += ' ';
        ++column;
      }
      line += word;
      column += word.size();
      words = space == std::string_view::npos ? std::string_view() : words.substr(space + 1);
    }
    const std::string example = o.type == kind::boolean   ? "true"
                                : o.type == kind::integer ? std::string(o.value)
                                                          : "\"" + std::string(o.value) + "\"";
    line += "\n" + std::string(indent, ' ') + "env " + env_name(o.name);
    if (o.name != "config") line += ", TOML " + toml_key(o.name) + " = " + example;
    text += line + "\n";
  }
  text += "\nBoolean flags take --name, --name=false or --no-name.\n";
  return text;
}

config_outcome load_serve_config(std::span<const std::string_view> args, const env_lookup& env,
                                 std::ostream& out, std::ostream& err) {
  // Flags are read first (for --config and --help) and applied last.
  std::vector<flag_value> flags;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      out << serve_help();
      return {std::nullopt, 0};
    }
    const option* o = nullptr;
    std::string value;
    if (arg.starts_with("--")) {
      std::string_view name = arg.substr(2);
      std::optional<std::string_view> inline_value;
      if (const auto eq = name.find('='); eq != std::string_view::npos) {
        inline_value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      o = find_option(name);
      if (!o && name.starts_with("no-") && !inline_value) {
        o = find_option(name.substr(3));
        if (o && o->type == kind::boolean) {
          flags.push_back({o, "false", std::string(arg)});
          continue;
        }
        o = nullptr;
      }
      if (o && inline_value) {
        value = std::string(*inline_value);
      } else if (o && o->type == kind::boolean) {
        value = "true";
      } else if (o && i + 1 < args.size()) {
        value = std::string(args[++i]);
      } else {
        o = nullptr;
      }
    }
    if (!o) {
      err << "treffpunkt serve: unknown or incomplete option '" << arg << "'\n\n" << serve_help();
      return {std::nullopt, 2};
    }
    flags.push_back({o, std::move(value), "--" + std::string(o->name)});
  }

  serve_config config;
  std::optional<std::string> file = env("TREFFPUNKT_CONFIG");
  for (const auto& f : flags) {
    if (f.opt->name == "config") file = f.value;
  }
  if (file && !file->empty() && !apply_toml(config, *file, err)) return {std::nullopt, 2};
  for (const auto& o : options()) {
    if (o.name == "config") continue;
    const std::string name = env_name(o.name);
    if (const auto value = env(name)) {
      if (!apply(config, o, *value, name, err)) return {std::nullopt, 2};
    }
  }
  for (const auto& f : flags) {
    if (!apply(config, *f.opt, f.value, f.spelled, err)) return {std::nullopt, 2};
  }
  return {std::move(config), 0};
}

}  // namespace treffpunkt::server
