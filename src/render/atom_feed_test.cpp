#include "render/atom_feed.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace amur::render {
namespace {

constexpr TimeMs kAt = 1'795'000'000'000;  // 2026-11-18T...Z
constexpr const char* kUrl = "https://comments.example";

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

std::size_t Count(std::string_view haystack, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string_view::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

Page MakePage(std::string key) {
  Page p;
  p.id = 1;
  p.key = std::move(key);
  p.created_at = kAt - 1000;
  return p;
}

Comment MakeComment(CommentId id, std::string html, TimeMs at = kAt) {
  Comment c;
  c.id = id;
  c.page_id = 1;
  c.author_name = "Ann";
  c.author_email = "ann@secret.example";
  c.body_markdown = "markdown";
  c.body_html = std::move(html);
  c.created_at = at;
  return c;
}

TEST(XmlEscapeTest, EscapesMarkupSoEveryTerminatorStaysText) {
  EXPECT_EQ(XmlEscape("a & b < c > d \" e ' f"), "a &amp; b &lt; c &gt; d &quot; e &#39; f");
  EXPECT_EQ(XmlEscape("]]></content><script>x</script>"),
            "]]&gt;&lt;/content&gt;&lt;script&gt;x&lt;/script&gt;");
  EXPECT_EQ(XmlEscape("&amp;"), "&amp;amp;");
}

TEST(XmlEscapeTest, RemovesCharactersXml10ForbidsAndKeepsTabAndNewlines) {
  EXPECT_EQ(XmlEscape(std::string("a\0b", 3)), "ab");
  EXPECT_EQ(XmlEscape("\x01\x08\x0b\x0c\x1b\x1f"), "");
  EXPECT_EQ(XmlEscape("a\tb\nc\rd"), "a\tb\nc\rd");
  EXPECT_EQ(XmlEscape("del\x7f"), "del");
  EXPECT_EQ(XmlEscape("c1\xc2\x80\xc2\x9f"), "c1");              // U+0080, U+009F
  EXPECT_EQ(XmlEscape("nc\xef\xbf\xbe\xef\xbf\xbf"), "nc");      // U+FFFE, U+FFFF
  EXPECT_EQ(XmlEscape("\xc2\xa0\xe2\x98\x83 \xf0\x9d\x84\x9e"),  // NBSP, snowman, clef
            "\xc2\xa0\xe2\x98\x83 \xf0\x9d\x84\x9e");
}

TEST(XmlEscapeTest, ReplacesIllFormedUtf8ByteByByte) {
  const std::string fffd = "\xef\xbf\xbd";
  EXPECT_EQ(XmlEscape("a\xff"
                      "b"),
            "a" + fffd + "b");
  EXPECT_EQ(XmlEscape("\xc0\xaf"), fffd + fffd);                        // overlong '/'
  EXPECT_EQ(XmlEscape("\xed\xa0\x80"), fffd + fffd + fffd);             // a surrogate
  EXPECT_EQ(XmlEscape("end\xe2\x98"), "end" + fffd + fffd);             // truncated
  EXPECT_EQ(XmlEscape("\xf4\x90\x80\x80"), fffd + fffd + fffd + fffd);  // > U+10FFFF
}

TEST(AtomFeedTest, TagAuthorityIsTheLowerCasedHostOrLocalhost) {
  EXPECT_EQ(TagAuthority("https://Comments.Example:8443/base"), "comments.example");
  EXPECT_EQ(TagAuthority("http://user@host.example"), "host.example");
  EXPECT_EQ(TagAuthority("http://127.0.0.1:8080"), "127.0.0.1");
  EXPECT_EQ(TagAuthority("http://[::1]:8080"), "localhost");
  EXPECT_EQ(TagAuthority(""), "localhost");
}

TEST(AtomFeedTest, EntryIdsAreStableTagUrisOfTheCreationDay) {
  Comment c = MakeComment(42, "<p>x</p>");
  const std::string id = CommentEntryId(kUrl, c);
  EXPECT_EQ(id, "tag:comments.example,2026-11-18:amur/c42");
  c.edited_at = kAt + 400LL * 24 * 3600 * 1000;  // edited a year later
  c.body_html = "<p>changed</p>";
  c.author_name = "Renamed";
  EXPECT_EQ(CommentEntryId(kUrl, c), id);
  EXPECT_EQ(CommentEntryId("", c), "tag:localhost,2026-11-18:amur/c42");
}

TEST(AtomFeedTest, LinksGoToTheArticleAnchorElseTheThreadPage) {
  Page p = MakePage("/a b&c");
  EXPECT_EQ(CommentLink(kUrl, p, 7), "https://comments.example/t?page=%2Fa%20b%26c#c7");
  EXPECT_EQ(PageLink(kUrl, p), "https://comments.example/t?page=%2Fa%20b%26c");
  EXPECT_EQ(CommentLink("", p, 7), "/t?page=%2Fa%20b%26c#c7");
  p.url = "https://blog.example/post?x=1#top";
  EXPECT_EQ(CommentLink(kUrl, p, 7), "https://blog.example/post?x=1#amur-c7");
  EXPECT_EQ(PageLink(kUrl, p), "https://blog.example/post?x=1#top");
  const Page demo = MakePage("/demo");
  EXPECT_EQ(CommentLink(kUrl, demo, 3), "https://comments.example/demo#c3");
  EXPECT_EQ(PageFeedPath("/a b"), "/feeds/comments.atom?page=%2Fa%20b");
}

TEST(AtomFeedTest, PageFeedHasTheRequiredElementsAndOneEntryPerComment) {
  Page p = MakePage("/post");
  p.title = "Aigun & Peking";
  const std::vector<Comment> cs = {MakeComment(9, "<p>newer</p>", kAt + 5000),
                                   MakeComment(8, "<p>older</p>", kAt)};
  const std::string xml = RenderPageFeed(kUrl, p, cs);
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed "
                      "xmlns=\"http://www.w3.org/2005/Atom\">",
                      0),
            0u);
  EXPECT_TRUE(Contains(xml, "<id>tag:comments.example,2026-11-18:amur/page/%2Fpost</id>"));
  EXPECT_TRUE(Contains(xml, "<title>Comments on Aigun &amp; Peking</title>"));
  // The feed is as new as its newest entry.
  EXPECT_TRUE(Contains(xml, "  <updated>" + FormatRfc3339Ms(kAt + 5000) + "</updated>"));
  EXPECT_TRUE(Contains(xml,
                       "<link rel=\"self\" type=\"application/atom+xml\" "
                       "href=\"https://comments.example/feeds/comments.atom?page=%2Fpost\"/>"));
  EXPECT_TRUE(Contains(xml,
                       "<link rel=\"alternate\" type=\"text/html\" "
                       "href=\"https://comments.example/t?page=%2Fpost\"/>"));
  EXPECT_EQ(Count(xml, "<entry>"), 2u);
  EXPECT_EQ(Count(xml, "</entry>"), 2u);
  EXPECT_EQ(Count(xml, "<id>"), 3u);
  EXPECT_EQ(Count(xml, "<author>"), 2u);
  EXPECT_LT(xml.find("amur/c9"), xml.find("amur/c8"));  // newest first
  EXPECT_TRUE(Contains(xml, "<title>Ann on Aigun &amp; Peking</title>"));
  EXPECT_TRUE(Contains(xml, "<published>2026-11-18T"));
  EXPECT_TRUE(Contains(xml, "<content type=\"html\">&lt;p&gt;newer&lt;/p&gt;</content>"));
  EXPECT_TRUE(Contains(xml, "href=\"https://comments.example/t?page=%2Fpost#c9\""));
  EXPECT_FALSE(Contains(xml, "secret.example"));  // never the email
  EXPECT_TRUE(xml.ends_with("</feed>\n"));
}

TEST(AtomFeedTest, EmptyPageFeedIsAsOldAsThePage) {
  const Page p = MakePage("/quiet");
  const std::string xml = RenderPageFeed(kUrl, p, {});
  EXPECT_EQ(Count(xml, "<entry>"), 0u);
  EXPECT_TRUE(Contains(xml, "<updated>" + FormatRfc3339Ms(p.created_at) + "</updated>"));
  EXPECT_TRUE(Contains(xml, "<title>Comments on /quiet</title>"));
}

TEST(AtomFeedTest, EditedCommentIsUpdatedWhenEditedAndPublishedWhenMade) {
  const Page p = MakePage("/e");
  Comment c = MakeComment(1, "<p>x</p>", kAt);
  c.edited_at = kAt + 60'000;
  const std::string xml = RenderPageFeed(kUrl, p, {c});
  EXPECT_TRUE(Contains(xml, "<published>" + FormatRfc3339Ms(kAt) + "</published>"));
  EXPECT_TRUE(Contains(xml, "    <updated>" + FormatRfc3339Ms(kAt + 60'000) + "</updated>"));
}

TEST(AtomFeedTest, HostileTextStaysTextEverywhere) {
  Page p = MakePage("/p]]></id><x>");
  p.title = std::string("T\x01itle </title><script>alert(1)</script>");
  Comment c = MakeComment(5, "<p>]]></content><script>alert(2)</script>\x0b</p>");
  c.author_name = std::string("Eve</name>\x1b&");
  const std::string xml = RenderPageFeed(kUrl, p, {c});
  EXPECT_FALSE(Contains(xml, "<script"));
  EXPECT_FALSE(Contains(xml, "]]>"));
  EXPECT_FALSE(Contains(xml, "<x>"));
  EXPECT_EQ(Count(xml, "</content>"), 1u);
  EXPECT_EQ(Count(xml, "</name>"), 1u);
  EXPECT_TRUE(Contains(xml, "<name>Eve&lt;/name&gt;&amp;</name>"));
  for (char ch : xml) {
    const auto b = static_cast<unsigned char>(ch);
    EXPECT_TRUE(b >= 0x20 || b == '\n' || b == '\t' || b == '\r') << "control byte " << int(b);
  }
}

TEST(AtomFeedTest, GuestWithoutNameIsGuest) {
  const Page p = MakePage("/g");
  Comment c = MakeComment(2, "<p>x</p>");
  c.author_name = std::nullopt;
  const std::string xml = RenderPageFeed(kUrl, p, {c});
  EXPECT_TRUE(Contains(xml, "<name>Guest</name>"));
  EXPECT_TRUE(Contains(xml, "<title>Guest on /g</title>"));
}

TEST(AtomFeedTest, FeedsHoldAtMostTheNewestEntries) {
  const Page p = MakePage("/many");
  std::vector<Comment> cs;
  for (int i = 0; i < kFeedEntries + 5; ++i) cs.push_back(MakeComment(1000 - i, "<p>x</p>"));
  EXPECT_EQ(Count(RenderPageFeed(kUrl, p, cs), "<entry>"), static_cast<std::size_t>(kFeedEntries));
}

TEST(AtomFeedTest, RecentFeedNamesEachEntrysPage) {
  Page a = MakePage("/a");
  a.title = "Article A";
  Page b = MakePage("/b");
  b.id = 2;
  b.url = "https://blog.example/b";
  const Comment ca = MakeComment(4, "<p>on a</p>", kAt + 10);
  Comment cb = MakeComment(3, "<p>on b</p>", kAt);
  cb.page_id = 2;
  const std::string xml = RenderRecentFeed(kUrl, {{&ca, &a}, {&cb, &b}});
  EXPECT_TRUE(Contains(xml, "<id>tag:comments.example,2026:amur/recent</id>"));
  EXPECT_TRUE(Contains(xml, "<title>Recent comments</title>"));
  EXPECT_TRUE(Contains(xml, "href=\"https://comments.example/feeds/recent.atom\""));
  EXPECT_TRUE(Contains(xml, "<title>Ann on Article A</title>"));
  EXPECT_TRUE(Contains(xml, "<title>Ann on /b</title>"));
  EXPECT_TRUE(Contains(xml, "href=\"https://blog.example/b#amur-c3\""));
  EXPECT_TRUE(Contains(xml, "  <updated>" + FormatRfc3339Ms(kAt + 10) + "</updated>"));
  const std::string empty = RenderRecentFeed(kUrl, {});
  EXPECT_TRUE(Contains(empty, "<updated>1970-01-01T00:00:00.000Z</updated>"));
  EXPECT_EQ(Count(empty, "<entry>"), 0u);
}

}  // namespace
}  // namespace amur::render
