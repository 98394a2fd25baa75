// The JSON API's timestamps (server/src/api/api_shapes.h), written by hand for speed, read the
// same as date::format writes them.
#include "api/api_shapes.h"

#include <date/date.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <random>

namespace treffpunkt::server {
namespace {

using std::chrono::seconds;

TEST(ApiShapes, TimestampsReadAsDateFormatWritesThem) {
  const std::int64_t fixed[] = {
      0,             // 1970-01-01T00:00:00
      951782399,     // 2000-02-29T23:59:59: a leap day in a century year
      951782400,     // 2000-03-01T00:00:00
      1798761599,    // 2026-12-31T23:59:59
      1798761600,    // 2027-01-01T00:00:00
      -1,            // 1969-12-31T23:59:59
      -62167219200,  // 0000-01-01T00:00:00
      253402300799,  // 9999-12-31T23:59:59: the last the hand-written form covers
  };
  std::mt19937_64 random(16);
  std::uniform_int_distribution<std::int64_t> any(-62167219200, 253402300799);
  std::vector<std::int64_t> times(std::begin(fixed), std::end(fixed));
  for (int i = 0; i < 2000; ++i) times.push_back(any(random));
  for (const auto t : times) {
    const calendar::utc_seconds utc{seconds{t}};
    const calendar::local_seconds local{seconds{t}};
    EXPECT_EQ(utc_text(utc), date::format("%Y-%m-%dT%H:%M:%SZ", utc)) << t;
    EXPECT_EQ(local_text(local), date::format("%Y-%m-%dT%H:%M:%S", local)) << t;
    EXPECT_EQ(local_text(local, true), date::format("%Y-%m-%d", local)) << t;
  }
  EXPECT_EQ(utc_text(calendar::utc_seconds{seconds{1798761599}}), "2026-12-31T23:59:59Z");
  EXPECT_EQ(local_text(calendar::local_seconds{seconds{951868799}}, true), "2000-02-29");
  EXPECT_EQ(local_text(calendar::local_seconds{seconds{951868800}}), "2000-03-01T00:00:00");
}

TEST(ApiShapes, YearsBeyondFourDigitsStillGetAnAnswer) {
  const calendar::utc_seconds far{seconds{253402300800}};  // 10000-01-01
  EXPECT_EQ(utc_text(far), date::format("%Y-%m-%dT%H:%M:%SZ", far));
  const calendar::utc_seconds early{seconds{-62167219201}};  // the last second of year -1
  EXPECT_EQ(utc_text(early), date::format("%Y-%m-%dT%H:%M:%SZ", early));
}

}  // namespace
}  // namespace treffpunkt::server
