#include <calendar/ical_writer.h>  // category_label
#include <calendar/time.h>
#include <gtest/gtest.h>
#include <web/i18n.h>

#include <string>
#include <type_traits>

#include "catalog.h"

namespace {

using namespace std::chrono_literals;
using namespace date::literals;
using treffpunkt::calendar::local_seconds;
using treffpunkt::web::language;
namespace web = treffpunkt::web;
namespace calendar = treffpunkt::calendar;

local_seconds local(date::year_month_day day, std::chrono::minutes time) {
  return local_seconds{date::local_days{day}} + time;
}

TEST(Format, GermanAndEnglishDateTime) {
  const auto t = local(2025_y / 12 / 2, 19h);
  EXPECT_EQ(web::format_date_time(t, language::de), "Di., 2. Dez. 2025, 19:00");
  EXPECT_EQ(web::format_date_time(t, language::en), "Tue, 2 Dec 2025, 19:00");
  EXPECT_EQ(web::format_date_time(local(2026_y / 3 / 9, 7h + 5min), language::de),
            "Mo., 9. März 2026, 07:05");
  EXPECT_EQ(web::format_date_time(local(2026_y / 9 / 13, 0min), language::de),
            "So., 13. Sept. 2026, 00:00");
}

TEST(Format, InstantsShowInTheEventsZoneAcrossDst) {
  // 17:00 UTC is 19:00 in Berlin on the day summer time starts, 18:00 UTC the same in winter.
  const auto summer = calendar::to_local(date::sys_days{2025_y / 3 / 30} + 17h, "Europe/Berlin");
  EXPECT_EQ(web::format_date_time(summer, language::de), "So., 30. März 2025, 19:00");
  const auto winter = calendar::to_local(date::sys_days{2025_y / 12 / 2} + 18h, "Europe/Berlin");
  EXPECT_EQ(web::format_date_time(winter, language::en), "Tue, 2 Dec 2025, 19:00");
}

TEST(Format, SpanShowsEndTimeOrEndDate) {
  EXPECT_EQ(web::format_span(local(2025_y / 12 / 2, 19h), local(2025_y / 12 / 2, 21h), false,
                             language::de),
            "Di., 2. Dez. 2025, 19:00–21:00");
  // Across the night summer time ends: the end is on the next day.
  EXPECT_EQ(web::format_span(local(2025_y / 10 / 25, 22h), local(2025_y / 10 / 26, 2h), false,
                             language::en),
            "Sat, 25 Oct 2025, 22:00 – Sun, 26 Oct 2025, 02:00");
}

TEST(Format, AllDayEventsHaveNoTime) {
  const auto day = local(2025_y / 12 / 6, 0min);
  EXPECT_EQ(web::format_span(day, day + date::days{1}, true, language::de), "Sa., 6. Dez. 2025");
  EXPECT_EQ(web::format_span(day, day + date::days{2}, true, language::en),
            "Sat, 6 Dec 2025 – Sun, 7 Dec 2025");
}

TEST(Format, MonthNamesAndWeekdays) {
  EXPECT_EQ(web::format_month(2025_y / 3, language::de), "März 2025");
  EXPECT_EQ(web::format_month(2025_y / 3, language::en), "March 2025");
  EXPECT_EQ(web::weekday_short(date::Monday, language::de), "Mo");
  EXPECT_EQ(web::weekday_long(date::Sunday, language::en), "Sunday");
}

static_assert(std::is_same_v<language, treffpunkt::calendar::language>, "one type, not two");

TEST(Language, WebNamesAreTheCalendarOnes) {
  EXPECT_EQ(web::tag(language::en), "en");
  EXPECT_EQ(web::parse_language("EN-gb"), language::en);
  EXPECT_EQ(web::parse_language("fr"), std::nullopt);
}

TEST(Language, QueryBeatsCookieBeatsAcceptLanguage) {
  EXPECT_EQ(web::negotiate_language("en", "de", "de"), language::en);
  EXPECT_EQ(web::negotiate_language("", "en", "de"), language::en);
  EXPECT_EQ(web::negotiate_language("fr", "", "en-GB,en;q=0.9"), language::en);
  EXPECT_EQ(web::negotiate_language("", "", ""), language::de);
}

TEST(Language, AcceptLanguageHonoursQValues) {
  EXPECT_EQ(web::negotiate_language("", "", "en-US,en;q=0.9,de;q=0.8"), language::en);
  EXPECT_EQ(web::negotiate_language("", "", "en;q=0.5, de;q=0.9"), language::de);
  EXPECT_EQ(web::negotiate_language("", "", "fr-FR, fr;q=0.9, en;q=0.8"), language::en);
  EXPECT_EQ(web::negotiate_language("", "", "fr, it"), language::de);
  EXPECT_EQ(web::negotiate_language("", "", "en;q=0, de;q=0.1"), language::de);
  EXPECT_EQ(web::negotiate_language("", "", "EN-gb"), language::en);
  EXPECT_EQ(web::negotiate_language("", "", "en;q=bogus"), language::de);
  EXPECT_EQ(web::negotiate_language("", "", "de-AT;q=0.7, en;q=0.7"), language::de);  // tie
}

TEST(Language, AcceptLanguageReadsQInAnyCaseAndSkipsOnlySpacesAndTabs) {
  EXPECT_EQ(web::negotiate_language("", "", "en;Q=0.5, de;q=0.9"), language::de);
  EXPECT_EQ(web::negotiate_language("", "", "de;q=0.5 ,\ten\t;\tq=0.9"), language::en);
  // Other white space is no OWS (RFC 9110 §5.6.3): the range is no language then.
  EXPECT_EQ(web::negotiate_language("", "", "de;q=0.5,\ren;q=0.9"), language::de);
  EXPECT_EQ(web::negotiate_language("", "",
                                    "de;q=0.5,\xC2\xA0"
                                    "en;q=0.9"),
            language::de);
}

TEST(Catalog, EveryMessageInBothLanguagesAndKeysUnique) {
  const auto all = web::detail::catalog();
  ASSERT_FALSE(all.empty());
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_FALSE(all[i].de.empty()) << all[i].key;
    EXPECT_FALSE(all[i].en.empty()) << all[i].key;
    for (std::size_t j = i + 1; j < all.size(); ++j) EXPECT_NE(all[i].key, all[j].key);
  }
}

TEST(Catalog, KindsHaveTheWordsOfTheFeedsCategories) {
  // A member sees the same word on the page and in their calendar app.
  using treffpunkt::calendar::category_label;
  using treffpunkt::calendar::event_kind;
  for (const language l : {language::de, language::en}) {
    EXPECT_EQ(web::detail::text(l, "kind_meeting"), category_label(event_kind::meeting, l));
    EXPECT_EQ(web::detail::text(l, "kind_exchange_offer"),
              category_label(event_kind::exchange_offer, l));
  }
}

TEST(Catalog, FillReplacesNamedSlots) {
  EXPECT_EQ(web::detail::fill("{left} of {capacity}", {{"left", "3"}, {"capacity", "20"}}),
            "3 of 20");
  EXPECT_EQ(web::detail::fill("{unknown} stays", {}), "{unknown} stays");
}

}  // namespace
