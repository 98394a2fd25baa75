#pragma once
/// The grid of a month view: whole weeks, Monday first (as calendars in Germany show them).

#include <date/date.h>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace treffpunkt::web {

using week = std::array<date::year_month_day, 7>;

/// The weeks that hold a day of `month`, Monday to Sunday; the first and last week include
/// days of the neighbouring months (4 to 6 weeks in all).
std::vector<week> month_weeks(date::year_month month);

/// "2025-12" as in `?month=`; none unless exactly YYYY-MM with a month 01..12.
std::optional<date::year_month> parse_month(std::string_view text);

/// "2025-12".
std::string month_param(date::year_month month);

}  // namespace treffpunkt::web
