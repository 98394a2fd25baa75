#pragma once
/// Expected failures of composing and delivering email, as values.

#include <boost/system/error_category.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <string>
#include <system_error>  // std::is_error_code_enum specialisation below
#include <utility>

namespace treffpunkt::notifications {

enum class errc {
  invalid_address = 1,  ///< not a plain addr-spec (local@domain, ASCII, no controls)
  invalid_value,        ///< a text is not UTF-8, a URL is not https, a part is missing
  method_mismatch,      ///< the text/calendar part's METHOD is not the one asked for
  temporary,            ///< delivery failed for now (4xx, refused, timeout): retry later
  permanent,            ///< delivery failed for good (5xx): do not retry
  unavailable,          ///< the outbox or the mail folder cannot be reached
};

const boost::system::error_category& notifications_category() noexcept;
boost::system::error_code make_error_code(errc e) noexcept;

/// A failure with a message for logs and the admin page (an SMTP reply, a file error).
struct error {
  error() = default;
  error(errc c, std::string m, std::string f = {})
      : code(c), message(std::move(m)), field(std::move(f)) {}

  errc code = errc::invalid_value;
  std::string message;
  std::string field;  ///< "to", "from", "subject", "unsubscribe", ... when a field is at fault
};

/// Lets result<T>::value() throw something meaningful (found by ADL).
[[noreturn]] void throw_exception_from_error(const error& e, const boost::source_location& loc);

template <class T>
using result = boost::system::result<T, error>;

}  // namespace treffpunkt::notifications

template <>
struct boost::system::is_error_code_enum<treffpunkt::notifications::errc> : std::true_type {};
