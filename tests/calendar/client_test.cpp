#include <calendar/client.h>
#include <gtest/gtest.h>

namespace treffpunkt::calendar {
namespace {

struct sample {
  std::string_view user_agent;
  client_family family;
};

// User-Agent strings these clients send (from their own requests to feeds).
constexpr std::array<sample, 14> samples{{
    {"Google-Calendar-Importer", client_family::google},
    {"Mozilla/5.0 (compatible; Google-Calendar-Importer)", client_family::google},
    {"Microsoft.Exchange/15.20 (Windows NT 10.0; Win64; x64)", client_family::microsoft},
    {"Mozilla/4.0 (compatible; ms-office; MSOffice 16)", client_family::microsoft},
    {"Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17029; Pro)",
     client_family::microsoft},
    {"iOS/17.1.2 (21B101) dataaccessd/1.0", client_family::apple},
    {"macOS/14.1.1 (23B81) CalendarAgent/988", client_family::apple},
    {"Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.5.0",
     client_family::thunderbird},
    {"ICSx5/2.2.2-gplay (ical4j/3.2.14 okhttp/4.12.0 Android/14)", client_family::davx5},
    {"DAVx5/4.3.10-ose (2023/12/01; dav4jvm; okhttp/4.12.0) Android/14", client_family::davx5},
    {"Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Mobile Safari/537.36",
     client_family::browser},
    {"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
     client_family::browser},
    {"curl/7.88.1", client_family::other},
    {"", client_family::other},
}};

TEST(ClientFamily, ReadsTheFamilyOfRealUserAgents) {
  for (const auto& s : samples) {
    EXPECT_EQ(name(classify_client(s.user_agent)), name(s.family)) << s.user_agent;
  }
}

TEST(ClientFamily, NamesRoundTripAndOnlyGoogleAndMicrosoftLag) {
  for (const auto f : client_families) {
    EXPECT_EQ(parse_client_family(name(f)), f);
    EXPECT_EQ(lags(f), f == client_family::google || f == client_family::microsoft);
  }
  EXPECT_FALSE(parse_client_family("Google"));
}

}  // namespace
}  // namespace treffpunkt::calendar
