#include <calendar/event.h>
#include <calendar/rsvp.h>
#include <date/date.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <storage/store.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

#include "store_fixture.h"

namespace treffpunkt::storage {
namespace {

using testing::sql_int;
using testing::sql_text;
using testing::temp_dir;

using Store = testing::store_test;

// ---- open and migrations ------------------------------------------------------------------

TEST_F(Store, FreshDirectoryGetsNewestSchema) {
  EXPECT_GE(store::schema_version(), 1);
  EXPECT_EQ(sql_int(db_path(), "PRAGMA user_version"), store::schema_version());
  EXPECT_EQ(sql_int(db_path(), "SELECT count(*) FROM sqlite_master WHERE name = 'events'"), 1);
}

TEST_F(Store, ChecksAreComparisonsNotInListsAndStillHold) {
  // v8: no CHECK builds a temporary table for an IN list on every write...
  EXPECT_EQ(sql_int(db_path(), "SELECT count(*) FROM sqlite_master WHERE sql LIKE '% IN (''%'"), 0);
  EXPECT_EQ(sql_int(db_path(),
                    "SELECT count(*) FROM sqlite_master WHERE name = 'rsvps' AND sql LIKE "
                    "'%state = ''going'' OR state = ''waitlisted'' OR state = ''maybe'' OR "
                    "state = ''not_going'' OR state = ''pending''%'"),
            1);
  EXPECT_EQ(sql_text(db_path(), "PRAGMA integrity_check"), "ok");
  // ... and the constraints still refuse what they refused.
  const auto p = make_person("anna@example.org");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
  const std::string insert =
      "INSERT INTO outbox (created, kind, recipient, due, state) VALUES "
      "(0, 'test', 'anna@example.org', 0, ";
  EXPECT_EQ(sqlite3_exec(db, (insert + "'lost')").c_str(), nullptr, nullptr, nullptr),
            SQLITE_CONSTRAINT);
  EXPECT_EQ(sqlite3_exec(db, (insert + "'failed')").c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  const auto token = [&](std::string_view hash, std::string_view kind) {
    const std::string sql =
        "INSERT INTO tokens (hash, kind, person_id, created, expires) VALUES (x'" +
        std::string(hash) + "', '" + std::string(kind) + "', " + std::to_string(p.id.value) +
        ", 0, 0)";
    return sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  };
  EXPECT_EQ(token("01", "master"), SQLITE_CONSTRAINT);
  EXPECT_EQ(token("02", "guest_rsvp"), SQLITE_OK);
  sqlite3_close(db);
}

TEST_F(Store, WalModeIsOn) { EXPECT_EQ(sql_text(db_path(), "PRAGMA journal_mode"), "wal"); }

TEST_F(Store, TwoStoresRunExclusiveWorkOneAtATimeOnPostgresql) {
  // Two stores on one database are two instances: while one runs its housekeeping, the other
  // skips; once it is done, the other's turn comes. On SQLite both always run.
  auto other = open_another();
  ASSERT_TRUE(other) << other.error().message;
  int ran = 0;
  std::optional<bool> inner;
  const auto outer = store_->try_exclusive("housekeeping", [&] {
    ++ran;
    const auto nested = (*other)->try_exclusive("housekeeping", [&] { ++ran; });
    ASSERT_TRUE(nested) << nested.error().message;
    inner = *nested;
    // Another name is another lock.
    EXPECT_TRUE((*other)->try_exclusive("other work", [] {}).value());
  });
  ASSERT_TRUE(outer) << outer.error().message;
  EXPECT_TRUE(*outer);
  EXPECT_EQ(inner, !on_postgres());
  EXPECT_EQ(ran, on_postgres() ? 1 : 2);
  // Given back after the work, also when the work threw.
  EXPECT_THROW(
      (void)store_->try_exclusive("housekeeping", [] { throw std::runtime_error("failed"); }),
      std::runtime_error);
  EXPECT_TRUE((*other)->try_exclusive("housekeeping", [&] { ++ran; }).value());
  EXPECT_TRUE(store_->try_exclusive("housekeeping", [&] { ++ran; }).value());
  EXPECT_EQ(ran, on_postgres() ? 3 : 4);
}

TEST_F(Store, ReopeningKeepsData) {
  const auto u = make_unit("bildung");
  const auto p = make_person("anna@example.org");
  reopen();
  ASSERT_TRUE(store_);
  const auto found = store_->unit_by_slug("bildung");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, u.id);
  EXPECT_EQ(found->name, u.name);
  const auto again = store_->person_by_email("anna@example.org");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, p.id);
  EXPECT_EQ(
      query_int(on_postgres() ? "SELECT max(version) FROM schema_version" : "PRAGMA user_version"),
      store::schema_version());
}

TEST(StoreOpen, NewerSchemaIsRefusedWithMessage) {
  const temp_dir dir;
  sql_text(dir.path() / "treffpunkt.db", "PRAGMA user_version = 99");
  auto opened = store::open(dir.path());
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, errc::schema_too_new);
  EXPECT_NE(opened.error().message.find("99"), std::string::npos) << opened.error().message;
  // Refused means untouched.
  EXPECT_EQ(sql_int(dir.path() / "treffpunkt.db", "PRAGMA user_version"), 99);
}

TEST(StoreOpen, UnwritableFolderIsUnavailable) {
  const temp_dir dir;
  const auto file = dir.path() / "a-file";
  sql_text(file, "PRAGMA user_version");  // creates a file where the folder should be
  auto opened = store::open(file / "data");
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, errc::unavailable);
}

// ---- units --------------------------------------------------------------------------------

TEST_F(Store, CreatedUnitReadsBackBySlugAndId) {
  calendar::unit u;
  u.slug = "frauen";
  u.name = "Netzwerkstelle Frauen*";
  u.description = "Empowerment für Schüler*innen in Thüringen";
  u.colour = "#aa3355";
  u.zone = "Europe/Berlin";
  auto created = store_->create_unit(u, actor::system());
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_GT(created->id.value, 0);
  EXPECT_EQ(created->slug, u.slug);
  EXPECT_EQ(created->name, u.name);
  EXPECT_EQ(created->zone, u.zone);
  const auto by_slug = store_->unit_by_slug("frauen");
  ASSERT_TRUE(by_slug);
  EXPECT_EQ(by_slug->description, u.description);
  EXPECT_EQ(by_slug->colour, "#aa3355");
  const auto by_id = store_->unit_by_id(created->id);
  ASSERT_TRUE(by_id);
  EXPECT_EQ(by_id->slug, "frauen");
  EXPECT_FALSE(store_->unit_by_slug("bildung"));
  EXPECT_FALSE(store_->unit_by_id(calendar::unit_id{created->id.value + 100}));
  EXPECT_EQ(store_->units().size(), 1U);
}

TEST_F(Store, UnitsAreListedById) {
  make_unit("kommunales");
  make_unit("antifa");
  const auto all = store_->units();
  ASSERT_EQ(all.size(), 2U);
  EXPECT_EQ(all[0].slug, "kommunales");
  EXPECT_EQ(all[1].slug, "antifa");
}

TEST_F(Store, BadSlugIsInvalid) {
  for (const std::string& slug : std::vector<std::string>{"", "Bildung", "bil dung", "bildung/x",
                                                          "ä", std::string(41, 'a')}) {
    calendar::unit u;
    u.slug = slug;
    u.name = "x";
    auto created = store_->create_unit(u, actor::system());
    ASSERT_FALSE(created) << slug;
    EXPECT_EQ(created.error().code, errc::invalid) << slug;
    EXPECT_EQ(created.error().field, "slug") << slug;
  }
  calendar::unit longest;
  longest.slug = std::string(40, 'a');
  longest.name = "x";
  EXPECT_TRUE(store_->create_unit(longest, actor::system()));
}

TEST_F(Store, DuplicateSlugIsConflict) {
  make_unit("bildung");
  calendar::unit u;
  u.slug = "bildung";
  u.name = "again";
  auto created = store_->create_unit(u, actor::system());
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, errc::conflict);
}

TEST_F(Store, UnknownZoneIsInvalid) {
  calendar::unit u;
  u.slug = "bildung";
  u.name = "Bildung";
  u.zone = "Europe/Atlantis";
  auto created = store_->create_unit(u, actor::system());
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, errc::invalid);
  EXPECT_EQ(created.error().field, "zone");
}

TEST_F(Store, OnlyAdminsCreateUnits) {
  const auto member = make_person("member@example.org");
  calendar::unit u;
  u.slug = "bildung";
  u.name = "Bildung";
  auto refused = store_->create_unit(u, actor::of(member.id));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, errc::forbidden);
  ASSERT_TRUE(store_->set_admin(member.id, true, actor::system()));
  EXPECT_TRUE(store_->create_unit(u, actor::of(member.id)));
}

TEST_F(Store, UnitVersionStartsAtOneAndIsZeroForNoUnit) {
  const auto u = make_unit("bildung");
  EXPECT_EQ(store_->unit_version(u.id), 1);
  EXPECT_EQ(store_->unit_version(calendar::unit_id{u.id.value + 1}), 0);
}

TEST_F(Store, WritesAreAudited) {
  const auto u = make_unit("bildung");
  EXPECT_EQ(
      query_text("SELECT action FROM audit_log WHERE unit_id = " + std::to_string(u.id.value)),
      "create_unit");
}

// ---- people -------------------------------------------------------------------------------

TEST_F(Store, EnsurePersonTrimsAndLowercasesEmail) {
  auto p = store_->ensure_person("  Anna.Muster@Example.ORG \n", "Anna", "en");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->email, "anna.muster@example.org");
  EXPECT_EQ(p->name, "Anna");
  EXPECT_EQ(p->language, "en");
  EXPECT_FALSE(p->admin);
  EXPECT_FALSE(p->guest);
  auto again = store_->ensure_person("anna.muster@example.org", "Other name");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, p->id);
  EXPECT_EQ(again->name, "Anna");  // an existing person is found, not changed
  const auto by_email = store_->person_by_email("ANNA.MUSTER@example.org");
  ASSERT_TRUE(by_email);
  EXPECT_EQ(by_email->id, p->id);
  const auto by_id = store_->person_by_id(p->id);
  ASSERT_TRUE(by_id);
  EXPECT_EQ(by_id->email, "anna.muster@example.org");
  EXPECT_FALSE(store_->person_by_id(person_id{p->id.value + 1}));
}

TEST_F(Store, EmailThatIsNotOneIsInvalid) {
  for (const std::string& email :
       std::vector<std::string>{"", "anna", "@example.org", "anna@", "a@b@c", "an na@example.org",
                                "anna@exa\x01mple.org", std::string(250, 'a') + "@b.de"}) {
    auto p = store_->ensure_person(email, "x");
    ASSERT_FALSE(p) << email;
    EXPECT_EQ(p.error().code, errc::invalid) << email;
    EXPECT_EQ(p.error().field, "email") << email;
  }
}

TEST_F(Store, LanguageIsGermanOrEnglish) {
  auto p = store_->ensure_person("anna@example.org", "Anna", "fr");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, errc::invalid);
  EXPECT_EQ(p.error().field, "language");
}

// ---- roles --------------------------------------------------------------------------------

TEST_F(Store, MayEditFollowsRoles) {
  const auto bildung = make_unit("bildung");
  const auto antifa = make_unit("antifa");
  const auto responsible = make_person("resp@example.org");
  const auto admin = make_person("admin@example.org");
  const auto member = make_person("member@example.org");
  ASSERT_TRUE(store_->add_responsible(bildung.id, responsible.id, actor::system()));
  ASSERT_TRUE(store_->set_admin(admin.id, true, actor::system()));

  EXPECT_TRUE(store_->may_edit(actor::system(), bildung.id));
  EXPECT_TRUE(store_->may_edit(actor::of(admin.id), bildung.id));
  EXPECT_TRUE(store_->may_edit(actor::of(admin.id), antifa.id));
  EXPECT_TRUE(store_->may_edit(actor::of(responsible.id), bildung.id));
  EXPECT_FALSE(store_->may_edit(actor::of(responsible.id), antifa.id));
  EXPECT_FALSE(store_->may_edit(actor::of(member.id), bildung.id));

  ASSERT_TRUE(store_->set_admin(admin.id, false, actor::system()));
  EXPECT_FALSE(store_->may_edit(actor::of(admin.id), antifa.id));
}

TEST_F(Store, ResponsiblesAreListedAndAddedOnce) {
  const auto u = make_unit("bildung");
  const auto a = make_person("a@example.org");
  const auto b = make_person("b@example.org");
  ASSERT_TRUE(store_->add_responsible(u.id, b.id, actor::system()));
  ASSERT_TRUE(store_->add_responsible(u.id, a.id, actor::system()));
  ASSERT_TRUE(store_->add_responsible(u.id, a.id, actor::system()));
  const auto list = store_->responsibles(u.id);
  ASSERT_EQ(list.size(), 2U);
  EXPECT_EQ(list[0].id, a.id);
  EXPECT_EQ(list[1].id, b.id);
}

TEST_F(Store, AdminsRemoveAResponsibleWhoThenMayNoLongerEdit) {
  const auto u = make_unit("bildung");
  const auto a = make_person("a@example.org");
  const auto b = make_person("b@example.org");
  ASSERT_TRUE(store_->add_responsible(u.id, a.id, actor::system()));
  ASSERT_TRUE(store_->add_responsible(u.id, b.id, actor::system()));
  // Another responsible cannot push a colleague out.
  auto by_colleague = store_->remove_responsible(u.id, a.id, actor::of(b.id));
  ASSERT_FALSE(by_colleague);
  EXPECT_EQ(by_colleague.error().code, errc::forbidden);

  ASSERT_TRUE(store_->remove_responsible(u.id, a.id, actor::system()));
  const auto list = store_->responsibles(u.id);
  ASSERT_EQ(list.size(), 1U);
  EXPECT_EQ(list[0].id, b.id);
  EXPECT_FALSE(store_->may_edit(actor::of(a.id), u.id));
  auto again = store_->remove_responsible(u.id, a.id, actor::system());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, errc::not_found);
}

TEST_F(Store, OnlyAdminsAssignRolesAndAdminFlag) {
  const auto u = make_unit("bildung");
  const auto responsible = make_person("resp@example.org");
  const auto member = make_person("member@example.org");
  ASSERT_TRUE(store_->add_responsible(u.id, responsible.id, actor::system()));

  auto co_opt = store_->add_responsible(u.id, member.id, actor::of(responsible.id));
  ASSERT_FALSE(co_opt);
  EXPECT_EQ(co_opt.error().code, errc::forbidden);
  auto self_admin = store_->set_admin(member.id, true, actor::of(member.id));
  ASSERT_FALSE(self_admin);
  EXPECT_EQ(self_admin.error().code, errc::forbidden);
  EXPECT_FALSE(store_->person_by_id(member.id)->admin);
}

TEST_F(Store, RolesOfUnknownPeopleOrUnitsAreNotFound) {
  const auto u = make_unit("bildung");
  const auto p = make_person("p@example.org");
  auto no_person = store_->add_responsible(u.id, person_id{p.id.value + 10}, actor::system());
  ASSERT_FALSE(no_person);
  EXPECT_EQ(no_person.error().code, errc::not_found);
  auto no_unit = store_->add_responsible(calendar::unit_id{u.id.value + 10}, p.id, actor::system());
  ASSERT_FALSE(no_unit);
  EXPECT_EQ(no_unit.error().code, errc::not_found);
  auto no_admin = store_->set_admin(person_id{p.id.value + 10}, true, actor::system());
  ASSERT_FALSE(no_admin);
  EXPECT_EQ(no_admin.error().code, errc::not_found);
}

// ---- follows ------------------------------------------------------------------------------

TEST_F(Store, FollowAndUnfollowBumpPersonVersion) {
  const auto bildung = make_unit("bildung");
  const auto antifa = make_unit("antifa");
  const auto p = make_person("p@example.org");
  const std::string version_query =
      "SELECT version FROM people WHERE id = " + std::to_string(p.id.value);
  const auto v0 = query_int(version_query);

  ASSERT_TRUE(store_->set_follow(p.id, antifa.id, true));
  ASSERT_TRUE(store_->set_follow(p.id, bildung.id, true));
  const auto v1 = query_int(version_query);
  EXPECT_GT(v1, v0);
  const auto followed = store_->follows(p.id);
  ASSERT_EQ(followed.size(), 2U);
  EXPECT_EQ(followed[0], bildung.id);
  EXPECT_EQ(followed[1], antifa.id);

  ASSERT_TRUE(store_->set_follow(p.id, antifa.id, true));  // already followed: no change
  EXPECT_EQ(query_int(version_query), v1);

  ASSERT_TRUE(store_->set_follow(p.id, antifa.id, false));
  EXPECT_GT(query_int(version_query), v1);
  EXPECT_EQ(store_->follows(p.id), std::vector<calendar::unit_id>{bildung.id});
}

TEST_F(Store, FollowOfUnknownUnitIsNotFound) {
  const auto p = make_person("p@example.org");
  auto followed = store_->set_follow(p.id, calendar::unit_id{42}, true);
  ASSERT_FALSE(followed);
  EXPECT_EQ(followed.error().code, errc::not_found);
}

// ---- reminder preferences -----------------------------------------------------------------

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;

TEST_F(Store, RemindersAreTheDefaultUntilChosen) {
  const auto p = make_person("p@example.org");
  EXPECT_EQ(store::default_reminder_offsets(), (std::vector<minutes>{hours{24}, hours{2}}));
  EXPECT_EQ(store_->reminder_offsets(p.id), store::default_reminder_offsets());
  EXPECT_FALSE(store_->has_reminder_choice(p.id));
}

TEST_F(Store, ChosenRemindersAreSortedWithoutDuplicatesAndKept) {
  const auto p = make_person("p@example.org");
  ASSERT_TRUE(store_->set_reminder_offsets(p.id, {hours{2}, days{1}, minutes{10}, hours{2}}));
  const std::vector<minutes> chosen{days{1}, hours{2}, minutes{10}};
  EXPECT_EQ(store_->reminder_offsets(p.id), chosen);
  EXPECT_TRUE(store_->has_reminder_choice(p.id));
  EXPECT_EQ(query_text("SELECT offsets FROM reminder_preferences"), "1440,120,10");
  EXPECT_EQ(query_text("SELECT detail FROM audit_log WHERE action = 'set_reminders'"),
            "minutes=1440,120,10");
  reopen();
  EXPECT_EQ(store_->reminder_offsets(p.id), chosen);

  // A new choice replaces the old one.
  ASSERT_TRUE(store_->set_reminder_offsets(p.id, {hours{3}}));
  EXPECT_EQ(store_->reminder_offsets(p.id), std::vector<minutes>{hours{3}});
  EXPECT_EQ(query_int("SELECT count(*) FROM reminder_preferences"), 1);
}

TEST_F(Store, NoRemindersIsAChoiceToo) {
  const auto p = make_person("p@example.org");
  ASSERT_TRUE(store_->set_reminder_offsets(p.id, {}));
  EXPECT_TRUE(store_->reminder_offsets(p.id).empty());
  EXPECT_TRUE(store_->has_reminder_choice(p.id));
}

TEST_F(Store, RemindersFromFiveMinutesToFourWeeksAtMostFive) {
  const auto p = make_person("p@example.org");
  // The limits themselves, and six equal ones that are one.
  ASSERT_TRUE(store_->set_reminder_offsets(p.id, {minutes{5}, days{28}}));
  EXPECT_EQ(store_->reminder_offsets(p.id), (std::vector<minutes>{days{28}, minutes{5}}));
  ASSERT_TRUE(store_->set_reminder_offsets(p.id, std::vector<minutes>(6, hours{1})));
  EXPECT_EQ(store_->reminder_offsets(p.id), std::vector<minutes>{hours{1}});
  ASSERT_TRUE(store_->set_reminder_offsets(
      p.id, {minutes{5}, minutes{10}, minutes{15}, minutes{20}, minutes{25}}));

  const auto audited = query_int("SELECT count(*) FROM audit_log");
  for (const auto& bad : std::vector<std::vector<minutes>>{
           {minutes{4}},
           {days{28} + minutes{1}},
           {minutes{0}},
           {minutes{-60}},
           {hours{1}, minutes{4}},
           {minutes{5}, minutes{10}, minutes{15}, minutes{20}, minutes{25}, minutes{30}}}) {
    auto refused = store_->set_reminder_offsets(p.id, bad);
    ASSERT_FALSE(refused) << bad.size();
    EXPECT_EQ(refused.error().code, errc::invalid);
    EXPECT_EQ(refused.error().field, "reminders");
  }
  // Nothing written: the last valid choice stands.
  EXPECT_EQ(store_->reminder_offsets(p.id).size(), 5U);
  EXPECT_EQ(query_text("SELECT offsets FROM reminder_preferences"), "25,20,15,10,5");
  EXPECT_EQ(query_int("SELECT count(*) FROM audit_log"), audited);
}

TEST_F(Store, RemindersOfUnknownPersonAreNotFound) {
  auto set = store_->set_reminder_offsets(person_id{42}, {hours{1}});
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error().code, errc::not_found);
  EXPECT_EQ(query_int("SELECT count(*) FROM reminder_preferences"), 0);
}

}  // namespace
}  // namespace treffpunkt::storage

namespace treffpunkt::storage {
namespace {

TEST_F(Store, ChangeStampMovesWithEveryCommittedWrite) {
  const auto before = store_->change_stamp();
  make_unit("bildung");
  EXPECT_NE(store_->change_stamp(), before);
  const auto after_write = store_->change_stamp();
  (void)store_->units();  // reads do not move it
  EXPECT_EQ(store_->change_stamp(), after_write);
}

// Feeds are kept while the feed stamp stays: it moves with what a feed shows (a unit, an event),
// never with an answer, which a feed does not show.
TEST_F(Store, FeedStampMovesWithUnitsAndEventsNotWithRsvps) {
  const auto start = store_->feed_stamp();
  auto u = make_unit("bildung");
  EXPECT_NE(store_->feed_stamp(), start) << "a new unit";

  const auto now = calendar::utc_seconds{
      std::chrono::sys_days{std::chrono::year{2026} / std::chrono::March / 1}};
  calendar::event e;
  e.unit = u.id;
  e.title = "Austausch";
  e.zone = "Europe/Berlin";
  e.start = date::local_days{date::year{2026} / date::March / 3} + std::chrono::hours{19};
  e.duration = std::chrono::hours{2};
  auto before = store_->feed_stamp();
  auto made = store_->create_event(e, actor::system(), now);
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_NE(store_->feed_stamp(), before) << "a new event";

  const auto p = make_person("mitglied@example.org", "Mitglied");
  before = store_->feed_stamp();
  const auto changes = store_->change_stamp();
  const auto key = calendar::occurrence_key::timed(
      date::sys_days{date::year{2026} / date::March / 3} + std::chrono::hours{18});
  ASSERT_TRUE(store_->set_rsvp(made->id, key, p.id, calendar::rsvp_answer::yes, now));
  ASSERT_TRUE(store_->set_rsvp(made->id, key, p.id, calendar::rsvp_answer::no, now));
  EXPECT_NE(store_->change_stamp(), changes) << "every write moves the change stamp";
  EXPECT_EQ(store_->feed_stamp(), before) << "an answer is not in a feed";

  made->title = "Austausch Bildungsarbeit";
  ASSERT_TRUE(store_->update_event(*made, actor::system(), now));
  EXPECT_NE(store_->feed_stamp(), before) << "an edited event";
  before = store_->feed_stamp();
  u.name = "Netzwerkstelle Bildung";
  ASSERT_TRUE(store_->update_unit(u, actor::system()));
  EXPECT_NE(store_->feed_stamp(), before) << "an edited unit";
}

// What the server's first try of a request on an io thread (PostgreSQL) relies on: in a
// memory_only_scope nothing goes to the database, and whatever would throws would_block, which
// no handler of failures (catch std::exception) takes for one.
TEST_F(Store, AMemoryOnlyScopeAnswersFromMemoryOrThrowsWouldBlock) {
  const auto u = make_unit("bildung");
  const auto p = make_person("mitglied@example.org", "Mitglied");
  const auto units_before = store_->units().size();
  {
    const memory_only_scope memory_only;
    EXPECT_THROW((void)store_->person_by_id(p.id), would_block);
    EXPECT_THROW((void)store_->follows(p.id), would_block);
    calendar::unit other = u;
    other.id = calendar::unit_id{};
    other.slug = "antifa";
    EXPECT_THROW((void)store_->create_unit(other, actor::system()), would_block);
    {
      const memory_only_scope nested;
      EXPECT_THROW((void)store_->person_by_id(p.id), would_block);
    }
    EXPECT_THROW((void)store_->person_by_id(p.id), would_block) << "the outer scope holds";
    bool caught_as_failure = false;
    try {
      try {
        (void)store_->person_by_id(p.id);
      } catch (const std::exception&) {
        caught_as_failure = true;
      }
    } catch (const would_block&) {
    }
    EXPECT_FALSE(caught_as_failure);
  }
  // Nothing was written, and the store answers again once the scope is gone.
  EXPECT_EQ(store_->units().size(), units_before);
  EXPECT_TRUE(store_->person_by_id(p.id).has_value());
  // The units and the stamps come from memory between two probes: right after one (the call
  // outside), the same call inside answers. A probe that falls due in between (a stalled
  // machine) throws instead, so a few tries are allowed.
  int answered = 0;
  for (int attempt = 0; attempt < 5 && answered == 0; ++attempt) {
    const auto stamp = store_->feed_stamp();
    const auto units = store_->units();
    const memory_only_scope memory_only;
    try {
      EXPECT_EQ(store_->feed_stamp(), stamp);
      EXPECT_EQ(store_->units().size(), units.size());
      EXPECT_GE(store_->unit_version(u.id), 0);  // the units' versions are kept with them
      ++answered;
    } catch (const would_block&) {
    }
  }
  EXPECT_EQ(answered, 1);
}

TEST_F(Store, ChangeStampSeesAnotherProcessWithinTheProbeInterval) {
  auto other = open_another();
  ASSERT_TRUE(other) << other.error().message;
  const auto before = store_->change_stamp();
  auto u = (*other)->create_unit(calendar::unit{calendar::unit_id{},
                                                "antifa",
                                                "Netzwerkstelle Antifa",
                                                "",
                                                "",
                                                std::string(calendar::default_zone),
                                                {},
                                                {}},
                                 actor::system());
  ASSERT_TRUE(u) << u.error().message;
  const auto deadline = std::chrono::steady_clock::now() + 3 * store::change_probe_interval;
  while (store_->change_stamp() == before && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_NE(store_->change_stamp(), before);
  EXPECT_TRUE(store_->unit_by_slug("antifa").has_value());
}

}  // namespace
}  // namespace treffpunkt::storage
