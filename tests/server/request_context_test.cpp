// One request read once (server/src/request_context.h): its path and query with Boost.URL,
// form fields, the language of the answer, its CSRF token, who sends it.
#include "request_context.h"

#include <gtest/gtest.h>

#include <string>

#include "app_fixture.h"
#include "services.h"

namespace treffpunkt::server {
namespace {

class RequestContext : public testing::app_test {
 protected:
  void SetUp() override {
    app_test::SetUp();
    app_options o;
    o.clock = clock_;
    services_ = std::make_unique<services>(*store_, std::move(o));
  }
  void TearDown() override {
    services_.reset();
    app_test::TearDown();
  }
  std::unique_ptr<services> services_;
};

TEST_F(RequestContext, PathAndQueryComeApartAndQueryValuesAreDecoded) {
  const auto r = request("GET", "/units/bildung?month=2026-12&q=a+b%2Fc&lang=en&empty=");
  const request_context ctx(r, *services_, clock_.now());
  EXPECT_TRUE(ctx.valid_target());
  EXPECT_EQ(ctx.path(), "/units/bildung");
  EXPECT_EQ(ctx.raw_query(), "month=2026-12&q=a+b%2Fc&lang=en&empty=");
  EXPECT_EQ(ctx.query("q"), "a b/c");
  EXPECT_EQ(ctx.query("empty"), "");
  EXPECT_EQ(ctx.query("absent"), std::nullopt);
  EXPECT_EQ(ctx.plain_query("month"), "2026-12");
  EXPECT_EQ(ctx.plain_query("q"), "");  // not plain: a switch or choice never looks like that
  EXPECT_EQ(ctx.lang(), web::language::en);
  EXPECT_TRUE(ctx.lang_chosen());
}

TEST_F(RequestContext, ABadEscapeMakesNothingOfTheQueryTrusted) {
  const auto r = request("GET", "/units/bildung?next=%zz&lang=en");
  const request_context ctx(r, *services_, clock_.now());
  EXPECT_FALSE(ctx.valid_target());  // not a valid origin-form: the app answers 400
  const auto ok = request("GET", "/units/bildung");
  const request_context plain(ok, *services_, clock_.now());
  EXPECT_EQ(plain.query("next"), std::nullopt);
  EXPECT_EQ(plain.lang(), web::language::de);
  EXPECT_FALSE(plain.lang_chosen());
}

TEST_F(RequestContext, FormFieldsAreDecodedOrNone) {
  auto r = request("POST", "/me/reminders", {{"Content-Type", "application/x-www-form-urlencoded"}},
                   "a=1&next=%2Fme&before=60&before=1440&text=Hallo+Welt&b");
  const request_context ctx(r, *services_, clock_.now());
  EXPECT_EQ(ctx.form("next"), "/me");
  EXPECT_EQ(ctx.form_value("text"), "Hallo Welt");
  EXPECT_EQ(ctx.form("missing"), std::nullopt);
  EXPECT_EQ(ctx.form_value("missing"), "");
  EXPECT_EQ(ctx.form_values("before"), (std::vector<std::string>{"60", "1440"}));
  r.body = "next=%zz";
  const request_context bad(r, *services_, clock_.now());
  EXPECT_EQ(bad.form("next"), std::nullopt);
}

TEST_F(RequestContext, LanguageFromTheSwitchTheCookieOrTheBrowser) {
  const auto by_cookie = request("GET", "/", {{"Cookie", "lang=en"}});
  EXPECT_EQ(request_context(by_cookie, *services_, clock_.now()).lang(), web::language::en);
  const auto by_browser = request("GET", "/", {{"Accept-Language", "fr, en;q=0.5"}});
  EXPECT_EQ(request_context(by_browser, *services_, clock_.now()).lang(), web::language::en);
  const auto switch_wins =
      request("GET", "/?lang=de", {{"Cookie", "lang=en"}, {"Accept-Language", "en"}});
  EXPECT_EQ(request_context(switch_wins, *services_, clock_.now()).lang(), web::language::de);
}

TEST_F(RequestContext, TheCsrfTokenIsTheCookiesOrANewOneThatTheAnswerSets) {
  const std::string token(43, 'T');
  const auto with =
      request("POST", "/me/notices",
              {{"Cookie", "csrf=" + token}, {"Content-Type", "application/x-www-form-urlencoded"}},
              "csrf=" + token);
  const request_context known(with, *services_, clock_.now());
  EXPECT_EQ(known.csrf_token(), token);
  EXPECT_FALSE(known.csrf_is_new());
  EXPECT_TRUE(known.csrf_valid());
  http_response r;
  known.set_csrf_cookie(r);
  EXPECT_TRUE(r.headers.empty());

  const auto without = request("GET", "/login");
  const request_context fresh(without, *services_, clock_.now());
  const auto made = fresh.csrf_token();
  EXPECT_EQ(made.size(), 43U);
  EXPECT_EQ(fresh.csrf_token(), made);  // once per request
  EXPECT_TRUE(fresh.csrf_is_new());
  EXPECT_FALSE(fresh.csrf_valid());
  fresh.set_csrf_cookie(r);
  ASSERT_EQ(r.headers.size(), 1U);
  EXPECT_TRUE(r.headers[0].second.starts_with("csrf=" + made + "; Path=/; Max-Age=86400"));

  auto wrong = with;
  wrong.body = "csrf=" + std::string(43, 'X');
  EXPECT_FALSE(request_context(wrong, *services_, clock_.now()).csrf_valid());
}

TEST_F(RequestContext, TheCallerIsReadOnceAndAStaleCookieReadsAsAnonymous) {
  const auto who = store_->ensure_person("anna@example.org", "Anna");
  const auto session = store_->issue_token(storage::token_kind::session, who->id,
                                           std::chrono::days(1), clock_.now());
  const auto in = request("GET", "/me", {{"Cookie", "session=" + session.raw}});
  const request_context ctx(in, *services_, clock_.now());
  ASSERT_TRUE(ctx.member());
  EXPECT_EQ(ctx.member()->email, "anna@example.org");
  EXPECT_EQ(&ctx.who(), &ctx.who());
  const auto stale = request("GET", "/me", {{"Cookie", "session=nope"}});
  const request_context anonymous(stale, *services_, clock_.now());
  EXPECT_FALSE(anonymous.who().valid);
  EXPECT_FALSE(anonymous.member());
}

}  // namespace
}  // namespace treffpunkt::server
