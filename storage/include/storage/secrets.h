#pragma once
/// The secrets treffpunkt hands out (login links, sessions, feed secrets, guest confirmations)
/// and the bytes of signed tokens, written in base64url (RFC 4648 §5, without padding), so
/// that they go into a URL, a cookie or a mail as they are.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace treffpunkt::storage {

/// `bytes` in the URL- and filename-safe base64 alphabet (A-Z a-z 0-9 - _) without padding:
/// 4 characters for every 3 bytes, 2 or 3 for a rest of 1 or 2.
std::string base64url(std::span<const unsigned char> bytes);

/// The bytes that base64url() wrote as `text`; none for any other text: characters outside
/// the alphabet (`+`, `/`, `=` padding and white space included), a length that no byte
/// string has (1 more than a multiple of 4), or bits left over at the end that are not zero
/// (so that a byte string has one spelling only, and a token cannot be altered unnoticed).
std::optional<std::vector<unsigned char>> from_base64url(std::string_view text);

/// A new secret: 32 random bytes (OpenSSL RAND_bytes, 256 bits) as base64url, 43 characters.
/// Throws std::runtime_error if the system cannot produce random bytes (a broken invariant).
std::string random_token();

/// The 32-byte SHA-256 of a token `raw`: what the store keeps of it (tokens.hash, a BLOB), and
/// what store::owner_of_token looks it up by.
std::string token_hash(std::string_view raw);

}  // namespace treffpunkt::storage
