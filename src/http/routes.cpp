#include "http/routes.hpp"

#include <boost/asio/this_coro.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <chrono>

#include "http/api/admin_api.hpp"
#include "http/api/comment_json.hpp"
#include "http/api/comments_api.hpp"
#include "http/error_mapping.hpp"
#include "http/html/pages.hpp"
#include "http/request_parsing.hpp"
#include "http/web_assets.hpp"
#include "http/widget_assets.hpp"

namespace amur::http {

namespace asio = boost::asio;
using beast_http::verb;

namespace {

enum class RouteId {
  kComments,
  kComment,
  kVersions,
  kVotes,
  kCounts,
  kVerify,
  kHealth,
  kMetrics,
  kThreadPage,
  kDemo,
  kRoot,
  kAsset,
  kWidget,
  kReports,
  kLogin,
  kLogout,
  kMe,
  kAdminQueue,
  kAdminDecision,
  kAdminBans,
  kAdminAudit,
  kAdminDesk,
  kAdminPages,
  kAdminPin,
  kAdminSettings,
  kAdminBan,
  kAdminQueueCounts,
  kAdminQueueStatus,
  kAdminUsers,
  kAdminUser,
  kAdminEvents,
  kAdminWebhooks,
  kAdminWebhookTest,
  kAdminWebhookSecret,
  kUnknown,
};

constexpr const char* kRouteNames[] = {"comments", "comment", "versions", "votes",  "counts",
                                       "verify",   "healthz", "metrics",  "thread", "demo",
                                       "root",     "asset",   "widget",  "reports", "login",
                                       "logout",   "me",      "admin_queue", "admin_decision",
                                       "admin_bans", "admin_audit", "admin_desk", "admin_pages",
                                       "admin_pin", "admin_settings", "admin_ban",
                                       "admin_queue_counts", "admin_queue_status", "admin_users", "admin_user", "admin_events", "admin_webhooks", "admin_webhook_test", "admin_webhook_secret", "unknown"};

struct Match {
  RouteId id = RouteId::kUnknown;
  std::string arg;  // {id} or the asset name
};

Match MatchPath(std::string_view path) {
  constexpr std::string_view kComments = "/api/v1/comments";
  if (path == kComments) return {RouteId::kComments, {}};
  if (path.rfind("/api/v1/comments/", 0) == 0) {
    std::string_view rest = path.substr(kComments.size() + 1);
    const auto slash = rest.find('/');
    std::string id(rest.substr(0, slash));
    if (id.empty()) return {};
    if (slash == std::string_view::npos) return {RouteId::kComment, id};
    const std::string_view tail = rest.substr(slash);
    if (tail == "/versions") return {RouteId::kVersions, id};
    if (tail == "/votes") return {RouteId::kVotes, id};
    if (tail == "/reports") return {RouteId::kReports, id};
    return {};
  }
  if (path == "/api/v1/counts") return {RouteId::kCounts, {}};
  if (path == "/api/v1/auth/login") return {RouteId::kLogin, {}};
  if (path == "/api/v1/auth/logout") return {RouteId::kLogout, {}};
  if (path == "/api/v1/auth/me") return {RouteId::kMe, {}};
  if (path == "/api/v1/admin/queue") return {RouteId::kAdminQueue, {}};
  if (path == "/api/v1/admin/queue/counts") return {RouteId::kAdminQueueCounts, {}};
  if (path == "/api/v1/admin/queue/status") return {RouteId::kAdminQueueStatus, {}};
  if (path == "/api/v1/admin/users") return {RouteId::kAdminUsers, {}};
  if (path.rfind("/api/v1/admin/users/", 0) == 0 && path.size() > 20 &&
      path.find('/', 20) == std::string_view::npos) {
    return {RouteId::kAdminUser, std::string(path.substr(20))};
  }
  if (path == "/api/v1/admin/bans") return {RouteId::kAdminBans, {}};
  if (path == "/api/v1/admin/audit") return {RouteId::kAdminAudit, {}};
  if (path == "/api/v1/admin/events") return {RouteId::kAdminEvents, {}};
  if (path == "/api/v1/admin/webhooks") return {RouteId::kAdminWebhooks, {}};
  if (path == "/api/v1/admin/webhooks/test") return {RouteId::kAdminWebhookTest, {}};
  if (path == "/api/v1/admin/webhooks/secret") return {RouteId::kAdminWebhookSecret, {}};
  if (path == "/api/v1/admin/pages") return {RouteId::kAdminPages, {}};
  if (path == "/api/v1/admin/settings") return {RouteId::kAdminSettings, {}};
  if (path.rfind("/api/v1/admin/bans/", 0) == 0 && path.size() > 19 &&
      path.find('/', 19) == std::string_view::npos) {
    return {RouteId::kAdminBan, std::string(path.substr(19))};
  }
  constexpr std::string_view kAdminComments = "/api/v1/admin/comments/";
  if (path.rfind(kAdminComments, 0) == 0) {
    const std::string_view rest = path.substr(kAdminComments.size());
    const auto slash = rest.find('/');
    if (slash != std::string_view::npos && slash > 0 && rest.substr(slash) == "/decision") {
      return {RouteId::kAdminDecision, std::string(rest.substr(0, slash))};
    }
    if (slash != std::string_view::npos && slash > 0 && rest.substr(slash) == "/pin") {
      return {RouteId::kAdminPin, std::string(rest.substr(0, slash))};
    }
    return {};
  }
  if (path == "/api/v1/pages/verify") return {RouteId::kVerify, {}};
  if (path == "/healthz") return {RouteId::kHealth, {}};
  if (path == "/metrics") return {RouteId::kMetrics, {}};
  if (path == "/t") return {RouteId::kThreadPage, {}};
  if (path == "/demo") return {RouteId::kDemo, {}};
  if (path == "/admin") return {RouteId::kAdminDesk, {}};
  if (path == "/") return {RouteId::kRoot, {}};
  if (path.rfind("/assets/", 0) == 0) return {RouteId::kAsset, std::string(path.substr(8))};
  if (path == "/embed.js" || path == "/embed.css") return {RouteId::kWidget, std::string(path.substr(1))};
  return {};
}

// The methods each route answers; anything else is 405.
std::vector<verb> AllowedMethods(RouteId id) {
  switch (id) {
    case RouteId::kComments: return {verb::get, verb::post};
    case RouteId::kComment: return {verb::patch, verb::delete_};
    case RouteId::kVotes: return {verb::post};
    case RouteId::kReports: return {verb::post};
    case RouteId::kLogin: return {verb::post};
    case RouteId::kLogout: return {verb::post};
    case RouteId::kAdminDecision: return {verb::post};
    case RouteId::kAdminBans: return {verb::get, verb::post};
    case RouteId::kAdminBan: return {verb::delete_};
    case RouteId::kAdminPages: return {verb::get, verb::post};
    case RouteId::kAdminUsers: return {verb::get, verb::post};
    case RouteId::kAdminUser: return {verb::patch};
    case RouteId::kAdminPin: return {verb::post};
    case RouteId::kAdminSettings: return {verb::get, verb::put};
    case RouteId::kAdminWebhooks: return {verb::get, verb::put};
    case RouteId::kAdminWebhookTest: return {verb::post};
    case RouteId::kAdminWebhookSecret: return {verb::post};
    case RouteId::kThreadPage: return {verb::get, verb::post};
    case RouteId::kUnknown: return {};
    default: return {verb::get};
  }
}

std::string AllowHeader(const std::vector<verb>& methods) {
  std::string out;
  for (verb v : methods) {
    if (!out.empty()) out += ", ";
    out += std::string(beast_http::to_string(v));
  }
  if (!out.empty()) out += ", OPTIONS";
  return out;
}

}  // namespace

struct Routes::Impl {
  explicit Impl(HttpDeps deps)
      : d(std::move(deps)), widget(WidgetOptions{d.edit_window_seconds}) {
    Metrics& m = *d.metrics;
    for (std::size_t r = 0; r < std::size(kRouteNames); ++r) {
      latency[r] = &m.AddHistogram("amur_http_request_duration_seconds",
                                   "Time to answer an HTTP request.",
                                   std::string("route=\"") + kRouteNames[r] + "\"");
      for (int cls = 0; cls < 5; ++cls) {
        by_status[r][cls] = &m.AddCounter(
            "amur_http_requests_total", "HTTP requests answered, by route and status class.",
            std::string("route=\"") + kRouteNames[r] + "\",status=\"" + std::to_string(cls + 1) +
                "xx\"");
      }
    }
    api = std::make_unique<api::CommentsApi>(d);
    admin = std::make_unique<api::AdminApi>(d);
    pages = std::make_unique<html::Pages>(d);
  }

  asio::awaitable<Response> Handle(Request& req) {
    const auto start = std::chrono::steady_clock::now();
    const std::string_view target(req.message.target().data(), req.message.target().size());
    const auto q = target.find('?');
    const std::string_view path = target.substr(0, q);
    const std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
    const Match match = MatchPath(path);
    Response res = co_await Dispatch(req, match, query);
    AddCors(req, res);
    const auto r = static_cast<std::size_t>(match.id);
    const int cls = static_cast<int>(res.status) / 100 - 1;
    if (cls >= 0 && cls < 5) by_status[r][cls]->Inc();
    latency[r]->Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    co_return res;
  }

  asio::awaitable<Response> Dispatch(Request& req, const Match& match, std::string_view query) {
    if (match.id == RouteId::kUnknown) {
      co_return ErrorResponse(MakeError(ErrorCode::kNotFound, "There is nothing at this address."));
    }
    const verb method = req.message.method();
    const auto allowed = AllowedMethods(match.id);
    if (method == verb::options) co_return Preflight(req, allowed);
    if (std::find(allowed.begin(), allowed.end(), method) == allowed.end()) {
      Response r = ErrorResponse(
          MakeError(ErrorCode::kMethodNotAllowed, "This address does not answer that method."));
      r.headers.emplace_back("Allow", AllowHeader(allowed));
      co_return r;
    }
    auto params = ParseQuery(query);
    if (!params) {
      co_return ErrorResponse(
          MakeError(ErrorCode::kInvalidField, "The query string is not correctly encoded."));
    }
    const std::string client =
        d.proxies.ClientAddress(req.peer, JoinedHeader(req, d.proxies.HeaderName()));
    switch (match.id) {
      case RouteId::kComments:
        if (method == verb::get) co_return co_await api->List(req, *params);
        co_return co_await api->Create(req, client);
      case RouteId::kComment:
        if (method == verb::patch) co_return co_await api->Edit(req, match.arg);
        co_return co_await api->Delete(req, match.arg);
      case RouteId::kVersions:
        co_return co_await api->Versions(match.arg);
      case RouteId::kVotes:
        co_return co_await api->Vote(req, match.arg);
      case RouteId::kCounts:
        co_return co_await api->Counts(*params);
      case RouteId::kVerify:
        co_return co_await api->Verify(*params);
      case RouteId::kHealth:
        co_return co_await api->Health();
      case RouteId::kMetrics: {
        Response r;
        r.content_type = "text/plain; version=0.0.4; charset=utf-8";
        r.body = d.metrics->Render();
        r.headers.emplace_back("Cache-Control", "no-store");
        co_return r;
      }
      case RouteId::kThreadPage:
        if (method == verb::get) co_return co_await pages->Thread(req, *params, false);
        co_return co_await pages->PostForm(req, client);
      case RouteId::kDemo:
        co_return co_await pages->Thread(req, *params, true);
      case RouteId::kRoot: {
        Response r;
        r.status = beast_http::status::found;
        r.headers.emplace_back("Location", "/demo");
        co_return r;
      }
      case RouteId::kAsset:
        co_return Asset(req, match.arg);
      case RouteId::kWidget:
        co_return widget.Serve(req, match.arg, FirstParam(*params, "v").value_or(""));
      case RouteId::kReports:
        co_return co_await admin->Report(req, match.arg, client);
      case RouteId::kLogin:
        co_return co_await admin->Login(req, client);
      case RouteId::kLogout:
        co_return co_await admin->Logout(req);
      case RouteId::kMe:
        co_return co_await admin->Me(req);
      case RouteId::kAdminQueue:
        co_return co_await admin->Queue(req, *params);
      case RouteId::kAdminDecision:
        co_return co_await admin->Decide(req, match.arg);
      case RouteId::kAdminBans:
        if (method == verb::get) co_return co_await admin->ListBans(req, *params);
        co_return co_await admin->BanAuthor(req);
      case RouteId::kAdminBan:
        co_return co_await admin->LiftBan(req, match.arg);
      case RouteId::kAdminAudit:
        co_return co_await admin->Audit(req, *params);
      case RouteId::kAdminEvents:
        co_return co_await admin->Events(req, *params);
      case RouteId::kAdminWebhooks:
        if (method == verb::get) co_return co_await admin->GetWebhooks(req);
        co_return co_await admin->PutWebhooks(req);
      case RouteId::kAdminWebhookTest:
        co_return co_await admin->TestWebhook(req);
      case RouteId::kAdminWebhookSecret:
        co_return co_await admin->RotateWebhookSecret(req);
      case RouteId::kAdminPages:
        if (method == verb::get) co_return co_await admin->ListPages(req, *params);
        co_return co_await admin->PageSettings(req);
      case RouteId::kAdminQueueCounts:
        co_return co_await admin->QueueCounts(req);
      case RouteId::kAdminQueueStatus:
        co_return co_await admin->QueueStatus(req, *params);
      case RouteId::kAdminUsers:
        if (method == verb::get) co_return co_await admin->ListUsers(req, *params);
        co_return co_await admin->AddUser(req);
      case RouteId::kAdminUser:
        co_return co_await admin->UpdateUser(req, match.arg);
      case RouteId::kAdminPin:
        co_return co_await admin->Pin(req, match.arg);
      case RouteId::kAdminSettings:
        if (method == verb::get) co_return co_await admin->GetSettings(req);
        co_return co_await admin->PutSettings(req);
      case RouteId::kAdminDesk:
        co_return pages->Admin();
      case RouteId::kUnknown:
        break;
    }
    co_return ErrorResponse(MakeError(ErrorCode::kNotFound, "There is nothing at this address."));
  }

  Response Asset(const Request& req, const std::string& name) {
    for (const auto& a : WebAssets()) {
      if (a.name != name) continue;
      Response r;
      r.content_type = AssetContentType(name);
      r.headers.emplace_back("Cache-Control", "public, max-age=3600");
      const std::string etag = MakeEtag(a.bytes);
      r.headers.emplace_back("ETag", etag);
      if (Header(req, "If-None-Match") == etag) {
        r.status = beast_http::status::not_modified;
        return r;
      }
      r.body.assign(a.bytes.data(), a.bytes.size());
      return r;
    }
    return ErrorResponse(MakeError(ErrorCode::kNotFound, "There is nothing at this address."));
  }

  bool OriginAllowed(std::string_view origin) const {
    for (const auto& o : d.allow_origins) {
      if (o == "*" || o == origin) return true;
    }
    return false;
  }

  void AddCors(const Request& req, Response& res) const {
    const std::string_view origin = Header(req, "Origin");
    if (origin.empty() || !OriginAllowed(origin)) return;
    res.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
    res.headers.emplace_back("Vary", "Origin");
    res.headers.emplace_back("Access-Control-Expose-Headers", "ETag, Retry-After, Location");
  }

  Response Preflight(const Request& req, const std::vector<verb>& allowed) const {
    Response r;
    r.status = beast_http::status::no_content;
    const std::string_view origin = Header(req, "Origin");
    if (!origin.empty() && OriginAllowed(origin)) {
      r.headers.emplace_back("Access-Control-Allow-Methods", AllowHeader(allowed));
      r.headers.emplace_back("Access-Control-Allow-Headers",
                             "Content-Type, Authorization, X-Amur-Voter, X-CSRF-Token, If-None-Match");
      r.headers.emplace_back("Access-Control-Max-Age", "600");
    }
    r.headers.emplace_back("Allow", AllowHeader(allowed));
    return r;
  }

  HttpDeps d;
  WidgetAssets widget;
  std::unique_ptr<api::CommentsApi> api;
  std::unique_ptr<api::AdminApi> admin;
  std::unique_ptr<html::Pages> pages;
  Histogram* latency[std::size(kRouteNames)] = {};
  Counter* by_status[std::size(kRouteNames)][5] = {};
};

Routes::Routes(HttpDeps deps) : impl_(std::make_unique<Impl>(std::move(deps))) {}
Routes::~Routes() = default;

asio::awaitable<Response> Routes::Handle(Request& req) { return impl_->Handle(req); }

}  // namespace amur::http
