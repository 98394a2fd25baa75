#include "expand_command.h"

#include <calendar/expand.h>

#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace treffpunkt::server {
namespace {

namespace json = boost::json;

/// A line's fault, said in the answer as "line N: <why>".
struct line_error {
  std::string why;
};

std::optional<int> digits(std::string_view text) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

/// DTSTART as RFC 5545 §3.3.5 form 1 writes it, "YYYYMMDDTHHMMSS": a floating local time.
/// A date alone is refused rather than guessed at: an all-day series has DATE values and a
/// date UNTIL, which this command does not model (give T000000 for midnight).
std::optional<calendar::local_seconds> parse_dtstart(std::string_view text) {
  const bool shaped = text.size() == 15 && text[8] == 'T' &&
                      text.find_first_not_of("0123456789", 0) == 8 &&
                      text.find_first_not_of("0123456789", 9) == std::string_view::npos;
  if (!shaped) return std::nullopt;
  const auto y = digits(text.substr(0, 4));
  const auto mo = digits(text.substr(4, 2));
  const auto d = digits(text.substr(6, 2));
  const auto h = digits(text.substr(9, 2));
  const auto mi = digits(text.substr(11, 2));
  const auto s = digits(text.substr(13, 2));
  if (!y || !mo || !d || !h || !mi || !s || *y < 1 || *h > 23 || *mi > 59 || *s > 59) {
    return std::nullopt;
  }
  const date::year_month_day day{date::year{*y}, date::month{static_cast<unsigned>(*mo)},
                                 date::day{static_cast<unsigned>(*d)}};
  if (!day.ok()) return std::nullopt;
  return calendar::local_seconds{date::local_days{day}} + std::chrono::hours{*h} +
         std::chrono::minutes{*mi} + std::chrono::seconds{*s};
}

std::string why_not_dtstart(std::string_view text) {
  const bool date_only =
      text.size() == 8 && text.find_first_not_of("0123456789") == std::string_view::npos;
  if (date_only) {
    return "dtstart '" + std::string(text) +
           "' is a date without a time: give a local date and time, e.g. " + std::string(text) +
           "T000000";
  }
  if (text.ends_with('Z')) {
    return "dtstart '" + std::string(text) +
           "' is in UTC: give a floating local time, YYYYMMDDTHHMMSS without Z";
  }
  return "dtstart must be a local date and time YYYYMMDDTHHMMSS (a real date, 00:00:00 to "
         "23:59:59, year from 0001), not '" +
         std::string(text) + "'";
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

/// What is wrong with the rule's FREQ, if it is missing or not one of RFC 5545's seven: the
/// rule parser would only say "not a valid recurrence rule", and a driver wants the part named.
std::optional<std::string> freq_fault(std::string_view rule) {
  std::optional<std::string> freq;
  while (!rule.empty()) {
    const std::size_t semicolon = rule.find(';');
    const std::string_view part = rule.substr(0, semicolon);
    rule = semicolon == std::string_view::npos ? std::string_view{} : rule.substr(semicolon + 1);
    const std::size_t equals = part.find('=');
    if (equals != std::string_view::npos && upper(part.substr(0, equals)) == "FREQ") {
      freq = upper(part.substr(equals + 1));
    }
  }
  if (!freq) return "the rule has no FREQ";
  for (const char* known :
       {"SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"}) {
    if (*freq == known) return std::nullopt;
  }
  return "unknown FREQ '" + *freq +
         "' (one of SECONDLY, MINUTELY, HOURLY, DAILY, WEEKLY, MONTHLY, YEARLY)";
}

const json::string* string_field(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  return v ? v->if_string() : nullptr;
}

struct request {
  std::string rrule;
  calendar::local_seconds dtstart;
  std::size_t limit = 0;
};

/// The request a parsed line makes, or what is wrong with it; `id` is set as soon as it is
/// known, so that an answer about the rest still carries it.
std::variant<request, line_error> read_request(const json::object& o, json::value& id) {
  for (const auto& field : o) {
    const std::string_view key = field.key();
    if (key != "id" && key != "rrule" && key != "dtstart" && key != "limit") {
      return line_error{"unknown field \"" + std::string(key) +
                        "\" (a line has id, rrule, dtstart and limit)"};
    }
  }
  const json::value* given_id = o.if_contains("id");
  if (!given_id) return line_error{"\"id\" is missing"};
  if (!given_id->is_string()) return line_error{"\"id\" must be a string"};
  id = *given_id;
  for (const char* name : {"rrule", "dtstart"}) {
    if (!o.contains(name)) return line_error{"\"" + std::string(name) + "\" is missing"};
    if (!string_field(o, name)) return line_error{"\"" + std::string(name) + "\" must be a string"};
  }
  const json::value* limit = o.if_contains("limit");
  if (!limit) return line_error{"\"limit\" is missing"};

  request r;
  const std::string_view rule = *string_field(o, "rrule");
  if (rule.starts_with("RRULE:") || rule.starts_with("rrule:")) {
    return line_error{R"("rrule" is the rule's value, without "RRULE:")"};
  }
  if (auto wrong = freq_fault(rule)) return line_error{std::move(*wrong)};
  r.rrule = std::string(rule);
  const std::string_view start = *string_field(o, "dtstart");
  const auto parsed = parse_dtstart(start);
  if (!parsed) return line_error{why_not_dtstart(start)};
  r.dtstart = *parsed;
  // 5 is a limit, 5.0 and "5" are not: a driver that sends them has a bug worth seeing.
  std::optional<std::uint64_t> wanted;
  if (limit->is_int64() && limit->get_int64() >= 0) {
    wanted = static_cast<std::uint64_t>(limit->get_int64());
  } else if (limit->is_uint64()) {
    wanted = limit->get_uint64();
  }
  if (!wanted || *wanted > expand_max_limit) {
    return line_error{"\"limit\" must be a whole number from 0 to " +
                      std::to_string(expand_max_limit) + ", not " + json::serialize(*limit)};
  }
  r.limit = static_cast<std::size_t>(*wanted);
  return r;
}

std::string error_answer(const json::value& id, std::size_t line_number, std::string_view message) {
  json::object answer;
  answer["id"] = id;
  answer["line"] = line_number;
  answer["error"] = message;
  return json::serialize(answer);
}

}  // namespace

std::string expand_answer(std::string_view line, std::size_t line_number) {
  json::value id;  // null until the line names one
  const auto fault = [&](std::string_view why) {
    return error_answer(id, line_number,
                        "line " + std::to_string(line_number) + ": " + std::string(why));
  };
  boost::system::error_code ec;
  json::value parsed = json::parse(line, ec);
  if (ec) return fault("not JSON (" + ec.message() + ")");
  const json::object* object = parsed.if_object();
  if (!object) return fault("not a JSON object");
  auto read = read_request(*object, id);
  if (const auto* wrong = std::get_if<line_error>(&read)) return fault(wrong->why);
  const request& r = std::get<request>(read);

  auto expanded = calendar::expand_floating(r.rrule, r.dtstart, r.limit);
  if (!expanded) return fault("rrule '" + r.rrule + "': " + expanded.error().message);
  json::array occurrences;
  occurrences.reserve(expanded->size());
  for (const calendar::local_seconds& t : *expanded) {
    // Years past 9999 have no YYYYMMDD form; nobody meets then.
    if (date::year_month_day{date::floor<date::days>(t)}.year() > date::year{9999}) break;
    occurrences.emplace_back(date::format("%Y%m%dT%H%M%S", t));
  }
  json::object answer;
  answer["id"] = id;
  answer["occurrences"] = std::move(occurrences);
  return json::serialize(answer);
}

int expand_jsonl(std::istream& in, std::ostream& out) {
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;  // blank: no input
    out << expand_answer(line, number) << '\n';
    out.flush();
    if (!out) return 1;
  }
  return 0;
}

}  // namespace treffpunkt::server
