// JSON API bodies: each input is the body of every main write route in turn, sent by a
// responsible of the unit with their API token (fuzz_app.h): create an event, RSVP, set
// reminders, message the attendees, move or change one occurrence, change the event. The
// answer must be 2xx or 4xx; a 5xx is a finding (fuzz::handle aborts).

#include <server/http.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_app.h"

namespace {

struct write_route {
  std::string_view method;
  std::string_view target;  ///< with placeholders
};

// The ones that change little come first, the ones that change the series (so that {key} may
// stop being one of its occurrences until the next reset) last.
constexpr std::array<write_route, 7> routes = {{
    {"PUT", "/api/v1/events/{event}/occurrences/{key}/rsvp"},
    {"PUT", "/api/v1/events/{offer}/occurrences/{okey}/rsvp"},
    {"PUT", "/api/v1/me/reminders"},
    {"POST", "/api/v1/events/{event}/occurrences/{key}/message"},
    {"POST", "/api/v1/units/bildung/events"},
    {"PUT", "/api/v1/events/{event}/occurrences/{key}"},
    {"PATCH", "/api/v1/events/{offer}"},
}};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  treffpunkt::fuzz::init();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace fuzz = treffpunkt::fuzz;
  static const std::string authorization = fuzz::substitute("Bearer {api}");
  const std::string body = fuzz::substitute({reinterpret_cast<const char*>(data), size});
  for (const auto& r : routes) {
    treffpunkt::server::http_request request;
    request.method = std::string(r.method);
    request.target = fuzz::substitute(r.target);
    request.host = "127.0.0.1:8080";
    request.authorization = authorization;
    request.content_type = "application/json";
    request.remote_address = "127.0.0.1";
    request.body = body;
    fuzz::handle(request);
  }
  return 0;
}
