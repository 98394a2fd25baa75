#include <calendar/ical_reader.h>
#include <calendar/ical_writer.h>  // category_label
#include <calendar/text.h>         // valid_utf8

#include <algorithm>
#include <array>
#include <boost/algorithm/string/case_conv.hpp>
#include <boost/algorithm/string/classification.hpp>  // is_any_of
#include <boost/algorithm/string/predicate.hpp>       // iequals
#include <boost/algorithm/string/trim.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <locale>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// The reader works in three steps, each of which can fail with the physical line at fault:
//   1. tokenize: unfold physical lines into logical content lines (RFC 5545 §3.1) and split
//      each into name, parameters and value;
//   2. build a component tree, checking that every BEGIN has its END (§3.4, §3.6);
//   3. interpret the VEVENTs of every VCALENDAR: masters first, then RECURRENCE-ID instances
//      folded into their masters (§3.8.4.4), then validate() on each event.
// Nothing is returned before all three steps have passed, so a broken file imports nothing.

namespace treffpunkt::calendar {
namespace {

using std::chrono::seconds;

constexpr std::size_t max_input_bytes = std::size_t{10} * 1024 * 1024;
constexpr std::size_t max_vevents = 10000;
/// RDATE and EXDATE values per event: enough for decades of weekly meetings.
constexpr std::size_t max_dates_per_event = 10000;
/// VCALENDAR > VEVENT > VALARM is the deepest a calendar needs; X-components get some slack.
constexpr std::size_t max_depth = 8;

error fail(errc code, int line, std::string field, std::string message) {
  return error{code, std::move(field), std::move(message), line};
}

error parse_fail(int line, std::string message) {
  return fail(errc::parse_error, line, {}, std::move(message));
}

// Names, parameters and enumerated values are case-insensitive in ASCII only (RFC 5545 §2):
// the classic locale, whatever the process's global one is.
std::string to_upper(std::string_view s) {
  std::string out(s);
  boost::algorithm::to_upper(out, std::locale::classic());
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return boost::algorithm::iequals(a, b, std::locale::classic());
}

/// `s` without the blanks (space, tab) around it.
std::string_view trim(std::string_view s) {
  return boost::algorithm::trim_copy_if(s, boost::algorithm::is_any_of(" \t"));
}

// ---------------------------------------------------------------------------------------------
// Step 1: content lines.

struct parameter {
  std::string name;  ///< upper case
  std::vector<std::string> values;
};

struct property {
  std::string name;  ///< upper case
  std::vector<parameter> params;
  std::string value;
  int line = 0;  ///< physical line where the (folded) content line starts

  /// The first value of parameter `name` (upper case), if present.
  std::optional<std::string_view> param(std::string_view name_upper) const {
    for (const auto& p : params) {
      if (p.name == name_upper && !p.values.empty()) return std::string_view(p.values.front());
    }
    return std::nullopt;
  }
};

struct logical_line {
  std::string text;
  int line = 0;
};

/// Unfolds per RFC 5545 §3.1: a physical line that starts with a space or a tab continues the
/// previous one (that one character is dropped). CRLF and bare LF are both accepted, since
/// Apple and many scripts write LF only. Blank lines are skipped: several exporters end the
/// file with one, and they carry nothing.
result<std::vector<logical_line>> unfold(std::string_view text) {
  std::vector<logical_line> out;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 BOM (Outlook)
  int line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view physical = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    if (!physical.empty() && physical.back() == '\r') physical.remove_suffix(1);
    if (physical.empty()) continue;
    if (physical.front() == ' ' || physical.front() == '\t') {
      if (out.empty()) return parse_fail(line_no, "continuation line with nothing to continue");
      out.back().text.append(physical.substr(1));
      continue;
    }
    out.push_back({std::string(physical), line_no});
  }
  return out;
}

bool is_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/// Splits `name *(";" param) ":" value` (RFC 5545 §3.1). Parameter values may be quoted, and
/// a quoted value may contain ':' ';' ',' (e.g. Outlook's TZID="W. Europe Standard Time" or a
/// DELEGATED-TO="mailto:...").
result<property> split_content_line(const logical_line& ll) {
  const std::string_view s = ll.text;
  property prop;
  prop.line = ll.line;
  if (!valid_utf8(s)) return parse_fail(ll.line, "not valid UTF-8");
  // RFC 5545 §3.1: no control character but HTAB in a content line. The writer drops them, so
  // a UID with one would come back as another UID (and a NUL ends C strings in other apps).
  const auto* const control = std::find_if(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20U && c != '\t') || u == 0x7FU;
  });
  if (control != s.end()) {
    constexpr std::string_view hex = "0123456789ABCDEF";
    const auto u = static_cast<unsigned char>(*control);
    return parse_fail(ll.line, std::string("control character U+00") + hex[u >> 4U] + hex[u & 15U] +
                                   " in the line (only tab is allowed)");
  }
  std::size_t i = 0;
  while (i < s.size() && is_name_char(s[i])) ++i;
  if (i == 0) return parse_fail(ll.line, "content line does not start with a property name");
  prop.name = to_upper(s.substr(0, i));
  while (i < s.size() && s[i] == ';') {
    ++i;
    const std::size_t name_start = i;
    while (i < s.size() && is_name_char(s[i])) ++i;
    if (i == name_start || i >= s.size() || s[i] != '=') {
      if (s.find(':', name_start) == std::string_view::npos) {
        return parse_fail(ll.line, "no ':' in content line");
      }
      return parse_fail(ll.line, "malformed parameter in " + prop.name);
    }
    parameter param;
    param.name = to_upper(s.substr(name_start, i - name_start));
    ++i;  // '='
    for (;;) {
      if (i < s.size() && s[i] == '"') {
        const std::size_t close = s.find('"', i + 1);
        if (close == std::string_view::npos) {
          return parse_fail(ll.line, "unterminated quoted parameter value in " + prop.name);
        }
        param.values.emplace_back(s.substr(i + 1, close - i - 1));
        i = close + 1;
      } else {
        const std::size_t start = i;
        while (i < s.size() && s[i] != ';' && s[i] != ':' && s[i] != ',' && s[i] != '"') ++i;
        param.values.emplace_back(s.substr(start, i - start));
      }
      if (i < s.size() && s[i] == ',') {
        ++i;
        continue;
      }
      break;
    }
    prop.params.push_back(std::move(param));
  }
  if (i >= s.size()) return parse_fail(ll.line, "no ':' in content line");
  if (s[i] != ':') return parse_fail(ll.line, "malformed content line " + prop.name);
  prop.value = std::string(s.substr(i + 1));
  return prop;
}

// ---------------------------------------------------------------------------------------------
// Step 2: components.

struct component {
  std::string name;  ///< upper case, "VEVENT"
  int line = 0;      ///< line of its BEGIN
  std::vector<property> props;
  std::vector<component> children;
};

/// Which parent a known component must have (RFC 5545 §3.6, §3.6.5, §3.6.6); unknown and
/// X- components may appear anywhere and are ignored later.
std::optional<std::string_view> required_parent(std::string_view name) {
  if (name == "VCALENDAR") return std::string_view{};
  if (name == "VEVENT" || name == "VTODO" || name == "VJOURNAL" || name == "VFREEBUSY" ||
      name == "VTIMEZONE") {
    return std::string_view{"VCALENDAR"};
  }
  if (name == "STANDARD" || name == "DAYLIGHT") return std::string_view{"VTIMEZONE"};
  return std::nullopt;
}

/// Builds the VCALENDAR components of the stream (a file may hold several, §3.4).
// NOLINTNEXTLINE(readability-function-cognitive-complexity): one branch per BEGIN/END rule
result<std::vector<component>> build_tree(const std::vector<logical_line>& lines) {
  std::vector<component> calendars;
  std::vector<component> open;  // innermost last
  std::size_t vevents = 0;
  for (const auto& ll : lines) {
    auto prop = split_content_line(ll);
    if (!prop) return prop.error();
    if (prop->name == "BEGIN") {
      const std::string name = to_upper(trim(prop->value));
      if (name.empty()) return parse_fail(ll.line, "BEGIN without a component name");
      if (const auto parent = required_parent(name)) {
        const std::string_view actual = open.empty() ? std::string_view{} : open.back().name;
        if (actual != *parent) {
          if (name == "VCALENDAR") {
            return parse_fail(ll.line, "BEGIN:VCALENDAR inside " + open.back().name +
                                           " begun at line " + std::to_string(open.back().line));
          }
          if (open.empty()) return parse_fail(ll.line, "BEGIN:" + name + " outside VCALENDAR");
          return parse_fail(ll.line, "BEGIN:" + name + " inside " + open.back().name +
                                         " begun at line " + std::to_string(open.back().line) +
                                         " (missing END:" + open.back().name + "?)");
        }
      } else if (open.empty()) {
        return parse_fail(ll.line, "BEGIN:" + name + " outside VCALENDAR");
      }
      if (open.size() >= max_depth) return parse_fail(ll.line, "components nested too deeply");
      if (name == "VEVENT" && ++vevents > max_vevents) {
        return fail(errc::out_of_bounds, ll.line, {},
                    "more than " + std::to_string(max_vevents) + " events");
      }
      open.push_back(component{name, ll.line, {}, {}});
      continue;
    }
    if (prop->name == "END") {
      const std::string name = to_upper(trim(prop->value));
      if (open.empty()) return parse_fail(ll.line, "END:" + name + " outside VCALENDAR");
      if (open.back().name != name) {
        return parse_fail(ll.line, "END:" + name + " but " + open.back().name + " begun at line " +
                                       std::to_string(open.back().line) + " is still open");
      }
      component done = std::move(open.back());
      open.pop_back();
      if (open.empty()) {
        calendars.push_back(std::move(done));
      } else {
        open.back().children.push_back(std::move(done));
      }
      continue;
    }
    if (open.empty()) return parse_fail(ll.line, prop->name + " outside VCALENDAR");
    open.back().props.push_back(std::move(*prop));
  }
  if (!open.empty()) {
    return parse_fail(open.back().line,
                      "BEGIN:" + open.back().name + " without END:" + open.back().name);
  }
  if (calendars.empty()) return parse_fail(1, "no VCALENDAR in input");
  return calendars;
}

// ---------------------------------------------------------------------------------------------
// Step 3 helpers: time zones.

/// Windows time-zone names as Outlook and Exchange write them in TZID, to the IANA zone CLDR's
/// windowsZones.xml maps them to for territory "001" (the zone's main region).
constexpr auto windows_zones = std::to_array<std::pair<std::string_view, std::string_view>>({
    {"Dateline Standard Time", "Etc/GMT+12"},
    {"UTC-11", "Etc/GMT+11"},
    {"Hawaiian Standard Time", "Pacific/Honolulu"},
    {"Alaskan Standard Time", "America/Anchorage"},
    {"Pacific Standard Time", "America/Los_Angeles"},
    {"Pacific Standard Time (Mexico)", "America/Tijuana"},
    {"US Mountain Standard Time", "America/Phoenix"},
    {"Mountain Standard Time", "America/Denver"},
    {"Central America Standard Time", "America/Guatemala"},
    {"Central Standard Time", "America/Chicago"},
    {"Central Standard Time (Mexico)", "America/Mexico_City"},
    {"Canada Central Standard Time", "America/Regina"},
    {"SA Pacific Standard Time", "America/Bogota"},
    {"Eastern Standard Time", "America/New_York"},
    {"US Eastern Standard Time", "America/Indiana/Indianapolis"},
    {"Venezuela Standard Time", "America/Caracas"},
    {"Atlantic Standard Time", "America/Halifax"},
    {"SA Western Standard Time", "America/La_Paz"},
    {"Pacific SA Standard Time", "America/Santiago"},
    {"Newfoundland Standard Time", "America/St_Johns"},
    {"E. South America Standard Time", "America/Sao_Paulo"},
    {"Argentina Standard Time", "America/Argentina/Buenos_Aires"},
    {"Greenland Standard Time", "America/Godthab"},
    {"Azores Standard Time", "Atlantic/Azores"},
    {"UTC", "Etc/UTC"},
    {"GMT Standard Time", "Europe/London"},
    {"Greenwich Standard Time", "Atlantic/Reykjavik"},
    {"Morocco Standard Time", "Africa/Casablanca"},
    {"W. Europe Standard Time", "Europe/Berlin"},
    {"Central Europe Standard Time", "Europe/Budapest"},
    {"Romance Standard Time", "Europe/Paris"},
    {"Central European Standard Time", "Europe/Warsaw"},
    {"W. Central Africa Standard Time", "Africa/Lagos"},
    {"GTB Standard Time", "Europe/Bucharest"},
    {"E. Europe Standard Time", "Europe/Chisinau"},
    {"FLE Standard Time", "Europe/Kiev"},
    {"Egypt Standard Time", "Africa/Cairo"},
    {"South Africa Standard Time", "Africa/Johannesburg"},
    {"Israel Standard Time", "Asia/Jerusalem"},
    {"Turkey Standard Time", "Europe/Istanbul"},
    {"Kaliningrad Standard Time", "Europe/Kaliningrad"},
    {"Belarus Standard Time", "Europe/Minsk"},
    {"Russian Standard Time", "Europe/Moscow"},
    {"Arab Standard Time", "Asia/Riyadh"},
    {"Iran Standard Time", "Asia/Tehran"},
    {"Arabian Standard Time", "Asia/Dubai"},
    {"Pakistan Standard Time", "Asia/Karachi"},
    {"India Standard Time", "Asia/Calcutta"},
    {"Sri Lanka Standard Time", "Asia/Colombo"},
    {"Nepal Standard Time", "Asia/Katmandu"},
    {"Bangladesh Standard Time", "Asia/Dhaka"},
    {"SE Asia Standard Time", "Asia/Bangkok"},
    {"China Standard Time", "Asia/Shanghai"},
    {"Singapore Standard Time", "Asia/Singapore"},
    {"W. Australia Standard Time", "Australia/Perth"},
    {"Taipei Standard Time", "Asia/Taipei"},
    {"Tokyo Standard Time", "Asia/Tokyo"},
    {"Korea Standard Time", "Asia/Seoul"},
    {"Cen. Australia Standard Time", "Australia/Adelaide"},
    {"AUS Central Standard Time", "Australia/Darwin"},
    {"E. Australia Standard Time", "Australia/Brisbane"},
    {"AUS Eastern Standard Time", "Australia/Sydney"},
    {"New Zealand Standard Time", "Pacific/Auckland"},
    {"Fiji Standard Time", "Pacific/Fiji"},
    {"Tasmania Standard Time", "Australia/Hobart"},
});

/// Per-VCALENDAR context: the zone for floating and UTC times, and what its VTIMEZONEs say.
struct calendar_context {
  std::string zone{default_zone};
  /// TZID of a VTIMEZONE -> its X-LIC-LOCATION (Google, libical): the IANA name behind a
  /// TZID we would not otherwise know.
  std::map<std::string, std::string, std::less<>> locations;
  /// TZID as written -> what map_zone found for it.
  mutable std::map<std::string, std::optional<std::string>, std::less<>> zone_cache;
};

/// The IANA zone a TZID stands for, or nothing.
std::optional<std::string> map_zone_uncached(std::string_view raw, const calendar_context* ctx) {
  const std::string_view tzid = trim(raw);
  if (tzid.empty()) return std::nullopt;
  if (is_known_zone(tzid)) return std::string(tzid);
  // RFC 5545 §3.2.19: a leading '/' marks a name from a global registry; libical writes
  // "/freeassociation.sourceforge.net/[Tzfile/]Europe/Berlin", Mozilla
  // "/mozilla.org/20050126_1/Europe/Berlin". The longest tail that is an IANA name wins.
  if (tzid.front() == '/') {
    for (std::size_t slash = tzid.find('/', 1); slash != std::string_view::npos;
         slash = tzid.find('/', slash + 1)) {
      const std::string_view tail = tzid.substr(slash + 1);
      if (is_known_zone(tail)) return std::string(tail);
    }
  }
  for (const auto& [windows, iana] : windows_zones) {
    if (windows == tzid && is_known_zone(iana)) return std::string(iana);
  }
  if (ctx != nullptr) {
    const auto it = ctx->locations.find(tzid);
    if (it != ctx->locations.end() && is_known_zone(it->second)) return it->second;
  }
  return std::nullopt;
}

/// map_zone_uncached, remembered per calendar: a file names the same few TZIDs thousands of
/// times, and is_known_zone pays for an exception on every name tzdata does not know.
std::optional<std::string> map_zone(std::string_view raw, const calendar_context* ctx) {
  if (ctx == nullptr) return map_zone_uncached(raw, nullptr);
  const auto it = ctx->zone_cache.find(raw);
  if (it != ctx->zone_cache.end()) return it->second;
  auto zone = map_zone_uncached(raw, ctx);
  ctx->zone_cache.emplace(std::string(raw), zone);
  return zone;
}

// ---------------------------------------------------------------------------------------------
// Step 3 helpers: values.

/// A DATE or DATE-TIME value (RFC 5545 §3.3.4, §3.3.5) as written, before any zone is applied.
struct time_value {
  bool is_date = false;
  bool utc = false;                 ///< form #2, "...Z"
  std::optional<std::string> zone;  ///< form #3, IANA zone from TZID
  local_seconds local{};            ///< the digits as wall-clock time
};

/// A run of at most nine decimal digits (so that it fits an int), else none.
std::optional<int> digits(std::string_view s) {
  if (s.size() > 9) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

/// Parses "YYYYMMDD", "YYYYMMDDTHHMMSS" or "YYYYMMDDTHHMMSSZ".
std::optional<time_value> parse_time_digits(std::string_view s) {
  s = trim(s);
  if (s.size() != 8 && s.size() != 15 && s.size() != 16) return std::nullopt;
  const auto y = digits(s.substr(0, 4)), m = digits(s.substr(4, 2)), d = digits(s.substr(6, 2));
  if (!y || !m || !d) return std::nullopt;
  const date::year_month_day ymd{date::year{*y}, date::month{static_cast<unsigned>(*m)},
                                 date::day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return std::nullopt;
  time_value v;
  v.local = local_seconds(date::local_days(ymd));
  if (s.size() == 8) {
    v.is_date = true;
    return v;
  }
  if (s[8] != 'T') return std::nullopt;
  const auto hh = digits(s.substr(9, 2)), mm = digits(s.substr(11, 2)),
             ss = digits(s.substr(13, 2));
  // §3.3.12 allows second 60 for a leap second; tzdata-free arithmetic cannot hold it.
  if (!hh || !mm || !ss || *hh > 23 || *mm > 59 || *ss > 60) return std::nullopt;
  v.local += std::chrono::hours(*hh) + std::chrono::minutes(*mm) + seconds(std::min(*ss, 59));
  if (s.size() == 16) {
    if (s[15] != 'Z' && s[15] != 'z') return std::nullopt;
    v.utc = true;
  }
  return v;
}

/// The instant of a value; floating times and dates are read in `fallback_zone`.
utc_seconds instant_of(const time_value& v, std::string_view fallback_zone) {
  if (v.utc) return utc_seconds(v.local.time_since_epoch());
  return to_utc(v.local, v.zone ? std::string_view(*v.zone) : fallback_zone);
}

/// The wall-clock time of a value in `zone`.
local_seconds local_in(const time_value& v, std::string_view zone) {
  if (v.is_date) return v.local;
  if (!v.utc && (!v.zone || *v.zone == zone)) return v.local;
  return to_local(instant_of(v, zone), zone);
}

/// One value of a DTSTART-like property, honouring VALUE= and TZID= (§3.2.19, §3.2.20).
result<time_value> parse_time(const property& p, std::string_view text,
                              const calendar_context& ctx) {
  auto v = parse_time_digits(text);
  if (!v) {
    return parse_fail(p.line,
                      p.name + " is not a DATE or DATE-TIME: \"" + std::string(text) + "\"");
  }
  if (const auto type = p.param("VALUE")) {
    if (iequals(*type, "DATE") && !v->is_date) {
      return parse_fail(p.line, p.name + " has VALUE=DATE but a time");
    }
    if (iequals(*type, "DATE-TIME") && v->is_date) {
      return parse_fail(p.line, p.name + " has VALUE=DATE-TIME but no time");
    }
  }
  if (const auto tzid = p.param("TZID"); tzid && !v->is_date && !v->utc) {
    auto zone = map_zone(*tzid, &ctx);
    if (!zone) {
      return fail(errc::unknown_zone, p.line, "zone",
                  "unknown time zone \"" + std::string(*tzid) + "\"");
    }
    v->zone = std::move(*zone);
  }
  return *v;
}

/// The comma-separated values of RDATE or EXDATE (§3.8.5.1, §3.8.5.2); of a PERIOD only the
/// start counts, since every occurrence of an event has the event's duration.
result<std::vector<time_value>> parse_time_list(const property& p, const calendar_context& ctx) {
  std::vector<time_value> out;
  const bool period = p.param("VALUE") && iequals(*p.param("VALUE"), "PERIOD");
  std::string_view rest = p.value;
  for (;;) {
    const std::size_t comma = rest.find(',');
    std::string_view item = trim(rest.substr(0, comma));
    if (period) item = item.substr(0, item.find('/'));
    if (!item.empty()) {
      auto v = parse_time(p, item, ctx);
      if (!v) return v.error();
      out.push_back(std::move(*v));
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

/// A DURATION value (§3.3.6): "[+-]P" then weeks, or days and/or "T" hours, minutes, seconds.
/// Days count as 24 hours here: events keep their length in real time.
std::optional<seconds> parse_duration(std::string_view s) {
  s = trim(s);
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || s.front() != 'P') return std::nullopt;
  s.remove_prefix(1);
  std::int64_t total = 0;
  bool in_time = false, any = false;
  while (!s.empty()) {
    if (s.front() == 'T') {
      if (in_time) return std::nullopt;
      in_time = true;
      s.remove_prefix(1);
      continue;
    }
    std::size_t n = 0;
    std::int64_t value = 0;
    while (n < s.size() && s[n] >= '0' && s[n] <= '9') {
      value = value * 10 + (s[n] - '0');
      if (value > 100000000) return std::nullopt;
      ++n;
    }
    if (n == 0 || n >= s.size()) return std::nullopt;
    const char unit = s[n];
    s.remove_prefix(n + 1);
    if (!in_time && unit == 'W') {
      value *= std::int64_t{7} * 86400;
    } else if (!in_time && unit == 'D') {
      value *= 86400;
    } else if (in_time && unit == 'H') {
      value *= 3600;
    } else if (in_time && unit == 'M') {
      value *= 60;
    } else if (!(in_time && unit == 'S')) {
      return std::nullopt;
    }
    total += value;
    any = true;
  }
  if (!any) return std::nullopt;
  return seconds(negative ? -total : total);
}

/// Unescapes a TEXT value (§3.3.11): "\\" "\;" "\," and "\n" or "\N". Other escapes, which
/// the RFC does not define but some writers produce ("\:"), keep the escaped character.
std::string unescape_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out.push_back(s[i]);
      continue;
    }
    const char next = s[++i];
    out.push_back(next == 'n' || next == 'N' ? '\n' : next);
  }
  return out;
}

/// A UTC DATE-TIME such as DTSTAMP (§3.3.5 form #2); floating ones are read as UTC too.
result<utc_seconds> parse_utc(const property& p) {
  const auto v = parse_time_digits(p.value);
  if (!v) return parse_fail(p.line, p.name + " is not a DATE-TIME: \"" + p.value + "\"");
  return utc_seconds(v->local.time_since_epoch());
}

/// The values of a TEXT list such as CATEGORIES (§3.8.1.2): separated by commas, where "\,"
/// is a comma inside a value; each unescaped and without the blanks around it.
std::vector<std::string> split_text_list(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i + 1 < s.size() && s[i] == '\\') {
      ++i;  // the escaped character, a comma too, belongs to this value
      continue;
    }
    if (i < s.size() && s[i] != ',') continue;
    out.push_back(unescape_text(trim(s.substr(start, i - start))));
    start = i + 1;
  }
  return out;
}

/// The kind of an event by what we write (ical_writer.cpp): X-TREFFPUNKT-KIND, else a
/// CATEGORIES value that is our label of an exchange offer in any language, else of a meeting,
/// ASCII case-insensitively; none when the file says neither (other programs' categories).
std::optional<event_kind> kind_of(const property* x_kind,
                                  const std::vector<const property*>& categories) {
  if (x_kind != nullptr) {
    for (const event_kind k : {event_kind::meeting, event_kind::exchange_offer}) {
      if (iequals(trim(x_kind->value), category_label(k, std::nullopt))) return k;
    }
  }
  for (const event_kind k : {event_kind::exchange_offer, event_kind::meeting}) {
    for (const property* p : categories) {
      for (const std::string& value : split_text_list(p->value)) {
        for (const auto lang : {std::optional<language>{}, std::optional{language::de},
                                std::optional{language::en}}) {
          if (iequals(value, category_label(k, lang))) return k;
        }
      }
    }
  }
  return std::nullopt;
}

/// Takes the host line our feeds write first in DESCRIPTION (host_line, in either language)
/// off `description`, with the blank line after it; other text stays as it is.
void strip_host_line(std::string& description, const std::string& host) {
  for (const auto lang : {language::de, language::en}) {
    const std::string line = host_line(host, lang);
    if (!description.starts_with(line)) continue;
    const std::string_view rest = std::string_view(description).substr(line.size());
    if (rest.empty() || rest.starts_with("\n\n")) {
      description.erase(0, line.size() + std::min<std::size_t>(rest.size(), 2));
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Step 3: one VEVENT.

/// A VEVENT read on its own; RECURRENCE-ID instances are merged into their master later.
struct parsed_vevent {
  int begin_line = 0;
  event ev;
  bool has_end = false;  ///< DTEND or DURATION present
  stated_fields stated;
  std::optional<time_value> recurrence_id;
  int recurrence_id_line = 0;
  std::vector<std::pair<time_value, int>> exdates;  ///< value, line
  /// Overrides by key while reading (sorted and unique, as event::overrides must be).
  std::map<occurrence_key, occurrence_override> overrides;
  int dtstart_line = 0, end_line = 0, rrule_line = 0, summary_line = 0;
};

/// RFC 5545 §3.3.10 wants UNTIL in UTC when DTSTART has a TZID, yet some writers put the
/// wall-clock time; such an UNTIL is turned into UTC in the event's zone before parsing.
std::string normalise_until(std::string_view rule, std::string_view zone) {
  std::string out;
  std::string_view rest = rule;
  for (;;) {
    const std::size_t semi = rest.find(';');
    const std::string_view part = rest.substr(0, semi);
    if (!out.empty()) out.push_back(';');
    const std::size_t eq = part.find('=');
    if (eq != std::string_view::npos && iequals(part.substr(0, eq), "UNTIL")) {
      const auto v = parse_time_digits(part.substr(eq + 1));
      if (v && !v->is_date && !v->utc) {
        out += "UNTIL=" + date::format("%Y%m%dT%H%M%SZ", to_utc(v->local, zone));
      } else {
        out += part;
      }
    } else {
      out += part;
    }
    if (semi == std::string_view::npos) break;
    rest.remove_prefix(semi + 1);
  }
  return out;
}

// NOLINTNEXTLINE(readability-function-cognitive-complexity): one branch per §3.6.1 property
result<parsed_vevent> read_vevent(const component& c, const calendar_context& ctx) {
  parsed_vevent pv;
  pv.begin_line = c.line;
  event& ev = pv.ev;
  ev.duration = seconds(0);
  const property *dtstart = nullptr, *dtend = nullptr, *duration = nullptr, *rrule = nullptr;
  const property *created = nullptr, *last_modified = nullptr, *dtstamp = nullptr;
  std::vector<const property*> rdates, exdates, categories;
  const property* x_kind = nullptr;
  const property* x_host = nullptr;
  // Properties that §3.6.1 allows at most once: a second one is a broken file.
  auto once = [](const property*& slot, const property& p) -> result<void> {
    if (slot != nullptr) {
      return parse_fail(p.line, "second " + p.name + " in VEVENT (first at line " +
                                    std::to_string(slot->line) + ")");
    }
    slot = &p;
    return {};
  };
  const property *uid = nullptr, *summary = nullptr, *description = nullptr, *location = nullptr,
                 *url = nullptr, *sequence = nullptr, *status = nullptr, *recurrence_id = nullptr;
  for (const auto& p : c.props) {
    result<void> r;
    if (p.name == "DTSTART") {
      r = once(dtstart, p);
    } else if (p.name == "DTEND") {
      r = once(dtend, p);
    } else if (p.name == "DURATION") {
      r = once(duration, p);
    } else if (p.name == "UID") {
      r = once(uid, p);
    } else if (p.name == "SUMMARY") {
      r = once(summary, p);
    } else if (p.name == "DESCRIPTION") {
      r = once(description, p);
    } else if (p.name == "LOCATION") {
      r = once(location, p);
    } else if (p.name == "URL") {
      r = once(url, p);
    } else if (p.name == "SEQUENCE") {
      r = once(sequence, p);
    } else if (p.name == "STATUS") {
      r = once(status, p);
    } else if (p.name == "RECURRENCE-ID") {
      r = once(recurrence_id, p);
    } else if (p.name == "RRULE") {
      r = once(rrule, p);
    } else if (p.name == "CREATED") {
      r = once(created, p);
    } else if (p.name == "LAST-MODIFIED") {
      r = once(last_modified, p);
    } else if (p.name == "DTSTAMP") {
      r = once(dtstamp, p);
    } else if (p.name == "RDATE") {
      rdates.push_back(&p);
    } else if (p.name == "EXDATE") {
      exdates.push_back(&p);
    } else if (p.name == "CATEGORIES") {
      categories.push_back(&p);  // §3.8.1.2: may appear more than once
    } else if (p.name == "X-TREFFPUNKT-KIND" && x_kind == nullptr) {
      x_kind = &p;
    } else if (p.name == "X-TREFFPUNKT-HOST" && x_host == nullptr) {
      x_host = &p;
    }
    // Everything else (ATTENDEE, ORGANIZER, CLASS, TRANSP, X-MICROSOFT-CDO-*,
    // X-APPLE-*, X-MOZ-*, ...) has no place in the domain and is ignored.
    if (!r) return r.error();
    // An unknown TZID is reported where it first appears (Outlook writes DTEND before
    // DTSTART), not where the interpretation below happens to look first.
    const bool timed_property = p.name == "DTSTART" || p.name == "DTEND" || p.name == "RDATE" ||
                                p.name == "EXDATE" || p.name == "RECURRENCE-ID";
    if (const auto tzid = p.param("TZID"); timed_property && tzid && !map_zone(*tzid, &ctx)) {
      return fail(errc::unknown_zone, p.line, "zone",
                  "unknown time zone \"" + std::string(*tzid) + "\"");
    }
  }

  if (uid == nullptr || trim(uid->value).empty()) {
    return fail(errc::invalid_value, c.line, "uid", "VEVENT without UID");
  }
  ev.uid = std::string(trim(uid->value));
  if (dtstart == nullptr)
    return fail(errc::invalid_value, c.line, "start", "VEVENT without DTSTART");
  pv.dtstart_line = dtstart->line;

  if (sequence != nullptr) {
    const auto n = digits(trim(sequence->value));
    if (!n || trim(sequence->value).empty()) {
      return parse_fail(sequence->line, "SEQUENCE is not a number: \"" + sequence->value + "\"");
    }
    ev.sequence = *n;
  }
  // The domain has one "changed" stamp; LAST-MODIFIED says it best, DTSTAMP is the fallback
  // (§3.8.7.2: without METHOD, DTSTAMP is when the object was last revised in the store).
  if (last_modified != nullptr || dtstamp != nullptr) {
    auto t = parse_utc(last_modified != nullptr ? *last_modified : *dtstamp);
    if (!t) return t.error();
    ev.last_modified = *t;
  }
  ev.created = ev.last_modified;
  if (created != nullptr) {
    auto t = parse_utc(*created);
    if (!t) return t.error();
    ev.created = *t;
  }
  const auto kind = kind_of(x_kind, categories);
  ev.kind = kind.value_or(event_kind::meeting);
  pv.stated.kind = kind.has_value();
  if (status != nullptr && iequals(trim(status->value), "CANCELLED")) {
    ev.status = event_status::cancelled;
  }
  if (summary != nullptr) {
    ev.title = unescape_text(summary->value);
    pv.summary_line = summary->line;
  }
  if (description != nullptr) {
    ev.description = unescape_text(description->value);
    // The host line our feeds put first (host_line) is the store's, not the text's.
    if (x_host != nullptr) strip_host_line(ev.description, unescape_text(x_host->value));
  }
  if (location != nullptr) ev.location = unescape_text(location->value);
  if (url != nullptr) ev.online_url = std::string(trim(url->value));

  // DTSTART (§3.8.2.4). A TZID names the event's zone; UTC and floating times are shown in
  // the calendar's zone (X-WR-TIMEZONE, else Europe/Berlin), so that a series of UTC
  // times still keeps its wall-clock time across DST the way its author saw it.
  auto start = parse_time(*dtstart, dtstart->value, ctx);
  if (!start) return start.error();
  ev.zone = start->zone ? *start->zone : ctx.zone;
  ev.all_day = start->is_date;
  ev.start = local_in(*start, ev.zone);
  const utc_seconds start_instant = instant_of(*start, ev.zone);

  // DTEND or DURATION (§3.6.1, §3.8.2.2, §3.8.2.5); both at once is not allowed.
  if (dtend != nullptr && duration != nullptr) {
    const property& later = dtend->line > duration->line ? *dtend : *duration;
    return parse_fail(later.line, "VEVENT has both DTEND and DURATION");
  }
  if (dtend != nullptr) {
    pv.end_line = dtend->line;
    auto end = parse_time(*dtend, dtend->value, ctx);
    if (!end) return end.error();
    if (end->is_date != start->is_date) {
      return parse_fail(dtend->line, "DTEND is not of the same value type as DTSTART");
    }
    // An all-day event lasts whole days by the calendar; a timed one real time between two
    // instants, whatever zones they are written in.
    const seconds length =
        start->is_date ? end->local - start->local : instant_of(*end, ev.zone) - start_instant;
    if (length < seconds(0)) {
      return fail(errc::end_before_start, dtend->line, "end", "DTEND is before DTSTART");
    }
    ev.duration = length;
  } else if (duration != nullptr) {
    pv.end_line = duration->line;
    const auto length = parse_duration(duration->value);
    if (!length)
      return parse_fail(duration->line, "DURATION is malformed: \"" + duration->value + "\"");
    if (*length < seconds(0)) {
      return fail(errc::end_before_start, duration->line, "end", "DURATION is negative");
    }
    if (start->is_date && *length % std::chrono::days(1) != seconds(0)) {
      return fail(errc::invalid_value, duration->line, "end",
                  "DURATION of an all-day event is not whole days");
    }
    ev.duration = *length;
  }
  pv.has_end = dtend != nullptr || duration != nullptr;
  // §3.6.1: with no end, a DATE event lasts one day and a DATE-TIME event zero time. Events
  // here must have a length, so a timed event without an end, or with DTEND equal to DTSTART
  // (as Google writes "reminder" entries), lasts one hour; an all-day one one day.
  if (ev.duration == seconds(0)) {
    ev.duration = start->is_date ? seconds(std::chrono::days(1)) : seconds(std::chrono::hours(1));
  }

  if (recurrence_id != nullptr) {
    if (const auto range = recurrence_id->param("RANGE");
        range && iequals(*range, "THISANDFUTURE")) {
      return parse_fail(recurrence_id->line, "RECURRENCE-ID;RANGE=THISANDFUTURE is not supported");
    }
    auto rid = parse_time(*recurrence_id, recurrence_id->value, ctx);
    if (!rid) return rid.error();
    pv.recurrence_id = std::move(*rid);
    pv.recurrence_id_line = recurrence_id->line;
    return pv;  // an instance: its own RRULE, RDATE and EXDATE would mean nothing
  }

  if (rrule != nullptr) {
    pv.rrule_line = rrule->line;
    const std::string text = normalise_until(trim(rrule->value), ev.zone);
    auto rule = recurrence_rule::parse(text);
    if (!rule) {
      error e = rule.error();
      e.line = rrule->line;
      if (e.field.empty()) e.field = "rrule";
      return e;
    }
    ev.rule = std::move(*rule);
  }
  std::size_t dates = 0;
  for (const property* p : rdates) {
    auto values = parse_time_list(*p, ctx);
    if (!values) return values.error();
    for (const auto& v : *values) {
      if (++dates > max_dates_per_event) {
        return fail(errc::out_of_bounds, p->line, "rdates", "too many RDATE/EXDATE values");
      }
      if (v.is_date != start->is_date) {
        return parse_fail(p->line, "RDATE is not of the same value type as DTSTART");
      }
      ev.rdates.push_back(local_in(v, ev.zone));
    }
  }
  std::sort(ev.rdates.begin(), ev.rdates.end());
  ev.rdates.erase(std::unique(ev.rdates.begin(), ev.rdates.end()), ev.rdates.end());
  for (const property* p : exdates) {
    auto values = parse_time_list(*p, ctx);
    if (!values) return values.error();
    for (auto& v : *values) {
      if (++dates > max_dates_per_event) {
        return fail(errc::out_of_bounds, p->line, "overrides", "too many RDATE/EXDATE values");
      }
      pv.exdates.emplace_back(std::move(v), p->line);
    }
  }
  return pv;
}

/// The key (§3.8.4.4) an EXDATE or RECURRENCE-ID value names in `series`. A value of the
/// other type than DTSTART is read the way clients mean it: a DATE on a timed series is that
/// day's occurrence (older Apple and Outlook exports), a DATE-TIME on an all-day one its day.
occurrence_key key_for(const time_value& v, const event& series) {
  if (series.all_day) {
    if (v.is_date)
      return occurrence_key::all_day(
          date::sys_days(date::floor<date::days>(v.local).time_since_epoch()));
    const local_seconds local = local_in(v, series.zone);
    return occurrence_key::all_day(
        date::sys_days(date::floor<date::days>(local).time_since_epoch()));
  }
  if (v.is_date) {
    const auto time_of_day = series.start - date::floor<date::days>(series.start);
    return occurrence_key::timed(to_utc(v.local + time_of_day, series.zone));
  }
  return occurrence_key::timed(instant_of(v, series.zone));
}

/// Inserts `o` unless its key is taken; a cancellation beats any other change of the same
/// occurrence (an EXDATE for an instance that also has a RECURRENCE-ID VEVENT).
result<void> add_override(parsed_vevent& series, occurrence_override o, int line) {
  const auto [it, inserted] = series.overrides.try_emplace(o.key, o);
  if (inserted) return {};
  occurrence_override& existing = it->second;
  if (existing.cancelled && o.cancelled) return {};  // the same date twice in EXDATE
  if (existing.cancelled || o.cancelled) {
    if (o.cancelled) existing = std::move(o);
    return {};
  }
  return parse_fail(line,
                    "second RECURRENCE-ID " + o.key.to_string() + " for UID " + series.ev.uid);
}

/// Folds a RECURRENCE-ID instance into its series: only what differs is kept (occurrence
/// overrides leave empty what the series decides).
result<void> merge_instance(parsed_vevent& master, const parsed_vevent& inst) {
  const event& series = master.ev;
  const event& ie = inst.ev;
  occurrence_override o;
  o.key = key_for(*inst.recurrence_id, series);
  o.sequence = ie.sequence;
  o.last_modified = ie.last_modified;
  if (ie.status == event_status::cancelled) {
    // §3.8.1.11 on an instance: that one occurrence is off.
    o.cancelled = true;
    return add_override(master, std::move(o), inst.recurrence_id_line);
  }
  if (ie.all_day != series.all_day) {
    return parse_fail(inst.dtstart_line,
                      "DTSTART of the instance is not of the same value type as its series");
  }
  const local_seconds new_start =
      series.all_day ? ie.start : to_local(to_utc(ie.start, ie.zone), series.zone);
  // The key is the original start: an instance whose DTSTART is elsewhere was moved.
  const utc_seconds original = o.key.instant();
  if (series.all_day ? new_start != local_seconds(original.time_since_epoch())
                     : to_utc(new_start, series.zone) != original) {
    o.start = new_start;
  }
  if (inst.has_end && ie.duration != series.duration) o.duration = ie.duration;
  // An instance replaces the whole occurrence (§3.8.4.4), so a missing text is an empty one.
  if (ie.title != series.title) o.title = ie.title;
  if (ie.description != series.description) o.description = ie.description;
  if (ie.location != series.location) o.location = ie.location;
  if (ie.online_url != series.online_url) o.online_url = ie.online_url;
  return add_override(master, std::move(o), inst.recurrence_id_line);
}

/// The line to blame for a validate() failure: the property the field comes from, else BEGIN.
int line_for_field(const parsed_vevent& pv, std::string_view field) {
  int line = 0;
  if (field == "title") line = pv.summary_line;
  if (field == "start" || field == "zone" || field == "all_day") line = pv.dtstart_line;
  if (field == "end" || field == "duration") line = pv.end_line;
  if (field == "rrule" || field == "rule") line = pv.rrule_line;
  return line > 0 ? line : pv.begin_line;
}

}  // namespace

// NOLINTNEXTLINE(readability-function-cognitive-complexity): zones, events, overrides, in order
result<std::vector<file_event>> read_file_events(std::string_view text) {
  if (text.size() > max_input_bytes) {
    return fail(errc::out_of_bounds, 0, {}, "input larger than 10 MiB");
  }
  auto lines = unfold(text);
  if (!lines) return lines.error();
  auto calendars = build_tree(*lines);
  if (!calendars) return calendars.error();
  lines->clear();

  std::vector<parsed_vevent> masters;
  std::vector<parsed_vevent> instances;
  for (const auto& cal : *calendars) {
    calendar_context ctx;
    for (const auto& child : cal.children) {
      if (child.name != "VTIMEZONE") continue;
      const property *tzid = nullptr, *location = nullptr;
      for (const auto& p : child.props) {
        if (p.name == "TZID") tzid = &p;
        if (p.name == "X-LIC-LOCATION") location = &p;
      }
      if (tzid != nullptr && location != nullptr) {
        ctx.locations.emplace(std::string(trim(tzid->value)), std::string(trim(location->value)));
      }
    }
    // X-WR-TIMEZONE (Google, Apple): the calendar's zone for floating and UTC times.
    for (const auto& p : cal.props) {
      if (p.name != "X-WR-TIMEZONE") continue;
      auto zone = map_zone(p.value, &ctx);
      if (!zone) {
        return fail(errc::unknown_zone, p.line, "zone", "unknown time zone \"" + p.value + "\"");
      }
      ctx.zone = std::move(*zone);
    }
    for (const auto& child : cal.children) {
      if (child.name != "VEVENT") continue;
      auto pv = read_vevent(child, ctx);
      if (!pv) return pv.error();
      (pv->recurrence_id ? instances : masters).push_back(std::move(*pv));
    }
  }

  std::map<std::string, std::size_t, std::less<>> by_uid;
  for (std::size_t i = 0; i < masters.size(); ++i) {
    auto& pv = masters[i];
    if (!by_uid.emplace(pv.ev.uid, i).second) {
      return parse_fail(pv.begin_line, "second VEVENT with UID " + pv.ev.uid +
                                           " and no RECURRENCE-ID (first at line " +
                                           std::to_string(masters[by_uid[pv.ev.uid]].begin_line) +
                                           ")");
    }
    // EXDATE (§3.8.5.1): each value cancels one occurrence, written back as an EXDATE.
    for (const auto& [v, line] : pv.exdates) {
      occurrence_override o;
      o.key = key_for(v, pv.ev);
      o.cancelled = true;
      o.sequence = pv.ev.sequence;
      o.last_modified = pv.ev.last_modified;
      auto r = add_override(pv, std::move(o), line);
      if (!r) return r.error();
    }
  }
  std::vector<parsed_vevent> orphans;
  for (auto& inst : instances) {
    const auto it = by_uid.find(inst.ev.uid);
    if (it == by_uid.end()) {
      // Google exports an instance of someone else's series the user was invited to without
      // its master. It becomes a one-off event; its UID gets the original start so that it
      // stays unique and the same on the next import.
      inst.ev.uid += "/" + key_for(*inst.recurrence_id, inst.ev).to_string();
      orphans.push_back(std::move(inst));
      continue;
    }
    auto r = merge_instance(masters[it->second], inst);
    if (!r) return r.error();
  }
  for (auto& o : orphans) {
    if (!by_uid.emplace(o.ev.uid, masters.size()).second) {
      return parse_fail(o.recurrence_id_line, "second RECURRENCE-ID for UID " + o.ev.uid);
    }
    masters.push_back(std::move(o));
  }

  std::vector<file_event> events;
  events.reserve(masters.size());
  for (auto& pv : masters) {
    for (auto& [key, o] : pv.overrides) pv.ev.overrides.push_back(std::move(o));
    if (auto r = validate(pv.ev); !r) {
      error e = r.error();
      e.line = line_for_field(pv, e.field);
      return e;
    }
    events.push_back({std::move(pv.ev), pv.stated});
  }
  return events;
}

result<std::vector<event>> read_events(std::string_view text) {
  auto read = read_file_events(text);
  if (!read) return read.error();
  std::vector<event> events;
  events.reserve(read->size());
  for (auto& f : *read) events.push_back(std::move(f.ev));
  return events;
}

}  // namespace treffpunkt::calendar
