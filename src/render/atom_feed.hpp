// Atom 1.0 feeds (RFC 4287) of approved comments: one page's
// (GET /feeds/comments.atom?page=KEY) and the whole site's
// (GET /feeds/recent.atom). Every piece of text is escaped as XML, with the
// characters XML 1.0 forbids removed; comment bodies are the sanitised HTML
// made by MarkdownToSafeHtml at write time, sent as escaped text in
// <content type="html">. No email address ever appears.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.hpp"

namespace amur::render {

// How many comments a feed holds: the newest.
inline constexpr int kFeedEntries = 50;

// Appends `text` as XML character data or a quoted attribute value: & < > " '
// escaped (so "]]>" and "</content>" stay text); C0 controls other than tab,
// LF and CR, DEL, C1 controls and U+FFFE/U+FFFF removed; each byte of
// ill-formed UTF-8 replaced by U+FFFD. The result is always well-formed XML 1.0.
void AppendXmlEscaped(std::string& out, std::string_view text);
std::string XmlEscape(std::string_view text);

// The host of `public_url` ("https://Comments.Example:8443/x" gives
// "comments.example"), usable as a tag: URI's authority; "localhost" when
// there is no public URL or its host is not a DNS name (an IPv6 literal).
std::string TagAuthority(std::string_view public_url);

// A comment's entry id, stable for ever (RFC 4151):
// "tag:HOST,YYYY-MM-DD:amur/c42", the date being the comment's creation day
// (UTC), on which the site's host named it.
std::string CommentEntryId(std::string_view public_url, const Comment& c);

// Where readers see the comment: the article's URL (its fragment replaced by
// "#amur-c42", the widget's anchor) when the page has one, else the
// server-rendered thread "/t?page=KEY#c42" ("/demo#c42" for the demo article)
// on `public_url` (relative when it is empty).
std::string CommentLink(std::string_view public_url, const Page& page, CommentId id);

// Where readers see the page's discussion: its URL, else its /t page.
std::string PageLink(std::string_view public_url, const Page& page);

// The path of a page's feed: "/feeds/comments.atom?page=" and the key, URL-encoded.
std::string PageFeedPath(std::string_view page_key);
inline constexpr const char* kRecentFeedPath = "/feeds/recent.atom";

// One comment with the page it belongs to.
struct FeedComment {
  const Comment* comment = nullptr;  // approved
  const Page* page = nullptr;
};

// The feed of one page: `comments` newest first (at most kFeedEntries are
// shown). Its id is "tag:HOST,YYYY-MM-DD:amur/page/KEY" (the page's creation
// day), its updated time the newest entry's (the page's creation without one).
std::string RenderPageFeed(std::string_view public_url, const Page& page,
                           const std::vector<Comment>& comments);

// The site-wide feed of the newest comments of every page, newest first (at
// most kFeedEntries shown). Its id is "tag:HOST,2026:amur/recent" (a fixed
// date: the id never changes), its updated time the newest entry's
// (1970-01-01 when there is none).
std::string RenderRecentFeed(std::string_view public_url, const std::vector<FeedComment>& comments);

}  // namespace amur::render
