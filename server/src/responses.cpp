#include "responses.h"

#include <algorithm>
#include <boost/algorithm/string/case_conv.hpp>
#include <boost/algorithm/string/classification.hpp>  // is_any_of
#include <boost/algorithm/string/trim.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <charconv>
#include <locale>
#include <utility>

namespace treffpunkt::server {

std::string url_encode(std::string_view s) {
  return boost::urls::encode(boost::urls::string_view(s.data(), s.size()),
                             boost::urls::unreserved_chars + '/');
}

std::string media_type(std::string_view content_type) {
  return boost::algorithm::to_lower_copy(
      std::string(boost::algorithm::trim_copy_if(content_type.substr(0, content_type.find(';')),
                                                 boost::algorithm::is_any_of(" \t"))),
      std::locale::classic());
}

std::optional<std::int64_t> parse_id(std::string_view digits) {
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || id <= 0) {
    return std::nullopt;
  }
  return id;
}

bool is_local_path(std::string_view next) {
  // "//host" and "/\host" name another origin (browsers read '\' as '/', WHATWG URL §4.4);
  // a scheme cannot come first when '/' does. Only visible ASCII: browsers drop tabs and
  // newlines inside URLs ("/\t/host" is "//host"), and CR/LF would end the header.
  if (next.empty() || next.size() > 1000 || next.front() != '/') return false;
  if (next.size() > 1 && (next[1] == '/' || next[1] == '\\')) return false;
  return std::all_of(next.begin(), next.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f && c != '\\';
  });
}

http_response see_other(std::string location) {
  auto r = http_response::text(303, "");
  r.headers.emplace_back("Location", std::move(location));
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

http_response to_login(std::string_view back) {
  return see_other("/login?next=" + url_encode(back));
}

http_response personal_html(unsigned status, std::string html, web::language lang) {
  auto r = http_response::text(status, std::move(html), "text/html; charset=utf-8");
  r.headers.emplace_back("Content-Language", std::string(web::tag(lang)));
  r.headers.emplace_back("Vary", "Accept-Language, Cookie");
  r.headers.emplace_back("Cache-Control", "private, no-store");
  return r;
}

http_response method_not_allowed(std::string_view allow) {
  auto r = http_response::text(405, "method not allowed\n");
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

http_response not_found_text() { return http_response::text(404, "not found\n"); }

http_response text_not_found(const request_context&) { return not_found_text(); }

http_response text_method_not_allowed(const request_context&, std::string_view allow) {
  return method_not_allowed(allow);
}

std::string cookie(std::string_view name, std::string_view value, std::chrono::seconds max_age,
                   std::string_view attributes, std::string_view base_url) {
  std::string out = std::string(name) + "=" + std::string(value) +
                    "; Path=/; Max-Age=" + std::to_string(max_age.count()) + "; " +
                    std::string(attributes);
  if (base_url.starts_with("https://")) out += "; Secure";
  return out;
}

std::string clear_session_cookie(std::string_view base_url) {
  return cookie("session", "", std::chrono::seconds(0), "HttpOnly; SameSite=Lax", base_url);
}

}  // namespace treffpunkt::server
