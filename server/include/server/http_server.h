#pragma once
/// The socket side: accepts connections and hands each request to a plain function.

#include <server/http.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

namespace treffpunkt::server {

struct server_options {
  std::string address = "127.0.0.1";
  unsigned short port = 8080;
  unsigned threads = 0;                    ///< io threads; 0 = one per core
  std::size_t header_limit = 8 * 1024UL;   ///< larger headers get 431
  std::size_t body_limit = 1024 * 1024UL;  ///< larger bodies get 413
  /// A request not complete by then gets 408; an idle keep-alive connection is closed.
  std::chrono::seconds read_timeout{30};
  /// A response not written by then (a client that stopped reading) is dropped.
  std::chrono::seconds write_timeout{60};
  /// On SIGTERM/SIGINT, how long requests in flight may still take before the process exits.
  std::chrono::seconds shutdown_timeout{10};
  /// The client address is the rightmost X-Forwarded-For entry (the one our proxy added).
  bool trust_proxy = false;
};

using request_handler = std::function<http_response(const http_request&)>;

/// Told once per answered request, after the response was written (or failed to be): for the
/// access log and metrics. Also told about requests the socket side answered itself (400, 408,
/// 413, 431), with method and target "-" when they were not read. Runs on an io thread: keep
/// it short and non-blocking.
using request_observer =
    std::function<void(const http_request& request, const http_response& answer, std::size_t bytes,
                       std::chrono::microseconds took)>;

/// True for a request whose answer may block (a write that waits for its fsync): it is
/// handled on a pool of threads of its own, so that the io threads go on serving others.
using request_predicate = std::function<bool(const http_request&)>;

/// A first try at a request that may block, on its io thread: the answer when it needs
/// nothing that blocks, none when it does (the request then goes to the blocking pool).
using request_first_try = std::function<std::optional<http_response>(const http_request&)>;

/// The threads that answer requests that may block: writes, which spend their time waiting for
/// the fsync of their group commit (storage: store::impl::write), not on a core. Many, so that
/// many writes can wait for the same fsync: at least 16, four per io thread.
unsigned blocking_threads(unsigned io_threads);

/// Serves until SIGINT or SIGTERM, then stops accepting, closes idle keep-alive connections,
/// lets requests in flight finish (at most `shutdown_timeout`) and returns 0. `ready` is called
/// once the socket listens (with the bound port, useful for port 0). Requests for which
/// `may_block` returns true run on a pool of `blocking_threads()` threads, the others on their
/// connection's io thread; with `first_try`, a request that may block is first offered to it
/// on the io thread, and goes to the pool only when it gives no answer. Throws
/// std::system_error when the address cannot be bound.
int run_http_server(const server_options& options, request_handler handler,
                    const std::function<void(unsigned short port)>& ready = {},
                    request_observer observer = {}, request_predicate may_block = {},
                    request_first_try first_try = {});

}  // namespace treffpunkt::server
