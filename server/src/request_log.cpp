#include "request_log.h"

#include <calendar/text.h>  // is_base64url

#include <algorithm>
#include <array>
#include <boost/asio/ip/address.hpp>
#include <cstdio>
#include <string>

namespace treffpunkt::server {
namespace {

/// Looks like a random token (feed secret, login link): long, and only base64url/hex letters.
bool is_token(std::string_view segment) {
  return segment.size() >= 24 && calendar::is_base64url(segment);
}

/// A logfmt value: bare if it can be, else quoted with \" \\ and \xNN escapes.
void append_logfmt(std::string& out, std::string_view value) {
  const bool bare = !value.empty() && std::none_of(value.begin(), value.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f || c == '"' || c == '=' || c == '\\';
  });
  if (bare) {
    out += value;
    return;
  }
  out += '"';
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      std::array<char, 5> hex{};
      std::snprintf(hex.data(), hex.size(), "\\x%02x", u);
      out += hex.data();
    } else {
      out += c;
    }
  }
  out += '"';
}

}  // namespace

std::string loggable_path(std::string_view target) {
  target = target.substr(0, target.find('?'));
  if (target.size() > 300) target = target.substr(0, 300);
  if (target.starts_with("/feeds/")) return "/feeds/…";  // the path is the secret
  std::string out;
  out.reserve(target.size());
  while (!target.empty()) {
    const auto slash = target.find('/', 1);
    const auto segment = target.substr(0, slash);
    const auto name = segment.substr(segment.starts_with('/') ? 1 : 0);
    auto bare = name.substr(0, name.find('.'));
    if (is_token(bare)) {
      out += segment.starts_with('/') ? "/…" : "…";
    } else {
      out += segment;
    }
    if (slash == std::string_view::npos) break;
    target.remove_prefix(slash);
  }
  return out;
}

std::string loggable_network(std::string_view address) {
  if (address.empty()) return "-";
  boost::system::error_code failed;
  auto ip = boost::asio::ip::make_address(std::string(address), failed);
  if (failed) return "?";
  if (ip.is_v6() && ip.to_v6().is_v4_mapped()) {
    ip = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, ip.to_v6());
  }
  if (ip.is_v4()) {
    auto bytes = ip.to_v4().to_bytes();
    bytes[3] = 0;
    return boost::asio::ip::address_v4(bytes).to_string() + "/24";
  }
  auto bytes = ip.to_v6().to_bytes();
  std::fill(bytes.begin() + 6, bytes.end(), static_cast<unsigned char>(0));
  return boost::asio::ip::address_v6(bytes).to_string() + "/48";
}

std::string access_log_line(const http_request& request, unsigned status, std::size_t bytes,
                            std::chrono::microseconds took) {
  std::string line = "method=";
  append_logfmt(line, std::string_view(request.method).substr(0, 32));
  line += " path=";
  append_logfmt(line, loggable_path(request.target));
  line += " status=" + std::to_string(status) + " bytes=" + std::to_string(bytes) +
          " us=" + std::to_string(took.count()) + " remote=";
  append_logfmt(line, loggable_network(request.remote_address));
  line += '\n';
  return line;
}

void log_failure(const http_request& request, std::string_view what) {
  std::string line = "error: ";
  append_logfmt(line, std::string_view(request.method).substr(0, 32));
  line += ' ';
  line += loggable_path(request.target);
  line += ": ";
  line += what;
  line += '\n';
  std::fputs(line.c_str(), stderr);  // one write: lines of threads do not interleave
}

}  // namespace treffpunkt::server
