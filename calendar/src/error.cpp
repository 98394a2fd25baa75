#include <calendar/error.h>

#include <boost/throw_exception.hpp>
#include <stdexcept>

namespace treffpunkt::calendar {
namespace {

// boost::system::error_category has a protected non-virtual destructor by design (its
// instances are static); -Wnon-virtual-dtor cannot see that.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "treffpunkt.calendar"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::invalid_value:
        return "invalid value";
      case errc::end_before_start:
        return "end is not after start";
      case errc::unknown_zone:
        return "unknown time zone";
      case errc::bad_rule:
        return "invalid recurrence rule";
      case errc::count_and_until:
        return "recurrence rule has both COUNT and UNTIL";
      case errc::rule_yields_nothing:
        return "recurrence rule yields no occurrence";
      case errc::out_of_bounds:
        return "value out of bounds";
      case errc::parse_error:
        return "iCalendar parse error";
      case errc::not_found:
        return "no such occurrence";
    }
    return "unknown calendar error";
  }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& calendar_category() noexcept {
  static const category instance;
  return instance;
}

boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), calendar_category()};
}

std::string error::what() const {
  std::string text = message.empty() ? make_error_code(code).message() : message;
  if (line > 0) return "line " + std::to_string(line) + ": " + text;
  return text;
}

void throw_exception_from_error(const error& e, const boost::source_location& loc) {
  boost::throw_exception(std::runtime_error(e.what()), loc);
}

}  // namespace treffpunkt::calendar
