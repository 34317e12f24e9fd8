#include "service/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace amur::service {
namespace {

constexpr TimeMs kStart = 1'795'000'000'000;

TEST(RateLimiterTest, AllowsNPerMinuteThenRefuses) {
  FakeClock clock(kStart);
  RateLimiter limiter(3, clock);
  EXPECT_TRUE(limiter.enabled());
  for (int i = 0; i < 3; ++i) {
    const auto d = limiter.Acquire("1.2.3.4");
    EXPECT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.slot, kStart);
    EXPECT_EQ(d.retry_after_seconds, 0);
  }
  const auto refused = limiter.Acquire("1.2.3.4");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_seconds, 60);
}

TEST(RateLimiterTest, ClockJumpingBackDoesNotLockTheClientOut) {
  FakeClock clock(kStart);
  RateLimiter limiter(2, clock);
  ASSERT_TRUE(limiter.Acquire("c").allowed);
  ASSERT_TRUE(limiter.Acquire("c").allowed);
  ASSERT_FALSE(limiter.Acquire("c").allowed);
  clock.Set(kStart - 3'600'000);  // an hour back
  auto d = limiter.Acquire("c");
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.slot, kStart - 3'600'000);
  ASSERT_TRUE(limiter.Acquire("c").allowed);
  d = limiter.Acquire("c");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_seconds, 60);  // a minute, not an hour and a minute
}

TEST(RateLimiterTest, ClockJumpingForwardFreesEverySlot) {
  FakeClock clock(kStart);
  RateLimiter limiter(1, clock);
  ASSERT_TRUE(limiter.Acquire("c").allowed);
  ASSERT_FALSE(limiter.Acquire("c").allowed);
  clock.Advance(86'400'000);
  EXPECT_TRUE(limiter.Acquire("c").allowed);
  EXPECT_FALSE(limiter.Acquire("c").allowed);
}

TEST(RateLimiterTest, RollingWindowFreesTheOldestSlot) {
  FakeClock clock(kStart);
  RateLimiter limiter(2, clock);
  ASSERT_TRUE(limiter.Acquire("c").allowed);  // t = 0
  clock.Advance(10'000);
  ASSERT_TRUE(limiter.Acquire("c").allowed);  // t = 10 s
  clock.Advance(20'000);                      // t = 30 s
  auto d = limiter.Acquire("c");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_seconds, 30);  // the first slot frees at t = 60 s
  clock.Set(kStart + 59'001);
  d = limiter.Acquire("c");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_seconds, 1);  // 999 ms rounds up
  clock.Set(kStart + 59'999);
  d = limiter.Acquire("c");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_seconds, 1);
  clock.Set(kStart + 60'000);
  d = limiter.Acquire("c");
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.slot, kStart + 60'000);
  // Now the slots are at 10 s and 60 s: the next frees at 70 s.
  d = limiter.Acquire("c");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_seconds, 10);
}

TEST(RateLimiterTest, RetryAfterRoundsUp) {
  FakeClock clock(kStart);
  RateLimiter limiter(1, clock);
  ASSERT_TRUE(limiter.Acquire("c").allowed);
  clock.Advance(1);
  auto d = limiter.Acquire("c");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_seconds, 60);  // 59.999 s
  clock.Advance(1'000);
  d = limiter.Acquire("c");
  EXPECT_EQ(d.retry_after_seconds, 59);  // 58.999 s
}

TEST(RateLimiterTest, RefusedRequestsDoNotUseUpTheAllowance) {
  FakeClock clock(kStart);
  RateLimiter limiter(1, clock);
  ASSERT_TRUE(limiter.Acquire("c").allowed);
  for (int i = 0; i < 50; ++i) {
    clock.Advance(1'000);
    ASSERT_FALSE(limiter.Acquire("c").allowed);
  }
  clock.Set(kStart + 60'000);
  EXPECT_TRUE(limiter.Acquire("c").allowed);
}

TEST(RateLimiterTest, ReleaseGivesTheSlotBack) {
  FakeClock clock(kStart);
  RateLimiter limiter(2, clock);
  const auto a = limiter.Acquire("c");
  clock.Advance(5'000);
  const auto b = limiter.Acquire("c");
  ASSERT_TRUE(a.allowed);
  ASSERT_TRUE(b.allowed);
  EXPECT_FALSE(limiter.Acquire("c").allowed);
  limiter.Release("c", b.slot);  // the post failed for another reason
  const auto again = limiter.Acquire("c");
  EXPECT_TRUE(again.allowed);
  EXPECT_FALSE(limiter.Acquire("c").allowed);
  // Releasing the older slot makes the remaining one decide the wait.
  limiter.Release("c", a.slot);
  EXPECT_TRUE(limiter.Acquire("c").allowed);
  const auto d = limiter.Acquire("c");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_seconds, 60);
}

TEST(RateLimiterTest, ReleaseOfOneOfTwoEqualSlotsFreesExactlyOne) {
  FakeClock clock(kStart);
  RateLimiter limiter(2, clock);
  const auto a = limiter.Acquire("c");
  ASSERT_TRUE(limiter.Acquire("c").allowed);
  limiter.Release("c", a.slot);
  EXPECT_TRUE(limiter.Acquire("c").allowed);
  EXPECT_FALSE(limiter.Acquire("c").allowed);
}

TEST(RateLimiterTest, ReleaseOfUnknownClientOrSlotIsHarmless) {
  FakeClock clock(kStart);
  RateLimiter limiter(1, clock);
  limiter.Release("nobody", kStart);
  ASSERT_TRUE(limiter.Acquire("c").allowed);
  limiter.Release("c", kStart - 1);      // no such slot
  limiter.Release("other", kStart);      // another client's release
  EXPECT_FALSE(limiter.Acquire("c").allowed);
}

TEST(RateLimiterTest, ZeroMeansUnlimited) {
  FakeClock clock(kStart);
  RateLimiter limiter(0, clock);
  EXPECT_FALSE(limiter.enabled());
  for (int i = 0; i < 1000; ++i) {
    const auto d = limiter.Acquire("c");
    ASSERT_TRUE(d.allowed);
    ASSERT_EQ(d.retry_after_seconds, 0);
  }
  limiter.Release("c", kStart);
}

TEST(RateLimiterTest, ClientsAreIndependent) {
  FakeClock clock(kStart);
  RateLimiter limiter(2, clock);
  ASSERT_TRUE(limiter.Acquire("10.0.0.1").allowed);
  ASSERT_TRUE(limiter.Acquire("10.0.0.1").allowed);
  EXPECT_FALSE(limiter.Acquire("10.0.0.1").allowed);
  EXPECT_TRUE(limiter.Acquire("10.0.0.2").allowed);
  EXPECT_TRUE(limiter.Acquire("10.0.0.2").allowed);
  EXPECT_FALSE(limiter.Acquire("10.0.0.2").allowed);
  EXPECT_TRUE(limiter.Acquire("2001:db8::1").allowed);
  limiter.Release("10.0.0.2", kStart);
  EXPECT_FALSE(limiter.Acquire("10.0.0.1").allowed);
  EXPECT_TRUE(limiter.Acquire("10.0.0.2").allowed);
}

TEST(RateLimiterTest, ClientsSurviveThePeriodicPrune) {
  FakeClock clock(kStart);
  RateLimiter limiter(1, clock);
  ASSERT_TRUE(limiter.Acquire("a").allowed);
  clock.Advance(61'000);  // the next Acquire prunes every client
  ASSERT_TRUE(limiter.Acquire("b").allowed);
  EXPECT_TRUE(limiter.Acquire("a").allowed);  // a's old slot expired
  EXPECT_FALSE(limiter.Acquire("a").allowed);
  EXPECT_FALSE(limiter.Acquire("b").allowed);  // b's fresh slot survived
}

}  // namespace
}  // namespace amur::service

namespace amur::service {
namespace {

TEST(RateLimiterTest, EventsRecordedElsewhereCountTowardsTheLimit) {
  FakeClock clock(kStart);
  RateLimiter limiter(3, clock);
  limiter.Record("1.2.3.4", kStart - 50'000);  // posted through another node
  limiter.Record("1.2.3.4", kStart + 5'000);   // that node's clock runs ahead: counts as now
  limiter.Record("1.2.3.4", kStart - 61'000);  // already out of the window: ignored
  ASSERT_TRUE(limiter.Acquire("1.2.3.4").allowed);
  const auto refused = limiter.Acquire("1.2.3.4");
  ASSERT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_seconds, 10);  // the oldest, 50 s ago, frees its slot first
  clock.Set(kStart + 10'000);
  EXPECT_TRUE(limiter.Acquire("1.2.3.4").allowed);
  EXPECT_FALSE(limiter.Acquire("1.2.3.4").allowed);
  EXPECT_TRUE(limiter.Acquire("5.6.7.8").allowed);
}

TEST(RateLimiterNetworkTest, AnIpv6ClientCannotRotateInsideItsSlash64) {
  FakeClock clock(kStart);
  RateLimiter limiter(2, clock);
  const auto first = limiter.Acquire("2001:db8:1:2::1");
  ASSERT_TRUE(first.allowed);
  ASSERT_TRUE(limiter.Acquire("2001:db8:1:2::2").allowed);
  EXPECT_FALSE(limiter.Acquire("2001:db8:1:2:ffff::3").allowed);
  EXPECT_TRUE(limiter.Acquire("2001:db8:1:3::1").allowed);  // another /64
  // Release finds the slot through another address of the same /64.
  limiter.Release("2001:db8:1:2::9", first.slot);
  EXPECT_TRUE(limiter.Acquire("2001:db8:1:2::4").allowed);
}

TEST(RateLimiterNetworkTest, Ipv4AddressesAreLimitedOneByOne) {
  FakeClock clock(kStart);
  RateLimiter limiter(1, clock);
  ASSERT_TRUE(limiter.Acquire("192.0.2.1").allowed);
  EXPECT_FALSE(limiter.Acquire("192.0.2.1").allowed);
  EXPECT_FALSE(limiter.Acquire("::ffff:192.0.2.1").allowed);
  EXPECT_TRUE(limiter.Acquire("192.0.2.2").allowed);  // a neighbour behind another NAT
}

}  // namespace
}  // namespace amur::service
