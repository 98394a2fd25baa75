// Part of store: see store_impl.h.
//
// Feed fetches per feed, UTC day and calendar app (table feed_fetches, schema v7), written in
// batches by the server's counter (usecases/feed_fetches.h) and read by the pages.
#include <string>

#include "store_impl.h"

namespace treffpunkt::storage {

std::string feed_ref::key() const {
  switch (what) {
    case kind::unit:
      return "unit:" + std::to_string(id);
    case kind::event:
      return "event:" + std::to_string(id);
    case kind::person:
      return "person:" + std::to_string(id);
    case kind::all:
      break;
  }
  return "all";
}

result<void> store::add_feed_fetches(const std::vector<feed_fetch_count>& counts) {
  if (counts.empty()) return {};
  return impl_->write([&](sql::connection& c) -> result<void> {
    // The row's columns by the table's name: PostgreSQL finds a bare name ambiguous beside
    // excluded's.
    auto& upsert = c.prepare(sql::text_for(c.dialect(), [](sql::dialect d) {
      return "INSERT INTO feed_fetches (feed, day, family, fetches, not_modified, last_fetch) "
             "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (feed, day, family) DO UPDATE SET "
             "fetches = feed_fetches.fetches + excluded.fetches, "
             "not_modified = feed_fetches.not_modified + excluded.not_modified, "
             "last_fetch = " +
             sql::larger_of(d, "feed_fetches.last_fetch", "excluded.last_fetch");
    }));
    for (const auto& n : counts) {
      upsert.bind(1, n.feed.key())
          .bind(2, n.day)
          .bind(3, calendar::name(n.family))
          .bind(4, n.fetches)
          .bind(5, n.not_modified)
          .bind(6, to_db(n.last_fetch))
          .run();
      upsert.reset();
    }
    return {};
  });
}

std::vector<feed_fetch_count> store::feed_fetches(const feed_ref& feed,
                                                  std::int64_t from_day) const {
  impl::reader r(*impl_);
  auto& s = r->prepare(
      "SELECT day, family, fetches, not_modified, last_fetch FROM feed_fetches "
      "WHERE feed = ? AND day >= ? ORDER BY day, family");
  s.bind(1, feed.key()).bind(2, from_day);
  std::vector<feed_fetch_count> out;
  while (s.step()) {
    // A family this build does not know (written by a newer one) is left out.
    const auto family = calendar::parse_client_family(s.text(1));
    if (!family) continue;
    out.push_back({feed, s.int64(0), *family, s.int64(2), s.int64(3), utc_from_db(s.int64(4))});
  }
  s.reset();
  return out;
}

int store::expire_feed_fetches(std::int64_t before_day) {
  auto expired = impl_->write([&](sql::connection& c) -> result<int> {
    c.prepare("DELETE FROM feed_fetches WHERE day < ?").bind(1, before_day).run();
    return static_cast<int>(c.changes());
  });
  // As expire_outbox: a failed clean-up removed nothing and the next round retries.
  return expired ? *expired : 0;
}

}  // namespace treffpunkt::storage
