#pragma once
/// Plain HTTP request and response values: what a route sees and returns. No Beast here, so
/// routes can be called (and fuzzed) without a socket.

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace treffpunkt::server {

/// The parts of a request that routes use; the socket side copies only these.
struct http_request {
  std::string method;  ///< "GET", "HEAD", ...
  std::string target;  ///< origin-form: path and query, "/units/bildung.ics?x=1"
  std::string host;
  std::string if_none_match;
  std::string if_modified_since;
  std::string authorization;  ///< "Bearer <token>"
  std::string cookie;
  std::string content_type;
  std::string accept_language;
  std::string user_agent;       ///< read for the client family of feed fetches, never stored
  std::string forwarded_for;    ///< X-Forwarded-For, honoured only with --trust-proxy
  std::string forwarded_proto;  ///< X-Forwarded-Proto
  std::string forwarded_host;   ///< X-Forwarded-Host
  std::string remote_address;   ///< the peer's IP address
  std::string body;
};

struct http_response {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  /// Shared so that a cached feed is sent without copying it.
  std::shared_ptr<const std::string> body;
  std::vector<std::pair<std::string, std::string>> headers;
  /// When set, the whole response head as the socket side writes it: the status line
  /// ("HTTP/1.1 ...") and every header field, each ending in CRLF, but neither a Connection
  /// field nor the empty line that ends the head (the socket side adds those, as only it
  /// knows whether the connection stays open). It then replaces `content_type` and `headers`,
  /// which stay empty; `status` must still match it (for the log and metrics). Shared, so a
  /// cached feed's head is built once and sent with its body in one gather write.
  std::shared_ptr<const std::string> prebuilt_head;
  /// The route pattern that answered (its index in the app's table of patterns), -1 for none:
  /// the label of the request in /metrics.
  int route = -1;

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

/// Appends the fields that follow the status line of every response the server writes:
/// Server, Content-Type and `r.headers` in order, each ending in CRLF (not Connection nor
/// Content-Length, which the socket side adds). One definition for the socket side and for
/// heads built in advance (http_response::prebuilt_head), so both write the same bytes.
void append_head_fields(std::string& head, const http_response& r);
/// Appends `fields` as header lines ("Name: value" and CRLF each).
void append_fields(std::string& head,
                   const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace treffpunkt::server
