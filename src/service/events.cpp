#include "service/events.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/random.hpp"

namespace amur::service {

namespace json = boost::json;

namespace {

json::value OptString(const std::optional<std::string>& s) {
  return s ? json::value(*s) : json::value(nullptr);
}

}  // namespace

std::string UserActor(std::int64_t user_id) { return "user:" + std::to_string(user_id); }

std::string AuthorActor(const Comment& c) {
  return c.author_user_id ? UserActor(*c.author_user_id) : std::string(kGuestActor);
}

const std::string& ThisNode() {
  static const std::string id = [] {
    unsigned char bytes[8];
    SodiumRandom().Fill(bytes, sizeof bytes);
    return HexOf(bytes, sizeof bytes);
  }();
  return id;
}

std::int64_t RecordEvent(store::EventStore& s, TimeMs at, const EventDraft& draft) {
  Event e;
  e.at = at;
  e.type = draft.type;
  e.page_key = draft.page_key;
  e.comment_id = draft.comment_id;
  e.actor = draft.actor;
  e.visibility = draft.visibility;
  e.data = json::serialize(draft.data);
  e.origin = ThisNode();
  return s.AppendEvent(e);
}

json::object PublicCommentJson(const Comment& c, const std::string& page_key) {
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
  if (c.quote && c.position) {
    json::object pos;
    pos["start"] = c.position->start;
    pos["end"] = c.position->end;
    o["position"] = std::move(pos);
  }
  o["replies"] = json::array();
  return o;
}

namespace {

// An event about comment `c` on `page_key`, with no data yet.
EventDraft AboutComment(const char* type, const Comment& c, const std::string& page_key,
                        std::string actor, EventVisibility v) {
  EventDraft d;
  d.type = type;
  d.page_key = page_key;
  d.comment_id = c.id;
  d.actor = std::move(actor);
  d.visibility = v;
  return d;
}

}  // namespace

EventDraft CommentEvent(const char* type, const Comment& c, const std::string& page_key,
                        std::string actor) {
  const bool shown = c.state == CommentState::kApproved || c.state == CommentState::kDeleted ||
                     c.state == CommentState::kRemoved;
  EventDraft d = AboutComment(type, c, page_key, std::move(actor),
                              shown ? EventVisibility::kPublic : EventVisibility::kStaff);
  d.data["comment"] = PublicCommentJson(c, page_key);
  if (!shown) {
    json::object m;
    m["state"] = CommentStateName(c.state);
    json::array reasons;
    for (const auto& r : c.moderation_reasons) reasons.push_back(json::value(r));
    m["reasons"] = std::move(reasons);
    m["score"] = c.moderation_score;
    d.data["moderation"] = std::move(m);
  }
  return d;
}

EventDraft DeletedEvent(const Comment& c, const std::string& page_key, std::string actor) {
  EventDraft d = AboutComment(event_type::kCommentDeleted, c, page_key, std::move(actor),
                              EventVisibility::kPublic);
  d.data["comment"] = PublicCommentJson(c, page_key);
  d.data["tombstone"] = c.state == CommentState::kDeleted;
  return d;
}

EventDraft HiddenEvent(const Comment& c, const std::string& page_key, std::string actor) {
  EventDraft d = AboutComment(event_type::kCommentHidden, c, page_key, std::move(actor),
                              EventVisibility::kPublic);
  json::object ref;
  ref["id"] = FormatCommentId(c.id);
  ref["page"] = page_key;
  d.data["comment"] = std::move(ref);
  return d;
}

EventDraft PageEvent(const char* type, const Page& p, std::string actor, EventVisibility v) {
  EventDraft d;
  d.type = type;
  d.page_key = p.key;
  d.actor = std::move(actor);
  d.visibility = v;
  json::object page;
  page["key"] = p.key;
  page["title"] = OptString(p.title);
  page["url"] = OptString(p.url);
  page["closed"] = p.closed;
  page["premoderate"] = p.premoderate;
  d.data["page"] = std::move(page);
  return d;
}

json::object BanEventJson(const Ban& b) {
  json::object o;
  o["id"] = "b" + std::to_string(b.id);
  o["comment_id"] =
      b.comment_id ? json::value(FormatCommentId(*b.comment_id)) : json::value(nullptr);
  o["reason"] = b.reason;
  o["created_by"] = b.created_by;
  o["created_at"] = FormatRfc3339Ms(b.created_at);
  o["expires_at"] =
      b.expires_at ? json::value(FormatRfc3339Ms(*b.expires_at)) : json::value(nullptr);
  return o;
}

EventDraft UserEvent(const char* type, const User& u, std::string actor) {
  EventDraft d;
  d.type = type;
  d.actor = std::move(actor);
  d.visibility = EventVisibility::kStaff;
  json::object user;
  user["id"] = "u" + std::to_string(u.id);
  user["name"] = u.name;
  user["role"] = RoleName(u.role);
  user["disabled"] = u.disabled;
  d.data["user"] = std::move(user);
  return d;
}

Result<EventsPage> ReadEvents(store::EventStore& s, std::int64_t after, int limit,
                              bool public_only) {
  if (after < 0) {
    return MakeError(ErrorCode::kInvalidField, "after must be a sequence number (0 or more).",
                     "after");
  }
  EventsPage out;
  out.events = s.ListEvents(after, limit, public_only);
  out.last_seq = s.LastEventSeq();
  return out;
}

json::object EventJson(const Event& e) {
  json::object o;
  o.reserve(8);
  o["seq"] = e.seq;
  o["type"] = e.type;
  o["time"] = FormatRfc3339Ms(e.at);
  o["page"] = OptString(e.page_key);
  o["comment_id"] =
      e.comment_id ? json::value(FormatCommentId(*e.comment_id)) : json::value(nullptr);
  o["actor"] = e.actor;
  o["visibility"] = EventVisibilityName(e.visibility);
  boost::system::error_code ec;
  json::value data = json::parse(e.data, ec);
  o["data"] = ec || !data.is_object() ? json::value(json::object()) : std::move(data);
  return o;
}

}  // namespace amur::service
