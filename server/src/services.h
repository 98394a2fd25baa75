#pragma once
/// What the handlers of every area share, one per app: the store, the options, the mail
/// settings of the use cases, the rate limiters, the caches of feeds and pages, the metrics.
/// Handlers reach it through their request (request_context::app()).

#include <server/app.h>
#include <storage/store.h>
#include <usecases/context.h>
#include <usecases/feed_fetches.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "feeds/feed_cache.h"
#include "feeds/personal_feeds.h"
#include "member_memo.h"
#include "metrics.h"
#include "pages/page_cache.h"
#include "rate_limit.h"

namespace treffpunkt::server {

struct services {
  services(storage::store& s, app_options o);

  /// The feeds and links of the base URL this request should see: --base-url, else what a
  /// trusted proxy announces (X-Forwarded-Proto/Host), else the listening address.
  feed_cache& site_for(const http_request& request);

  storage::store& store;
  const app_options options;
  /// Sender and dispatcher wake-up of every mail the use cases queue.
  const usecases::mail_settings mail;
  /// One RSVP allowance for the JSON API and the pages together.
  rate_limiter rsvps_by_person;
  rate_limiter rsvps_by_address;
  /// Login emails per address and per client address and hour.
  rate_limiter logins_by_address;
  rate_limiter logins_by_ip;
  feed_cache main_site;
  personal_feeds personal;
  page_cache pages;
  /// Whose session a request is, and what the header and the unit pages ask of them.
  member_memo members;
  /// Requests by route and status; made by the app once its routes are known.
  std::unique_ptr<metrics> counts;
  /// Feed fetches per feed, day and calendar app, held in memory and written in batches.
  usecases::fetch_counter fetches;

  /// The render caches' counts over every site, for /metrics.
  cache_counts cache() const;

 private:
  /// Sites of other public URLs announced by a trusted proxy; a handful at most.
  mutable std::mutex proxied_mutex_;
  std::map<std::string, std::unique_ptr<feed_cache>, std::less<>> proxied_;
};

}  // namespace treffpunkt::server
