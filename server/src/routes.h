#pragma once
/// The route tables, one per area of the site, in the files that hold their handlers' area:
/// where to look for the handler of a URL.
///
///   feeds/feed_routes.cpp     feeds, /healthz, /metrics, and paths of no area
///   pages/page_routes.cpp     the member pages, their forms, emailed links' pages, /static
///   pages/login_routes.cpp    /login, /logout, /api/v1/login, /api/v1/logout
///   manage/manage_routes.cpp  /manage (responsibles, hosts) and /admin (admins)
///   pages/offer_forms.cpp     proposing offers, one's proposals, wishes
///   api/api_routes.cpp        the JSON API under /api/v1

#include <optional>

#include "router.h"

namespace treffpunkt::server {

area feed_routes();
area page_routes();
area login_routes();
area login_api_routes();
area manage_routes();
area offer_routes();
area admin_routes();
area api_routes();

/// For the JSON API: a write (not GET/HEAD/OPTIONS) authenticated by the session cookie only
/// (no Authorization header) must be `Content-Type: application/json`, which a cross-site form
/// cannot send and a cross-site script cannot send without a CORS preflight that treffpunkt
/// never grants. The 403 answer for a write that breaks the rule.
std::optional<http_response> refuse_cross_site_write(const request_context& ctx);

}  // namespace treffpunkt::server
