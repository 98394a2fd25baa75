#include <server/app.h>
#include <storage/error.h>
#include <web/pages.h>

#include <cstdio>

#include "api/json_io.h"  // error_response
#include "request_context.h"
#include "request_log.h"
#include "responses.h"
#include "router.h"
#include "routes.h"
#include "services.h"

namespace treffpunkt::server {

void add_security_headers(http_response& response) {
  if (response.prebuilt_head) return;  // feeds: make_rendered writes nosniff into the head
  auto& h = response.headers;
  h.emplace_back("X-Content-Type-Options", "nosniff");
  // Links can carry secrets (login, RSVP confirmation, unsubscribe): never pass the page's
  // address on to the sites it links to (Google, Outlook, online meeting links).
  h.emplace_back("Referrer-Policy", "no-referrer");
  if (response.content_type.starts_with("text/html")) {
    // Styles and scripts only from /static: no inline code, so an injected <script> cannot run.
    // QR codes are inline SVG elements, which need no img-src.
    h.emplace_back("Content-Security-Policy",
                   "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                   "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
                   "base-uri 'none'");
    h.emplace_back("X-Frame-Options", "DENY");  // frame-ancestors for older browsers
  }
}

app::app(storage::store& store, app_options options)
    : services_(std::make_unique<services>(store, std::move(options))),
      router_(std::make_unique<router>(
          std::vector<area>{feed_routes(), page_routes(), login_routes(), login_api_routes(),
                            manage_routes(), admin_routes(), offer_routes(), api_routes()},
          area{"none", {}, {}, text_not_found, text_method_not_allowed})) {
  services_->counts = std::make_unique<metrics>(router_->patterns());
  const auto every = services_->options.fetch_counts_every;
  if (every.count() > 0 && !store.read_only()) services_->fetches.start(every);
}

app::~app() { finish(); }

void app::finish() { services_->fetches.stop(); }

bool app::may_write(const http_request& request) {
  const std::string_view method = request.method;
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

namespace {

/// The answer to a request that failed because the store could not be read (its reads throw:
/// a PostgreSQL server that is down or restarting, storage::is_unavailable): 503 with
/// Retry-After, a problem on the API and a page in the visitor's language elsewhere, rather
/// than the catch-all's 500. Whether the request wrote something before is not known here, so
/// it does not say "nothing was saved". The page reads nothing of the store: no name in the
/// header, no session.
http_response store_unavailable(const request_context& ctx) {
  const std::string_view target = ctx.request().target;
  http_response r;
  if (target.starts_with("/api/")) {
    r = error_response({503, "unavailable", "storage unavailable; try again later", {}});
  } else {
    web::page_context page;
    page.lang = ctx.lang();
    page.path = std::string(target.substr(0, target.find('?')));
    r = personal_html(503, web::render_unavailable(page), page.lang);
  }
  r.headers.emplace_back("Retry-After", "5");
  return r;
}

}  // namespace

http_response app::handle(const http_request& request) {
  auto r = answer_or_500(request, [&] {
    try {
      const request_context ctx(request, *services_, services_->options.clock.now());
      if (!ctx.valid_target()) return http_response::text(400, "malformed request target\n");
      return router_->dispatch(ctx);
    } catch (const std::exception& e) {
      if (!storage::is_unavailable(e)) throw;
      log_failure(request, e.what());
      return store_unavailable(
          request_context(request, *services_, services_->options.clock.now()));
    }
  });
  add_security_headers(r);
  return r;
}

std::optional<http_response> app::answer_from_memory(const http_request& request) {
  if (may_write(request)) return std::nullopt;
  const storage::memory_only_scope memory_only;
  try {
    return handle(request);
  } catch (const storage::would_block&) {
    return std::nullopt;
  }
}

void app::record(const http_request& request, const http_response& answer, std::size_t bytes,
                 std::chrono::microseconds took) {
  services_->counts->record(request.method, answer.route, answer.status, took);
  if (!services_->options.access_log) return;
  // One locked write: lines of threads do not interleave.
  std::fputs(access_log_line(request, answer.status, bytes, took).c_str(), stderr);
}

}  // namespace treffpunkt::server
