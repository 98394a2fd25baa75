#pragma once
/// The PostgreSQL tests run against a real server: ctest starts a throwaway cluster before them
/// (scripts/pg-cluster, the fixture `postgres` in tests/CMakeLists.txt) and passes its URI in
/// TREFFPUNKT_TEST_POSTGRES. Each test gets a database of its own, dropped afterwards, so that
/// the tests can run in parallel on the one cluster.

#include <gtest/gtest.h>
#include <unistd.h>  // getpid

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "postgres.h"

namespace treffpunkt::storage::testing {

/// The cluster's URI, or "" when the variable is not set.
inline std::string postgres_uri() {
  const char* uri = std::getenv("TREFFPUNKT_TEST_POSTGRES");
  return uri ? uri : "";
}

/// Skips the test when there is no PostgreSQL to test against, run by hand (the binary without
/// ctest); fails it in CI (the variable CI set), where the tests must have run.
#define TREFFPUNKT_REQUIRE_POSTGRES()                                                     \
  do {                                                                                    \
    if (::treffpunkt::storage::testing::postgres_uri().empty()) {                         \
      const char* ci = std::getenv("CI");                                                 \
      if (ci != nullptr && *ci != '\0') {                                                 \
        FAIL() << "TREFFPUNKT_TEST_POSTGRES is not set: run the tests with ctest, which " \
                  "starts a PostgreSQL cluster (scripts/pg-cluster)";                     \
      }                                                                                   \
      GTEST_SKIP() << "TREFFPUNKT_TEST_POSTGRES is not set (ctest sets it; or start a "   \
                      "cluster with scripts/pg-cluster start DIR and set it to the URI)"; \
    }                                                                                     \
  } while (false)

/// Runs `command` in a shell; its standard output without the last newline, and whether it
/// exited with 0.
inline std::pair<std::string, bool> run_command(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return {"", false};
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
  const int status = ::pclose(pipe);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return {out, status == 0};
}

/// A test with a fresh database of its own on the test cluster (`uri`, database `name()`).
class pg_test : public ::testing::Test {
 protected:
  void SetUp() override {
    TREFFPUNKT_REQUIRE_POSTGRES();
    static std::atomic<int> counter{0};
    std::random_device entropy;
    name_ = "t_" + std::to_string(::getpid()) + "_" + std::to_string(entropy() % 100000) + "_" +
            std::to_string(++counter);
    admin_ = std::make_unique<pg::connection>(postgres_uri());
    admin_->exec("CREATE DATABASE " + name_);
    created_ = true;
  }

  void TearDown() override {
    if (created_) {
      // FORCE: a test that failed half-way may have left a connection open.
      admin_->exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    }
  }

  /// A new connection to the test's database.
  std::unique_ptr<pg::connection> connect() const {
    return std::make_unique<pg::connection>(postgres_uri(), name_);
  }

  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::unique_ptr<pg::connection> admin_;
  bool created_ = false;
};

/// The first column of the first row of `query` as text ("" when no row or NULL).
inline std::string pg_text(pg::connection& c, const std::string& query) {
  auto& s = c.prepare(query);
  std::string out = s.step() ? s.text(0) : std::string();
  s.reset();
  return out;
}

/// Like pg_text, as a number (0 when no row or NULL).
inline std::int64_t pg_int(pg::connection& c, const std::string& query) {
  auto& s = c.prepare(query);
  const std::int64_t out = s.step() ? s.int64(0) : 0;
  s.reset();
  return out;
}

}  // namespace treffpunkt::storage::testing
