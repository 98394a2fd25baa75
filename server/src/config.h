#pragma once
/// Configuration of `treffpunkt serve`: defaults, then a TOML file (--config), then
/// TREFFPUNKT_* environment variables, then flags; a later source wins. Every option has one
/// name in each: --trust-proxy, TREFFPUNKT_TRUST_PROXY, trust_proxy.

#include <server/address_range.h>
#include <server/app.h>  // api_limits
#include <server/http_server.h>

#include <chrono>
#include <functional>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace treffpunkt::server {

struct serve_config {
  server_options server;
  std::string base_url;  ///< without a trailing slash; empty: http://HOST:PORT of --listen
  std::string data_dir = "treffpunkt-data";
  /// postgresql:// (or postgres://) URL of the database; empty: SQLite in data_dir. On
  /// PostgreSQL, data_dir holds only the Maildir (when there is no smtp).
  std::string database;
  std::string smtp;       ///< smtp:// or smtps:// URL; empty: mail goes to DATA/mail (Maildir)
  std::string mail_from;  ///< From and envelope sender; empty: treffpunkt@<host of the base URL>
  std::chrono::seconds login_link_ttl{std::chrono::minutes(15)};
  int login_emails_per_address_per_hour = 5;  ///< 0 turns the limit off
  int login_emails_per_ip_per_hour = 20;      ///< 0 turns the limit off
  /// Weeks a series may go unedited and unconfirmed before its responsibles are asked whether
  /// it still happens (usecases/series_confirmations.h); 0 never asks.
  int confirm_series_after_weeks = 8;
  bool demo = false;
  bool access_log = true;
  api_limits limits;  ///< RSVP rate limits (per minute; 0 turns one off)
  address_ranges metrics_from = address_ranges::loopback();  ///< who may read /metrics
  /// How often the feed fetches counted in memory are written to the data folder.
  std::chrono::seconds fetch_counts_every{15};
};

/// Looks up an environment variable (std::getenv in the program, a map in tests).
using env_lookup = std::function<std::optional<std::string>(const std::string& name)>;

/// The environment of this process.
std::optional<std::string> process_env(const std::string& name);

/// What reading the configuration came to: a config to serve with, or an exit code (0 after
/// --help, 2 after an error, with the message written to `err` naming the flag, variable or
/// TOML key and line).
struct config_outcome {
  std::optional<serve_config> config;
  int exit_code = 0;
};

/// Reads the configuration from `args` (the arguments after "serve"), `env` and the TOML file
/// they name.
config_outcome load_serve_config(std::span<const std::string_view> args, const env_lookup& env,
                                 std::ostream& out, std::ostream& err);

/// Whether `url` names a PostgreSQL database (postgresql:// or postgres://).
bool is_database_url(std::string_view url);

/// `url` as it may be shown in a log or an error: without the password of its user part
/// (`postgresql://user:secret@host/db` shows as `postgresql://user@host/db`) nor a
/// `password=` parameter.
std::string redacted_url(std::string_view url);

/// The text of `treffpunkt serve --help`: every option with its variable and TOML key.
std::string serve_help();

}  // namespace treffpunkt::server
