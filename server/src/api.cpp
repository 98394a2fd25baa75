#include <server/api.h>

namespace treffpunkt::server {

http_response api::handle(const http_request& request, calendar::utc_seconds now) {
  (void)request;
  (void)now;
  (void)store_;
  return http_response::text(404,
                             R"({"error": {"code": "not_found", "message": "no such API route"}})"
                             "\n",
                             "application/json");
}

}  // namespace treffpunkt::server
