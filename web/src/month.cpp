#include <web/month.h>

#include <charconv>
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
  if (text.size() != 7 || text[4] != '-') return std::nullopt;
  for (const std::size_t i : {0U, 1U, 2U, 3U, 5U, 6U}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  int year = 0;
  unsigned month = 0;
  const auto* y_end = text.data() + 4;
  if (auto [p, ec] = std::from_chars(text.data(), y_end, year); ec != std::errc{} || p != y_end) {
    return std::nullopt;
  }
  const auto* m_end = text.data() + 7;
  if (auto [p, ec] = std::from_chars(text.data() + 5, m_end, month);
      ec != std::errc{} || p != m_end) {
    return std::nullopt;
  }
  if (month < 1 || month > 12) return std::nullopt;
  return date::year{year} / date::month{month};
}

std::string month_param(date::year_month month) {
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02u", static_cast<int>(month.year()),
                static_cast<unsigned>(month.month()));
  return out;
}

}  // namespace treffpunkt::web
