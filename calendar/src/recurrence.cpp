#include <calendar/recurrence.h>
#include <libical/ical.h>

#include <algorithm>
#include <array>
#include <boost/algorithm/string/case_conv.hpp>
#include <charconv>
#include <cstdint>
#include <locale>
#include <memory>
#include <utility>

namespace treffpunkt::calendar {
namespace {

constexpr int max_interval = 1000;
constexpr int max_count = 10000;

error rule_error(errc code, std::string message) {
  return error{code, "rrule", std::move(message)};
}

/// A strict decimal integer with an optional sign ("3x" and "" are not numbers, unlike for
/// libical, which reads "COUNT=3x" as 3). Out-of-range values saturate so that the caller can
/// still report them as out of bounds.
std::optional<std::int64_t> read_integer(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ptr != text.data() + text.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) {
    return text.front() == '-' ? INT64_MIN : INT64_MAX;
  }
  if (ec != std::errc{}) return std::nullopt;
  return value;
}

/// `text` in upper case, ASCII letters only (the classic locale, whatever the global one is).
std::string upper(std::string_view text) {
  std::string out(text);
  boost::algorithm::to_upper(out, std::locale::classic());
  return out;
}

/// Whether `value` is a BYDAY list as RFC 5545 §3.3.10 has it: weekdays, each with an
/// optional ordinal from -53 to 53 (not 0). libical reads larger ordinals and writes them back
/// as something else (BYDAY=128FR), so the rule would not read back as itself.
bool valid_byday(std::string_view value) {
  static constexpr std::array<std::string_view, 7> days{"SU", "MO", "TU", "WE", "TH", "FR", "SA"};
  while (true) {
    const auto comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    if (item.size() < 2) return false;
    const std::string day = upper(item.substr(item.size() - 2));
    if (std::find(days.begin(), days.end(), day) == days.end()) return false;
    item.remove_suffix(2);
    if (!item.empty() && (item.front() == '+' || item.front() == '-')) item.remove_prefix(1);
    if (!item.empty()) {
      if (item.size() > 2) return false;
      const auto n = read_integer(item);
      if (!n || *n < 1 || *n > 53) return false;
    }
    if (comma == std::string_view::npos) return true;
    value.remove_prefix(comma + 1);
  }
}

/// What the raw text says about the parts that libical reads too leniently (COUNT, INTERVAL,
/// BYDAY) or accepts together although RFC 5545 §3.3.10 forbids it (COUNT with UNTIL).
struct raw_parts {
  std::optional<std::string_view> count;
  std::optional<std::string_view> interval;
  bool has_until = false;
};

/// The rule part before the next ';' of `text` ("BYDAY=TU"), taken off `text`.
std::string_view next_part(std::string_view& text) {
  const std::size_t semicolon = text.find(';');
  const std::string_view part = text.substr(0, semicolon);
  text = semicolon == std::string_view::npos ? std::string_view{} : text.substr(semicolon + 1);
  return part;
}

result<raw_parts> scan(std::string_view text) {
  raw_parts parts;
  while (!text.empty()) {
    const std::string_view part = next_part(text);
    if (part.empty()) continue;
    const std::size_t equals = part.find('=');
    if (equals == std::string_view::npos) {
      return rule_error(errc::bad_rule, "rule part without '=': " + std::string(part));
    }
    const std::string name = upper(part.substr(0, equals));
    const std::string_view value = part.substr(equals + 1);
    if (name == "COUNT") parts.count = value;
    if (name == "INTERVAL") parts.interval = value;
    if (name == "UNTIL") parts.has_until = true;
    if (name == "BYDAY" && !valid_byday(value)) {
      return rule_error(errc::bad_rule,
                        "BYDAY wants weekdays (MO, TU, ...), each with an optional number from "
                        "-53 to 53: " +
                            std::string(value));
    }
  }
  return parts;
}

/// One BY list: comma-separated integers, each in [lo, hi], 0 excluded when `no_zero`
/// (negative values count from the end where RFC 5545 allows them, so lo is then -hi).
result<std::vector<int>> read_list(std::string_view name, std::string_view value, int lo, int hi,
                                   bool no_zero) {
  std::vector<int> out;
  while (true) {
    const auto comma = value.find(',');
    const auto n = read_integer(value.substr(0, comma));
    if (!n || *n < lo || *n > hi || (no_zero && *n == 0)) {
      std::string range = std::to_string(lo) + " to " + std::to_string(hi);
      if (lo < 0) range = "1 to " + std::to_string(hi) + " or -" + std::to_string(hi) + " to -1";
      return rule_error(errc::bad_rule, std::string(name) + " wants numbers from " + range + ": " +
                                            std::string(value.substr(0, comma)));
    }
    out.push_back(static_cast<int>(*n));
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::optional<int> weekday_index(std::string_view two) {
  static constexpr std::array<std::string_view, 7> days{"MO", "TU", "WE", "TH", "FR", "SA", "SU"};
  const std::string day = upper(two);
  const auto it = std::find(days.begin(), days.end(), day);
  if (it == days.end()) return std::nullopt;
  return static_cast<int>(it - days.begin());
}

/// The BY parts and WKST of `text` (checked by `valid_byday` for BYDAY already), with their
/// ranges checked as RFC 5545 §3.3.10 gives them. BYSECOND=60 (a leap second) is accepted
/// and never occurs, as no wall clock shows it.
result<rule_parts> read_parts(std::string_view text) {
  rule_parts parts;
  while (!text.empty()) {
    const std::string_view part = next_part(text);
    const std::size_t equals = part.find('=');
    if (equals == std::string_view::npos) continue;
    const std::string name = upper(part.substr(0, equals));
    const std::string_view value = part.substr(equals + 1);
    auto list = [&](std::vector<int>& into, int lo, int hi, bool no_zero) -> result<void> {
      auto r = read_list(name, value, lo, hi, no_zero);
      if (!r) return r.error();
      into = std::move(*r);
      return {};
    };
    result<void> ok;
    if (name == "BYSECOND") ok = list(parts.by_second, 0, 60, false);
    if (name == "BYMINUTE") ok = list(parts.by_minute, 0, 59, false);
    if (name == "BYHOUR") ok = list(parts.by_hour, 0, 23, false);
    if (name == "BYMONTHDAY") ok = list(parts.by_month_day, -31, 31, true);
    if (name == "BYYEARDAY") ok = list(parts.by_year_day, -366, 366, true);
    if (name == "BYWEEKNO") ok = list(parts.by_week_no, -53, 53, true);
    if (name == "BYMONTH") ok = list(parts.by_month, 1, 12, true);
    if (name == "BYSETPOS") ok = list(parts.by_set_pos, -366, 366, true);
    if (!ok) return ok.error();
    if (name == "WKST") {
      const auto day = value.size() == 2 ? weekday_index(value) : std::nullopt;
      if (!day) return rule_error(errc::bad_rule, "WKST wants a weekday (MO, TU, ...)");
      parts.wkst = *day;
    }
    if (name == "BYDAY") {
      std::string_view rest = value;
      while (!rest.empty()) {
        const auto comma = rest.find(',');
        std::string_view item = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        if (item.size() < 2) continue;
        const auto day = weekday_index(item.substr(item.size() - 2));
        item.remove_suffix(2);
        const auto n = item.empty() ? std::optional<std::int64_t>(0) : read_integer(item);
        if (day && n) parts.by_day.emplace_back(*day, static_cast<int>(*n));
      }
      std::sort(parts.by_day.begin(), parts.by_day.end());
      parts.by_day.erase(std::unique(parts.by_day.begin(), parts.by_day.end()), parts.by_day.end());
    }
  }
  return parts;
}

/// The combinations RFC 5545 §3.3.10 forbids. Clients expand them each in their own way
/// (dateutil filters by BYWEEKNO in any FREQ, drops a BYDAY ordinal below MONTHLY, ...), so a
/// member's app would show other dates than ours: refused, with the RFC's sentence.
result<void> check_combination(frequency freq, const rule_parts& parts) {
  const bool yearly = freq == frequency::yearly;
  const bool monthly = freq == frequency::monthly;
  const bool ordinal = std::any_of(parts.by_day.begin(), parts.by_day.end(),
                                   [](const auto& day) { return day.second != 0; });
  if (!parts.by_week_no.empty() && !yearly) {
    return rule_error(errc::bad_rule, "BYWEEKNO is only allowed with FREQ=YEARLY (RFC 5545)");
  }
  if (!parts.by_year_day.empty() &&
      (freq == frequency::daily || freq == frequency::weekly || monthly)) {
    return rule_error(errc::bad_rule,
                      "BYYEARDAY is not allowed with FREQ=DAILY, WEEKLY or MONTHLY (RFC 5545)");
  }
  if (!parts.by_month_day.empty() && freq == frequency::weekly) {
    return rule_error(errc::bad_rule, "BYMONTHDAY is not allowed with FREQ=WEEKLY (RFC 5545)");
  }
  if (ordinal && !yearly && !monthly) {
    return rule_error(errc::bad_rule,
                      "BYDAY with a number (1MO, -1FR) is only allowed with FREQ=MONTHLY or "
                      "YEARLY (RFC 5545)");
  }
  if (ordinal && !parts.by_week_no.empty()) {
    return rule_error(errc::bad_rule,
                      "BYDAY with a number (1MO, -1FR) is not allowed together with BYWEEKNO "
                      "(RFC 5545)");
  }
  if (!parts.by_set_pos.empty() && parts.by_second.empty() && parts.by_minute.empty() &&
      parts.by_hour.empty() && parts.by_day.empty() && parts.by_month_day.empty() &&
      parts.by_year_day.empty() && parts.by_week_no.empty() && parts.by_month.empty()) {
    return rule_error(errc::bad_rule,
                      "BYSETPOS needs another BY part (BYDAY, BYMONTHDAY, ...) to pick from "
                      "(RFC 5545)");
  }
  return {};
}

struct ical_string_deleter {
  void operator()(char* p) const { icalmemory_free_buffer(p); }
};

/// UNTIL as libical read it, as an instant. A DATE is the end of that date (inclusive), so
/// that `until()` covers every occurrence on it.
std::optional<utc_seconds> until_instant(const icaltimetype& t) {
  if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > 31) return std::nullopt;
  const date::year_month_day ymd{date::year{t.year}, date::month{static_cast<unsigned>(t.month)},
                                 date::day{static_cast<unsigned>(t.day)}};
  if (!ymd.ok()) return std::nullopt;
  const date::sys_days day{ymd};
  if (t.is_date) return utc_seconds(day) + std::chrono::hours(24) - std::chrono::seconds(1);
  if (t.hour < 0 || t.hour > 23 || t.minute < 0 || t.minute > 59 || t.second < 0 || t.second > 60) {
    return std::nullopt;
  }
  return utc_seconds(day) + std::chrono::hours(t.hour) + std::chrono::minutes(t.minute) +
         std::chrono::seconds(t.second);
}

/// The libical form of a rule this class already accepted.
icalrecurrencetype ical_of(const std::string& text) {
  return icalrecurrencetype_from_string(text.c_str());
}

std::string text_of(icalrecurrencetype& rule) {
  const std::unique_ptr<char, ical_string_deleter> text(icalrecurrencetype_as_string_r(&rule));
  return text ? std::string(text.get()) : std::string();
}

}  // namespace

result<recurrence_rule> recurrence_rule::parse(std::string_view text) { return read(text, true); }

result<recurrence_rule> recurrence_rule::parse_stored(std::string_view text) {
  return read(text, false);
}

result<recurrence_rule> recurrence_rule::read(std::string_view text, bool strict) {
  if (text.empty()) return rule_error(errc::bad_rule, "empty recurrence rule");
  // libical reads a C string: anything after a NUL would be silently dropped.
  if (text.find('\0') != std::string_view::npos) {
    return rule_error(errc::bad_rule, "recurrence rule contains a NUL character");
  }

  auto parts = scan(text);
  if (!parts) return parts.error();
  // RFC 5545 §3.3.10: "The UNTIL or COUNT rule parts are OPTIONAL, but they MUST NOT occur in
  // the same 'recur'." Checked on the raw text because some libical versions accept both.
  if (parts->count && parts->has_until) {
    return rule_error(errc::count_and_until, "a rule cannot have both COUNT and UNTIL");
  }
  if (parts->count) {
    const auto n = read_integer(*parts->count);
    if (!n) return rule_error(errc::bad_rule, "COUNT is not a number");
    if (*n < 1 || *n > max_count) {
      return rule_error(errc::out_of_bounds, "COUNT must be between 1 and 10000");
    }
  }
  if (parts->interval) {
    // libical stores INTERVAL in a short: 70000 would silently become 4464.
    const auto n = read_integer(*parts->interval);
    if (!n) return rule_error(errc::bad_rule, "INTERVAL is not a number");
    if (*n < 1 || *n > max_interval) {
      return rule_error(errc::out_of_bounds, "INTERVAL must be between 1 and 1000");
    }
  }

  // Ranges first, on the text as given, so that a value out of range gets its own message
  // rather than libical's silent refusal (or, for BYWEEKNO=54, its silent acceptance).
  if (auto checked = read_parts(text); !checked) return checked.error();

  const std::string copy(text);
  icalrecurrencetype ical = icalrecurrencetype_from_string(copy.c_str());
  if (ical.rscale != nullptr) {
    // RFC 7529 calendars other than Gregorian: no meeting needs them and not all clients
    // expand them.
    icalmemory_free_buffer(ical.rscale);
    return rule_error(errc::bad_rule, "RSCALE is not supported");
  }
  recurrence_rule rule;
  switch (ical.freq) {
    case ICAL_DAILY_RECURRENCE:
      rule.freq_ = frequency::daily;
      break;
    case ICAL_WEEKLY_RECURRENCE:
      rule.freq_ = frequency::weekly;
      break;
    case ICAL_MONTHLY_RECURRENCE:
      rule.freq_ = frequency::monthly;
      break;
    case ICAL_YEARLY_RECURRENCE:
      rule.freq_ = frequency::yearly;
      break;
    case ICAL_SECONDLY_RECURRENCE:
      rule.freq_ = frequency::secondly;
      break;
    case ICAL_MINUTELY_RECURRENCE:
      rule.freq_ = frequency::minutely;
      break;
    case ICAL_HOURLY_RECURRENCE:
      rule.freq_ = frequency::hourly;
      break;
    case ICAL_NO_RECURRENCE:
    default:
      return rule_error(errc::bad_rule, "not a valid recurrence rule");
  }
  rule.interval_ = ical.interval;
  if (ical.count > 0) rule.count_ = ical.count;
  if (!icaltime_is_null_time(ical.until)) {
    // RFC 5545 §3.3.10: UNTIL has the value type of DTSTART; with a zoned DTSTART it MUST be
    // in UTC, with a floating one it MUST be floating. A rule alone does not know its DTSTART:
    // a floating UNTIL is kept as such here, and `validate(const event&)` refuses it for an
    // event (always zoned; whoever reads a file converts it first).
    rule.until_ = until_instant(ical.until);
    if (!rule.until_) return rule_error(errc::bad_rule, "UNTIL is not a valid date");
    rule.until_is_date_ = ical.until.is_date != 0;
    rule.until_is_floating_ = !ical.until.is_date && !icaltime_is_utc(ical.until);
  }
  rule.text_ = text_of(ical);
  if (rule.text_.empty()) return rule_error(errc::bad_rule, "not a valid recurrence rule");
  // The parts expanded are the canonical text's, so that the server expands what feeds say.
  auto parts_of_text = read_parts(rule.text_);
  if (!parts_of_text) return parts_of_text.error();
  rule.parts_ = std::move(*parts_of_text);
  if (strict) {
    if (auto allowed = check_combination(rule.freq_, rule.parts_); !allowed) return allowed.error();
  }
  return rule;
}

recurrence_rule recurrence_rule::with_until(utc_seconds last, bool as_date) const {
  icalrecurrencetype ical = ical_of(text_);
  ical.count = 0;
  const auto day = date::floor<date::days>(last);
  const date::year_month_day ymd{day};
  icaltimetype until = icaltime_null_time();
  until.year = static_cast<int>(ymd.year());
  until.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  until.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  if (as_date) {
    until.is_date = 1;
  } else {
    const date::hh_mm_ss hms{last - day};
    until.hour = static_cast<int>(hms.hours().count());
    until.minute = static_cast<int>(hms.minutes().count());
    until.second = static_cast<int>(hms.seconds().count());
    until.zone = icaltimezone_get_utc_timezone();
  }
  ical.until = until;
  // Re-parsing keeps one path that sets every field; the text is ours, so it cannot fail.
  return parse_stored(text_of(ical)).value();
}

recurrence_rule recurrence_rule::with_count(int n) const {
  icalrecurrencetype ical = ical_of(text_);
  ical.until = icaltime_null_time();
  ical.count = n;
  return parse_stored(text_of(ical)).value();
}

}  // namespace treffpunkt::calendar
