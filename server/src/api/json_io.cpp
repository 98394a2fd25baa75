#include "json_io.h"

#include <calendar/text.h>  // valid_utf8

#include <boost/algorithm/string/case_conv.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <limits>
#include <locale>
#include <stdexcept>

#include "../request_context.h"
#include "../responses.h"  // media_type

namespace treffpunkt::server {
namespace json = boost::json;

namespace {

/// Lower-cases ASCII letters only (the classic locale), as header values want.
std::string ascii_lower(std::string_view text) {
  return boost::algorithm::to_lower_copy(std::string(text), std::locale::classic());
}

/// "application/json" with optional parameters; a charset other than UTF-8 is refused.
bool is_json_type(std::string_view type) {
  if (media_type(type) != "application/json") return false;
  const auto semicolon = type.find(';');
  if (semicolon == std::string_view::npos) return true;
  const std::string params = ascii_lower(type.substr(semicolon + 1));
  const auto charset = params.find("charset=");
  if (charset == std::string::npos) return true;
  std::string value = params.substr(charset + 8);
  std::erase(value, '"');
  std::erase(value, ' ');
  return value == "utf-8";
}

}  // namespace

void throw_exception_from_error(const problem& p, const boost::source_location& /*loc*/) {
  throw std::runtime_error(p.code + ": " + p.message);
}

http_response json_response(unsigned status, const json::value& body) {
  return http_response::text(status, json::serialize(body) + "\n", "application/json");
}

http_response error_response(const problem& p) {
  json::object inner{{"code", p.code}, {"message", p.message}};
  if (!p.field.empty()) inner["field"] = p.field;
  auto r = json_response(p.status, json::object{{"error", std::move(inner)}});
  if (p.status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

field_reader::field_reader(const json::value& v) : object_(v.as_object()) {}

void field_reader::invalid(std::string_view name, std::string message) {
  throw bad_body{{422, "invalid", std::move(message), std::string(name)}};
}

void field_reader::wrong_type(std::string_view name, std::string_view wanted) {
  throw bad_body{{400, "wrong_type", std::string(name) + " must be " + std::string(wanted),
                  std::string(name)}};
}

const json::value* field_reader::get(std::string_view name, bool required) const {
  const auto* v = object_.if_contains(name);
  if (v == nullptr && required) invalid(name, std::string(name) + " is required");
  return v;
}

std::optional<std::string> field_reader::text(std::string_view name, bool required) const {
  const auto* v = get(name, required);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) wrong_type(name, "a string");
  return std::string(v->get_string());
}

std::optional<bool> field_reader::boolean(std::string_view name, bool required) const {
  const auto* v = get(name, required);
  if (v == nullptr) return std::nullopt;
  if (!v->is_bool()) wrong_type(name, "true or false");
  return v->get_bool();
}

std::optional<std::int64_t> field_reader::integer(std::string_view name) const {
  const auto* v = get(name, false);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return std::numeric_limits<std::int64_t>::max();
  wrong_type(name, "an integer");
}

std::optional<std::optional<std::int64_t>> field_reader::nullable_integer(
    std::string_view name) const {
  const auto* v = get(name, false);
  if (v == nullptr) return std::nullopt;
  if (v->is_null()) return std::optional<std::int64_t>{};
  if (v->is_int64()) return std::optional<std::int64_t>{v->get_int64()};
  if (v->is_uint64()) return std::optional<std::int64_t>{std::numeric_limits<std::int64_t>::max()};
  wrong_type(name, "an integer or null");
}

std::optional<std::optional<std::string>> field_reader::nullable_text(std::string_view name) const {
  const auto* v = get(name, false);
  if (v == nullptr) return std::nullopt;
  if (v->is_null()) return std::optional<std::string>{};
  if (!v->is_string()) wrong_type(name, "a string or null");
  return std::optional<std::string>{std::string(v->get_string())};
}

std::optional<std::vector<std::int64_t>> field_reader::integers(std::string_view name,
                                                                std::string_view wanted,
                                                                bool required) const {
  const auto* v = get(name, required);
  if (v == nullptr) return std::nullopt;
  if (!v->is_array()) wrong_type(name, wanted);
  std::vector<std::int64_t> out;
  for (const auto& item : v->get_array()) {
    if (!item.is_int64()) wrong_type(name, wanted);
    out.push_back(item.get_int64());
  }
  return out;
}

std::optional<std::vector<std::string>> field_reader::texts(std::string_view name) const {
  const auto* v = get(name, false);
  if (v == nullptr) return std::nullopt;
  if (!v->is_array()) wrong_type(name, "a list of strings");
  std::vector<std::string> out;
  for (const auto& item : v->get_array()) {
    if (!item.is_string()) wrong_type(name, "a list of strings");
    out.emplace_back(item.get_string());
  }
  return out;
}

api_result<json::value> read_object(const request_context& ctx,
                                    std::span<const std::string_view> known) {
  const auto& request = ctx.request();
  if (!is_json_type(request.content_type)) {
    return problem{415, "unsupported_media_type", "the body must be application/json", {}};
  }
  if (!calendar::valid_utf8(request.body)) {
    return problem{400, "bad_utf8", "the body is not valid UTF-8", {}};
  }
  boost::system::error_code ec;
  json::value v = json::parse(request.body, ec);
  if (ec) return problem{400, "bad_json", "the body is not JSON: " + ec.message(), {}};
  if (!v.is_object()) return problem{400, "bad_json", "the body must be a JSON object", {}};
  for (const auto& item : v.as_object()) {
    const std::string_view key = item.key();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return problem{422, "invalid", "unknown field " + std::string(key), std::string(key)};
    }
  }
  return v;
}

}  // namespace treffpunkt::server
