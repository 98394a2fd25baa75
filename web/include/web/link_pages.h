#pragma once
/// The pages that emailed links open without a login: a guest's RSVP confirmation
/// (/rsvp/confirm/{token}) and the one-click unsubscribe (/unsubscribe/{token}). Both ask with
/// a button first (a POST form), since mail scanners follow GET links; both are in the
/// reader's language inside the site's layout.

#include <web/pages.h>  // page_context, session

#include <optional>
#include <string>

namespace treffpunkt::web {

/// What the guest confirmation page says.
enum class guest_link_state {
  ask,          ///< GET: the occurrence and the button "Teilnahme bestätigen"
  going,        ///< confirmed with a place (200)
  waitlisted,   ///< confirmed on the waitlist, at `waitlist_position` (200)
  maybe,        ///< confirmed "maybe" (200)
  not_going,    ///< confirmed "no" (200)
  csrf,         ///< the form's token did not match the cookie: the button again (403)
  refused,      ///< the occurrence takes no RSVPs now (cancelled, started, closed) (409)
  expired,      ///< an expired or used link (410)
  unknown,      ///< no such link (404)
  unavailable,  ///< the database could not be written (503)
};

struct guest_confirm_view {
  guest_link_state state = guest_link_state::ask;
  std::optional<session> when;  ///< the occurrence, when the link names one
  int waitlist_position = 0;
  std::string action;  ///< the form's target: the link's own path
  std::string csrf;
};

std::string render_guest_confirm(const page_context& ctx, const guest_confirm_view& view);

/// What the unsubscribe page says.
enum class unsubscribe_state {
  ask,          ///< GET: what stops, what stays, the way back, and the button
  done,         ///< unsubscribed (200)
  bad_request,  ///< a POST that was neither one-click nor the page's form: the button (400)
  unknown,      ///< a token that is not genuine, or its person is gone (404)
  unavailable,  ///< the database could not be written (503)
};

struct unsubscribe_view {
  unsubscribe_state state = unsubscribe_state::ask;
  std::string action;  ///< the form's target: the link's own path
  std::string csrf;
};

std::string render_unsubscribe(const page_context& ctx, const unsubscribe_view& view);

}  // namespace treffpunkt::web
