#pragma once
/// What the server-rendered pages (pages.cpp, manage_pages.cpp, login.cpp) share: reading
/// paths, ids and form fields, the answers that send a browser elsewhere, and the headers of a
/// personal page.

#include <calendar/event.h>
#include <calendar/expand.h>  // calendar::occurrence
#include <server/http.h>
#include <storage/store.h>
#include <web/i18n.h>   // web::language
#include <web/pages.h>  // web::session

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace treffpunkt::server {

/// Every byte but the unreserved ones and '/' percent-encoded (RFC 3986 §2.3): a path as the
/// value of a query parameter (`/login?next=/manage/units/a`).
std::string url_encode(std::string_view s);

/// A positive decimal id ("42"), or none (empty, signs, other characters, zero, overflow).
std::optional<std::int64_t> parse_id(std::string_view digits);

/// `path` split at each '/': "7/KEY" -> {"7", "KEY"}, "" -> {""}, "a/" -> {"a", ""}.
std::vector<std::string_view> split_segments(std::string_view path);

/// The decoded value of field `name` of a form body; empty if absent or badly encoded.
std::string form_value(std::string_view body, std::string_view name);

/// Whether `next` (decoded) may be where a login sends the browser back to: a path of this
/// site ("/manage/units/a?x=1"), never another origin ("//evil", "/\evil", "https://evil"),
/// no control characters, at most 1000 bytes.
bool is_local_path(std::string_view next);

/// 303 See Other to `location` (post/redirect/get; never stored).
http_response see_other(std::string location);

/// Where an anonymous visitor of a member-only page or form goes: the login form, which brings
/// them back to `back` (a path of this site) afterwards.
http_response to_login(std::string_view back);

/// A personal page (a member's, or one with a form's state): never stored by anyone.
http_response personal_html(unsigned status, std::string html, web::language lang);

/// Who reads the page, for the header: logged in or not, and for a responsible or an admin the
/// links to /manage (and /admin). Reads the store only for a logged-in `who` (whose pages are
/// never shared with others); anonymous pages stay as they are.
void set_viewer(web::page_context& ctx, const storage::store& store,
                const std::optional<storage::person>& who);

/// One occurrence of `e` (of unit `u`) as the pages list it.
web::session make_session(const calendar::event& e, const calendar::unit& u,
                          const calendar::occurrence& o);

}  // namespace treffpunkt::server
