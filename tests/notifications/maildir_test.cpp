// The Maildir sink: every message in new/, whole, under a name of its own.
#include <gtest/gtest.h>
#include <notifications/maildir.h>

#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "mail_fixture.h"

namespace treffpunkt::notifications {
namespace {

using namespace testing;

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Maildir, MessagesLandWholeInNewWithUniqueNames) {
  scratch_dir dir;
  maildir_sender sink(dir.path() / "mail");
  std::vector<outgoing> batch;
  for (int i = 0; i < 50; ++i) {
    batch.push_back({"anna@example.org", "Subject: " + std::to_string(i) + "\r\n\r\nbody\r\n"});
  }
  std::vector<delivery> results[2];
  std::thread a([&] { results[0] = sink.send(batch); });
  std::thread b([&] { results[1] = sink.send(batch); });
  a.join();
  b.join();
  for (const auto& rs : results) {
    for (const auto& r : rs) EXPECT_EQ(r.status, delivery_status::sent) << r.detail;
  }
  std::set<std::string> names;
  std::set<std::string> contents;
  for (const auto& e : std::filesystem::directory_iterator(dir.path() / "mail" / "new")) {
    names.insert(e.path().filename().string());
    contents.insert(read_all(e.path()));
  }
  EXPECT_EQ(names.size(), 100U);
  EXPECT_EQ(contents.size(), 50U);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path() / "mail" / "tmp"));
  EXPECT_TRUE(std::filesystem::is_directory(dir.path() / "mail" / "cur"));
}

TEST(Maildir, NamesSortInTheOrderTheyWereWritten) {
  // 85 ms into a second and 300 ms into it: unpadded, "M85000" sorted after "M300000", and a
  // reader listing new/ by name took the older message for the newer one.
  using std::chrono::microseconds;
  const std::chrono::system_clock::time_point second{std::chrono::seconds(1'780'000'000)};
  const auto early = maildir_name(second + microseconds(85'000), 4242, 9, "host");
  const auto late = maildir_name(second + microseconds(300'000), 4242, 10, "host");
  const auto next_second = maildir_name(second + microseconds(1'000'007), 4242, 11, "host");
  EXPECT_EQ(early, "1780000000.M085000P4242Q0000000009.host");
  EXPECT_LT(early, late);
  EXPECT_LT(late, next_second);
  // The same microsecond: the counter decides, also from 9 to 10.
  EXPECT_LT(maildir_name(second, 1, 9, "h"), maildir_name(second, 1, 10, "h"));
}

TEST(Maildir, AFolderThatCannotBeWrittenIsATemporaryFailure) {
  scratch_dir dir;
  maildir_sender sink(dir.path() / "mail");
  std::filesystem::remove_all(dir.path() / "mail" / "tmp");
  const auto r = sink.send(std::vector<outgoing>{{"anna@example.org", "x"}});
  ASSERT_EQ(r.size(), 1U);
  EXPECT_EQ(r[0].status, delivery_status::temporary);
  EXPECT_NE(r[0].detail.find("cannot create"), std::string::npos);
}

}  // namespace
}  // namespace treffpunkt::notifications
