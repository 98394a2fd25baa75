// Query strings, form bodies and cookies as the pages read them: url_pairs.h (raw_pair_value,
// raw_pair_values, form_decode, form_field), cookie_value, the CSRF cookie, and the page
// language and month parameters. Besides not crashing: a value that decodes re-encodes to
// the same bytes, and every lookup returns a piece of its input.

#include <auth.h>       // cookie_value, csrf_from_cookie (server/src)
#include <url_pairs.h>  // server/src
#include <web/i18n.h>
#include <web/month.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

namespace server = treffpunkt::server;

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

/// %XX for every byte: the strictest encoding, which form_decode must read back.
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // The whole input as a query or form body, looked up by the names the pages use and by the
  // names it holds itself.
  static constexpr std::string_view names[] = {"csrf",   "answer", "lang",  "month", "before",
                                               "follow", "email",  "title", "rrule", ""};
  for (const auto name : names) {
    const auto raw = server::raw_pair_value(input, name);
    check(!raw || inside(*raw, input), "raw_pair_value outside its input", input);
    const auto value = server::form_field(input, name);
    check(!value || (raw && value->size() <= raw->size()), "form_field longer than raw", input);
    for (const auto v : server::raw_pair_values(input, name)) {
      check(inside(v, input), "raw_pair_values outside its input", input);
    }
  }
  std::string_view pairs = input;
  for (int n = 0; n < 8 && !pairs.empty(); ++n) {
    const auto amp = pairs.find('&');
    const auto pair = pairs.substr(0, amp);
    const auto name = pair.substr(0, pair.find('='));
    check(server::raw_pair_value(input, name).has_value(), "a name in the input not found", input);
    if (amp == std::string_view::npos) break;
    pairs.remove_prefix(amp + 1);
  }
  if (const auto decoded = server::form_decode(input)) {
    const auto again = server::form_decode(percent_encode(*decoded));
    check(again && *again == *decoded, "percent-encoding does not round-trip", input);
  }
  // As a Cookie header.
  for (const auto name : {"session", "csrf", "lang"}) {
    const auto v = server::cookie_value(input, name);
    check(!v || inside(*v, input), "cookie_value outside its input", input);
  }
  server::http_request request;
  request.cookie = std::string(input);
  if (const auto csrf = server::csrf_from_cookie(request)) {
    check(csrf->size() == 43, "a CSRF cookie of the wrong size", input);
    check(server::csrf_valid(request, *csrf), "the CSRF cookie does not match itself", input);
  }
  // The language and month of a page.
  (void)treffpunkt::web::negotiate_language(input.substr(0, 16), input, input);
  (void)treffpunkt::web::parse_language(input);
  (void)treffpunkt::web::parse_month(input);
  return 0;
}
