// Part of store: see store_impl.h.
#include "tokens.h"

#include <openssl/evp.h>
#include <openssl/sha.h>  // SHA256_DIGEST_LENGTH

#include <array>
#include <stdexcept>

#include "store_impl.h"

namespace treffpunkt::storage {
namespace {

std::optional<token_kind> kind_from_db(std::string_view s) {
  if (s == "login") return token_kind::login;
  if (s == "session") return token_kind::session;
  if (s == "api") return token_kind::api;
  if (s == "feed") return token_kind::feed;
  if (s == "guest_rsvp") return token_kind::guest_rsvp;
  return std::nullopt;
}

/// Login links and guest confirmations are used once; sessions, API tokens and feed secrets
/// are presented again and again until they expire or are revoked.
bool single_use(token_kind kind) {
  return kind == token_kind::login || kind == token_kind::guest_rsvp;
}

/// token_info::id in SQL: the first 8 bytes of the hash as 16 lower-case hex digits.
std::string token_id_sql(sql::dialect d) { return sql::lower_hex(d, "substr(hash, 1, 8)"); }

std::string token_id(std::string_view hash) {
  constexpr std::string_view hex = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < 8 && i < hash.size(); ++i) {
    const auto b = static_cast<unsigned char>(hash[i]);
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

}  // namespace

std::string token_hash(std::string_view raw) {
  // Every request of a member hashes their session token. OpenSSL 3's one-shot SHA256()
  // looks the algorithm up each time (half of its cost for 43 bytes): fetched once here.
  static EVP_MD* const sha256 = [] {
    EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (!md) throw std::runtime_error("SHA-256 is not available");
    return md;
  }();
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  unsigned int size = 0;
  if (EVP_Digest(raw.data(), raw.size(), digest.data(), &size, sha256, nullptr) != 1 ||
      size != digest.size()) {
    throw std::runtime_error("SHA-256 failed");
  }
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

std::string_view to_db(token_kind kind) {
  switch (kind) {
    case token_kind::login:
      return "login";
    case token_kind::session:
      return "session";
    case token_kind::api:
      return "api";
    case token_kind::feed:
      return "feed";
    case token_kind::guest_rsvp:
      return "guest_rsvp";
  }
  return "login";
}

void insert_token(sql::connection& c, token_kind kind, person_id person,
                  std::optional<std::int64_t> rsvp_id, calendar::utc_seconds now,
                  std::chrono::seconds ttl, std::string_view hash) {
  auto& s = c.prepare(
      "INSERT INTO tokens (hash, kind, person_id, rsvp_id, created, expires) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  s.bind_blob(1, hash);
  s.bind(2, to_db(kind));
  s.bind(3, person.value);
  s.bind(4, rsvp_id);
  s.bind(5, to_db(now));
  s.bind(6, to_db(now + ttl));
  s.run();
}

std::optional<token_row> find_token(sql::connection& c, std::string_view hash) {
  auto& s = c.prepare("SELECT kind, person_id, rsvp_id, expires, used FROM tokens WHERE hash = ?");
  s.bind_blob(1, hash);
  std::optional<token_row> row;
  if (s.step()) {
    if (const auto kind = kind_from_db(s.text(0))) {
      row = token_row{*kind, person_id{s.int64(1)}, s.optional_int64(2), utc_from_db(s.int64(3)),
                      !s.is_null(4)};
    }
  }
  s.reset();
  return row;
}

bool mark_token_used(sql::connection& c, std::string_view hash, calendar::utc_seconds now) {
  c.prepare("UPDATE tokens SET used = ? WHERE hash = ? AND used IS NULL")
      .bind(1, to_db(now))
      .bind_blob(2, hash)
      .run();
  return c.changes() == 1;
}

issued_token store::issue_token(token_kind kind, person_id p, std::chrono::seconds ttl,
                                calendar::utc_seconds now) {
  // A 256-bit secret: a collision with an existing hash is not a case to handle.
  issued_token token{random_token(), now + ttl, {}};
  const std::string hash = token_hash(token.raw);
  token.id = token_id(hash);
  auto written = impl_->write([&](sql::connection& c) -> result<void> {
    insert_token(c, kind, p, std::nullopt, now, ttl, hash);
    return {};
  });
  // The interface returns the token itself: a failed write (unknown person, disk full) is a
  // broken precondition of the caller or of the machine, not an expected outcome.
  if (!written) throw std::runtime_error("issue_token: " + written.error().message);
  return token;
}

result<person> store::redeem_token(token_kind kind, std::string_view raw,
                                   calendar::utc_seconds now) {
  const std::string hash = token_hash(raw);
  if (!single_use(kind)) {
    auto owner = owner_of_token(kind, hash, now);
    if (!owner) return owner.error();
    return std::move(owner->who);
  }
  auto owner = impl_->write([&](sql::connection& c) -> result<person_id> {
    const auto row = find_token(c, hash);
    if (!row || row->kind != kind) return error{errc::not_found, "no such token"};
    if (row->used || now >= row->expires) {
      return error{errc::expired, "the token has expired or was already used"};
    }
    if (single_use(kind) && !mark_token_used(c, hash, now)) {
      return error{errc::expired, "the token was already used"};
    }
    return row->person;
  });
  if (!owner) return owner.error();
  if (auto who = person_by_id(*owner)) return *who;
  return error{errc::not_found, "the token's owner no longer exists"};
}

result<token_owner> store::owner_of_token(token_kind kind, std::string_view hash,
                                          calendar::utc_seconds now) const {
  if (single_use(kind)) return error{errc::invalid, "a single-use token must be redeemed"};
  // Sessions, API tokens and feed secrets are only read: they need no turn at the one writer
  // (every API call and feed request presents one).
  std::optional<token_row> row;
  {
    impl::reader r(*impl_);
    row = find_token(*r, hash);
  }
  if (!row || row->kind != kind) return error{errc::not_found, "no such token"};
  if (now >= row->expires) return error{errc::expired, "the token has expired"};
  if (auto who = person_by_id(row->person)) return token_owner{std::move(*who), row->expires};
  return error{errc::not_found, "the token's owner no longer exists"};
}

void store::revoke_tokens(person_id p, token_kind kind) {
  auto revoked = impl_->write([&](sql::connection& c) -> result<void> {
    c.prepare("DELETE FROM tokens WHERE person_id = ? AND kind = ?")
        .bind(1, p.value)
        .bind(2, to_db(kind))
        .run();
    return {};
  });
  if (!revoked) throw std::runtime_error("revoke_tokens: " + revoked.error().message);
}

std::vector<token_info> store::list_tokens(person_id p, token_kind kind,
                                           calendar::utc_seconds now) const {
  impl::reader r(*impl_);
  const auto d = r->dialect();
  auto& s = r->prepare("SELECT " + token_id_sql(d) +
                       ", created, expires FROM tokens "
                       "WHERE person_id = ? AND kind = ? AND expires > ? AND used IS NULL "
                       "ORDER BY created, " +
                       std::string(sql::insertion_order(d, "hash")));
  s.bind(1, p.value).bind(2, to_db(kind)).bind(3, to_db(now));
  std::vector<token_info> out;
  while (s.step()) out.push_back({s.text(0), utc_from_db(s.int64(1)), utc_from_db(s.int64(2))});
  s.reset();
  return out;
}

bool store::revoke_token(person_id p, token_kind kind, std::string_view id) {
  auto revoked = impl_->write([&](sql::connection& c) -> result<bool> {
    c.prepare("DELETE FROM tokens WHERE person_id = ? AND kind = ? AND " +
              token_id_sql(c.dialect()) + " = ?")
        .bind(1, p.value)
        .bind(2, to_db(kind))
        .bind(3, id)
        .run();
    return c.changes() > 0;
  });
  if (!revoked) throw std::runtime_error("revoke_token: " + revoked.error().message);
  return *revoked;
}

std::int64_t store::person_version(person_id p) const {
  // Kept with the tokens because the personal feed (a feed token) is its one reader.
  impl::reader r(*impl_);
  auto& s = r->prepare("SELECT version FROM people WHERE id = ?");
  s.bind(1, p.value);
  std::int64_t version = 0;  // no such person: a version no real person has
  if (s.step()) version = s.int64(0);
  s.reset();
  return version;
}

}  // namespace treffpunkt::storage
