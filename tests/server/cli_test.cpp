#include <gtest/gtest.h>
#include <server/cli.h>

#include <sstream>
#include <string_view>
#include <vector>

namespace {

using treffpunkt::server::run_cli;

struct cli_run {
  int code;
  std::string out;
  std::string err;
};

cli_run run(std::vector<std::string_view> args) {
  std::ostringstream out;
  std::ostringstream err;
  const int code = run_cli(args, out, err);
  return {code, out.str(), err.str()};
}

TEST(Cli, HelpListsEveryCommand) {
  const cli_run r = run({"--help"});
  EXPECT_EQ(r.code, 0);
  for (const char* command : {"serve", "admin add", "token create", "import", "export"}) {
    EXPECT_NE(r.out.find(command), std::string::npos) << command;
  }
  EXPECT_TRUE(r.err.empty());
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

}  // namespace
