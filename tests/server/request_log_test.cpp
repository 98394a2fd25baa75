// What the log may say of a request (server/src/request_log.h): the access log's line and the
// catch-all's, both without queries, feed secrets or other tokens.
#include "request_log.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace treffpunkt::server {
namespace {

const std::string secret = "3q2-XJ0n8nNqF8cZ9mYc0yq7a4D4m6mE5e7hG8b1pLw";

http_request get(std::string target) {
  http_request r;
  r.method = "GET";
  r.target = std::move(target);
  r.remote_address = "127.0.0.1";
  return r;
}

TEST(RequestLog, PathsLoseQueriesAndTokens) {
  EXPECT_EQ(loggable_path("/units/bildung.ics?x=1"), "/units/bildung.ics");
  EXPECT_EQ(loggable_path("/feeds/" + secret + ".ics"), "/feeds/…");
  EXPECT_EQ(loggable_path("/login/" + secret + "?next=/me"), "/login/…");
  EXPECT_EQ(loggable_path("/rsvp/confirm/" + secret), "/rsvp/confirm/…");
  EXPECT_EQ(loggable_path("/events/7/20261202T180000Z"), "/events/7/20261202T180000Z");
}

TEST(RequestLog, TheAccessLogLineIsLogfmtWithoutSecrets) {
  auto r = get("/login/" + secret + "?token=" + secret);
  const auto line = access_log_line(r, 200, 512, std::chrono::microseconds(42));
  EXPECT_EQ(line, "method=GET path=/login/… status=200 bytes=512 us=42 remote=127.0.0.0/24\n");
  r.method = "GE\"T";
  EXPECT_NE(access_log_line(r, 400, 0, {}).find("method=\"GE\\\"T\""), std::string::npos);
}

TEST(RequestLog, TheClientIsLoggedAsItsNetworkNotItsAddress) {
  EXPECT_EQ(loggable_network("198.51.100.7"), "198.51.100.0/24");
  EXPECT_EQ(loggable_network("10.0.0.255"), "10.0.0.0/24");
  EXPECT_EQ(loggable_network("2001:db8:1234:5678::9"), "2001:db8:1234::/48");
  EXPECT_EQ(loggable_network("::1"), "::/48");
  EXPECT_EQ(loggable_network("::ffff:198.51.100.7"), "198.51.100.0/24");
  EXPECT_EQ(loggable_network(""), "-");
  EXPECT_EQ(loggable_network("not an address"), "?");
  auto r = get("/");
  r.remote_address = "2001:db8:1234:5678::9";
  EXPECT_TRUE(access_log_line(r, 200, 1, {}).ends_with(" remote=2001:db8:1234::/48\n"));
}

TEST(RequestLog, TheCatchAllAnswers500AndLogsTheRedactedPathOnly) {
  const auto r = get("/feeds/" + secret + ".ics?also=" + secret);
  ::testing::internal::CaptureStderr();
  const auto answer = answer_or_500(r, []() -> http_response { throw std::runtime_error("boom"); });
  const std::string logged = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(answer.status, 500U);
  EXPECT_EQ(*answer.body, "internal error\n");
  EXPECT_EQ(logged, "error: GET /feeds/…: boom\n");
  EXPECT_EQ(logged.find(secret), std::string::npos);
  const auto fine = answer_or_500(r, [] { return http_response::text(200, "ok"); });
  EXPECT_EQ(fine.status, 200U);
}

}  // namespace
}  // namespace treffpunkt::server
