#pragma once
/// The JSON API under /api/v1 (DESIGN.md "Public interface", docs/api.md): units,
/// occurrences, events, overrides, RSVPs, attendees, follows, reminder preferences, the
/// personal feed's link and API tokens.
/// Errors are {"error": {"code": "...", "message": "...", "field": "..."}}.

#include <calendar/time.h>
#include <server/http.h>
#include <storage/store.h>
#include <usecases/context.h>

#include <functional>
#include <string>
#include <string_view>

namespace treffpunkt::server {

class rate_limiter;

/// How often RSVPs may be written (a token bucket each: so many at once, refilled over a
/// minute). Zero turns a limit off.
struct api_limits {
  int rsvps_per_person_per_minute = 30;
  /// Higher than per person: many members may share one address (a venue, a university).
  int rsvps_per_address_per_minute = 300;
};

/// How the use cases' mails are sent (sender, how to wake the dispatcher).
using rsvp_mail_options = usecases::mail_settings;

/// The RSVP rate limiters (api_limits' buckets), one pair for the whole application: the API
/// and the pages take from the same, so that a member has one allowance wherever they answer.
struct rsvp_limiters {
  rate_limiter& by_person;
  rate_limiter& by_address;
};

class api {
 public:
  /// `limits` must outlive the api (app owns them).
  api(storage::store& store, rsvp_limiters limits, rsvp_mail_options mail = {});
  ~api();
  api(const api&) = delete;
  api& operator=(const api&) = delete;

  /// Answers a request whose path starts with /api/v1/. Never throws for bad input: every
  /// failure is a JSON error with its status. `base_url` (no trailing slash) is the public URL
  /// for links the API hands out (the personal feed's).
  http_response handle(const http_request& request, calendar::utc_seconds now,
                       std::string_view base_url = {});

 private:
  storage::store& store_;
  rsvp_limiters limits_;
  rsvp_mail_options mail_;
};

}  // namespace treffpunkt::server
