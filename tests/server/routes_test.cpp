// The app's route tables in process (app.h, server/src/*/..._routes.cpp): what each area answers,
// 405 and Allow from the tables, HEAD as GET, 404 per area, the API's checks before its
// handlers, login links that survive mail scanners, metrics by pattern.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "app_fixture.h"

namespace treffpunkt::server {
namespace {

using testing::app_test;

class Routes : public app_test {};

TEST_F(Routes, EachAreaAnswersFromItsTable) {
  struct expected {
    const char* target;
    unsigned status;
    const char* content_type;
  };
  for (const auto& e : {
           expected{"/calendar.ics", 200, "text/calendar; charset=utf-8"},
           expected{"/units/bildung.ics", 200, "text/calendar; charset=utf-8"},
           expected{"/units/bildung", 200, "text/html; charset=utf-8"},
           expected{"/", 200, "text/html; charset=utf-8"},
           expected{"/login", 200, "text/html; charset=utf-8"},
           expected{"/api/v1/units", 200, "application/json"},
           expected{"/api/v1/units/bildung/occurrences", 200, "application/json"},
           expected{"/healthz", 200, "text/plain; charset=utf-8"},
           expected{"/me", 303, "text/plain; charset=utf-8"},
           expected{"/manage", 303, "text/plain; charset=utf-8"},
       }) {
    const auto r = call("GET", e.target);
    EXPECT_EQ(r.status, e.status) << e.target;
    EXPECT_EQ(content_type(r), e.content_type) << e.target;
  }
  const auto feed = call("GET", "/units/bildung.ics");
  ASSERT_TRUE(feed.prebuilt_head);
  EXPECT_NE(feed.prebuilt_head->find("Content-Type: text/calendar; charset=utf-8"),
            std::string::npos);
}

TEST_F(Routes, AWrongMethodIs405WithTheAllowOfItsPattern) {
  const auto feed = call("DELETE", "/calendar.ics");
  EXPECT_EQ(feed.status, 405U);
  EXPECT_EQ(header(feed, "Allow"), "GET, HEAD");
  const auto page = call("PUT", "/units/bildung");
  EXPECT_EQ(page.status, 405U);
  EXPECT_EQ(header(page, "Allow"), "GET, HEAD");
  const auto form = call("GET", "/events/1/20261202T180000Z/rsvp");
  EXPECT_EQ(form.status, 405U);
  EXPECT_EQ(header(form, "Allow"), "POST");
  // The API answers in JSON.
  const auto api = call("PATCH", "/api/v1/me/tokens");
  EXPECT_EQ(api.status, 405U);
  EXPECT_EQ(header(api, "Allow"), "GET, HEAD, POST");
  EXPECT_EQ(api.content_type, "application/json");
  EXPECT_NE(body(api).find("\"code\":\"method_not_allowed\""), std::string::npos);
  const auto links = call("PUT", "/rsvp/confirm/" + std::string(43, 'A'));
  EXPECT_EQ(header(links, "Allow"), "GET, HEAD, POST");
  // Anonymous visitors of /manage are sent to log in first, whatever they asked.
  const auto manage = call("PUT", "/manage/units/bildung");
  EXPECT_EQ(manage.status, 303U);
  EXPECT_EQ(header(manage, "Location"), "/login?next=/manage/units/bildung");
}

TEST_F(Routes, HeadIsAnsweredAsGet) {
  for (const char* target : {"/units/bildung", "/units/bildung.ics", "/api/v1/units", "/"}) {
    const auto get = call("GET", target);
    const auto head = call("HEAD", target);
    EXPECT_EQ(head.status, get.status) << target;
    EXPECT_EQ(content_type(head), content_type(get)) << target;
    EXPECT_FALSE(content_type(head).empty()) << target;
  }
}

TEST_F(Routes, PathsOfNoRouteGetTheirAreasNotFound) {
  const auto api = call("GET", "/api/v1/nothing");
  EXPECT_EQ(api.status, 404U);
  EXPECT_NE(body(api).find("no such API route"), std::string::npos);
  const auto page = call("GET", "/units/nope");
  EXPECT_EQ(page.status, 404U);
  EXPECT_NE(body(page).find("Seite nicht gefunden"), std::string::npos);
  EXPECT_EQ(body(call("GET", "/units/bildung/x")), "not found\n");
  EXPECT_EQ(body(call("GET", "/nothing")), "not found\n");
  EXPECT_EQ(call("GET", "/manage/nothing").status, 303U);  // anonymous: log in first
  EXPECT_EQ(call("GET", "/admin/nothing").status, 303U);
}

TEST_F(Routes, AMalformedTargetIs400) {
  EXPECT_EQ(call("GET", "/units/bil dung").status, 400U);
  EXPECT_EQ(call("GET", "/static/..\\..\\etc\\passwd").status, 400U);
  EXPECT_EQ(call("GET", "no-slash").status, 400U);
}

TEST_F(Routes, TheApiRefusesUnknownCredentialsAndCrossSiteCookieWrites) {
  const auto stale = call("GET", "/api/v1/units", {{"Authorization", "Bearer nope"}});
  EXPECT_EQ(stale.status, 401U);
  EXPECT_EQ(header(stale, "WWW-Authenticate"), "Bearer");
  const auto form = call("PUT", "/api/v1/units/bildung/follow",
                         {{"Cookie", "session=x"}, {"Content-Type", "text/plain"}});
  EXPECT_EQ(form.status, 403U);
  EXPECT_NE(body(form).find("\"code\":\"csrf\""), std::string::npos);
  // The login API is not the API's: a stale token does not stop a login.
  const auto login = call("POST", "/api/v1/login",
                          {{"Authorization", "Bearer nope"}, {"Content-Type", "application/json"}},
                          R"({"email": "neu@example.org"})");
  EXPECT_EQ(login.status, 202U);
}

TEST_F(Routes, ALoginLinkOpenedByAScannerFirstStillLogsTheMemberIn) {
  const auto who = store_->ensure_person("gescannt@example.org", "");
  ASSERT_TRUE(who);
  const auto link = store_->issue_token(storage::token_kind::login, who->id,
                                        std::chrono::minutes(15), clock_.now());
  const std::string path = "/login/" + link.raw;
  // The scanner: no cookies, GET and HEAD, more than once. Nothing is used up.
  for (const char* method : {"GET", "HEAD", "GET"}) {
    const auto scanned = call(method, path + "?next=/me");
    EXPECT_EQ(scanned.status, 200U);
    EXPECT_EQ(set_cookie(scanned, "session"), "");
  }
  // The member: the page, then its button.
  const auto page = call("GET", path + "?next=/me");
  const auto csrf = set_cookie(page, "csrf");
  ASSERT_EQ(csrf.size(), 43U);
  EXPECT_NE(body(page).find("<form method=\"post\" action=\"" + path + "\">"), std::string::npos);
  EXPECT_NE(body(page).find("name=\"next\" value=\"/me\""), std::string::npos);
  const auto refused = call("POST", path, {{"Content-Type", "application/x-www-form-urlencoded"}},
                            "csrf=" + csrf + "&next=%2Fme");
  EXPECT_EQ(refused.status, 403U);  // no cookie: not the page's form
  const auto in =
      call("POST", path,
           {{"Cookie", "csrf=" + csrf}, {"Content-Type", "application/x-www-form-urlencoded"}},
           "csrf=" + csrf + "&next=%2Fme");
  EXPECT_EQ(in.status, 303U);
  EXPECT_EQ(header(in, "Location"), "/me");
  const auto session = set_cookie(in, "session");
  EXPECT_FALSE(session.empty());
  EXPECT_EQ(call("GET", "/api/v1/me", {{"Cookie", "session=" + session}}).status, 200U);
  // Once only.
  const auto again =
      call("POST", path,
           {{"Cookie", "csrf=" + csrf}, {"Content-Type", "application/x-www-form-urlencoded"}},
           "csrf=" + csrf);
  EXPECT_EQ(again.status, 410U);
}

// The first try on an io thread (PostgreSQL, app::answer_from_memory): what is cached is
// answered as handle() answers it; what needs the database (a feed not rendered yet, or one a
// write made stale) is left to the blocking pool, never served stale; writes always are.
TEST_F(Routes, AnswersFromMemoryOnlyWhatNeedsNoDatabase) {
  const auto from_memory = [&](std::string method, std::string target,
                               std::vector<std::pair<std::string, std::string>> headers = {}) {
    return app_->answer_from_memory(
        request(std::move(method), std::move(target), std::move(headers)));
  };
  // What handle() answers, then from memory; a few tries, in case the store's change probe
  // fell due in between (a stalled machine), which goes to the database.
  const auto cached = [&](const std::string& target,
                          std::vector<std::pair<std::string, std::string>> headers = {}) {
    for (int attempt = 0; attempt < 5; ++attempt) {
      const auto handled = call("GET", target, headers);
      if (auto answer = from_memory("GET", target, headers)) {
        EXPECT_EQ(answer->status, handled.status) << target;
        EXPECT_EQ(body(*answer), body(handled)) << target;
        EXPECT_EQ(fields(*answer), fields(handled)) << target;
        return answer;
      }
    }
    ADD_FAILURE() << target << " was never answered from memory";
    return std::optional<http_response>();
  };
  EXPECT_FALSE(from_memory("GET", "/units/bildung.ics")) << "not rendered yet";
  const auto feed = cached("/units/bildung.ics");
  ASSERT_TRUE(feed);
  EXPECT_EQ(feed->status, 200U);
  const auto not_modified =
      cached("/units/bildung.ics", {{"If-None-Match", header(*feed, "ETag")}});
  ASSERT_TRUE(not_modified);
  EXPECT_EQ(not_modified->status, 304U);
  const auto page = cached("/units/bildung");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200U);
  EXPECT_FALSE(from_memory("POST", "/units/bildung")) << "a write";
  EXPECT_FALSE(from_memory("PUT", "/api/v1/events/1/occurrences/20261202T180000Z/rsvp"));

  // A write that changes the feed: from memory gives nothing until the feed is rendered again
  // (by the blocking pool), then the new one.
  const auto unit = store_->unit_by_slug("bildung");
  ASSERT_TRUE(unit);
  calendar::event e;
  e.unit = unit->id;
  e.uid = "memory@test.treffpunkt";
  e.title = "Neu seit dem Cache";
  e.start = treffpunkt::testing::local(2026, 6, 18, 19);
  e.duration = std::chrono::hours(2);
  ASSERT_TRUE(store_->create_event(e, storage::actor::system(), clock_.now()));
  EXPECT_FALSE(from_memory("GET", "/units/bildung.ics")) << "stale";
  EXPECT_FALSE(from_memory("GET", "/units/bildung")) << "stale";
  const auto fresh = cached("/units/bildung.ics");
  ASSERT_TRUE(fresh);
  EXPECT_NE(body(*fresh).find("Neu seit dem Cache"), std::string::npos);
}

TEST_F(Routes, MetricsLabelRequestsByTheirRoutePattern) {
  const auto count = [&](const http_request& r) {
    const auto answer = app_->handle(r);
    app_->record(r, answer, 0, std::chrono::microseconds(5));
  };
  count(request("GET", "/units/bildung.ics"));
  count(request("GET", "/api/v1/units/bildung/occurrences?from=2026-06-10"));
  count(request("GET", "/units/frauen"));
  count(request("GET", "/does-not-exist"));
  count(request("DELETE", "/calendar.ics"));
  const auto text = body(call("GET", "/metrics"));
  EXPECT_NE(text.find("route=\"/units/{slug}.ics\",status=\"200\"} 1"), std::string::npos);
  EXPECT_NE(text.find("route=\"/api/v1/units/{}/occurrences\",status=\"200\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("route=\"/units/{slug}\",status=\"200\"} 1"), std::string::npos);
  EXPECT_NE(text.find("route=\"{other}\",status=\"404\"} 1"), std::string::npos);
  EXPECT_NE(text.find("route=\"/calendar.ics\",status=\"405\"} 1"), std::string::npos);
  EXPECT_EQ(text.find("bildung"), std::string::npos);  // no raw paths as labels
  // Only this machine reads them.
  auto from_afar = request("GET", "/metrics");
  from_afar.remote_address = "203.0.113.9";
  EXPECT_EQ(app_->handle(from_afar).status, 403U);
}

}  // namespace
}  // namespace treffpunkt::server
