#pragma once
/// Token helpers shared inside the store (tokens.cpp, rsvps.cpp): secrets are random, shown
/// once, and kept only as their SHA-256.

#include <storage/secrets.h>  // random_token, token_hash
#include <storage/store.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sql.h"

namespace treffpunkt::storage {

/// The name of a kind as stored in tokens.kind ("login", "guest_rsvp", ...).
std::string_view to_db(token_kind kind);

/// Inserts a token row (inside a write). `hash` is token_hash(raw); `rsvp_id` ties a
/// guest_rsvp token to its pending RSVP row.
void insert_token(sql::connection& c, token_kind kind, person_id person,
                  std::optional<std::int64_t> rsvp_id, calendar::utc_seconds now,
                  std::chrono::seconds ttl, std::string_view hash);

/// A token row found by its hash.
struct token_row {
  token_kind kind = token_kind::login;
  person_id person;
  std::optional<std::int64_t> rsvp_id;
  calendar::utc_seconds expires{};
  bool used = false;
};

/// The row of token_hash(raw), or nothing (inside a write or a read).
std::optional<token_row> find_token(sql::connection& c, std::string_view hash);

/// Marks a single-use token used at `now` (inside a write); false if it was already used.
bool mark_token_used(sql::connection& c, std::string_view hash, calendar::utc_seconds now);

}  // namespace treffpunkt::storage
