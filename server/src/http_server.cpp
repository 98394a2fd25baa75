#include <server/http_server.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <exception>
#include <thread>
#include <vector>

namespace treffpunkt::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

struct shared_state {
  const server_options& options;
  request_handler handler;
  std::atomic<int> in_flight{0};
  std::atomic<bool> stopping{false};
};

/// One access-log line per request; fputs on stderr is one locked write.
void log_request(const http_request& req, unsigned status, std::size_t bytes,
                 std::chrono::microseconds took) {
  std::string path = req.target.substr(0, req.target.find('?'));
  if (path.starts_with("/feeds/")) path = "/feeds/…";  // the secret stays out of logs
  char line[512];
  std::snprintf(line, sizeof line, "%s %s %u %zu %lldus\n", req.method.c_str(),
                path.substr(0, 300).c_str(), status, bytes, static_cast<long long>(took.count()));
  std::fputs(line, stderr);
}

http::response<http::string_body> error_response(http::status status, std::string_view text) {
  http::response<http::string_body> res{status, 11};
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.set(http::field::connection, "close");
  res.body() = std::string(text);
  res.prepare_payload();
  return res;
}

asio::awaitable<void> session(beast::tcp_stream stream, shared_state& state) {
  beast::flat_buffer buffer;
  beast::error_code peer_ec;
  const auto peer = stream.socket().remote_endpoint(peer_ec);
  const std::string remote = peer_ec ? std::string() : peer.address().to_string();
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(state.options.header_limit));
    parser.body_limit(state.options.body_limit);
    stream.expires_after(state.options.read_timeout);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (ec) {
      // Answer what HTTP lets us answer; a client that simply went away gets nothing.
      std::optional<http::response<http::string_body>> answer;
      if (ec == http::error::header_limit) {
        answer = error_response(http::status::request_header_fields_too_large,
                                "request header too large\n");
      } else if (ec == http::error::body_limit) {
        answer = error_response(http::status::payload_too_large, "request body too large\n");
      } else if (ec == beast::error::timeout && parser.got_some()) {
        answer = error_response(http::status::request_timeout, "request timeout\n");
      } else if (ec.category() == beast::error_code(http::error::bad_method).category() &&
                 ec != http::error::end_of_stream && ec != http::error::partial_message) {
        answer = error_response(http::status::bad_request, "malformed request\n");
      }
      if (answer) {
        stream.expires_after(std::chrono::seconds(5));
        co_await http::async_write(stream, *answer, use_tuple);
      }
      break;
    }

    const auto started = std::chrono::steady_clock::now();
    ++state.in_flight;
    auto& req = parser.get();
    http_request plain;
    plain.method = std::string(req.method_string());
    plain.target = std::string(req.target());
    plain.host = std::string(req[http::field::host]);
    plain.if_none_match = std::string(req[http::field::if_none_match]);
    plain.if_modified_since = std::string(req[http::field::if_modified_since]);
    plain.authorization = std::string(req[http::field::authorization]);
    plain.cookie = std::string(req[http::field::cookie]);
    plain.content_type = std::string(req[http::field::content_type]);
    plain.accept_language = std::string(req[http::field::accept_language]);
    plain.forwarded_for = std::string(req["X-Forwarded-For"]);
    plain.forwarded_proto = std::string(req["X-Forwarded-Proto"]);
    plain.forwarded_host = std::string(req["X-Forwarded-Host"]);
    plain.remote_address = remote;
    plain.body = std::move(parser.get().body());

    http_response answer;
    try {
      answer = state.handler(plain);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "error: %s %s: %s\n", plain.method.c_str(), plain.target.c_str(),
                   e.what());
      answer = http_response::text(500, "internal error\n");
    }

    // The body is shared with the feed cache; span_body sends it without a copy while the
    // shared_ptr in `answer` keeps it alive until the write completes.
    http::response<http::span_body<const char>> res;
    res.version(req.version());
    res.result(answer.status);
    res.set(http::field::server, "treffpunkt");
    res.set(http::field::content_type, answer.content_type);
    for (const auto& [name, value] : answer.headers) res.set(name, value);
    const std::size_t size = answer.body ? answer.body->size() : 0;
    if (answer.body) res.body() = {answer.body->data(), answer.body->size()};
    const bool keep_alive = req.keep_alive() && !state.stopping;
    res.keep_alive(keep_alive);
    res.content_length(size);
    const bool head = req.method() == http::verb::head;
    std::error_code write_ec;
    if (head) {
      http::response_serializer<http::span_body<const char>> sr{res};
      auto [wec, wn] = co_await http::async_write_header(stream, sr, use_tuple);
      write_ec = wec;
    } else {
      auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
      write_ec = wec;
    }
    --state.in_flight;
    log_request(plain, answer.status, head ? 0 : size,
                std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - started));
    if (write_ec || !keep_alive) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> listen(tcp::acceptor& acceptor, shared_state& state) {
  for (;;) {
    auto [ec, socket] =
        co_await acceptor.async_accept(asio::make_strand(acceptor.get_executor()), use_tuple);
    if (ec) {
      if (state.stopping || ec == asio::error::operation_aborted) co_return;
      continue;  // e.g. too many open files: keep serving the others
    }
    auto executor = socket.get_executor();
    asio::co_spawn(executor, session(beast::tcp_stream(std::move(socket)), state), asio::detached);
  }
}

}  // namespace

int run_http_server(const server_options& options, request_handler handler,
                    const std::function<void(unsigned short port)>& ready) {
  const unsigned threads =
      options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  asio::io_context ioc{static_cast<int>(threads)};
  shared_state state{options, std::move(handler)};

  tcp::acceptor acceptor{ioc};
  const tcp::endpoint endpoint{asio::ip::make_address(options.address), options.port};
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  if (ready) ready(acceptor.local_endpoint().port());

  asio::co_spawn(ioc, listen(acceptor, state), asio::detached);

  // Graceful stop: no new connections, requests in flight finish, idle keep-alive
  // connections are dropped.
  asio::signal_set signals{ioc, SIGINT, SIGTERM};
  asio::steady_timer drain{ioc};
  std::function<void()> wait_for_drain = [&] {
    if (state.in_flight == 0) {
      ioc.stop();
      return;
    }
    drain.expires_after(std::chrono::milliseconds(20));
    drain.async_wait([&](beast::error_code) { wait_for_drain(); });
  };
  signals.async_wait([&](beast::error_code ec, int) {
    if (ec) return;
    state.stopping = true;
    beast::error_code ignored;
    acceptor.close(ignored);
    wait_for_drain();
  });

  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  return 0;
}

}  // namespace treffpunkt::server
