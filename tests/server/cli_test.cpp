#include <gtest/gtest.h>
#include <server/cli.h>

#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config.h"

namespace {

using treffpunkt::server::run_cli;

struct cli_run {
  int code;
  std::string out;
  std::string err;
};

cli_run run(std::vector<std::string_view> args, const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out;
  std::ostringstream err;
  const int code = run_cli(args, in, out, err);
  return {code, out.str(), err.str()};
}

TEST(Cli, HelpListsEveryCommand) {
  const cli_run r = run({"--help"});
  EXPECT_EQ(r.code, 0);
  for (const char* command :
       {"serve", "admin add", "token create", "import", "export", "expand --jsonl"}) {
    EXPECT_NE(r.out.find(command), std::string::npos) << command;
  }
  EXPECT_TRUE(r.err.empty());
}

TEST(Cli, DatabaseUrlsAreShownWithoutTheirPassword) {
  using treffpunkt::server::redacted_url;
  EXPECT_EQ(redacted_url("postgresql://tp:s3cret@db.example.org:5432/tp"),
            "postgresql://tp@db.example.org:5432/tp");
  EXPECT_EQ(redacted_url("postgres://tp:p%40ss@db/tp?sslmode=require"),
            "postgres://tp@db/tp?sslmode=require");
  // libpq also takes the password as a parameter.
  EXPECT_EQ(redacted_url("postgresql:///tp?host=/run/pg&password=s3cret&user=tp"),
            "postgresql:///tp?host=/run/pg&user=tp");
  EXPECT_EQ(redacted_url("postgresql://db/tp?password=s3cret"), "postgresql://db/tp");
  // Nothing to hide: unchanged, an '@' in the path is not a user part.
  EXPECT_EQ(redacted_url("postgresql://tp@db/tp"), "postgresql://tp@db/tp");
  EXPECT_EQ(redacted_url("postgresql:///tp?host=/tmp/x"), "postgresql:///tp?host=/tmp/x");
}

TEST(Cli, DatabaseComesFromTheFlagThenTheEnvironmentThenTheFile) {
  using treffpunkt::server::load_serve_config;
  std::map<std::string, std::string> env;
  const auto lookup = [&env](const std::string& name) -> std::optional<std::string> {
    const auto found = env.find(name);
    if (found == env.end()) return std::nullopt;
    return found->second;
  };
  std::ostringstream out;
  std::ostringstream err;
  auto loaded = load_serve_config({}, lookup, out, err);
  ASSERT_TRUE(loaded.config);
  EXPECT_EQ(loaded.config->database, "");  // SQLite in the data folder

  env["TREFFPUNKT_DATABASE"] = "postgres://env@db/tp";
  loaded = load_serve_config({}, lookup, out, err);
  ASSERT_TRUE(loaded.config);
  EXPECT_EQ(loaded.config->database, "postgres://env@db/tp");

  const std::vector<std::string_view> flag = {"--database", "postgresql://flag@db/tp"};
  loaded = load_serve_config(flag, lookup, out, err);
  ASSERT_TRUE(loaded.config);
  EXPECT_EQ(loaded.config->database, "postgresql://flag@db/tp");

  // A bad value is refused with the name of where it came from, and without its password.
  env["TREFFPUNKT_DATABASE"] = "mysql://tp:s3cret@db/tp";
  loaded = load_serve_config({}, lookup, out, err);
  EXPECT_FALSE(loaded.config);
  EXPECT_EQ(loaded.exit_code, 2);
  EXPECT_NE(err.str().find("TREFFPUNKT_DATABASE wants a URL starting with postgresql://"),
            std::string::npos)
      << err.str();
  EXPECT_NE(err.str().find("'mysql://tp@db/tp'"), std::string::npos) << err.str();
  EXPECT_EQ(err.str().find("s3cret"), std::string::npos) << err.str();
  EXPECT_NE(treffpunkt::server::serve_help().find("--database URL"), std::string::npos);
}

TEST(Cli, EveryCommandRefusesABadDatabaseUrlAndNamesIt) {
  for (const auto& args : std::vector<std::vector<std::string_view>>{
           {"token", "create", "a@example.org", "--database", "mysql://tp:s3cret@db/tp"},
           {"--database=sqlite:///x", "admin", "add", "a@example.org"},
           {"export", "--database"}}) {
    const cli_run r = run(args);
    EXPECT_EQ(r.code, 2) << args.front();
    EXPECT_NE(r.err.find("--database wants a URL starting with postgresql://"), std::string::npos)
        << r.err;
    EXPECT_EQ(r.err.find("s3cret"), std::string::npos) << r.err;
  }
}

TEST(Cli, AnUnreachableDatabaseIsOneLineWithoutThePassword) {
  // Nothing listens on port 1 of this machine: refused at once.
  const cli_run r = run({"token", "create", "a@example.org", "--database",
                         "postgresql://tp:s3cret@127.0.0.1:1/tp?connect_timeout=2"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(r.out.empty()) << r.out;  // no token
  EXPECT_TRUE(
      r.err.starts_with("treffpunkt: cannot open the database "
                        "postgresql://tp@127.0.0.1:1/tp?connect_timeout=2: "))
      << r.err;
  EXPECT_EQ(r.err.find("s3cret"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
}

TEST(Cli, UnknownCommandIsAUsageError) {
  const cli_run r = run({"frobnicate"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown command 'frobnicate'"), std::string::npos);
}

TEST(Cli, NoArgumentsPrintsUsageAndFails) {
  const cli_run r = run({});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("Usage:"), std::string::npos);
}

TEST(Cli, ExpandAnswersEveryLineInOrder) {
  const cli_run r = run({"expand", "--jsonl"},
                        R"({"id": "tue", "rrule": "FREQ=MONTHLY;BYDAY=1TU", )"
                        R"("dtstart": "20250107T190000", "limit": 3})"
                        "\n\n"  // a blank line is no input and gets no answer
                        R"({"id": "leap", "rrule": "FREQ=YEARLY;COUNT=2", )"
                        R"("dtstart": "20240229T000000", "limit": 5})"
                        "\r\n"
                        R"({"id": "none", "rrule": "FREQ=DAILY", "dtstart": "20250107T190000", )"
                        R"("limit": 0})");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out,
            R"({"id":"tue","occurrences":["20250107T190000","20250204T190000","20250304T190000"]})"
            "\n"
            R"({"id":"leap","occurrences":["20240229T000000","20280229T000000"]})"
            "\n"
            R"({"id":"none","occurrences":[]})"
            "\n");
  EXPECT_TRUE(r.err.empty());
}

TEST(Cli, ExpandNamesTheLineOfABadInputAndGoesOn) {
  const std::string ok =
      R"({"id": "ok", "rrule": "FREQ=DAILY;COUNT=1", "dtstart": "20250107T190000", "limit": 5})";
  const std::vector<std::pair<std::string, std::string>> cases{
      {"not json", R"({"id":null,"line":1,"error":"line 1: not JSON)"},
      {"[1, 2]", R"({"id":null,"line":1,"error":"line 1: not a JSON object"})"},
      {R"({"rrule": "FREQ=DAILY", "dtstart": "20250107T190000", "limit": 1})",
       R"({"id":null,"line":1,"error":"line 1: \"id\" is missing"})"},
      {R"({"id": "x", "dtstart": "20250107T190000", "limit": 1})",
       R"({"id":"x","line":1,"error":"line 1: \"rrule\" is missing"})"},
      {R"({"id": "x", "rrule": "FREQ=DAILY", "limit": 1})",
       R"({"id":"x","line":1,"error":"line 1: \"dtstart\" is missing"})"},
      {R"({"id": "x", "rrule": "FREQ=DAILY", "dtstart": "20250107T190000"})",
       R"({"id":"x","line":1,"error":"line 1: \"limit\" is missing"})"},
      {R"({"id": "x", "rrule": "FREQ=DAILY", "dtstart": "20250230T190000", "limit": 1})",
       R"({"id":"x","line":1,"error":"line 1: dtstart must be a local date and time)"},
      {R"({"id": "x", "rrule": "FREQ=DAILY", "dtstart": "20250107T190000Z", "limit": 1})",
       R"({"id":"x","line":1,"error":"line 1: dtstart '20250107T190000Z' is in UTC)"},
      {R"({"id": "x", "rrule": "FREQ=DAILY", "dtstart": "20250107", "limit": 1})",
       R"({"id":"x","line":1,"error":"line 1: dtstart '20250107' is a date without a time)"},
      {R"({"id": "x", "rrule": "FREQ=DAILY", "dtstart": "20250107T190000", "limit": 10001})",
       R"({"id":"x","line":1,"error":"line 1: \"limit\" must be a whole number from 0 to 10000, not 10001"})"},
      {R"({"id": "x", "rrule": "FREQ=DAILY", "dtstart": "20250107T190000", "limit": -1})",
       R"({"id":"x","line":1,"error":"line 1: \"limit\" must be a whole number)"},
      {R"({"id": "x", "rrule": "FREQ=DAILY", "dtstart": "20250107T190000", "limit": 2.0})",
       R"({"id":"x","line":1,"error":"line 1: \"limit\" must be a whole number)"},
      {R"({"id": "x", "rrule": "FREQ=FORTNIGHTLY", "dtstart": "20250107T190000", "limit": 1})",
       R"({"id":"x","line":1,"error":"line 1: unknown FREQ 'FORTNIGHTLY')"},
      {R"({"id": "x", "rrule": "RRULE:FREQ=DAILY", "dtstart": "20250107T190000", "limit": 1})",
       R"({"id":"x","line":1,"error":"line 1: \"rrule\" is the rule's value, without \"RRULE:\""})"},
      {R"({"id": "x", "rrule": "FREQ=DAILY;COUNT=2;UNTIL=20250110", "dtstart": "20250107T190000", "limit": 1})",
       R"({"id":"x","line":1,"error":"line 1: rrule 'FREQ=DAILY;COUNT=2;UNTIL=20250110': )"},
      {R"({"id": "x", "rule": "FREQ=DAILY", "dtstart": "20250107T190000", "limit": 1})",
       R"({"id":null,"line":1,"error":"line 1: unknown field \"rule\")"},
  };
  for (const auto& [input, answer] : cases) {
    // The bad line first, then a good one: the command goes on after the error.
    const cli_run r = run({"expand", "--jsonl"}, input + "\n" + ok + "\n");
    EXPECT_EQ(r.code, 0) << input;
    const std::string_view out = r.out;
    EXPECT_TRUE(out.starts_with(answer)) << input << "\n" << out;
    EXPECT_TRUE(
        out.ends_with("\n"
                      R"({"id":"ok","occurrences":["20250107T190000"]})"
                      "\n"))
        << input << "\n"
        << out;
  }
}

TEST(Cli, ExpandWithoutJsonlIsAUsageError) {
  const cli_run r = run({"expand"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("Usage: treffpunkt expand --jsonl"), std::string::npos);
  EXPECT_TRUE(r.out.empty());
}

}  // namespace
