#pragma once
/// Plain HTTP request and response values: what a route sees and returns. No Beast here, so
/// routes can be called (and fuzzed) without a socket.

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace treffpunkt::server {

struct http_request {
  std::string method;  ///< "GET", "HEAD", ...
  std::string target;  ///< origin-form: path and query, "/units/bildung.ics?x=1"
  std::string host;
  std::string if_none_match;
  std::string if_modified_since;
};

struct http_response {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  /// Shared so that a cached feed is sent without copying it.
  std::shared_ptr<const std::string> body;
  std::vector<std::pair<std::string, std::string>> headers;

  /// A response with its own body text.
  static http_response text(unsigned status, std::string body,
                            std::string content_type = "text/plain; charset=utf-8") {
    http_response r;
    r.status = status;
    r.content_type = std::move(content_type);
    r.body = std::make_shared<const std::string>(std::move(body));
    return r;
  }
};

}  // namespace treffpunkt::server
