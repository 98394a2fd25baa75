#include <calendar/text.h>  // is_base64url
#include <openssl/evp.h>    // EVP_EncodeBlock, EVP_DecodeBlock
#include <openssl/rand.h>   // RAND_bytes
#include <storage/secrets.h>

#include <algorithm>
#include <array>
#include <limits>
#include <stdexcept>

namespace treffpunkt::storage {
namespace {

/// The most characters of base64 EVP_EncodeBlock and EVP_DecodeBlock handle (they count in
/// int), a multiple of 4: far more than any secret or token needs.
constexpr std::size_t max_chars = static_cast<std::size_t>(std::numeric_limits<int>::max()) / 4 * 4;

}  // namespace

std::string base64url(std::span<const unsigned char> bytes) {
  if (bytes.size() > max_chars / 4 * 3) throw std::length_error("base64url: too many bytes");
  // RFC 4648 §4 base64 with padding, and a NUL after it.
  std::string out((bytes.size() + 2) / 3 * 4 + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                                      static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  // §5: the URL-safe alphabet, and no padding (the length tells how many bytes there are).
  out.erase(out.find_last_not_of('=') + 1);
  std::replace(out.begin(), out.end(), '+', '-');
  std::replace(out.begin(), out.end(), '/', '_');
  return out;
}

std::optional<std::vector<unsigned char>> from_base64url(std::string_view text) {
  // EVP_DecodeBlock would skip white space around the text and read `+` and `/`: the
  // alphabet is checked here first.
  if (text.size() % 4 == 1 || text.size() > max_chars || !calendar::is_base64url(text)) {
    return std::nullopt;
  }
  std::string padded(text);
  std::replace(padded.begin(), padded.end(), '-', '+');
  std::replace(padded.begin(), padded.end(), '_', '/');
  padded.append((4 - padded.size() % 4) % 4, '=');
  std::vector<unsigned char> out(padded.size() / 4 * 3);
  const int written =
      EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(padded.data()),
                      static_cast<int>(padded.size()));
  if (written < 0 || static_cast<std::size_t>(written) != out.size()) return std::nullopt;
  // EVP_DecodeBlock writes a zero byte for every `=`, after the bits of the last character
  // that belong to no byte: all of them must be zero (the one spelling of these bytes).
  const std::size_t size = text.size() * 3 / 4;
  if (std::any_of(out.begin() + static_cast<std::ptrdiff_t>(size), out.end(),
                  [](unsigned char b) { return b != 0; })) {
    return std::nullopt;
  }
  out.resize(size);
  return out;
}

std::string random_token() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed: no randomness for a token");
  }
  return base64url(bytes);
}

}  // namespace treffpunkt::storage
