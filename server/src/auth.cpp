#include "auth.h"

#include <openssl/crypto.h>  // CRYPTO_memcmp: constant-time comparison
#include <openssl/rand.h>    // RAND_bytes: CSRF tokens

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>

namespace treffpunkt::server {
namespace {

constexpr std::size_t csrf_token_size = 43;

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

bool is_base64url(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

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

std::string new_csrf_token() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed: no randomness for a CSRF token");
  }
  static constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const unsigned char b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += alphabet[(buffer >> bits) & 0x3F];
    }
  }
  if (bits > 0) out += alphabet[(buffer << (6 - bits)) & 0x3F];
  return out;
}

std::optional<std::string> csrf_from_cookie(const http_request& request) {
  const auto value = cookie_value(request.cookie, "csrf");
  if (!value || value->size() != csrf_token_size || !is_base64url(*value)) return std::nullopt;
  return std::string(*value);
}

std::string csrf_set_cookie(std::string_view token, std::string_view base_url) {
  std::string out =
      "csrf=" + std::string(token) + "; Path=/; Max-Age=86400; HttpOnly; SameSite=Strict";
  if (base_url.starts_with("https://")) out += "; Secure";
  return out;
}

bool csrf_valid(const http_request& request, std::string_view form_value) {
  const auto expected = csrf_from_cookie(request);
  // Constant time: the comparison must not tell how much of a guess was right.
  return expected && form_value.size() == expected->size() &&
         CRYPTO_memcmp(expected->data(), form_value.data(), form_value.size()) == 0;
}

}  // namespace treffpunkt::server
