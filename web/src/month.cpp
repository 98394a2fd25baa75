#include <calendar/time.h>  // parse_iso_month
#include <web/month.h>

#include <array>
#include <cstdio>

namespace treffpunkt::web {

std::vector<week> month_weeks(date::year_month month) {
  const date::local_days first{month / 1};
  const date::local_days last{month / date::last};
  // Back to the Monday on or before the first day.
  date::local_days day = first - (date::weekday{first} - date::Monday);
  std::vector<week> weeks;
  while (day <= last) {
    week w;
    for (auto& d : w) {
      d = date::year_month_day{day};
      day += date::days{1};
    }
    weeks.push_back(w);
  }
  return weeks;
}

std::optional<date::year_month> parse_month(std::string_view text) {
  return calendar::parse_iso_month(text);
}

std::string month_param(date::year_month month) {
  std::array<char, 16> out{};
  std::snprintf(out.data(), out.size(), "%04d-%02u", static_cast<int>(month.year()),
                static_cast<unsigned>(month.month()));
  return out.data();
}

}  // namespace treffpunkt::web
