#pragma once
/// How calendar apps fetched a feed, as the pages say it (issue 15): on a unit's manage page
/// which apps fetched its feed lately, on /me when the member's own feed was last fetched. The
/// server sums the counts (usecases/feed_fetches.h); here they become words.

#include <calendar/client.h>
#include <calendar/time.h>
#include <web/i18n.h>

#include <cstdint>
#include <string_view>

namespace treffpunkt::web {

/// What one family of calendar apps did with a feed over the days shown.
struct app_fetches {
  calendar::client_family family = calendar::client_family::other;
  std::int64_t fetches = 0;        ///< answered 200 or 304
  std::int64_t not_modified = 0;   ///< of those, 304: nothing new for it
  calendar::local_seconds last{};  ///< the last fetch, in the zone the page speaks in
};

/// The days a unit's manage page looks back for its feed's fetches.
inline constexpr int unit_fetch_days = 7;

/// The family in words: "Google Kalender", "Apple Kalender", "Outlook", "Thunderbird",
/// "ICSx⁵/DAVx⁵", "Browser", "Andere" (English: "Google Calendar", ...).
std::string_view app_name(calendar::client_family f, language l);

/// What the family means for how soon a change arrives: "Google Kalender übernimmt Änderungen
/// erst nach bis zu 24 Stunden." (Outlook: several hours; Apple, Thunderbird, ICSx⁵: as often
/// as the member set, usually hourly or daily).
std::string_view app_delay(calendar::client_family f, language l);

}  // namespace treffpunkt::web
