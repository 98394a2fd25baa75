#include "signed_token.h"

#include <openssl/crypto.h>  // CRYPTO_memcmp: constant-time comparison
#include <openssl/evp.h>     // EVP_sha256
#include <openssl/hmac.h>    // HMAC

#include <algorithm>
#include <array>
#include <stdexcept>

namespace treffpunkt::usecases {
namespace {

constexpr std::size_t id_size = 8;
constexpr std::size_t mac_size = 32;
constexpr std::size_t token_bytes = id_size + mac_size;
/// base64url of 40 bytes without padding.
constexpr std::size_t token_chars = (token_bytes * 4 + 2) / 3;

/// RFC 4648 §5: the URL- and filename-safe alphabet.
constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

using bytes = std::array<unsigned char, token_bytes>;

std::string encode(const bytes& in) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const unsigned char b : in) {
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

std::optional<bytes> decode(std::string_view text) {
  if (text.size() != token_chars) return std::nullopt;
  bytes out{};
  std::size_t n = 0;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    const auto at = alphabet.find(c);
    if (at == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(at);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n == out.size()) return std::nullopt;
      out[n++] = static_cast<unsigned char>((buffer >> bits) & 0xFF);
    }
  }
  // The bits left over must be zero, so that each token has one spelling only.
  if (n != out.size() || (buffer & ((1U << bits) - 1)) != 0) return std::nullopt;
  return out;
}

/// HMAC-SHA256(secret, purpose || 0x00 || id): the NUL keeps "ab"+id apart from "a"+"b"...
std::array<unsigned char, mac_size> mac(std::string_view secret, std::string_view purpose,
                                        const unsigned char* id) {
  std::string message(purpose);
  message += '\0';
  message.append(reinterpret_cast<const char*>(id), id_size);
  std::array<unsigned char, mac_size> out{};
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), out.data(),
           &length) == nullptr ||
      length != out.size()) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return out;
}

}  // namespace

std::string sign_token(std::string_view secret, std::string_view purpose, std::int64_t id) {
  bytes token{};
  const auto value = static_cast<std::uint64_t>(id);
  for (std::size_t i = 0; i < id_size; ++i) {
    token[i] = static_cast<unsigned char>(value >> (8 * (id_size - 1 - i)));
  }
  const auto m = mac(secret, purpose, token.data());
  std::copy(m.begin(), m.end(), token.begin() + id_size);
  return encode(token);
}

std::optional<std::int64_t> verify_token(std::string_view secret, std::string_view purpose,
                                         std::string_view token) {
  const auto raw = decode(token);
  if (!raw) return std::nullopt;
  const auto expected = mac(secret, purpose, raw->data());
  if (CRYPTO_memcmp(expected.data(), raw->data() + id_size, mac_size) != 0) return std::nullopt;
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < id_size; ++i) value = (value << 8) | (*raw)[i];
  return static_cast<std::int64_t>(value);
}

}  // namespace treffpunkt::usecases
