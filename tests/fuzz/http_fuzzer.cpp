// The whole application through app::handle, as the socket side calls it (no socket). An input
// reads like a request: "METHOD TARGET", header lines "name: value" (host, cookie,
// authorization, content-type, accept-language, if-none-match, if-modified-since), an empty
// line, the body. Placeholders such as {api} or {session} become the secrets of the fixture
// (fuzz_app.h), so seeds reach the authenticated routes. A 5xx answer is a finding.

#include <server/http.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_app.h"

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

/// The next line of `text` (without its \n), removed from `text`.
std::string_view next_line(std::string_view& text) {
  const auto newline = text.find('\n');
  const auto line = text.substr(0, newline);
  text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  treffpunkt::fuzz::init();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input =
      treffpunkt::fuzz::substitute({reinterpret_cast<const char*>(data), size});
  std::string_view rest = input;
  treffpunkt::server::http_request request;
  request.remote_address = "127.0.0.1";
  const auto first = trim(next_line(rest));
  const auto space = first.find(' ');
  request.method = std::string(first.substr(0, space));
  request.target = space == std::string_view::npos ? "/" : std::string(first.substr(space + 1));
  while (!rest.empty()) {
    const auto line = trim(next_line(rest));
    if (line.empty()) break;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const auto name = lower(trim(line.substr(0, colon)));
    std::string value(trim(line.substr(colon + 1)));
    if (name == "host") {
      request.host = std::move(value);
    } else if (name == "cookie") {
      request.cookie = std::move(value);
    } else if (name == "authorization") {
      request.authorization = std::move(value);
    } else if (name == "content-type") {
      request.content_type = std::move(value);
    } else if (name == "accept-language") {
      request.accept_language = std::move(value);
    } else if (name == "user-agent") {
      request.user_agent = std::move(value);
    } else if (name == "if-none-match") {
      request.if_none_match = std::move(value);
    } else if (name == "if-modified-since") {
      request.if_modified_since = std::move(value);
    }
  }
  request.body = std::string(rest);
  treffpunkt::fuzz::handle(request);
  return 0;
}
