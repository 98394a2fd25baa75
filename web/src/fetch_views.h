#pragma once
/// The feed fetches as the templates see them (web/fetches.h): the list on a unit's manage page
/// and the state of the member's own feed on /me. Private to web/.

#include <web/fetches.h>

#include <optional>
#include <vector>

#include "render.h"

namespace treffpunkt::web::detail {

/// `fetches` (a list: app, count, last, delay) and `has_fetches`.
void set_fetches(mu::data& d, const std::vector<app_fetches>& fetches, language l);

/// For /me: `feed_fetched` with `feed_fetched_text` (when and by which app) and, when that app
/// lags (calendar::lags), `feed_lags` with `feed_lag_text`; or, never fetched, the steps to
/// subscribe (`feed_step_link`: make a link, or copy the one shown when `new_link`).
void set_feed_fetched(mu::data& d, const std::optional<app_fetches>& last, bool new_link,
                      language l);

}  // namespace treffpunkt::web::detail
