#include <server/app.h>

#include <chrono>
#include <cstdio>
#include <exception>

namespace treffpunkt::server {

app::app(storage::store& store, app_options options)
    : store_(store), options_(std::move(options)), site_(store, options_.base_url), api_(store) {}

http_response app::handle(const http_request& request) {
  const auto now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  try {
    if (request.target.starts_with("/api/v1/") || request.target == "/api/v1") {
      return api_.handle(request, now);
    }
    return site_.handle(request, now);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s %s: %s\n", request.method.c_str(), request.target.c_str(),
                 e.what());
    return http_response::text(500, "internal error\n");
  }
}

}  // namespace treffpunkt::server
