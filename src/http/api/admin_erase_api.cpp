// POST /api/v1/admin/comments/{id}/erase: an admin erases a comment's words
// from it and from every earlier version (docs/integrity.md).
#include <boost/json/object.hpp>

#include "http/api/admin_api.hpp"
#include "http/api/responses.hpp"
#include "http/db_await.hpp"
#include "http/error_mapping.hpp"
#include "http/response_cache.hpp"
#include "http/routes.hpp"
#include "service/comment_service.hpp"

namespace amur::http::api {

namespace asio = boost::asio;
namespace json = boost::json;
using store::StoreSession;

asio::awaitable<Response> AdminApi::Erase(const Request& req, std::string id_text) {
  auto who = co_await RequireAdmin(req, true);
  if (!who) co_return ErrorResponse(who.error());
  auto id = ParseCommentId(id_text);
  if (!id) co_return ErrorResponse(MakeError(ErrorCode::kNotFound, "No such comment."));
  service::CommentService* comments = d_.comments;
  const CommentId cid = *id;
  const std::string actor = who->name;
  using Out = Result<service::EraseOutcome>;
  const std::function<Out(StoreSession&)> job = [comments, cid, actor](StoreSession& s) {
    return comments->Erase(s, cid, actor);
  };
  Out out = co_await WriteResult(*d_.db, "erasing", job);
  if (!out) co_return ErrorResponse(out.error());
  // An erased tombstone writes no event, so the page's answers are dropped here.
  d_.cache->Invalidate(out->page_key);
  json::object body;
  body["id"] = FormatCommentId(cid);
  body["page"] = out->page_key;
  body["erased"] = true;
  body["rechained"] = out->rechained;
  co_return JsonResponse(beast_http::status::ok, body);
}

}  // namespace amur::http::api
