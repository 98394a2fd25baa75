#include "auth.h"

namespace treffpunkt::server {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

caller redeem(storage::store& store, storage::token_kind kind, std::string_view raw,
              calendar::utc_seconds now) {
  if (raw.empty() || raw.size() > 512) return caller{false, std::nullopt};
  auto who = store.redeem_token(kind, raw, now);
  if (!who) return caller{false, std::nullopt};
  return caller{true, std::move(*who)};
}

}  // namespace

std::optional<std::string_view> cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto semicolon = header.find(';');
    const std::string_view pair = trim(header.substr(0, semicolon));
    const auto equals = pair.find('=');
    if (equals != std::string_view::npos && trim(pair.substr(0, equals)) == name) {
      std::string_view value = trim(pair.substr(equals + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return value;
    }
    if (semicolon == std::string_view::npos) break;
    header.remove_prefix(semicolon + 1);
  }
  return std::nullopt;
}

caller authenticate(storage::store& store, const http_request& request, calendar::utc_seconds now) {
  if (!request.authorization.empty()) {
    const std::string_view header = trim(request.authorization);
    const auto space = header.find(' ');
    // RFC 9110 §11.1: the scheme is case-insensitive.
    if (space == std::string_view::npos || !iequals(header.substr(0, space), "Bearer")) {
      return caller{false, std::nullopt};
    }
    return redeem(store, storage::token_kind::api, trim(header.substr(space + 1)), now);
  }
  if (const auto session = cookie_value(request.cookie, "session")) {
    return redeem(store, storage::token_kind::session, *session, now);
  }
  return caller{};
}

}  // namespace treffpunkt::server
