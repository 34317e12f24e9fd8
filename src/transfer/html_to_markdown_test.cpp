#include "transfer/html_to_markdown.hpp"

#include <gtest/gtest.h>

#include "render/markdown.hpp"

namespace amur::transfer {
namespace {

std::string Wp(std::string_view html) { return HtmlToMarkdown(html, Newlines::kBreaks); }
std::string Dsq(std::string_view html) { return HtmlToMarkdown(html, Newlines::kWhiteSpace); }

TEST(HtmlToMarkdown, WordPressNewlinesBecomeParagraphsAndBreaks) {
  EXPECT_EQ(Wp("one\n\ntwo\nthree"), "one\n\ntwo\\\nthree");
  EXPECT_EQ(render::MarkdownToSafeHtml(Wp("one\n\ntwo\nthree")),
            "<p>one</p>\n<p>two<br>\nthree</p>\n");
}

TEST(HtmlToMarkdown, DisqusParagraphsAndLinksKept) {
  const std::string md =
      Dsq("<p>See <a href=\"https://river.example.org/g?a=1&amp;b=2\" rel=\"nofollow\">the "
          "gauges</a>.</p>\n<p>Second</p>");
  EXPECT_EQ(md, "See [the gauges](https://river.example.org/g?a=1&b=2).\n\nSecond");
  EXPECT_EQ(render::MarkdownToSafeHtml(md),
            "<p>See <a href=\"https://river.example.org/g?a=1&amp;b=2\" rel=\"nofollow ugc "
            "noopener\">the gauges</a>.</p>\n<p>Second</p>\n");
}

TEST(HtmlToMarkdown, MarkdownSyntaxInTextIsEscaped) {
  const std::string md = Wp("2 * 3 = 6, _x_ [y] <b>not bold</b> `z` # no heading &amp;amp;");
  EXPECT_EQ(render::MarkdownToSafeHtml(md),
            "<p>2 * 3 = 6, _x_ [y] <strong>not bold</strong> `z` # no heading &amp;amp;</p>\n");
  EXPECT_EQ(render::MarkdownToSafeHtml(Wp("# not a heading\n- not a list\n1. not a list")),
            "<p># not a heading<br>\n- not a list<br>\n1. not a list</p>\n");
}

TEST(HtmlToMarkdown, EmphasisCodeQuotesAndLists) {
  EXPECT_EQ(Dsq("<em>a</em> <strong>b</strong> <code>x_y</code> <del>c</del>"),
            "*a* **b** `x_y` ~~c~~");
  EXPECT_EQ(Dsq("<blockquote><p>quoted</p></blockquote><p>after</p>"), "> quoted\n\nafter");
  EXPECT_EQ(render::MarkdownToSafeHtml(Dsq("<ul><li>one</li><li>two</li></ul>")),
            "<ul>\n<li>\n<p>one</p>\n</li>\n<li>\n<p>two</p>\n</li>\n</ul>\n");
  EXPECT_EQ(Dsq("<pre>int a_b = 1;\n  x * y</pre>"), "```\nint a_b = 1;\n  x * y\n```");
}

TEST(HtmlToMarkdown, UnsafeLinksScriptsAndUnknownTagsLeaveOnlyText) {
  EXPECT_EQ(Dsq("<a href=\"javascript:alert(1)\">click</a>"), "click");
  EXPECT_EQ(Dsq("a<script>alert(1)</script>b<style>p{}</style>c"), "abc");
  EXPECT_EQ(Dsq("<span class=x>in</span><font>side</font>"), "inside");
  EXPECT_EQ(Dsq("<!-- hidden -->shown"), "shown");
  EXPECT_EQ(Dsq("a < b and c > d"), "a \\< b and c > d");
}

TEST(HtmlToMarkdown, BareUrlsAreNotEscaped) {
  EXPECT_EQ(Wp("see https://example.org/a_b_c for more"), "see https://example.org/a_b_c for more");
}

TEST(HtmlToMarkdown, EntitiesAreDecoded) {
  EXPECT_EQ(DecodeHtmlEntities("&amp;&lt;&#8217;&#x2019;&hellip;&unknown;"),
            "&<\u2019\u2019\u2026&unknown;");
}

}  // namespace
}  // namespace amur::transfer
