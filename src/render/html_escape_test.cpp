#include "render/html_escape.hpp"

#include <gtest/gtest.h>

#include <string>

namespace amur::render {
namespace {

TEST(RenderHtmlEscapeTest, EscapesTheFiveSpecialCharacters) {
  EXPECT_EQ(Escape("&"), "&amp;");
  EXPECT_EQ(Escape("<"), "&lt;");
  EXPECT_EQ(Escape(">"), "&gt;");
  EXPECT_EQ(Escape("\""), "&quot;");
  EXPECT_EQ(Escape("'"), "&#39;");
  EXPECT_EQ(
      Escape("<a href=\"x\" title='y'>&amp;</a>"),
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;");
}

TEST(RenderHtmlEscapeTest, LeavesOtherTextAlone) {
  EXPECT_EQ(Escape(""), "");
  EXPECT_EQ(Escape("plain text, 100% fine; a=b / c\n\t"),
            "plain text, 100% fine; a=b / c\n\t");
  EXPECT_EQ(Escape("Grüße — 日本語 🙂"), "Grüße — 日本語 🙂");
}

TEST(RenderHtmlEscapeTest, KeepsEmbeddedNulBytes) {
  const std::string in("a\0<b", 4);
  EXPECT_EQ(Escape(in), std::string("a\0&lt;b", 7));
}

TEST(RenderHtmlEscapeTest, AppendEscapedAppendsToExistingOutput) {
  std::string out = "<p>";
  AppendEscaped(out, "1 < 2");
  AppendEscaped(out, "");
  out += "</p>";
  EXPECT_EQ(out, "<p>1 &lt; 2</p>");
}

TEST(RenderUrlEncodeTest, KeepsUnreservedCharacters) {
  EXPECT_EQ(UrlEncode(""), "");
  EXPECT_EQ(UrlEncode("AZaz09-._~"), "AZaz09-._~");
}

TEST(RenderUrlEncodeTest, PercentEncodesEverythingElse) {
  EXPECT_EQ(UrlEncode("a b"), "a%20b");
  EXPECT_EQ(UrlEncode("a+b"), "a%2Bb");
  EXPECT_EQ(UrlEncode("k=v&x/y?z#f"), "k%3Dv%26x%2Fy%3Fz%23f");
  EXPECT_EQ(UrlEncode("\"<'>%"), "%22%3C%27%3E%25");
  EXPECT_EQ(UrlEncode(std::string("\0\n\x7f", 3)), "%00%0A%7F");
}

TEST(RenderUrlEncodeTest, EncodesUtf8BytesWithUppercaseHex) {
  EXPECT_EQ(UrlEncode("é"), "%C3%A9");
  EXPECT_EQ(UrlEncode("🙂"), "%F0%9F%99%82");
}

}  // namespace
}  // namespace amur::render
