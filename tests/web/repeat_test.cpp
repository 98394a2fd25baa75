#include <gtest/gtest.h>
#include <web/repeat.h>

namespace treffpunkt::web {
namespace {

using namespace date::literals;

std::vector<std::string> labels(date::year_month_day first, language l) {
  std::vector<std::string> out;
  for (const auto& c : repeat_choices(first, l)) out.push_back(c.label);
  return out;
}

TEST(Repeat, FirstTuesdayOffersTheCommonRulesInWords) {
  // 1 Dec 2026 is the first Tuesday of December.
  EXPECT_EQ(labels(2026_y / 12 / 1, language::de),
            (std::vector<std::string>{"einmalig", "jeden Dienstag", "jeden zweiten Dienstag",
                                      "jeden ersten Dienstag im Monat", "jeden Monat am 1."}));
  EXPECT_EQ(
      labels(2026_y / 12 / 1, language::en),
      (std::vector<std::string>{"once", "every Tuesday", "every other Tuesday",
                                "every first Tuesday of the month", "every month on the 1st"}));
}

TEST(Repeat, LastWeekdayIsOfferedOnlyForTheLastOne) {
  // 29 Dec 2026 is the fifth and last Tuesday: no "fifth", but "last"; no 29th of the month.
  EXPECT_EQ(labels(2026_y / 12 / 29, language::de),
            (std::vector<std::string>{"einmalig", "jeden Dienstag", "jeden zweiten Dienstag",
                                      "jeden letzten Dienstag im Monat"}));
  // 25 Dec 2026 (Friday) is the fourth and also the last Friday.
  const auto choices = repeat_choices(2026_y / 12 / 25, language::en);
  ASSERT_EQ(choices.size(), 6u);
  EXPECT_EQ(choices[3].label, "every fourth Friday of the month");
  EXPECT_EQ(choices[4].label, "every last Friday of the month");
  EXPECT_EQ(choices[5].label, "every month on the 25th");
}

TEST(Repeat, RulesFollowTheFirstDate) {
  EXPECT_EQ(rrule_for(repeat::once, 2026_y / 12 / 1), "");
  EXPECT_EQ(rrule_for(repeat::weekly, 2026_y / 12 / 1), "FREQ=WEEKLY;BYDAY=TU");
  EXPECT_EQ(rrule_for(repeat::every_other_week, 2026_y / 12 / 6),
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU");
  EXPECT_EQ(rrule_for(repeat::monthly_weekday, 2026_y / 12 / 16), "FREQ=MONTHLY;BYDAY=3WE");
  EXPECT_EQ(rrule_for(repeat::monthly_last_weekday, 2026_y / 12 / 29), "FREQ=MONTHLY;BYDAY=-1TU");
  EXPECT_EQ(rrule_for(repeat::monthly_day, 2026_y / 12 / 15), "FREQ=MONTHLY;BYMONTHDAY=15");
}

TEST(Repeat, ExistingRulesAreRecognisedWhateverTheirEndOrOrder) {
  const auto first = 2026_y / 12 / 1;
  EXPECT_EQ(repeat_of("", first), repeat::once);
  EXPECT_EQ(repeat_of("BYDAY=1TU;FREQ=MONTHLY;COUNT=10", first), repeat::monthly_weekday);
  EXPECT_EQ(repeat_of("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL=20270601T000000Z", first),
            repeat::every_other_week);
  EXPECT_EQ(repeat_of("FREQ=WEEKLY;INTERVAL=1;BYDAY=TU;WKST=MO", first), repeat::weekly);
  EXPECT_EQ(repeat_of("freq=weekly;byday=tu;count=3", first), repeat::weekly);
  // The rule of another weekday, or a rule the form does not offer, is none of them.
  EXPECT_EQ(repeat_of("FREQ=WEEKLY;BYDAY=WE", first), std::nullopt);
  EXPECT_EQ(repeat_of("FREQ=DAILY", first), std::nullopt);
}

TEST(Repeat, FormValuesRoundTrip) {
  for (const auto r :
       {repeat::once, repeat::weekly, repeat::every_other_week, repeat::monthly_weekday,
        repeat::monthly_last_weekday, repeat::monthly_day}) {
    EXPECT_EQ(parse_repeat(repeat_id(r)), r);
  }
  EXPECT_EQ(parse_repeat("fortnightly"), std::nullopt);
}

TEST(Repeat, DescriptionsNameTheEnd) {
  const auto first = 2026_y / 12 / 1;
  EXPECT_EQ(describe_rule("FREQ=MONTHLY;BYDAY=1TU;COUNT=10", first, std::nullopt, language::de),
            "jeden ersten Dienstag im Monat, 10-mal");
  EXPECT_EQ(describe_rule("FREQ=WEEKLY;BYDAY=TU;UNTIL=20270629T170000Z", first,
                          date::local_days(2027_y / 6 / 29), language::en),
            "every Tuesday, until " + format_date(date::local_days(2027_y / 6 / 29), language::en));
  EXPECT_EQ(describe_rule("FREQ=DAILY;INTERVAL=3", first, std::nullopt, language::de),
            "regelmäßig");
}

// Imports and the API may bring rules that repeat within a day; the pages keep them as they
// are ("keep") and say what they do.
TEST(Repeat, SubDailyRulesAreSeveralTimesADay) {
  const auto first = 2026_y / 12 / 1;
  EXPECT_EQ(describe_rule("FREQ=HOURLY;INTERVAL=2;COUNT=5", first, std::nullopt, language::de),
            "mehrmals täglich, 5-mal");
  EXPECT_EQ(
      describe_rule("FREQ=MINUTELY;INTERVAL=30;BYHOUR=9,10", first, std::nullopt, language::en),
      "several times a day");
  EXPECT_EQ(describe_rule("FREQ=SECONDLY", first, std::nullopt, language::en),
            "several times a day");
  EXPECT_EQ(repeat_of("FREQ=HOURLY", first), std::nullopt);
}

}  // namespace
}  // namespace treffpunkt::web
