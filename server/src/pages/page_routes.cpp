// The member pages ("/", /units/{slug}, /events/{id}, /events/{id}/{occurrence}, /me),
// their forms, the pages of emailed links, and the static files.
#include "../request_context.h"
#include "../responses.h"
#include "../routes.h"
#include "page_handlers.h"

namespace treffpunkt::server {
area page_routes() {
  return {
      "pages",
      {"/me"},
      {
          {"GET", "/", member_pages::home},
          {"GET", "/units/{slug}", member_pages::unit},
          {"POST", "/units/{slug}/follow", me_forms::follow},
          {"GET", "/events/{id}", member_pages::event},
          {"GET", "/events/{id}/{key}", member_pages::occurrence},
          {"POST", "/events/{id}/{key}/rsvp", rsvp_forms::answer},
          {"POST", "/events/{id}/{key}/guest-rsvp", rsvp_forms::guest},
          {"GET", "/me", member_pages::me},
          {"POST", "/me/reminders", me_forms::reminders},
          {"POST", "/me/notices", me_forms::notices},
          {"POST", "/me/lag-notices", me_forms::lag_notices},
          {"POST", "/me/feed/rotate", me_forms::rotate_feed},
          {"POST", "/me/delete", me_forms::delete_account},
          {"GET", "/rsvp/confirm/{token}", link_pages::guest_confirm_page},
          {"POST", "/rsvp/confirm/{token}", link_pages::guest_confirm},
          {"GET", "/unsubscribe/{token}", link_pages::unsubscribe_page},
          {"POST", "/unsubscribe/{token}", link_pages::unsubscribe},
          {"GET", "/static/{file}", member_pages::static_file},
      },
      text_not_found,
      text_method_not_allowed,
  };
}

}  // namespace treffpunkt::server
