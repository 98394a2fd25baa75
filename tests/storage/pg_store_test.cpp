// The store opened on PostgreSQL (store::open_postgres): which URLs it takes, the schema and
// the installation secret on the first open and the same ones on the next, a newer database
// refused, an unreachable server, a writer whose session was lost, and a server stopped and
// started again under an open store. The store's operations
// themselves are the storage suite's tests, run again on PostgreSQL (Pg.*, tests/CMakeLists.txt).

#include <gtest/gtest.h>
#include <storage/store.h>
#include <unistd.h>

#include <filesystem>
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

/// The server stopped (a fast shutdown) and started again under an open store, as an operator's
/// restart or a failover does it; a second throwaway cluster, because the tests' own is shared
/// by the tests running in parallel. While it is down, writes come back unavailable and reads
/// throw what storage::is_unavailable recognises (the web server answers 503 to both, not
/// 500); once it is back, the same store reads and writes again without being opened anew.
TEST(PgServer, AStoreIsUnavailableWhileItsServerIsDownAndWorksAgainAfter) {
  TREFFPUNKT_REQUIRE_POSTGRES();
  const std::filesystem::path dir =
      std::filesystem::path(TREFFPUNKT_TEST_SCRATCH) / ("paused-" + std::to_string(::getpid()));
  const auto cluster = [&](const std::string& command) {
    return testing::run_command(std::string(TREFFPUNKT_PG_CLUSTER) + " " + command + " '" +
                                dir.string() + "'");
  };
  const auto [uri, started] = cluster("start");
  ASSERT_TRUE(started) << uri;
  struct stop_at_end {
    decltype(cluster)& run;
    ~stop_at_end() { run("stop"); }
  } const stop{cluster};

  auto opened = store::open_postgres(uri);
  ASSERT_TRUE(opened) << opened.error().message;
  auto& s = **opened;
  ASSERT_TRUE(s.create_unit(unit_named("bildung"), actor::system()));
  ASSERT_EQ(s.units().size(), 1U);
  // A reader's session, kept for the next read (units() may answer from memory).
  ASSERT_FALSE(s.person_by_email("niemand@example.org").has_value());

  const auto paused = cluster("pause");
  ASSERT_TRUE(paused.second) << paused.first;
  const auto written = s.create_unit(unit_named("antifa"), actor::system());
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, errc::unavailable) << written.error().message;
  try {
    static_cast<void>(s.person_by_email("niemand@example.org"));
    ADD_FAILURE() << "a read while the server is down did not throw";
  } catch (const std::exception& e) {
    EXPECT_TRUE(is_unavailable(e)) << e.what();
  }
  // Not every exception is the store's "unavailable".
  EXPECT_FALSE(is_unavailable(std::runtime_error("something else")));

  const auto resumed = cluster("resume");
  ASSERT_TRUE(resumed.second) << resumed.first;
  ASSERT_TRUE(s.create_unit(unit_named("antifa"), actor::system()));
  EXPECT_EQ(s.units().size(), 2U);
}

}  // namespace
}  // namespace treffpunkt::storage
