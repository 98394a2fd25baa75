#pragma once
/// The member pages (DESIGN.md "Public interface"): GET/HEAD of `/`, `/units/{slug}`,
/// `/events/{id}`, `/events/{id}/{occurrence}`, `/me` and the static files under `/static/`;
/// and their forms: POST `/events/{id}/{occurrence}/rsvp` (actions::rsvp, the mails the API
/// sends too), `/events/{id}/{occurrence}/guest-rsvp` (actions::request_guest_rsvp),
/// `/units/{slug}/follow`, `/me/reminders`, `/me/notices` and `/me/feed/rotate`. And the pages
/// of emailed links, which need no login: GET/POST `/rsvp/confirm/{token}` (a guest confirms
/// their RSVP) and `/unsubscribe/{token}` (one-click unsubscribe, RFC 8058). Reads the store,
/// fills web/'s view models and answers with web/'s HTML in the reader's language.
///
/// What anonymous visitors see is rendered once per (base URL, page, language) and served
/// from memory while store::change_stamp() and the minute stay the same; the parts that are
/// personal (a member's RSVP form, follow button, own page, a CSRF token) are never taken
/// from that cache. Every form carries a CSRF token (double submit, auth.h).

#include <calendar/time.h>
#include <server/api.h>  // rsvp_limiters, rsvp_mail_options
#include <server/http.h>
#include <storage/store.h>
#include <web/pages.h>  // me_notice

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>

namespace treffpunkt::server {

class page_routes {
 public:
  /// `limits`: the RSVP limiters the JSON API takes from too (app owns them; they must outlive
  /// the pages). `mail`: how RSVP mails are sent, as the API's.
  page_routes(storage::store& store, rsvp_limiters limits, rsvp_mail_options mail = {});
  ~page_routes();
  page_routes(const page_routes&) = delete;
  page_routes& operator=(const page_routes&) = delete;

  /// Whether `path` (without query) is one of the pages, form targets or static files above.
  /// Feeds (`*.ics`) are not.
  static bool owns(std::string_view path);

  /// Answers a request for a path that owns() accepts. `base_url` (no trailing slash) makes
  /// the feed links and decides whether cookies get `Secure`.
  http_response handle(const http_request& request, std::string_view path,
                       calendar::utc_seconds now, std::string_view base_url);

  /// How many pages were rendered, and how many served from the cache (tests, /metrics).
  std::uint64_t renders() const { return renders_.load(std::memory_order_relaxed); }
  std::uint64_t cache_hits() const { return hits_.load(std::memory_order_relaxed); }

 private:
  struct cached_page {
    std::uint64_t stamp = 0;
    std::int64_t minute = 0;
    std::shared_ptr<const std::string> html;
  };

  /// The cached page for `key`, or `render()` remembered under it; an unknown page (render()
  /// gives none) is not remembered, so that made-up paths cannot fill the cache.
  template <class F>
  std::shared_ptr<const std::string> cached(const std::string& key, calendar::utc_seconds now,
                                            F&& render);

  struct request_info;
  http_response get(const http_request& request, std::string_view path, const request_info& in);
  http_response post(const http_request& request, std::string_view path, const request_info& in);
  http_response post_rsvp(const http_request& request, const request_info& in,
                          std::string_view event_id, std::string_view key);
  http_response post_guest_rsvp(const http_request& request, const request_info& in,
                                std::string_view event_id, std::string_view key);
  http_response post_follow(const http_request& request, const request_info& in,
                            std::string_view slug);
  http_response post_reminders(const http_request& request, const request_info& in);
  http_response post_notices(const http_request& request, const request_info& in);
  /// /rsvp/confirm/{token}: GET asks (with the button), POST confirms.
  http_response guest_link(const http_request& request, const request_info& in,
                           std::string_view token);
  /// /unsubscribe/{token}: GET explains (with the button), POST unsubscribes.
  http_response unsubscribe_link(const http_request& request, const request_info& in,
                                 std::string_view token);
  http_response post_feed_rotate(const http_request& request, const request_info& in);
  http_response post_delete_account(const http_request& request, const request_info& in);
  /// The member's page saying that a form's CSRF token was wrong (403), with a valid one.
  http_response me_csrf_refused(const http_request& request, const request_info& in);
  /// The member's page with `notice`; `new_feed_url`: a feed link made just now, shown once.
  http_response me_page(const request_info& in, unsigned status, web::me_notice notice,
                        std::optional<std::string> new_feed_url, const std::string& csrf);

  storage::store& store_;
  rsvp_mail_options mail_;
  rsvp_limiters limits_;
  std::shared_mutex mutex_;
  std::map<std::string, cached_page, std::less<>> cache_;
  std::atomic<std::uint64_t> renders_{0};
  std::atomic<std::uint64_t> hits_{0};
};

}  // namespace treffpunkt::server
