// The moderation queues, decisions, reader reports and the audit log.
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

asio::awaitable<Response> AdminApi::Report(const Request& req, std::string id_text,
                                           std::string client) {
  auto id = ParseCommentId(id_text);
  if (!id) co_return ErrorResponse(MakeError(ErrorCode::kNotFound, "No such comment."));
  auto obj = JsonBody(req);
  if (!obj) co_return ErrorResponse(obj.error());
  auto reason = RequiredString(*obj, "reason");
  if (!reason) co_return ErrorResponse(reason.error());
  auto note = OptionalString(*obj, "note");
  if (!note) co_return ErrorResponse(note.error());
  // One report per reader: the voter id when the client has one, else its
  // network. Hiding takes distinct networks too (ModerationService::Report).
  const std::string network = "net:" + NetworkKey(client);
  std::string reporter(Header(req, "X-Amur-Voter"));
  if (reporter.empty()) reporter = CookieValue(req, "amur_voter").value_or("");
  if (reporter.empty()) reporter = network;
  const std::string reporter_hash = Sha256Hex("amur-reporter:" + reporter);
  const std::string network_hash = Sha256Hex("amur-reporter:" + network);
  service::ModerationService* moderation = d_.moderation;
  const CommentId cid = *id;
  const std::string why = *reason;
  const std::string text = note->value_or("");
  using Out = Result<std::optional<std::string>>;
  // A reader whose own comments were approved flags it: recognised by the
  // account when signed in (session cookie with its CSRF token, or a session
  // bearer token), else by the address. A cookie without the CSRF token is
  // not an identity here (another site could have sent it), but the report
  // still counts as a guest's.
  service::ReporterIdentity who{client, std::nullopt};
  if (Result<Caller> caller = co_await IdentifyCaller(d_, req, true); caller && caller->user) {
    who.user_id = caller->user->id;
  }
  const std::function<Out(StoreSession&)> job = [moderation, cid, reporter_hash, network_hash, why,
                                                 text, who](StoreSession& s) {
    return moderation->Report(s, cid, reporter_hash, network_hash, why, text, who);
  };
  Out out = co_await WriteResult(*d_.db, "a report", job);
  if (!out) co_return ErrorResponse(out.error());
  co_return JsonResponse(beast_http::status::accepted, json::object{});
}

asio::awaitable<Response> AdminApi::Queue(const Request& req, Params params) {
  auto who = co_await RequireModerator(req, false);
  if (!who) co_return ErrorResponse(who.error());
  auto queue = service::ParseQueue(FirstParam(params, "state").value_or("pending"));
  if (!queue) {
    co_return ErrorResponse(MakeError(ErrorCode::kInvalidField,
                                      "state must be pending, reported, rejected, spam or flagged.",
                                      "state"));
  }
  auto limit = ParseLimit(FirstParam(params, "limit"), 50);
  if (!limit) co_return ErrorResponse(limit.error());
  const std::string cursor = FirstParam(params, "cursor").value_or("");
  service::ModerationService* moderation = d_.moderation;
  const service::Queue q = *queue;
  const int n = *limit;
  const std::function<Result<service::QueuePage>(StoreSession&)> job = [moderation, q, n,
                                                                        cursor](StoreSession& s) {
    return moderation->ListQueue(s, q, n, cursor);
  };
  Result<service::QueuePage> page = co_await ReadResult(*d_.db, "queue", job);
  if (!page) co_return ErrorResponse(page.error());
  json::array comments;
  for (const auto& item : page->items) {
    json::object o = ModeratedCommentJson(item.comment, item.page_key, &item.decided);
    json::array history;
    for (const auto& h : item.author_history) {
      json::object e;
      e["id"] = FormatCommentId(h.id);
      e["state"] = CommentStateName(h.state);
      e["created_at"] = FormatRfc3339Ms(h.created_at);
      e["body_html"] = h.body_html;
      history.push_back(std::move(e));
    }
    o["moderation"].as_object()["author_history"] = std::move(history);
    comments.push_back(std::move(o));
  }
  json::object body;
  body["comments"] = std::move(comments);
  body["next_cursor"] = page->next_cursor ? json::value(*page->next_cursor) : json::value(nullptr);
  co_return JsonResponse(beast_http::status::ok, body);
}

asio::awaitable<Response> AdminApi::Decide(const Request& req, std::string id_text) {
  auto who = co_await RequireModerator(req, true);
  if (!who) co_return ErrorResponse(who.error());
  auto id = ParseCommentId(id_text);
  if (!id) co_return ErrorResponse(MakeError(ErrorCode::kNotFound, "No such comment."));
  auto obj = JsonBody(req);
  if (!obj) co_return ErrorResponse(obj.error());
  auto action = RequiredString(*obj, "action");
  if (!action) co_return ErrorResponse(action.error());
  auto decision = service::ParseDecision(*action);
  if (!decision) {
    co_return ErrorResponse(
        MakeError(ErrorCode::kInvalidField, "action must be approve, reject or spam.", "action"));
  }
  auto reason = OptionalString(*obj, "reason");
  if (!reason) co_return ErrorResponse(reason.error());
  // Optional preconditions: what the moderator saw.
  service::DecisionPrecondition pre;
  auto expected = OptionalString(*obj, "expected_state");
  if (!expected) co_return ErrorResponse(expected.error());
  if (*expected) {
    auto st = ParseCommentState(**expected);
    if (!st || *st == CommentState::kDeleted || *st == CommentState::kRemoved) {
      co_return ErrorResponse(MakeError(
          ErrorCode::kInvalidField, "expected_state must be pending, approved, rejected or spam.",
          "expected_state"));
    }
    pre.expected_state = *st;
  }
  auto seen_in = OptionalString(*obj, "queue");
  if (!seen_in) co_return ErrorResponse(seen_in.error());
  if (*seen_in) {
    auto q = service::ParseQueue(**seen_in);
    if (!q) {
      co_return ErrorResponse(
          MakeError(ErrorCode::kInvalidField,
                    "queue must be pending, reported, rejected, spam or flagged.", "queue"));
    }
    pre.queue = *q;
  }
  service::ModerationService* moderation = d_.moderation;
  const CommentId cid = *id;
  const service::Decision dec = *decision;
  const std::string why = reason->value_or("");
  const User actor = *who;
  using Out = Result<service::DecisionOutcome>;
  const std::function<Out(StoreSession&)> job = [moderation, cid, dec, why, actor,
                                                 pre](StoreSession& s) {
    return moderation->Decide(s, cid, dec, why, actor, pre);
  };
  Out out = co_await WriteResult(*d_.db, "a decision", job);
  if (!out && out.error().code == ErrorCode::kConflict) {
    // The answer carries the comment as it now stands, so the desk can say
    // who decided instead of overriding them.
    const Error conflict = out.error();
    using Seen = Result<service::QueueItem>;
    const std::function<Seen(StoreSession&)> view = [moderation, cid](StoreSession& s) {
      return moderation->View(s, cid);
    };
    Seen now = co_await ReadResult(*d_.db, "a decided comment", view);
    json::object extra;
    extra["comment"] =
        now ? json::value(ModeratedCommentJson(now->comment, now->page_key, &now->decided))
            : json::value(nullptr);
    co_return ErrorResponse(conflict, std::move(extra));
  }
  if (!out) co_return ErrorResponse(out.error());
  if (out->recorded) decisions_->Inc();
  co_return JsonResponse(beast_http::status::ok,
                         ModeratedCommentJson(out->comment, out->page_key, &out->decided));
}

asio::awaitable<Response> AdminApi::QueueStatus(const Request& req, Params params) {
  auto who = co_await RequireModerator(req, false);
  if (!who) co_return ErrorResponse(who.error());
  auto queue = service::ParseQueue(FirstParam(params, "state").value_or("pending"));
  if (!queue) {
    co_return ErrorResponse(MakeError(ErrorCode::kInvalidField,
                                      "state must be pending, reported, rejected, spam or flagged.",
                                      "state"));
  }
  const std::vector<std::string> texts = AllParams(params, "id");
  if (texts.empty()) {
    co_return ErrorResponse(MakeError(ErrorCode::kMissingField, "id is required.", "id"));
  }
  if (texts.size() > 200) {
    co_return ErrorResponse(
        MakeError(ErrorCode::kInvalidField, "Ask about at most 200 comments at once.", "id"));
  }
  std::vector<CommentId> ids;
  for (const auto& t : texts) {
    auto cid = ParseCommentId(t);
    if (!cid) {
      co_return ErrorResponse(MakeError(ErrorCode::kInvalidField, "Not a comment id: " + t, "id"));
    }
    ids.push_back(*cid);
  }
  service::ModerationService* moderation = d_.moderation;
  const service::Queue q = *queue;
  using Out = Result<std::vector<service::QueueStatus>>;
  const std::function<Out(StoreSession&)> job = [moderation, q, ids](StoreSession& s) -> Out {
    return moderation->StatusIn(s, q, ids);
  };
  Out out = co_await ReadResult(*d_.db, "queue status", job);
  if (!out) co_return ErrorResponse(out.error());
  json::array comments;
  for (const auto& st : *out) {
    json::object o;
    o["id"] = FormatCommentId(st.id);
    o["in_queue"] = st.in_queue;
    o["state"] = st.comment && st.comment->state != CommentState::kRemoved
                     ? CommentStateName(st.comment->state)
                     : "deleted";
    o["reports"] = st.comment ? st.comment->report_count : 0;
    o["decided"] = DecidedJson(st.decided);
    comments.push_back(std::move(o));
  }
  json::object body;
  body["comments"] = std::move(comments);
  Response r = JsonResponse(beast_http::status::ok, body);
  r.headers.emplace_back("Cache-Control", "no-store");
  co_return r;
}

asio::awaitable<Response> AdminApi::QueueCounts(const Request& req) {
  auto who = co_await RequireModerator(req, false);
  if (!who) co_return ErrorResponse(who.error());
  service::ModerationService* moderation = d_.moderation;
  using Out = Result<store::QueueCounts>;
  const std::function<Out(StoreSession&)> job = [moderation](StoreSession& s) -> Out {
    return moderation->CountQueues(s);
  };
  Out out = co_await ReadResult(*d_.db, "queue counts", job);
  if (!out) co_return ErrorResponse(out.error());
  json::object body;
  body["pending"] = out->pending;
  body["reported"] = out->reported;
  body["rejected"] = out->rejected;
  body["spam"] = out->spam;
  body["flagged"] = out->flagged;
  Response r = JsonResponse(beast_http::status::ok, body);
  r.headers.emplace_back("Cache-Control", "no-store");
  co_return r;
}

asio::awaitable<Response> AdminApi::Audit(const Request& req, Params params) {
  auto who = co_await RequireModerator(req, false);
  if (!who) co_return ErrorResponse(who.error());
  auto limit = ParseLimit(FirstParam(params, "limit"), 50);
  if (!limit) co_return ErrorResponse(limit.error());
  const std::string cursor = FirstParam(params, "cursor").value_or("");
  service::ModerationService* moderation = d_.moderation;
  const int n = *limit;
  const std::function<Result<service::AuditPage>(StoreSession&)> job =
      [moderation, n, cursor](StoreSession& s) { return moderation->ListAudit(s, n, cursor); };
  Result<service::AuditPage> page = co_await ReadResult(*d_.db, "audit", job);
  if (!page) co_return ErrorResponse(page.error());
  json::array entries;
  for (const auto& e : page->entries) {
    json::object o;
    o["at"] = FormatRfc3339Ms(e.at);
    o["actor"] = e.actor;
    o["action"] = e.action;
    o["comment_id"] =
        e.comment_id ? json::value(FormatCommentId(*e.comment_id)) : json::value(nullptr);
    o["reason"] = e.reason;
    o["hash"] = e.hash;
    o["prev_hash"] = e.prev_hash;
    entries.push_back(std::move(o));
  }
  json::object body;
  body["entries"] = std::move(entries);
  body["next_cursor"] = page->next_cursor ? json::value(*page->next_cursor) : json::value(nullptr);
  co_return JsonResponse(beast_http::status::ok, body);
}

}  // namespace amur::http::api
