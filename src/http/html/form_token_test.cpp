#include "http/html/form_token.hpp"

#include <gtest/gtest.h>

#include <string>

namespace amur::http::html {
namespace {

constexpr TimeMs kNow = 1'795'000'000'123;  // 2026-11-18T11:06:40.123Z
constexpr TimeMs kSecond = 1000;
constexpr TimeMs kDay = 86'400 * kSecond;
const std::string kKey = "secret-key";
const std::string kCookie(43, 'A');
const std::string kOtherCookie(43, 'B');

TEST(FormTokenTest, IssuesSecondsDotHmacHex) {
  // HMAC-SHA256("secret-key", "amur-form:1795000000:AAA…A"), computed with Python's hmac.
  EXPECT_EQ(IssueFormToken(kKey, kCookie, kNow),
            "1795000000.ae6ae93717106b13204954bb07678dfeb710be07d85b10e6a589c554b9658650");
  // Milliseconds within the same second give the same token.
  EXPECT_EQ(IssueFormToken(kKey, kCookie, kNow - 123), IssueFormToken(kKey, kCookie, kNow + 876));
  EXPECT_NE(IssueFormToken(kKey, kCookie, kNow), IssueFormToken(kKey, kCookie, kNow + kSecond));
  EXPECT_NE(IssueFormToken(kKey, kCookie, kNow), IssueFormToken("other", kCookie, kNow));
}

TEST(FormTokenTest, ValidTokenChecks) {
  const std::string t = IssueFormToken(kKey, kCookie, kNow);
  EXPECT_TRUE(CheckFormToken(kKey, kCookie, t, kNow));
  EXPECT_TRUE(CheckFormToken(kKey, kCookie, t, kNow + 3'600 * kSecond));
}

TEST(FormTokenTest, ExpiresAfter24Hours) {
  const std::string t = IssueFormToken(kKey, kCookie, kNow);  // issued at second 1795000000
  EXPECT_TRUE(CheckFormToken(kKey, kCookie, t, 1'795'000'000'000 + kDay));
  EXPECT_TRUE(CheckFormToken(kKey, kCookie, t, 1'795'000'000'000 + kDay + 999));
  EXPECT_FALSE(CheckFormToken(kKey, kCookie, t, 1'795'000'000'000 + kDay + kSecond));
  EXPECT_FALSE(CheckFormToken(kKey, kCookie, t, kNow + 30 * kDay));
}

TEST(FormTokenTest, FutureTokensOnlyWithinFiveMinutes) {
  EXPECT_TRUE(
      CheckFormToken(kKey, kCookie, IssueFormToken(kKey, kCookie, kNow + 300 * kSecond), kNow));
  EXPECT_FALSE(
      CheckFormToken(kKey, kCookie, IssueFormToken(kKey, kCookie, kNow + 301 * kSecond), kNow));
  EXPECT_FALSE(CheckFormToken(kKey, kCookie, IssueFormToken(kKey, kCookie, kNow + kDay), kNow));
}

TEST(FormTokenTest, OtherKeyFails) {
  EXPECT_FALSE(CheckFormToken("other-key", kCookie, IssueFormToken(kKey, kCookie, kNow), kNow));
  EXPECT_FALSE(CheckFormToken("", kCookie, IssueFormToken(kKey, kCookie, kNow), kNow));
}

TEST(FormTokenTest, TamperedTokensFail) {
  const std::string t = IssueFormToken(kKey, kCookie, kNow);
  const auto dot = t.find('.');
  ASSERT_EQ(dot, 10u);
  // Each hex digit of the MAC flipped.
  for (std::size_t i = dot + 1; i < t.size(); ++i) {
    std::string bad = t;
    bad[i] = bad[i] == '0' ? '1' : '0';
    EXPECT_FALSE(CheckFormToken(kKey, kCookie, bad, kNow)) << bad;
  }
  // A later timestamp with the old MAC.
  std::string moved = t;
  moved[9] = moved[9] == '9' ? '8' : static_cast<char>(moved[9] + 1);
  EXPECT_FALSE(CheckFormToken(kKey, kCookie, moved, kNow));
  // Truncated, extended, upper-cased MAC.
  EXPECT_FALSE(CheckFormToken(kKey, kCookie, t.substr(0, t.size() - 1), kNow));
  EXPECT_FALSE(CheckFormToken(kKey, kCookie, t + "0", kNow));
  std::string upper = t;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_FALSE(CheckFormToken(kKey, kCookie, upper, kNow));
  // The MAC of another time with this time.
  const std::string other = IssueFormToken(kKey, kCookie, kNow - kSecond);
  EXPECT_FALSE(CheckFormToken(kKey, kCookie, t.substr(0, dot) + other.substr(dot), kNow));
}

TEST(FormTokenTest, BoundToTheCookie) {
  const std::string t = IssueFormToken(kKey, kCookie, kNow);
  EXPECT_FALSE(CheckFormToken(kKey, kOtherCookie, t, kNow));
  EXPECT_FALSE(CheckFormToken(kKey, "", IssueFormToken(kKey, "", kNow), kNow));
  EXPECT_FALSE(CheckFormToken(kKey, "short", IssueFormToken(kKey, "short", kNow), kNow));
  const std::string odd = std::string(42, 'A') + "=";
  EXPECT_FALSE(CheckFormToken(kKey, odd, IssueFormToken(kKey, odd, kNow), kNow));
}

TEST(FormTokenTest, CookieShape) {
  EXPECT_TRUE(ValidFormCookie(kCookie));
  EXPECT_TRUE(ValidFormCookie("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123-_9"));
  EXPECT_FALSE(ValidFormCookie(""));
  EXPECT_FALSE(ValidFormCookie(std::string(44, 'A')));
  EXPECT_FALSE(ValidFormCookie(std::string(42, 'A') + "+"));
  EXPECT_FALSE(ValidFormCookie(std::string(42, 'A') + ";"));
}

TEST(FormTokenTest, GarbageFails) {
  for (const char* bad : {"", ".", "abc", "1795000000", "1795000000.", ".abc",
                          "-1.abc", "+1795000000.abc", "0x1.abc", "1795000000000000.abc",
                          "17950 00000.abc"}) {
    EXPECT_FALSE(CheckFormToken(kKey, kCookie, bad, kNow)) << bad;
  }
}

}  // namespace
}  // namespace amur::http::html
