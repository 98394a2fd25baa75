// The RRULE input of the event form and the API: recurrence_rule::parse, and for a rule that
// parses, an event with it expanded over five years (the expand limits must keep that short),
// split at its second occurrence, and the form's view of it (web::repeat_of, describe_rule).
// An input is the rule on its first line; an optional second line "YYYYMMDDTHHMMSS" is the
// first start (default 2026-03-03 19:00), an optional third the zone (default Europe/Berlin).
// Besides not crashing: the canonical form parses to itself, and what repeat_of recognises
// rrule_for writes back as the same choice.

#include <calendar/event.h>
#include <calendar/expand.h>
#include <calendar/recurrence.h>
#include <date/date.h>
#include <web/repeat.h>

#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace {

namespace calendar = treffpunkt::calendar;
namespace web = treffpunkt::web;
using namespace std::chrono_literals;

[[noreturn]] void finding(const char* what, std::string_view rule) {
  std::fprintf(stderr, "FINDING: %s: %.*s\n", what, static_cast<int>(rule.size()), rule.data());
  std::abort();
}

std::string_view next_line(std::string_view& text) {
  const auto newline = text.find('\n');
  const auto line = text.substr(0, newline);
  text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
  return line;
}

std::optional<int> number(std::string_view digits) {
  int n = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return n;
}

/// "YYYYMMDDTHHMMSS" as a wall-clock time; none if it is not one.
std::optional<calendar::local_seconds> local_time(std::string_view text) {
  if (text.size() != 15 || text[8] != 'T') return std::nullopt;
  const auto y = number(text.substr(0, 4));
  const auto mo = number(text.substr(4, 2));
  const auto d = number(text.substr(6, 2));
  const auto h = number(text.substr(9, 2));
  const auto mi = number(text.substr(11, 2));
  const auto s = number(text.substr(13, 2));
  if (!y || !mo || !d || !h || !mi || !s || *h > 23 || *mi > 59 || *s > 59) return std::nullopt;
  const date::year_month_day ymd{date::year{*y}, date::month{static_cast<unsigned>(*mo)},
                                 date::day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return std::nullopt;
  return date::local_days{ymd} + std::chrono::hours(*h) + std::chrono::minutes(*mi) +
         std::chrono::seconds(*s);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto text = next_line(input);
  const auto rule = calendar::recurrence_rule::parse(text);

  calendar::event e;
  e.uid = "fuzz@treffpunkt";
  e.title = "Treffen";
  e.start = local_time(next_line(input)).value_or(date::local_days{date::year{2026} / 3 / 3} + 19h);
  if (const auto zone = next_line(input); !zone.empty() && calendar::is_known_zone(zone)) {
    e.zone = std::string(zone);
  }
  const date::year_month_day first{date::floor<date::days>(e.start)};

  // The form's view works on any text, parsed or not.
  const auto choice = web::repeat_of(text, first);
  for (const auto l : {web::language::de, web::language::en}) {
    (void)web::describe_rule(text, first, std::nullopt, l);
    (void)web::describe_rule(text, first, date::floor<date::days>(e.start) + date::days{30}, l);
  }
  if (choice) {
    const auto written = web::rrule_for(*choice, first);
    if (*choice != web::repeat::once && web::repeat_of(written, first) != choice) {
      finding("repeat_of(rrule_for(repeat_of(rule))) is another choice", text);
    }
  }

  if (!rule) return 0;
  const auto again = calendar::recurrence_rule::parse(rule->to_string());
  if (!again || again->to_string() != rule->to_string()) {
    finding("the canonical form does not parse to itself", text);
  }
  e.rule = *rule;
  if (!calendar::validate(e)) return 0;
  const auto start = calendar::to_utc(e.start, e.zone);
  const auto occurrences = calendar::expand(e, start - 24h, start + date::years{5});
  if (occurrences.empty()) finding("a valid series has no occurrence", text);
  if (occurrences.front().key.instant() != start) {
    finding("a valid series does not start at its start", text);
  }
  if (!calendar::find_occurrence(e, occurrences.front().key)) {
    finding("find_occurrence misses the first occurrence", text);
  }
  if (occurrences.size() > 1) {
    const auto split = calendar::split_series(e, occurrences[1].key, "split@treffpunkt");
    if (split) {
      if (!calendar::validate(split->first) || !calendar::validate(split->second)) {
        finding("a split of a valid series is not valid", text);
      }
    }
  }
  return 0;
}
