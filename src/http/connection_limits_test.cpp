#include "http/connection_limits.hpp"

#include <gtest/gtest.h>

namespace amur::http {
namespace {

using Phase = ConnectionPhase;

TEST(DefaultMaxConnectionsTest, KeepsAnEighthOfTheLimitWithinBounds) {
  EXPECT_EQ(DefaultMaxConnections(1024), 1024u - 128);
  EXPECT_EQ(DefaultMaxConnections(256), 256u - 64);
  EXPECT_EQ(DefaultMaxConnections(20'000), 20'000u - 512);
  EXPECT_EQ(DefaultMaxConnections(1u << 20), 65'536u);
  EXPECT_EQ(DefaultMaxConnections(50), 16u);
}

TEST(ConnectionLimitsTest, AdmitsUpToTheTotalThenShedsKeepAliveOldestFirst) {
  ConnectionLimits limits(3, 0);
  EXPECT_TRUE(limits.Admit(1, "a").admitted);
  EXPECT_TRUE(limits.Admit(2, "b").admitted);
  EXPECT_TRUE(limits.Admit(3, "c").admitted);
  // 1 and 3 answered a request; 3 went idle first, then 1. 2 never spoke.
  ASSERT_TRUE(limits.Enter(3, Phase::kKeepAlive));
  ASSERT_TRUE(limits.Enter(1, Phase::kKeepAlive));
  auto a = limits.Admit(4, "d");
  EXPECT_TRUE(a.admitted);
  EXPECT_EQ(a.shed, 3u);
  EXPECT_FALSE(limits.Enter(3, Phase::kPartialHeader));  // it was shed
  a = limits.Admit(5, "e");
  EXPECT_EQ(a.shed, 1u);
  // No keep-alive left: the oldest silent connection goes next.
  a = limits.Admit(6, "f");
  EXPECT_EQ(a.shed, 2u);
  EXPECT_EQ(limits.Open(), 3u);
}

TEST(ConnectionLimitsTest, ShedsSilentBeforePartialHeadersAndNeverBusy) {
  ConnectionLimits limits(3, 0);
  limits.Admit(1, "a");
  limits.Admit(2, "a");
  limits.Admit(3, "a");
  limits.Enter(1, Phase::kPartialHeader);
  limits.Enter(2, Phase::kBusy);
  EXPECT_EQ(limits.Admit(4, "b").shed, 3u);  // silent, though newer than 1
  limits.Enter(4, Phase::kBusy);
  EXPECT_EQ(limits.Admit(5, "b").shed, 1u);  // part of a header
  limits.Enter(5, Phase::kBusy);
  const auto refused = limits.Admit(6, "b");  // 2, 4, 5 are all busy
  EXPECT_FALSE(refused.admitted);
  EXPECT_FALSE(refused.shed.has_value());
  EXPECT_FALSE(limits.ShedOne().has_value());
  limits.Remove(4);
  EXPECT_TRUE(limits.Admit(6, "b").admitted);
}

TEST(ConnectionLimitsTest, NetworkAtItsCapShedsOnlyItsOwnKeepAlive) {
  ConnectionLimits limits(100, 2);
  limits.Admit(1, "n1");
  limits.Admit(2, "n1");
  limits.Admit(3, "n2");
  limits.Enter(3, Phase::kKeepAlive);  // another network's idle connection
  EXPECT_FALSE(limits.Admit(4, "n1").admitted);
  EXPECT_EQ(limits.OpenFrom("n1"), 2u);
  limits.Enter(2, Phase::kKeepAlive);
  const auto a = limits.Admit(5, "n1");
  EXPECT_TRUE(a.admitted);
  EXPECT_EQ(a.shed, 2u);
  EXPECT_EQ(limits.OpenFrom("n1"), 2u);
  EXPECT_EQ(limits.OpenFrom("n2"), 1u);
}

TEST(ConnectionLimitsTest, UncountedPeersAndNoNetworkCap) {
  ConnectionLimits limits(10, 1);
  EXPECT_TRUE(limits.Admit(1, "").admitted);
  EXPECT_TRUE(limits.Admit(2, "").admitted);  // "" is never capped per network
  ConnectionLimits open(10, 0);
  EXPECT_TRUE(open.Admit(1, "n").admitted);
  EXPECT_TRUE(open.Admit(2, "n").admitted);
}

TEST(ConnectionLimitsTest, RemoveFreesRoomAndShedOneTakesTheFirstCandidate) {
  ConnectionLimits limits(2, 2);
  limits.Admit(1, "n");
  limits.Admit(2, "n");
  limits.Remove(1);
  limits.Remove(1);  // twice: ignored
  EXPECT_EQ(limits.Open(), 1u);
  EXPECT_EQ(limits.OpenFrom("n"), 1u);
  EXPECT_EQ(limits.ShedOne(), 2u);
  EXPECT_EQ(limits.Open(), 0u);
  EXPECT_EQ(limits.OpenFrom("n"), 0u);
}

}  // namespace
}  // namespace amur::http
