// The feeds' `?kind=` filter in process (server/src/feeds/): each variant rendered once and then
// served from memory with its own ETag, the feed of every kind untouched by it, the personal
// feed in its member's language. tests/server/serve_test.py asks the same over loopback.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "app_fixture.h"

namespace treffpunkt::server {
namespace {

using testing::app_test;

class FeedKinds : public app_test {
 protected:
  /// The value of a counter of /metrics ("treffpunkt_feed_cache_misses_total").
  std::uint64_t metric(std::string_view name) {
    const std::string text = body(call("GET", "/metrics"));
    const auto at = text.find("\n" + std::string(name) + " ");
    EXPECT_NE(at, std::string::npos) << name;
    if (at == std::string::npos) return 0;
    return std::stoull(text.substr(at + name.size() + 2));
  }

  /// The feed at `target` sent with If-None-Match: `etag`.
  http_response conditional(std::string target, std::string etag) {
    auto r = request("GET", std::move(target));
    r.if_none_match = std::move(etag);
    return app_->handle(r);
  }

  static std::size_t count_of(const std::string& text, std::string_view needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
  }

  static std::string etag_of(const http_response& r) {
    if (!r.prebuilt_head) return {};
    const auto& head = *r.prebuilt_head;
    const auto at = head.find("ETag: ");
    if (at == std::string::npos) return {};
    return head.substr(at + 6, head.find("\r\n", at) - at - 6);
  }
};

TEST_F(FeedKinds, EachKindIsRenderedOnceThenServedFromMemory) {
  for (const char* target :
       {"/units/frauen.ics?kind=exchange_offer", "/calendar.ics?kind=meeting"}) {
    const auto misses = metric("treffpunkt_feed_cache_misses_total");
    const auto first = call("GET", target);
    ASSERT_EQ(first.status, 200U) << target;
    EXPECT_EQ(metric("treffpunkt_feed_cache_misses_total"), misses + 1) << target;
    const auto hits = metric("treffpunkt_feed_cache_hits_total");
    const auto second = call("GET", target);
    EXPECT_EQ(second.body, first.body) << target;  // the same bytes: not even copied
    EXPECT_EQ(metric("treffpunkt_feed_cache_misses_total"), misses + 1) << target;
    EXPECT_EQ(metric("treffpunkt_feed_cache_hits_total"), hits + 1) << target;
  }
}

TEST_F(FeedKinds, EachKindHasItsOwnETagAnd304) {
  const auto all = call("GET", "/units/frauen.ics");
  const auto offers = call("GET", "/units/frauen.ics?kind=exchange_offer");
  const auto meetings = call("GET", "/units/frauen.ics?kind=meeting");
  ASSERT_FALSE(etag_of(offers).empty());
  EXPECT_NE(etag_of(offers), etag_of(all));
  EXPECT_NE(etag_of(offers), etag_of(meetings));

  const auto again = conditional("/units/frauen.ics?kind=exchange_offer", etag_of(offers));
  EXPECT_EQ(again.status, 304U);
  EXPECT_FALSE(again.body);
  EXPECT_EQ(etag_of(again), etag_of(offers));
  // The ETag of one variant does not validate another.
  EXPECT_EQ(conditional("/units/frauen.ics", etag_of(offers)).status, 200U);
  EXPECT_EQ(conditional("/units/frauen.ics?kind=meeting", etag_of(offers)).status, 200U);
}

TEST_F(FeedKinds, TheFeedOfEveryKindStaysAsItWas) {
  const auto before = call("GET", "/calendar.ics");
  call("GET", "/calendar.ics?kind=exchange_offer");
  call("GET", "/calendar.ics?kind=meeting");
  const auto after = call("GET", "/calendar.ics");
  EXPECT_EQ(etag_of(after), etag_of(before));
  EXPECT_EQ(*after.body, *before.body);
  // A query without `kind` (a cache buster some apps add) is the feed of every kind.
  EXPECT_EQ(etag_of(call("GET", "/calendar.ics?t=1718000000")), etag_of(before));
  EXPECT_EQ(count_of(*before.body, "BEGIN:VEVENT"),
            count_of(*call("GET", "/calendar.ics?kind=exchange_offer").body, "BEGIN:VEVENT") +
                count_of(*call("GET", "/calendar.ics?kind=meeting").body, "BEGIN:VEVENT"));
}

TEST_F(FeedKinds, AKindOfNoKindIs400) {
  for (const char* target :
       {"/units/frauen.ics?kind=workshop", "/calendar.ics?kind=", "/calendar.ics?kind=Meeting",
        "/calendar.ics?kind=exchange-offer", "/units/frauen.ics?kind=meeting%00"}) {
    const auto r = call("GET", target);
    EXPECT_EQ(r.status, 400U) << target;
    EXPECT_EQ(body(r), "kind must be meeting or exchange_offer\n") << target;
  }
  // An unknown unit is still 404 with a good kind, an event's feed knows no filter.
  EXPECT_EQ(call("GET", "/units/nope.ics?kind=meeting").status, 404U);
  EXPECT_EQ(call("GET", "/events/1.ics?kind=workshop").status, 200U);
}

TEST_F(FeedKinds, PersonalFeedIsFilteredAndInItsMembersLanguage) {
  const auto ann = store_->ensure_person("ann@example.org", "Ann", "en");
  ASSERT_TRUE(ann);
  ASSERT_TRUE(store_->set_follow(ann->id, store_->unit_by_slug("frauen")->id, true));
  const auto secret =
      store_->issue_token(storage::token_kind::feed, ann->id, std::chrono::hours(24), clock_.now())
          .raw;
  const std::string path = "/feeds/" + secret + ".ics";

  const auto all = call("GET", path);
  ASSERT_EQ(all.status, 200U);
  const auto offers = call("GET", path + "?kind=exchange_offer");
  ASSERT_EQ(offers.status, 200U);
  EXPECT_GT(count_of(*offers.body, "CATEGORIES:Exchange offer"), 0U);
  EXPECT_EQ(count_of(*offers.body, "CATEGORIES:"),
            count_of(*offers.body, "CATEGORIES:Exchange offer"));
  EXPECT_EQ(count_of(*offers.body, "X-TREFFPUNKT-KIND:MEETING"), 0U);
  EXPECT_NE(offers.body->find("NAME:treffpunkt – Ann – Exchange offers"), std::string::npos);
  EXPECT_GT(count_of(*all.body, "CATEGORIES:Meeting"), 0U);
  // The public feed of the same unit speaks German.
  EXPECT_GT(count_of(*call("GET", "/units/frauen.ics").body, "CATEGORIES:Austauschangebot"), 0U);

  EXPECT_EQ(conditional(path + "?kind=exchange_offer", etag_of(offers)).status, 304U);
  EXPECT_EQ(conditional(path, etag_of(offers)).status, 200U);
  EXPECT_EQ(call("GET", path + "?kind=talk").status, 400U);
  // Without a valid secret the answer is 404 whatever the query says.
  EXPECT_EQ(call("GET", "/feeds/" + std::string(43, 'A') + ".ics?kind=talk").status, 404U);
}

}  // namespace
}  // namespace treffpunkt::server
