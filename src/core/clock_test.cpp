#include "core/clock.hpp"

#include <gtest/gtest.h>

#include <string>

namespace amur {
namespace {

struct Instant {
  TimeMs ms;
  const char* text;
};

class Rfc3339Test : public ::testing::TestWithParam<Instant> {};

TEST_P(Rfc3339Test, FormatsExactly) {
  EXPECT_EQ(FormatRfc3339Ms(GetParam().ms), GetParam().text);
}

TEST_P(Rfc3339Test, AppendsTheSameText) {
  std::string out = "x";
  AppendRfc3339Ms(out, GetParam().ms);
  EXPECT_EQ(out, std::string("x") + GetParam().text);
}

TEST(Rfc3339Test, AppendAgreesWithFormatOutsideAndInsideFourDigitYears) {
  // From about 29,700 BC to 33,600 AD in steps of 997 days and 12,345,679 ms,
  // and every millisecond of a second around 0000-01-01.
  for (TimeMs t = -1'000'000'000'000'000; t < 1'000'000'000'000'000;
       t += 997 * 86'400'000LL + 12'345'679) {
    std::string out;
    AppendRfc3339Ms(out, t);
    ASSERT_EQ(out, FormatRfc3339Ms(t)) << t;
  }
  for (TimeMs t = -62'167'219'200'500; t < -62'167'219'199'500; ++t) {  // around 0000-01-01
    std::string out;
    AppendRfc3339Ms(out, t);
    ASSERT_EQ(out, FormatRfc3339Ms(t)) << t;
  }
}

TEST_P(Rfc3339Test, ParsesBackToTheSameInstant) {
  TimeMs parsed = -12345;
  ASSERT_TRUE(ParseRfc3339(GetParam().text, &parsed)) << GetParam().text;
  EXPECT_EQ(parsed, GetParam().ms);
}

INSTANTIATE_TEST_SUITE_P(
    KnownInstants, Rfc3339Test,
    ::testing::Values(Instant{0, "1970-01-01T00:00:00.000Z"},
                      Instant{1, "1970-01-01T00:00:00.001Z"},
                      Instant{999, "1970-01-01T00:00:00.999Z"},
                      Instant{86'399'999, "1970-01-01T23:59:59.999Z"},
                      Instant{86'400'000, "1970-01-02T00:00:00.000Z"},
                      Instant{-1, "1969-12-31T23:59:59.999Z"},
                      Instant{-86'400'000, "1969-12-31T00:00:00.000Z"},
                      Instant{951'782'400'000, "2000-02-29T00:00:00.000Z"},
                      Instant{1'709'164'800'000, "2024-02-29T00:00:00.000Z"},
                      Instant{1'709'210'096'789, "2024-02-29T12:34:56.789Z"},
                      Instant{1'709'251'199'999, "2024-02-29T23:59:59.999Z"},
                      Instant{1'709'251'200'000, "2024-03-01T00:00:00.000Z"},
                      Instant{1'795'000'000'123, "2026-11-18T11:06:40.123Z"},
                      Instant{4'102'444'800'000, "2100-01-01T00:00:00.000Z"}));

TEST(Rfc3339Test, RoundTripsEveryMillisecondOfASecondAndManyDays) {
  for (TimeMs t = 1'709'210'096'000; t < 1'709'210'097'000; ++t) {
    TimeMs back = 0;
    ASSERT_TRUE(ParseRfc3339(FormatRfc3339Ms(t), &back));
    ASSERT_EQ(back, t);
  }
  // Every day from 1999 to early 2103 at a fixed time of day.
  for (TimeMs day = 10'592; day < 48'580; ++day) {
    const TimeMs t = day * 86'400'000 + 45'296'007;
    TimeMs back = 0;
    ASSERT_TRUE(ParseRfc3339(FormatRfc3339Ms(t), &back)) << FormatRfc3339Ms(t);
    ASSERT_EQ(back, t) << FormatRfc3339Ms(t);
  }
}

TEST(Rfc3339Test, AcceptsVariantsWithoutOrWithFewerMilliseconds) {
  TimeMs t = 0;
  ASSERT_TRUE(ParseRfc3339("2024-02-29T12:34:56Z", &t));
  EXPECT_EQ(t, 1'709'210'096'000);
  ASSERT_TRUE(ParseRfc3339("2024-02-29T12:34:56.7Z", &t));
  EXPECT_EQ(t, 1'709'210'096'700);
  ASSERT_TRUE(ParseRfc3339("2024-02-29T12:34:56.78Z", &t));
  EXPECT_EQ(t, 1'709'210'096'780);
  ASSERT_TRUE(ParseRfc3339("1970-01-01T00:00:00Z", &t));
  EXPECT_EQ(t, 0);
}

TEST(Rfc3339Test, RejectsMalformedText) {
  for (const char* bad : {"", "2024-02-29", "2024-02-29T12:34:56", "2024-02-29T12:34:56.789",
                          "2024-02-29 12:34:56Z", "2024-02-29T12:34:56+01:00",
                          "2024-02-29T12:34:56.Z", "2024-00-10T00:00:00Z",
                          "2024-13-01T00:00:00Z", "2024-01-00T00:00:00Z",
                          "2024-01-32T00:00:00Z", "2024-02-29T24:00:00Z",
                          "2024-02-29T12:60:00Z", "2024-02-29T12:34:61Z", "garbage",
                          "2024-02-29T12:34:56z"}) {
    TimeMs t = 777;
    EXPECT_FALSE(ParseRfc3339(bad, &t)) << bad;
    EXPECT_EQ(t, 777) << "output written for " << bad;
  }
}

TEST(Rfc3339Test, RejectsDatesThatDoNotExist) {
  for (const char* bad : {"2023-02-29T00:00:00Z", "2024-02-30T00:00:00Z",
                          "2024-04-31T00:00:00Z", "2100-02-29T00:00:00Z"}) {
    TimeMs t = 777;
    EXPECT_FALSE(ParseRfc3339(bad, &t)) << bad;
  }
}

TEST(Rfc3339Test, RejectsWhatSscanfToleratesButRfc3339DoesNot) {
  for (const char* bad : {"2024-02-29T12:34:56Z junk", "2024-02-29T12:34:56 Z",
                          "2024-02-29T12:34:56.789Z\n", " 2024-02-29T12:34:56Z",
                          "2024-2-29T12:34:56Z", "2024-02-29T1:2:3Z"}) {
    TimeMs t = 777;
    EXPECT_FALSE(ParseRfc3339(bad, &t)) << bad;
  }
}

TEST(FakeClockTest, StandsStillUntilMoved) {
  FakeClock clock(1'000);
  EXPECT_EQ(clock.NowMs(), 1'000);
  EXPECT_EQ(clock.NowMs(), 1'000);
  clock.Advance(250);
  EXPECT_EQ(clock.NowMs(), 1'250);
  clock.Set(5);
  EXPECT_EQ(clock.NowMs(), 5);
  clock.Advance(-5);
  EXPECT_EQ(clock.NowMs(), 0);
}

TEST(SystemClockTest, IsAfter2024) {
  SystemClock clock;
  EXPECT_GT(clock.NowMs(), 1'704'067'200'000);  // 2024-01-01
}

}  // namespace
}  // namespace amur
