#include <calendar/client.h>

namespace treffpunkt::calendar {
namespace {

bool has(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

}  // namespace

client_family classify_client(std::string_view user_agent) {
  // The most specific marks first: Outlook and Thunderbird also say "Mozilla/5.0".
  if (has(user_agent, "Google-Calendar-Importer")) return client_family::google;
  if (has(user_agent, "Microsoft") || has(user_agent, "Outlook") || has(user_agent, "MSOffice") ||
      has(user_agent, "ms-office") || has(user_agent, "Exchange")) {
    return client_family::microsoft;
  }
  if (has(user_agent, "dataaccessd") || has(user_agent, "CalendarAgent") ||
      has(user_agent, "iCal/") || has(user_agent, "CalendarStore")) {
    return client_family::apple;
  }
  if (has(user_agent, "Thunderbird") || has(user_agent, "Lightning/")) {
    return client_family::thunderbird;
  }
  if (has(user_agent, "ICSx5") || has(user_agent, "DAVx5") || has(user_agent, "DAVdroid")) {
    return client_family::davx5;
  }
  if (user_agent.starts_with("Mozilla/") &&
      (has(user_agent, "Firefox/") || has(user_agent, "Chrome/") || has(user_agent, "Safari/") ||
       has(user_agent, "Edg/"))) {
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

std::optional<client_family> parse_client_family(std::string_view name_text) {
  for (const auto f : client_families) {
    if (name(f) == name_text) return f;
  }
  return std::nullopt;
}

bool lags(client_family f) { return f == client_family::google || f == client_family::microsoft; }

}  // namespace treffpunkt::calendar
