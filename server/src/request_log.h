#pragma once
/// What the log may say about a request: the access log's line, and the line of a request whose
/// handling failed. Both go through loggable_path, so that no query string, feed secret, login
/// link or other token reaches the log, whichever of them writes it.

#include <server/http.h>

#include <chrono>
#include <cstddef>
#include <exception>
#include <string>
#include <string_view>
#include <utility>

namespace treffpunkt::server {

/// The path of `target` as it may be logged: no query string, no feed secret or other long
/// token (replaced by "…").
std::string loggable_path(std::string_view target);

/// What the access log says of the client's address: its network, not the address, which would
/// tell who it was (docs/security.md): "203.0.113.0/24", "2001:db8:1::/48" (an IPv4 address
/// mapped into IPv6 as IPv4); "-" when there is none, "?" when it does not read as one.
std::string loggable_network(std::string_view address);

/// One access-log line (logfmt): method, loggable path, status, bytes, microseconds, the
/// client's network (loggable_network).
std::string access_log_line(const http_request& request, unsigned status, std::size_t bytes,
                            std::chrono::microseconds took);

/// Writes "error: METHOD PATH: WHAT" to stderr for a request whose answer failed (an exception
/// escaped its route), the path as loggable_path gives it.
void log_failure(const http_request& request, std::string_view what);

/// `answer()`, or when it throws, the failure logged (log_failure) and 500: the one catch-all of
/// the app and of the socket side.
template <class F>
http_response answer_or_500(const http_request& request, F&& answer) {
  try {
    return std::forward<F>(answer)();
  } catch (const std::exception& e) {
    log_failure(request, e.what());
    return http_response::text(500, "internal error\n");
  }
}

}  // namespace treffpunkt::server
