#include "http/request_parsing.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace amur::http {
namespace {

using namespace std::string_literals;

Params P(std::initializer_list<std::pair<std::string, std::string>> items) { return Params(items); }

TEST(ParseQueryTest, EmptyQueryHasNoParams) {
  auto p = ParseQuery("");
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(p->empty());
}

TEST(ParseQueryTest, SplitsPairsInOrder) {
  EXPECT_EQ(ParseQuery("page=/a&sort=votes&limit=5"),
            P({{"page", "/a"}, {"sort", "votes"}, {"limit", "5"}}));
}

TEST(ParseQueryTest, PlusIsASpace) {
  EXPECT_EQ(ParseQuery("q=x+y+z"), P({{"q", "x y z"}}));
  EXPECT_EQ(ParseQuery("a+b=1"), P({{"a b", "1"}}));
}

TEST(ParseQueryTest, PercentDecodesKeysAndValues) {
  EXPECT_EQ(ParseQuery("page=%2F2022%2Faigun-treaty"), P({{"page", "/2022/aigun-treaty"}}));
  EXPECT_EQ(ParseQuery("v=%41%62%2B%25%26%3D"), P({{"v", "Ab+%&="}}));
  EXPECT_EQ(ParseQuery("v=%e6%97%a5%E6%97%A5"), P({{"v", "\xE6\x97\xA5\xE6\x97\xA5"}}));
  EXPECT_EQ(ParseQuery("p%20q=1"), P({{"p q", "1"}}));
  EXPECT_EQ(ParseQuery("v=%00"), P({{"v", "\0"s}}));
  EXPECT_EQ(ParseQuery("v=%41"), P({{"v", "A"}}));  // escape ending the string
}

TEST(ParseQueryTest, KeepsRepeatedKeys) {
  auto p = ParseQuery("page=/a&page=/b&x=1&page=/c");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->size(), 4u);
  EXPECT_EQ(FirstParam(*p, "page"), std::optional<std::string>("/a"));
  EXPECT_EQ(AllParams(*p, "page"), (std::vector<std::string>{"/a", "/b", "/c"}));
  EXPECT_EQ(FirstParam(*p, "x"), std::optional<std::string>("1"));
  EXPECT_EQ(FirstParam(*p, "missing"), std::nullopt);
  EXPECT_TRUE(AllParams(*p, "missing").empty());
}

TEST(ParseQueryTest, KeysWithoutValuesAndEmptyParts) {
  EXPECT_EQ(ParseQuery("flag"), P({{"flag", ""}}));
  EXPECT_EQ(ParseQuery("flag="), P({{"flag", ""}}));
  EXPECT_EQ(ParseQuery("=v"), P({{"", "v"}}));
  EXPECT_EQ(ParseQuery("&&a=1&&b=2&"), P({{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(ParseQuery("x=a=b"), P({{"x", "a=b"}}));
  EXPECT_EQ(ParseQuery("&"), P({}));
}

TEST(ParseQueryTest, BadEscapesInvalidateTheWholeString) {
  for (const char* bad : {"%zz", "a=%zz", "a=%4", "a=%", "a=1&b=%4", "a%=1", "a=%4g", "a=%g4",
                          "ok=1&%", "a=%%41"}) {
    EXPECT_EQ(ParseQuery(bad), std::nullopt) << bad;
  }
}

Request WithHeader(const char* name, const std::string& value) {
  Request r;
  r.message.set(name, value);
  return r;
}

TEST(SeenSeqTest, TakesTheLargerOfHeaderAndCookie) {
  EXPECT_EQ(SeenSeq(Request{}), 0);
  EXPECT_EQ(SeenSeq(WithHeader("X-Amur-Seen", "42")), 42);
  EXPECT_EQ(SeenSeq(WithHeader("Cookie", "a=1; amur_seen=17")), 17);
  Request both = WithHeader("Cookie", "amur_seen=17");
  both.message.set("X-Amur-Seen", "9");
  EXPECT_EQ(SeenSeq(both), 17);
}

TEST(SeenSeqTest, IgnoresWhatIsNotAWholeNumber) {
  for (const char* bad : {"", "-3", "12a", "1e3", "5 6", "99999999999999999999999"}) {
    EXPECT_EQ(SeenSeq(WithHeader("X-Amur-Seen", bad)), 0) << bad;
  }
  EXPECT_EQ(SeenSeq(WithHeader("Cookie", "xamur_seen=5")), 0);
}

TEST(CookieValueTest, FindsTheNamedCookie) {
  const Request r = WithHeader("Cookie", "a=1; amur_voter=xyz; b=2");
  EXPECT_EQ(CookieValue(r, "amur_voter"), std::optional<std::string>("xyz"));
  EXPECT_EQ(CookieValue(r, "a"), std::optional<std::string>("1"));
  EXPECT_EQ(CookieValue(r, "b"), std::optional<std::string>("2"));
  EXPECT_EQ(CookieValue(r, "c"), std::nullopt);
}

TEST(CookieValueTest, MatchesWholeNamesOnly) {
  const Request r = WithHeader("Cookie", "xamur_voter=1; amur_voter_old=2");
  EXPECT_EQ(CookieValue(r, "amur_voter"), std::nullopt);
  EXPECT_EQ(CookieValue(r, "amur_voter_old"), std::optional<std::string>("2"));
}

TEST(CookieValueTest, EdgeCases) {
  EXPECT_EQ(CookieValue(Request{}, "amur_voter"), std::nullopt);
  EXPECT_EQ(CookieValue(WithHeader("Cookie", "amur_voter="), "amur_voter"),
            std::optional<std::string>(""));
  EXPECT_EQ(CookieValue(WithHeader("Cookie", "a=1;amur_voter=v"), "amur_voter"),
            std::optional<std::string>("v"));
  EXPECT_EQ(CookieValue(WithHeader("Cookie", "junk; amur_voter=v"), "amur_voter"),
            std::optional<std::string>("v"));
  EXPECT_EQ(CookieValue(WithHeader("Cookie", "amur_voter=first; amur_voter=second"), "amur_voter"),
            std::optional<std::string>("first"));
  EXPECT_EQ(CookieValue(WithHeader("Cookie", "s=a=b"), "s"), std::optional<std::string>("a=b"));
}

TEST(BearerTokenTest, ExtractsTheToken) {
  EXPECT_EQ(BearerToken(WithHeader("Authorization", "Bearer abc.DEF-_")),
            std::optional<std::string>("abc.DEF-_"));
  EXPECT_EQ(BearerToken(WithHeader("Authorization", "bearer abc")), std::optional<std::string>("abc"));
  EXPECT_EQ(BearerToken(WithHeader("Authorization", "BEARER abc")), std::optional<std::string>("abc"));
  EXPECT_EQ(BearerToken(WithHeader("Authorization", "Bearer    abc   ")),
            std::optional<std::string>("abc"));
}

TEST(BearerTokenTest, RejectsOtherSchemesAndEmptyTokens) {
  EXPECT_EQ(BearerToken(Request{}), std::nullopt);
  EXPECT_EQ(BearerToken(WithHeader("Authorization", "")), std::nullopt);
  EXPECT_EQ(BearerToken(WithHeader("Authorization", "Bearer")), std::nullopt);
  EXPECT_EQ(BearerToken(WithHeader("Authorization", "Bearer ")), std::nullopt);
  EXPECT_EQ(BearerToken(WithHeader("Authorization", "Bearer     ")), std::nullopt);
  EXPECT_EQ(BearerToken(WithHeader("Authorization", "Basic dXNlcjpwYXNz")), std::nullopt);
  EXPECT_EQ(BearerToken(WithHeader("Authorization", "Bearerabc")), std::nullopt);
}

TEST(RequireJsonTest, AcceptsJsonWithParameters) {
  EXPECT_TRUE(RequireJson(WithHeader("Content-Type", "application/json")).ok());
  EXPECT_TRUE(RequireJson(WithHeader("Content-Type", "application/json; charset=utf-8")).ok());
  EXPECT_TRUE(RequireJson(WithHeader("Content-Type", "Application/JSON")).ok());
  for (const char* bad : {"", "text/plain", "application/x-www-form-urlencoded",
                          "application/jsonx", "application/json-patch+json"}) {
    auto st = RequireJson(WithHeader("Content-Type", bad));
    ASSERT_FALSE(st.ok()) << bad;
    EXPECT_EQ(st.error().code, ErrorCode::kUnsupportedMediaType) << bad;
  }
  auto none = RequireJson(Request{});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kUnsupportedMediaType);
}

TEST(ParseJsonObjectTest, ObjectsOnly) {
  auto ok = ParseJsonObject(R"({"body": "hi", "n": 1})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->size(), 2u);
  for (const char* bad : {"", "{", "[]", "\"s\"", "1", "null", "{\"a\":}", "{\"a\":1} x"}) {
    auto r = ParseJsonObject(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidJson) << bad;
  }
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "{\"a\":";
  deep += "1";
  for (int i = 0; i < 100; ++i) deep += "}";
  auto r = ParseJsonObject(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidJson);
}

TEST(JsonFieldTest, OptionalAndRequiredStrings) {
  auto o = ParseJsonObject(R"({"s": "v", "n": null, "i": 5})");
  ASSERT_TRUE(o.ok());
  auto s = OptionalString(*o, "s");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, std::optional<std::string>("v"));
  auto n = OptionalString(*o, "n");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, std::nullopt);
  auto absent = OptionalString(*o, "absent");
  ASSERT_TRUE(absent.ok());
  EXPECT_EQ(*absent, std::nullopt);
  auto i = OptionalString(*o, "i");
  ASSERT_FALSE(i.ok());
  EXPECT_EQ(i.error().code, ErrorCode::kInvalidField);
  EXPECT_EQ(i.error().field, "i");

  auto rs = RequiredString(*o, "s");
  ASSERT_TRUE(rs.ok());
  EXPECT_EQ(*rs, "v");
  auto rn = RequiredString(*o, "n");
  ASSERT_FALSE(rn.ok());
  EXPECT_EQ(rn.error().code, ErrorCode::kMissingField);
  EXPECT_EQ(rn.error().field, "n");
  auto ra = RequiredString(*o, "absent");
  ASSERT_FALSE(ra.ok());
  EXPECT_EQ(ra.error().code, ErrorCode::kMissingField);
  EXPECT_EQ(ra.error().field, "absent");
  auto ri = RequiredString(*o, "i");
  ASSERT_FALSE(ri.ok());
  EXPECT_EQ(ri.error().code, ErrorCode::kInvalidField);
}

}  // namespace
}  // namespace amur::http

namespace amur::http {
namespace {

TEST(UrlOriginTest, SchemeHostAndPortAsBrowsersWriteThem) {
  EXPECT_EQ(UrlOrigin("https://News.Example/a/b?c#d"), "https://news.example");
  EXPECT_EQ(UrlOrigin("https://news.example:443/a"), "https://news.example");
  EXPECT_EQ(UrlOrigin("http://news.example:80"), "http://news.example");
  EXPECT_EQ(UrlOrigin("http://news.example:8080/x"), "http://news.example:8080");
  EXPECT_EQ(UrlOrigin("https://news.example:80/"), "https://news.example:80");
  EXPECT_EQ(UrlOrigin("news.example/a"), "");
  EXPECT_EQ(UrlOrigin("://x"), "");
}

}  // namespace
}  // namespace amur::http
