#include <server/cli.h>
#include <server/demo.h>
#include <server/http_server.h>
#include <server/site.h>
#include <server/version.h>

#include <charconv>
#include <chrono>
#include <exception>
#include <ostream>
#include <string>

namespace treffpunkt::server {
namespace {

constexpr std::string_view usage =
    R"(treffpunkt - meetings and exchange offers of network units, as calendar feeds

Usage:
  treffpunkt serve [--listen 127.0.0.1:8080] [--base-url URL] [--smtp smtp://host:port] [--demo]
  treffpunkt admin add EMAIL
  treffpunkt token create EMAIL
  treffpunkt import --unit SLUG FILE.ics
  treffpunkt export
  treffpunkt --help | --version

Every command takes --data DIR (default ./treffpunkt-data/).
)";

constexpr std::string_view serve_usage = R"(Usage: treffpunkt serve [options]

  --listen HOST:PORT   address to listen on (default 127.0.0.1:8080; port 0 picks a free one)
  --base-url URL       public URL used in feeds and links (default http://HOST:PORT)
  --threads N          io threads (default: one per core)
  --demo               serve the four Netzwerkstellen of the seed page with a season of sessions
  --data DIR           data folder (default ./treffpunkt-data/)
)";

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

int serve(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
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
    } else if ((arg == "--data" || arg == "--smtp") && has_value) {
      ++i;  // accepted now, used once the store and mail exist
    } else {
      err << "treffpunkt serve: unknown or incomplete option '" << arg << "'\n\n" << serve_usage;
      return 2;
    }
  }
  if (!demo) {
    err << "treffpunkt serve: without a store there is nothing to serve yet; start with --demo\n";
    return 2;
  }

  const auto now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  try {
    std::shared_ptr<const site> published;
    const request_handler handler = [&published](const http_request& request) {
      return handle_request(request, *published);
    };
    return run_http_server(options, handler, [&](unsigned short port) {
      const std::string host = options.address.find(':') != std::string::npos
                                   ? "[" + options.address + "]"
                                   : options.address;
      if (base_url.empty()) base_url = "http://" + host + ":" + std::to_string(port);
      published =
          std::make_shared<const site>(make_demo(date::floor<date::days>(now)), base_url, now);
      out << "treffpunkt " << version << " listening on http://" << host << ":" << port
          << " with the demo data (" << published->units().size() << " units)" << std::endl;
    });
  } catch (const std::exception& e) {
    err << "treffpunkt serve: " << e.what() << "\n";
    return 1;
  }
}

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
  if (command == "serve") return serve(args.subspan(1), out, err);
  if (command == "admin" || command == "token" || command == "import" || command == "export") {
    // Honest about the state of things: these commands arrive with the store and the server.
    err << "treffpunkt " << command << ": not available yet in version " << version
        << " (the calendar core is built first; see README.md)\n";
    return 1;
  }
  err << "treffpunkt: unknown command '" << command << "'\n\n" << usage;
  return 2;
}

}  // namespace treffpunkt::server
