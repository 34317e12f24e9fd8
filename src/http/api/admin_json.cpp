#include <spdlog/spdlog.h>
#include <boost/json/serialize.hpp>

#include <charconv>

#include "core/network_key.hpp"
#include "http/api/admin_api.hpp"
#include "http/api/admin_json.hpp"
#include "http/api/comment_json.hpp"
#include "http/api/responses.hpp"
#include "http/db_await.hpp"
#include "http/error_mapping.hpp"
#include "http/routes.hpp"
#include "service/account_service.hpp"
#include "service/events.hpp"
#include "service/moderation_service.hpp"

namespace amur::http::api {

namespace asio = boost::asio;
namespace json = boost::json;
using store::StoreSession;

json::object UserJson(const User& u) {
  json::object o;
  o["id"] = "u" + std::to_string(u.id);
  o["name"] = u.name;
  o["email"] = u.email;
  o["role"] = RoleName(u.role);
  return o;
}

json::object ModerationJson(const Comment& c) {
  json::object m;
  json::array reasons;
  for (const auto& r : c.moderation_reasons) reasons.push_back(json::value(r));
  m["reasons"] = std::move(reasons);
  m["score"] = c.moderation_score;
  m["reports"] = c.report_count;
  m["report_networks"] = c.report_networks;
  m["flagged"] = c.flagged;
  return m;
}

// {"action", "by", "at"} or null.
json::value DecidedJson(const std::optional<service::DecisionRecord>& d) {
  if (!d) return nullptr;
  json::object o;
  o["action"] = d->action;
  o["by"] = d->by;
  o["at"] = FormatRfc3339Ms(d->at);
  return o;
}

// A comment as moderators see it: the public object plus state as stored and
// the moderation details, with the last decision on it when `decided` is given.
json::object ModeratedCommentJson(const Comment& c, const std::string& page_key,
                                  const std::optional<service::DecisionRecord>* decided) {
  json::object o = CommentJson(c, page_key);
  o["state"] = CommentStateName(c.state);
  if (c.state != CommentState::kDeleted && c.state != CommentState::kRemoved) {
    o["author"].as_object()["name"] = c.author_name ? *c.author_name : std::string("Guest");
  }
  o["moderation"] = ModerationJson(c);
  o["moderation"].as_object()["body_markdown"] = c.body_markdown;
  if (decided) o["moderation"].as_object()["decided"] = DecidedJson(*decided);
  return o;
}

// What a ban covers: only the identities it holds.
json::array BanCovers(const Ban& b) {
  json::array covers;
  if (!b.client_address.empty()) covers.emplace_back("address");
  if (!b.email_hash.empty()) covers.emplace_back("email");
  if (b.user_id) covers.emplace_back("account");
  return covers;
}

json::object BanJson(const Ban& b) {
  json::object o = service::BanEventJson(b);  // the same fields, then what it covers
  o["covers"] = BanCovers(b);
  return o;
}

// A page as moderators see it: flags and comments by state.
json::object PageJson(const Page& p, const store::PageCommentCounts& counts) {
  json::object o;
  o["key"] = p.key;
  o["title"] = p.title ? json::value(*p.title) : json::value(nullptr);
  o["url"] = p.url ? json::value(*p.url) : json::value(nullptr);
  o["closed"] = p.closed;
  o["premoderate"] = p.premoderate;
  o["created_at"] = FormatRfc3339Ms(p.created_at);
  o["last_activity_at"] = FormatRfc3339Ms(p.active_at);
  o["comment_count"] = counts.approved;
  json::object c;
  c["approved"] = counts.approved;
  c["pending"] = counts.pending;
  c["rejected"] = counts.rejected;
  c["spam"] = counts.spam;
  o["counts"] = std::move(c);
  return o;
}

// An account as admins see it (never the password hash).
json::object AccountJson(const User& u) {
  json::object o = UserJson(u);
  o["created_at"] = FormatRfc3339Ms(u.created_at);
  o["disabled"] = u.disabled;
  return o;
}

// "u12" → 12; nullopt for anything else.
std::optional<std::int64_t> ParseUserId(const std::string& text) {
  // One spelling per id: no sign, no leading zero ("u01" is not u1).
  if (text.size() < 2 || text[0] != 'u' || text[1] < '1' || text[1] > '9') return std::nullopt;
  std::int64_t id = 0;
  const char* last = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data() + 1, last, id);
  if (ec != std::errc() || p != last || id <= 0) return std::nullopt;
  return id;
}

Result<Role> ParseRoleField(const std::string& text) {
  auto role = ParseRole(text);
  if (!role) {
    return MakeError(ErrorCode::kInvalidField, "role must be member, moderator or admin.", "role");
  }
  return *role;
}

// An optional boolean field: nullopt when absent or null; invalid_field otherwise.
Result<std::optional<bool>> OptionalBool(const json::object& o, std::string_view key) {
  auto it = o.find(json::string_view(key.data(), key.size()));
  if (it == o.end() || it->value().is_null()) return std::optional<bool>();
  if (!it->value().is_bool()) {
    return MakeError(ErrorCode::kInvalidField, std::string(key) + " must be true or false.",
                     std::string(key));
  }
  return std::optional<bool>(it->value().get_bool());
}

}  // namespace amur::http::api
