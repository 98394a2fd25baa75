#pragma once
/// The handlers of the member pages, the pages of emailed links and the login pages (their
/// routes: page_routes.cpp and login_routes.cpp), by what they answer.

#include "../router.h"

namespace treffpunkt::server {

/// GET of the member pages: what anyone may read (member_pages.cpp). Pages without anything
/// of the reader in them are rendered once per version of the data and served from memory.
namespace member_pages {
http_response home(const request_context& ctx, const route_params& p);
http_response unit(const request_context& ctx, const route_params& p);
http_response event(const request_context& ctx, const route_params& p);
http_response occurrence(const request_context& ctx, const route_params& p);
http_response me(const request_context& ctx, const route_params& p);
/// The stylesheet and script, named by their content's hash (cached for a year).
http_response static_file(const request_context& ctx, const route_params& p);
}  // namespace member_pages

/// The RSVP forms of an occurrence page (rsvp_forms.cpp): a member's answer, a guest's request.
namespace rsvp_forms {
http_response answer(const request_context& ctx, const route_params& p);
http_response guest(const request_context& ctx, const route_params& p);
}  // namespace rsvp_forms

/// The forms of /me and the unit page's follow button (me_forms.cpp).
namespace me_forms {
http_response follow(const request_context& ctx, const route_params& p);
http_response reminders(const request_context& ctx, const route_params& p);
http_response notices(const request_context& ctx, const route_params& p);
http_response lag_notices(const request_context& ctx, const route_params& p);
http_response rotate_feed(const request_context& ctx, const route_params& p);
http_response delete_account(const request_context& ctx, const route_params& p);
}  // namespace me_forms

/// Exchange offers from the members' side (offer_forms.cpp, with its routes): proposing one,
/// one's proposal (seen, revised, withdrawn), a unit's wishes.
namespace offer_forms {
http_response propose_form(const request_context& ctx, const route_params& p);
http_response propose(const request_context& ctx, const route_params& p);
http_response proposal(const request_context& ctx, const route_params& p);
http_response revise(const request_context& ctx, const route_params& p);
http_response withdraw(const request_context& ctx, const route_params& p);
http_response wishes(const request_context& ctx, const route_params& p);
http_response post_wish(const request_context& ctx, const route_params& p);
http_response close_wish(const request_context& ctx, const route_params& p);
}  // namespace offer_forms

/// The pages emailed links open, without a login (link_pages.cpp): GET asks with a button (mail
/// scanners follow links), POST does it.
namespace link_pages {
http_response guest_confirm_page(const request_context& ctx, const route_params& p);
http_response guest_confirm(const request_context& ctx, const route_params& p);
http_response unsubscribe_page(const request_context& ctx, const route_params& p);
http_response unsubscribe(const request_context& ctx, const route_params& p);
}  // namespace link_pages

/// Login by emailed link, and logout (login_routes.cpp).
namespace login_pages {
http_response form(const request_context& ctx, const route_params& p);
http_response send_link(const request_context& ctx, const route_params& p);
/// GET of an emailed link: a page with one button, so that a mail scanner following the link
/// uses nothing up; its POST (redeem) logs in.
http_response link_page(const request_context& ctx, const route_params& p);
http_response redeem(const request_context& ctx, const route_params& p);
http_response logout_page(const request_context& ctx, const route_params& p);
http_response logout(const request_context& ctx, const route_params& p);
}  // namespace login_pages

/// The same for API clients: POST /api/v1/login, POST /api/v1/logout (JSON).
namespace login_api {
http_response login(const request_context& ctx, const route_params& p);
http_response logout(const request_context& ctx, const route_params& p);
}  // namespace login_api

/// What the member pages share: the answer to a GET of a page (headers, the CSRF cookie of its
/// forms, the language switch remembered), and the not-found page.
http_response page_answer(const request_context& ctx, std::shared_ptr<const std::string> html,
                          bool has_forms);
http_response not_found_page(const request_context& ctx);
/// `r` with the `lang` cookie set when the language switch was used (`?lang=`).
http_response remember_language(const request_context& ctx, http_response r);

}  // namespace treffpunkt::server
