// `treffpunkt import` as a use case (usecases/import.h): what the file cannot say stays, and an
// updated event tells whom an edit in the pages would tell.
#include <calendar/ical_reader.h>
#include <usecases/events.h>
#include <usecases/import.h>
#include <usecases/rsvps.h>

#include <string>
#include <string_view>
#include <vector>

#include "usecase_fixture.h"

namespace treffpunkt::usecases {
namespace {

using calendar::rsvp_answer;
using testing::usecase_test;

class Import : public usecase_test {
 protected:
  /// The fixture's series as Google Calendar exports it: no places, no RSVP deadline, no kind,
  /// starting at `time` ("190000") on Tuesday 16 June 2026, with `extra` lines in the VEVENT.
  std::string google_file(std::string_view time, std::string_view extra = {}) const {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
           "X-WR-TIMEZONE:Europe/Berlin\r\nBEGIN:VEVENT\r\n"
           "DTSTART;TZID=Europe/Berlin:20260616T" +
           std::string(time) + "\r\nDURATION:PT2H\r\nRRULE:FREQ=WEEKLY\r\nUID:" + event_.uid +
           "\r\nSUMMARY:Offenes Treffen\r\nLOCATION:Jugendzentrum\r\nDTSTAMP:20260601T000000Z\r\n" +
           std::string(extra) + "END:VEVENT\r\nEND:VCALENDAR\r\n";
  }

  storage::result<storage::import_summary> import(const std::string& text, bool dry_run = false) {
    auto events = calendar::read_file_events(text);
    EXPECT_TRUE(events) << events.error().what();
    if (!events) return storage::error{storage::errc::invalid, events.error().what()};
    return import_events(ctx(), unit_.id, std::move(*events), storage::actor::system(), dry_run);
  }
};

TEST_F(Import, AFileWithoutPlacesKeepsThemAndPromotesNobody) {
  auto stored = stored_event();
  stored.rsvp_deadline = std::chrono::hours(24);
  stored.kind = calendar::event_kind::exchange_offer;
  ASSERT_TRUE(store_->update_event(stored, storage::actor::system(), now()));
  const auto key = occurrence().key;
  ASSERT_TRUE(answer_rsvp(ctx(), event_, key, person("anna@example.org"), rsvp_answer::yes));
  ASSERT_TRUE(answer_rsvp(ctx(), event_, key, person("ben@example.org"), rsvp_answer::yes));
  const auto queued = mails().size();

  // A new title, so that the import is an update; places, deadline and kind it cannot say.
  auto text = google_file("190000");
  text.replace(text.find("Offenes Treffen"), 15, "Offenes Plenum");
  const auto imported = import(text);
  ASSERT_TRUE(imported) << imported.error().message;
  EXPECT_EQ(imported->updated, 1);

  const auto after = stored_event();
  EXPECT_EQ(after.title, "Offenes Plenum");
  EXPECT_EQ(after.capacity, 1);
  EXPECT_EQ(after.rsvp_deadline, std::chrono::hours(24));
  EXPECT_EQ(after.kind, calendar::event_kind::exchange_offer);
  EXPECT_EQ(store_->occupancy_of(event_.id, key).waitlisted, 1);
  EXPECT_TRUE(mails("waitlist_promotion").empty());
  EXPECT_EQ(mails().size(), queued) << "a new title alone tells nobody";
}

TEST_F(Import, AFileThatSaysTheKindChangesIt) {
  const auto imported = import(google_file("190000", "X-TREFFPUNKT-KIND:EXCHANGE-OFFER\r\n"));
  ASSERT_TRUE(imported) << imported.error().message;
  EXPECT_EQ(stored_event().kind, calendar::event_kind::exchange_offer);
}

TEST_F(Import, MovingTheSeriesTellsThoseGoingAndPlansTheirRemindersAgain) {
  const auto anna = person("anna@example.org");
  ASSERT_TRUE(answer_rsvp(ctx(), event_, occurrence().key, anna, rsvp_answer::yes));
  const auto before = mails("reminder");
  ASSERT_EQ(before.size(), 2U);
  const int woken = wakes_;

  const auto imported = import(google_file("200000"));  // an hour later every week
  ASSERT_TRUE(imported) << imported.error().message;
  EXPECT_EQ(imported->updated, 1);

  const auto notices = mails("moved");
  ASSERT_EQ(notices.size(), 1U);
  EXPECT_EQ(notices[0].recipient, "anna@example.org");
  EXPECT_NE(notices[0].message.find("method=REQUEST"), std::string::npos);
  const auto text = readable(notices[0].message);
  EXPECT_NE(text.find("Dienstag, 16. Juni 2026, 20:00 Uhr"), std::string::npos) << text;
  EXPECT_NE(text.find("Dienstag, 16. Juni 2026, 19:00 Uhr"), std::string::npos);  // was
  const auto after = mails("reminder");
  ASSERT_EQ(after.size(), 2U);
  EXPECT_EQ(after[0].due, before[0].due + 3600);
  EXPECT_EQ(after[1].due, before[1].due + 3600);
  // Her answer followed her date to its new time.
  const auto rsvps = store_->rsvps_of_person(anna.id);
  ASSERT_EQ(rsvps.size(), 1U);
  EXPECT_EQ(rsvps[0].key,
            calendar::expand(stored_event(), now(), now() + std::chrono::days(7)).at(0).key);
  EXPECT_GT(wakes_, woken);
}

TEST_F(Import, CancellingTheSeriesTellsThoseGoingOnce) {
  const auto anna = person("anna@example.org");
  ASSERT_TRUE(answer_rsvp(ctx(), event_, occurrence(0).key, anna, rsvp_answer::yes));
  ASSERT_TRUE(answer_rsvp(ctx(), event_, occurrence(1).key, anna, rsvp_answer::yes));
  const auto imported = import(google_file("190000", "STATUS:CANCELLED\r\n"));
  ASSERT_TRUE(imported) << imported.error().message;
  EXPECT_EQ(stored_event().status, calendar::event_status::cancelled);
  const auto notices = mails("cancelled");
  ASSERT_EQ(notices.size(), 1U);
  EXPECT_NE(notices[0].message.find("method=CANCEL"), std::string::npos);
  EXPECT_EQ(notices[0].dedupe_key, "cancelled:" + std::to_string(event_.id.value) +
                                       ":event:" + std::to_string(anna.id.value) + ":1");
  EXPECT_TRUE(mails("reminder").empty());
  EXPECT_TRUE(mails("moved").empty());
}

TEST_F(Import, CancellingOneDateTellsThoseGoingToItAndDropsItsReminders) {
  const auto anna = person("anna@example.org");
  ASSERT_TRUE(answer_rsvp(ctx(), event_, occurrence(0).key, anna, rsvp_answer::yes));
  ASSERT_TRUE(answer_rsvp(ctx(), event_, occurrence(1).key, anna, rsvp_answer::yes));
  ASSERT_EQ(mails("reminder").size(), 4U);
  // Tuesday 23 June is off (as Google writes an EXDATE).
  const auto imported =
      import(google_file("190000", "EXDATE;TZID=Europe/Berlin:20260623T190000\r\n"));
  ASSERT_TRUE(imported) << imported.error().message;
  const auto notices = mails("cancelled");
  ASSERT_EQ(notices.size(), 1U);
  EXPECT_NE(notices[0].message.find("method=CANCEL"), std::string::npos);
  // About that date (its CANCEL has a RECURRENCE-ID), under the import's SEQUENCE.
  EXPECT_EQ(notices[0].dedupe_key, "cancelled:" + std::to_string(event_.id.value) + ":" +
                                       occurrence(1).key.to_string() + ":" +
                                       std::to_string(anna.id.value) + ":edit1");
  EXPECT_NE(readable(notices[0].message).find("23. Juni 2026"), std::string::npos);
  const auto reminders = mails("reminder");
  ASSERT_EQ(reminders.size(), 2U);  // those of 16 June stay
  const std::string first =
      "reminder:" + std::to_string(event_.id.value) + ":" + occurrence(0).key.to_string() + ":";
  for (const auto& r : reminders) EXPECT_TRUE(r.dedupe_key.starts_with(first)) << r.dedupe_key;
  EXPECT_TRUE(mails("moved").empty());
}

TEST_F(Import, MovingOneDateTellsThoseGoingToIt) {
  const auto anna = person("anna@example.org");
  ASSERT_TRUE(answer_rsvp(ctx(), event_, occurrence(1).key, anna, rsvp_answer::yes));
  // Tuesday 23 June moves to Wednesday 24 June (a RECURRENCE-ID instance, as Google writes).
  auto text = google_file("190000");
  text.insert(text.find("END:VCALENDAR"),
              "BEGIN:VEVENT\r\nUID:" + event_.uid +
                  "\r\nRECURRENCE-ID;TZID=Europe/Berlin:20260623T190000\r\n"
                  "DTSTART;TZID=Europe/Berlin:20260624T190000\r\nDURATION:PT2H\r\n"
                  "SUMMARY:Offenes Treffen\r\nLOCATION:Jugendzentrum\r\n"
                  "DTSTAMP:20260601T000000Z\r\nEND:VEVENT\r\n");
  const auto imported = import(text);
  ASSERT_TRUE(imported) << imported.error().message;
  const auto notices = mails("moved");
  ASSERT_EQ(notices.size(), 1U);
  EXPECT_NE(readable(notices[0].message).find("Mittwoch, 24. Juni 2026, 19:00 Uhr"),
            std::string::npos);
  // The instance's SEQUENCE is above what calendar apps hold (RFC 5546 §2.1.4).
  const auto after = stored_event();
  ASSERT_EQ(after.overrides.size(), 1U);
  EXPECT_GE(after.overrides[0].sequence, after.sequence);
  EXPECT_EQ(mails("reminder").back().due - mails("reminder").front().due, 22 * 3600)
      << "planned again for Wednesday";
}

TEST_F(Import, ADryRunQueuesNothing) {
  ASSERT_TRUE(
      answer_rsvp(ctx(), event_, occurrence().key, person("anna@example.org"), rsvp_answer::yes));
  const auto queued = mails();
  const int woken = wakes_;
  const auto imported = import(google_file("200000", "STATUS:CANCELLED\r\n"), true);
  ASSERT_TRUE(imported) << imported.error().message;
  EXPECT_EQ(imported->updated, 1);
  EXPECT_EQ(mails().size(), queued.size());
  EXPECT_EQ(stored_event(), event_);
  EXPECT_EQ(wakes_, woken);
}

TEST_F(Import, TheSameFileTwiceQueuesNothingTheSecondTime) {
  ASSERT_TRUE(
      answer_rsvp(ctx(), event_, occurrence().key, person("anna@example.org"), rsvp_answer::yes));
  const auto file = google_file("200000");
  ASSERT_TRUE(import(file));
  const auto queued = mails();
  ASSERT_EQ(mails("moved").size(), 1U);
  const auto stored = stored_event();
  const auto again = import(file);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->unchanged, 1);
  EXPECT_EQ(again->updated, 0);
  EXPECT_EQ(mails().size(), queued.size());
  EXPECT_EQ(stored_event(), stored);
}

}  // namespace
}  // namespace treffpunkt::usecases
