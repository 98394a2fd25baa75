#include <server/app.h>

#include <cstdio>

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

http_response app::handle(const http_request& request) {
  auto r = answer_or_500(request, [&] {
    const request_context ctx(request, *services_, services_->options.clock.now());
    if (!ctx.valid_target()) return http_response::text(400, "malformed request target\n");
    return router_->dispatch(ctx);
  });
  add_security_headers(r);
  return r;
}

void app::record(const http_request& request, const http_response& answer, std::size_t bytes,
                 std::chrono::microseconds took) {
  services_->counts->record(request.method, answer.route, answer.status, took);
  if (!services_->options.access_log) return;
  // One locked write: lines of threads do not interleave.
  std::fputs(access_log_line(request, answer.status, bytes, took).c_str(), stderr);
}

}  // namespace treffpunkt::server
