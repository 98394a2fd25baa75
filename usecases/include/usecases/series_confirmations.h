#pragma once
/// "Still happening?" (issue 15): a series that no responsible has edited or confirmed for a
/// while (8 weeks unless `treffpunkt serve --confirm-series-after` says otherwise) makes the
/// housekeeping round ask its unit's responsibles by mail, once per such stale period, with a
/// link to a page where they confirm it. Confirming, or editing the series, starts the clock
/// again. A series still unconfirmed `unconfirmed_after` the question is flagged on the unit's
/// manage page and on /admin; nothing is removed. One-off events, cancelled series, series
/// without dates to come and those of archived units are never asked about.

#include <calendar/event.h>
#include <calendar/expand.h>
#include <calendar/time.h>
#include <storage/store.h>
#include <usecases/context.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace treffpunkt::usecases {

/// How long a series may go unedited and unconfirmed before its responsibles are asked.
inline constexpr std::chrono::weeks default_confirm_series_after{8};
/// How long after the question an unanswered series is flagged as unconfirmed.
inline constexpr std::chrono::weeks unconfirmed_after{4};

/// The next dates of `e` that start after `now` and are not cancelled, at most `n`, however
/// far ahead they are.
std::vector<calendar::occurrence> next_dates(const calendar::event& e, calendar::utc_seconds now,
                                             std::size_t n);

/// Whether the series is asked about at all: a series (a rule or extra dates), not cancelled,
/// of a unit that is not archived, with a date still to come (next_dates).
bool asked_about(const calendar::event& e, const calendar::unit& u, calendar::utc_seconds now);

/// Where a series stands, as the pages and the API show it.
struct series_status {
  /// The last edit or confirmation (storage::series_confirmation::since).
  calendar::utc_seconds confirmed{};
  /// When the responsibles were asked, while the question waits for an answer.
  std::optional<calendar::utc_seconds> asked;
  /// The same, once it has waited `unconfirmed_after` or longer for a series still asked
  /// about: the series is flagged as unconfirmed.
  std::optional<calendar::utc_seconds> unconfirmed_since;
};

/// The status of the series `e` of unit `u` with its stamps `c`, at `now`.
series_status status_of(const calendar::event& e, const calendar::unit& u,
                        const storage::series_confirmation& c, calendar::utc_seconds now);

/// The same read from the store: none for a one-off event (or an event or unit that is gone).
std::optional<series_status> status_of(const storage::store& store, const calendar::event& e,
                                       calendar::utc_seconds now);

/// Where the responsibles confirm a series: {base}/manage/events/{id}/confirm.
std::string confirm_url(std::string_view base_url, calendar::event_id id);

/// What one round of questions did.
struct confirmation_round {
  int series = 0;                   ///< series whose responsibles were asked
  std::vector<std::string> errors;  ///< one line per series that could not be asked
};

/// Housekeeping's round at `ctx.now`: every series asked about (asked_about) that nobody has
/// edited or confirmed for `after` and whose responsibles were not asked since gets one
/// `series_confirmation` mail to each of its unit's responsibles, in their language, with the
/// link of confirm_url, and confirm_asked set, in one transaction per series
/// (store::ask_series_confirmation). Dedupe key `series_confirmation:<event>:<person>:<since>`
/// (since: Unix seconds of the last edit or confirmation), so a second round, a restart or a
/// second process asks no one twice for the same stale period.
confirmation_round ask_series_confirmations(const context& ctx, std::chrono::days after);

/// A responsible of the unit or an admin says the series still happens (the confirm page, the
/// API): store::confirm_series at `ctx.now`. Errors: not_found, forbidden (checked before the
/// rest), conflict (field "event") for an event that is not asked about: no series, cancelled,
/// of an archived unit, or without dates to come.
storage::result<storage::series_confirmation> confirm_series(const context& ctx,
                                                             calendar::event_id id,
                                                             const storage::actor& who);

/// A series flagged as unconfirmed, with its unit and when its responsibles were asked.
struct unconfirmed_series {
  calendar::event event;
  calendar::unit unit;
  calendar::utc_seconds asked{};
};

/// The series flagged as unconfirmed at `now` (status_of's unconfirmed_since) of unit `u`, or
/// of every unit when none; the longest waiting first.
std::vector<unconfirmed_series> unconfirmed_series_of(const storage::store& store,
                                                      std::optional<calendar::unit_id> u,
                                                      calendar::utc_seconds now);

}  // namespace treffpunkt::usecases
