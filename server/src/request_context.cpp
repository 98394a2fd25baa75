#include "request_context.h"

#include <algorithm>
#include <boost/url/parse_path.hpp>
#include <boost/url/parse_query.hpp>

#include "services.h"

namespace treffpunkt::server {
namespace {

namespace urls = boost::urls;

/// Boost.URL's views as the standard's (no strlen on the way: views need not end in NUL).
std::string_view sv(urls::string_view s) { return {s.data(), s.size()}; }
urls::string_view bv(std::string_view s) { return {s.data(), s.size()}; }

/// The pairs of a query or form body; none for an empty one (Boost 1.81's parse_query reads a
/// view without characters as a C string) or a badly encoded one.
std::optional<urls::params_encoded_view> pairs_of(std::string_view text) {
  if (text.empty()) return std::nullopt;
  auto parsed = urls::parse_query(bv(text));
  if (!parsed) return std::nullopt;
  return *parsed;
}

/// The decoded value of the first `name` in `pairs` (a query or a form body); none when absent,
/// or when `pairs` is not a valid query (a bad escape anywhere: nothing in it is trusted).
std::optional<std::string> first_value(std::string_view pairs, std::string_view name) {
  const auto parsed = pairs_of(pairs);
  if (!parsed) return std::nullopt;
  for (const auto& p : *parsed) {
    if (sv(p.key) != name) continue;  // our names are plain ASCII: no escapes to compare
    return p.value.decode(urls::encoding_opts(true));  // '+' is a space in forms
  }
  return std::nullopt;
}

}  // namespace

request_context::request_context(const http_request& request, services& app,
                                 calendar::utc_seconds now)
    : request_(request), app_(app), now_(now) {
  // origin-form (RFC 9112 §3.2.1): an absolute path and an optional query. Each is checked by
  // Boost.URL's own grammar: the path here, on every request (parse_path is a third of the cost
  // of parse_origin_form, and feeds are the hot path), the query too when there is one.
  const std::string_view target = request.target;
  const auto question = target.find('?');
  const auto path = target.substr(0, question);
  if (!path.starts_with('/') || !urls::parse_path(bv(path))) return;
  const auto query =
      question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
  if (!query.empty() && !urls::parse_query(bv(query))) return;
  valid_target_ = true;
  path_ = path;
  query_ = query;
}

storage::store& request_context::store() const { return app_.store; }

std::optional<std::string> request_context::query(std::string_view name) const {
  return first_value(query_, name);
}

std::string_view request_context::plain_query(std::string_view name) const {
  const auto parsed = pairs_of(query_);
  if (!parsed) return {};
  for (const auto& p : *parsed) {
    if (sv(p.key) != name) continue;
    const std::string_view raw = sv(p.value);
    const bool plain = raw.size() <= 16 && std::all_of(raw.begin(), raw.end(), [](char c) {
                         return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                (c >= '0' && c <= '9') || c == '-';
                       });
    return plain ? raw : std::string_view{};
  }
  return {};
}

std::optional<std::string> request_context::form(std::string_view name) const {
  return first_value(request_.body, name);
}

std::vector<std::string> request_context::form_values(std::string_view name) const {
  std::vector<std::string> out;
  const auto parsed = pairs_of(request_.body);
  if (!parsed) return out;
  for (const auto& p : *parsed) {
    if (sv(p.key) == name && p.has_value) out.push_back(p.value.decode(urls::encoding_opts(true)));
  }
  return out;
}

const caller& request_context::who() const {
  if (!who_) who_ = authenticate(app_.members, request_, now_);
  return *who_;
}

const std::optional<storage::person>& request_context::member() const {
  if (!member_) member_ = who().valid ? who().who : std::nullopt;
  return *member_;
}

web::language request_context::lang() const {
  if (!lang_) {
    lang_ = web::negotiate_language(plain_query("lang"),
                                    cookie_value(request_.cookie, "lang").value_or(""),
                                    request_.accept_language);
  }
  return *lang_;
}

bool request_context::lang_chosen() const {
  const auto param = plain_query("lang");
  return !param.empty() && web::parse_language(param).has_value();
}

const std::string& request_context::csrf_token() const {
  if (!csrf_) {
    if (auto existing = csrf_from_cookie(request_)) {
      csrf_ = std::move(*existing);
      from_cookie_ = true;
    } else {
      csrf_ = new_csrf_token();
    }
  }
  return *csrf_;
}

void request_context::set_csrf_cookie(http_response& r) const {
  // Strict: the token is never needed on a request that comes from another site.
  if (csrf_is_new()) r.headers.emplace_back("Set-Cookie", csrf_set_cookie(*csrf_, base_url()));
}

bool request_context::csrf_valid() const {
  return server::csrf_valid(request_, form_value("csrf"));
}

feed_cache& request_context::site_of() const {
  if (site_ == nullptr) site_ = &app_.site_for(request_);
  return *site_;
}

std::string_view request_context::base_url() const { return site_of().base_url(); }

usecases::context request_context::use() const { return {app_.store, app_.mail, base_url(), now_}; }

}  // namespace treffpunkt::server
