// Server-rendered HTML pages: the thread of any page (GET /t), the demo
// article with its thread (GET /demo). They work without JavaScript: plain
// links for sorting and paging, plain forms for posting and replying. Every
// piece of user text is escaped for its context; comment bodies are the
// sanitised HTML made by MarkdownToSafeHtml at write time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"

namespace amur::render {

struct CommentView {
  std::string id;                    // "c7"; the anchor is id="c7"
  std::optional<std::string> author_name;  // null: "Guest", or a tombstone
  bool deleted = false;              // a tombstone: "This comment was deleted."
  std::string body_html;             // already safe
  TimeMs created_at = 0;
  std::optional<TimeMs> edited_at;
  std::optional<std::string> edited_by;
  std::int64_t upvotes = 0;
  std::int64_t downvotes = 0;
  std::string hash;
  std::optional<std::string> quote;  // inline feedback: the quoted passage
  std::vector<CommentView> replies;  // oldest first
};

// What the comment form shows, and what it keeps after a refused post.
struct FormState {
  std::string csrf_token;
  std::optional<std::string> reply_to_id;    // "c7" when replying
  std::optional<std::string> reply_to_name;  // shown as "Replying to …"
  std::string author_name;
  std::string author_email;
  std::string body;
  std::optional<std::string> error;          // shown above the form
  std::optional<std::string> notice;         // a status line, e.g. a held comment's notice
  bool notify_enabled = false;  // the server sends email: Subscribe and "notify me of replies"
};

struct ThreadView {
  std::string page_key;
  std::optional<std::string> page_title;
  std::int64_t comment_count = 0;
  bool closed = false;
  std::string sort;                         // "oldest" | "newest" | "votes"
  std::vector<CommentView> comments;
  std::optional<std::string> next_cursor;   // "Load more" when set
  bool chain_verified = true;               // "hash: verified" / "hash: failed"
  TimeMs now = 0;                           // for relative times
  FormState form;
  // Where links and the form go back to: "/t?page=KEY" or "/demo".
  std::string base_path;
  // True when `base_path` already has a query string (links append with &).
  bool base_has_query = false;
  // The page's Atom feed (absolute on --public-url when known), linked as
  // <link rel="alternate"> from the document's head; empty: no link (the
  // page does not exist yet, so its feed answers 404).
  std::string feed_href;
};

// The path of the server-rendered thread of `page_key` (GET /t): "/t?page="
// followed by the key, URL-encoded. Use it as `base_path` with
// `base_has_query` = true.
std::string ThreadPagePath(std::string_view page_key);

// The thread section alone (an HTML fragment: <section class="amur-thread">…).
std::string RenderThreadSection(const ThreadView& view);

// A whole HTML document showing the thread of `view.page_key` (GET /t).
std::string RenderThreadDocument(const ThreadView& view);

// The demo article with the thread under it (GET /demo).
std::string RenderDemoDocument(const ThreadView& view);

// The key of the demo article's thread.
inline constexpr const char* kDemoPageKey = "/demo";

}  // namespace amur::render
