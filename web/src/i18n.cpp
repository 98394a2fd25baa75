#include <web/i18n.h>

#include <array>
#include <boost/algorithm/string/classification.hpp>  // is_any_of
#include <boost/algorithm/string/predicate.hpp>       // istarts_with
#include <boost/algorithm/string/trim.hpp>
#include <charconv>
#include <cstdio>
#include <locale>
#include <optional>

namespace treffpunkt::web {
namespace {

constexpr std::array<std::string_view, 7> de_weekdays_short = {"So", "Mo", "Di", "Mi",
                                                               "Do", "Fr", "Sa"};
constexpr std::array<std::string_view, 7> en_weekdays_short = {"Sun", "Mon", "Tue", "Wed",
                                                               "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> de_weekdays_long = {
    "Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"};
constexpr std::array<std::string_view, 7> en_weekdays_long = {
    "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
// Duden's abbreviations: the short months stay whole, the others get a full stop.
constexpr std::array<std::string_view, 12> de_months_short = {
    "Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez."};
constexpr std::array<std::string_view, 12> en_months_short = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 12> de_months_long = {
    "Januar", "Februar", "März",      "April",   "Mai",      "Juni",
    "Juli",   "August",  "September", "Oktober", "November", "Dezember"};
constexpr std::array<std::string_view, 12> en_months_long = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

/// `s` without the optional white space (space, tab) around it (RFC 9110 §5.6.3 OWS).
std::string_view trim(std::string_view s) {
  return boost::algorithm::trim_copy_if(s, boost::algorithm::is_any_of(" \t"));
}

/// The q-value of one Accept-Language entry's parameters (";q=0.8"), in thousandths.
int quality(std::string_view params) {
  while (!params.empty()) {
    const auto semicolon = params.find(';');
    const auto param = trim(params.substr(0, semicolon));
    if (boost::algorithm::istarts_with(param, std::string_view("q="), std::locale::classic())) {
      const auto value = param.substr(2);
      // qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )  (RFC 9110 §12.4.2)
      if (value.empty() || (value[0] != '0' && value[0] != '1')) return 0;
      int q = (value[0] - '0') * 1000;
      if (value.size() > 1) {
        if (value[1] != '.' || value.size() > 5) return 0;
        int scale = 100;
        for (const char c : value.substr(2)) {
          if (c < '0' || c > '9') return 0;
          q += (c - '0') * scale;
          scale /= 10;
        }
      }
      return q > 1000 ? 0 : q;
    }
    if (semicolon == std::string_view::npos) break;
    params.remove_prefix(semicolon + 1);
  }
  return 1000;
}

unsigned index_of(date::weekday day) { return day.c_encoding(); }

std::string two_digits(long value) {
  std::array<char, 8> out{};
  std::snprintf(out.data(), out.size(), "%02ld", value);
  return out.data();
}

std::string clock(calendar::local_seconds t) {
  const auto day = date::floor<date::days>(t);
  const date::hh_mm_ss time{t - day};
  return two_digits(time.hours().count()) + ":" + two_digits(time.minutes().count());
}

}  // namespace

language negotiate_language(std::string_view query_lang, std::string_view cookie_lang,
                            std::string_view accept_language) {
  if (const auto l = parse_language(query_lang)) return *l;
  if (const auto l = parse_language(cookie_lang)) return *l;
  std::optional<language> best;
  int best_q = 0;
  while (!accept_language.empty()) {
    const auto comma = accept_language.find(',');
    const auto entry = trim(accept_language.substr(0, comma));
    const auto semicolon = entry.find(';');
    const auto range = trim(entry.substr(0, semicolon));
    const int q = semicolon == std::string_view::npos ? 1000 : quality(entry.substr(semicolon + 1));
    if (const auto l = parse_language(range); l && q > best_q) {
      best = l;
      best_q = q;
    }
    if (comma == std::string_view::npos) break;
    accept_language.remove_prefix(comma + 1);
  }
  return best.value_or(language::de);
}

std::string format_date(date::local_days day, language l) {
  const date::year_month_day ymd{day};
  const auto wd = index_of(date::weekday{day});
  const auto month = static_cast<unsigned>(ymd.month()) - 1;
  const auto d = std::to_string(static_cast<unsigned>(ymd.day()));
  const auto y = std::to_string(static_cast<int>(ymd.year()));
  if (l == language::en) {
    return std::string(en_weekdays_short[wd]) + ", " + d + " " +
           std::string(en_months_short[month]) + " " + y;
  }
  return std::string(de_weekdays_short[wd]) + "., " + d + ". " +
         std::string(de_months_short[month]) + " " + y;
}

std::string format_date_time(calendar::local_seconds t, language l) {
  return format_date(date::floor<date::days>(t), l) + ", " + clock(t);
}

std::string format_span(calendar::local_seconds start, calendar::local_seconds end, bool all_day,
                        language l) {
  const auto first = date::floor<date::days>(start);
  if (all_day) {
    const auto last = date::floor<date::days>(end - std::chrono::seconds(1));
    if (last <= first) return format_date(first, l);
    return format_date(first, l) + " – " + format_date(last, l);
  }
  if (date::floor<date::days>(end) == first) {
    return format_date_time(start, l) + "–" + clock(end);
  }
  return format_date_time(start, l) + " – " + format_date_time(end, l);
}

std::string format_month(date::year_month month, language l) {
  const auto m = static_cast<unsigned>(month.month()) - 1;
  return std::string(l == language::en ? en_months_long[m] : de_months_long[m]) + " " +
         std::to_string(static_cast<int>(month.year()));
}

std::string_view weekday_short(date::weekday day, language l) {
  return l == language::en ? en_weekdays_short[index_of(day)] : de_weekdays_short[index_of(day)];
}

std::string_view weekday_long(date::weekday day, language l) {
  return l == language::en ? en_weekdays_long[index_of(day)] : de_weekdays_long[index_of(day)];
}

}  // namespace treffpunkt::web
