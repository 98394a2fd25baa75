// Lag notices (usecases/lag_notices.h, issue 15): a follower whose personal feed Google or
// Outlook fetches is told by email of a session of the next 48 hours that moved or was
// cancelled, once, unless their RSVP already brings the usual notice or says no.
#include <calendar/ical_reader.h>
#include <usecases/events.h>
#include <usecases/import.h>
#include <usecases/lag_notices.h>
#include <usecases/people.h>
#include <usecases/rsvps.h>

#include <algorithm>
#include <string>
#include <vector>

#include "usecase_fixture.h"

namespace treffpunkt::usecases {
namespace {

using calendar::client_family;
using calendar::rsvp_answer;
using std::chrono::days;
using std::chrono::hours;
using treffpunkt::testing::local;
using treffpunkt::testing::utc;

class LagNotices : public testing::usecase_test {
 protected:
  // Monday 15 June 2026, 12:00 in Berlin: the series' first session (Tuesday 16 June, 19:00)
  // is due tomorrow, its second a week later.
  LagNotices() { clock_ = calendar::clock::starting_at(utc(2026, 6, 15, 10)); }

  /// A member who follows the unit and whose personal feed `family` fetched an hour ago.
  storage::person follower(std::string_view email, client_family family,
                           std::string_view language = "de") {
    const auto p = person(email, "Mitglied", language);
    EXPECT_TRUE(store_->set_follow(p.id, unit_.id, true));
    const auto at = now() - hours(1);
    EXPECT_TRUE(store_->add_feed_fetches(
        {{storage::feed_ref::of(p.id), storage::fetch_day(at), family, 1, 0, at}}));
    return p;
  }

  /// The recipients of the outbox's mails of `kind`, in the order queued.
  std::vector<std::string> recipients(std::string_view kind) const {
    std::vector<std::string> out;
    for (const auto& m : mails(kind)) out.push_back(m.recipient);
    return out;
  }

  /// The first session moved an hour later, as the manage page does it.
  void move_first_session() {
    calendar::occurrence_override moved;
    moved.key = occurrence(0).key;
    moved.start = local(2026, 6, 16, 20);
    const auto changed = change_occurrence(ctx(), event_, moved, storage::actor::system());
    ASSERT_TRUE(changed) << changed.error().message;
  }

  void cancel_first_session() {
    calendar::occurrence_override cancelled;
    cancelled.key = occurrence(0).key;
    cancelled.cancelled = true;
    const auto changed = change_occurrence(ctx(), event_, cancelled, storage::actor::system());
    ASSERT_TRUE(changed) << changed.error().message;
  }
};

TEST_F(LagNotices, ASessionDueTomorrowMovedMailsTheGoogleFollowerButNotTheAppleOne) {
  const auto gina = follower("gina@example.org", client_family::google);
  follower("apfel@example.org", client_family::apple);
  move_first_session();

  EXPECT_EQ(recipients("lag_moved"), std::vector<std::string>{"gina@example.org"});
  EXPECT_TRUE(mails("lag_cancelled").empty());
  EXPECT_TRUE(mails("moved").empty());  // nobody had an RSVP
  const auto m = mails("lag_moved").front();
  const auto key = occurrence(0).key;
  EXPECT_EQ(m.dedupe_key, "lag_moved:" + std::to_string(event_.id.value) + ":" + key.to_string() +
                              ":" + std::to_string(gina.id.value) + ":" +
                              std::to_string(stored_event().find_override(key)->sequence));
  const auto text = readable(m.message);
  EXPECT_NE(text.find("wurde verschoben auf Dienstag, 16. Juni 2026, 20:00 Uhr"), std::string::npos)
      << text;
  EXPECT_NE(text.find("Bisher: Dienstag, 16. Juni 2026, 19:00 Uhr"), std::string::npos);
  EXPECT_NE(text.find("Dein Kalender (Google Kalender) zeigt das"), std::string::npos);
  EXPECT_NE(text.find("bis zu 24 Stunden"), std::string::npos);
  EXPECT_NE(text.find("https://termine.example.org/events/" + std::to_string(event_.id.value) +
                      "/" + key.to_string()),
            std::string::npos);
  // A notice like the others: one click unsubscribes (https), and no invitation: the feed has
  // the session already.
  EXPECT_NE(text.find("List-Unsubscribe: <https://termine.example.org/unsubscribe/"),
            std::string::npos);
  EXPECT_NE(text.find("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), std::string::npos);
  EXPECT_EQ(text.find("text/calendar"), std::string::npos);
  EXPECT_GT(wakes_, 0);
}

TEST_F(LagNotices, InEnglishOutlookMayTakeAFewHours) {
  follower("olivia@example.org", client_family::microsoft, "en");
  move_first_session();
  const auto sent = mails("lag_moved");
  ASSERT_EQ(sent.size(), 1U);
  const auto text = readable(sent[0].message);
  EXPECT_NE(text.find("has been moved to Tuesday, 16 June 2026, 8:00 pm"), std::string::npos)
      << text;
  EXPECT_NE(text.find("Your calendar (Outlook) may show this only in a few hours"),
            std::string::npos);
}

TEST_F(LagNotices, ASessionDueTomorrowCancelledMailsTheGoogleFollower) {
  follower("gina@example.org", client_family::google);
  follower("apfel@example.org", client_family::apple);
  cancel_first_session();
  EXPECT_EQ(recipients("lag_cancelled"), std::vector<std::string>{"gina@example.org"});
  EXPECT_TRUE(mails("lag_moved").empty());
  const auto text = readable(mails("lag_cancelled").front().message);
  EXPECT_NE(text.find("am Dienstag, 16. Juni 2026, 19:00 Uhr f=C3=A4llt aus"), std::string::npos)
      << text;
  EXPECT_NE(text.find("https://termine.example.org/units/bildung"), std::string::npos);
}

TEST_F(LagNotices, TheSwitchOnMeOrTheNoticesSwitchStopsThem) {
  const auto gina = follower("gina@example.org", client_family::google);
  const auto paul = follower("paul@example.org", client_family::google);
  ASSERT_TRUE(store_->set_lag_notices(gina.id, false));
  ASSERT_TRUE(store_->set_notices(paul.id, false));
  move_first_session();
  cancel_first_session();
  EXPECT_TRUE(mails("lag_moved").empty());
  EXPECT_TRUE(mails("lag_cancelled").empty());
}

TEST_F(LagNotices, AnRsvpYesGetsOnlyTheUsualNoticeANoNothingAMaybeTheLagNotice) {
  const auto yes = follower("ja@example.org", client_family::google);
  const auto no = follower("nein@example.org", client_family::google);
  const auto maybe = follower("vielleicht@example.org", client_family::google);
  const auto key = occurrence(0).key;
  ASSERT_TRUE(answer_rsvp(ctx(), event_, key, yes, rsvp_answer::yes));
  ASSERT_TRUE(answer_rsvp(ctx(), event_, key, no, rsvp_answer::no));
  ASSERT_TRUE(answer_rsvp(ctx(), event_, key, maybe, rsvp_answer::maybe));
  move_first_session();
  EXPECT_EQ(recipients("moved"), std::vector<std::string>{"ja@example.org"});
  EXPECT_EQ(recipients("lag_moved"), std::vector<std::string>{"vielleicht@example.org"});
}

TEST_F(LagNotices, OnlyForSessionsOfTheNext48HoursAndOncePerChange) {
  follower("gina@example.org", client_family::google);
  // The second session (a week ahead) moved: their calendar has days to catch up.
  calendar::occurrence_override later;
  later.key = occurrence(1).key;
  later.start = local(2026, 6, 23, 20);
  ASSERT_TRUE(change_occurrence(ctx(), event_, later, storage::actor::system()));
  EXPECT_TRUE(mails("lag_moved").empty());
  // ...but moved into tomorrow, it is news now.
  later.start = local(2026, 6, 16, 10);
  ASSERT_TRUE(change_occurrence(ctx(), stored_event(), later, storage::actor::system()));
  ASSERT_EQ(mails("lag_moved").size(), 1U);
  EXPECT_NE(readable(mails("lag_moved")[0].message).find("Bisher: Dienstag, 23. Juni 2026, 20:00"),
            std::string::npos);
  // Saving the same again changes nothing a calendar shows: no second mail.
  ASSERT_TRUE(change_occurrence(ctx(), stored_event(), later, storage::actor::system()));
  EXPECT_EQ(mails("lag_moved").size(), 1U);
}

TEST_F(LagNotices, AMovedPlaceSaysWhereItWas) {
  follower("gina@example.org", client_family::google);
  calendar::occurrence_override moved;
  moved.key = occurrence(0).key;
  moved.location = "Rathaus, Saal 2";
  ASSERT_TRUE(change_occurrence(ctx(), event_, moved, storage::actor::system()));
  const auto sent = mails("lag_moved");
  ASSERT_EQ(sent.size(), 1U);
  const auto text = readable(sent[0].message);
  EXPECT_NE(text.find("Bisher: Dienstag, 16. Juni 2026, 19:00 Uhr, Jugendzentrum"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Ort: Rathaus, Saal 2"), std::string::npos);
  // A new title only is not a move: nothing.
  calendar::occurrence_override renamed;
  renamed.key = occurrence(1).key;
  renamed.title = "Sommerfest";
  ASSERT_TRUE(change_occurrence(ctx(), stored_event(), renamed, storage::actor::system()));
  EXPECT_EQ(mails("lag_moved").size(), 1U);
}

TEST_F(LagNotices, AnEditOfTheSeriesTimeTellsOfTheSessionTomorrowOnly) {
  follower("gina@example.org", client_family::google);
  auto edited = stored_event();
  edited.start = local(2026, 6, 16, 18);
  const auto changed = update_event(ctx(), edited, storage::actor::system());
  ASSERT_TRUE(changed) << changed.error().message;
  const auto sent = mails("lag_moved");
  ASSERT_EQ(sent.size(), 1U);
  const auto text = readable(sent[0].message);
  EXPECT_NE(text.find("verschoben auf Dienstag, 16. Juni 2026, 18:00 Uhr"), std::string::npos)
      << text;
  EXPECT_NE(sent[0].dedupe_key.find(":edit" + std::to_string(changed->sequence)),
            std::string::npos);
}

TEST_F(LagNotices, CancellingTheSeriesTellsEachFollowerOnceAndNotThoseGoing) {
  follower("gina@example.org", client_family::google);
  const auto going = follower("ja@example.org", client_family::google);
  // Going to the second session only: the whole cancel tells them already.
  ASSERT_TRUE(answer_rsvp(ctx(), event_, occurrence(1).key, going, rsvp_answer::yes));
  const auto cancelled = cancel_event(ctx(), event_, storage::actor::system());
  ASSERT_TRUE(cancelled) << cancelled.error().message;
  EXPECT_EQ(recipients("cancelled"), std::vector<std::string>{"ja@example.org"});
  EXPECT_EQ(recipients("lag_cancelled"), std::vector<std::string>{"gina@example.org"});
  EXPECT_NE(mails("lag_cancelled")[0].dedupe_key.find(":event:"), std::string::npos);
}

TEST_F(LagNotices, AnImportThatMovesTheSessionTomorrowTellsToo) {
  follower("gina@example.org", client_family::google);
  const std::string file =
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
      "BEGIN:VEVENT\r\nDTSTART;TZID=Europe/Berlin:20260616T200000\r\nDURATION:PT2H\r\n"
      "RRULE:FREQ=WEEKLY\r\nUID:" +
      event_.uid +
      "\r\nSUMMARY:Offenes Treffen\r\nLOCATION:Jugendzentrum\r\nDTSTAMP:20260601T000000Z\r\n"
      "END:VEVENT\r\nEND:VCALENDAR\r\n";
  auto events = calendar::read_file_events(file);
  ASSERT_TRUE(events) << events.error().what();
  const auto imported =
      import_events(ctx(), unit_.id, std::move(*events), storage::actor::system(), false);
  ASSERT_TRUE(imported) << imported.error().message;
  EXPECT_EQ(imported->updated, 1);
  EXPECT_EQ(recipients("lag_moved"), std::vector<std::string>{"gina@example.org"});
}

TEST_F(LagNotices, AnUnsubscribeLinkDropsThemFromTheQueue) {
  const auto gina = follower("gina@example.org", client_family::google);
  move_first_session();
  ASSERT_EQ(mails("lag_moved").size(), 1U);
  const auto dropped = unsubscribe(ctx(), gina.id);
  ASSERT_TRUE(dropped) << dropped.error().message;
  EXPECT_EQ(*dropped, 1);
  EXPECT_TRUE(mails("lag_moved").empty());
}

// ---- which sessions changed at short notice -------------------------------------------------

class ShortNoticeChanges : public testing::usecase_test {
 protected:
  ShortNoticeChanges() { clock_ = calendar::clock::starting_at(utc(2026, 6, 15, 10)); }
};

TEST_F(ShortNoticeChanges, ARuleMovedToAnotherDayCancelsTheSessionTomorrow) {
  auto after = stored_event();
  after.start = local(2026, 6, 17, 19);  // Wednesdays now
  const auto changes = short_notice_changes(stored_event(), after, now());
  ASSERT_EQ(changes.size(), 1U);
  EXPECT_EQ(changes[0].before.key, occurrence(0).key);
  EXPECT_FALSE(changes[0].after);
}

TEST_F(ShortNoticeChanges, ANewTimeOfDayIsTheSameSessionMoved) {
  auto after = stored_event();
  after.start = local(2026, 6, 16, 9);
  const auto changes = short_notice_changes(stored_event(), after, now());
  ASSERT_EQ(changes.size(), 1U);
  ASSERT_TRUE(changes[0].after);
  EXPECT_EQ(changes[0].after->local_start, local(2026, 6, 16, 9));
  EXPECT_EQ(changes[0].before.local_start, local(2026, 6, 16, 19));
}

TEST_F(ShortNoticeChanges, RestoringACancelledSessionOrAStartedOneIsNoneOfThem) {
  auto cancelled = stored_event();
  calendar::occurrence_override o;
  o.key = occurrence(0).key;
  o.cancelled = true;
  cancelled.overrides.push_back(o);
  EXPECT_TRUE(short_notice_changes(cancelled, stored_event(), now()).empty());
  // An hour after the session began, moving it is history.
  auto after = stored_event();
  after.location = "Rathaus";
  EXPECT_EQ(short_notice_changes(stored_event(), after, now()).size(), 1U);
  EXPECT_TRUE(short_notice_changes(stored_event(), after, utc(2026, 6, 16, 18)).empty());
}

TEST_F(ShortNoticeChanges, AOneOffEventMovedFromNextMonthIntoTomorrow) {
  calendar::event one = stored_event();
  one.rule.reset();
  one.start = local(2026, 7, 20, 19);
  auto after = one;
  after.start = local(2026, 6, 16, 12);
  const auto changes = short_notice_changes(one, after, now());
  ASSERT_EQ(changes.size(), 1U);
  ASSERT_TRUE(changes[0].after);
  EXPECT_EQ(changes[0].after->local_start, local(2026, 6, 16, 12));
  // The other way round too: tomorrow's session gone to next month.
  EXPECT_EQ(short_notice_changes(after, one, now()).size(), 1U);
  // Next month to the month after: no hurry.
  auto later = one;
  later.start = local(2026, 8, 20, 19);
  EXPECT_TRUE(short_notice_changes(one, later, now()).empty());
}

}  // namespace
}  // namespace treffpunkt::usecases
