#pragma once
/// The pages of responsibles (`/manage/...`: their units' events and series, one occurrence's
/// attendees, the CSV export, a message to attendees) and admins (`/admin/...`: units,
/// responsibles, the outbox, deleting someone's account). Everything here is personal: rendered
/// per request, never cached.
/// Writes that concern attendees go through actions (actions.h), as the JSON API's do.

#include <calendar/time.h>
#include <server/api.h>
#include <server/http.h>
#include <storage/store.h>

#include <string_view>

namespace treffpunkt::server {

class manage_routes {
 public:
  /// `mail` is what actions need to queue mails (sender, how to wake the dispatcher).
  manage_routes(storage::store& store, const rsvp_mail_options& mail);

  /// Whether `path` (without query) is `/manage`, `/admin` or below.
  static bool owns(std::string_view path);

  /// Answers a request for a path that owns() accepts; `base_url` (no trailing slash) for
  /// links in mails and whether cookies get `Secure`.
  http_response handle(const http_request& request, std::string_view path,
                       calendar::utc_seconds now, std::string_view base_url);

 private:
  storage::store& store_;
  const rsvp_mail_options& mail_;
};

}  // namespace treffpunkt::server
