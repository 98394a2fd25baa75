// Part of store: see store_impl.h. Which calendar app last fetched a feed (feed_fetches, schema
// v7), the followers of a unit whose app lags, and their choice of lag notices
// (people.lag_notices): what usecases/lag_notices.h needs to tell them of a change at short
// notice.
#include <date/date.h>
#include <storage/fetches.h>

#include <string>

#include "people_rows.h"
#include "store_impl.h"

namespace treffpunkt::storage {
namespace {

/// A stored family name; `other` for one this build does not know (a newer build wrote it).
calendar::client_family family_from_db(const std::string& name) {
  return calendar::parse_client_family(name).value_or(calendar::client_family::other);
}

}  // namespace

std::optional<feed_client_seen> store::feed_client(std::string_view feed,
                                                   calendar::utc_seconds since) const {
  impl::reader r(*impl_);
  // `day` narrows the primary key's range; `last_fetch` is the exact bound.
  auto& s = r->prepare(
      "SELECT family, last_fetch FROM feed_fetches WHERE feed = ? AND day >= ? AND "
      "last_fetch >= ? ORDER BY last_fetch DESC, family LIMIT 1");
  s.bind(1, feed).bind(2, fetch_day(since)).bind(3, to_db(since));
  std::optional<feed_client_seen> found;
  if (s.step()) found = feed_client_seen{family_from_db(s.text(0)), utc_from_db(s.int64(1))};
  s.reset();
  return found;
}

std::vector<lagging_follower> store::lagging_followers(calendar::unit_id u,
                                                       calendar::utc_seconds since) const {
  impl::reader r(*impl_);
  // Every fetch row since `since` of each follower's personal feed, newest first per person:
  // the first row of a person is the app that fetched last. The join finds the rows by the
  // primary key (feed, day, family).
  auto& s = r->prepare(
      "SELECT p.id, p.name, p.email, p.language, p.admin, p.guest, p.created, p.notices, "
      "ff.family, ff.last_fetch FROM follows f "
      "JOIN people p ON p.id = f.person_id "
      "JOIN feed_fetches ff ON ff.feed = 'person:' || p.id AND ff.day >= ?2 "
      "WHERE f.unit_id = ?1 AND p.notices = 1 AND p.lag_notices = 1 AND p.deleted IS NULL "
      "AND p.email <> '' AND ff.last_fetch >= ?3 "
      "ORDER BY p.id, ff.last_fetch DESC, ff.family");
  s.bind(1, u.value).bind(2, fetch_day(since)).bind(3, to_db(since));
  std::vector<lagging_follower> out;
  std::optional<std::int64_t> last_person;
  while (s.step()) {
    const auto id = s.int64(0);
    if (last_person == id) continue;  // an older fetch of someone already decided
    last_person = id;
    const feed_client_seen seen{family_from_db(s.text(8)), utc_from_db(s.int64(9))};
    if (!calendar::lags(seen.family)) continue;
    out.push_back({person_from(s), seen});
  }
  return out;
}

bool store::lag_notices(person_id p) const {
  impl::reader r(*impl_);
  auto& s = r->prepare("SELECT lag_notices FROM people WHERE id = ?");
  s.bind(1, p.value);
  const bool on = s.step() && s.int64(0) != 0;
  s.reset();
  return on;
}

result<void> store::set_lag_notices(person_id p, bool on) {
  const auto now = impl_->clock.now();
  return impl_->write([&](sql::connection& c) -> result<void> {
    if (!person_exists(c, p)) return error{errc::not_found, "no such person"};
    c.prepare("UPDATE people SET lag_notices = ? WHERE id = ?")
        .bind(1, on ? 1 : 0)
        .bind(2, p.value)
        .run();
    impl::audit(c, actor::of(p), "set_lag_notices", std::nullopt, std::nullopt, on ? "on" : "off",
                now);
    return {};
  });
}

}  // namespace treffpunkt::storage
