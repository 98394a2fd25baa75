#pragma once
/// What the pages show of feed fetches (issue 15), read through the app's counter: the store's
/// rows plus the counts not yet written (usecases::fetch_counter::counts_of), so that a fetch
/// shows at once.

#include <storage/fetches.h>
#include <storage/store.h>
#include <web/fetches.h>

#include <optional>
#include <string_view>
#include <vector>

namespace treffpunkt::server {

class request_context;

/// The apps that fetched `feed` on the last `days` days (today, UTC, included), summed per
/// family, the most recent first; their last fetch in `zone`.
std::vector<web::app_fetches> app_fetches_of(const request_context& ctx,
                                             const storage::feed_ref& feed, int days,
                                             std::string_view zone);

/// The last fetch of the person's own feed in the days kept, and by which app; its time in the
/// zone of the first unit they follow (else calendar::default_zone).
std::optional<web::app_fetches> personal_feed_fetched(const request_context& ctx,
                                                      const storage::person& p);

}  // namespace treffpunkt::server
