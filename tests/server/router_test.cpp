// The router on tables of its own (server/src/router.h): patterns, specificity, 405 with Allow
// from the table, HEAD as GET, and the areas' answers to what matches none.
#include "router.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace treffpunkt::server {
namespace {

http_response named(std::string_view what) { return http_response::text(200, std::string(what)); }

http_response list(const request_context&, const route_params&) { return named("list"); }
http_response page(const request_context&, const route_params& p) {
  return named("page " + std::string(p["slug"]));
}
http_response feed(const request_context&, const route_params& p) {
  return named("feed " + std::string(p["slug"]));
}
http_response rsvp(const request_context&, const route_params& p) {
  return named("rsvp " + std::string(p["id"]) + " " + std::string(p["key"]));
}
http_response nothing(const request_context&) { return http_response::text(404, "area"); }
http_response elsewhere(const request_context&) { return http_response::text(404, "fallback"); }
http_response not_allowed(const request_context&, std::string_view allow) {
  return http_response::text(405, std::string(allow));
}

router make_router() {
  area units{"units",
             {"/units"},
             {{"GET", "/units", list},
              {"GET", "/units/{slug}", page},
              {"GET", "/units/{slug}.ics", feed},
              {"GET", "/events/{id}/occurrences/{key}/rsvp", rsvp},
              {"PUT", "/events/{id}/occurrences/{key}/rsvp", rsvp},
              {"DELETE", "/units/{slug}", page}},
             nothing,
             not_allowed};
  area fallback{"none", {}, {}, elsewhere, not_allowed};
  return router({units}, fallback);
}

TEST(Router, FindsTheRouteAndFillsItsNamedSegments) {
  const auto r = make_router();
  const auto m = r.find("PUT", "/events/7/occurrences/20261202T180000Z/rsvp");
  ASSERT_NE(m.found, nullptr);
  EXPECT_EQ(m.found->handle, &rsvp);
  EXPECT_EQ(m.params["id"], "7");
  EXPECT_EQ(m.params["key"], "20261202T180000Z");
  EXPECT_EQ(m.params["slug"], "");
  EXPECT_EQ(r.patterns()[static_cast<std::size_t>(m.pattern)],
            "/events/{id}/occurrences/{key}/rsvp");
}

TEST(Router, TheMoreLiteralPatternWins) {
  const auto r = make_router();
  const auto feed_match = r.find("GET", "/units/bildung.ics");
  ASSERT_NE(feed_match.found, nullptr);
  EXPECT_EQ(feed_match.found->handle, &feed);
  EXPECT_EQ(feed_match.params["slug"], "bildung");
  const auto page_match = r.find("GET", "/units/bildung");
  ASSERT_NE(page_match.found, nullptr);
  EXPECT_EQ(page_match.found->handle, &page);
  // ".ics" alone names no unit: the suffixed pattern needs something before its suffix.
  EXPECT_EQ(r.find("GET", "/units/.ics").found->handle, &page);
}

TEST(Router, HeadIsGetAndOtherMethodsGetTheTablesAllow) {
  const auto r = make_router();
  EXPECT_EQ(r.find("HEAD", "/units").found->handle, &list);
  const auto post = r.find("POST", "/units/bildung");
  EXPECT_EQ(post.found, nullptr);
  EXPECT_EQ(post.allow, "GET, HEAD, DELETE");
  const auto patch = r.find("PATCH", "/events/1/occurrences/K/rsvp");
  EXPECT_EQ(patch.allow, "GET, HEAD, PUT");
  // Only the routes of the pattern that matched count: the feed takes GET only.
  EXPECT_EQ(r.find("DELETE", "/units/bildung.ics").allow, "GET, HEAD");
}

TEST(Router, PathsOfNoRouteBelongToTheAreaOfTheirPrefix) {
  const auto r = make_router();
  for (const std::string_view path : {"/units/bildung/x", "/units/a/b/c"}) {
    const auto m = r.find("GET", path);
    EXPECT_EQ(m.found, nullptr) << path;
    EXPECT_TRUE(m.allow.empty()) << path;
    EXPECT_EQ(m.in->name, "units") << path;
    EXPECT_EQ(m.pattern, -1) << path;
  }
  EXPECT_EQ(r.find("GET", "/unitsx").in->name, "none");  // a prefix is whole segments
  EXPECT_EQ(r.find("GET", "/nothing/here").in->name, "none");
  EXPECT_EQ(r.find("GET", "/a/b/c/d/e/f/g/h/i/j").in->name, "none");  // longer than any pattern
}

TEST(Router, AnEmptySegmentIsANameTooSoThatItsHandlerSaysNotFound) {
  const auto r = make_router();
  const auto m = r.find("GET", "/units/");
  ASSERT_NE(m.found, nullptr);
  EXPECT_EQ(m.found->handle, &page);
  EXPECT_EQ(m.params["slug"], "");
}

TEST(Router, RefusesAPatternItCannotRead) {
  const auto bad = [](std::string_view pattern) {
    area a{"bad", {}, {{"GET", pattern, list}}, nothing, not_allowed};
    area fallback{"none", {}, {}, elsewhere, not_allowed};
    return router({a}, fallback);
  };
  EXPECT_THROW(bad("units"), std::logic_error);
  EXPECT_THROW(bad("/units/{}"), std::logic_error);
  EXPECT_THROW(bad("/units/{slug"), std::logic_error);
  EXPECT_NO_THROW(bad("/units/{slug}"));
}

}  // namespace
}  // namespace treffpunkt::server
