#pragma once
/// The calendar apps that fetch feeds, as families read from a User-Agent: what treffpunkt
/// counts (per feed and day) instead of keeping the User-Agent itself, and what it tells
/// members and responsibles about how soon a change reaches a calendar.

#include <array>
#include <optional>
#include <string_view>

namespace treffpunkt::calendar {

enum class client_family {
  google,       ///< Google Calendar's importer ("Google-Calendar-Importer")
  microsoft,    ///< Outlook.com, Outlook, Exchange ("Microsoft.Exchange", "MSOffice", ...)
  apple,        ///< Apple Calendar: iOS `dataaccessd`, macOS `CalendarAgent`
  thunderbird,  ///< Thunderbird's calendar ("Thunderbird/115.5.0")
  davx5,        ///< ICSx⁵ and DAVx⁵ on Android
  browser,      ///< a web browser (someone opened the link)
  other,        ///< anything else, or no User-Agent
};

inline constexpr std::array<client_family, 7> client_families{
    client_family::google,      client_family::microsoft, client_family::apple,
    client_family::thunderbird, client_family::davx5,     client_family::browser,
    client_family::other};

/// The family a User-Agent names; `other` when none. Reads the header, keeps nothing.
client_family classify_client(std::string_view user_agent);

/// "google", "microsoft", "apple", "thunderbird", "davx5", "browser", "other": the name stored
/// and shown in /metrics.
std::string_view name(client_family f);
std::optional<client_family> parse_client_family(std::string_view name_text);

/// Whether the family re-fetches a subscribed feed on its own schedule of hours (Google: up to
/// 24, Outlook.com: several), so that a short-notice change can reach the member too late.
bool lags(client_family f);

}  // namespace treffpunkt::calendar
