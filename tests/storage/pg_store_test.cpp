// The store opened on PostgreSQL (store::open_postgres): which URLs it takes, the schema and
// the installation secret on the first open and the same ones on the next, a newer database
// refused, an unreachable server, and a writer whose session was lost. The store's operations
// themselves are the storage suite's tests, run again on PostgreSQL (Pg.*, tests/CMakeLists.txt).

#include <gtest/gtest.h>
#include <storage/store.h>

#include <string>

#include "pg_fixture.h"
#include "pg_schema.h"
#include "postgres.h"
#include "store_fixture.h"

namespace treffpunkt::storage {
namespace {

using testing::pg_int;
using testing::pg_test;
using testing::with_database;

/// A unit named after `slug`, for a write to make.
calendar::unit unit_named(const std::string& slug) {
  calendar::unit u;
  u.slug = slug;
  u.name = "Netzwerkstelle " + slug;
  return u;
}

TEST(PgStoreOpen, OnlyTakesPostgresqlUrls) {
  for (const std::string url : {"/var/lib/treffpunkt", "sqlite:///var/lib/treffpunkt.db",
                                "host=/run/postgresql dbname=treffpunkt", "postgresql:", ""}) {
    const auto opened = store::open_postgres(url);
    ASSERT_FALSE(opened) << url;
    EXPECT_EQ(opened.error().code, errc::invalid) << url;
    EXPECT_EQ(opened.error().field, "database");
  }
}

TEST(PgStoreOpen, AServerThatIsNotThereIsUnavailable) {
  const auto opened =
      store::open_postgres("postgresql:///treffpunkt?host=/nonexistent/treffpunkt-test");
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, errc::unavailable);
  EXPECT_NE(opened.error().message.find("/nonexistent/treffpunkt-test"), std::string::npos)
      << opened.error().message;
}

class PgStore : public pg_test {
 protected:
  std::string url() const { return with_database(testing::postgres_uri(), name()); }
};

TEST_F(PgStore, AnEmptyDatabaseIsMigratedAndGetsASecretThatStays) {
  std::string secret;
  {
    auto opened = store::open_postgres(url());
    ASSERT_TRUE(opened) << opened.error().message;
    secret = (*opened)->installation_secret();
    EXPECT_EQ(secret.size(), 32U);
    EXPECT_FALSE((*opened)->read_only());
  }
  auto c = connect();
  EXPECT_EQ(pg_int(*c, "SELECT MAX(version) FROM schema_version"), store::schema_version());
  EXPECT_EQ(pg_int(*c, "SELECT COUNT(*) FROM settings"), 1);
  auto again = store::open_postgres(url());
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ((*again)->installation_secret(), secret);
  EXPECT_EQ(pg_int(*c, "SELECT COUNT(*) FROM settings"), 1);
}

TEST_F(PgStore, ANewerDatabaseIsRefused) {
  auto c = connect();
  ASSERT_TRUE(pg_migrate(*c));
  c->exec("INSERT INTO schema_version (version) VALUES (99)");
  const auto opened = store::open_postgres(url());
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, errc::schema_too_new);
  EXPECT_NE(opened.error().message.find("99"), std::string::npos) << opened.error().message;
  EXPECT_EQ(pg_int(*c, "SELECT COUNT(*) FROM settings"), 0);  // refused means untouched
}

TEST_F(PgStore, AWriterWhoseSessionWasLostConnectsAgain) {
  auto opened = store::open_postgres(url());
  ASSERT_TRUE(opened) << opened.error().message;
  auto& s = **opened;
  ASSERT_TRUE(s.create_unit(unit_named("bildung"), actor::system()));

  // What a restart of the server or a failover does to every session of the store.
  auto c = connect();
  EXPECT_GE(pg_int(*c,
                   "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
                   "WHERE datname = current_database() AND pid <> pg_backend_pid()"),
            1);
  // The first write learns of it (unavailable: nothing was saved), the next one connects
  // again; neither is lost silently.
  const auto first = s.create_unit(unit_named("antifa"), actor::system());
  if (!first) {
    EXPECT_EQ(first.error().code, errc::unavailable) << first.error().message;
    ASSERT_TRUE(s.create_unit(unit_named("antifa"), actor::system()));
  }
  EXPECT_EQ(pg_int(*c, "SELECT COUNT(*) FROM units WHERE slug = 'antifa'"), 1);
  EXPECT_EQ(s.units().size(), 2U);
}

}  // namespace
}  // namespace treffpunkt::storage
