#include <server/cli.h>
#include <server/version.h>

#include <ostream>
#include <string>

namespace treffpunkt::server {
namespace {

constexpr std::string_view usage = R"(treffpunkt - meetings and exchange offers of network units, as calendar feeds

Usage:
  treffpunkt serve [--listen 127.0.0.1:8080] [--base-url URL] [--smtp smtp://host:port] [--demo]
  treffpunkt admin add EMAIL
  treffpunkt token create EMAIL
  treffpunkt import --unit SLUG FILE.ics
  treffpunkt export
  treffpunkt --help | --version

Every command takes --data DIR (default ./treffpunkt-data/).
)";

}  // namespace

int run_cli(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
  if (args.empty()) {
    err << usage;
    return 2;
  }
  const std::string_view command = args.front();
  if (command == "--help" || command == "-h" || command == "help") {
    out << usage;
    return 0;
  }
  if (command == "--version") {
    out << "treffpunkt " << version << '\n';
    return 0;
  }
  if (command == "serve" || command == "admin" || command == "token" || command == "import" ||
      command == "export") {
    // Honest about the state of things: these commands arrive with the store and the server.
    err << "treffpunkt " << command
        << ": not available yet in version " << version
        << " (the calendar core is built first; see README.md)\n";
    return 1;
  }
  err << "treffpunkt: unknown command '" << command << "'\n\n" << usage;
  return 2;
}

}  // namespace treffpunkt::server
