#include "vtimezone.h"

#include <date/date.h>
#include <date/tz.h>

#include <array>
#include <chrono>
#include <map>
#include <mutex>
#include <vector>

namespace treffpunkt::calendar::detail {
namespace {

using std::chrono::seconds;

/// How many years after the reference year a derived RRULE must predict exactly. Fourteen
/// years see every weekday on every day of a month at least once, which tells "last Sunday"
/// from "fourth Sunday" and "Friday on or after the 23rd" from "on or after the 24th".
constexpr int years_checked = 14;

/// One change of UTC offset, in the local time of the offset before it: RFC 5545 §3.6.5 says
/// an observance's DTSTART is local time in TZOFFSETFROM.
struct transition {
  date::local_seconds local;
  seconds from{};
  seconds to{};
  std::string abbrev;  ///< of the offset in force after the change (TZNAME)
};

/// The offset changes of `tz` within `year`. A change of abbreviation alone is no transition:
/// VTIMEZONE only has to get the offsets right.
std::vector<transition> transitions_in(const date::time_zone& tz, int year) {
  using namespace date;
  const sys_seconds first{sys_days{date::year{year} / January / 1}};
  const sys_seconds last{sys_days{date::year{year + 1} / January / 1}};
  std::vector<transition> out;
  sys_info info = tz.get_info(first);
  while (info.end < last) {
    sys_info next = tz.get_info(info.end);
    if (next.offset != info.offset) {
      out.push_back({local_seconds{info.end.time_since_epoch() + info.offset}, info.offset,
                     next.offset, next.abbrev});
    }
    info = std::move(next);
  }
  return out;
}

/// An annual rule as RRULE can say it: the nth (or last, n = -1) weekday of a month, or the
/// first weekday on or after a day of the month (BYDAY with a seven-day BYMONTHDAY list, the
/// form of RFC 5545 §3.6.5's examples for rules like tzdata's "Fri>=23").
struct yearly_rule {
  unsigned month = 1;
  date::weekday weekday;
  int nth = 0;               ///< 1..4 or -1 (last); 0 when on_or_after is used
  unsigned on_or_after = 0;  ///< first day of the seven-day window

  date::local_days in_year(int year) const {
    using namespace date;
    const date::year y{year};
    const date::month m{month};
    if (nth == -1) return local_days{year_month_weekday_last{y, m, weekday_last{weekday}}};
    if (nth > 0) {
      return local_days{year_month_weekday{y, m, weekday_indexed{weekday, unsigned(nth)}}};
    }
    const local_days from{y / m / day{on_or_after}};
    return from + (weekday - date::weekday{from});
  }
};

constexpr std::array<std::string_view, 7> weekday_names{"SU", "MO", "TU", "WE", "TH", "FR", "SA"};

/// Rules that put a transition on `day`, most common form first; which of them is the real
/// one only later years can tell.
std::vector<yearly_rule> candidate_rules(date::local_days day) {
  using namespace date;
  const year_month_day ymd{day};
  const unsigned month = unsigned(ymd.month());
  const unsigned d = unsigned(ymd.day());
  const unsigned month_length =
      unsigned(year_month_day_last{ymd.year() / ymd.month() / last}.day());
  const date::weekday wd{day};
  std::vector<yearly_rule> out;
  if (d + 7 > month_length) out.push_back({month, wd, -1, 0});
  if (d <= 28) out.push_back({month, wd, int((d - 1) / 7 + 1), 0});
  for (unsigned k = d >= 7 ? d - 6 : 1; k <= d && k + 6 <= month_length; ++k) {
    out.push_back({month, wd, 0, k});
  }
  return out;
}

void append_two(std::string& out, unsigned v) {
  out += char('0' + v / 10 % 10);
  out += char('0' + v % 10);
}

/// "19700329T020000": a DATE-TIME in local time (RFC 5545 §3.3.5 form 2 without TZID).
void append_local(std::string& out, date::local_seconds t) {
  const auto day = date::floor<date::days>(t);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss<seconds> tod{t - day};
  const int y = int(ymd.year());
  append_two(out, unsigned(y / 100));
  append_two(out, unsigned(y % 100));
  append_two(out, unsigned(ymd.month()));
  append_two(out, unsigned(ymd.day()));
  out += 'T';
  append_two(out, unsigned(tod.hours().count()));
  append_two(out, unsigned(tod.minutes().count()));
  append_two(out, unsigned(tod.seconds().count()));
}

/// "+0100", "-0330", "+051545": UTC-OFFSET of RFC 5545 §3.3.14 ("-0000" is not allowed).
void append_offset(std::string& out, seconds offset) {
  out += offset < seconds{0} ? '-' : '+';
  const auto a = unsigned(offset < seconds{0} ? -offset.count() : offset.count());
  append_two(out, a / 3600);
  append_two(out, a / 60 % 60);
  if (a % 60 != 0) append_two(out, a % 60);
}

void append_observance_head(std::string& out, bool daylight, const transition& t) {
  out += daylight ? "BEGIN:DAYLIGHT\r\n" : "BEGIN:STANDARD\r\n";
  out += "TZOFFSETFROM:";
  append_offset(out, t.from);
  out += "\r\nTZOFFSETTO:";
  append_offset(out, t.to);
  out += "\r\nTZNAME:";
  out += t.abbrev;
  out += "\r\n";
}

/// One DAYLIGHT or STANDARD for `t`, a transition of the reference year. `later[i]` are the
/// transitions of the year reference + 1 + i, against which a candidate rule is checked.
void append_observance(std::string& out, bool daylight, const transition& t,
                       const std::vector<std::vector<transition>>& later) {
  const auto day = date::floor<date::days>(t.local);
  const auto time_of_day = t.local - day;

  // The same change (same offsets) in each later year, until the zone stops making it.
  std::vector<date::local_seconds> expected;
  for (const auto& year : later) {
    const transition* match = nullptr;
    for (const auto& u : year) {
      if (u.from == t.from && u.to == t.to) {
        match = &u;
        break;
      }
    }
    if (match == nullptr) break;
    expected.push_back(match->local);
  }

  for (const yearly_rule& rule : candidate_rules(day)) {
    bool fits = true;
    for (std::size_t i = 0; i < expected.size() && fits; ++i) {
      const int year = vtimezone_reference_year + 1 + int(i);
      fits = rule.in_year(year) + time_of_day == expected[i];
    }
    if (!fits) continue;
    append_observance_head(out, daylight, t);
    // DTSTART is the rule's first onset in 1970, so that DTSTART is itself an instance of
    // the RRULE (RFC 5545 §3.8.5.3) and every date a feed can hold is covered.
    out += "DTSTART:";
    append_local(out, rule.in_year(1970) + time_of_day);
    out += "\r\nRRULE:FREQ=YEARLY;BYMONTH=";
    out += std::to_string(rule.month);
    out += ";BYDAY=";
    if (rule.nth != 0) out += std::to_string(rule.nth);
    out += weekday_names[rule.weekday.c_encoding()];
    if (rule.nth == 0) {
      out += ";BYMONTHDAY=";
      for (unsigned k = rule.on_or_after; k < rule.on_or_after + 7; ++k) {
        if (k != rule.on_or_after) out += ',';
        out += std::to_string(k);
      }
    }
    out += daylight ? "\r\nEND:DAYLIGHT\r\n" : "\r\nEND:STANDARD\r\n";
    return;
  }

  // No weekday rule predicts the dates (Morocco's Ramadan changes, say): list the onsets
  // themselves, from the reference year on, as RDATEs (RFC 5545 §3.6.5 allows either).
  append_observance_head(out, daylight, t);
  out += "DTSTART:";
  append_local(out, t.local);
  out += "\r\n";
  for (const auto& onset : expected) {
    out += "RDATE:";
    append_local(out, onset);
    out += "\r\n";
  }
  out += daylight ? "END:DAYLIGHT\r\n" : "END:STANDARD\r\n";
}

std::string build(std::string_view zone) {
  const date::time_zone* tz = date::locate_zone(zone);
  std::string out;
  out.reserve(640);
  out += "BEGIN:VTIMEZONE\r\nTZID:";
  out += zone;
  // libical and Thunderbird look for the IANA name here as well.
  out += "\r\nX-LIC-LOCATION:";
  out += zone;
  out += "\r\n";

  const std::vector<transition> changes = transitions_in(*tz, vtimezone_reference_year);
  if (changes.size() == 2 && changes[0].to == changes[1].from && changes[1].to == changes[0].from) {
    std::vector<std::vector<transition>> later;
    later.reserve(years_checked);
    for (int i = 1; i <= years_checked; ++i) {
      later.push_back(transitions_in(*tz, vtimezone_reference_year + i));
    }
    // The observance with the larger offset is DAYLIGHT, whatever tzdata's save says (it
    // models Irish winter time as a negative DST; clients expect summer to be DAYLIGHT).
    // DAYLIGHT first, so southern and northern zones read alike.
    const std::size_t summer = changes[0].to > changes[0].from ? 0 : 1;
    append_observance(out, true, changes[summer], later);
    append_observance(out, false, changes[1 - summer], later);
  } else {
    // No daylight saving time (or a zone changing for good): the offset in force at the end
    // of the reference year, from 1970 on.
    const date::sys_info info = tz->get_info(
        date::sys_days{date::year{vtimezone_reference_year + 1} / date::January / 1} - seconds{1});
    const transition standing{date::local_seconds{}, info.offset, info.offset, info.abbrev};
    append_observance_head(out, false, standing);
    out += "DTSTART:19700101T000000\r\nEND:STANDARD\r\n";
  }
  out += "END:VTIMEZONE\r\n";
  return out;
}

}  // namespace

const std::string& vtimezone(std::string_view zone) {
  static std::mutex mutex;
  static std::map<std::string, std::string, std::less<>> cache;
  const std::lock_guard lock(mutex);
  if (const auto it = cache.find(zone); it != cache.end()) return it->second;
  // std::map never moves its nodes, so the reference stays valid for the process's life.
  return cache.emplace(std::string(zone), build(zone)).first->second;
}

}  // namespace treffpunkt::calendar::detail
