// The libpq layer (storage/src/postgres.h) against a real PostgreSQL: placeholders, typed
// columns, bytea, transactions, and how failures are told apart.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>

#include "pg_fixture.h"
#include "postgres.h"

namespace treffpunkt::storage {
namespace {

using testing::pg_int;
using testing::pg_test;
using testing::pg_text;

/// Runs `body` and returns the pg::failure it threw; fails the test if it threw none.
template <class F>
pg::failure failure_of(F&& body) {
  try {
    body();
  } catch (const pg::failure& f) {
    return f;
  }
  ADD_FAILURE() << "no pg::failure thrown";
  return pg::failure(pg::failure_kind::other, "", "none");
}

TEST(PgPlaceholders, AreNumberedInOrder) {
  int count = 0;
  EXPECT_EQ(pg::numbered_placeholders("SELECT a FROM t WHERE b = ? AND c IN (?, ?)", count),
            "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)");
  EXPECT_EQ(count, 3);
  EXPECT_EQ(pg::numbered_placeholders("SELECT 1", count), "SELECT 1");
  EXPECT_EQ(count, 0);
}

TEST(PgPlaceholders, LeaveLiteralsIdentifiersAndCommentsAlone) {
  int count = 0;
  // A '?' in a string (with a doubled quote before it), in a quoted identifier, in both kinds
  // of comment (block comments nest), in an E'' string after an escaped quote and in a
  // dollar-quoted string stays; the ones outside are numbered.
  const std::string sql =
      "SELECT 'it''s ?', \"we?ird\"\"?\", ? -- why?\n"
      "/* a /* nested? */ comment? */ , E'\\'?', $$ ? $$, $x$?$x$, ?";
  EXPECT_EQ(pg::numbered_placeholders(sql, count),
            "SELECT 'it''s ?', \"we?ird\"\"?\", $1 -- why?\n"
            "/* a /* nested? */ comment? */ , E'\\'?', $$ ? $$, $x$?$x$, $2");
  EXPECT_EQ(count, 2);
  // Outside an E'' string a backslash escapes nothing: the literal ends at the next quote.
  EXPECT_EQ(pg::numbered_placeholders("SELECT '\\', ?", count), "SELECT '\\', $1");
  EXPECT_EQ(count, 1);
  // PostgreSQL's own $1 stays $1 and is no dollar quote.
  EXPECT_EQ(pg::numbered_placeholders("SELECT $1, ?", count), "SELECT $1, $1");
}

TEST(PgPlaceholders, NumberedQuestionMarksKeepTheirNumbersAsInSqlite) {
  int count = 0;
  EXPECT_EQ(pg::numbered_placeholders("SELECT ?1, ?2 WHERE a = ?1 AND b = ?", count),
            "SELECT $1, $2 WHERE a = $1 AND b = $3");
  EXPECT_EQ(count, 3);
  EXPECT_EQ(pg::numbered_placeholders("SELECT ?3, ?", count), "SELECT $3, $4");
  EXPECT_EQ(count, 4);
  EXPECT_EQ(pg::numbered_placeholders("SELECT ?, ?1, '?9'", count), "SELECT $1, $1, '?9'");
  EXPECT_EQ(count, 1);
  for (const char* bad : {"SELECT ?0", "SELECT ?32767", "SELECT ?99999999999"}) {
    const auto f = failure_of([&] { pg::numbered_placeholders(bad, count); });
    EXPECT_EQ(f.kind(), pg::failure_kind::other) << bad;
  }
}

TEST(PgFailure, IsClassifiedBySqlstate) {
  EXPECT_EQ(pg::classify("23505"), pg::failure_kind::constraint);
  EXPECT_EQ(pg::classify("23514"), pg::failure_kind::constraint);
  EXPECT_EQ(pg::classify("40001"), pg::failure_kind::serialization);
  EXPECT_EQ(pg::classify("40P01"), pg::failure_kind::serialization);
  EXPECT_EQ(pg::classify("08006"), pg::failure_kind::unavailable);
  EXPECT_EQ(pg::classify("57P01"), pg::failure_kind::unavailable);
  EXPECT_EQ(pg::classify("53100"), pg::failure_kind::unavailable);
  EXPECT_EQ(pg::classify("25006"), pg::failure_kind::unavailable);
  EXPECT_EQ(pg::classify("42601"), pg::failure_kind::other);
  EXPECT_EQ(pg::classify("40000"), pg::failure_kind::other);
}

TEST_F(pg_test, ConnectsAndSaysWhere) {
  auto c = connect();
  EXPECT_EQ(pg_int(*c, "SELECT 1 + 1"), 2);
  EXPECT_EQ(pg_text(*c, "SELECT current_database()"), name());
  EXPECT_EQ(pg_text(*c, "SHOW client_encoding"), "UTF8");
  EXPECT_FALSE(c->broken());
  const std::string where = c->describe();
  EXPECT_TRUE(where.starts_with("PostgreSQL database " + name() + " on /")) << where;
  EXPECT_EQ(where.find("user"), std::string::npos) << where;
}

TEST_F(pg_test, BindsByPositionAndLeavesQuestionMarksInLiterals) {
  auto c = connect();
  auto& s = c->prepare("SELECT '?' || ?, CAST(? AS BIGINT) + 1, 'a''?' , ?");
  s.bind(1, "x").bind(2, std::int64_t{41}).bind(3, "z");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.text(0), "?x");
  EXPECT_EQ(s.int64(1), 42);
  EXPECT_EQ(s.text(2), "a'?");
  EXPECT_EQ(s.text(3), "z");
  EXPECT_FALSE(s.step());
  EXPECT_FALSE(s.step());

  // The cached statement comes back reset: new bindings, a new run.
  auto& again = c->prepare("SELECT '?' || ?, CAST(? AS BIGINT) + 1, 'a''?' , ?");
  EXPECT_EQ(&again, &s);
  again.bind(1, "y").bind(2, 1).bind(3, "w");
  ASSERT_TRUE(again.step());
  EXPECT_EQ(again.text(0), "?y");
  EXPECT_EQ(again.int64(1), 2);
}

TEST_F(pg_test, BindingAParameterThatIsNotThereFails) {
  auto c = connect();
  auto& s = c->prepare("SELECT CAST(? AS BIGINT)");
  EXPECT_EQ(failure_of([&] { s.bind(2, 1); }).kind(), pg::failure_kind::other);
  EXPECT_EQ(failure_of([&] { s.bind(0, 1); }).kind(), pg::failure_kind::other);
}

TEST_F(pg_test, ReadsTypedColumnsAndNulls) {
  auto c = connect();
  c->exec(
      "CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, n BIGINT, "
      "s TEXT, big BIGINT)");
  auto& insert = c->prepare("INSERT INTO t (n, s, big) VALUES (?, ?, ?)");
  insert.bind(1, std::optional<std::int64_t>{-7})
      .bind(2, std::optional<std::string>{"Grüße, 'quoted'"})
      .bind(3, std::int64_t{9007199254740993})
      .run();
  EXPECT_EQ(insert.changes(), 1);
  EXPECT_EQ(c->changes(), 1);
  c->prepare("INSERT INTO t (n, s, big) VALUES (?, ?, ?)")
      .bind(1, std::optional<std::int64_t>{})
      .bind(2, std::optional<std::string>{})
      .run();  // the third parameter left unbound: NULL

  auto& s = c->prepare("SELECT n, s, big FROM t ORDER BY id");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.int64(0), -7);
  EXPECT_EQ(s.integer(0), -7);
  EXPECT_EQ(s.text(1), "Grüße, 'quoted'");
  EXPECT_EQ(s.int64(2), 9007199254740993);
  EXPECT_EQ(s.optional_int64(0), std::optional<std::int64_t>{-7});
  EXPECT_FALSE(s.is_null(1));
  ASSERT_TRUE(s.step());
  EXPECT_TRUE(s.is_null(0));
  EXPECT_TRUE(s.is_null(1));
  EXPECT_TRUE(s.is_null(2));
  EXPECT_EQ(s.int64(0), 0);
  EXPECT_EQ(s.text(1), "");
  EXPECT_EQ(s.optional_int64(0), std::nullopt);
  EXPECT_EQ(s.optional_text(1), std::nullopt);
  EXPECT_FALSE(s.step());
  // A SELECT changes nothing: changes() still tells of the last INSERT.
  EXPECT_EQ(c->changes(), 1);

  // Booleans read as 1 and 0, a numeric as its integer part, as SQLite would give them.
  auto& kinds = c->prepare(
      "SELECT EXISTS (SELECT 1 FROM t), 1 = 2, SUM(n), CAST(7.9 AS NUMERIC), "
      "CAST(-2.5 AS DOUBLE PRECISION) FROM t");
  ASSERT_TRUE(kinds.step());
  EXPECT_EQ(kinds.int64(0), 1);
  EXPECT_EQ(kinds.int64(1), 0);
  EXPECT_EQ(kinds.int64(2), -7);
  EXPECT_EQ(kinds.int64(3), 7);
  EXPECT_EQ(kinds.int64(4), -2);
  // Text that is no number is an error, not a silent 0; so is a column that is not there.
  auto& bad = c->prepare("SELECT 'seven'");
  ASSERT_TRUE(bad.step());
  EXPECT_EQ(failure_of([&] { (void)bad.int64(0); }).kind(), pg::failure_kind::other);
  EXPECT_EQ(failure_of([&] { (void)bad.text(1); }).kind(), pg::failure_kind::other);

  auto& update = c->prepare("UPDATE t SET n = 1");
  update.run();
  EXPECT_EQ(update.changes(), 2);
  EXPECT_EQ(c->changes(), 2);
}

TEST_F(pg_test, ByteaRoundTripsBytesWithNuls) {
  auto c = connect();
  c->exec("CREATE TABLE b (k BYTEA PRIMARY KEY, v BYTEA)");
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  bytes += std::string("\0\0\\x00'", 8);
  const std::string key("\0key", 4);
  c->prepare("INSERT INTO b (k, v) VALUES (?, ?)").bind_blob(1, key).bind_blob(2, bytes).run();

  auto& s = c->prepare("SELECT v, length(v) FROM b WHERE k = ?");
  s.bind_blob(1, key);
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.text(0), bytes);
  EXPECT_EQ(s.int64(1), static_cast<std::int64_t>(bytes.size()));
  // Another key with the same bytes up to the NUL finds nothing.
  s.reset();
  s.bind_blob(1, std::string("\0kez", 4));
  EXPECT_FALSE(s.step());
}

TEST_F(pg_test, TransactionsCommitOrRollBack) {
  auto c = connect();
  c->exec("CREATE TABLE t (n BIGINT)");
  {
    pg::transaction txn(*c);
    c->prepare("INSERT INTO t (n) VALUES (?)").bind(1, 1).run();
  }  // not committed: rolled back
  EXPECT_EQ(pg_int(*c, "SELECT COUNT(*) FROM t"), 0);
  {
    pg::transaction txn(*c, pg::isolation::serializable);
    c->prepare("INSERT INTO t (n) VALUES (?)").bind(1, 2).run();
    EXPECT_EQ(pg_text(*c, "SHOW transaction_isolation"), "serializable");
    txn.commit();
  }
  EXPECT_EQ(pg_int(*c, "SELECT SUM(n) FROM t"), 2);
}

TEST_F(pg_test, CommittingAfterAFailedStatementFailsAndSavesNothing) {
  // PostgreSQL answers COMMIT in a failed transaction with ROLLBACK and no error; a caller
  // that caught the failure and went on must not believe it saved something.
  auto c = connect();
  c->exec("CREATE TABLE t (n BIGINT PRIMARY KEY)");
  c->prepare("INSERT INTO t (n) VALUES (?)").bind(1, 1).run();
  pg::transaction txn(*c);
  c->prepare("INSERT INTO t (n) VALUES (?)").bind(1, 2).run();
  EXPECT_TRUE(failure_of([&] {
                c->prepare("INSERT INTO t (n) VALUES (?)").bind(1, 1).run();
              }).is_constraint());
  const auto f = failure_of([&] { txn.commit(); });
  EXPECT_EQ(f.sqlstate(), "25P02");
  EXPECT_EQ(pg_int(*c, "SELECT COUNT(*) FROM t"), 1);
}

TEST_F(pg_test, SqlMistakesAreOtherFailures) {
  auto c = connect();
  const auto f = failure_of([&] { c->prepare("SELEKT 1"); });
  EXPECT_EQ(f.kind(), pg::failure_kind::other);
  EXPECT_EQ(f.sqlstate(), "42601");
  EXPECT_NE(std::string(f.what()).find("SELEKT"), std::string::npos) << f.what();
  EXPECT_EQ(failure_of([&] { c->exec("SELECT * FROM no_such_table"); }).sqlstate(), "42P01");
  // The connection goes on.
  EXPECT_EQ(pg_int(*c, "SELECT 3"), 3);
}

TEST_F(pg_test, ASerializationFailureIsToldApart) {
  // Write skew: each transaction reads what the other writes; the second to commit fails.
  auto a = connect();
  auto b = connect();
  a->exec("CREATE TABLE t (n BIGINT)");
  pg::transaction ta(*a, pg::isolation::serializable);
  pg::transaction tb(*b, pg::isolation::serializable);
  EXPECT_EQ(pg_int(*a, "SELECT COUNT(*) FROM t WHERE n = 2"), 0);
  EXPECT_EQ(pg_int(*b, "SELECT COUNT(*) FROM t WHERE n = 1"), 0);
  a->prepare("INSERT INTO t (n) VALUES (1)").run();
  b->prepare("INSERT INTO t (n) VALUES (2)").run();
  ta.commit();
  const auto f = failure_of([&] { tb.commit(); });
  EXPECT_TRUE(f.is_serialization()) << f.what();
  EXPECT_EQ(f.sqlstate(), "40001");
}

TEST_F(pg_test, AMissingDatabaseIsUnavailable) {
  const auto f = failure_of([&] { pg::connection c(testing::postgres_uri(), name() + "_none"); });
  EXPECT_TRUE(f.is_unavailable());
  EXPECT_NE(std::string(f.what()).find(name() + "_none"), std::string::npos) << f.what();
}

/// A second throwaway cluster, stopped under an open connection: the tests' own cluster is
/// shared by the tests running in parallel and stays up.
TEST(PgServer, StoppedIsUnavailable) {
  TREFFPUNKT_REQUIRE_POSTGRES();
  const std::filesystem::path dir =
      std::filesystem::path(TREFFPUNKT_TEST_SCRATCH) / ("stopped-" + std::to_string(::getpid()));
  const std::string script = TREFFPUNKT_PG_CLUSTER;
  const auto [uri, started] = testing::run_command(script + " start '" + dir.string() + "'");
  ASSERT_TRUE(started) << uri;

  auto c = std::make_unique<pg::connection>(uri);
  EXPECT_EQ(pg_int(*c, "SELECT 5"), 5);
  auto& prepared = c->prepare("SELECT CAST(? AS BIGINT)");

  const auto stopped = testing::run_command(script + " stop '" + dir.string() + "'");
  ASSERT_TRUE(stopped.second) << stopped.first;
  EXPECT_FALSE(std::filesystem::exists(dir));

  const auto lost = failure_of([&] {
    prepared.bind(1, 1);
    prepared.step();
  });
  EXPECT_TRUE(lost.is_unavailable()) << lost.what();
  EXPECT_TRUE(c->broken());
  EXPECT_TRUE(failure_of([&] { c->exec("SELECT 1"); }).is_unavailable());
  {
    std::optional<pg::transaction> never;
    EXPECT_TRUE(failure_of([&] { never.emplace(*c); }).is_unavailable());
    EXPECT_FALSE(never);
  }
  const auto refused = failure_of([&] { pg::connection again(uri); });
  EXPECT_TRUE(refused.is_unavailable()) << refused.what();

  // Stopping again is nothing to do.
  EXPECT_TRUE(testing::run_command(script + " stop '" + dir.string() + "'").second);
}

}  // namespace
}  // namespace treffpunkt::storage
