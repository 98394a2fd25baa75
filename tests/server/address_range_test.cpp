#include <gtest/gtest.h>
#include <server/address_range.h>

#include <string>

namespace treffpunkt::server {
namespace {

TEST(AddressRange, Ipv4RangesMatchByPrefix) {
  const auto r = address_range::parse("10.1.0.0/16").value();
  EXPECT_TRUE(r.contains("10.1.0.1"));
  EXPECT_TRUE(r.contains("10.1.255.254"));
  EXPECT_FALSE(r.contains("10.2.0.1"));
  EXPECT_FALSE(r.contains("::1"));
  // A prefix that is no whole number of bytes.
  const auto odd = address_range::parse("192.168.4.0/22").value();
  EXPECT_TRUE(odd.contains("192.168.7.200"));
  EXPECT_FALSE(odd.contains("192.168.8.1"));
  // One address, and everything.
  EXPECT_TRUE(address_range::parse("203.0.113.7").value().contains("203.0.113.7"));
  EXPECT_FALSE(address_range::parse("203.0.113.7").value().contains("203.0.113.8"));
  EXPECT_TRUE(address_range::parse("0.0.0.0/0").value().contains("198.51.100.1"));
}

TEST(AddressRange, Ipv6AndMappedIpv4) {
  const auto r = address_range::parse("2001:db8::/32").value();
  EXPECT_TRUE(r.contains("2001:db8:1::5"));
  EXPECT_FALSE(r.contains("2001:db9::1"));
  EXPECT_FALSE(r.contains("10.0.0.1"));
  // A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d.
  EXPECT_TRUE(address_range::parse("127.0.0.0/8").value().contains("::ffff:127.0.0.1"));
  EXPECT_FALSE(address_range::parse("::1").value().contains("::ffff:127.0.0.1"));
}

TEST(AddressRange, RefusesWhatIsNoRange) {
  for (const char* bad : {"", "localhost", "10.0.0.0/33", "::1/129", "10.0.0.0/", "10.0.0.0/8x",
                          "10.0.0.256", "10.0.0.0/-1"}) {
    EXPECT_FALSE(address_range::parse(bad)) << bad;
  }
  std::string at_fault;
  EXPECT_FALSE(address_ranges::parse("127.0.0.1, nope", &at_fault));
  EXPECT_EQ(at_fault, "nope");
}

TEST(AddressRanges, ListsAnyAndTheLoopbackDefault) {
  const auto list = address_ranges::parse(" 10.0.0.0/8 , ::1").value();
  EXPECT_TRUE(list.contains("10.9.8.7"));
  EXPECT_TRUE(list.contains("::1"));
  EXPECT_FALSE(list.contains("127.0.0.1"));
  EXPECT_FALSE(list.contains("not an address"));
  EXPECT_TRUE(address_ranges::parse("any").value().contains("198.51.100.1"));
  const auto loopback = address_ranges::loopback();
  EXPECT_TRUE(loopback.contains("127.0.0.1"));
  EXPECT_TRUE(loopback.contains("127.1.2.3"));
  EXPECT_TRUE(loopback.contains("::1"));
  EXPECT_FALSE(loopback.contains("192.0.2.1"));
  EXPECT_FALSE(loopback.contains(""));
}

}  // namespace
}  // namespace treffpunkt::server
