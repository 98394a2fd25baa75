#include "signed_token.h"

#include <openssl/crypto.h>   // CRYPTO_memcmp: constant-time comparison
#include <openssl/evp.h>      // EVP_sha256
#include <openssl/hmac.h>     // HMAC
#include <storage/secrets.h>  // base64url

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

using bytes = std::array<unsigned char, token_bytes>;

/// The token's bytes, if `text` is the base64url of exactly that many (storage::from_base64url
/// refuses other alphabets and left-over bits, so that each token has one spelling only).
std::optional<bytes> decode(std::string_view text) {
  if (text.size() != token_chars) return std::nullopt;
  const auto raw = storage::from_base64url(text);
  if (!raw || raw->size() != token_bytes) return std::nullopt;
  bytes out{};
  std::copy(raw->begin(), raw->end(), out.begin());
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
  return storage::base64url(token);
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
