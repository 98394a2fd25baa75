#pragma once
/// Expected failures of the use cases' own rules (what a change must look like), as values.
/// Failures of the store pass through as storage::error.

#include <calendar/error.h>

#include <boost/system/error_category.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace treffpunkt::usecases {

enum class errc {
  required = 1,      ///< a field that must be given is missing
  invalid,           ///< a value breaks a rule (control characters, a link's scheme, a range)
  too_long,          ///< a text longer than its limit
  end_before_start,  ///< an end that is not after the start
  unknown_zone,      ///< not an IANA time zone the system's tzdata knows
  bad_rule,          ///< an RRULE that does not parse, or yields nothing from the start
  out_of_bounds,     ///< a date, interval, count or duration outside what treffpunkt accepts
};

const boost::system::error_category& usecases_category() noexcept;
boost::system::error_code make_error_code(errc e) noexcept;

/// A failure with the field at fault; the message is English, for logs and the API, and the
/// pages translate by code and field.
struct error {
  error() = default;
  error(errc c, std::string m, std::string f = {})
      : code(c), message(std::move(m)), field(std::move(f)) {}

  errc code = errc::invalid;
  std::string message;
  std::string field;
};

/// A calendar failure in the use cases' words: its field kept, or `field` when it has none.
/// (An occurrence that is not one, calendar's not_found, reads as invalid here.)
error from_calendar(const calendar::error& e, std::string_view field = {});

/// Lets result<T>::value() throw something meaningful (found by ADL).
[[noreturn]] void throw_exception_from_error(const error& e, const boost::source_location& loc);

template <class T>
using result = boost::system::result<T, error>;

}  // namespace treffpunkt::usecases

template <>
struct boost::system::is_error_code_enum<treffpunkt::usecases::errc> : std::true_type {};
