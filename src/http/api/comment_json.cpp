#include "http/api/comment_json.hpp"

#include <boost/json/array.hpp>

namespace amur::http::api {

namespace json = boost::json;

namespace {

json::value OptString(const std::optional<std::string>& s) {
  return s ? json::value(*s) : json::value(nullptr);
}

}  // namespace

json::object CommentJson(const Comment& c, const std::string& page_key) {
  const bool tombstone = c.state == CommentState::kDeleted || c.state == CommentState::kRemoved;
  json::object o;
  o.reserve(16);
  o["id"] = FormatCommentId(c.id);
  o["page"] = page_key;
  o["parent_id"] = c.parent_id ? json::value(FormatCommentId(*c.parent_id)) : json::value(nullptr);
  json::object author;
  if (tombstone) {
    author["name"] = nullptr;
  } else {
    author["name"] = c.author_name ? *c.author_name : std::string("Guest");
  }
  author["is_guest"] = c.is_guest;
  author["role"] = OptString(c.author_role);
  o["author"] = std::move(author);
  o["body_html"] = tombstone ? std::string() : c.body_html;
  o["state"] = c.state == CommentState::kRemoved ? "deleted" : CommentStateName(c.state);
  o["created_at"] = FormatRfc3339Ms(c.created_at);
  o["edited_at"] = c.edited_at ? json::value(FormatRfc3339Ms(*c.edited_at)) : json::value(nullptr);
  o["edited_by"] = OptString(c.edited_by);
  o["upvotes"] = c.upvotes;
  o["downvotes"] = c.downvotes;
  o["score"] = c.score();
  o["hash"] = c.hash;
  o["pinned"] = c.pinned;
  if (c.quote) {
    json::object q;
    q["exact"] = c.quote->exact;
    q["prefix"] = c.quote->prefix;
    q["suffix"] = c.quote->suffix;
    o["quote"] = std::move(q);
  }
  o["replies"] = json::array();
  return o;
}

json::object ThreadNodeJson(const service::ThreadNode& node, const std::string& page_key) {
  json::object o = CommentJson(node.comment, page_key);
  json::array replies;
  replies.reserve(node.replies.size());
  for (const auto& r : node.replies) replies.push_back(ThreadNodeJson(r, page_key));
  o["replies"] = std::move(replies);
  return o;
}

json::object ThreadPageJson(const service::ThreadPage& page, const std::string& page_key) {
  json::object p;
  p["key"] = page_key;
  p["title"] = page.page ? OptString(page.page->title) : json::value(nullptr);
  p["url"] = page.page ? OptString(page.page->url) : json::value(nullptr);
  p["comment_count"] = page.comment_count;
  p["closed"] = page.page ? page.page->closed : false;
  json::array comments;
  comments.reserve(page.comments.size());
  for (const auto& n : page.comments) comments.push_back(ThreadNodeJson(n, page_key));
  json::object o;
  o["page"] = std::move(p);
  o["comments"] = std::move(comments);
  o["next_cursor"] = page.next_cursor ? json::value(*page.next_cursor) : json::value(nullptr);
  return o;
}

json::object VersionsJson(const std::vector<ChainLink>& links) {
  json::array versions;
  for (const auto& l : links) {
    json::object v;
    v["n"] = l.n;
    v["body"] = l.body_markdown;
    v["created_at"] = FormatRfc3339Ms(l.at);
    v["editor"] = OptString(l.editor);
    v["state"] = CommentStateName(l.state);
    v["hash"] = l.hash;
    v["prev_hash"] = l.prev_hash;
    versions.push_back(std::move(v));
  }
  json::object o;
  o["versions"] = std::move(versions);
  return o;
}

}  // namespace amur::http::api
