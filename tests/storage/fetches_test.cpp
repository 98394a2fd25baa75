// Feed fetch counts (issue 15): batches add up, the old days go, a deleted account takes the
// counts of its personal feed along, and the person's export lists them.
#include <gtest/gtest.h>
#include <storage/fetches.h>
#include <storage/store.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "store_fixture.h"

namespace treffpunkt::storage {
namespace {

using namespace std::chrono_literals;
using calendar::client_family;
using testing::test_now;

namespace json = boost::json;

class FeedFetches : public testing::store_test {
 protected:
  static feed_fetch_count row(feed_ref feed, std::int64_t day, client_family family,
                              std::int64_t fetches, std::int64_t not_modified,
                              calendar::utc_seconds last) {
    return {feed, day, family, fetches, not_modified, last};
  }
};

TEST(FeedRef, KeysAsStoredAndDaysSinceTheEpochInUtc) {
  EXPECT_EQ(feed_ref::all_units().key(), "all");
  EXPECT_EQ(feed_ref::of(calendar::unit_id{3}).key(), "unit:3");
  EXPECT_EQ(feed_ref::of(calendar::event_id{42}).key(), "event:42");
  EXPECT_EQ(feed_ref::of(person_id{7}).key(), "person:7");
  // 2025-11-01 12:00 UTC is day 20393; the last second before midnight still is.
  EXPECT_EQ(fetch_day(test_now()), 20393);
  EXPECT_EQ(fetch_day(test_now() + 12h - 1s), 20393);
  EXPECT_EQ(fetch_day(test_now() + 12h), 20394);
  EXPECT_EQ(fetch_day(calendar::utc_seconds{}), 0);
}

TEST_F(FeedFetches, BatchesAddUpAndKeepTheLatestFetch) {
  const auto unit = feed_ref::of(calendar::unit_id{1});
  const auto day = fetch_day(test_now());
  ASSERT_TRUE(store_->add_feed_fetches({row(unit, day, client_family::google, 3, 1, test_now()),
                                        row(unit, day, client_family::apple, 2, 2, test_now())}));
  // A second batch: the same keys add, the earlier last fetch does not win.
  ASSERT_TRUE(store_->add_feed_fetches(
      {row(unit, day, client_family::google, 4, 2, test_now() + 10min),
       row(unit, day, client_family::apple, 1, 0, test_now() - 1h),
       row(feed_ref::all_units(), day, client_family::google, 9, 0, test_now())}));

  const auto rows = store_->feed_fetches(unit, day);
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[0].family, client_family::apple);
  EXPECT_EQ(rows[0].fetches, 3);
  EXPECT_EQ(rows[0].not_modified, 2);
  EXPECT_EQ(rows[0].last_fetch, test_now());
  EXPECT_EQ(rows[1].family, client_family::google);
  EXPECT_EQ(rows[1].fetches, 7);
  EXPECT_EQ(rows[1].not_modified, 3);
  EXPECT_EQ(rows[1].last_fetch, test_now() + 10min);
  EXPECT_EQ(rows[1].feed, unit);
  EXPECT_EQ(rows[1].day, day);

  // Stored as the schema says: the feed's key, the family's name, Unix seconds.
  EXPECT_EQ(query_int("SELECT fetches FROM feed_fetches WHERE feed = 'unit:1' AND "
                      "family = 'google' AND day = " +
                      std::to_string(day)),
            7);
  EXPECT_EQ(query_int("SELECT fetches FROM feed_fetches WHERE feed = 'all'"), 9);
  EXPECT_EQ(query_int("SELECT last_fetch FROM feed_fetches WHERE feed = 'unit:1' AND "
                      "family = 'google'"),
            test_now().time_since_epoch().count() + 600);
  // An empty batch writes nothing and succeeds.
  EXPECT_TRUE(store_->add_feed_fetches({}));
}

TEST_F(FeedFetches, ReadsFromADayOnAndSkipsUnknownFamilies) {
  const auto unit = feed_ref::of(calendar::unit_id{1});
  const auto day = fetch_day(test_now());
  ASSERT_TRUE(store_->add_feed_fetches(
      {row(unit, day - 7, client_family::google, 1, 0, test_now() - 7 * 24h),
       row(unit, day - 6, client_family::microsoft, 2, 0, test_now() - 6 * 24h),
       row(unit, day, client_family::davx5, 3, 1, test_now())}));
  // A family this build does not know (a newer one wrote it) is left out. (query_int runs the
  // INSERT on a connection of its own.)
  query_int("INSERT INTO feed_fetches VALUES ('unit:1', " + std::to_string(day) +
            ", 'someday-app', 1, 0, 0)");
  const auto rows = store_->feed_fetches(unit, day - 6);
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[0].family, client_family::microsoft);
  EXPECT_EQ(rows[1].family, client_family::davx5);
  EXPECT_TRUE(store_->feed_fetches(feed_ref::of(calendar::unit_id{2}), 0).empty());
}

TEST_F(FeedFetches, ExpiresTheDaysBeforeTheGivenOne) {
  const auto unit = feed_ref::of(calendar::unit_id{1});
  const auto today = fetch_day(test_now());
  const auto cutoff = today - feed_fetch_retention.count();
  ASSERT_TRUE(store_->add_feed_fetches(
      {row(unit, cutoff - 1, client_family::google, 1, 0, test_now() - 91 * 24h),
       row(feed_ref::of(person_id{5}), cutoff - 30, client_family::apple, 1, 0,
           test_now() - 120 * 24h),
       row(unit, cutoff, client_family::google, 2, 0, test_now() - 90 * 24h),
       row(unit, today, client_family::google, 3, 0, test_now())}));
  EXPECT_EQ(store_->expire_feed_fetches(cutoff), 2);
  EXPECT_EQ(store_->expire_feed_fetches(cutoff), 0);
  const auto rows = store_->feed_fetches(unit, 0);
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[0].day, cutoff);
  EXPECT_EQ(rows[1].day, today);
  EXPECT_EQ(query_int("SELECT count(*) FROM feed_fetches"), 2);
}

TEST_F(FeedFetches, DeletingAnAccountDeletesItsPersonalFeedsCountsOnly) {
  const auto leaving = make_person("leaving@example.org");
  const auto staying = make_person("staying@example.org");
  const auto unit = make_unit("bildung");
  const auto day = fetch_day(test_now());
  ASSERT_TRUE(store_->add_feed_fetches(
      {row(feed_ref::of(leaving.id), day, client_family::google, 4, 1, test_now()),
       row(feed_ref::of(leaving.id), day - 1, client_family::apple, 1, 0, test_now() - 24h),
       row(feed_ref::of(staying.id), day, client_family::apple, 2, 0, test_now()),
       row(feed_ref::of(unit.id), day, client_family::google, 5, 0, test_now())}));

  // Their export lists them, by date (the person reads it), family and counts.
  const auto exported = store_->export_person_json(leaving.id);
  ASSERT_TRUE(exported);
  const auto fetches = json::parse(*exported).as_object().at("feed_fetches").as_array();
  ASSERT_EQ(fetches.size(), 2U);
  EXPECT_EQ(fetches[0].at("date").as_string(), "2025-10-31");
  EXPECT_EQ(fetches[0].at("family").as_string(), "apple");
  EXPECT_EQ(fetches[1].at("date").as_string(), "2025-11-01");
  EXPECT_EQ(fetches[1].at("family").as_string(), "google");
  EXPECT_EQ(fetches[1].at("fetches").as_int64(), 4);
  EXPECT_EQ(fetches[1].at("not_modified").as_int64(), 1);
  // Nobody else's.
  EXPECT_EQ(json::parse(*store_->export_person_json(staying.id))
                .as_object()
                .at("feed_fetches")
                .as_array()
                .size(),
            1U);

  ASSERT_TRUE(store_->delete_person(leaving.id, actor::system(), test_now()));
  EXPECT_TRUE(store_->feed_fetches(feed_ref::of(leaving.id), 0).empty());
  EXPECT_EQ(query_int("SELECT count(*) FROM feed_fetches WHERE feed = 'person:" +
                      std::to_string(leaving.id.value) + "'"),
            0);
  EXPECT_EQ(store_->feed_fetches(feed_ref::of(staying.id), 0).size(), 1U);
  EXPECT_EQ(store_->feed_fetches(feed_ref::of(unit.id), 0).size(), 1U);
}

}  // namespace
}  // namespace treffpunkt::storage
