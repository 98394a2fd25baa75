// Rate limits that every instance on one database shares (table rate_limits, schema v9): one
// token bucket per limiter and key, as server/src/rate_limit.h keeps them in memory, for
// several `serve` on one PostgreSQL database behind a proxy, where counts in each process's
// memory would let a client have the limit once per instance.
#include <openssl/crypto.h>   // OPENSSL_cleanse
#include <storage/secrets.h>  // token_hash

#include <algorithm>
#include <array>
#include <string>

#include "store_impl.h"

namespace treffpunkt::storage {
namespace {

/// Thousandths of an action: the buckets refill by fractions, and both databases compare
/// integers alike (PostgreSQL's schema keeps to INTEGER, TEXT and BLOB, as SQLite's).
constexpr std::int64_t milli = 1000;

/// What the table keys a bucket by: the SHA-256 of the installation secret, the limiter's name
/// and the key, in hex. Client addresses and email addresses are not kept in clear, and without
/// the secret (never exported) a key cannot be checked against a guess.
std::string bucket_of(const std::string& secret, std::string_view limiter, std::string_view key) {
  std::string input;
  input.reserve(secret.size() + limiter.size() + key.size() + 2);
  input.append(secret).push_back('\0');
  input.append(limiter).push_back('\0');
  input.append(key);
  const std::string digest = token_hash(input);
  OPENSSL_cleanse(input.data(), input.size());
  static constexpr std::array<char, 16> hex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                               '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
  std::string out;
  out.reserve(digest.size() * 2);
  for (const char c : digest) {
    const auto byte = static_cast<unsigned char>(c);
    out.push_back(hex[byte >> 4]);
    out.push_back(hex[byte & 15]);
  }
  return out;
}

/// Whole seconds, rounded up, until `missing` thousandths come back at `count` per `period`.
std::int64_t seconds_for(std::int64_t missing, std::int64_t capacity, std::int64_t period) {
  return (missing * period + capacity - 1) / capacity;
}

}  // namespace

result<std::chrono::seconds> store::take_allowance(std::string_view limiter, std::string_view key,
                                                   int count, std::chrono::seconds period,
                                                   calendar::utc_seconds now) {
  if (count <= 0) return std::chrono::seconds(0);
  const std::string bucket = bucket_of(impl_->secret, limiter, key);
  const std::int64_t capacity = std::int64_t{count} * milli;
  const std::int64_t per = std::max<std::int64_t>(1, period.count());
  const std::int64_t at = to_db(now);
  // Not worth a wait for durability: a take lost with the machine gives one action back.
  return impl_->write_unsynced([&](sql::connection& c) -> result<std::chrono::seconds> {
    // A new bucket is full. Inserted first, so that the row exists for the lock below: two
    // instances taking from a new bucket at once insert it once and then take in turn.
    c.insert_or_ignore("INTO rate_limits (bucket, tokens, updated, full_at) VALUES (?, ?, ?, ?)")
        .bind(1, bucket)
        .bind(2, capacity)
        .bind(3, at)
        .bind(4, at)
        .run();
    auto& read = c.prepare(sql::text_for(c.dialect(), [](sql::dialect d) {
      return "SELECT tokens, updated FROM rate_limits WHERE bucket = ?" +
             std::string(sql::locking_the_row(d));
    }));
    read.bind(1, bucket);
    if (!read.step()) {
      read.reset();
      return error{errc::unavailable, "the rate limit's row is gone"};
    }
    std::int64_t tokens = read.int64(0);
    const std::int64_t updated = read.int64(1);
    read.reset();
    // Refilled since the last take. Another instance's clock may be a little behind ours:
    // time never runs backwards for a bucket.
    const std::int64_t elapsed = std::max<std::int64_t>(0, at - updated);
    tokens = elapsed >= per ? capacity : std::min(capacity, tokens + elapsed * capacity / per);
    std::chrono::seconds wait(0);
    if (tokens >= milli) {
      tokens -= milli;
    } else {
      wait = std::chrono::seconds(
          std::max<std::int64_t>(1, seconds_for(milli - tokens, capacity, per)));
    }
    c.prepare("UPDATE rate_limits SET tokens = ?, updated = ?, full_at = ? WHERE bucket = ?")
        .bind(1, tokens)
        .bind(2, std::max(at, updated))
        .bind(3, std::max(at, updated) + seconds_for(capacity - tokens, capacity, per))
        .bind(4, bucket)
        .run();
    return wait;
  });
}

result<int> store::expire_rate_limits(calendar::utc_seconds now) {
  return impl_->write_unsynced([&](sql::connection& c) -> result<int> {
    // A minute's grace: a take that found the row (inserted or not) finds it still when it
    // locks it.
    c.prepare("DELETE FROM rate_limits WHERE full_at < ?").bind(1, to_db(now) - 60).run();
    return c.changes();
  });
}

}  // namespace treffpunkt::storage
