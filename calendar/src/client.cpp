#include <calendar/client.h>

namespace treffpunkt::calendar {
namespace {

bool has(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

}  // namespace

client_family classify_client(std::string_view ua) {
  // The most specific marks first: Outlook and Thunderbird also say "Mozilla/5.0".
  if (has(ua, "Google-Calendar-Importer")) return client_family::google;
  if (has(ua, "Microsoft") || has(ua, "Outlook") || has(ua, "MSOffice") || has(ua, "ms-office") ||
      has(ua, "Exchange")) {
    return client_family::microsoft;
  }
  if (has(ua, "dataaccessd") || has(ua, "CalendarAgent") || has(ua, "iCal/") ||
      has(ua, "CalendarStore")) {
    return client_family::apple;
  }
  if (has(ua, "Thunderbird") || has(ua, "Lightning/")) return client_family::thunderbird;
  if (has(ua, "ICSx5") || has(ua, "DAVx5") || has(ua, "DAVdroid")) return client_family::davx5;
  if (ua.starts_with("Mozilla/") &&
      (has(ua, "Firefox/") || has(ua, "Chrome/") || has(ua, "Safari/") || has(ua, "Edg/"))) {
    return client_family::browser;
  }
  return client_family::other;
}

std::string_view name(client_family f) {
  switch (f) {
    case client_family::google:
      return "google";
    case client_family::microsoft:
      return "microsoft";
    case client_family::apple:
      return "apple";
    case client_family::thunderbird:
      return "thunderbird";
    case client_family::davx5:
      return "davx5";
    case client_family::browser:
      return "browser";
    case client_family::other:
      break;
  }
  return "other";
}

std::optional<client_family> parse_client_family(std::string_view text) {
  for (const auto f : client_families) {
    if (name(f) == text) return f;
  }
  return std::nullopt;
}

bool lags(client_family f) { return f == client_family::google || f == client_family::microsoft; }

}  // namespace treffpunkt::calendar
