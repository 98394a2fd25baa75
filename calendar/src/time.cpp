#include <calendar/time.h>
#include <date/tz.h>

#include <algorithm>
#include <charconv>
#include <sstream>
#include <stdexcept>
#include <string>

namespace treffpunkt::calendar {
namespace {

/// Whether `text` has a digit wherever `shape` has a '0' and the same character elsewhere.
/// date::parse alone would also read "2026-2-3", "+2026-02-03" or "2026-+2-03".
bool has_shape(std::string_view text, std::string_view shape) {
  return text.size() == shape.size() &&
         std::equal(shape.begin(), shape.end(), text.begin(),
                    [](char s, char t) { return s == '0' ? t >= '0' && t <= '9' : s == t; });
}

/// `text` read whole by date::parse with `format`, which also checks that the date exists.
template <class T>
std::optional<T> parse_whole(std::string_view text, const char* format) {
  std::istringstream in{std::string(text)};
  T value{};
  in >> date::parse(format, value);
  if (!in || in.peek() != std::istringstream::traits_type::eof()) return std::nullopt;
  return value;
}

/// date::locate_zone for `name`, remembered per thread: pages and feeds convert thousands of
/// times in the same zone, and each lookup searched the zone list by name. The zones are never
/// reloaded, so a pointer stays valid; an unknown name throws as locate_zone does.
const date::time_zone* zone_named(std::string_view name) {
  thread_local std::string last_name;
  thread_local const date::time_zone* last = nullptr;
  if (last != nullptr && name == last_name) return last;
  const date::time_zone* found = date::locate_zone(name);
  last_name.assign(name);
  last = found;
  return found;
}

}  // namespace

bool is_known_zone(std::string_view name) {
  if (name.empty()) return false;
  try {
    (void)date::locate_zone(name);
    return true;
  } catch (const std::runtime_error&) {
    return false;
  }
}

utc_seconds to_utc(local_seconds local, std::string_view zone) {
  const date::time_zone* tz = zone_named(zone);
  // info.first is the offset for each kind of local time: the only one (unique), the first of
  // two for a repeated wall time (ambiguous), and the one from before the gap for a wall time
  // that does not exist (nonexistent, RFC 5545 §3.3.5).
  const date::local_info info = tz->get_info(local);
  return utc_seconds(local.time_since_epoch() - info.first.offset);
}

local_seconds to_local(utc_seconds instant, std::string_view zone) {
  const date::time_zone* tz = zone_named(zone);
  return tz->to_local(instant);
}

std::optional<date::year_month_day> parse_iso_date(std::string_view text) {
  if (!has_shape(text, "0000-00-00")) return std::nullopt;
  return parse_whole<date::year_month_day>(text, "%Y-%m-%d");
}

std::optional<date::year_month> parse_iso_month(std::string_view text) {
  if (!has_shape(text, "0000-00")) return std::nullopt;
  return parse_whole<date::year_month>(text, "%Y-%m");
}

std::optional<occurrence_key> occurrence_key::parse(std::string_view text) {
  auto number = [&](std::size_t pos, std::size_t len) -> std::optional<int> {
    int value = 0;
    const char* first = text.data() + pos;
    const char* last = first + len;
    for (const char* p = first; p != last; ++p) {
      if (*p < '0' || *p > '9') return std::nullopt;
    }
    std::from_chars(first, last, value);
    return value;
  };
  if (text.size() != 8 && text.size() != 16) return std::nullopt;
  const auto y = number(0, 4), m = number(4, 2), d = number(6, 2);
  if (!y || !m || !d) return std::nullopt;
  const date::year_month_day ymd{date::year{*y}, date::month{static_cast<unsigned>(*m)},
                                 date::day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return std::nullopt;
  const date::sys_days day{ymd};
  if (text.size() == 8) return all_day(day);
  if (text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  const auto hh = number(9, 2), mm = number(11, 2), ss = number(13, 2);
  if (!hh || !mm || !ss || *hh > 23 || *mm > 59 || *ss > 59) return std::nullopt;
  return timed(day + std::chrono::hours(*hh) + std::chrono::minutes(*mm) +
               std::chrono::seconds(*ss));
}

std::string occurrence_key::to_string() const {
  // By hand: date::format builds a stream (with its locale) per call, and every RSVP lookup
  // and occurrence link spells a key. The same digits for the years parse() reads.
  const auto day = date::floor<date::days>(instant_);
  const date::year_month_day ymd{day};
  const int y = static_cast<int>(ymd.year());
  if (y < 0 || y > 9999) {
    if (is_date_) return date::format("%Y%m%d", day);
    return date::format("%Y%m%dT%H%M%SZ", instant_);
  }
  std::string out(is_date_ ? 8 : 16, '0');
  const auto put = [&](std::size_t pos, std::size_t len, long value) {
    for (std::size_t i = pos + len; i-- > pos; value /= 10)
      out[i] = static_cast<char>('0' + value % 10);
  };
  put(0, 4, y);
  put(4, 2, static_cast<unsigned>(ymd.month()));
  put(6, 2, static_cast<unsigned>(ymd.day()));
  if (!is_date_) {
    const date::hh_mm_ss clock{instant_ - day};
    out[8] = 'T';
    put(9, 2, clock.hours().count());
    put(11, 2, clock.minutes().count());
    put(13, 2, clock.seconds().count());
    out[15] = 'Z';
  }
  return out;
}

}  // namespace treffpunkt::calendar
