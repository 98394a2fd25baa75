#include <server/http_server.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace treffpunkt::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

/// One client connection. Shared with the handlers that may outlive a step of the session
/// (the read deadline, the stop signal); everything in it is touched only on its strand.
struct connection : std::enable_shared_from_this<connection> {
  explicit connection(tcp::socket socket)
      : stream(std::move(socket)), deadline(stream.get_executor()) {}

  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  std::optional<http::request_parser<http::string_body>> parser;
  /// Our own read deadline: tcp_stream's timeout closes the socket, which would leave no way
  /// to answer 408.
  asio::steady_timer deadline;
  std::uint64_t read_generation = 0;
  bool reading = false;
  bool timed_out = false;

  /// True while waiting for a request of which no byte has arrived: safe to drop on stop.
  bool idle() const { return reading && buffer.size() == 0 && (!parser || !parser->got_some()); }
};

struct shared_state {
  shared_state(const server_options& o, request_handler h, request_observer ob)
      : options(o), handler(std::move(h)), observer(std::move(ob)) {}

  const server_options& options;
  request_handler handler;
  request_observer observer;
  std::atomic<bool> stopping{false};

  std::mutex mutex;
  std::unordered_map<const connection*, std::weak_ptr<connection>> connections;

  std::size_t open_connections() {
    const std::lock_guard lock(mutex);
    return connections.size();
  }
};

/// Keeps a connection in the registry for as long as its session runs.
class registration {
 public:
  registration(shared_state& state, const std::shared_ptr<connection>& c)
      : state_(state), key_(c.get()) {
    const std::lock_guard lock(state_.mutex);
    state_.connections.emplace(key_, c);
  }
  ~registration() {
    const std::lock_guard lock(state_.mutex);
    state_.connections.erase(key_);
  }
  registration(const registration&) = delete;
  registration& operator=(const registration&) = delete;

 private:
  shared_state& state_;
  const connection* key_;
};

void observe(shared_state& state, const http_request& request, unsigned status, std::size_t bytes,
             std::chrono::steady_clock::time_point started) {
  if (!state.observer) return;
  try {
    state.observer(request, status, bytes,
                   std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::steady_clock::now() - started));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: request observer: %s\n", e.what());
  }
}

/// With a trusted proxy in front, the client is the rightmost X-Forwarded-For entry: the one
/// our proxy appended. Entries left of it are whatever the client claimed.
std::string client_address(const std::string& peer, std::string_view forwarded_for) {
  const auto comma = forwarded_for.rfind(',');
  std::string_view last =
      comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1);
  while (!last.empty() && (last.front() == ' ' || last.front() == '\t')) last.remove_prefix(1);
  while (!last.empty() && (last.back() == ' ' || last.back() == '\t')) last.remove_suffix(1);
  if (last.empty()) return peer;
  beast::error_code ec;
  const auto address = asio::ip::make_address(last, ec);
  return ec ? peer : address.to_string();
}

http::response<http::string_body> error_response(http::status status, std::string_view text) {
  http::response<http::string_body> res{status, 11};
  res.set(http::field::server, "treffpunkt");
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.set(http::field::connection, "close");
  res.body() = std::string(text);
  res.prepare_payload();
  return res;
}

/// Reads one request into `c.parser` with a deadline. A timeout cancels the read (and sets
/// `timed_out`) but leaves the socket open, so that a 408 can still be written.
asio::awaitable<beast::error_code> read_request(connection& c, std::chrono::seconds timeout) {
  const auto generation = ++c.read_generation;
  c.timed_out = false;
  c.stream.expires_never();
  c.deadline.expires_after(timeout);
  c.deadline.async_wait([self = c.shared_from_this(), generation](beast::error_code ec) {
    // A wait that completed just as the read did is stale: the generation tells.
    if (ec || !self->reading || self->read_generation != generation) return;
    self->timed_out = true;
    beast::error_code ignored;
    self->stream.socket().cancel(ignored);
  });
  c.reading = true;
  auto [ec, n] = co_await http::async_read(c.stream, c.buffer, *c.parser, use_tuple);
  c.reading = false;
  c.deadline.cancel();
  co_return ec;
}

/// The answer HTTP lets us give to a request that could not be read; none when the client
/// simply went away (or was idle).
std::optional<http::response<http::string_body>> answer_read_error(const connection& c,
                                                                   beast::error_code ec) {
  if (ec == http::error::header_limit) {
    return error_response(http::status::request_header_fields_too_large,
                          "request header too large\n");
  }
  if (ec == http::error::body_limit) {
    return error_response(http::status::payload_too_large, "request body too large\n");
  }
  const bool got_some = c.buffer.size() > 0 || c.parser->got_some();
  if (c.timed_out) {
    if (!got_some) return std::nullopt;  // an idle keep-alive connection
    return error_response(http::status::request_timeout, "request timeout\n");
  }
  if (ec.category() == beast::error_code(http::error::bad_method).category() &&
      ec != http::error::end_of_stream && ec != http::error::partial_message) {
    return error_response(http::status::bad_request, "malformed request\n");
  }
  return std::nullopt;
}

/// After an error answer the client may still be sending (a body too large): closing now
/// would make the kernel reset the connection and the client could lose our answer
/// (RFC 9112 §9.6). So stop sending and read what still comes, for a short while.
asio::awaitable<void> linger_close(connection& c) {
  beast::error_code ec;
  c.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  std::array<char, 16 * 1024> scratch{};
  std::size_t drained = 0;
  c.stream.expires_after(std::chrono::seconds(2));
  while (!ec && drained < 8 * 1024 * 1024) {
    std::size_t n = 0;
    std::tie(ec, n) = co_await c.stream.async_read_some(asio::buffer(scratch), use_tuple);
    drained += n;
  }
}

asio::awaitable<void> session(std::shared_ptr<connection> conn, shared_state& state) {
  const registration registered{state, conn};
  beast::error_code peer_ec;
  const auto peer = conn->stream.socket().remote_endpoint(peer_ec);
  const std::string remote = peer_ec ? std::string() : peer.address().to_string();
  for (;;) {
    // Stopping: a request already (partly) received is still served, no new one is waited for.
    if (state.stopping && conn->buffer.size() == 0) break;
    auto& parser = conn->parser.emplace();
    parser.header_limit(static_cast<std::uint32_t>(state.options.header_limit));
    parser.body_limit(state.options.body_limit);
    const auto read_started = std::chrono::steady_clock::now();
    if (const auto ec = co_await read_request(*conn, state.options.read_timeout)) {
      if (auto answer = answer_read_error(*conn, ec)) {
        conn->stream.expires_after(std::chrono::seconds(5));
        co_await http::async_write(conn->stream, *answer, use_tuple);
        http_request unread;
        unread.method = parser.is_header_done() ? std::string(parser.get().method_string()) : "-";
        unread.target = parser.is_header_done() ? std::string(parser.get().target()) : "-";
        unread.remote_address = remote;
        observe(state, unread, answer->result_int(), answer->body().size(), read_started);
        co_await linger_close(*conn);
      }
      break;
    }

    const auto started = std::chrono::steady_clock::now();
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
    plain.remote_address =
        state.options.trust_proxy ? client_address(remote, plain.forwarded_for) : remote;
    plain.body = std::move(req.body());

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
    conn->stream.expires_after(state.options.write_timeout);
    beast::error_code write_ec;
    if (head) {
      http::response_serializer<http::span_body<const char>> sr{res};
      auto [wec, wn] = co_await http::async_write_header(conn->stream, sr, use_tuple);
      write_ec = wec;
    } else {
      auto [wec, wn] = co_await http::async_write(conn->stream, res, use_tuple);
      write_ec = wec;
    }
    observe(state, plain, answer.status, head ? 0 : size, started);
    if (write_ec || !keep_alive) break;
  }
  conn->deadline.cancel();
  beast::error_code ignored;
  conn->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> listen(tcp::acceptor& acceptor, shared_state& state) {
  for (;;) {
    auto [ec, socket] =
        co_await acceptor.async_accept(asio::make_strand(acceptor.get_executor()), use_tuple);
    if (ec) {
      if (state.stopping || ec == asio::error::operation_aborted) co_return;
      continue;  // e.g. too many open files: keep serving the others
    }
    auto conn = std::make_shared<connection>(std::move(socket));
    auto executor = conn->stream.get_executor();
    asio::co_spawn(executor, session(std::move(conn), state), asio::detached);
  }
}

/// Drops every connection that waits for a request of which nothing has arrived yet; the
/// others finish their request (and then close, as `stopping` is set).
void close_idle_connections(shared_state& state) {
  std::vector<std::shared_ptr<connection>> open;
  {
    const std::lock_guard lock(state.mutex);
    for (const auto& [key, weak] : state.connections) {
      if (auto c = weak.lock()) open.push_back(std::move(c));
    }
  }
  for (auto& c : open) {
    auto executor = c->stream.get_executor();
    asio::post(executor, [c = std::move(c)] {
      if (!c->idle()) return;
      beast::error_code ignored;
      c->stream.socket().cancel(ignored);
    });
  }
}

}  // namespace

int run_http_server(const server_options& options, request_handler handler,
                    const std::function<void(unsigned short port)>& ready,
                    request_observer observer) {
  const unsigned threads =
      options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  // Declared before the io_context: sessions still pending when it is destroyed refer to it.
  shared_state state{options, std::move(handler), std::move(observer)};
  asio::io_context ioc{static_cast<int>(threads)};

  // The acceptor lives on a strand: the signal handler closes it from another thread.
  tcp::acceptor acceptor{asio::make_strand(ioc)};
  const tcp::endpoint endpoint{asio::ip::make_address(options.address), options.port};
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  if (ready) ready(acceptor.local_endpoint().port());

  asio::co_spawn(acceptor.get_executor(), listen(acceptor, state), asio::detached);

  // Graceful stop: no new connections, idle keep-alive connections are dropped at once,
  // requests in flight finish (for at most shutdown_timeout), then the io threads stop.
  asio::signal_set signals{ioc, SIGINT, SIGTERM};
  asio::steady_timer drain{ioc};
  std::chrono::steady_clock::time_point give_up;
  std::function<void()> wait_for_drain = [&] {
    if (state.open_connections() == 0 || std::chrono::steady_clock::now() >= give_up) {
      ioc.stop();
      return;
    }
    drain.expires_after(std::chrono::milliseconds(10));
    drain.async_wait([&](beast::error_code) { wait_for_drain(); });
  };
  signals.async_wait([&](beast::error_code ec, int) {
    if (ec) return;
    state.stopping = true;
    give_up = std::chrono::steady_clock::now() + options.shutdown_timeout;
    asio::dispatch(acceptor.get_executor(), [&] {
      beast::error_code ignored;
      acceptor.close(ignored);
    });
    close_idle_connections(state);
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
