#include "rrule_iterator.h"

#include <algorithm>

namespace treffpunkt::calendar {
namespace {

using std::chrono::seconds;

/// Past this year the walk ends, as python-dateutil's (datetime.MAXYEAR).
constexpr std::int64_t last_year = 9999;

/// Monday = 0 ... Sunday = 6, as WKST and rule_parts count.
int weekday_of(date::local_days d) { return static_cast<int>(date::weekday{d}.iso_encoding()) - 1; }

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/// The first day of week 1 of `year` (RFC 5545 §3.3.10: the first week with at least four
/// days in the year, weeks starting on WKST).
date::local_days first_week(int year, int wkst) {
  const date::local_days jan1{date::year{year} / 1 / 1};
  const int into_week = (weekday_of(jan1) - wkst + 7) % 7;
  return into_week <= 3 ? jan1 - date::days(into_week) : jan1 + date::days(7 - into_week);
}

std::size_t magnitude(int v) { return static_cast<std::size_t>(v < 0 ? -v : v); }

int year_of(date::local_days d) { return static_cast<int>(date::year_month_day{d}.year()); }

}  // namespace

rrule_iterator::rrule_iterator(const recurrence_rule& rule, local_seconds dtstart)
    : freq_(rule.freq()),
      interval_(rule.interval()),
      count_(rule.count()),
      dtstart_(dtstart),
      min_(dtstart),
      times_(&day_times_) {
  const rule_parts& parts = rule.parts();
  wkst_ = parts.wkst;
  for (const int m : parts.by_month) months_ |= static_cast<std::uint16_t>(1U << m);
  const bool ordinals_apply = freq_ == frequency::monthly || freq_ == frequency::yearly;
  for (const auto& [day, n] : parts.by_day) {
    // An ordinal means "the nth in the month or year": with a finer FREQ there is none, and
    // the weekday alone counts (as dateutil reads it; RFC 5545 forbids the combination).
    if (n == 0 || !ordinals_apply) {
      weekdays_ |= static_cast<std::uint8_t>(1U << day);
    } else {
      nth_.emplace_back(day, n);
    }
  }
  for (const int d : parts.by_month_day) {
    (d > 0 ? month_days_ : month_days_neg_) |= 1U << (d > 0 ? d : -d);
  }
  for (const int d : parts.by_year_day) (d > 0 ? year_days_ : year_days_neg_).set(magnitude(d));
  for (const int w : parts.by_week_no) (w > 0 ? week_nos_ : week_nos_neg_).set(magnitude(w));
  by_month_ = !parts.by_month.empty();
  by_weekday_ = !parts.by_day.empty();
  by_month_day_ = !parts.by_month_day.empty();
  by_year_day_ = !parts.by_year_day.empty();
  by_week_no_ = !parts.by_week_no.empty();
  set_pos_ = parts.by_set_pos;

  day0_ = date::floor<date::days>(dtstart);
  const date::year_month_day ymd{day0_};
  const date::hh_mm_ss hms{dtstart - day0_};
  const int hour = static_cast<int>(hms.hours().count());
  const int minute = static_cast<int>(hms.minutes().count());
  const int second = static_cast<int>(hms.seconds().count());

  // RFC 5545 §3.3.10: what the rule does not say is taken from DTSTART, so that a bare
  // FREQ=YEARLY repeats DTSTART's month and day, FREQ=MONTHLY its day, FREQ=WEEKLY its weekday.
  if (!by_week_no_ && !by_year_day_ && !by_month_day_ && !by_weekday_) {
    if (freq_ == frequency::yearly && !by_month_) {
      months_ = static_cast<std::uint16_t>(1U << unsigned(ymd.month()));
      by_month_ = true;
    }
    if (freq_ == frequency::yearly || freq_ == frequency::monthly) {
      month_days_ = 1U << unsigned(ymd.day());
      by_month_day_ = true;
    }
    if (freq_ == frequency::weekly) {
      weekdays_ = static_cast<std::uint8_t>(1U << weekday_of(day0_));
      by_weekday_ = true;
    }
  }

  // Times: a BY part finer than FREQ expands (absent: DTSTART's value), one at FREQ or
  // coarser limits. A leap second (BYSECOND=60) is on no wall clock and never occurs.
  auto values = [](const std::vector<int>& by, int fallback, bool expands, int limit) {
    std::vector<int> out;
    if (by.empty()) {
      if (expands) out.push_back(fallback);
    } else {
      for (const int v : by) {
        if (v < limit) out.push_back(v);
      }
    }
    return out;
  };
  const auto hours = values(parts.by_hour, hour, freq_ > frequency::hourly, 24);
  const auto minutes = values(parts.by_minute, minute, freq_ > frequency::minutely, 60);
  const auto secs = values(parts.by_second, second, freq_ > frequency::secondly, 60);
  for (const int h : parts.by_hour) hour_filter_.set(magnitude(h));
  for (const int m : parts.by_minute) minute_filter_.set(magnitude(m));
  for (const int s : parts.by_second) {
    if (s < 60) second_filter_.set(magnitude(s));
  }
  by_hour_ = !parts.by_hour.empty();
  by_minute_ = !parts.by_minute.empty();
  by_second_ = !parts.by_second.empty();

  for (const int h : hours) {
    for (const int m : minutes) {
      for (const int s : secs) day_times_.push_back(h * 3600 + m * 60 + s);
    }
  }
  if (freq_ == frequency::hourly) {
    for (const int m : minutes) {
      for (const int s : secs) sub_times_.push_back(m * 60 + s);
    }
  } else if (freq_ == frequency::minutely) {
    for (const int s : secs) sub_times_.push_back(s);
  } else {
    sub_times_.push_back(0);
  }

  // BYSETPOS positions that no period can have (BYSETPOS=2 with one candidate an hour):
  // such a rule has no instances, which is cheaper to know now than after every step.
  const std::size_t per_day = freq_ > frequency::hourly ? day_times_.size() : sub_times_.size();
  const std::size_t most = per_day * (freq_ == frequency::yearly    ? 366
                                      : freq_ == frequency::monthly ? 31
                                      : freq_ == frequency::weekly  ? 7
                                                                    : 1);
  if (!set_pos_.empty() && std::none_of(set_pos_.begin(), set_pos_.end(),
                                        [&](int pos) { return magnitude(pos) <= most; })) {
    ended_ = true;
  }

  year0_ = static_cast<int>(ymd.year());
  month0_ = std::int64_t{year0_} * 12 + unsigned(ymd.month()) - 1;
  week0_ = day0_ - date::days((weekday_of(day0_) - wkst_ + 7) % 7);
  switch (freq_) {
    case frequency::hourly:
      sub0_ = date::floor<std::chrono::hours>(dtstart);
      unit_ = 3600;
      break;
    case frequency::minutely:
      sub0_ = date::floor<std::chrono::minutes>(dtstart);
      unit_ = 60;
      break;
    default:
      sub0_ = dtstart;
      unit_ = 1;
      break;
  }
  unit_ *= interval_;
}

void rrule_iterator::seek(local_seconds target) {
  if (count_ || period_ != 0 || target <= min_) return;
  const date::local_days day = date::floor<date::days>(target);
  const date::year_month_day ymd{day};
  std::int64_t p = 0;
  switch (freq_) {
    case frequency::yearly:
      p = floor_div(static_cast<int>(ymd.year()) - year0_, interval_);
      break;
    case frequency::monthly:
      p = floor_div(
          std::int64_t{static_cast<int>(ymd.year())} * 12 + unsigned(ymd.month()) - 1 - month0_,
          interval_);
      break;
    case frequency::weekly:
      p = floor_div((day - week0_).count(), std::int64_t{7} * interval_);
      break;
    case frequency::daily:
      p = floor_div((day - day0_).count(), interval_);
      break;
    default:
      p = floor_div((target - sub0_).count(), unit_);
      break;
  }
  period_ = std::max<std::int64_t>(p, 0);
  min_ = target;
}

std::optional<local_seconds> rrule_iterator::next(std::size_t& steps) {
  while (true) {
    if (count_ && emitted_ >= *count_) ended_ = true;
    if (ended_ || steps == 0) return std::nullopt;
    if (has_candidate()) {
      --steps;
      ++emitted_;
      if (use_picked_) return picked_[picked_k_++];
      const local_seconds t = local_seconds(days_[day_i_]) + seconds(offset_ + (*times_)[time_j_]);
      if (++time_j_ == times_->size()) {
        time_j_ = 0;
        ++day_i_;
      }
      return t;
    }
    // A period costs a step only when it has no instance: each instance costs one anyway.
    fill();
    if (!has_candidate()) --steps;
  }
}

bool rrule_iterator::has_candidate() const {
  if (use_picked_) return picked_k_ < picked_.size();
  return day_i_ < days_.size() && !times_->empty();
}

rrule_iterator::year_info rrule_iterator::info(int year) {
  if (year_cache_ && year_cache_->year == year) return *year_cache_;
  year_info y;
  y.year = year;
  y.jan1 = date::local_days{date::year{year} / 1 / 1};
  y.length = date::year{year}.is_leap() ? 366 : 365;
  y.week1 = first_week(year, wkst_);
  y.next_week1 = first_week(year + 1, wkst_);
  year_cache_ = y;
  return y;
}

void rrule_iterator::add_range_nth(date::local_days first, date::local_days last) {
  for (const auto& [day, n] : nth_) {
    date::local_days d;
    if (n > 0) {
      d = first + date::days((day - weekday_of(first) + 7) % 7 + (n - 1) * 7);
    } else {
      d = last - date::days((weekday_of(last) - day + 7) % 7 + (-n - 1) * 7);
    }
    if (d >= first && d <= last) nth_days_.push_back(d);
  }
}

bool rrule_iterator::day_matches(date::local_days d) {
  const date::year_month_day ymd{d};
  const unsigned month = unsigned(ymd.month());
  if (by_month_ && ((unsigned{months_} >> month) & 1U) == 0) return false;
  if (by_weekday_ && ((unsigned{weekdays_} >> magnitude(weekday_of(d))) & 1U) == 0 &&
      std::find(nth_days_.begin(), nth_days_.end(), d) == nth_days_.end()) {
    return false;
  }
  if (by_month_day_) {
    const unsigned md = unsigned(ymd.day());
    const unsigned length = unsigned((ymd.year() / ymd.month() / date::last).day());
    if (((month_days_ >> md) & 1U) == 0 && ((month_days_neg_ >> (length - md + 1)) & 1U) == 0) {
      return false;
    }
  }
  if (by_year_day_) {
    const year_info y = info(static_cast<int>(ymd.year()));
    const auto yd = static_cast<std::size_t>((d - y.jan1).count() + 1);
    if (!year_days_[yd] && !year_days_neg_[static_cast<std::size_t>(y.length) - yd + 1]) {
      return false;
    }
  }
  if (by_week_no_) {
    // Every day's week as RFC 5545 numbers it (BYWEEKNO comes with FREQ=YEARLY only): a day
    // before week 1 is in the last week of the year before, a late-December day from the next
    // year's week 1 on in that week (1, or -53 of a 53-week year; dateutil sees only the 1).
    const int year = static_cast<int>(ymd.year());
    const year_info y = info(year);
    const year_info w = d < y.week1 ? info(year - 1) : d >= y.next_week1 ? info(year + 1) : y;
    const auto no = static_cast<std::size_t>((d - w.week1).count() / 7 + 1);
    const auto weeks = static_cast<std::size_t>((w.next_week1 - w.week1).count() / 7);
    if (!week_nos_[no] && !week_nos_neg_[weeks - no + 1]) return false;
  }
  return true;
}

void rrule_iterator::skip_to(std::int64_t p, local_seconds from, local_seconds boundary) {
  // The first period at or after `boundary`, from period p starting at `from`.
  period_ = p + ((boundary - from).count() + unit_ - 1) / unit_;
}

void rrule_iterator::fill() {
  days_.clear();
  nth_days_.clear();
  use_picked_ = false;
  day_i_ = time_j_ = 0;
  offset_ = 0;
  times_ = &day_times_;
  const std::int64_t p = period_++;
  auto scan = [&](date::local_days first, date::local_days last) {
    for (date::local_days d = first; d <= last; d += date::days(1)) {
      if (day_matches(d)) days_.push_back(d);
    }
  };
  switch (freq_) {
    case frequency::yearly: {
      const std::int64_t year = year0_ + p * interval_;
      if (year > last_year) {
        ended_ = true;
        return;
      }
      const date::year y{static_cast<int>(year)};
      if (by_month_) {
        // With BYMONTH an ordinal BYDAY counts within each month (RFC 5545 §3.3.10).
        for (unsigned m = 1; m <= 12; ++m) {
          if (((unsigned{months_} >> m) & 1U) == 0) continue;
          if (!nth_.empty()) {
            add_range_nth(date::local_days{y / date::month{m} / 1},
                          date::local_days{y / date::month{m} / date::last});
          }
        }
        for (unsigned m = 1; m <= 12; ++m) {
          if (((unsigned{months_} >> m) & 1U) == 0) continue;
          scan(date::local_days{y / date::month{m} / 1},
               date::local_days{y / date::month{m} / date::last});
        }
      } else {
        const date::local_days first{y / 1 / 1};
        const date::local_days last{y / 12 / 31};
        if (!nth_.empty()) add_range_nth(first, last);
        scan(first, last);
      }
      break;
    }
    case frequency::monthly: {
      const std::int64_t index = month0_ + p * interval_;
      if (index / 12 > last_year) {
        ended_ = true;
        return;
      }
      const date::year y{static_cast<int>(index / 12)};
      const date::month m{static_cast<unsigned>(index % 12 + 1)};
      if (by_month_ && ((unsigned{months_} >> static_cast<unsigned>(m)) & 1U) == 0) break;
      const date::local_days first{y / m / 1};
      const date::local_days last{y / m / date::last};
      if (!nth_.empty()) add_range_nth(first, last);
      scan(first, last);
      break;
    }
    case frequency::weekly: {
      const date::local_days week = week0_ + date::days(std::int64_t{7} * interval_ * p);
      if (year_of(week) > last_year) {
        ended_ = true;
        return;
      }
      // DTSTART's week is a whole week too (RFC 5545: BYSETPOS picks "within the
      // interval"), not only its days from DTSTART on as in dateutil: so a series split at an
      // occurrence goes on with the same days.
      scan(week, week + date::days(6));
      break;
    }
    case frequency::daily: {
      const date::local_days day = day0_ + date::days(std::int64_t{interval_} * p);
      if (year_of(day) > last_year) {
        ended_ = true;
        return;
      }
      if (day_matches(day)) days_.push_back(day);
      break;
    }
    default: {
      const local_seconds at = sub0_ + seconds(unit_ * p);
      const date::local_days day = date::floor<date::days>(at);
      if (year_of(day) > last_year) {
        ended_ = true;
        return;
      }
      if (!day_matches(day)) {
        skip_to(p, at, local_seconds(day + date::days(1)));
        return;
      }
      const std::int64_t into_day = (at - local_seconds(day)).count();
      const auto hour = static_cast<std::size_t>(into_day / 3600);
      const auto minute = static_cast<std::size_t>(into_day / 60 % 60);
      const auto second = static_cast<std::size_t>(into_day % 60);
      // Outside BYHOUR (or BYMINUTE below HOURLY): on to the next hour (minute) it allows,
      // or the next day, rather than through every period in between.
      if (by_hour_ && !hour_filter_[hour]) {
        std::size_t next_hour = hour + 1;
        while (next_hour < 24 && !hour_filter_[next_hour]) ++next_hour;
        skip_to(p, at, local_seconds(day) + std::chrono::hours(next_hour));
        return;
      }
      if (freq_ != frequency::hourly && by_minute_ && !minute_filter_[minute]) {
        std::size_t next_minute = minute + 1;
        while (next_minute < 60 && !minute_filter_[next_minute]) ++next_minute;
        skip_to(p, at,
                local_seconds(day) + std::chrono::hours(hour) + std::chrono::minutes(next_minute));
        return;
      }
      if (freq_ == frequency::secondly && by_second_ && !second_filter_[second]) return;
      days_.push_back(day);
      offset_ = into_day;
      times_ = &sub_times_;
      break;
    }
  }
  if (!set_pos_.empty()) select_positions();
  position_cursor();
}

void rrule_iterator::select_positions() {
  picked_.clear();
  picked_k_ = 0;
  use_picked_ = true;
  const auto per_day = static_cast<std::int64_t>(times_->size());
  const std::int64_t total = static_cast<std::int64_t>(days_.size()) * per_day;
  for (const int pos : set_pos_) {
    const std::int64_t i = pos > 0 ? pos - 1 : total + pos;
    if (i < 0 || i >= total) continue;
    picked_.push_back(local_seconds(days_[static_cast<std::size_t>(i / per_day)]) +
                      seconds(offset_ + (*times_)[static_cast<std::size_t>(i % per_day)]));
  }
  std::sort(picked_.begin(), picked_.end());
  picked_.erase(std::unique(picked_.begin(), picked_.end()), picked_.end());
}

void rrule_iterator::position_cursor() {
  // Candidates before DTSTART (or where `seek` went) are no instances: start after them.
  if (use_picked_) {
    picked_k_ = static_cast<std::size_t>(std::lower_bound(picked_.begin(), picked_.end(), min_) -
                                         picked_.begin());
    return;
  }
  const date::local_days first = date::floor<date::days>(min_);
  day_i_ =
      static_cast<std::size_t>(std::lower_bound(days_.begin(), days_.end(), first) - days_.begin());
  time_j_ = 0;
  if (day_i_ < days_.size() && days_[day_i_] == first) {
    const std::int64_t into_day = (min_ - local_seconds(first)).count() - offset_;
    time_j_ = static_cast<std::size_t>(std::lower_bound(times_->begin(), times_->end(), into_day) -
                                       times_->begin());
    if (time_j_ == times_->size()) {
      time_j_ = 0;
      ++day_i_;
    }
  }
}

}  // namespace treffpunkt::calendar
