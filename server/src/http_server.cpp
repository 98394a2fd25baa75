#include <server/http_server.h>
#include <sys/resource.h>  // the file descriptor limit, the blocking pool's priority
#include <unistd.h>        // gettid

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "request_log.h"

namespace treffpunkt::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

using clock = std::chrono::steady_clock;

/// What a connection's coroutine is suspended in; the deadline timer acts on it.
enum class phase { reading, writing, lingering, done };

/// One client connection. Every part of it is touched only by the thread that runs its
/// io_context (one thread per io_context), so it needs no strand and no lock; it is shared
/// with the handlers that may outlive a step of the session (the deadline timer, the stop).
/// The one exception: while a request that may block is answered on the blocking pool, that
/// pool's thread reads `plain`, and the session waits for it without touching `plain`.
struct connection : std::enable_shared_from_this<connection> {
  explicit connection(tcp::socket s) : socket(std::move(s)), timer(socket.get_executor()) {}

  tcp::socket socket;
  beast::flat_buffer buffer;
  std::optional<http::request_parser<http::string_body>> parser;
  /// Reused from request to request, so that its strings keep their capacity.
  http_request plain;
  /// The head of the answer being written (write_gathered), reused the same way.
  std::string head;

  /// The deadline of the current read or write. Our own rather than tcp_stream's: that one
  /// closes the socket on expiry (leaving no way to answer 408), and it re-arms a timer for
  /// every operation. Here the hot path only stores a time point: `timer` waits for the
  /// earliest deadline it has been told of and, when it fires, re-arms itself for a later
  /// one (see on_timer), so a keep-alive connection touches the timer queue about once per
  /// timeout period instead of twice per request.
  clock::time_point deadline{};
  phase state = phase::reading;
  asio::steady_timer timer;
  bool timer_armed = false;
  clock::time_point timer_expiry{};
  /// Tells a cancelled wait (re-armed earlier, or the session ended) from the current one.
  std::uint64_t timer_generation = 0;
  bool timed_out = false;

  /// True while waiting for a request of which no byte has arrived: safe to drop on stop.
  bool idle() const {
    return state == phase::reading && buffer.size() == 0 && (!parser || !parser->got_some());
  }
};

void on_timer(connection& c);

void arm_timer(connection& c, clock::time_point at) {
  c.timer_armed = true;
  c.timer_expiry = at;
  const auto generation = ++c.timer_generation;
  c.timer.expires_at(at);  // cancels a pending wait, whose handler then sees a stale generation
  c.timer.async_wait([self = c.shared_from_this(), generation](beast::error_code ec) {
    if (ec || self->timer_generation != generation) return;
    self->timer_armed = false;
    on_timer(*self);
  });
}

/// Sets the deadline of the operation about to start. The timer is re-armed only when this
/// deadline is earlier than the one it waits for (an error answer's 5 s, lingering's 2 s);
/// the usual later deadline of the next request costs nothing here.
void set_deadline(connection& c, phase p, clock::duration timeout) {
  c.state = p;
  c.deadline = clock::now() + timeout;
  if (c.timer_armed && c.timer_expiry <= c.deadline) return;
  arm_timer(c, c.deadline);
}

/// The timer fired: either the operation in progress is late, or the deadline moved on since
/// the timer was armed, and it waits again. A late read is cancelled with `timed_out` set and
/// the socket left open, so that a 408 can still be written; a late write is cancelled, which
/// ends the session.
void on_timer(connection& c) {
  if (c.state == phase::done) return;
  if (clock::now() < c.deadline) {
    arm_timer(c, c.deadline);
    return;
  }
  if (c.state == phase::reading) c.timed_out = true;
  beast::error_code ignored;
  c.socket.cancel(ignored);
}

/// How much lower than the io threads the blocking pool's threads run (nice, Linux: per
/// thread). Under a burst of writes that takes every core, feeds and pages (answered on the
/// io threads, mostly from memory) keep most of the CPU, and the writes take what is left:
/// a calendar app that polls must not time out because a meeting got its RSVPs. With nothing
/// else to run, the writes get every core as before. 15 rather than 5 (bench/writes.sh, issue
/// 16): feeds while RSVPs are written 0.68 -> 0.92 of the feed alone; the RSVPs written during
/// that flood of feed requests wait longer (p99 about 150 ms), RSVPs alone are as fast.
constexpr int blocking_nice = 15;

/// Lowers the calling thread's priority by blocking_nice, once per thread (a thread of the
/// blocking pool; asio::thread_pool has no hook at thread start). Best effort: nice only ever
/// goes up without privileges, and a failure leaves the thread as it was.
void yield_to_reads() {
  thread_local bool lowered = false;
  if (lowered) return;
  lowered = true;
  const auto self = static_cast<id_t>(::gettid());
  errno = 0;
  const int now = ::getpriority(PRIO_PROCESS, self);
  if (errno == 0) (void)::setpriority(PRIO_PROCESS, self, now + blocking_nice);
}

struct shared_state {
  shared_state(const server_options& o, request_handler h, request_observer ob, request_predicate b,
               request_first_try f, unsigned blocking_threads)
      : options(o),
        handler(std::move(h)),
        observer(std::move(ob)),
        may_block(std::move(b)),
        first_try(std::move(f)),
        blocking(blocking_threads) {}

  const server_options& options;
  request_handler handler;
  request_observer observer;
  request_predicate may_block;
  request_first_try first_try;
  /// Where requests that may block are answered (docs/architecture.md: nothing blocking on the io
  /// threads). Joined before the io_contexts go, which hold the connections its work refers to.
  asio::thread_pool blocking;
  std::atomic<bool> stopping{false};

  /// Taken once when a connection opens and once when it closes, never per request.
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

void observe(shared_state& state, const http_request& request, const http_response& answer,
             std::size_t bytes, std::chrono::steady_clock::time_point started) {
  if (!state.observer) return;
  try {
    state.observer(request, answer, bytes,
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
  c.timed_out = false;
  set_deadline(c, phase::reading, timeout);
  auto [ec, n] = co_await http::async_read(c.socket, c.buffer, *c.parser, use_tuple);
  c.state = phase::writing;  // the deadline of the answer is set before it is written
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
  c.socket.shutdown(tcp::socket::shutdown_send, ec);
  std::array<char, 16 * 1024UL> scratch{};
  std::size_t drained = 0;
  set_deadline(c, phase::lingering, std::chrono::seconds(2));
  while (!ec && drained < 8UL * 1024 * 1024) {
    std::size_t n = 0;
    std::tie(ec, n) = co_await c.socket.async_read_some(asio::buffer(scratch), use_tuple);
    drained += n;
  }
}

/// Copies what routes use out of the parsed request into `plain`, reusing its strings.
void fill_request(http_request& plain, http::request<http::string_body>& req,
                  const std::string& remote, bool trust_proxy) {
  const auto field = [&req](auto name) -> std::string_view {
    // find() rather than operator[]: no empty string_view object built for absent fields
    const auto found = req.find(name);
    if (found == req.end()) return {};
    const auto value = found->value();
    return {value.data(), value.size()};
  };
  plain.method.assign(req.method_string());
  plain.target.assign(req.target());
  plain.host.assign(field(http::field::host));
  plain.if_none_match.assign(field(http::field::if_none_match));
  plain.if_modified_since.assign(field(http::field::if_modified_since));
  plain.authorization.assign(field(http::field::authorization));
  plain.cookie.assign(field(http::field::cookie));
  plain.content_type.assign(field(http::field::content_type));
  plain.accept_language.assign(field(http::field::accept_language));
  plain.user_agent.assign(field(http::field::user_agent));
  plain.forwarded_for.assign(field("X-Forwarded-For"));
  plain.forwarded_proto.assign(field("X-Forwarded-Proto"));
  plain.forwarded_host.assign(field("X-Forwarded-Host"));
  if (trust_proxy) {
    plain.remote_address = client_address(remote, plain.forwarded_for);
  } else {
    plain.remote_address.assign(remote);
  }
  plain.body = std::move(req.body());
}

/// Writes a response whose head the route built in advance (a cached feed): the head, the
/// end of the head, and the shared body, in one gather write. No Beast fields, no formatting.
/// The prebuilt head says HTTP/1.1, also to an HTTP/1.0 client (RFC 9112 §2.3: the highest
/// version we conform to), which then needs to be told about keep-alive.
asio::awaitable<beast::error_code> write_prebuilt(connection& c, const http_response& answer,
                                                  bool head_only, bool keep_alive,
                                                  unsigned version) {
  using namespace std::string_view_literals;
  const std::string_view end = !keep_alive    ? "Connection: close\r\n\r\n"sv
                               : version < 11 ? "Connection: keep-alive\r\n\r\n"sv
                                              : "\r\n"sv;
  std::array<asio::const_buffer, 3> buffers{
      asio::buffer(*answer.prebuilt_head), asio::buffer(end.data(), end.size()),
      head_only || !answer.body ? asio::const_buffer()
                                : asio::buffer(answer.body->data(), answer.body->size())};
  auto [ec, n] = co_await asio::async_write(c.socket, buffers, use_tuple);
  co_return ec;
}

/// Writes any other response: its head made by hand into the connection's reused string, then
/// head and shared body in one gather write (the body without a copy while `answer` keeps it
/// alive). The same bytes as Beast's serializer wrote (status line with Beast's reason phrase,
/// Server, Content-Type, the route's fields in order, Connection where needed, Content-Length),
/// at a fraction of its cost: its fields container allocated per field, and its buffer
/// sequences cost about 8,000 instructions per page.
asio::awaitable<beast::error_code> write_gathered(connection& c, const http_response& answer,
                                                  bool head_only, bool keep_alive,
                                                  unsigned version) {
  auto& head = c.head;
  head.clear();
  head += "HTTP/";
  head += static_cast<char>('0' + version / 10);
  head += '.';
  head += static_cast<char>('0' + version % 10);
  head += ' ';
  head += std::to_string(answer.status);
  head += ' ';
  const auto reason = http::obsolete_reason(static_cast<http::status>(answer.status));
  head.append(reason.data(), reason.size());
  head += "\r\n";
  append_head_fields(head, answer);
  // As message::keep_alive() puts it: HTTP/1.1 stays open unless told, HTTP/1.0 the reverse.
  if (version >= 11 && !keep_alive) head += "Connection: close\r\n";
  if (version < 11 && keep_alive) head += "Connection: keep-alive\r\n";
  head += "Content-Length: ";
  head += std::to_string(answer.body ? answer.body->size() : 0);
  head += "\r\n\r\n";
  std::array<asio::const_buffer, 2> buffers{
      asio::buffer(head.data(), head.size()),
      head_only || !answer.body ? asio::const_buffer()
                                : asio::buffer(answer.body->data(), answer.body->size())};
  auto [ec, n] = co_await asio::async_write(c.socket, buffers, use_tuple);
  co_return ec;
}

/// The route's answer; anything it throws is logged (request_log.h: the path redacted as in the
/// access log) and answered with 500.
http_response respond(shared_state& state, const http_request& plain) {
  return answer_or_500(plain, [&] { return state.handler(plain); });
}

/// state.first_try's answer, if any. Should it throw, the blocking pool answers the request
/// (and logs what fails there too).
std::optional<http_response> try_at_once(shared_state& state, const http_request& plain) {
  try {
    return state.first_try(plain);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

asio::awaitable<void> session(std::shared_ptr<connection> conn, shared_state& state) {
  const registration registered{state, conn};
  beast::error_code peer_ec;
  const auto peer = conn->socket.remote_endpoint(peer_ec);
  const std::string remote = peer_ec ? std::string() : peer.address().to_string();
  // Small answers go out at once; wrk and calendar clients wait for each before the next.
  beast::error_code ignored;
  conn->socket.set_option(tcp::no_delay(true), ignored);
  for (;;) {
    // Stopping: a request already (partly) received is still served, no new one is waited for.
    if (state.stopping && conn->buffer.size() == 0) break;
    auto& parser = conn->parser.emplace();
    parser.header_limit(static_cast<std::uint32_t>(state.options.header_limit));
    parser.body_limit(state.options.body_limit);
    const auto read_started = clock::now();
    if (const auto ec = co_await read_request(*conn, state.options.read_timeout)) {
      if (auto answer = answer_read_error(*conn, ec)) {
        set_deadline(*conn, phase::writing, std::chrono::seconds(5));
        co_await http::async_write(conn->socket, *answer, use_tuple);
        http_request unread;
        unread.method = parser.is_header_done() ? std::string(parser.get().method_string()) : "-";
        unread.target = parser.is_header_done() ? std::string(parser.get().target()) : "-";
        unread.remote_address = remote;
        observe(state, unread, http_response::text(answer->result_int(), {}), answer->body().size(),
                read_started);
        co_await linger_close(*conn);
      }
      break;
    }

    const auto started = clock::now();
    auto& req = parser.get();
    auto& plain = conn->plain;
    fill_request(plain, req, remote, state.options.trust_proxy);

    // A write waits for its fsync on the blocking pool; this coroutine resumes on its own
    // io thread when the answer is there, and the io thread serves others meanwhile.
    // (An if, not ?: with co_await in one branch: GCC 12 miscompiles the latter.)
    http_response answer;
    std::optional<http_response> at_once;
    const bool may_block = state.may_block && state.may_block(plain);
    if (may_block && state.first_try) at_once = try_at_once(state, plain);
    if (at_once) {
      answer = std::move(*at_once);
    } else if (may_block) {
      answer = co_await asio::co_spawn(
          state.blocking,
          [&state, &plain]() -> asio::awaitable<http_response> {
            yield_to_reads();
            co_return respond(state, plain);
          },
          asio::use_awaitable);
    } else {
      answer = respond(state, plain);
    }

    const bool keep_alive = req.keep_alive() && !state.stopping;
    const bool head_only = req.method() == http::verb::head;
    set_deadline(*conn, phase::writing, state.options.write_timeout);
    const auto write_ec =
        answer.prebuilt_head
            ? co_await write_prebuilt(*conn, answer, head_only, keep_alive, req.version())
            : co_await write_gathered(*conn, answer, head_only, keep_alive, req.version());
    const std::size_t size = answer.body ? answer.body->size() : 0;
    observe(state, plain, answer, head_only ? 0 : size, started);
    if (write_ec || !keep_alive) break;
  }
  conn->state = phase::done;
  conn->timer.cancel();  // its pending wait holds `conn`: let it go
  conn->socket.shutdown(tcp::socket::shutdown_send, ignored);
}

/// One io_context per io thread: a connection lives on one of them for its whole life, so
/// its handlers never race and need no strand, and the threads share no scheduler lock and
/// no epoll set (one shared io_context made both threads wake each other per request).
struct worker {
  asio::io_context ioc{1};  // concurrency hint 1: run by exactly one thread
  asio::executor_work_guard<asio::io_context::executor_type> keep_running =
      asio::make_work_guard(ioc);  // no connections yet is no reason for run() to return
};

void close_idle_connections(shared_state& state);

/// Accepts on the first worker's thread and hands the connections to the workers in turn:
/// round-robin balances wrk's (and browsers') long-lived keep-alive connections evenly, which
/// SO_REUSEPORT's hash of the peer address does not for a few dozen connections.
asio::awaitable<void> listen(tcp::acceptor& acceptor, shared_state& state,
                             std::vector<std::unique_ptr<worker>>& workers) {
  std::size_t next = 0;
  asio::steady_timer pause{acceptor.get_executor()};
  for (;;) {
    auto& target = *workers[next];
    next = (next + 1) % workers.size();
    // The new socket is registered with the target's io_context right away.
    auto [ec, socket] = co_await acceptor.async_accept(target.ioc, use_tuple);
    if (ec) {
      if (state.stopping || ec == asio::error::operation_aborted) co_return;
      // Out of file descriptors (thousands of idle connections): the client stays in the
      // listen queue, and retrying at once would only spin. Make room by dropping the
      // connections that wait for a request of which nothing has arrived (a client opens such
      // a keep-alive connection again at no loss), and retry shortly.
      if (ec == asio::error::no_descriptors ||
          ec == boost::system::errc::too_many_files_open_in_system) {
        close_idle_connections(state);
      }
      pause.expires_after(std::chrono::milliseconds(20));
      co_await pause.async_wait(use_tuple);
      continue;
    }
    auto conn = std::make_shared<connection>(std::move(socket));
    asio::co_spawn(target.ioc, session(std::move(conn), state), asio::detached);
  }
}

/// Drops every connection that waits for a request of which nothing has arrived yet; the
/// others finish their request (and then close, as `stopping` is set). Each check runs on the
/// connection's own thread.
void close_idle_connections(shared_state& state) {
  std::vector<std::shared_ptr<connection>> open;
  {
    const std::lock_guard lock(state.mutex);
    for (const auto& [key, weak] : state.connections) {
      if (auto c = weak.lock()) open.push_back(std::move(c));
    }
  }
  for (auto& c : open) {
    auto executor = c->socket.get_executor();
    asio::post(executor, [c = std::move(c)] {
      if (!c->idle()) return;
      beast::error_code ignored;
      c->socket.cancel(ignored);
    });
  }
}

/// Raises the soft limit of open files to the hard one: each connection holds one, and the
/// usual soft default (1024) would let a thousand idle clients lock everyone else out.
void raise_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  constexpr rlim_t enough = 1 << 20;
  const rlim_t wanted = limit.rlim_max == RLIM_INFINITY ? enough : limit.rlim_max;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
    limit.rlim_cur = wanted;
    ::setrlimit(RLIMIT_NOFILE, &limit);  // best effort: the old limit still works
  }
}

}  // namespace

unsigned blocking_threads(unsigned io_threads) { return std::max(16u, 4 * io_threads); }

int run_http_server(const server_options& options, request_handler handler,
                    const std::function<void(unsigned short port)>& ready,
                    request_observer observer, request_predicate may_block,
                    request_first_try first_try) {
  raise_file_limit();
  const unsigned threads =
      options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  // Declared before the io_contexts: sessions still pending when they are destroyed refer to it.
  shared_state state{options,
                     std::move(handler),
                     std::move(observer),
                     std::move(may_block),
                     std::move(first_try),
                     blocking_threads(threads)};
  std::vector<std::unique_ptr<worker>> workers;
  for (unsigned i = 0; i < threads; ++i) workers.push_back(std::make_unique<worker>());
  auto& main_ioc = workers.front()->ioc;  // runs on this thread: acceptor, signals, drain

  tcp::acceptor acceptor{main_ioc};
  const tcp::endpoint endpoint{asio::ip::make_address(options.address), options.port};
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  if (ready) ready(acceptor.local_endpoint().port());

  asio::co_spawn(main_ioc, listen(acceptor, state, workers), asio::detached);

  // Graceful stop: no new connections, idle keep-alive connections are dropped at once,
  // requests in flight finish (for at most shutdown_timeout), then the io threads stop. All of
  // it runs on the main thread, the acceptor's, so closing the acceptor needs no strand.
  asio::signal_set signals{main_ioc, SIGINT, SIGTERM};
  asio::steady_timer drain{main_ioc};
  clock::time_point give_up;
  const auto stop_all = [&] {
    for (auto& w : workers) {
      w->keep_running.reset();
      w->ioc.stop();
    }
  };
  std::function<void()> wait_for_drain = [&] {
    if (state.open_connections() == 0 || clock::now() >= give_up) {
      stop_all();
      return;
    }
    drain.expires_after(std::chrono::milliseconds(10));
    drain.async_wait([&](beast::error_code) { wait_for_drain(); });
  };
  signals.async_wait([&](beast::error_code ec, int) {
    if (ec) return;
    state.stopping = true;
    give_up = clock::now() + options.shutdown_timeout;
    beast::error_code ignored;
    acceptor.close(ignored);
    close_idle_connections(state);
    wait_for_drain();
  });

  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (unsigned i = 1; i < threads; ++i) {
    pool.emplace_back([&ioc = workers[i]->ioc] { ioc.run(); });
  }
  main_ioc.run();
  for (auto& t : pool) t.join();
  // Writes still running finish (their connections are alive until the io_contexts go);
  // their answers are not sent any more.
  state.blocking.join();
  return 0;
}

}  // namespace treffpunkt::server
