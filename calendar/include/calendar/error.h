#pragma once
/// Expected failures of the calendar domain, as values.

#include <boost/system/error_category.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <string>
#include <system_error>  // std::is_error_code_enum specialisation below

namespace treffpunkt::calendar {

/// What went wrong, coarse enough for an HTTP layer to map to a status and a translated text.
enum class errc {
  invalid_value = 1,    ///< a field is empty, malformed or out of range
  end_before_start,     ///< end is not after start
  unknown_zone,         ///< not an IANA time-zone name known to the system tzdata
  bad_rule,             ///< RRULE does not parse or uses something we do not support
  count_and_until,      ///< RRULE has both COUNT and UNTIL (RFC 5545 §3.3.10 forbids it)
  rule_yields_nothing,  ///< the rule and start produce no occurrence at all
  out_of_bounds,        ///< a date, interval, count or duration outside what we accept
  parse_error,          ///< an iCalendar file is broken
  not_found,            ///< an occurrence key that is not an occurrence of the event
};

const boost::system::error_category& calendar_category() noexcept;
boost::system::error_code make_error_code(errc e) noexcept;

/// A failure with enough detail to show next to a form field or to name a line of a file.
struct error {
  errc code = errc::invalid_value;
  std::string field;    ///< the field at fault ("rrule", "end", "zone", ...), empty if none
  std::string message;  ///< English, for logs and the CLI; the web layer translates by code
  int line = 0;         ///< 1-based line of an input file, 0 when not reading a file

  /// "line 12: ..." when a line is known, otherwise the message.
  std::string what() const;
};

/// Lets result<T, error>::value() throw something meaningful (found by ADL).
[[noreturn]] void throw_exception_from_error(const error& e, const boost::source_location& loc);

template <class T>
using result = boost::system::result<T, error>;

}  // namespace treffpunkt::calendar

template <>
struct boost::system::is_error_code_enum<treffpunkt::calendar::errc> : std::true_type {};
