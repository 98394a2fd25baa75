#include <calendar/clock.h>
#include <date/date.h>

#include <sstream>
#include <string>

namespace treffpunkt::calendar {

clock clock::starting_at(utc_seconds start) {
  clock c;
  c.offset_ = start - std::chrono::system_clock::now();
  return c;
}

utc_seconds clock::now() const {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now() + offset_);
}

std::optional<utc_seconds> parse_utc(std::string_view text) {
  for (const char* format : {"%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%MZ"}) {
    std::istringstream in{std::string(text)};
    utc_seconds t;
    in >> date::parse(format, t);
    if (in && in.peek() == std::char_traits<char>::eof()) return t;
  }
  return std::nullopt;
}

}  // namespace treffpunkt::calendar
