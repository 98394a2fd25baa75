#pragma once
/// Short spellings of dates and times for tests: local(2026, 3, 29, 2, 30) is a wall-clock time,
/// utc(2026, 3, 29, 1, 30) an instant, day(2026, 3, 29) a date.

#include <calendar/time.h>
#include <date/date.h>

#include <chrono>

namespace treffpunkt::testing {

inline date::sys_days day(int y, unsigned m, unsigned d) {
  return date::sys_days{date::year{y} / date::month{m} / date::day{d}};
}

inline calendar::local_seconds local(int y, unsigned m, unsigned d, int hh = 0, int mm = 0,
                                     int ss = 0) {
  return date::local_days{date::year{y} / date::month{m} / date::day{d}} + std::chrono::hours{hh} +
         std::chrono::minutes{mm} + std::chrono::seconds{ss};
}

inline calendar::utc_seconds utc(int y, unsigned m, unsigned d, int hh = 0, int mm = 0,
                                 int ss = 0) {
  return day(y, m, d) + std::chrono::hours{hh} + std::chrono::minutes{mm} +
         std::chrono::seconds{ss};
}

}  // namespace treffpunkt::testing
