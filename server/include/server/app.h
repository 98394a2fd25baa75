#pragma once
/// The whole application as one plain function of a request: feeds and pages (site), the JSON
/// API (api). The socket side (http_server.h) calls `handle` and nothing else.

#include <server/api.h>
#include <server/http.h>
#include <server/site.h>
#include <storage/store.h>

#include <string>

namespace treffpunkt::server {

struct app_options {
  std::string base_url;      ///< public URL without a trailing slash
  bool trust_proxy = false;  ///< honour X-Forwarded-For/Proto/Host
};

class app {
 public:
  app(storage::store& store, app_options options);

  /// Answers one request; never throws (anything escaping a route is a logged 500).
  http_response handle(const http_request& request);

  site& pages() { return site_; }

 private:
  storage::store& store_;
  app_options options_;
  site site_;
  api api_;
};

}  // namespace treffpunkt::server
