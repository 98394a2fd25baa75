// Members' pages from the shared cache (issue 16): the occurrence page is kept per answer
// state, the unit page per follow state, /me per member, each with empty CSRF fields filled in
// per request; whose session a cookie is, and what the header asks of them, is remembered
// while nothing is written. Two members asking in turn for the same pages each get only their
// own name, answer, token and links, and the cache is used; a logout, an expired session, a
// new role and a new answer show at once.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <thread>

#include "app_fixture.h"

namespace treffpunkt::server {
namespace {

using namespace std::chrono_literals;
using testing::app_test;
using treffpunkt::testing::local;

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

/// Every value of a CSRF field in `html`.
std::set<std::string> csrf_values(const std::string& html) {
  static const std::regex field(R"re(name="csrf" value="([^"]*)")re");
  std::set<std::string> out;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), field);
       it != std::sregex_iterator(); ++it) {
    out.insert((*it)[1]);
  }
  return out;
}

/// One member as a browser: their session and CSRF cookies.
struct member {
  storage::person who;
  std::string session;
  std::string csrf;

  std::pair<std::string, std::string> cookie() const {
    return {"Cookie", "session=" + session + "; csrf=" + csrf};
  }
};

class MemberCache : public app_test {
 protected:
  void SetUp() override {
    app_test::SetUp();
    bildung_ = store_->unit_by_slug("bildung")->id;
    // Anna hosts an exchange offer (her name not shown publicly), answered yes to it, follows
    // Bildung and has a personal feed. Ben has done nothing yet.
    anna_ = make_member("anna.alpha@example.org", "Anna Alpha", std::string(43, 'A'));
    ben_ = make_member("ben.beta@example.org", "Ben Beta", std::string(43, 'B'));
    storage::offer_draft draft;
    draft.title = "Kochkurs mit Anna";
    draft.location = "Küche";
    draft.dates = {local(2026, 7, 2, 18)};
    draft.capacity = 5;
    draft.show_host = false;
    const auto proposed = store_->propose_offer(bildung_, anna_.who.id, draft, clock_.now());
    ASSERT_TRUE(proposed) << proposed.error().message;
    storage::proposal_decision approve;
    approve.start = local(2026, 7, 2, 18);
    approve.capacity = 5;
    const auto decided =
        store_->decide_proposal(proposed->id, storage::actor::system(), approve, clock_.now());
    ASSERT_TRUE(decided && decided->event) << (decided ? "" : decided.error().message);
    offer_ = *decided->event;
    // 18:00 in Berlin is 16:00 UTC in July.
    key_ = calendar::occurrence_key::timed(treffpunkt::testing::utc(2026, 7, 2, 16));
    occurrence_ = "/events/" + std::to_string(offer_.value) + "/" + key_.to_string();
    ASSERT_TRUE(
        store_->set_rsvp(offer_, key_, anna_.who.id, calendar::rsvp_answer::yes, clock_.now()));
    ASSERT_TRUE(store_->set_follow(anna_.who.id, bildung_, true));
    store_->issue_token(storage::token_kind::feed, anna_.who.id, std::chrono::days(365),
                        clock_.now());
  }

  member make_member(const std::string& email, const std::string& name, std::string csrf) {
    const auto p = store_->ensure_person(email, name);
    EXPECT_TRUE(p);
    const auto s = store_->issue_token(storage::token_kind::session, p->id, 1h, clock_.now());
    return member{*p, s.raw, std::move(csrf)};
  }

  std::string page(const std::string& target, const member& m) {
    const auto r = call("GET", target, {m.cookie()});
    EXPECT_EQ(r.status, 200U) << target;
    return body(r);
  }

  /// What /metrics counts for the render caches.
  std::uint64_t metric(std::string_view name) {
    const std::string text = body(call("GET", "/metrics"));
    const auto at = text.find("\n" + std::string(name) + " ");
    EXPECT_NE(at, std::string::npos) << name;
    if (at == std::string::npos) return 0;
    return std::stoull(text.substr(at + name.size() + 2));
  }

  /// Checks that `html`, served to `reader`, carries their token in every form and nothing
  /// of `other`: not their name, address or token.
  static void only_own(const std::string& html, const member& reader, const member& other,
                       const std::string& what) {
    EXPECT_EQ(csrf_values(html), std::set<std::string>{reader.csrf}) << what;
    EXPECT_FALSE(contains(html, other.who.name)) << what;
    EXPECT_FALSE(contains(html, other.who.email)) << what;
    EXPECT_FALSE(contains(html, other.csrf)) << what;
  }

  calendar::unit_id bildung_;
  member anna_;
  member ben_;
  calendar::event_id offer_;
  calendar::occurrence_key key_ = calendar::occurrence_key::all_day(date::sys_days{});
  std::string occurrence_;
};

TEST_F(MemberCache, TwoMembersInTurnGetOnlyTheirOwnPagesFromTheCache) {
  const auto hits_before = metric("treffpunkt_feed_cache_hits_total");
  const auto renders_before = metric("treffpunkt_feed_cache_misses_total");
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    for (const bool anna_first : {true, false}) {
      const member& first = anna_first ? anna_ : ben_;
      const member& second = anna_first ? ben_ : anna_;
      for (const member* m : {&first, &second}) {
        const member& other = m == &anna_ ? ben_ : anna_;
        const bool is_anna = m == &anna_;

        const auto occ = page(occurrence_, *m);
        only_own(occ, *m, other, "occurrence page");
        // Her answer, and the host's name, which only those who answered see.
        EXPECT_EQ(contains(occ, "Deine Antwort: <strong>Ja</strong>"), is_anna);
        EXPECT_EQ(contains(occ, "Anna Alpha"), is_anna);
        EXPECT_EQ(contains(occ, R"(value="yes" class="current" aria-pressed="true")"), is_anna);

        const auto unit = page("/units/bildung", *m);
        only_own(unit, *m, other, "unit page");
        EXPECT_EQ(contains(unit, R"(name="follow" value="0")"), is_anna);
        EXPECT_EQ(contains(unit, R"(name="follow" value="1")"), !is_anna);

        const auto me = page("/me", *m);
        only_own(me, *m, other, "/me");
        EXPECT_TRUE(contains(me, m->who.email));
        // Her offer, her answer, her follow and her feed; none of them Ben's.
        EXPECT_EQ(contains(me, "/manage/offers/" + std::to_string(offer_.value)), is_anna);
        EXPECT_EQ(contains(me, "Kochkurs mit Anna"), is_anna);
        EXPECT_EQ(contains(me, R"(action="/units/bildung/follow")"), is_anna);
        EXPECT_EQ(contains(me, "Du hast schon einen Link."), is_anna);
      }
    }
  }
  // 3 pages x 2 states each were rendered; the 30 other requests came from the cache.
  EXPECT_EQ(metric("treffpunkt_feed_cache_misses_total") - renders_before, 6U);
  EXPECT_GE(metric("treffpunkt_feed_cache_hits_total") - hits_before, 30U);
}

TEST_F(MemberCache, ATokenIsFilledInForABrowserWithoutTheCookie) {
  // A first visit: no csrf cookie yet. The page gets a new token, in its forms and its cookie,
  // and the next such visit another one.
  const std::pair<std::string, std::string> cookie{"Cookie", "session=" + anna_.session};
  const auto first = call("GET", occurrence_, {cookie});
  const auto second = call("GET", occurrence_, {cookie});
  const auto token = set_cookie(first, "csrf");
  ASSERT_EQ(token.size(), 43U);
  EXPECT_EQ(csrf_values(body(first)), std::set<std::string>{token});
  EXPECT_EQ(csrf_values(body(second)), std::set<std::string>{set_cookie(second, "csrf")});
  EXPECT_NE(set_cookie(second, "csrf"), token);
}

TEST_F(MemberCache, AnAnswerShowsAtOnceAndOnlyForWhoGaveIt) {
  EXPECT_FALSE(contains(page(occurrence_, ben_), "Deine Antwort: <strong>"));
  const auto answered = call("POST", occurrence_ + "/rsvp",
                             {ben_.cookie(), {"Content-Type", "application/x-www-form-urlencoded"}},
                             "csrf=" + ben_.csrf + "&answer=maybe");
  EXPECT_EQ(answered.status, 303U);
  const auto ben = page(occurrence_ + "?rsvp=saved", ben_);
  EXPECT_TRUE(contains(ben, "Deine Antwort: <strong>Vielleicht</strong>"));
  EXPECT_TRUE(contains(ben, "Anna Alpha"));  // the host, now that he answered
  EXPECT_TRUE(contains(ben, "notice-success"));
  EXPECT_EQ(csrf_values(ben), std::set<std::string>{ben_.csrf});
  EXPECT_FALSE(contains(ben, anna_.csrf));
  EXPECT_FALSE(contains(ben, anna_.who.email));
  const auto anna = page(occurrence_ + "?rsvp=saved", anna_);
  EXPECT_TRUE(contains(anna, "Deine Antwort: <strong>Ja</strong>"));
  EXPECT_FALSE(contains(anna, "Vielleicht</strong>"));
  only_own(anna, anna_, ben_, "Anna's saved page");
}

TEST_F(MemberCache, ALogoutEndsTheRememberedSessionAtOnce) {
  EXPECT_TRUE(contains(page("/me", anna_), anna_.who.email));
  store_->revoke_tokens(anna_.who.id, storage::token_kind::session);
  const auto after = call("GET", "/me", {anna_.cookie()});
  EXPECT_EQ(after.status, 303U);  // to the login page
  EXPECT_FALSE(
      contains(body(call("GET", occurrence_, {anna_.cookie()})), "Deine Antwort: <strong>"));
}

TEST_F(MemberCache, AnExpiredSessionIsNotRememberedPastItsEnd) {
  const auto s = store_->issue_token(storage::token_kind::session, ben_.who.id, 1s, clock_.now());
  const member brief{ben_.who, s.raw, ben_.csrf};
  const auto deadline = s.expires;
  if (clock_.now() < deadline) {
    // Read (and so remembered) while valid.
    EXPECT_EQ(call("GET", "/me", {brief.cookie()}).status, 200U);
  }
  while (clock_.now() < deadline) std::this_thread::sleep_for(50ms);
  // Nothing was written meanwhile: only the expiry can end it.
  EXPECT_EQ(call("GET", "/me", {brief.cookie()}).status, 303U);
}

TEST_F(MemberCache, ANewRoleShowsInTheHeaderAtOnce) {
  const auto before = page("/units/bildung", ben_);
  EXPECT_FALSE(contains(before, "href=\"/manage\""));
  ASSERT_TRUE(store_->add_responsible(bildung_, ben_.who.id, storage::actor::system()));
  const auto after = page("/units/bildung", ben_);
  EXPECT_TRUE(contains(after, "href=\"/manage\""));
  only_own(after, ben_, anna_, "the responsible's unit page");
  EXPECT_FALSE(contains(page("/units/bildung", anna_), "href=\"/manage\""));
}

}  // namespace
}  // namespace treffpunkt::server
