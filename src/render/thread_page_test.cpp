#include "render/thread_page.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "render/demo_article.hpp"

namespace amur::render {
namespace {

constexpr TimeMs kMinute = 60 * 1000;
constexpr TimeMs kDay = 24 * 60 * kMinute;
constexpr TimeMs kNow = 1'795'000'000'000;  // late 2026

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

std::size_t Count(std::string_view haystack, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t at = haystack.find(needle); at != std::string_view::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

// The widget's one script tag (every document loads /embed.js) removed, so
// that any other script stands out.
constexpr std::string_view kWidgetTag = "<script src=\"/embed.js\" async></script>";
std::string WithoutWidget(std::string doc) {
  const auto at = doc.find(kWidgetTag);
  if (at != std::string::npos) doc.erase(at, kWidgetTag.size());
  return doc;
}

CommentView MakeComment(std::string id, std::string name, std::string body_html) {
  CommentView c;
  c.id = std::move(id);
  c.author_name = std::move(name);
  c.body_html = std::move(body_html);
  c.created_at = kNow - 2 * 365 * kDay;
  return c;
}

ThreadView MakeView() {
  ThreadView v;
  v.page_key = "/2022/aigun-treaty";
  v.page_title = "The Aigun treaty";
  v.sort = "oldest";
  v.now = kNow;
  v.form.csrf_token = "tok123";
  v.base_path = ThreadPagePath(v.page_key);
  v.base_has_query = true;
  return v;
}

TEST(ThreadPageTest, CountHeadingIsSingularOnlyForOne) {
  ThreadView v = MakeView();
  v.comment_count = 0;
  EXPECT_TRUE(Contains(RenderThreadSection(v), ">0 Comments</h2>"));
  v.comment_count = 1;
  EXPECT_TRUE(Contains(RenderThreadSection(v), ">1 Comment</h2>"));
  v.comment_count = 23;
  EXPECT_TRUE(Contains(RenderThreadSection(v), ">23 Comments</h2>"));
}

TEST(ThreadPageTest, SectionIsLabelledAndAnchored) {
  const std::string html = RenderThreadSection(MakeView());
  EXPECT_EQ(
      html.rfind("<section class=\"amur-thread\" id=\"comments\" aria-labelledby=\"amur-count\" "
                 "data-amur-page=\"/2022/aigun-treaty\">",
                 0),
      0u);
  EXPECT_TRUE(Contains(html, "id=\"amur-count\""));
}

TEST(ThreadPageTest, IntegrityLine) {
  ThreadView v = MakeView();
  v.chain_verified = true;
  EXPECT_TRUE(Contains(RenderThreadSection(v), "hash: verified"));
  EXPECT_FALSE(Contains(RenderThreadSection(v), "hash: failed"));
  v.chain_verified = false;
  EXPECT_TRUE(Contains(RenderThreadSection(v), "hash: failed"));
  EXPECT_FALSE(Contains(RenderThreadSection(v), "hash: verified"));
}

TEST(ThreadPageTest, SortLinksMarkTheCurrentSort) {
  ThreadView v = MakeView();
  v.comment_count = 1;
  v.comments.push_back(MakeComment("c1", "Ann", "<p>Hi</p>"));
  v.sort = "votes";
  const std::string html = RenderThreadSection(v);
  EXPECT_TRUE(Contains(
      html, "href=\"/t?page=%2F2022%2Faigun-treaty&amp;sort=oldest#comments\">Oldest</a>"));
  EXPECT_TRUE(Contains(
      html, "href=\"/t?page=%2F2022%2Faigun-treaty&amp;sort=newest#comments\">Newest</a>"));
  EXPECT_TRUE(Contains(html,
                       "href=\"/t?page=%2F2022%2Faigun-treaty&amp;sort=votes#comments\" "
                       "aria-current=\"true\">Most Voted</a>"));
  EXPECT_EQ(Count(html, "aria-current"), 1u);
}

TEST(ThreadPageTest, UnknownSortFallsBackToOldestInLinks) {
  ThreadView v = MakeView();
  v.comments.push_back(MakeComment("c1", "Ann", "<p>Hi</p>"));
  v.sort = "\"><script>";
  const std::string html = RenderThreadSection(v);
  EXPECT_FALSE(Contains(html, "<script"));
  EXPECT_TRUE(Contains(html, "sort=oldest#comments\" aria-current=\"true\">Oldest</a>"));
}

TEST(ThreadPageTest, LinksWithoutQueryUseQuestionMark) {
  ThreadView v = MakeView();
  v.base_path = "/demo";
  v.base_has_query = false;
  v.comments.push_back(MakeComment("c7", "Ann", "<p>Hi</p>"));
  v.next_cursor = "abc";
  const std::string html = RenderThreadSection(v);
  EXPECT_TRUE(Contains(html, "href=\"/demo?sort=newest#comments\""));
  EXPECT_TRUE(Contains(html, "href=\"/demo?reply=c7&amp;sort=oldest#amur-form\""));
  EXPECT_TRUE(Contains(html, "href=\"/demo?sort=oldest&amp;cursor=abc#comments\""));
  EXPECT_TRUE(Contains(html, "name=\"return_to\" value=\"/demo\""));
}

TEST(ThreadPageTest, HostileAuthorNameIsEscaped) {
  ThreadView v = MakeView();
  v.comment_count = 1;
  CommentView c = MakeComment("c7", "<script>alert(1)</script>", "<p>fine</p>");
  c.edited_at = kNow - 5 * kMinute;
  c.edited_by = "<script>alert(2)</script>";
  v.comments.push_back(c);
  v.form.reply_to_id = "c7";
  v.form.reply_to_name = "<script>alert(3)</script>";
  const std::string html = RenderThreadSection(v);
  EXPECT_FALSE(Contains(html, "<script"));
  EXPECT_TRUE(Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_TRUE(Contains(html, "&lt;script&gt;alert(2)&lt;/script&gt;"));
  EXPECT_TRUE(Contains(html, "&lt;script&gt;alert(3)&lt;/script&gt;"));
}

TEST(ThreadPageTest, HostilePageKeyIsEscapedAndEncoded) {
  ThreadView v = MakeView();
  v.page_key = "/a\"><script>alert(1)</script>&b=1";
  v.page_title.reset();
  v.base_path = ThreadPagePath(v.page_key);
  v.comments.push_back(MakeComment("c1", "Ann", "<p>Hi</p>"));
  v.next_cursor = "x";
  const std::string doc = RenderThreadDocument(v);
  EXPECT_FALSE(Contains(WithoutWidget(doc), "<script"));
  EXPECT_TRUE(Contains(doc, "data-amur-page=\"/a&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;b=1\""));
  // The hidden field carries the key itself, escaped for the attribute.
  EXPECT_TRUE(Contains(doc,
                       "name=\"page\" value=\"/a&quot;&gt;&lt;script&gt;alert(1)&lt;/"
                       "script&gt;&amp;b=1\""));
  // Inside query strings the key is URL-encoded (then the & separators escaped).
  EXPECT_TRUE(Contains(doc,
                       "href=\"/t?page=%2Fa%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E%"
                       "26b%3D1&amp;sort=oldest&amp;cursor=x#comments\""));
  // The title and the header name the page by its key, escaped.
  EXPECT_TRUE(Contains(doc, "<title>/a&quot;&gt;&lt;script&gt;"));
  EXPECT_TRUE(Contains(doc, "<h1>/a&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;b=1</h1>"));
}

TEST(ThreadPageTest, ThreadPagePathEncodesTheKey) {
  EXPECT_EQ(ThreadPagePath("/x?y=1&z"), "/t?page=%2Fx%3Fy%3D1%26z");
}

TEST(ThreadPageTest, FormKeepsTypedValuesEscaped) {
  ThreadView v = MakeView();
  v.form.author_name = "O'Brien \"the \"<b>";
  v.form.author_email = "a\"@b.example";
  v.form.body = "</textarea><script>x</script> & \"quoted\"";
  v.form.error = "Body is too <long>";
  const std::string html = RenderThreadSection(v);
  EXPECT_FALSE(Contains(html, "<script"));
  EXPECT_FALSE(Contains(html, "<b>"));
  EXPECT_TRUE(Contains(html, "value=\"O&#39;Brien &quot;the &quot;&lt;b&gt;\""));
  EXPECT_TRUE(Contains(html, "value=\"a&quot;@b.example\""));
  EXPECT_TRUE(Contains(html,
                       "&lt;/textarea&gt;&lt;script&gt;x&lt;/script&gt; &amp; "
                       "&quot;quoted&quot;</textarea>"));
  EXPECT_EQ(Count(html, "</textarea>"), 1u);
  EXPECT_TRUE(Contains(html, "role=\"alert\">Body is too &lt;long&gt;</p>"));
  // The alert comes before the form.
  EXPECT_LT(html.find("role=\"alert\""), html.find("<form"));
}

TEST(ThreadPageTest, FormFieldsAndHiddenInputs) {
  ThreadView v = MakeView();
  v.form.csrf_token = "tok\"123";
  const std::string html = RenderThreadSection(v);
  EXPECT_TRUE(Contains(html, "<form method=\"post\" action=\"/t\" id=\"amur-form\""));
  EXPECT_TRUE(Contains(html, "<input type=\"hidden\" name=\"csrf_token\" value=\"tok&quot;123\">"));
  EXPECT_TRUE(Contains(html, "<input type=\"hidden\" name=\"page\" value=\"/2022/aigun-treaty\">"));
  EXPECT_TRUE(Contains(html,
                       "<input type=\"hidden\" name=\"return_to\" "
                       "value=\"/t?page=%2F2022%2Faigun-treaty\">"));
  EXPECT_FALSE(Contains(html, "name=\"parent_id\""));
  EXPECT_FALSE(Contains(html, "Replying to"));
  EXPECT_TRUE(Contains(html, "name=\"author_name\""));
  EXPECT_TRUE(Contains(html, "placeholder=\"guest\""));
  EXPECT_TRUE(Contains(html, "maxlength=\"64\""));
  EXPECT_TRUE(Contains(html, "name=\"author_email\" type=\"email\""));
  EXPECT_TRUE(Contains(html, ">Email (optional, never shown)</label>"));
  EXPECT_TRUE(Contains(html, "name=\"body\" rows=\"5\" required maxlength=\"10000\""));
  EXPECT_TRUE(Contains(html, ">Post Comment</button>"));
  EXPECT_TRUE(Contains(html, "Markdown supported"));
  EXPECT_FALSE(Contains(html, "role=\"alert\""));
}

TEST(ThreadPageTest, ReplyingAddsParentIdAndCancelLink) {
  ThreadView v = MakeView();
  v.sort = "newest";
  v.form.reply_to_id = "c42";
  v.form.reply_to_name = "Realpolitik";
  const std::string html = RenderThreadSection(v);
  EXPECT_TRUE(Contains(html, "<input type=\"hidden\" name=\"parent_id\" value=\"c42\">"));
  EXPECT_TRUE(Contains(html, "Replying to <strong>Realpolitik</strong>"));
  EXPECT_TRUE(Contains(html,
                       "href=\"/t?page=%2F2022%2Faigun-treaty&amp;sort=newest#comments\">"
                       "Cancel reply</a>"));
}

TEST(ThreadPageTest, ReplyingToAGuest) {
  ThreadView v = MakeView();
  v.form.reply_to_id = "c42";
  EXPECT_TRUE(Contains(RenderThreadSection(v), "Replying to <strong>Guest</strong>"));
}

TEST(ThreadPageTest, FormComesBeforeTheList) {
  ThreadView v = MakeView();
  v.comments.push_back(MakeComment("c1", "Ann", "<p>Hi</p>"));
  const std::string html = RenderThreadSection(v);
  EXPECT_LT(html.find("id=\"amur-form\""), html.find("id=\"c1\""));
}

TEST(ThreadPageTest, ClosedThreadHasNoFormAndNoReplyLinks) {
  ThreadView v = MakeView();
  v.closed = true;
  v.comments.push_back(MakeComment("c1", "Ann", "<p>Hi</p>"));
  const std::string html = RenderThreadSection(v);
  EXPECT_TRUE(Contains(html, "Comments are closed."));
  EXPECT_FALSE(Contains(html, "<form"));
  EXPECT_FALSE(Contains(html, "reply="));
  EXPECT_TRUE(Contains(html, "id=\"c1\""));
}

TEST(ThreadPageTest, CommentAnatomy) {
  ThreadView v = MakeView();
  CommentView c = MakeComment("c7", "Realpolitik", "<p>Body <em>here</em></p>");
  c.upvotes = 3;
  c.downvotes = 1;
  v.comments.push_back(c);
  const std::string html = RenderThreadSection(v);
  EXPECT_TRUE(Contains(html, "id=\"c7\""));
  EXPECT_TRUE(Contains(html, "<span class=\"amur-author\">Realpolitik</span>"));
  EXPECT_TRUE(Contains(html, "<p>Body <em>here</em></p>"));  // inserted as is
  const std::string stamp = FormatRfc3339Ms(c.created_at);
  EXPECT_TRUE(Contains(html, "<time datetime=\"" + stamp + "\" title=\"" + stamp.substr(0, 10) +
                                 " " + stamp.substr(11, 5) + " UTC\">2 years ago</time>"));
  EXPECT_TRUE(Contains(html, "\u25B2</span> 3<span class=\"amur-sr\"> upvotes</span>"));
  EXPECT_TRUE(Contains(html, "\u25BC</span> 1<span class=\"amur-sr\"> downvote</span>"));
  EXPECT_TRUE(Contains(html,
                       "href=\"/t?page=%2F2022%2Faigun-treaty&amp;reply=c7&amp;sort=oldest#amur-"
                       "form\">Reply"));
  EXPECT_FALSE(Contains(html, "Last edited"));
}

TEST(ThreadPageTest, GuestWithoutName) {
  ThreadView v = MakeView();
  CommentView c = MakeComment("c1", "", "<p>x</p>");
  c.author_name.reset();
  v.comments.push_back(c);
  EXPECT_TRUE(Contains(RenderThreadSection(v), "<span class=\"amur-author\">Guest</span>"));
}

TEST(ThreadPageTest, LastEditedBy) {
  ThreadView v = MakeView();
  CommentView c = MakeComment("c1", "Ann", "<p>x</p>");
  c.edited_at = kNow - 5 * kMinute;
  c.edited_by = "Moderator Mo";
  v.comments.push_back(c);
  const std::string html = RenderThreadSection(v);
  EXPECT_TRUE(Contains(html, "Last edited <time datetime=\"" + FormatRfc3339Ms(*c.edited_at)));
  EXPECT_TRUE(Contains(html, ">5 minutes ago</time> by Moderator Mo</p>"));
}

TEST(ThreadPageTest, TombstoneShowsNoAuthorButKeepsReplies) {
  ThreadView v = MakeView();
  CommentView dead;
  dead.id = "c3";
  dead.deleted = true;
  dead.author_name = "Should Not Show";
  dead.body_html = "<p>secret</p>";
  dead.replies.push_back(MakeComment("c4", "Bob", "<p>reply</p>"));
  v.comments.push_back(dead);
  const std::string html = RenderThreadSection(v);
  EXPECT_TRUE(Contains(html, "This comment was deleted."));
  EXPECT_FALSE(Contains(html, "Should Not Show"));
  EXPECT_FALSE(Contains(html, "secret"));
  EXPECT_FALSE(Contains(html, "reply=c3"));
  EXPECT_TRUE(Contains(html, "id=\"c3\""));
  EXPECT_TRUE(Contains(html, "id=\"c4\""));
  EXPECT_TRUE(Contains(html, "reply=c4"));
  // The reply is nested inside the tombstone's item.
  EXPECT_LT(html.find("id=\"c3\""), html.find("<ol class=\"amur-replies\">"));
  EXPECT_LT(html.find("<ol class=\"amur-replies\">"), html.find("id=\"c4\""));
}

TEST(ThreadPageTest, QuoteIsABlockquoteAboveTheBody) {
  ThreadView v = MakeView();
  CommentView c = MakeComment("c1", "Ann", "<p>my view</p>");
  c.quote = "the left bank <of> the Amur";
  v.comments.push_back(c);
  const std::string html = RenderThreadSection(v);
  const std::size_t quote =
      html.find("<blockquote class=\"amur-quote\"><p>the left bank &lt;of&gt; the Amur</p>");
  ASSERT_NE(quote, std::string::npos);
  EXPECT_LT(quote, html.find("<p>my view</p>"));
}

TEST(ThreadPageTest, NestedRepliesAreNestedLists) {
  ThreadView v = MakeView();
  CommentView top = MakeComment("c1", "Ann", "<p>a</p>");
  CommentView mid = MakeComment("c2", "Bob", "<p>b</p>");
  mid.replies.push_back(MakeComment("c3", "Cy", "<p>c</p>"));
  top.replies.push_back(mid);
  v.comments.push_back(top);
  const std::string html = RenderThreadSection(v);
  EXPECT_EQ(Count(html, "<ol class=\"amur-replies\">"), 2u);
  EXPECT_EQ(Count(html, "<ol"), Count(html, "</ol>"));
  EXPECT_EQ(Count(html, "<li class=\"amur-item"), 3u);
}

TEST(ThreadPageTest, LoadMoreAndViewAllLinksEncodeTheCursor) {
  ThreadView v = MakeView();
  v.sort = "newest";
  v.comments.push_back(MakeComment("c1", "Ann", "<p>a</p>"));
  v.next_cursor = "a+b/c=&\"<";
  const std::string html = RenderThreadSection(v);
  EXPECT_TRUE(Contains(html,
                       "href=\"/t?page=%2F2022%2Faigun-treaty&amp;sort=newest&amp;cursor=a%2Bb%"
                       "2Fc%3D%26%22%3C#comments\">Load more comments</a>"));
  EXPECT_TRUE(Contains(html,
                       "href=\"/t?page=%2F2022%2Faigun-treaty&amp;sort=newest&amp;all=1#"
                       "comments\">View all comments</a>"));
}

TEST(ThreadPageTest, NoPagerWithoutCursor) {
  ThreadView v = MakeView();
  v.comments.push_back(MakeComment("c1", "Ann", "<p>a</p>"));
  const std::string html = RenderThreadSection(v);
  EXPECT_FALSE(Contains(html, "Load more comments"));
  EXPECT_FALSE(Contains(html, "View all comments"));
}

TEST(ThreadPageTest, CommentIdsAreEscapedEverywhere) {
  ThreadView v = MakeView();
  v.comments.push_back(MakeComment("c1\"><script>", "Ann", "<p>a</p>"));
  const std::string html = RenderThreadSection(v);
  EXPECT_FALSE(Contains(html, "<script"));
  EXPECT_TRUE(Contains(html, "id=\"c1&quot;&gt;&lt;script&gt;\""));
  EXPECT_TRUE(Contains(html, "reply=c1%22%3E%3Cscript%3E&amp;"));
}

TEST(ThreadPageTest, ThreadDocumentShell) {
  ThreadView v = MakeView();
  const std::string doc = RenderThreadDocument(v);
  EXPECT_EQ(doc.rfind("<!doctype html>\n<html lang=\"en\">", 0), 0u);
  EXPECT_TRUE(Contains(doc, "<meta charset=\"utf-8\">"));
  EXPECT_TRUE(Contains(doc, "<meta name=\"viewport\""));
  EXPECT_TRUE(Contains(doc, "<title>The Aigun treaty"));
  EXPECT_TRUE(Contains(doc, "<link rel=\"stylesheet\" href=\"/assets/page.css\">"));
  EXPECT_TRUE(Contains(doc, "<h1>The Aigun treaty</h1>"));
  EXPECT_TRUE(Contains(doc, "<section class=\"amur-thread\" id=\"comments\""));
  EXPECT_TRUE(Contains(doc, "</html>"));
  // Nothing from elsewhere, and no script but the widget's.
  EXPECT_EQ(Count(doc, kWidgetTag), 1u);
  EXPECT_FALSE(Contains(WithoutWidget(doc), "<script"));
  EXPECT_FALSE(Contains(doc, "http://"));
  EXPECT_FALSE(Contains(doc, "https://"));
}

TEST(ThreadPageTest, DemoDocumentHasTheArticleAndTheThread) {
  ThreadView v = MakeView();
  v.page_key = kDemoPageKey;
  v.page_title.reset();
  v.base_path = "/demo";
  v.base_has_query = false;
  v.comment_count = 1;
  v.comments.push_back(MakeComment("c1", "Ann", "<p>Interesting.</p>"));
  const std::string doc = RenderDemoDocument(v);
  EXPECT_EQ(doc.rfind("<!doctype html>", 0), 0u);
  EXPECT_TRUE(Contains(doc, "<link rel=\"stylesheet\" href=\"/assets/page.css\">"));
  EXPECT_TRUE(Contains(doc, std::string(">") + std::string(kDemoArticleTitle) + "</h1>"));
  EXPECT_TRUE(Contains(doc, "Treaty of Aigun"));
  EXPECT_TRUE(Contains(doc, "More on the topic"));
  EXPECT_TRUE(Contains(doc, "<figure"));
  EXPECT_TRUE(Contains(doc, "<figcaption>"));
  EXPECT_TRUE(Contains(doc, "<section class=\"amur-thread\" id=\"comments\""));
  EXPECT_TRUE(Contains(doc, ">1 Comment</h2>"));
  EXPECT_TRUE(Contains(doc, "<p>Interesting.</p>"));
  EXPECT_TRUE(Contains(doc, "name=\"page\" value=\"/demo\""));
  EXPECT_TRUE(Contains(doc, "name=\"return_to\" value=\"/demo\""));
  // The article comes before the thread; the document is closed.
  EXPECT_LT(doc.find("More on the topic"), doc.find("id=\"comments\""));
  EXPECT_TRUE(Contains(doc, "</html>"));
  // No script but the widget's, and nothing loaded from elsewhere (the SVG
  // namespace is not a load).
  EXPECT_EQ(Count(doc, kWidgetTag), 1u);
  EXPECT_FALSE(Contains(WithoutWidget(doc), "<script"));
  EXPECT_FALSE(Contains(doc, "<img"));
  EXPECT_FALSE(Contains(doc, "https://"));
  EXPECT_EQ(Count(doc, "http://"), Count(doc, "xmlns=\"http://www.w3.org/2000/svg\""));
}

}  // namespace
}  // namespace amur::render

namespace amur::render {
namespace {

TEST(ThreadPageTest, HeadLinksThePagesFeedWhenItHasOne) {
  ThreadView view = MakeView();
  view.page_title = "Aigun <script>alert(1)</script>";
  EXPECT_FALSE(Contains(RenderThreadDocument(view), "application/atom+xml"));
  EXPECT_FALSE(Contains(RenderDemoDocument(view), "application/atom+xml"));
  view.feed_href = "https://c.example/feeds/comments.atom?page=%2Fp&x=\"";
  const std::string link =
      "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Comments (Atom)\" "
      "href=\"https://c.example/feeds/comments.atom?page=%2Fp&amp;x=&quot;\">\n";
  for (const std::string& doc : {RenderThreadDocument(view), RenderDemoDocument(view)}) {
    EXPECT_EQ(Count(doc, link), 1u);
    EXPECT_LT(doc.find(link), doc.find("</head>"));
  }
}

}  // namespace
}  // namespace amur::render
