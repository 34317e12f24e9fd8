#include "core/network_key.hpp"

#include <gtest/gtest.h>

namespace amur {
namespace {

TEST(NetworkKeyTest, Ipv4IsTheExactAddress) {
  EXPECT_EQ(NetworkKey("192.0.2.7"), "192.0.2.7");
  EXPECT_NE(NetworkKey("192.0.2.7"), NetworkKey("192.0.2.8"));  // no /24: shared NATs
}

TEST(NetworkKeyTest, Ipv6IsTheSlash64) {
  EXPECT_EQ(NetworkKey("2001:db8:1:2:aa::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(NetworkKey("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
  EXPECT_EQ(NetworkKey("2001:DB8:1:2::9"), "2001:db8:1:2::/64");
  EXPECT_NE(NetworkKey("2001:db8:1:3::1"), NetworkKey("2001:db8:1:2::1"));
  EXPECT_EQ(NetworkKey("::1"), "::/64");
}

TEST(NetworkKeyTest, MappedIpv4CountsAsIpv4) {
  EXPECT_EQ(NetworkKey("::ffff:192.0.2.7"), "192.0.2.7");
}

TEST(NetworkKeyTest, NonAddressesAreUnchanged) {
  EXPECT_EQ(NetworkKey(""), "");
  EXPECT_EQ(NetworkKey("localhost"), "localhost");
  EXPECT_EQ(NetworkKey("2001:db8::/64"), "2001:db8::/64");
}

}  // namespace
}  // namespace amur
