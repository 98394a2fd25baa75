#pragma once
/// Stateless signed tokens: a number (a person's id) and an HMAC-SHA256 over it and a purpose,
/// under the installation's secret (storage::store::installation_secret). Links that must work
/// without a login and for as long as the person exists, such as the one-click unsubscribe URL
/// of RFC 8058, carry one; nothing is stored per token, and nobody without the secret can make
/// one for another person.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace treffpunkt::usecases {

/// What unsubscribe links sign: a token made for another purpose is refused.
inline constexpr std::string_view unsubscribe_purpose = "unsubscribe";

/// base64url (no padding) of the id (8 bytes, big-endian) and HMAC-SHA256(secret, purpose, id):
/// 54 characters, safe in a URL path (and hidden by the access log like other tokens).
std::string sign_token(std::string_view secret, std::string_view purpose, std::int64_t id);

/// The id in `token` if `token` was made by sign_token with this secret and purpose (compared
/// in constant time); none for anything else (wrong length, alphabet, purpose or signature).
std::optional<std::int64_t> verify_token(std::string_view secret, std::string_view purpose,
                                         std::string_view token);

}  // namespace treffpunkt::usecases
