#pragma once
/// Expected failures of the store, as values.

#include <boost/system/error_category.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <exception>
#include <string>
#include <system_error>
#include <utility>

namespace treffpunkt::storage {

enum class errc {
  not_found = 1,         ///< no such unit, event, occurrence, person or token
  conflict,              ///< unique value taken (slug, email, UID), or a stale write
  forbidden,             ///< the actor may not do this (not responsible of the unit, not admin)
  invalid,               ///< the data breaks a domain rule (validate() failed, bad answer, ...)
  occurrence_cancelled,  ///< RSVP to a cancelled occurrence
  occurrence_past,       ///< RSVP to an occurrence that has started
  rsvp_closed,           ///< RSVP after the event's RSVP deadline
  expired,               ///< a token or guest RSVP that is too old or already used
  schema_too_new,        ///< the database was written by a newer treffpunkt
  unavailable,           ///< the database cannot be written (disk full, read-only, locked)
  limit_reached,         ///< a member has as many proposals or wishes open as they may
  not_started,           ///< who came, recorded before the occurrence has started
};

const boost::system::error_category& storage_category() noexcept;
boost::system::error_code make_error_code(errc e) noexcept;

/// A failure with a message for logs and the CLI; the web layer translates by code.
struct error {
  error() = default;
  error(errc c, std::string m, std::string f = {})
      : code(c), message(std::move(m)), field(std::move(f)) {}

  errc code = errc::invalid;
  std::string message;
  std::string field;  ///< the field at fault when a domain rule failed, else empty
};

[[noreturn]] void throw_exception_from_error(const error& e, const boost::source_location& loc);

/// Whether `e`, thrown by the store, says the database cannot take the work now: a PostgreSQL
/// server that is down or restarting, a session lost (SQLite: busy, full, read-only). The
/// store's writes return that as errc::unavailable; its reads throw, and a request whose read
/// failed so may succeed later: 503, not 500.
bool is_unavailable(const std::exception& e) noexcept;

template <class T>
using result = boost::system::result<T, error>;

}  // namespace treffpunkt::storage

template <>
struct boost::system::is_error_code_enum<treffpunkt::storage::errc> : std::true_type {};
