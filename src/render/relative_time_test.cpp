#include "render/relative_time.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace amur::render {
namespace {

constexpr TimeMs kSecond = 1000;
constexpr TimeMs kMinute = 60 * kSecond;
constexpr TimeMs kHour = 60 * kMinute;
constexpr TimeMs kDay = 24 * kHour;
constexpr TimeMs kNow = 1'795'000'000'000;  // late 2026

struct Case {
  TimeMs age;
  const char* expected;
};

class RelativeTimeEnTest : public ::testing::TestWithParam<Case> {};

TEST_P(RelativeTimeEnTest, ReadsAsExpected) {
  const Case& c = GetParam();
  EXPECT_EQ(RelativeTimeEn(kNow - c.age, kNow), c.expected)
      << "age " << c.age << " ms";
}

INSTANTIATE_TEST_SUITE_P(
    Boundaries, RelativeTimeEnTest,
    ::testing::Values(
        Case{0, "just now"}, Case{44 * kSecond + 999, "just now"},
        Case{45 * kSecond, "1 minute ago"},
        Case{2 * kMinute - 1, "1 minute ago"},
        Case{2 * kMinute, "2 minutes ago"},
        Case{60 * kMinute - 1, "59 minutes ago"}, Case{kHour, "1 hour ago"},
        Case{2 * kHour - 1, "1 hour ago"}, Case{2 * kHour, "2 hours ago"},
        Case{kDay - 1, "23 hours ago"}, Case{kDay, "yesterday"},
        Case{2 * kDay - 1, "yesterday"}, Case{2 * kDay, "2 days ago"},
        Case{7 * kDay - 1, "6 days ago"}, Case{7 * kDay, "1 week ago"},
        Case{14 * kDay - 1, "1 week ago"}, Case{14 * kDay, "2 weeks ago"},
        Case{29 * kDay + 23 * kHour, "4 weeks ago"},
        Case{30 * kDay, "1 month ago"}, Case{60 * kDay - 1, "1 month ago"},
        Case{60 * kDay, "2 months ago"}, Case{364 * kDay, "12 months ago"},
        Case{365 * kDay, "1 year ago"}, Case{730 * kDay - 1, "1 year ago"},
        Case{730 * kDay, "2 years ago"}, Case{36500 * kDay, "100 years ago"}));

TEST(RelativeTimeEnEdgeTest, FutureTimesReadJustNow) {
  EXPECT_EQ(RelativeTimeEn(kNow + 1, kNow), "just now");
  EXPECT_EQ(RelativeTimeEn(kNow + 400 * kDay, kNow), "just now");
}

TEST(RelativeTimeEnEdgeTest, ExtremeTimesDoNotOverflow) {
  constexpr TimeMs kMin = std::numeric_limits<TimeMs>::min();
  constexpr TimeMs kMax = std::numeric_limits<TimeMs>::max();
  // (2^64 - 1) ms is 584,942,417 years of 365 days, rounded down.
  EXPECT_EQ(RelativeTimeEn(kMin, kMax), "584942417 years ago");
  EXPECT_EQ(RelativeTimeEn(kMax, kMin), "just now");
  EXPECT_EQ(RelativeTimeEn(kMin, 0), "292471208 years ago");
}

}  // namespace
}  // namespace amur::render
