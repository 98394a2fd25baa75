#include "page_helpers.h"

#include <algorithm>
#include <charconv>
#include <utility>

#include "url_pairs.h"

namespace treffpunkt::server {

std::string url_encode(std::string_view s) {
  static constexpr std::string_view hex = "0123456789ABCDEF";
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~' || c == '/') {
      out += c;
    } else {
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 0x0F];
    }
  }
  return out;
}

std::optional<std::int64_t> parse_id(std::string_view digits) {
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || id <= 0) {
    return std::nullopt;
  }
  return id;
}

std::vector<std::string_view> split_segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (true) {
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

std::string form_value(std::string_view body, std::string_view name) {
  return form_field(body, name).value_or("");
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

void set_viewer(web::page_context& ctx, const storage::store& store,
                const std::optional<storage::person>& who) {
  ctx.logged_in = who.has_value();
  ctx.is_admin = who && who->admin;
  ctx.can_manage = ctx.is_admin;
  if (!who || ctx.can_manage) return;
  const auto me = storage::actor::of(who->id);
  const auto units = store.units();
  ctx.can_manage = std::any_of(units.begin(), units.end(),
                               [&](const calendar::unit& u) { return store.may_edit(me, u.id); });
}

web::session make_session(const calendar::event& e, const calendar::unit& u,
                          const calendar::occurrence& o) {
  web::session s;
  s.event = e.id;
  s.key = o.key;
  s.title = std::string(o.title);
  s.unit_name = u.name;
  s.unit_slug = u.slug;
  s.start = o.local_start;
  s.end = o.local_end;
  s.all_day = e.all_day;
  s.cancelled = o.cancelled;
  s.moved = o.moved;
  return s;
}

}  // namespace treffpunkt::server
