#pragma once
/// Lag notices (issue 15): Google Calendar fetches a subscribed feed only every 12 to 24 hours,
/// Outlook.com every few hours, so a session moved or cancelled at short notice can reach a
/// member's calendar too late. A member who follows a unit and whose personal feed such an app
/// fetched last (store::lagging_followers, within feed_client_memory) is therefore told by email
/// (notifications::message_kind::lag_moved, lag_cancelled) when a session of the unit starting
/// within lag_notice_window moves or is cancelled, even without an RSVP. Nobody gets it twice:
/// whoever is going gets the usual notice instead, whoever said no nothing; one per member and
/// change (the dedupe key names the change as the usual notice's does). Off with the general
/// notices switch, or alone with people.lag_notices (store::set_lag_notices).
///
/// The use cases that move or cancel sessions (events.h, import.h) queue these in their
/// transaction, through mail_writer::add_lag_notices (usecases/src/lag_notices.cpp).

#include <calendar/event.h>
#include <calendar/expand.h>
#include <calendar/time.h>

#include <chrono>
#include <optional>
#include <vector>

namespace treffpunkt::usecases {

/// How soon a session must start, before or after the change, for a lag notice: Google's
/// longest re-fetch interval (24 hours) twice over.
inline constexpr std::chrono::hours lag_notice_window{48};

/// How far back a fetch of a personal feed still says which app the member uses.
inline constexpr std::chrono::days feed_client_memory{14};

/// One session that a calendar still showing `before` shows wrong.
struct short_notice_change {
  calendar::occurrence before;                ///< as a calendar that lags still shows it
  std::optional<calendar::occurrence> after;  ///< where it is now; none: it does not take place
};

/// The occurrences of `before` that the write turning it into `after` moved (another start,
/// end or place) or cancelled (also by cancelling the whole event, or a changed rule that no
/// longer has them), among those that had not started at `now` and were not cancelled, and
/// that start within lag_notice_window of `now`: a cancelled one as it was, a moved one before
/// or after the move. An occurrence of `after` is the one with the same key; failing that, for
/// one-off events the only one, and for series one on the same local day whose key `before`
/// does not have (a new time of day: as RSVPs follow it). In time order of `before`. The
/// occurrences point into `before` and `after`, which must outlive them. Restoring a cancelled
/// occurrence is no such change.
std::vector<short_notice_change> short_notice_changes(const calendar::event& before,
                                                      const calendar::event& after,
                                                      calendar::utc_seconds now);

}  // namespace treffpunkt::usecases
