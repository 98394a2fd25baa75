// Query strings, form bodies and cookies as the pages read them (server/src/request_context.h:
// Boost.URL's parsing and decoding, cookie_value, the CSRF cookie) and the page language and
// month parameters. Besides not crashing: a decoded form value re-encoded reads back as the
// same bytes, a plain query value is a piece of its input and plain, and a cookie value is a
// piece of its header.

#include <auth.h>             // cookie_value, csrf_from_cookie (server/src)
#include <request_context.h>  // server/src
#include <services.h>         // server/src: what a request context needs
#include <storage/store.h>
#include <unistd.h>  // getpid: one folder per fuzzer process
#include <web/i18n.h>
#include <web/month.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace {

namespace server = treffpunkt::server;
namespace fs = std::filesystem;

void check(bool ok, const char* what, std::string_view input) {
  if (ok) return;
  std::fprintf(stderr, "FINDING: %s for %.*s\n", what, static_cast<int>(input.size()),
               input.data());
  std::abort();
}

/// Whether `part` lies inside `whole` (a view into it, as the lookups promise).
bool inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

/// %XX for every byte: the strictest encoding, which the form reading must read back.
std::string percent_encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    out += '%';
    out += hex[u >> 4];
    out += hex[u & 15];
  }
  return out;
}

/// The services a request context reads (none of their store is touched by what is fuzzed
/// here), over an empty store in a folder of this process.
struct world {
  fs::path dir;
  std::unique_ptr<treffpunkt::storage::store> store;
  std::unique_ptr<server::services> app;
};

world& the_world() {
  static world w;
  return w;
}

server::http_request form_request(std::string target, std::string body) {
  server::http_request r;
  r.method = "POST";
  r.target = std::move(target);
  r.content_type = "application/x-www-form-urlencoded";
  r.body = std::move(body);
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  auto& w = the_world();
  w.dir = fs::temp_directory_path() / ("treffpunkt-fuzz-form-" + std::to_string(::getpid()));
  fs::remove_all(w.dir);
  auto opened = treffpunkt::storage::store::open(w.dir);
  if (!opened) std::abort();
  w.store = std::move(*opened);
  w.app = std::make_unique<server::services>(*w.store, server::app_options{});
  std::atexit([] {
    auto& world = the_world();
    world.app.reset();
    world.store.reset();
    std::error_code ignored;
    fs::remove_all(world.dir, ignored);
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto& w = the_world();
  const auto now = treffpunkt::calendar::utc_seconds{};
  // The whole input as a query and as a form body, looked up by the names the pages use.
  const auto request = form_request("/x?" + std::string(input), std::string(input));
  const server::request_context ctx(request, *w.app, now);
  static constexpr std::string_view names[] = {"csrf",   "answer", "lang",  "month", "before",
                                               "follow", "email",  "title", "rrule", ""};
  for (const auto name : names) {
    const auto plain = ctx.plain_query(name);
    check(inside(plain, request.target), "plain_query outside its input", input);
    check(plain.size() <= 16, "a plain query value longer than 16", input);
    (void)ctx.query(name);
    (void)ctx.form_values(name);
    if (const auto value = ctx.form(name)) {
      const auto again = form_request("/x", "x=" + percent_encode(*value));
      const server::request_context reread(again, *w.app, now);
      check(reread.form("x") == *value, "percent-encoding does not round-trip", input);
    }
  }
  (void)ctx.lang();
  (void)ctx.lang_chosen();
  // As a Cookie header.
  for (const auto name : {"session", "csrf", "lang"}) {
    const auto v = server::cookie_value(input, name);
    check(!v || inside(*v, input), "cookie_value outside its input", input);
  }
  server::http_request with_cookie;
  with_cookie.cookie = std::string(input);
  if (const auto csrf = server::csrf_from_cookie(with_cookie)) {
    check(csrf->size() == 43, "a CSRF cookie of the wrong size", input);
    check(server::csrf_valid(with_cookie, *csrf), "the CSRF cookie does not match itself", input);
  }
  // The language and month of a page.
  (void)treffpunkt::web::negotiate_language(input.substr(0, 16), input, input);
  (void)treffpunkt::web::parse_language(input);
  (void)treffpunkt::web::parse_month(input);
  return 0;
}
