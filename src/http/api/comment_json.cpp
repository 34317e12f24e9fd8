#include "http/api/comment_json.hpp"

#include <boost/json/array.hpp>

#include "service/events.hpp"

namespace amur::http::api {

namespace json = boost::json;

namespace {

json::value OptString(const std::optional<std::string>& s) {
  return s ? json::value(*s) : json::value(nullptr);
}

}  // namespace

json::object CommentJson(const Comment& c, const std::string& page_key) {
  return service::PublicCommentJson(c, page_key);
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
  if (page.chain) {
    json::object chain;
    chain["status"] = page.chain->verified ? "verified" : "failed";
    chain["head"] = page.chain->head;
    chain["length"] = page.chain->length;
    p["chain"] = std::move(chain);
  }
  json::array comments;
  comments.reserve(page.comments.size());
  for (const auto& n : page.comments) comments.push_back(ThreadNodeJson(n, page_key));
  json::object o;
  o["page"] = std::move(p);
  o["comments"] = std::move(comments);
  o["next_cursor"] = page.next_cursor ? json::value(*page.next_cursor) : json::value(nullptr);
  return o;
}

json::object VersionsJson(const std::vector<service::PublicVersion>& all) {
  json::array versions;
  for (const auto& pv : all) {
    const ChainLink& l = pv.link;
    json::object v;
    v["n"] = l.n;
    v["body"] = pv.redacted ? json::value(nullptr) : json::value(l.body_markdown);
    v["redacted"] = pv.redacted;
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
