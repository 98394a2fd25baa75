#pragma once
/// JSON in and out of the API (docs/api.md): answers, errors as {"error": {"code", "message",
/// "field"}}, and request bodies read into plain structs with Boost.JSON's value_to and a
/// tag_invoke per body (api_bodies.h), behind one check of content type, UTF-8, syntax and
/// unknown fields.

#include <server/http.h>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_to.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../problem.h"

namespace treffpunkt::server {

class request_context;

template <class T>
using api_result = boost::system::result<T, problem>;

/// Lets api_result<T>::value() throw (found by ADL); handlers check before they take values.
[[noreturn]] void throw_exception_from_error(const problem& p, const boost::source_location& loc);

http_response json_response(unsigned status, const boost::json::value& body);

/// {"error": {"code", "message", "field"}} with the problem's status (and WWW-Authenticate:
/// Bearer with a 401).
http_response error_response(const problem& p);

/// Thrown by the readers below while a body is turned into its struct (value_to): the one
/// reading it (read_body) turns it into its answer, so that no half-read body is used.
struct bad_body {
  problem why;
};

/// The fields of one JSON object, read with their types checked: a missing required field is
/// 422 "NAME is required", a wrong type 400 "wrong_type" ("NAME must be a string").
class field_reader {
 public:
  explicit field_reader(const boost::json::value& v);

  std::optional<std::string> text(std::string_view name, bool required = false) const;
  std::optional<bool> boolean(std::string_view name, bool required = false) const;
  /// An integer; a number beyond int64 reads as the largest int64 (then out of any range).
  std::optional<std::int64_t> integer(std::string_view name) const;
  /// A field that may be null to remove what it sets: none when absent, a set none for null.
  std::optional<std::optional<std::int64_t>> nullable_integer(std::string_view name) const;
  std::optional<std::optional<std::string>> nullable_text(std::string_view name) const;
  std::optional<std::vector<std::string>> texts(std::string_view name) const;
  std::optional<std::vector<std::int64_t>> integers(std::string_view name, std::string_view wanted,
                                                    bool required = false) const;

  /// 422 "invalid" for the field.
  [[noreturn]] static void invalid(std::string_view name, std::string message);

 private:
  const boost::json::value* get(std::string_view name, bool required) const;
  [[noreturn]] static void wrong_type(std::string_view name, std::string_view wanted);
  const boost::json::object& object_;
};

/// The request's body as a JSON object: 415 for another content type (or a charset other than
/// UTF-8), 400 bad_utf8, 400 bad_json for bad syntax or anything but an object, 422 for a field
/// not in `known`.
api_result<boost::json::value> read_object(const request_context& ctx,
                                           std::span<const std::string_view> known);

/// The request's body read into T: read_object with T's fields (T::fields), then
/// boost::json::value_to<T>, whose tag_invoke reads with a field_reader.
template <class T>
api_result<T> read_body(const request_context& ctx) {
  auto object = read_object(ctx, T::fields);
  if (!object) return object.error();
  try {
    return boost::json::value_to<T>(*object);
  } catch (const bad_body& e) {
    return e.why;
  }
}

}  // namespace treffpunkt::server
