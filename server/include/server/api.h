#pragma once
/// The JSON API under /api/v1 (DESIGN.md "Public interface"): units, occurrences, events,
/// overrides, RSVPs, attendees. Errors are {"error": {"code": "...", "message": "..."}}.

#include <calendar/time.h>
#include <server/http.h>
#include <storage/store.h>

namespace treffpunkt::server {

class api {
 public:
  explicit api(storage::store& store) : store_(store) {}

  /// Answers a request whose path starts with /api/v1/.
  http_response handle(const http_request& request, calendar::utc_seconds now);

 private:
  storage::store& store_;
};

}  // namespace treffpunkt::server
