#include "http/api/admin_api.hpp"

#include "service/events.hpp"

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <charconv>

#include "core/network_key.hpp"
#include "http/api/comment_json.hpp"
#include "http/api/responses.hpp"
#include "http/db_await.hpp"
#include "http/error_mapping.hpp"
#include "http/routes.hpp"
#include "service/account_service.hpp"
#include "service/moderation_service.hpp"

namespace amur::http::api {

namespace asio = boost::asio;
namespace json = boost::json;
using store::StoreSession;

namespace {

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
                                  const std::optional<service::DecisionRecord>* decided = nullptr) {
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
  json::object o;
  o["id"] = "b" + std::to_string(b.id);
  o["comment_id"] = b.comment_id ? json::value(FormatCommentId(*b.comment_id)) : json::value(nullptr);
  o["reason"] = b.reason;
  o["created_by"] = b.created_by;
  o["created_at"] = FormatRfc3339Ms(b.created_at);
  o["expires_at"] = b.expires_at ? json::value(FormatRfc3339Ms(*b.expires_at)) : json::value(nullptr);
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
  if (text.size() < 2 || text[0] != 'u') return std::nullopt;
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

std::string SessionCookie(const std::string& token, bool secure, long max_age) {
  return "amur_session=" + token + "; Path=/; Max-Age=" + std::to_string(max_age) +
         "; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
}

}  // namespace

AdminApi::AdminApi(HttpDeps& deps) : d_(deps) {
  logins_failed_ = &d_.metrics->AddCounter("amur_logins_failed_total", "Refused sign-ins.", "");
  decisions_ = &d_.metrics->AddCounter("amur_moderation_decisions_total",
                                       "Moderator decisions on comments.", "");
}

asio::awaitable<Result<Caller>> IdentifyCaller(HttpDeps& d_, const Request& req,
                                               bool state_changing) {
  std::string token;
  bool via_cookie = false;
  if (auto bearer = BearerToken(req)) {
    if (!service::LooksLikeSessionToken(*bearer)) co_return Caller{};
    token = *bearer;
  } else if (auto cookie = CookieValue(req, "amur_session")) {
    token = *cookie;
    via_cookie = true;
  } else {
    co_return Caller{};
  }
  service::AccountService* accounts = d_.accounts;
  using Found = std::optional<std::pair<User, Session>>;
  const std::function<Result<Found>(StoreSession&)> job = [accounts, token](StoreSession& s) -> Result<Found> {
    return accounts->Authenticate(s, token);
  };
  Result<Found> authenticated = co_await ReadResult(*d_.db, "identifying a caller", job);
  if (!authenticated) co_return authenticated.error();
  Found& found = *authenticated;
  if (!found) co_return Caller{};
  if (via_cookie && state_changing) {
    const std::string_view sent = Header(req, "X-CSRF-Token");
    if (!ConstantTimeEquals(sent, found->second.csrf_token)) {
      co_return MakeError(ErrorCode::kNotAllowed,
                          "Send the session's CSRF token in the X-CSRF-Token header.");
    }
  }
  co_return Caller{std::move(found->first), via_cookie, found->second.csrf_token};
}

asio::awaitable<Result<User>> AdminApi::RequireModerator(const Request& req, bool state_changing) {
  Result<Caller> caller = co_await IdentifyCaller(d_, req, state_changing);
  if (!caller) co_return caller.error();
  if (!caller->user) co_return MakeError(ErrorCode::kUnauthorized, "Sign in as a moderator first.");
  if (!caller->user->CanModerate()) {
    co_return MakeError(ErrorCode::kNotAllowed, "Only moderators and admins may do this.");
  }
  co_return std::move(*caller->user);
}

asio::awaitable<Result<User>> AdminApi::RequireAdmin(const Request& req, bool state_changing) {
  Result<User> who = co_await RequireModerator(req, state_changing);
  if (!who) co_return who.error();
  if (who->role != Role::kAdmin) {
    co_return MakeError(ErrorCode::kNotAllowed, "Only admins may manage accounts.");
  }
  co_return std::move(*who);
}

asio::awaitable<Response> AdminApi::Login(const Request& req, std::string client) {
  auto obj = JsonBody(req);
  if (!obj) co_return ErrorResponse(obj.error());
  auto email = RequiredString(*obj, "email");
  if (!email) co_return ErrorResponse(email.error());
  auto password = RequiredString(*obj, "password");
  if (!password) co_return ErrorResponse(password.error());
  const auto decision = d_.login_limiter->Acquire(client);
  if (!decision.allowed) {
    Response r = ErrorResponse(
        MakeError(ErrorCode::kRateLimited, "Too many sign-in attempts; please wait a moment."));
    r.headers.emplace_back("Retry-After", std::to_string(decision.retry_after_seconds));
    co_return r;
  }
  service::AccountService* accounts = d_.accounts;
  const std::string e = *email;
  const std::string p = *password;
  // The password check is slow on purpose; it runs on a reader thread.
  const std::function<Result<User>(StoreSession&)> check = [accounts, e, p](StoreSession& s) {
    return accounts->CheckPassword(s, e, p);
  };
  Result<User> user = co_await ReadResult(*d_.db, "sign-in", check);
  if (!user) {
    logins_failed_->Inc();
    co_return ErrorResponse(user.error());
  }
  d_.login_limiter->Release(client, decision.slot);  // only failures count
  service::NewSession fresh = accounts->MakeSession(*user);
  const Session stored = fresh.session;
  const std::function<Result<Unit>(StoreSession&)> store_session = [stored](StoreSession& s) -> Result<Unit> {
    s.InsertSession(stored);
    return Unit{};
  };
  const Result<Unit> kept = co_await WriteResult(*d_.db, "storing a session", store_session);
  if (!kept) co_return ErrorResponse(kept.error());
  json::object body;
  body["user"] = UserJson(*user);
  body["csrf_token"] = fresh.session.csrf_token;
  body["token"] = fresh.token;
  body["expires_at"] = FormatRfc3339Ms(fresh.session.expires_at);
  Response r = JsonResponse(beast_http::status::ok, body);
  r.headers.emplace_back("Set-Cookie", SessionCookie(fresh.token, d_.secure_cookies,
                                                     service::kSessionLifetimeMs / 1000));
  co_return r;
}

asio::awaitable<Response> AdminApi::Logout(const Request& req) {
  std::optional<std::string> token = BearerToken(req);
  if (!token || !service::LooksLikeSessionToken(*token)) token = CookieValue(req, "amur_session");
  if (token && service::LooksLikeSessionToken(*token)) {
    const std::string hash = Sha256Hex(*token);
    const std::function<Result<Unit>(StoreSession&)> job = [hash](StoreSession& s) -> Result<Unit> {
      s.DeleteSession(hash);
      return Unit{};
    };
    const Result<Unit> done = co_await WriteResult(*d_.db, "sign-out", job);
    if (!done) co_return ErrorResponse(done.error());
  }
  Response r;
  r.status = beast_http::status::no_content;
  r.headers.emplace_back("Set-Cookie", SessionCookie("", d_.secure_cookies, 0));
  r.headers.emplace_back("Cache-Control", "no-store");
  co_return r;
}

asio::awaitable<Response> AdminApi::Me(const Request& req) {
  Result<Caller> caller = co_await IdentifyCaller(d_, req, false);
  if (!caller) co_return ErrorResponse(caller.error());
  if (!caller->user) co_return ErrorResponse(MakeError(ErrorCode::kUnauthorized, "Not signed in."));
  json::object body;
  body["user"] = UserJson(*caller->user);
  body["csrf_token"] = caller->csrf_token;
  co_return JsonResponse(beast_http::status::ok, body);
}

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
  const std::function<Out(StoreSession&)> job = [moderation, cid, reporter_hash, network_hash, why,
                                                 text](StoreSession& s) {
    return moderation->Report(s, cid, reporter_hash, network_hash, why, text);
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
                                      "state must be pending, reported, rejected or spam.", "state"));
  }
  auto limit = ParseLimit(FirstParam(params, "limit"), 50);
  if (!limit) co_return ErrorResponse(limit.error());
  const std::string cursor = FirstParam(params, "cursor").value_or("");
  service::ModerationService* moderation = d_.moderation;
  const service::Queue q = *queue;
  const int n = *limit;
  const std::function<Result<service::QueuePage>(StoreSession&)> job =
      [moderation, q, n, cursor](StoreSession& s) { return moderation->ListQueue(s, q, n, cursor); };
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
    co_return ErrorResponse(MakeError(ErrorCode::kInvalidField,
                                      "action must be approve, reject or spam.", "action"));
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
      co_return ErrorResponse(MakeError(ErrorCode::kInvalidField,
                                        "expected_state must be pending, approved, rejected or spam.",
                                        "expected_state"));
    }
    pre.expected_state = *st;
  }
  auto seen_in = OptionalString(*obj, "queue");
  if (!seen_in) co_return ErrorResponse(seen_in.error());
  if (*seen_in) {
    auto q = service::ParseQueue(**seen_in);
    if (!q) {
      co_return ErrorResponse(MakeError(ErrorCode::kInvalidField,
                                        "queue must be pending, reported, rejected or spam.", "queue"));
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
    extra["comment"] = now ? json::value(ModeratedCommentJson(now->comment, now->page_key, &now->decided))
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
                                      "state must be pending, reported, rejected or spam.", "state"));
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
  const std::function<Out(StoreSession&)> job = [moderation, cid, days, why, actor](StoreSession& s) {
    return moderation->BanAuthor(s, cid, days, why, actor);
  };
  Out out = co_await WriteResult(*d_.db, "a ban", job);
  if (!out) co_return ErrorResponse(out.error());
  json::object ban = BanJson(*out);
  json::object body;
  body["ban"] = std::move(ban);
  co_return JsonResponse(beast_http::status::created, body);
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
    o["comment_id"] = e.comment_id ? json::value(FormatCommentId(*e.comment_id)) : json::value(nullptr);
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

namespace {

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

}  // namespace

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
  service::ModerationService* moderation = d_.moderation;
  const std::string key = *page;
  const std::optional<bool> c = *closed;
  const std::optional<bool> p = *premoderate;
  const User actor = *who;
  using Out = Result<service::PageSummary>;
  const std::function<Out(StoreSession&)> job = [moderation, key, c, p, actor](StoreSession& s) -> Out {
    auto set = moderation->SetPageFlags(s, key, c, p, actor);
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

namespace {

json::object TunablesJson(const moderation::Pipeline::Tunables& t, std::uint64_t examples) {
  json::object terms;
  terms["banned"] = t.banned;
  terms["suspect"] = t.suspect;
  terms["allow"] = t.allow;
  json::object o;
  o["terms"] = std::move(terms);
  o["max_links"] = t.max_links;
  o["hold_suspect"] = t.hold_suspect;
  o["hold_shouting"] = t.hold_shouting;
  o["classifier_threshold"] = t.classifier_threshold;
  o["classifier_examples"] = examples;
  return o;
}

}  // namespace

std::string SerializeTunables(const moderation::Pipeline::Tunables& t) {
  return json::serialize(TunablesJson(t, 0));
}

Result<moderation::Pipeline::Tunables> ApplyTunablesJson(moderation::Pipeline::Tunables t,
                                                         const json::object& o) {
  if (auto it = o.find("terms"); it != o.end() && !it->value().is_null()) {
    if (!it->value().is_object()) {
      return MakeError(ErrorCode::kInvalidField, "terms must be an object.", "terms");
    }
    const auto& terms = it->value().get_object();
    for (auto [name, target] : {std::pair{"banned", &t.banned}, std::pair{"suspect", &t.suspect},
                                std::pair{"allow", &t.allow}}) {
      auto v = OptionalString(terms, name);
      if (!v) return MakeError(ErrorCode::kInvalidField, v.error().message, "terms");
      if (*v) *target = **v;
    }
  }
  if (auto it = o.find("max_links"); it != o.end() && !it->value().is_null()) {
    if (!it->value().is_int64() || it->value().get_int64() < -1 || it->value().get_int64() > 1000) {
      return MakeError(ErrorCode::kInvalidField, "max_links must be a whole number from -1 to 1000.",
                       "max_links");
    }
    t.max_links = static_cast<int>(it->value().get_int64());
  }
  if (auto it = o.find("hold_suspect"); it != o.end() && !it->value().is_null()) {
    if (!it->value().is_bool()) {
      return MakeError(ErrorCode::kInvalidField, "hold_suspect must be true or false.", "hold_suspect");
    }
    t.hold_suspect = it->value().get_bool();
  }
  if (auto it = o.find("hold_shouting"); it != o.end() && !it->value().is_null()) {
    if (!it->value().is_bool()) {
      return MakeError(ErrorCode::kInvalidField, "hold_shouting must be true or false.",
                       "hold_shouting");
    }
    t.hold_shouting = it->value().get_bool();
  }
  if (auto it = o.find("classifier_threshold"); it != o.end() && !it->value().is_null()) {
    if (!it->value().is_number()) {
      return MakeError(ErrorCode::kInvalidField, "classifier_threshold must be a number.",
                       "classifier_threshold");
    }
    t.classifier_threshold = it->value().to_number<double>();
  }
  return t;
}

asio::awaitable<Response> AdminApi::GetSettings(const Request& req) {
  auto who = co_await RequireModerator(req, false);
  if (!who) co_return ErrorResponse(who.error());
  co_return JsonResponse(beast_http::status::ok,
                         TunablesJson(d_.pipeline->CurrentTunables(), d_.pipeline->ExamplesSeen()));
}

asio::awaitable<Response> AdminApi::PutSettings(const Request& req) {
  auto who = co_await RequireModerator(req, true);
  if (!who) co_return ErrorResponse(who.error());
  if (who->role != Role::kAdmin) {
    co_return ErrorResponse(MakeError(ErrorCode::kNotAllowed, "Only admins may change settings."));
  }
  auto obj = JsonBody(req);
  if (!obj) co_return ErrorResponse(obj.error());
  auto next = ApplyTunablesJson(d_.pipeline->CurrentTunables(), *obj);
  if (!next) co_return ErrorResponse(next.error());
  moderation::Pipeline* pipeline = d_.pipeline;
  service::ModerationService* moderation = d_.moderation;
  const moderation::Pipeline::Tunables t = *next;
  const User actor = *who;
  using Out = Result<Unit>;
  // Validated and applied on the writer thread, persisted in the same commit.
  const std::function<Out(StoreSession&)> job = [pipeline, moderation, t, actor](StoreSession& s) -> Out {
    // Still an active admin now, not only when the request was authenticated.
    if (auto still = service::RecheckActor(s, actor, Role::kAdmin); !still) return still.error();
    const auto before = pipeline->CurrentTunables();
    if (auto st = pipeline->SetTunables(t); !st) return st.error();
    try {
      s.PutSetting("moderation_tunables", SerializeTunables(t));
      const AuditEntry audited =
          moderation->Audit(s, actor.name, "settings", std::nullopt, "term lists and thresholds");
      service::EventDraft changed;
      changed.type = service::event_type::kSettingsChanged;
      changed.actor = service::UserActor(actor.id);
      changed.visibility = EventVisibility::kStaff;
      changed.data["what"] = "moderation";
      service::RecordEvent(s, audited.at, changed);
    } catch (...) {
      (void)pipeline->SetTunables(before);
      throw;
    }
    return Unit{};
  };
  Out out = co_await WriteResult(*d_.db, "settings change", job);
  if (!out) co_return ErrorResponse(out.error());
  co_return JsonResponse(beast_http::status::ok,
                         TunablesJson(d_.pipeline->CurrentTunables(), d_.pipeline->ExamplesSeen()));
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
  Response r = JsonResponse(beast_http::status::ok, body);
  r.headers.emplace_back("Cache-Control", "no-store");
  co_return r;
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

asio::awaitable<Response> AdminApi::ListUsers(const Request& req, Params params) {
  auto who = co_await RequireAdmin(req, false);
  if (!who) co_return ErrorResponse(who.error());
  auto limit = ParseLimit(FirstParam(params, "limit"), 50);
  if (!limit) co_return ErrorResponse(limit.error());
  const std::string cursor = FirstParam(params, "cursor").value_or("");
  service::AccountService* accounts = d_.accounts;
  const int n = *limit;
  using Out = Result<service::UsersPage>;
  const std::function<Out(StoreSession&)> job = [accounts, n, cursor](StoreSession& s) {
    return accounts->ListUsers(s, n, cursor);
  };
  Out out = co_await ReadResult(*d_.db, "accounts list", job);
  if (!out) co_return ErrorResponse(out.error());
  json::array users;
  for (const auto& u : out->users) users.push_back(AccountJson(u));
  json::object body;
  body["users"] = std::move(users);
  body["next_cursor"] = out->next_cursor ? json::value(*out->next_cursor) : json::value(nullptr);
  co_return JsonResponse(beast_http::status::ok, body);
}

asio::awaitable<Response> AdminApi::AddUser(const Request& req) {
  auto who = co_await RequireAdmin(req, true);
  if (!who) co_return ErrorResponse(who.error());
  auto obj = JsonBody(req);
  if (!obj) co_return ErrorResponse(obj.error());
  auto email = RequiredString(*obj, "email");
  if (!email) co_return ErrorResponse(email.error());
  auto name = RequiredString(*obj, "name");
  if (!name) co_return ErrorResponse(name.error());
  auto role_text = RequiredString(*obj, "role");
  if (!role_text) co_return ErrorResponse(role_text.error());
  auto role = ParseRoleField(*role_text);
  if (!role) co_return ErrorResponse(role.error());
  auto password = RequiredString(*obj, "password");
  if (!password) co_return ErrorResponse(password.error());
  service::AccountService* accounts = d_.accounts;
  service::ModerationService* moderation = d_.moderation;
  const std::string e = *email;
  const std::string n = *name;
  const Role r = *role;
  const std::string p = *password;
  // Validated and hashed (slow on purpose) on a reader thread, outside the write.
  const std::function<Result<User>(StoreSession&)> prepare = [accounts, e, n, r,
                                                              p](StoreSession&) {
    return accounts->PrepareUser(e, n, r, p);
  };
  Result<User> prepared = co_await ReadResult(*d_.db, "preparing an account", prepare);
  if (!prepared) co_return ErrorResponse(prepared.error());
  const User fresh = *prepared;
  const User actor = *who;
  const std::function<Result<User>(StoreSession&)> insert = [accounts, moderation, fresh,
                                                             actor](StoreSession& s) -> Result<User> {
    // Still an active admin now, not only when the request was authenticated.
    if (auto still = service::RecheckActor(s, actor, Role::kAdmin); !still) return still.error();
    auto added = accounts->InsertUser(s, fresh);
    if (!added) return added.error();
    const AuditEntry audited =
        moderation->Audit(s, actor.name, "add_user", std::nullopt,
                          "u" + std::to_string(added->id) + " " + added->name + " as " +
                              RoleName(added->role));
    service::RecordEvent(s, audited.at, service::UserEvent(service::event_type::kUserCreated, *added,
                                                          service::UserActor(actor.id)));
    return added;
  };
  Result<User> added = co_await WriteResult(*d_.db, "adding an account", insert);
  if (!added) co_return ErrorResponse(added.error());
  json::object body;
  body["user"] = AccountJson(*added);
  Response resp = JsonResponse(beast_http::status::created, body);
  resp.headers.emplace_back("Location", "/api/v1/admin/users/u" + std::to_string(added->id));
  co_return resp;
}

asio::awaitable<Response> AdminApi::UpdateUser(const Request& req, std::string id_text) {
  auto who = co_await RequireAdmin(req, true);
  if (!who) co_return ErrorResponse(who.error());
  auto id = ParseUserId(id_text);
  if (!id) co_return ErrorResponse(MakeError(ErrorCode::kNotFound, "No such account."));
  auto obj = JsonBody(req);
  if (!obj) co_return ErrorResponse(obj.error());
  auto role_text = OptionalString(*obj, "role");
  if (!role_text) co_return ErrorResponse(role_text.error());
  std::optional<Role> role;
  if (*role_text) {
    auto parsed = ParseRoleField(**role_text);
    if (!parsed) co_return ErrorResponse(parsed.error());
    role = *parsed;
  }
  auto disabled = OptionalBool(*obj, "disabled");
  if (!disabled) co_return ErrorResponse(disabled.error());
  if (!role && !*disabled) {
    co_return ErrorResponse(
        MakeError(ErrorCode::kMissingField, "Send role, disabled or both.", "role"));
  }
  service::AccountService* accounts = d_.accounts;
  service::ModerationService* moderation = d_.moderation;
  const std::int64_t uid = *id;
  const std::optional<bool> dis = *disabled;
  const User actor = *who;
  const std::function<Result<User>(StoreSession&)> job = [accounts, moderation, uid, role, dis,
                                                          actor](StoreSession& s) -> Result<User> {
    // Still an active admin now, not only when the request was authenticated.
    if (auto still = service::RecheckActor(s, actor, Role::kAdmin); !still) return still.error();
    auto before = s.FindUserById(uid);
    auto updated = accounts->UpdateUser(s, uid, role, dis, actor);
    if (!updated) return updated.error();
    std::string what = "u" + std::to_string(updated->id) + " " + updated->name + ":";
    if (before && before->role != updated->role) {
      what += std::string(" role ") + RoleName(before->role) + " to " + RoleName(updated->role);
    }
    if (before && before->disabled != updated->disabled) {
      what += updated->disabled ? " disabled" : " enabled";
    }
    if (what.back() == ':') what += " unchanged";
    const AuditEntry audited = moderation->Audit(s, actor.name, "update_user", std::nullopt, what);
    service::RecordEvent(s, audited.at, service::UserEvent(service::event_type::kUserChanged, *updated,
                                                          service::UserActor(actor.id)));
    return updated;
  };
  Result<User> updated = co_await WriteResult(*d_.db, "updating an account", job);
  if (!updated) co_return ErrorResponse(updated.error());
  json::object body;
  body["user"] = AccountJson(*updated);
  co_return JsonResponse(beast_http::status::ok, body);
}

}  // namespace amur::http::api
