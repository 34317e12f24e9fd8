#include "http/api/comments_api.hpp"

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <charconv>

#include "core/network_key.hpp"
#include "http/api/admin_api.hpp"
#include "http/api/comment_json.hpp"
#include "http/api/responses.hpp"
#include "http/db_await.hpp"
#include "http/error_mapping.hpp"
#include "http/posting.hpp"
#include "http/routes.hpp"
#include "notify/mail_message.hpp"

namespace amur::http::api {

namespace asio = boost::asio;
namespace json = boost::json;
using service::CommentService;
using store::StoreSession;

namespace {

Result<CommentId> ParseId(const std::string& text) {
  auto id = ParseCommentId(text);
  if (!id) return MakeError(ErrorCode::kNotFound, "No such comment.");
  return *id;
}

bool ValidVoterId(std::string_view v) {
  if (v.size() < 8 || v.size() > 128) return false;
  for (char c : v) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

CommentsApi::CommentsApi(HttpDeps& deps) : d_(deps) {
  Metrics& m = *d_.metrics;
  cache_hits_ = &m.AddCounter("amur_thread_cache_total", "Thread reads by cache outcome.",
                              "outcome=\"hit\"");
  cache_misses_ = &m.AddCounter("amur_thread_cache_total", "Thread reads by cache outcome.",
                                "outcome=\"miss\"");
  not_modified_ = &m.AddCounter("amur_thread_cache_total", "Thread reads by cache outcome.",
                                "outcome=\"not_modified\"");
  posted_ = &m.AddCounter("amur_comments_posted_total", "Comments accepted.", "");
  rate_limited_ = &m.AddCounter("amur_rate_limited_total", "Posts refused by the rate limit.", "");
  ResponseCache* cache = d_.cache;
  m.AddGauge("amur_thread_cache_bytes", "Bytes held by the thread cache.",
             [cache] { return static_cast<double>(cache->Bytes()); });
}

asio::awaitable<Response> CommentsApi::List(const Request& req, const Params& params) {
  auto page = FirstParam(params, "page");
  if (!page) {
    co_return ErrorResponse(MakeError(ErrorCode::kMissingField, "page is required.", "page"));
  }
  if (auto st = service::ValidatePageKey(*page, "page"); !st) co_return ErrorResponse(st.error());
  service::ThreadQuery q;
  q.page_key = *page;
  if (auto sort = FirstParam(params, "sort")) {
    auto parsed = service::ParseSortOrder(*sort);
    if (!parsed) {
      co_return ErrorResponse(MakeError(ErrorCode::kInvalidField,
                                        "sort must be oldest, newest or votes.", "sort"));
    }
    q.sort = *parsed;
  }
  auto limit = ParseLimit(FirstParam(params, "limit"), service::kDefaultLimit);
  if (!limit) co_return ErrorResponse(limit.error());
  q.limit = *limit;
  q.cursor = FirstParam(params, "cursor").value_or("");
  if (auto filter = FirstParam(params, "filter")) {
    if (*filter == "inline") {
      q.inline_only = true;
    } else if (!filter->empty()) {
      co_return ErrorResponse(
          MakeError(ErrorCode::kInvalidField, "filter must be 'inline' when given.", "filter"));
    }
  }

  std::string key;
  key.reserve(q.page_key.size() + q.cursor.size() + 24);
  key += "c|";
  key += service::SortOrderName(q.sort);
  key += '|';
  key += std::to_string(q.limit);
  key += q.inline_only ? "|i|" : "|a|";
  key += q.cursor;
  key += '|';
  key += q.page_key;

  const std::int64_t seen = SeenSeq(req);
  auto cached = d_.NodeBehind(seen) ? nullptr : d_.cache->Get(key, q.page_key);
  if (!cached) {
    cache_misses_->Inc();
    const std::uint64_t generation = d_.cache->Generation(q.page_key);
    CommentService* svc = d_.comments;
    const std::function<Result<std::shared_ptr<const CachedAnswer>>(StoreSession&)> job1 = [svc, q](StoreSession& s) -> Result<std::shared_ptr<const CachedAnswer>> {
          auto page = svc->ListThread(s, q);
          if (!page) return page.error();
          auto answer = std::make_shared<CachedAnswer>();
          answer->body = json::serialize(ThreadPageJson(*page, q.page_key));
          answer->etag = MakeEtag(answer->body);
          answer->content_type = "application/json";
          return std::shared_ptr<const CachedAnswer>(std::move(answer));
        };
    Result<std::shared_ptr<const CachedAnswer>> computed =
        co_await RoutedReadResult(*d_.db, "listing", seen, job1);
    if (!computed) co_return ErrorResponse(computed.error());
    cached = *computed;
    d_.cache->Put(key, q.page_key, generation, cached);
  } else {
    cache_hits_->Inc();
  }
  Response r;
  r.content_type = cached->content_type;
  r.headers.emplace_back("ETag", cached->etag);
  r.headers.emplace_back("Cache-Control", "no-cache");
  const std::string_view inm = Header(req, "If-None-Match");
  if (!inm.empty() && (inm == cached->etag || inm == "W/" + cached->etag || inm == "*")) {
    not_modified_->Inc();
    r.status = beast_http::status::not_modified;
    r.content_type.clear();
    co_return r;
  }
  r.cached = std::move(cached);
  co_return r;
}

asio::awaitable<Response> CommentsApi::Create(const Request& req, std::string client) {
  auto obj = JsonBody(req);
  if (!obj) co_return ErrorResponse(obj.error());
  service::PostRequest p;
  {
    auto page = RequiredString(*obj, "page");
    if (!page) co_return ErrorResponse(page.error());
    p.page_key = std::move(*page);
    auto body = RequiredString(*obj, "body");
    if (!body) co_return ErrorResponse(body.error());
    p.body = std::move(*body);
    for (auto [field, target] : {std::pair{"page_title", &p.page_title},
                                 std::pair{"page_url", &p.page_url},
                                 std::pair{"parent_id", &p.parent_id},
                                 std::pair{"author_name", &p.author_name},
                                 std::pair{"author_email", &p.author_email}}) {
      auto v = OptionalString(*obj, field);
      if (!v) co_return ErrorResponse(v.error());
      *target = std::move(*v);
    }
    if (auto it = obj->find("quote"); it != obj->end() && !it->value().is_null()) {
      if (!it->value().is_object()) {
        co_return ErrorResponse(
            MakeError(ErrorCode::kInvalidField, "quote must be an object.", "quote"));
      }
      const auto& qo = it->value().get_object();
      auto exact = RequiredString(qo, "exact");
      auto prefix = OptionalString(qo, "prefix");
      auto suffix = OptionalString(qo, "suffix");
      if (!exact || !prefix || !suffix) {
        co_return ErrorResponse(MakeError(
            ErrorCode::kInvalidField, "quote needs a string 'exact' and optional string 'prefix' and 'suffix'.",
            "quote"));
      }
      p.quote = Quote{*exact, prefix->value_or(""), suffix->value_or("")};
    }
    if (auto it = obj->find("position"); it != obj->end() && !it->value().is_null()) {
      const json::object* po = it->value().if_object();
      const json::value* start = po ? po->if_contains("start") : nullptr;
      const json::value* end = po ? po->if_contains("end") : nullptr;
      if (!start || !end || !start->is_int64() || !end->is_int64()) {
        co_return ErrorResponse(MakeError(ErrorCode::kInvalidField,
                                          "position needs integer 'start' and 'end'.", "position"));
      }
      p.position = TextPosition{start->as_int64(), end->as_int64()};
    }
  }
  bool notify_replies = false;
  if (auto it = obj->find("notify_replies"); it != obj->end() && !it->value().is_null()) {
    if (!it->value().is_bool()) {
      co_return ErrorResponse(MakeError(ErrorCode::kInvalidField,
                                        "notify_replies must be true or false.", "notify_replies"));
    }
    notify_replies = it->value().get_bool();
  }
  p.client_address = client;
  auto caller = co_await IdentifyCaller(d_, req, true);
  if (!caller) co_return ErrorResponse(caller.error());
  p.member = caller->user;
  // "Notify me of replies": a replies subscription made with the comment.
  std::optional<service::SubscribeRequest> subscribe;
  if (notify_replies) {
    if (!d_.subscriptions || !d_.subscriptions->config().enabled) {
      co_return ErrorResponse(MakeError(ErrorCode::kNotAllowed,
                                        "Email notifications are not enabled on this server.",
                                        "notify_replies"));
    }
    service::SubscribeRequest r;
    r.kind = "replies";
    r.member = p.member;
    if (!p.member) {
      const std::string given = p.author_email.value_or("");
      if (given.empty()) {
        co_return ErrorResponse(MakeError(ErrorCode::kMissingField,
                                          "Give an email address to be told of replies.",
                                          "author_email"));
      }
      auto address = notify::NormalizeMailAddress(given);
      if (!address) {
        co_return ErrorResponse(MakeError(
            ErrorCode::kInvalidField,
            "author_email must be one plain address such as name@example.com to be told of "
            "replies.",
            "author_email"));
      }
      r.email = *address;
    }
    subscribe = std::move(r);
  }
  // The page's title and URL are taken only from the sites that embed Amur,
  // and from moderators (issue 12, finding 7): a script or a stranger's page
  // cannot name an article. From a site, the URL must point into an allowed one.
  const std::string_view origin = Header(req, "Origin");
  const bool from_site = !origin.empty() && d_.NamesOrigin(origin);
  const bool staff = p.member && p.member->role != Role::kMember;
  p.page_details_trusted = from_site || staff;
  if (from_site && !staff && p.page_url && !p.page_url->empty() &&
      !d_.NamesOrigin(UrlOrigin(*p.page_url))) {
    co_return ErrorResponse(
        MakeError(ErrorCode::kInvalidField,
                  "page_url must be on one of the sites allowed to embed comments.", "page_url"));
  }

  const auto decision = d_.post_limiter->Acquire(client);
  if (!decision.allowed) {
    rate_limited_->Inc();
    Response r = ErrorResponse(MakeError(
        ErrorCode::kRateLimited, "You are posting too fast; please wait a moment and try again."));
    r.headers.emplace_back("Retry-After", std::to_string(decision.retry_after_seconds));
    co_return r;
  }
  Result<service::PostOutcome> out =
      co_await PostComment(d_, std::move(p), "posting", std::move(subscribe));
  if (!out) {
    d_.post_limiter->Release(client, decision.slot);
    co_return ErrorResponse(out.error());
  }
  posted_->Inc();
  json::object body;
  body["comment"] = CommentJson(out->comment, out->page_key);
  body["edit_token"] = out->edit_token;
  const bool held = out->comment.state == CommentState::kPending;
  Response r = JsonResponse(held ? beast_http::status::accepted : beast_http::status::created, body);
  r.headers.emplace_back("Location", "/api/v1/comments/" + FormatCommentId(out->comment.id));
  co_return r;
}

asio::awaitable<Result<service::Credential>> CommentsApi::Credentials(const Request& req) {
  service::Credential who;
  if (auto bearer = BearerToken(req); bearer && !service::LooksLikeSessionToken(*bearer)) {
    who.bearer_token = std::move(bearer);
    co_return who;
  }
  Result<Caller> caller = co_await IdentifyCaller(d_, req, true);
  if (!caller) co_return caller.error();
  who.user = caller->user;
  co_return who;
}

asio::awaitable<Response> CommentsApi::Edit(const Request& req, std::string id_text) {
  auto id = ParseId(id_text);
  if (!id) co_return ErrorResponse(id.error());
  auto obj = JsonBody(req);
  if (!obj) co_return ErrorResponse(obj.error());
  auto body = RequiredString(*obj, "body");
  if (!body) co_return ErrorResponse(body.error());
  auto who = co_await Credentials(req);
  if (!who) co_return ErrorResponse(who.error());
  CommentService* svc = d_.comments;
  const CommentId cid = *id;
  std::string text = std::move(*body);
  // The screening runs here, on a reader thread; the write job only applies it.
  const std::function<Result<service::PreparedEdit>(StoreSession&)> prep3 =
      [svc, cid, who = *who, text](StoreSession& s) { return svc->PrepareEdit(s, cid, who, text); };
  Result<service::PreparedEdit> prepared = co_await ReadResult(*d_.db, "editing", prep3);
  if (!prepared) co_return ErrorResponse(prepared.error());
  auto shared = std::make_shared<const service::PreparedEdit>(std::move(*prepared));
  const std::function<Result<service::EditOutcome>(StoreSession&)> job3 =
      [svc, cid, who = *who, shared](StoreSession& s) {
        return svc->StoreEdit(s, cid, who, *shared);
      };
  Result<service::EditOutcome> out = co_await WriteResult(*d_.db, "editing", job3);
  if (!out) co_return ErrorResponse(out.error());
  co_return JsonResponse(beast_http::status::ok, CommentJson(out->comment, out->page_key));
}

asio::awaitable<Response> CommentsApi::Delete(const Request& req, std::string id_text) {
  auto id = ParseId(id_text);
  if (!id) co_return ErrorResponse(id.error());
  auto who = co_await Credentials(req);
  if (!who) co_return ErrorResponse(who.error());
  CommentService* svc = d_.comments;
  const CommentId cid = *id;
  const std::function<Result<service::DeleteOutcome>(StoreSession&)> job4 =
      [svc, cid, who = *who](StoreSession& s) { return svc->Delete(s, cid, who); };
  Result<service::DeleteOutcome> out = co_await WriteResult(*d_.db, "deleting", job4);
  if (!out) co_return ErrorResponse(out.error());
  Response r;
  r.status = beast_http::status::no_content;
  co_return r;
}

asio::awaitable<Response> CommentsApi::Versions(std::string id_text) {
  auto id = ParseId(id_text);
  if (!id) co_return ErrorResponse(id.error());
  CommentService* svc = d_.comments;
  const CommentId cid = *id;
  const std::function<Result<std::vector<service::PublicVersion>>(StoreSession&)> job5 =
      [svc, cid](StoreSession& s) { return svc->Versions(s, cid); };
  Result<std::vector<service::PublicVersion>> out = co_await ReadResult(*d_.db, "versions", job5);
  if (!out) co_return ErrorResponse(out.error());
  co_return JsonResponse(beast_http::status::ok, VersionsJson(*out));
}

asio::awaitable<Response> CommentsApi::Vote(const Request& req, std::string id_text,
                                            std::string client) {
  auto id = ParseId(id_text);
  if (!id) co_return ErrorResponse(id.error());
  auto obj = JsonBody(req);
  if (!obj) co_return ErrorResponse(obj.error());
  auto it = obj->find("value");
  if (it == obj->end() || it->value().is_null()) {
    co_return ErrorResponse(MakeError(ErrorCode::kMissingField, "value is required.", "value"));
  }
  int value = 2;
  const auto& v = it->value();
  if (v.is_int64() && v.get_int64() >= -1 && v.get_int64() <= 1) {
    value = static_cast<int>(v.get_int64());
  } else if (v.is_uint64() && v.get_uint64() <= 1) {
    value = static_cast<int>(v.get_uint64());
  }
  if (value == 2) {
    co_return ErrorResponse(
        MakeError(ErrorCode::kInvalidField, "value must be 1, -1 or 0.", "value"));
  }
  // Identity: X-Amur-Voter wins over the cookie; a new id when neither.
  std::string voter(Header(req, "X-Amur-Voter"));
  bool set_cookie = false;
  if (!voter.empty()) {
    if (!ValidVoterId(voter)) {
      co_return ErrorResponse(MakeError(ErrorCode::kInvalidField,
                                        "X-Amur-Voter must be 8 to 128 letters, digits, - or _.",
                                        "X-Amur-Voter"));
    }
  } else if (auto cookie = CookieValue(req, "amur_voter"); cookie && ValidVoterId(*cookie)) {
    voter = *cookie;
  } else {
    voter = RandomToken(*d_.random, 18);
    set_cookie = true;
  }
  const std::string voter_hash = Sha256Hex("amur-voter:" + voter);
  CommentService* svc = d_.comments;
  const CommentId cid = *id;
  const service::VoteRequest ballot{cid, voter_hash,
                                    Sha256Hex("amur-voter-net:" + NetworkKey(client)), value};
  const std::function<Result<service::VoteOutcome>(StoreSession&)> job6 =
      [svc, ballot](StoreSession& s) { return svc->Vote(s, ballot); };
  Result<service::VoteOutcome> out = co_await WriteResult(*d_.db, "voting", job6);
  if (!out) co_return ErrorResponse(out.error());
  json::object body;
  body["upvotes"] = out->upvotes;
  body["downvotes"] = out->downvotes;
  body["score"] = out->upvotes - out->downvotes;
  body["my_vote"] = out->my_vote;
  body["voter_id"] = voter;
  Response r = JsonResponse(beast_http::status::ok, body);
  if (set_cookie) {
    // Secure behind https, as the session cookie (issue 12, finding 7).
    r.headers.emplace_back("Set-Cookie", "amur_voter=" + voter +
                                             "; Path=/; Max-Age=63072000; HttpOnly; SameSite=Lax" +
                                             (d_.secure_cookies ? "; Secure" : ""));
  }
  co_return r;
}

asio::awaitable<Response> CommentsApi::Counts(const Request& req, const Params& params) {
  auto keys = AllParams(params, "page");
  if (keys.empty()) {
    co_return ErrorResponse(
        MakeError(ErrorCode::kMissingField, "Name at least one page.", "page"));
  }
  if (keys.size() > service::kMaxCountPages) {
    co_return ErrorResponse(
        MakeError(ErrorCode::kInvalidField, "Ask for at most 100 pages at once.", "page"));
  }
  for (const auto& k : keys) {
    if (auto st = service::ValidatePageKey(k, "page"); !st) co_return ErrorResponse(st.error());
  }
  CommentService* svc = d_.comments;
  using Counts = std::map<std::string, std::int64_t>;
  const std::function<Result<Counts>(StoreSession&)> job7 =
      [svc, keys](StoreSession& s) -> Result<Counts> { return svc->Counts(s, keys); };
  Result<Counts> counts = co_await RoutedReadResult(*d_.db, "counts", SeenSeq(req), job7);
  if (!counts) co_return ErrorResponse(counts.error());
  json::object c;
  for (const auto& [k, n] : *counts) c[k] = n;
  json::object body;
  body["counts"] = std::move(c);
  Response r = JsonResponse(beast_http::status::ok, body);
  r.headers.back().second = "no-cache";
  co_return r;
}

asio::awaitable<Response> CommentsApi::Verify(const Params& params) {
  auto page = FirstParam(params, "page");
  if (!page) {
    co_return ErrorResponse(MakeError(ErrorCode::kMissingField, "page is required.", "page"));
  }
  if (auto st = service::ValidatePageKey(*page, "page"); !st) co_return ErrorResponse(st.error());
  CommentService* svc = d_.comments;
  const std::string key = *page;
  const std::function<Result<service::PageVerification>(StoreSession&)> job8 =
      [svc, key](StoreSession& s) -> Result<service::PageVerification> {
    return svc->VerifyPage(s, key);
  };
  Result<service::PageVerification> v = co_await ReadResult(*d_.db, "verifying a page", job8);
  if (!v) co_return ErrorResponse(v.error());
  // A failure found here (say, the database file changed behind the server's
  // back) must show in the thread's hash line too, which may be cached.
  if (!v->verified && d_.cache) d_.cache->Invalidate(key);
  json::object body;
  body["status"] = v->verified ? "verified" : "failed";
  body["head"] = v->head;
  json::array failed;
  for (CommentId id : v->failed_ids) failed.push_back(json::value(FormatCommentId(id)));
  body["failed_ids"] = std::move(failed);
  json::array erased;
  for (CommentId id : v->erased_ids) erased.push_back(json::value(FormatCommentId(id)));
  body["erased_ids"] = std::move(erased);
  co_return JsonResponse(beast_http::status::ok, body);
}

asio::awaitable<Response> CommentsApi::Head(const Params& params) {
  auto page = FirstParam(params, "page");
  if (!page) {
    co_return ErrorResponse(MakeError(ErrorCode::kMissingField, "page is required.", "page"));
  }
  if (auto st = service::ValidatePageKey(*page, "page"); !st) co_return ErrorResponse(st.error());
  CommentService* svc = d_.comments;
  const std::string key = *page;
  using Out = Result<std::pair<std::string, std::int64_t>>;
  const std::function<Out(StoreSession&)> job = [svc, key](StoreSession& s) -> Out {
    return svc->PageHead(s, key);
  };
  Out head = co_await ReadResult(*d_.db, "reading a page's chain head", job);
  if (!head) co_return ErrorResponse(head.error());
  json::object body;
  body["head"] = head->first;
  body["length"] = head->second;
  Response r = JsonResponse(beast_http::status::ok, body);
  r.headers.back().second = "no-cache";
  co_return r;
}

asio::awaitable<Response> CommentsApi::Health() {
  bool ok = false;
  try {
    const std::function<bool(StoreSession&)> job9 = [](StoreSession& s) { return s.Ping(); };
    ok = std::move((co_await OnReader<bool>(*d_.db, job9)).value());
  } catch (const std::exception&) {
    ok = false;
  }
  Response r;
  r.status = ok ? beast_http::status::ok : beast_http::status::service_unavailable;
  r.content_type = "text/plain; charset=utf-8";
  r.body = ok ? "ok" : "unavailable";
  r.headers.emplace_back("Cache-Control", "no-store");
  co_return r;
}

}  // namespace amur::http::api
