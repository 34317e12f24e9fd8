#include "render/markdown.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/text.hpp"

namespace amur::render {
namespace {

constexpr const char kRel[] = "rel=\"nofollow ugc noopener\"";

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return out;
}

bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle) {
  return Lower(haystack).find(Lower(needle)) != std::string::npos;
}

// True when every '&' at `pos` of `s` starts one of the entities the renderer
// writes.
bool IsKnownEntityAt(std::string_view s, std::size_t pos) {
  for (std::string_view e : {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"}) {
    if (s.substr(pos, e.size()) == e) return true;
  }
  return false;
}

struct Attribute {
  std::string tag;
  std::string name;
  std::string value;  // as written, entities not decoded
};

// A small checker of the renderer's output: a sequence of text and tags.
// Text holds no raw '<', '>', '"' or '\'' and only the five known entities;
// tags are from an allowlist, with allowlisted, double-quoted attributes; an
// href is http, https or mailto with no white space. Returns "" when the HTML
// passes, else what is wrong; appends every attribute seen to `attributes`
// when given.
std::string CheckSafeHtml(std::string_view html,
                          std::vector<Attribute>* attributes = nullptr) {
  static const std::map<std::string, std::set<std::string>> kAllowed = {
      {"p", {}},
      {"em", {}},
      {"strong", {}},
      {"del", {}},
      {"code", {"class"}},
      {"pre", {}},
      {"blockquote", {}},
      {"ul", {}},
      {"ol", {"start"}},
      {"li", {}},
      {"hr", {}},
      {"br", {}},
      {"h1", {}},
      {"h2", {}},
      {"h3", {}},
      {"h4", {}},
      {"h5", {}},
      {"h6", {}},
      {"a", {"href", "rel", "title"}},
  };
  std::size_t i = 0;
  while (i < html.size()) {
    const char c = html[i];
    if (c == '>' || c == '"' || c == '\'') {
      return "raw " + std::string(1, c) + " in text at " + std::to_string(i);
    }
    if (c == '&' && !IsKnownEntityAt(html, i)) {
      return "unknown entity in text at " + std::to_string(i);
    }
    if (c != '<') {
      ++i;
      continue;
    }
    std::size_t j = i + 1;
    if (j < html.size() && html[j] == '/') ++j;
    const std::size_t name_start = j;
    while (j < html.size() && ((html[j] >= 'a' && html[j] <= 'z') ||
                               (html[j] >= '0' && html[j] <= '9'))) {
      ++j;
    }
    const std::string name(html.substr(name_start, j - name_start));
    const auto allowed = kAllowed.find(name);
    if (allowed == kAllowed.end()) return "tag <" + name + "> not allowed";
    while (j < html.size() && html[j] == ' ') {
      ++j;
      const std::size_t attr_start = j;
      while (j < html.size() && html[j] >= 'a' && html[j] <= 'z') ++j;
      const std::string attr(html.substr(attr_start, j - attr_start));
      if (allowed->second.count(attr) == 0) {
        return "attribute " + attr + " not allowed on <" + name + ">";
      }
      if (html.substr(j, 2) != "=\"") return "unquoted attribute " + attr;
      j += 2;
      const std::size_t value_start = j;
      while (j < html.size() && html[j] != '"') {
        if (html[j] == '<' || html[j] == '>' || html[j] == '\'') {
          return "raw bracket or quote in attribute " + attr;
        }
        if (html[j] == '&' && !IsKnownEntityAt(html, j)) {
          return "unknown entity in attribute " + attr;
        }
        ++j;
      }
      if (j == html.size()) return "unterminated attribute " + attr;
      const std::string_view value = html.substr(value_start, j - value_start);
      if (attr == "href" && value.substr(0, 7) != "http://" &&
          value.substr(0, 8) != "https://" && value.substr(0, 7) != "mailto:") {
        return "href not http, https or mailto: " + std::string(value);
      }
      if (attr == "href" &&
          value.find_first_of(" \t\n\r\f\v") != std::string_view::npos) {
        return "white space in href";
      }
      if (attributes != nullptr) {
        attributes->push_back({name, attr, std::string(value)});
      }
      ++j;  // closing quote
    }
    if (j >= html.size() || html[j] != '>') return "malformed tag <" + name;
    i = j + 1;
  }
  return "";
}

// True when an attribute name, or the value of an attribute that can act
// (anything but a title, which is only ever shown as text), contains
// `needle`, ignoring case.
bool AttributesMention(const std::vector<Attribute>& attributes,
                       std::string_view needle) {
  for (const Attribute& a : attributes) {
    if (ContainsIgnoreCase(a.name, needle)) return true;
    if (a.name != "title" && ContainsIgnoreCase(a.value, needle)) return true;
  }
  return false;
}

// The text a reader sees: tags removed, the five entities decoded.
std::string VisibleText(std::string_view html) {
  std::string out;
  std::size_t i = 0;
  while (i < html.size()) {
    if (html[i] == '<') {
      i = html.find('>', i);
      if (i == std::string_view::npos) break;
      ++i;
      continue;
    }
    if (html[i] == '&') {
      bool decoded = false;
      for (auto [entity, ch] : {std::pair<std::string_view, char>{"&amp;", '&'},
                                {"&lt;", '<'},
                                {"&gt;", '>'},
                                {"&quot;", '"'},
                                {"&#39;", '\''}}) {
        if (html.substr(i, entity.size()) == entity) {
          out += ch;
          i += entity.size();
          decoded = true;
          break;
        }
      }
      if (decoded) continue;
    }
    out += html[i++];
  }
  return out;
}

std::size_t CountOf(std::string_view haystack, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t i = haystack.find(needle); i != std::string_view::npos;
       i = haystack.find(needle, i + needle.size())) {
    ++n;
  }
  return n;
}

std::string Link(std::string_view href, std::string_view text) {
  return "<a href=\"" + std::string(href) + "\" " + kRel + ">" +
         std::string(text) + "</a>";
}

TEST(MarkdownSafeHtmlCheckerTest, RejectsWhatItShould) {
  EXPECT_EQ(CheckSafeHtml("<p>a &amp; b</p>\n"), "");
  EXPECT_NE(CheckSafeHtml("<script>x</script>"), "");
  EXPECT_NE(CheckSafeHtml("<img src=\"x\">"), "");
  EXPECT_NE(CheckSafeHtml("<a href=\"javascript:x\">y</a>"), "");
  EXPECT_NE(CheckSafeHtml("<a href=\"https://x\" onclick=\"y\">z</a>"), "");
  EXPECT_NE(CheckSafeHtml("<p>&#106;</p>"), "");
  EXPECT_NE(CheckSafeHtml("<p>a\"b</p>"), "");
  EXPECT_EQ(VisibleText("<p>&lt;b&gt; &amp;amp;</p>"), "<b> &amp;");
}

TEST(MarkdownTest, EmptyInputGivesEmptyOutput) {
  EXPECT_EQ(MarkdownToSafeHtml(""), "");
  EXPECT_EQ(MarkdownToSafeHtml("   \n\n  \n"), "");
}

TEST(MarkdownTest, Paragraphs) {
  EXPECT_EQ(MarkdownToSafeHtml("Hello, world."), "<p>Hello, world.</p>\n");
  EXPECT_EQ(MarkdownToSafeHtml("one\n\ntwo\n"), "<p>one</p>\n<p>two</p>\n");
}

TEST(MarkdownTest, SoftAndHardBreaks) {
  EXPECT_EQ(MarkdownToSafeHtml("a\nb"), "<p>a\nb</p>\n");
  EXPECT_EQ(MarkdownToSafeHtml("a  \nb"), "<p>a<br>\nb</p>\n");
  EXPECT_EQ(MarkdownToSafeHtml("a\\\nb"), "<p>a<br>\nb</p>\n");
}

TEST(MarkdownTest, Emphasis) {
  EXPECT_EQ(MarkdownToSafeHtml("*a* _b_ **c** __d__ ***e***"),
            "<p><em>a</em> <em>b</em> <strong>c</strong> <strong>d</strong> "
            "<em><strong>e</strong></em></p>\n");
}

TEST(MarkdownTest, TextIsEscaped) {
  EXPECT_EQ(MarkdownToSafeHtml("AT&T says 1 < 2 > 0 \"quoted\" 'single'"),
            "<p>AT&amp;T says 1 &lt; 2 &gt; 0 &quot;quoted&quot; "
            "&#39;single&#39;</p>\n");
}

TEST(MarkdownTest, EntitiesAreDecodedThenEscaped) {
  EXPECT_EQ(MarkdownToSafeHtml("&lt;b&gt; &amp; &copy; &#106;"),
            "<p>&lt;b&gt; &amp; © j</p>\n");
}

TEST(MarkdownTest, InlineCode) {
  EXPECT_EQ(MarkdownToSafeHtml("use `a<b && c` here"),
            "<p>use <code>a&lt;b &amp;&amp; c</code> here</p>\n");
  EXPECT_EQ(MarkdownToSafeHtml("`` `x` ``"), "<p><code>`x`</code></p>\n");
}

TEST(MarkdownTest, CodeBlocks) {
  EXPECT_EQ(MarkdownToSafeHtml("```\nif (a < b) {}\n```"),
            "<pre><code>if (a &lt; b) {}\n</code></pre>\n");
  EXPECT_EQ(MarkdownToSafeHtml("```cpp extra\nint x;\n```"),
            "<pre><code class=\"language-cpp\">int x;\n</code></pre>\n");
  EXPECT_EQ(MarkdownToSafeHtml("    indented <code>\n"),
            "<pre><code>indented &lt;code&gt;\n</code></pre>\n");
}

TEST(MarkdownTest, FenceInfoCannotBreakOutOfTheClassAttribute) {
  const std::string out = MarkdownToSafeHtml("```js\"><script>\nx\n```");
  EXPECT_EQ(out,
            "<pre><code class=\"language-js&quot;&gt;&lt;script&gt;\">x\n"
            "</code></pre>\n");
  EXPECT_EQ(CheckSafeHtml(out), "");
}

TEST(MarkdownTest, Lists) {
  EXPECT_EQ(MarkdownToSafeHtml("- a\n- b\n"),
            "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n");
  EXPECT_EQ(MarkdownToSafeHtml("1. a\n2. b\n"),
            "<ol>\n<li>a</li>\n<li>b</li>\n</ol>\n");
  EXPECT_EQ(MarkdownToSafeHtml("3) a\n4) b\n"),
            "<ol start=\"3\">\n<li>a</li>\n<li>b</li>\n</ol>\n");
  EXPECT_EQ(MarkdownToSafeHtml("- a\n\n- b\n"),
            "<ul>\n<li>\n<p>a</p>\n</li>\n<li>\n<p>b</p>\n</li>\n</ul>\n");
  EXPECT_EQ(MarkdownToSafeHtml("- a\n  - b\n"),
            "<ul>\n<li>a\n<ul>\n<li>b</li>\n</ul>\n</li>\n</ul>\n");
}

TEST(MarkdownTest, Blockquotes) {
  EXPECT_EQ(MarkdownToSafeHtml("> quoted\n> more\n\nafter"),
            "<blockquote>\n<p>quoted\nmore</p>\n</blockquote>\n<p>after</p>\n");
  EXPECT_EQ(MarkdownToSafeHtml("> > inner"),
            "<blockquote>\n<blockquote>\n<p>inner</p>\n</blockquote>\n"
            "</blockquote>\n");
}

TEST(MarkdownTest, HeadingsAndRules) {
  EXPECT_EQ(MarkdownToSafeHtml("# One\n\n### Three\n\n---\n\nx"),
            "<h1>One</h1>\n<h3>Three</h3>\n<hr>\n<p>x</p>\n");
  EXPECT_EQ(MarkdownToSafeHtml("Two\n==="), "<h1>Two</h1>\n");
}

TEST(MarkdownTest, Strikethrough) {
  EXPECT_EQ(MarkdownToSafeHtml("~~gone~~ stays"),
            "<p><del>gone</del> stays</p>\n");
  // Single tildes are prose ("~5 to ~10"), not markup.
  EXPECT_EQ(MarkdownToSafeHtml("~5 to ~10~"), "<p>~5 to ~10~</p>\n");
}

TEST(MarkdownTest, Autolinks) {
  EXPECT_EQ(MarkdownToSafeHtml("see https://example.com now"),
            "<p>see " + Link("https://example.com", "https://example.com") +
                " now</p>\n");
  EXPECT_EQ(MarkdownToSafeHtml("www.example.org/a?b=1&c=2"),
            "<p>" +
                Link("http://www.example.org/a?b=1&amp;c=2",
                     "www.example.org/a?b=1&amp;c=2") +
                "</p>\n");
  EXPECT_EQ(
      MarkdownToSafeHtml("mail me@example.com"),
      "<p>mail " + Link("mailto:me@example.com", "me@example.com") + "</p>\n");
  EXPECT_EQ(MarkdownToSafeHtml("<https://example.com/x>"),
            "<p>" + Link("https://example.com/x", "https://example.com/x") +
                "</p>\n");
}

TEST(MarkdownTest, InlineAndReferenceLinks) {
  EXPECT_EQ(
      MarkdownToSafeHtml("[the *site*](https://example.com/p)"),
      "<p>" + Link("https://example.com/p", "the <em>site</em>") + "</p>\n");
  EXPECT_EQ(MarkdownToSafeHtml("[a][r]\n\n[r]: http://example.com/r"),
            "<p>" + Link("http://example.com/r", "a") + "</p>\n");
  EXPECT_EQ(MarkdownToSafeHtml("[m](mailto:me@example.com)"),
            "<p>" + Link("mailto:me@example.com", "m") + "</p>\n");
}

TEST(MarkdownTest, LinkTitlesAreEscaped) {
  EXPECT_EQ(MarkdownToSafeHtml("[x](https://a.com \"t<\\\"&'\")"),
            "<p><a href=\"https://a.com\" title=\"t&lt;&quot;&amp;&#39;\" " +
                std::string(kRel) + ">x</a></p>\n");
}

TEST(MarkdownTest, UppercaseAllowedSchemesAreNormalised) {
  EXPECT_EQ(MarkdownToSafeHtml("[x](HTTPS://Example.com/A)"),
            "<p>" + Link("https://Example.com/A", "x") + "</p>\n");
  EXPECT_EQ(MarkdownToSafeHtml("[x](MailTo:a@b.c)"),
            "<p>" + Link("mailto:a@b.c", "x") + "</p>\n");
}

TEST(MarkdownTest, HrefsArePercentEncoded) {
  EXPECT_EQ(MarkdownToSafeHtml("[q](<https://e.com/a b\"c'd\\<e>)"),
            "<p>" + Link("https://e.com/a%20b%22c%27d%3Ce", "q") + "</p>\n");
  EXPECT_EQ(MarkdownToSafeHtml("[q](https://e.com/é)"),
            "<p>" + Link("https://e.com/%C3%A9", "q") + "</p>\n");
  EXPECT_EQ(MarkdownToSafeHtml("[q](https://e.com/?a=%20)"),
            "<p>" + Link("https://e.com/?a=%20", "q") + "</p>\n");
  // Square brackets as cmark encodes them (CommonMark spec examples 526, 603).
  EXPECT_EQ(MarkdownToSafeHtml("<https://e.com/?q=[a]>"),
            "<p>" + Link("https://e.com/?q=%5Ba%5D", "https://e.com/?q=[a]") + "</p>\n");
}

struct DroppedLink {
  const char* markdown;
  const char* html;
};

class MarkdownDisallowedLinkTest
    : public ::testing::TestWithParam<DroppedLink> {};

TEST_P(MarkdownDisallowedLinkTest, LinkIsDroppedAndTextKept) {
  const std::string out = MarkdownToSafeHtml(GetParam().markdown);
  EXPECT_EQ(out, GetParam().html);
  EXPECT_EQ(out.find("<a"), std::string::npos);
  EXPECT_EQ(CheckSafeHtml(out), "");
}

INSTANTIATE_TEST_SUITE_P(
    Schemes, MarkdownDisallowedLinkTest,
    ::testing::Values(
        DroppedLink{"[x](javascript:alert(1))", "<p>x</p>\n"},
        DroppedLink{"[x](JAVASCRIPT:alert(1))", "<p>x</p>\n"},
        DroppedLink{"[x](JavaScript:alert(1))", "<p>x</p>\n"},
        DroppedLink{"[x]( javascript:alert(1))", "<p>x</p>\n"},
        DroppedLink{"[x](<javascript:alert(1)>)", "<p>x</p>\n"},
        DroppedLink{"[x](&#106;avascript:alert(1))", "<p>x</p>\n"},
        DroppedLink{"[x](&#x6A;avascript&colon;alert(1))", "<p>x</p>\n"},
        DroppedLink{"[x](java&#09;script:alert(1))", "<p>x</p>\n"},
        DroppedLink{"[x](<java\tscript:alert(1)>)", "<p>x</p>\n"},
        DroppedLink{"[x](%6Aavascript:alert(1))", "<p>x</p>\n"},
        DroppedLink{"[x](vbscript:msgbox(1))", "<p>x</p>\n"},
        DroppedLink{"[x](data:text/html;base64,PHNjcmlwdD4=)", "<p>x</p>\n"},
        DroppedLink{"[x](file:///etc/passwd)", "<p>x</p>\n"},
        DroppedLink{"[x](ftp://example.com/)", "<p>x</p>\n"},
        DroppedLink{"[x](//evil.example/)", "<p>x</p>\n"},
        DroppedLink{"[x](/relative/path)", "<p>x</p>\n"},
        DroppedLink{"[x](relative)", "<p>x</p>\n"},
        DroppedLink{"[x](#fragment)", "<p>x</p>\n"},
        DroppedLink{"[x](https:evil.example)", "<p>x</p>\n"},
        DroppedLink{"[x](https://)", "<p>x</p>\n"},
        DroppedLink{"[x](mailto:)", "<p>x</p>\n"},
        DroppedLink{"[x]()", "<p>x</p>\n"},
        DroppedLink{"[*x*](javascript:alert(1))", "<p><em>x</em></p>\n"},
        DroppedLink{"[r][ref]\n\n[ref]: javascript:alert(1)", "<p>r</p>\n"},
        DroppedLink{"<javascript:alert(1)>", "<p>javascript:alert(1)</p>\n"},
        DroppedLink{"<vbscript:msgbox>", "<p>vbscript:msgbox</p>\n"}));

TEST(MarkdownTest, ImagesBecomeLinksAndAreNeverLoaded) {
  EXPECT_EQ(MarkdownToSafeHtml("![a cat](https://e.com/cat.png)"),
            "<p>" + Link("https://e.com/cat.png", "a cat") + "</p>\n");
  EXPECT_EQ(MarkdownToSafeHtml("![](https://e.com/cat.png)"),
            "<p>" + Link("https://e.com/cat.png", "https://e.com/cat.png") +
                "</p>\n");
  EXPECT_EQ(MarkdownToSafeHtml("![*em* alt](https://e.com/x)"),
            "<p>" + Link("https://e.com/x", "<em>em</em> alt") + "</p>\n");
  EXPECT_EQ(MarkdownToSafeHtml("![a cat](javascript:alert(1))"),
            "<p>a cat</p>\n");
  EXPECT_EQ(MarkdownToSafeHtml("![a cat](cat.png)"), "<p>a cat</p>\n");
  EXPECT_EQ(MarkdownToSafeHtml("![](data:image/png;base64,AAAA)"), "<p></p>\n");
}

TEST(MarkdownTest, AnchorsNeverNest) {
  EXPECT_EQ(MarkdownToSafeHtml("[![badge](https://i.e/b.svg)](https://e.com)"),
            "<p>" + Link("https://e.com", "badge") + "</p>\n");
  EXPECT_EQ(MarkdownToSafeHtml("![see [x](https://a.e) here](https://b.e)"),
            "<p>" + Link("https://b.e", "see x here") + "</p>\n");
  EXPECT_EQ(MarkdownToSafeHtml("[see https://a.e here](https://b.e)"),
            "<p>" + Link("https://b.e", "see https://a.e here") + "</p>\n");
}

TEST(MarkdownTest, RawHtmlIsShownAsText) {
  EXPECT_EQ(MarkdownToSafeHtml("a <b>bold</b> c"),
            "<p>a &lt;b&gt;bold&lt;/b&gt; c</p>\n");
  EXPECT_EQ(MarkdownToSafeHtml("<div class=\"x\">\n*hi*\n</div>"),
            "<p>&lt;div class=&quot;x&quot;&gt;\n*hi*\n&lt;/div&gt;</p>\n");
  EXPECT_EQ(MarkdownToSafeHtml("<!-- note -->"),
            "<p>&lt;!-- note --&gt;</p>\n");
  EXPECT_EQ(MarkdownToSafeHtml("x <!-- note --> y"),
            "<p>x &lt;!-- note --&gt; y</p>\n");
  EXPECT_EQ(MarkdownToSafeHtml("- <script>alert(1)</script>"),
            "<ul>\n<li>\n<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n</li>\n"
            "</ul>\n");
}

TEST(MarkdownTest, EveryLinkCarriesRel) {
  const std::string out = MarkdownToSafeHtml(
      "https://a.e [b](http://b.e) <https://c.e> d@e.co ![f](https://f.e) "
      "www.g.e [h][h]\n\n[h]: https://h.e");
  EXPECT_EQ(CountOf(out, "<a "), 7u);
  EXPECT_EQ(CountOf(out, kRel), 7u);
  EXPECT_EQ(CheckSafeHtml(out), "");
}

struct Payload {
  const char* markdown;
  const char* visible;  // text the reader must still see
};

class MarkdownXssTest : public ::testing::TestWithParam<Payload> {};

TEST_P(MarkdownXssTest, OutputIsSafeAndTextStaysVisible) {
  const std::string out = MarkdownToSafeHtml(GetParam().markdown);
  std::vector<Attribute> attributes;
  EXPECT_EQ(CheckSafeHtml(out, &attributes), "") << out;
  for (std::string_view tag :
       {"<script", "<img", "<iframe", "<svg", "<style"}) {
    EXPECT_FALSE(ContainsIgnoreCase(out, tag)) << out;
  }
  for (std::string_view word :
       {"javascript:", "vbscript:", "data:", "style", "src"}) {
    EXPECT_FALSE(AttributesMention(attributes, word)) << word << " in " << out;
  }
  for (const Attribute& a : attributes) {
    EXPECT_NE(Lower(a.name).substr(0, 2), "on") << a.name << " in " << out;
  }
  EXPECT_NE(VisibleText(out).find(GetParam().visible), std::string::npos)
      << "visible: " << VisibleText(out);
}

INSTANTIATE_TEST_SUITE_P(
    Payloads, MarkdownXssTest,
    ::testing::Values(
        Payload{"<script>alert(1)</script>", "<script>alert(1)</script>"},
        Payload{"x <script>alert(1)</script> y", "<script>alert(1)</script>"},
        Payload{"<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
                "<SCRIPT SRC=//evil.example/x.js></SCRIPT>"},
        Payload{"<script>\n\nalert(1)\n\n</script>", "alert(1)"},
        Payload{"<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"},
        Payload{"hi <img src=x onerror=alert(1)//",
                "<img src=x onerror=alert(1)//"},
        Payload{"<svg onload=alert(1)>", "<svg onload=alert(1)>"},
        Payload{"<iframe src=\"javascript:alert(1)\"></iframe>",
                "<iframe src=\"javascript:alert(1)\"></iframe>"},
        Payload{"<a href=\"javascript:alert(1)\">click</a>",
                "<a href=\"javascript:alert(1)\">click</a>"},
        Payload{"<a href='jav&#x09;ascript:alert(1)'>x</a>",
                "<a href='jav&#x09;ascript:alert(1)'>x</a>"},
        Payload{"<div style=\"background:url(javascript:alert(1))\">",
                "<div style=\"background:url(javascript:alert(1))\">"},
        Payload{"<style>*{x:expression(alert(1))}</style>",
                "expression(alert(1))"},
        Payload{"<!-- <script>alert(1)</script> -->",
                "<script>alert(1)</script>"},
        Payload{"<![CDATA[<script>alert(1)</script>]]>",
                "<script>alert(1)</script>"},
        Payload{"<?php echo 1; ?>", "<?php echo 1; ?>"},
        Payload{"[click](javascript:alert(1))", "click"},
        Payload{"[click](JAVASCRIPT:alert(1))", "click"},
        Payload{"[click]( javascript:alert(1))", "click"},
        Payload{"[click](javascript&#58;alert(1))", "click"},
        Payload{"[click](&#106;avascript:alert(1))", "click"},
        Payload{"[click](&#0000106;&#0000097;vascript:alert(1))", "click"},
        Payload{"[click](\\javascript:alert(1))", "click"},
        Payload{"[click](javascript://%0aalert(1))", "click"},
        Payload{"[click](data:text/html,<script>alert(1)</script>)", "click"},
        Payload{"![x](javascript:alert(1))", "x"},
        Payload{"![x\"onerror=\"alert(1)](https://e.com/i.png)",
                "x\"onerror=\"alert(1)"},
        Payload{"[x](https://e.com/\"onmouseover=\"alert(1))", "x"},
        Payload{"[x](https://e.com/'onmouseover='alert(1))", "x"},
        Payload{"[x](<https://e.com/\" onclick=\"alert(1)>)", "x"},
        Payload{"[x](https://e.com \"a\\\" onclick=\\\"alert(1)\")", "x"},
        Payload{"[x](https://e.com 'a\" onclick=\"alert(1)')", "x"},
        Payload{"https://e.com/\"onmouseover=\"alert(1)", "https://e.com/"},
        Payload{"www.e.com/<script>alert(1)</script>",
                "<script>alert(1)</script>"},
        Payload{"<javascript:alert(1)>", "javascript:alert(1)"},
        Payload{"<JaVaScRiPt:alert(1)>", "JaVaScRiPt:alert(1)"},
        Payload{"<data:text/html;base64,PHNjcmlwdD4=>", "data:text/html"},
        Payload{"&lt;script&gt;alert(1)&lt;/script&gt;",
                "<script>alert(1)</script>"},
        Payload{"&#60;script&#62;alert(1)&#60;/script&#62;",
                "<script>alert(1)</script>"},
        Payload{"`<script>alert(1)</script>`", "<script>alert(1)</script>"},
        Payload{"```\n<script>alert(1)</script>\n```",
                "<script>alert(1)</script>"},
        Payload{"```<script>\nx\n```", "x"},
        Payload{"[a]: javascript:alert(1)\n\n[a]", "a"},
        Payload{"[x]: https://e.com/\"onclick=\"alert(1)\n\n[x]", "x"},
        Payload{"> <script>alert(1)</script>", "<script>alert(1)</script>"},
        Payload{"- [x](javascript:alert(1))\n- <b onmouseover=alert(1)>",
                "<b onmouseover=alert(1)>"},
        Payload{"**<img src=x onerror=alert(1)>**",
                "<img src=x onerror=alert(1)>"},
        Payload{"~~<script>~~", "<script>"},
        Payload{"\"><script>alert(1)</script>", "\"><script>alert(1)</script>"},
        Payload{"<a href=\"https://e.com\" onclick=\"alert(1)\">x</a>",
                "onclick=\"alert(1)\""}));

TEST(MarkdownHostileInputTest, DeepBlockquoteNesting) {
  // Capped at 16 levels (issue 12, finding 7), still balanced.
  const std::string out = MarkdownToSafeHtml(std::string(10000, '>'));
  EXPECT_EQ(CountOf(out, "<blockquote>"), 16u);
  EXPECT_EQ(CountOf(out, "</blockquote>"), 16u);
  EXPECT_EQ(CheckSafeHtml(out), "");
}

TEST(MarkdownHostileInputTest, DeepListNesting) {
  std::string in;
  for (int i = 0; i < 300; ++i) in += std::string(2 * i, ' ') + "- x\n";
  const std::string out = MarkdownToSafeHtml(in);
  EXPECT_EQ(CountOf(out, "<li>"), 16u) << "lists past 16 levels are flattened";
  EXPECT_EQ(CountOf(out, "</li>"), 16u);
  EXPECT_EQ(CountOf(out, "x"), 300u) << "their text stays";
  EXPECT_EQ(CheckSafeHtml(out), "");
}

TEST(MarkdownHostileInputTest, UnclosedBracketsStayText) {
  const std::string out = MarkdownToSafeHtml(std::string(10000, '['));
  EXPECT_EQ(out, "<p>" + std::string(10000, '[') + "</p>\n");
}

TEST(MarkdownHostileInputTest, ManyPathologicalPatternsAreFastAndSafe) {
  auto repeat = [](std::string_view unit) {
    std::string s;
    while (s.size() + unit.size() <= 10000) s += unit;
    return s;
  };
  const std::vector<std::string> inputs = {
      repeat(">"),
      repeat("["),
      repeat("!["),
      repeat("[a]("),
      repeat("*a"),
      repeat("_a "),
      repeat("*_"),
      repeat("a**b "),
      repeat("~~a"),
      repeat("`"),
      repeat("`a``"),
      repeat("<"),
      repeat("<a "),
      repeat("<!--"),
      repeat("<![CDATA["),
      repeat("&#"),
      repeat("\\"),
      repeat("- "),
      repeat("> - "),
      repeat("![[]()"),
      repeat("[!["),
      repeat("www."),
      repeat("www.a_"),
      repeat("a@"),
      repeat("a@a_"),
      repeat("http://a_"),
      repeat("[a]"),
      repeat("[a]: <"),
      repeat("*[a]("),
      repeat("("),
      repeat("1. "),
      repeat("    "),
      repeat("\n"),
      "[a](" + repeat("(") + ")",
      repeat("*") + "a" + repeat("*"),
      repeat("[a]") + "\n\n[a]: https://x.e",
  };
  for (const std::string& in : inputs) {
    const auto start = std::chrono::steady_clock::now();
    const std::string out = MarkdownToSafeHtml(in);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    // Generous: these take milliseconds, even under sanitizers; a quadratic
    // regression in a 10,000-character pattern shows up as seconds.
    EXPECT_LT(elapsed, std::chrono::seconds(2)) << in.substr(0, 20);
    EXPECT_EQ(CheckSafeHtml(out), "") << in.substr(0, 20);
  }
}

TEST(MarkdownHostileInputTest, InvalidUtf8AndNulAreReplaced) {
  const std::string in("a\0b \xff\xfe c \xc0\xaf d \xed\xa0\x80 e", 20);
  const std::string out = MarkdownToSafeHtml(in);
  EXPECT_EQ(out.find('\0'), std::string::npos);
  EXPECT_TRUE(IsValidUtf8(out));
  EXPECT_NE(out.find("\xEF\xBF\xBD"), std::string::npos);  // U+FFFD
  EXPECT_EQ(CheckSafeHtml(out), "");
}

TEST(MarkdownHostileInputTest, ControlCharactersInLinks) {
  for (char c = 1; c < 0x20; ++c) {
    for (const std::string& in :
         {"[x](<java" + std::string(1, c) + "script:alert(1)>)",
          "[x](<https://e.com/" + std::string(1, c) + ">)",
          std::string(1, c) + "<javascript:alert(1)>"}) {
      const std::string out = MarkdownToSafeHtml(in);
      std::vector<Attribute> attributes;
      EXPECT_EQ(CheckSafeHtml(out, &attributes), "") << static_cast<int>(c);
      EXPECT_FALSE(AttributesMention(attributes, "javascript"))
          << static_cast<int>(c);
    }
  }
}

// Issue 12, finding 7: 10,000 ">" rendered to 270 KB of <blockquote>.
TEST(MarkdownHostileInputTest, DeepNestingIsCappedAndStaysBalanced) {
  auto count = [](const std::string& html, const std::string& what) {
    std::size_t n = 0;
    for (auto p = html.find(what); p != std::string::npos; p = html.find(what, p + 1)) ++n;
    return n;
  };
  const std::string quotes = MarkdownToSafeHtml(std::string(10000, '>') + " deep");
  EXPECT_LT(quotes.size(), 1000u);
  EXPECT_EQ(count(quotes, "<blockquote>"), 16u);
  EXPECT_EQ(count(quotes, "</blockquote>"), 16u);
  EXPECT_NE(quotes.find("deep"), std::string::npos) << "the text itself is kept";

  std::string lists;
  for (int i = 0; i < 40; ++i)
    lists += std::string(static_cast<std::size_t>(i) * 2, ' ') + "- level\n";
  const std::string nested = MarkdownToSafeHtml(lists);
  EXPECT_EQ(count(nested, "<ul>"), count(nested, "</ul>"));
  EXPECT_LE(count(nested, "<ul>"), 16u);
  EXPECT_EQ(count(nested, "<li>"), count(nested, "</li>"));
  EXPECT_EQ(count(nested, "level"), 40u);

  // Shallow nesting renders as before.
  EXPECT_EQ(MarkdownToSafeHtml("> a\n>\n> > b"),
            "<blockquote>\n<p>a</p>\n<blockquote>\n<p>b</p>\n</blockquote>\n</blockquote>\n");
}

TEST(MarkdownConcurrencyTest, SafeFromManyThreads) {
  const std::string in =
      "*a* ~~b~~ https://e.com [c](javascript:x) <b>d</b>\n\n> e";
  const std::string expected = MarkdownToSafeHtml(in);
  std::vector<std::string> results(8);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) results[t] = MarkdownToSafeHtml(in);
    });
  }
  for (std::thread& th : threads) th.join();
  for (const std::string& r : results) EXPECT_EQ(r, expected);
}

}  // namespace
}  // namespace amur::render
