#include "auth.h"

#include <calendar/text.h>    // is_base64url
#include <openssl/crypto.h>   // CRYPTO_memcmp: constant-time comparison; OPENSSL_cleanse
#include <openssl/rand.h>     // RAND_bytes: CSRF tokens
#include <storage/secrets.h>  // base64url

#include <algorithm>
#include <array>
#include <boost/algorithm/string/classification.hpp>  // is_any_of
#include <boost/algorithm/string/predicate.hpp>       // iequals
#include <boost/algorithm/string/trim.hpp>
#include <cstdint>
#include <locale>
#include <span>
#include <stdexcept>

namespace treffpunkt::server {
namespace {

constexpr std::size_t csrf_token_size = 43;

/// Optional white space around header parts (RFC 9110 §5.6.3): spaces and tabs.
std::string_view trim(std::string_view s) {
  return boost::algorithm::trim_copy_if(s, boost::algorithm::is_any_of(" \t"));
}

caller redeem(member_memo& memo, storage::token_kind kind, std::string_view raw,
              calendar::utc_seconds now) {
  if (raw.empty() || raw.size() > 512) return caller{false, std::nullopt};
  auto who = memo.owner(kind, raw, now);
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

caller authenticate(member_memo& memo, const http_request& request, calendar::utc_seconds now) {
  if (!request.authorization.empty()) {
    const std::string_view header = trim(request.authorization);
    const auto space = header.find(' ');
    // RFC 9110 §11.1: the scheme is case-insensitive.
    if (space == std::string_view::npos ||
        !boost::algorithm::iequals(header.substr(0, space), "Bearer", std::locale::classic())) {
      return caller{false, std::nullopt};
    }
    return redeem(memo, storage::token_kind::api, trim(header.substr(space + 1)), now);
  }
  if (const auto session = cookie_value(request.cookie, "session")) {
    return redeem(memo, storage::token_kind::session, *session, now);
  }
  return caller{};
}

std::string new_csrf_token() {
  // A page for a browser without the cookie makes one per request. RAND_bytes for each cost
  // about 6,700 instructions and a getpid() (OpenSSL's fork check): each thread draws the
  // bytes of 32 tokens at once and hands out each byte once, wiping what it handed out.
  constexpr std::size_t token_bytes = 32;  // 43 base64url characters
  thread_local std::array<unsigned char, 32 * token_bytes> pool{};
  thread_local std::size_t used = pool.size();
  if (used == pool.size()) {
    if (RAND_bytes(pool.data(), static_cast<int>(pool.size())) != 1) {
      throw std::runtime_error("RAND_bytes failed: no randomness for a CSRF token");
    }
    used = 0;
  }
  const std::span<unsigned char> bytes(pool.data() + used, token_bytes);
  std::string token = storage::base64url(bytes);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  used += token_bytes;
  return token;
}

std::optional<std::string> csrf_from_cookie(const http_request& request) {
  const auto value = cookie_value(request.cookie, "csrf");
  if (!value || value->size() != csrf_token_size || !calendar::is_base64url(*value))
    return std::nullopt;
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
