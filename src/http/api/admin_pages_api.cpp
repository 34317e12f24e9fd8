// Pages: their flags (closed, pre-moderated), pins, and the list by activity.
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

asio::awaitable<Response> AdminApi::PageSettings(const Request& req) {
  auto who = co_await RequireModerator(req, true);
  if (!who) co_return ErrorResponse(who.error());
  auto obj = JsonBody(req);
  if (!obj) co_return ErrorResponse(obj.error());
  auto page = RequiredString(*obj, "page");
  if (!page) co_return ErrorResponse(page.error());
  auto closed = OptionalBool(*obj, "closed");
  if (!closed) co_return ErrorResponse(closed.error());
  auto premoderate = OptionalBool(*obj, "premoderate");
  if (!premoderate) co_return ErrorResponse(premoderate.error());
  service::PageUpdate update;
  update.closed = *closed;
  update.premoderate = *premoderate;
  // "title"/"url": absent leaves them, null or "" clears them.
  for (auto [field, target] : {std::pair{"title", &update.title}, std::pair{"url", &update.url}}) {
    if (!obj->contains(field)) continue;
    auto v = OptionalString(*obj, field);
    if (!v) co_return ErrorResponse(v.error());
    *target = std::move(*v);
  }
  service::ModerationService* moderation = d_.moderation;
  const std::string key = *page;
  const User actor = *who;
  using Out = Result<service::PageSummary>;
  const std::function<Out(StoreSession&)> job = [moderation, key, update,
                                                 actor](StoreSession& s) -> Out {
    auto set = moderation->UpdatePage(s, key, update, actor);
    if (!set) return set.error();
    return moderation->FindPage(s, key);
  };
  Out out = co_await WriteResult(*d_.db, "page settings", job);
  if (!out) co_return ErrorResponse(out.error());
  json::object body;
  body["page"] = PageJson(out->page, out->counts);
  co_return JsonResponse(beast_http::status::ok, body);
}

asio::awaitable<Response> AdminApi::Pin(const Request& req, std::string id_text) {
  auto who = co_await RequireModerator(req, true);
  if (!who) co_return ErrorResponse(who.error());
  auto id = ParseCommentId(id_text);
  if (!id) co_return ErrorResponse(MakeError(ErrorCode::kNotFound, "No such comment."));
  auto obj = JsonBody(req);
  if (!obj) co_return ErrorResponse(obj.error());
  auto pinned = OptionalBool(*obj, "pinned");
  if (!pinned) co_return ErrorResponse(pinned.error());
  if (!*pinned) {
    co_return ErrorResponse(MakeError(ErrorCode::kMissingField, "pinned is required.", "pinned"));
  }
  service::ModerationService* moderation = d_.moderation;
  const CommentId cid = *id;
  const bool pin = **pinned;
  const User actor = *who;
  using Out = Result<service::DecisionOutcome>;
  const std::function<Out(StoreSession&)> job = [moderation, cid, pin, actor](StoreSession& s) {
    return moderation->Pin(s, cid, pin, actor);
  };
  Out out = co_await WriteResult(*d_.db, "pinning", job);
  if (!out) co_return ErrorResponse(out.error());
  co_return JsonResponse(beast_http::status::ok, ModeratedCommentJson(out->comment, out->page_key));
}

asio::awaitable<Response> AdminApi::ListPages(const Request& req, Params params) {
  auto who = co_await RequireModerator(req, false);
  if (!who) co_return ErrorResponse(who.error());
  service::ModerationService* moderation = d_.moderation;
  if (auto key = FirstParam(params, "page")) {
    if (key->empty() || key->size() > 512) {
      co_return ErrorResponse(MakeError(ErrorCode::kInvalidField,
                                        "page must be a page key of 1 to 512 bytes.", "page"));
    }
    const std::string k = *key;
    using One = Result<service::PageSummary>;
    const std::function<One(StoreSession&)> job = [moderation, k](StoreSession& s) {
      return moderation->FindPage(s, k);
    };
    One one = co_await ReadResult(*d_.db, "a page's settings", job);
    if (!one) co_return ErrorResponse(one.error());
    json::object body;
    body["page"] = PageJson(one->page, one->counts);
    co_return JsonResponse(beast_http::status::ok, body);
  }
  auto limit = ParseLimit(FirstParam(params, "limit"), 50);
  if (!limit) co_return ErrorResponse(limit.error());
  const std::string cursor = FirstParam(params, "cursor").value_or("");
  const int n = *limit;
  using Out = Result<service::PagesPage>;
  const std::function<Out(StoreSession&)> job = [moderation, n, cursor](StoreSession& s) {
    return moderation->ListPages(s, n, cursor);
  };
  Out out = co_await ReadResult(*d_.db, "pages list", job);
  if (!out) co_return ErrorResponse(out.error());
  json::array pages;
  for (const auto& p : out->pages) pages.push_back(PageJson(p.page, p.counts));
  json::object body;
  body["pages"] = std::move(pages);
  body["next_cursor"] = out->next_cursor ? json::value(*out->next_cursor) : json::value(nullptr);
  co_return JsonResponse(beast_http::status::ok, body);
}

}  // namespace amur::http::api
