#include "fetch_views.h"

#include <calendar/event.h>  // default_zone
#include <usecases/feed_fetches.h>

#include <string>

#include "../request_context.h"
#include "../services.h"

namespace treffpunkt::server {

std::vector<web::app_fetches> app_fetches_of(const request_context& ctx,
                                             const storage::feed_ref& feed, int days,
                                             std::string_view zone) {
  const auto from = storage::fetch_day(ctx.now()) - (days - 1);
  std::vector<web::app_fetches> out;
  for (const auto& f : usecases::by_family(ctx.app().fetches.counts_of(feed, from))) {
    out.push_back({f.family, f.fetches, f.not_modified, calendar::to_local(f.last_fetch, zone)});
  }
  return out;
}

std::optional<web::app_fetches> personal_feed_fetched(const request_context& ctx,
                                                      const storage::person& p) {
  std::string zone(calendar::default_zone);
  for (const auto id : ctx.store().follows(p.id)) {
    if (const auto u = ctx.store().unit_by_id(id)) {
      zone = u->zone;
      break;
    }
  }
  // Every day still kept: the retention's 90 and today.
  const auto fetched =
      app_fetches_of(ctx, storage::feed_ref::of(p.id),
                     static_cast<int>(storage::feed_fetch_retention.count()) + 1, zone);
  if (fetched.empty()) return std::nullopt;
  return fetched.front();
}

}  // namespace treffpunkt::server
