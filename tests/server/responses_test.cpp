// The answers every area gives alike (server/src/responses.h), and where a login may send the
// browser back to.
#include "responses.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace treffpunkt::server {
namespace {

std::string location_of(const http_response& r) {
  for (const auto& [name, value] : r.headers) {
    if (name == "Location") return value;
  }
  return {};
}

std::string header(const http_response& r, std::string_view wanted) {
  for (const auto& [name, value] : r.headers) {
    if (name == wanted) return value;
  }
  return {};
}

TEST(Responses, UrlEncodeKeepsSlashesAndEncodesTheRest) {
  EXPECT_EQ(url_encode("/events/7/20251202T180000Z"), "/events/7/20251202T180000Z");
  EXPECT_EQ(url_encode("/a b?c=d&e#f"), "/a%20b%3Fc%3Dd%26e%23f");
  EXPECT_EQ(url_encode("ä\r\n"), "%C3%A4%0D%0A");
}

TEST(Responses, ParseIdTakesOnlyPositiveDecimals) {
  EXPECT_EQ(parse_id("42"), 42);
  for (const std::string_view bad : {"", "0", "-3", "+3", "4a", " 4", "99999999999999999999"}) {
    EXPECT_FALSE(parse_id(bad).has_value()) << bad;
  }
}

TEST(Responses, RedirectsAreNeverStored) {
  const auto r = see_other("/manage?done=saved");
  EXPECT_EQ(r.status, 303U);
  EXPECT_EQ(location_of(r), "/manage?done=saved");
  EXPECT_EQ(header(r, "Cache-Control"), "no-store");
  const auto login = to_login("/manage/units/a b");
  EXPECT_EQ(location_of(login), "/login?next=/manage/units/a%20b");
  EXPECT_EQ(header(login, "Cache-Control"), "no-store");
}

TEST(Responses, LocalPathsOfThisSiteOnly) {
  for (const std::string_view ok :
       {"/", "/me", "/manage/units/a?done=saved", "/events/7/20251202T180000Z", "/a%2F%2Fb"}) {
    EXPECT_TRUE(is_local_path(ok)) << ok;
  }
  for (const std::string_view bad :
       {"", "me", "//evil.example", "//evil.example/me", "/\\evil.example", "\\\\evil.example",
        "https://evil.example", "javascript:alert(1)", "/\t/evil.example", "/me\r\nSet-Cookie: x",
        "/me\n", "/a b", "/\x7f", "/caf\xc3\xa9", " /me"}) {
    EXPECT_FALSE(is_local_path(bad)) << bad;
  }
  EXPECT_FALSE(is_local_path("/" + std::string(1000, 'a')));
}

}  // namespace
}  // namespace treffpunkt::server
