#include <web/repeat.h>

#include <algorithm>
#include <array>
#include <boost/algorithm/string/case_conv.hpp>
#include <charconv>
#include <locale>

namespace treffpunkt::web {
namespace {

constexpr std::array<std::string_view, 7> byday_names = {"SU", "MO", "TU", "WE", "TH", "FR", "SA"};

/// Which of its weekday in the month `day` is (1 for the first Tuesday), and whether it is
/// the last one.
unsigned nth_in_month(date::year_month_day day) { return (unsigned(day.day()) - 1) / 7 + 1; }
bool last_in_month(date::year_month_day day) {
  const auto next_week = date::year_month_day{date::sys_days(day) + date::days(7)};
  return next_week.month() != day.month();
}

std::string_view byday(date::year_month_day day) {
  return byday_names[date::weekday(date::sys_days(day)).c_encoding()];
}

/// The rule's parts other than COUNT, UNTIL and WKST, sorted: two rules with equal parts
/// repeat alike.
std::vector<std::string> pattern_parts(std::string_view rule) {
  std::vector<std::string> parts;
  while (!rule.empty()) {
    const auto semi = rule.find(';');
    std::string part(rule.substr(0, semi));
    boost::algorithm::to_upper(part, std::locale::classic());  // ASCII only
    if (!part.empty() && !part.starts_with("COUNT=") && !part.starts_with("UNTIL=") &&
        !part.starts_with("WKST=") && part != "INTERVAL=1") {
      parts.push_back(std::move(part));
    }
    if (semi == std::string_view::npos) break;
    rule.remove_prefix(semi + 1);
  }
  std::sort(parts.begin(), parts.end());
  return parts;
}

std::optional<int> count_of(std::string_view rule) {
  for (const auto& part : [&] {
         std::vector<std::string_view> all;
         while (!rule.empty()) {
           const auto semi = rule.find(';');
           all.push_back(rule.substr(0, semi));
           if (semi == std::string_view::npos) break;
           rule.remove_prefix(semi + 1);
         }
         return all;
       }()) {
    if (!part.starts_with("COUNT=")) continue;
    int n = 0;
    const auto digits = part.substr(6);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec == std::errc{} && end == digits.data() + digits.size()) return n;
  }
  return std::nullopt;
}

std::string ordinal_de(unsigned n) {
  static constexpr std::array<std::string_view, 4> words = {"ersten", "zweiten", "dritten",
                                                            "vierten"};
  return std::string(words.at(n - 1));
}

std::string ordinal_en(unsigned n) {
  static constexpr std::array<std::string_view, 4> words = {"first", "second", "third", "fourth"};
  return std::string(words.at(n - 1));
}

std::string day_ordinal_en(unsigned d) {
  const unsigned tens = d % 100 / 10;
  std::string_view suffix = "th";
  if (tens != 1) {
    if (d % 10 == 1) suffix = "st";
    if (d % 10 == 2) suffix = "nd";
    if (d % 10 == 3) suffix = "rd";
  }
  return std::to_string(d) + std::string(suffix);
}

std::string label(repeat r, date::year_month_day first, language l) {
  const date::weekday wd{date::sys_days(first)};
  const std::string day_name(weekday_long(wd, l));
  const bool de = l == language::de;
  switch (r) {
    case repeat::once:
      return de ? "einmalig" : "once";
    case repeat::weekly:
      return (de ? "jeden " : "every ") + day_name;
    case repeat::every_other_week:
      return (de ? "jeden zweiten " : "every other ") + day_name;
    case repeat::monthly_weekday:
      return de ? "jeden " + ordinal_de(nth_in_month(first)) + " " + day_name + " im Monat"
                : "every " + ordinal_en(nth_in_month(first)) + " " + day_name + " of the month";
    case repeat::monthly_last_weekday:
      return de ? "jeden letzten " + day_name + " im Monat"
                : "every last " + day_name + " of the month";
    case repeat::monthly_day:
      return de ? "jeden Monat am " + std::to_string(unsigned(first.day())) + "."
                : "every month on the " + day_ordinal_en(unsigned(first.day()));
  }
  return {};
}

}  // namespace

std::string_view repeat_id(repeat r) {
  switch (r) {
    case repeat::once:
      return "once";
    case repeat::weekly:
      return "weekly";
    case repeat::every_other_week:
      return "every_other_week";
    case repeat::monthly_weekday:
      return "monthly_weekday";
    case repeat::monthly_last_weekday:
      return "monthly_last_weekday";
    case repeat::monthly_day:
      return "monthly_day";
  }
  return "once";
}

std::optional<repeat> parse_repeat(std::string_view id) {
  for (const auto r :
       {repeat::once, repeat::weekly, repeat::every_other_week, repeat::monthly_weekday,
        repeat::monthly_last_weekday, repeat::monthly_day}) {
    if (repeat_id(r) == id) return r;
  }
  return std::nullopt;
}

std::vector<repeat_choice> repeat_choices(date::year_month_day first, language l) {
  std::vector<repeat_choice> out;
  for (const auto r : {repeat::once, repeat::weekly, repeat::every_other_week}) {
    out.push_back({r, label(r, first, l)});
  }
  if (nth_in_month(first) <= 4) {
    out.push_back({repeat::monthly_weekday, label(repeat::monthly_weekday, first, l)});
  }
  if (last_in_month(first)) {
    out.push_back({repeat::monthly_last_weekday, label(repeat::monthly_last_weekday, first, l)});
  }
  if (unsigned(first.day()) <= 28) {
    out.push_back({repeat::monthly_day, label(repeat::monthly_day, first, l)});
  }
  return out;
}

std::string rrule_for(repeat r, date::year_month_day first) {
  const std::string day(byday(first));
  switch (r) {
    case repeat::once:
      return {};
    case repeat::weekly:
      return "FREQ=WEEKLY;BYDAY=" + day;
    case repeat::every_other_week:
      return "FREQ=WEEKLY;INTERVAL=2;BYDAY=" + day;
    case repeat::monthly_weekday:
      return "FREQ=MONTHLY;BYDAY=" + std::to_string(nth_in_month(first)) + day;
    case repeat::monthly_last_weekday:
      return "FREQ=MONTHLY;BYDAY=-1" + day;
    case repeat::monthly_day:
      return "FREQ=MONTHLY;BYMONTHDAY=" + std::to_string(unsigned(first.day()));
  }
  return {};
}

std::optional<repeat> repeat_of(std::string_view rrule, date::year_month_day first) {
  if (rrule.empty()) return repeat::once;
  const auto parts = pattern_parts(rrule);
  for (const auto& choice : repeat_choices(first, language::de)) {
    if (choice.kind != repeat::once && pattern_parts(rrule_for(choice.kind, first)) == parts) {
      return choice.kind;
    }
  }
  return std::nullopt;
}

std::string describe_rule(std::string_view rrule, date::year_month_day first,
                          std::optional<date::local_days> last_day, language l) {
  const bool de = l == language::de;
  const auto kind = repeat_of(rrule, first);
  std::string out = kind ? label(*kind, first, l) : (de ? "regelmäßig" : "repeating");
  // An imported or API rule that repeats within a day (the pages offer none): said as such,
  // so that a series of many occurrences a day is no surprise.
  const auto parts = pattern_parts(rrule);
  if (std::any_of(parts.begin(), parts.end(), [](const std::string& p) {
        return p == "FREQ=HOURLY" || p == "FREQ=MINUTELY" || p == "FREQ=SECONDLY";
      })) {
    out = de ? "mehrmals täglich" : "several times a day";
  }
  if (kind == repeat::once) return out;
  if (last_day) {
    out += (de ? ", bis " : ", until ") + format_date(*last_day, l);
  } else if (const auto n = count_of(rrule)) {
    out += ", " + std::to_string(*n) + (de ? "-mal" : (*n == 1 ? " time" : " times"));
  }
  return out;
}

}  // namespace treffpunkt::web
