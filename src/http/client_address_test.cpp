#include "http/client_address.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace amur::http {
namespace {

boost::asio::ip::address Addr(const char* text) { return boost::asio::ip::make_address(text); }

TrustedProxies Trust(const std::vector<std::string>& cidrs) {
  std::string error;
  auto t = TrustedProxies::Parse(cidrs, &error);
  EXPECT_TRUE(t.has_value()) << error;
  EXPECT_EQ(error, "");
  return t ? *t : TrustedProxies{};
}

TEST(TrustedProxiesParseTest, AcceptsCidrsAndPlainAddresses) {
  std::string error;
  auto t = TrustedProxies::Parse(
      {"10.0.0.0/8", "192.168.1.1", "::1/128", "2001:db8::/32", "0.0.0.0/0", "fe80::1"}, &error);
  ASSERT_TRUE(t.has_value()) << error;
  EXPECT_TRUE(t->Contains(Addr("10.255.0.1")));
  EXPECT_TRUE(t->Contains(Addr("192.168.1.1")));
  EXPECT_TRUE(t->Contains(Addr("::1")));
  EXPECT_TRUE(t->Contains(Addr("2001:db8:ffff::7")));
  EXPECT_TRUE(t->Contains(Addr("8.8.8.8")));  // 0.0.0.0/0
  EXPECT_TRUE(t->Contains(Addr("fe80::1")));
  EXPECT_FALSE(t->Contains(Addr("2001:db9::1")));
  EXPECT_FALSE(t->Contains(Addr("fe80::2")));
}

TEST(TrustedProxiesParseTest, EmptyListTrustsNobody) {
  std::string error;
  auto t = TrustedProxies::Parse({}, &error);
  ASSERT_TRUE(t.has_value());
  EXPECT_FALSE(t->Contains(Addr("127.0.0.1")));
}

TEST(TrustedProxiesParseTest, RejectsMalformedEntries) {
  for (const char* bad : {"", "nohost", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x",
                          "10.0.0.0/8/9", "10.0.0.0/-1", "10.0.0.0/ 8", "300.1.1.1",
                          "10.0.0.0/8 ", "/8", "10.0.0/8"}) {
    std::string error;
    auto t = TrustedProxies::Parse({"127.0.0.1", bad}, &error);
    EXPECT_FALSE(t.has_value()) << "'" << bad << "'";
    EXPECT_NE(error.find(bad), std::string::npos) << "error should name the entry: " << error;
  }
}

TEST(TrustedProxiesTest, PrefixBoundaries) {
  const auto t = Trust({"192.168.4.0/22", "2001:db8:abcd:12::/63"});
  EXPECT_TRUE(t.Contains(Addr("192.168.4.0")));
  EXPECT_TRUE(t.Contains(Addr("192.168.7.255")));
  EXPECT_FALSE(t.Contains(Addr("192.168.8.0")));
  EXPECT_FALSE(t.Contains(Addr("192.168.3.255")));
  EXPECT_TRUE(t.Contains(Addr("2001:db8:abcd:13::1")));
  EXPECT_FALSE(t.Contains(Addr("2001:db8:abcd:14::1")));
  EXPECT_FALSE(t.Contains(Addr("2001:db8:abcd:11::1")));
}

TEST(ClientAddressTest, NoProxiesMeansThePeer) {
  const auto t = Trust({});
  EXPECT_EQ(t.ClientAddress(Addr("203.0.113.9"), "198.51.100.1"), "203.0.113.9");
  EXPECT_EQ(t.ClientAddress(Addr("203.0.113.9"), ""), "203.0.113.9");
}

TEST(ClientAddressTest, UntrustedPeerIgnoresForwardedFor) {
  const auto t = Trust({"10.0.0.0/8"});
  EXPECT_EQ(t.ClientAddress(Addr("203.0.113.9"), "198.51.100.1"), "203.0.113.9");
  EXPECT_EQ(t.ClientAddress(Addr("203.0.113.9"), "10.0.0.1, 198.51.100.1"), "203.0.113.9");
}

TEST(ClientAddressTest, TrustedPeerWithoutHeaderIsTheClient) {
  const auto t = Trust({"10.0.0.0/8"});
  EXPECT_EQ(t.ClientAddress(Addr("10.0.0.5"), ""), "10.0.0.5");
}

TEST(ClientAddressTest, TrustedPeerTakesTheRightMostUntrustedHop) {
  const auto t = Trust({"10.0.0.0/8"});
  EXPECT_EQ(t.ClientAddress(Addr("10.0.0.5"), "203.0.113.7"), "203.0.113.7");
  // The left-most entry is whatever the client claimed; it must not win.
  EXPECT_EQ(t.ClientAddress(Addr("10.0.0.5"), "198.51.100.1, 203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(t.ClientAddress(Addr("10.0.0.5"), "198.51.100.1, 203.0.113.7, 10.0.0.2"),
            "203.0.113.7");
  EXPECT_EQ(t.ClientAddress(Addr("10.0.0.5"), "198.51.100.1,203.0.113.7,10.1.1.1,10.0.0.2"),
            "203.0.113.7");
  EXPECT_EQ(t.ClientAddress(Addr("10.0.0.5"), "  203.0.113.7\t,\t10.0.0.2  "), "203.0.113.7");
}

TEST(ClientAddressTest, AllHopsTrustedMeansTheLeftMost) {
  const auto t = Trust({"10.0.0.0/8"});
  EXPECT_EQ(t.ClientAddress(Addr("10.0.0.5"), "10.0.0.3, 10.0.0.2"), "10.0.0.3");
}

TEST(ClientAddressTest, GarbageHopStopsAtTheLastTrustworthyOne) {
  const auto t = Trust({"10.0.0.0/8"});
  EXPECT_EQ(t.ClientAddress(Addr("10.0.0.5"), "203.0.113.7, garbage"), "10.0.0.5");
  EXPECT_EQ(t.ClientAddress(Addr("10.0.0.5"), "garbage, 10.0.0.2"), "10.0.0.2");
  EXPECT_EQ(t.ClientAddress(Addr("10.0.0.5"), "203.0.113.7, unknown, 10.0.0.2"), "10.0.0.2");
}

TEST(ClientAddressTest, Ipv4MappedPeersAreNormalized) {
  const auto t = Trust({"10.0.0.0/8"});
  // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d.
  EXPECT_TRUE(t.Contains(Addr("::ffff:10.0.0.5")));
  EXPECT_EQ(t.ClientAddress(Addr("::ffff:10.0.0.5"), "203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(t.ClientAddress(Addr("::ffff:198.51.100.9"), "203.0.113.7"), "198.51.100.9");
  EXPECT_EQ(t.ClientAddress(Addr("::ffff:198.51.100.9"), ""), "198.51.100.9");
  EXPECT_EQ(t.ClientAddress(Addr("::ffff:10.0.0.5"), "::ffff:203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(t.ClientAddress(Addr("::ffff:10.0.0.5"), "203.0.113.7, ::ffff:10.0.0.2"),
            "203.0.113.7");
}

TEST(ClientAddressTest, Ipv4MappedEntryInTheListMatchesIpv4Peers) {
  const auto t = Trust({"::ffff:10.0.0.1"});
  EXPECT_TRUE(t.Contains(Addr("10.0.0.1")));
  EXPECT_TRUE(t.Contains(Addr("::ffff:10.0.0.1")));
  EXPECT_FALSE(t.Contains(Addr("10.0.0.2")));
}

TEST(ClientAddressTest, Ipv4MappedCidrInTheList) {
  const auto t = Trust({"::ffff:10.0.0.0/104"});
  EXPECT_TRUE(t.Contains(Addr("10.1.2.3")));
  EXPECT_FALSE(t.Contains(Addr("11.1.2.3")));
}

TEST(ClientAddressTest, Ipv6ProxiesAndClients) {
  const auto t = Trust({"::1/128", "fd00::/8"});
  EXPECT_EQ(t.ClientAddress(Addr("::1"), "2001:db8::42"), "2001:db8::42");
  EXPECT_EQ(t.ClientAddress(Addr("::1"), "2001:db8::42, fd12::1"), "2001:db8::42");
  EXPECT_EQ(t.ClientAddress(Addr("::2"), "2001:db8::42"), "::2");
  EXPECT_EQ(t.ClientAddress(Addr("::1"), "203.0.113.7"), "203.0.113.7");
}

}  // namespace
}  // namespace amur::http

namespace amur::http {
namespace {

TEST(ClientAddressPortsTest, HopsWithAPortAreAddresses) {
  EXPECT_EQ(ParseForwardedHop("1.2.3.4:5555")->to_string(), "1.2.3.4");
  EXPECT_EQ(ParseForwardedHop(" [2001:db8::1]:443 ")->to_string(), "2001:db8::1");
  EXPECT_EQ(ParseForwardedHop("[2001:db8::1]")->to_string(), "2001:db8::1");
  EXPECT_EQ(ParseForwardedHop("\"[2001:db8::1]:443\"")->to_string(), "2001:db8::1");
  EXPECT_EQ(ParseForwardedHop("2001:db8::1")->to_string(), "2001:db8::1");
  EXPECT_EQ(ParseForwardedHop("1.2.3.4")->to_string(), "1.2.3.4");
  for (const char* bad : {"", "unknown", "_hidden", "1.2.3.4:", "1.2.3.4:http", "[1.2.3.4]:80",
                          "[2001:db8::1", "[2001:db8::1]x", "[2001:db8::1]:", "host:80",
                          "1.2.3.4:123456", "fe80::1%eth0", "[]:80"}) {
    EXPECT_FALSE(ParseForwardedHop(bad).has_value()) << bad;
  }
}

TEST(ClientAddressPortsTest, ForwardedForWithPortsFindsTheClient) {
  std::string error;
  const auto t = *TrustedProxies::Parse({"10.0.0.0/8", "fd00::/8"}, &error);
  const auto peer = boost::asio::ip::make_address("10.0.0.5");
  EXPECT_EQ(t.ClientAddress(peer, "203.0.113.7:5555"), "203.0.113.7");
  EXPECT_EQ(t.ClientAddress(peer, "[2001:db8::1]:443, 10.0.0.2:80"), "2001:db8::1");
  EXPECT_EQ(t.ClientAddress(peer, "198.51.100.1, 203.0.113.7:5555, [fd00::2]:8080"),
            "203.0.113.7");
  // An untrusted peer's header is still ignored.
  EXPECT_EQ(t.ClientAddress(boost::asio::ip::make_address("192.0.2.9"), "203.0.113.7:5555"),
            "192.0.2.9");
}

TEST(ClientAddressPortsTest, Rfc7239ForwardedWhenConfigured) {
  std::string error;
  const auto t = *TrustedProxies::Parse({"10.0.0.0/8"}, &error, ForwardedHeader::kForwarded);
  EXPECT_EQ(t.HeaderName(), "Forwarded");
  const auto peer = boost::asio::ip::make_address("10.0.0.5");
  EXPECT_EQ(t.ClientAddress(peer, "for=192.0.2.60;proto=http;by=203.0.113.43"),
            "192.0.2.60");
  EXPECT_EQ(t.ClientAddress(peer, "For=\"[2001:db8:cafe::17]:4711\""), "2001:db8:cafe::17");
  EXPECT_EQ(t.ClientAddress(peer, "for=192.0.2.43, for=198.51.100.17;by=10.0.0.1, for=10.0.0.2"),
            "198.51.100.17");
  // Obfuscated or unknown hops stop the walk at the last trustworthy one.
  EXPECT_EQ(t.ClientAddress(peer, "for=192.0.2.43, for=_hidden"), "10.0.0.5");
  EXPECT_EQ(t.ClientAddress(peer, "for=unknown, for=10.0.0.7"), "10.0.0.7");
  EXPECT_EQ(t.ClientAddress(peer, "proto=https"), "10.0.0.5");
  // A quoted comma does not split an element.
  EXPECT_EQ(t.ClientAddress(peer, "for=192.0.2.1;note=\"a,b\""), "192.0.2.1");
  // Untrusted peers: ignored.
  EXPECT_EQ(t.ClientAddress(boost::asio::ip::make_address("192.0.2.9"), "for=192.0.2.60"),
            "192.0.2.9");
}

TEST(ClientAddressPortsTest, HeaderNamesAreParsedWithoutCase) {
  EXPECT_EQ(ParseForwardedHeader("X-Forwarded-For"), ForwardedHeader::kXForwardedFor);
  EXPECT_EQ(ParseForwardedHeader("forwarded"), ForwardedHeader::kForwarded);
  EXPECT_FALSE(ParseForwardedHeader("x-real-ip").has_value());
  EXPECT_FALSE(ParseForwardedHeader("").has_value());
  std::string error;
  EXPECT_EQ(TrustedProxies::Parse({"10.0.0.0/8"}, &error)->HeaderName(), "X-Forwarded-For");
}

}  // namespace
}  // namespace amur::http
