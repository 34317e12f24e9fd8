// Bans: made from a comment, listed, lifted.
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

asio::awaitable<Response> AdminApi::BanAuthor(const Request& req) {
  auto who = co_await RequireModerator(req, true);
  if (!who) co_return ErrorResponse(who.error());
  auto obj = JsonBody(req);
  if (!obj) co_return ErrorResponse(obj.error());
  auto comment_id = RequiredString(*obj, "comment_id");
  if (!comment_id) co_return ErrorResponse(comment_id.error());
  auto id = ParseCommentId(*comment_id);
  if (!id) co_return ErrorResponse(MakeError(ErrorCode::kNotFound, "No such comment."));
  std::optional<int> days;
  if (auto it = obj->find("days"); it != obj->end() && !it->value().is_null()) {
    if (!it->value().is_int64() && !it->value().is_uint64()) {
      co_return ErrorResponse(
          MakeError(ErrorCode::kInvalidField, "days must be a whole number.", "days"));
    }
    const auto v = it->value().is_int64() ? it->value().get_int64()
                                          : static_cast<std::int64_t>(std::min<std::uint64_t>(
                                                it->value().get_uint64(), 1u << 30));
    days = static_cast<int>(std::clamp<std::int64_t>(v, -1, 1 << 30));
  }
  auto reason = OptionalString(*obj, "reason");
  if (!reason) co_return ErrorResponse(reason.error());
  service::ModerationService* moderation = d_.moderation;
  const CommentId cid = *id;
  const std::string why = reason->value_or("");
  const User actor = *who;
  using Out = Result<Ban>;
  const std::function<Out(StoreSession&)> job = [moderation, cid, days, why,
                                                 actor](StoreSession& s) {
    return moderation->BanAuthor(s, cid, days, why, actor);
  };
  Out out = co_await WriteResult(*d_.db, "a ban", job);
  if (!out) co_return ErrorResponse(out.error());
  json::object ban = BanJson(*out);
  json::object body;
  body["ban"] = std::move(ban);
  co_return JsonResponse(beast_http::status::created, body);
}

asio::awaitable<Response> AdminApi::ListBans(const Request& req, Params params) {
  auto who = co_await RequireModerator(req, false);
  if (!who) co_return ErrorResponse(who.error());
  auto limit = ParseLimit(FirstParam(params, "limit"), 50);
  if (!limit) co_return ErrorResponse(limit.error());
  const bool active_only = FirstParam(params, "all").value_or("") != "1";
  const std::string cursor = FirstParam(params, "cursor").value_or("");
  service::ModerationService* moderation = d_.moderation;
  const int n = *limit;
  using Out = Result<service::BansPage>;
  const std::function<Out(StoreSession&)> job = [moderation, active_only, n,
                                                 cursor](StoreSession& s) {
    return moderation->ListBans(s, active_only, n, cursor);
  };
  Out out = co_await ReadResult(*d_.db, "bans list", job);
  if (!out) co_return ErrorResponse(out.error());
  json::array bans;
  for (const auto& item : out->bans) {
    json::object o = BanJson(item.ban);
    o["author_name"] = item.author_name ? json::value(*item.author_name) : json::value(nullptr);
    bans.push_back(std::move(o));
  }
  json::object body;
  body["bans"] = std::move(bans);
  body["next_cursor"] = out->next_cursor ? json::value(*out->next_cursor) : json::value(nullptr);
  co_return JsonResponse(beast_http::status::ok, body);
}

asio::awaitable<Response> AdminApi::LiftBan(const Request& req, std::string id_text) {
  auto who = co_await RequireModerator(req, true);
  if (!who) co_return ErrorResponse(who.error());
  std::int64_t id = 0;
  const char* first = id_text.data() + 1;
  const char* last = id_text.data() + id_text.size();
  auto [p, ec] = std::from_chars(first, last, id);
  if (id_text.size() < 2 || id_text[0] != 'b' || ec != std::errc() || p != last || id <= 0) {
    co_return ErrorResponse(MakeError(ErrorCode::kNotFound, "No such ban in force."));
  }
  service::ModerationService* moderation = d_.moderation;
  const User actor = *who;
  using Out = Result<Unit>;
  const std::function<Out(StoreSession&)> job = [moderation, id, actor](StoreSession& s) -> Out {
    if (auto st = moderation->LiftBan(s, id, actor); !st) return st.error();
    return Unit{};
  };
  Out out = co_await WriteResult(*d_.db, "lifting a ban", job);
  if (!out) co_return ErrorResponse(out.error());
  Response r;
  r.status = beast_http::status::no_content;
  co_return r;
}

}  // namespace amur::http::api
