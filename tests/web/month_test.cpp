#include <gtest/gtest.h>
#include <web/month.h>

namespace {

namespace web = treffpunkt::web;

TEST(MonthGrid, WeeksStartOnMondayAndCoverTheMonth) {
  // December 2025 starts on a Monday and ends on a Wednesday: 5 weeks, to Sunday 4 January.
  const auto weeks = web::month_weeks(date::year{2025} / 12);
  ASSERT_EQ(weeks.size(), 5U);
  EXPECT_EQ(weeks.front()[0], date::year{2025} / 12 / 1);
  EXPECT_EQ(weeks.back()[6], date::year{2026} / 1 / 4);
  for (const auto& w : weeks) EXPECT_EQ(date::weekday{date::sys_days{w[0]}}, date::Monday);
}

TEST(MonthGrid, LeadingDaysOfThePreviousMonth) {
  // March 2026 starts on a Sunday: the first row is 23-28 February and 1 March; six rows.
  const auto weeks = web::month_weeks(date::year{2026} / 3);
  ASSERT_EQ(weeks.size(), 6U);
  EXPECT_EQ(weeks[0][0], date::year{2026} / 2 / 23);
  EXPECT_EQ(weeks[0][6], date::year{2026} / 3 / 1);
  EXPECT_EQ(weeks[5][1], date::year{2026} / 3 / 31);
}

TEST(MonthGrid, FebruaryOfFourWholeWeeks) {
  // February 2027 starts on a Monday and has 28 days: exactly four rows.
  const auto weeks = web::month_weeks(date::year{2027} / 2);
  ASSERT_EQ(weeks.size(), 4U);
  EXPECT_EQ(weeks[3][6], date::year{2027} / 2 / 28);
}

TEST(MonthParam, ParsesOnlyYearDashMonth) {
  EXPECT_EQ(web::parse_month("2025-12"), date::year{2025} / 12);
  EXPECT_EQ(web::month_param(date::year{2025} / 3), "2025-03");
  for (const char* bad : {"2025-13", "2025-00", "25-12", "2025-1", "-123-01", "2025/12", ""}) {
    EXPECT_FALSE(web::parse_month(bad)) << bad;
  }
  EXPECT_EQ(web::parse_month("0000-01"), date::year{0} / 1);
  EXPECT_EQ(web::parse_month("9999-12"), date::year{9999} / 12);
  for (const char* bad : {"+202-12", "2025-+1", "2025--1", "2025- 1", " 2025-12", "2025-12 ",
                          "2025-12x", "2025-012", "02025-12", "2025-12-01", "2025-1x"}) {
    EXPECT_FALSE(web::parse_month(bad)) << bad;
  }
}

}  // namespace
