#pragma once
/// The socket side: accepts connections and hands each request to a plain function.

#include <server/http.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <iosfwd>
#include <string>

namespace treffpunkt::server {

struct server_options {
  std::string address = "127.0.0.1";
  unsigned short port = 8080;
  unsigned threads = 0;                   ///< io threads; 0 = one per core
  std::size_t header_limit = 8 * 1024;    ///< larger headers get 431
  std::size_t body_limit = 1024 * 1024;   ///< larger bodies get 413
  std::chrono::seconds read_timeout{30};  ///< a request not complete by then gets 408
};

using request_handler = std::function<http_response(const http_request&)>;

/// Serves until SIGINT or SIGTERM, then stops accepting, lets requests in flight finish and
/// returns 0. `ready` is called once the socket listens (with the bound port, useful for
/// port 0). Throws std::system_error when the address cannot be bound.
int run_http_server(const server_options& options, request_handler handler,
                    const std::function<void(unsigned short port)>& ready = {});

}  // namespace treffpunkt::server
