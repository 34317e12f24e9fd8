#include "http/routes.hpp"

#include <boost/asio/this_coro.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>

#include "core/random.hpp"
#include "http/api/admin_api.hpp"
#include "http/api/comment_json.hpp"
#include "http/api/comments_api.hpp"
#include "http/api/live_api.hpp"
#include "http/api/subscriptions_api.hpp"
#include "http/error_mapping.hpp"
#include "http/feeds.hpp"
#include "http/html/pages.hpp"
#include "http/request_parsing.hpp"
#include "http/web_assets.hpp"
#include "http/widget_assets.hpp"

namespace amur::http {

namespace asio = boost::asio;
using beast_http::verb;

namespace {

// A call as a route's handler sees it.
struct Call {
  Request& req;
  const Params& params;
  const std::string& arg;     // the {id} or {*rest} of the pattern, if any
  const std::string& client;  // the client address (after trusted proxies)
};

using Handler = std::function<asio::awaitable<Response>(const Call&)>;

// One route: a method and a path pattern, the name that labels its metrics,
// and its handler. Patterns are literal segments, at most one "{id}" (one
// non-empty segment) and an optional final "{*}" (the rest of the path).
struct Route {
  verb method;
  std::string_view pattern;
  std::string_view name;
  Handler handler;
};

// True when `path` fits `pattern`; sets *arg to the captured part.
bool MatchPattern(std::string_view pattern, std::string_view path, std::string* arg) {
  std::size_t i = 0, j = 0;
  while (i < pattern.size()) {
    if (pattern.compare(i, 3, "{*}") == 0) {
      if (j > path.size()) return false;
      arg->assign(path.substr(j));
      return true;
    }
    if (pattern.compare(i, 4, "{id}") == 0) {
      const std::size_t end = std::min(path.find('/', j), path.size());
      if (end == j) return false;
      arg->assign(path.substr(j, end - j));
      i += 4;
      j = end;
      continue;
    }
    if (j >= path.size() || pattern[i] != path[j]) return false;
    ++i;
    ++j;
  }
  return j == path.size();
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
      : d(std::move(deps)),
        widget(WidgetOptions{d.edit_window_seconds,
                             d.subscriptions != nullptr && d.subscriptions->config().enabled}) {
    api = std::make_unique<api::CommentsApi>(d);
    admin = std::make_unique<api::AdminApi>(d);
    subscriptions = std::make_unique<api::SubscriptionsApi>(d);
    live = std::make_unique<api::LiveApi>(d);
    pages = std::make_unique<html::Pages>(d);
    feeds = std::make_unique<Feeds>(d);
    routes = Table();
    // One pair of metrics per route name ("unknown" for no route).
    std::vector<std::string_view> names;
    for (const auto& r : routes) {
      if (std::find(names.begin(), names.end(), r.name) == names.end()) names.push_back(r.name);
    }
    names.push_back("unknown");
    Metrics& m = *d.metrics;
    for (std::string_view name : names) {
      NameMetrics nm;
      nm.latency =
          &m.AddHistogram("amur_http_request_duration_seconds", "Time to answer an HTTP request.",
                          "route=\"" + std::string(name) + "\"");
      for (int cls = 0; cls < 5; ++cls) {
        nm.by_status[cls] = &m.AddCounter(
            "amur_http_requests_total", "HTTP requests answered, by route and status class.",
            "route=\"" + std::string(name) + "\",status=\"" + std::to_string(cls + 1) + "xx\"");
      }
      metrics.emplace(name, nm);
    }
  }

  // Every route of the API and of the pages for people.
  std::vector<Route> Table() {
    auto& a = *api;
    auto& m = *admin;
    auto& p = *pages;
    auto& sub = *subscriptions;
    auto& f = *feeds;
    auto& l = *live;
    return {
        {verb::get, "/api/v1/comments", "comments",
         [&a](const Call& c) { return a.List(c.req, c.params); }},
        {verb::post, "/api/v1/comments", "comments",
         [&a](const Call& c) { return a.Create(c.req, c.client); }},
        {verb::patch, "/api/v1/comments/{id}", "comment",
         [&a](const Call& c) { return a.Edit(c.req, c.arg); }},
        {verb::delete_, "/api/v1/comments/{id}", "comment",
         [&a](const Call& c) { return a.Delete(c.req, c.arg); }},
        {verb::get, "/api/v1/comments/{id}/versions", "versions",
         [&a](const Call& c) { return a.Versions(c.arg); }},
        {verb::post, "/api/v1/comments/{id}/votes", "votes",
         [&a](const Call& c) { return a.Vote(c.req, c.arg, c.client); }},
        {verb::post, "/api/v1/comments/{id}/reports", "reports",
         [&m](const Call& c) { return m.Report(c.req, c.arg, c.client); }},
        {verb::get, "/api/v1/events", "events",
         [&l](const Call& c) { return l.Events(c.req, c.params); }},
        {verb::get, "/api/v1/counts", "counts",
         [&a](const Call& c) { return a.Counts(c.req, c.params); }},
        {verb::get, "/api/v1/pages/verify", "verify",
         [&a](const Call& c) { return a.Verify(c.params); }},
        {verb::get, "/api/v1/pages/head", "head", [&a](const Call& c) { return a.Head(c.params); }},
        {verb::post, "/api/v1/auth/login", "login",
         [&m](const Call& c) { return m.Login(c.req, c.client); }},
        {verb::post, "/api/v1/auth/logout", "logout",
         [&m](const Call& c) { return m.Logout(c.req); }},
        {verb::get, "/api/v1/auth/me", "me", [&m](const Call& c) { return m.Me(c.req); }},
        {verb::get, "/api/v1/admin/queue", "admin_queue",
         [&m](const Call& c) { return m.Queue(c.req, c.params); }},
        {verb::get, "/api/v1/admin/queue/counts", "admin_queue_counts",
         [&m](const Call& c) { return m.QueueCounts(c.req); }},
        {verb::get, "/api/v1/admin/queue/status", "admin_queue_status",
         [&m](const Call& c) { return m.QueueStatus(c.req, c.params); }},
        {verb::post, "/api/v1/admin/comments/{id}/decision", "admin_decision",
         [&m](const Call& c) { return m.Decide(c.req, c.arg); }},
        {verb::post, "/api/v1/admin/comments/{id}/pin", "admin_pin",
         [&m](const Call& c) { return m.Pin(c.req, c.arg); }},
        {verb::post, "/api/v1/admin/comments/{id}/erase", "admin_erase",
         [&m](const Call& c) { return m.Erase(c.req, c.arg); }},
        {verb::get, "/api/v1/admin/bans", "admin_bans",
         [&m](const Call& c) { return m.ListBans(c.req, c.params); }},
        {verb::post, "/api/v1/admin/bans", "admin_bans",
         [&m](const Call& c) { return m.BanAuthor(c.req); }},
        {verb::delete_, "/api/v1/admin/bans/{id}", "admin_ban",
         [&m](const Call& c) { return m.LiftBan(c.req, c.arg); }},
        {verb::get, "/api/v1/admin/audit", "admin_audit",
         [&m](const Call& c) { return m.Audit(c.req, c.params); }},
        {verb::get, "/api/v1/admin/events", "admin_events",
         [&m](const Call& c) { return m.Events(c.req, c.params); }},
        {verb::get, "/api/v1/admin/pages", "admin_pages",
         [&m](const Call& c) { return m.ListPages(c.req, c.params); }},
        {verb::post, "/api/v1/admin/pages", "admin_pages",
         [&m](const Call& c) { return m.PageSettings(c.req); }},
        {verb::get, "/api/v1/admin/settings", "admin_settings",
         [&m](const Call& c) { return m.GetSettings(c.req); }},
        {verb::put, "/api/v1/admin/settings", "admin_settings",
         [&m](const Call& c) { return m.PutSettings(c.req); }},
        {verb::get, "/api/v1/admin/users", "admin_users",
         [&m](const Call& c) { return m.ListUsers(c.req, c.params); }},
        {verb::post, "/api/v1/admin/users", "admin_users",
         [&m](const Call& c) { return m.AddUser(c.req); }},
        {verb::patch, "/api/v1/admin/users/{id}", "admin_user",
         [&m](const Call& c) { return m.UpdateUser(c.req, c.arg); }},
        {verb::get, "/api/v1/admin/webhooks", "admin_webhooks",
         [&m](const Call& c) { return m.GetWebhooks(c.req); }},
        {verb::put, "/api/v1/admin/webhooks", "admin_webhooks",
         [&m](const Call& c) { return m.PutWebhooks(c.req); }},
        {verb::post, "/api/v1/admin/webhooks/test", "admin_webhook_test",
         [&m](const Call& c) { return m.TestWebhook(c.req); }},
        {verb::post, "/api/v1/admin/webhooks/secret", "admin_webhook_secret",
         [&m](const Call& c) { return m.RotateWebhookSecret(c.req); }},
        {verb::post, "/api/v1/subscriptions", "subscriptions",
         [&sub](const Call& c) { return sub.Create(c.req, c.client); }},
        {verb::get, "/api/v1/subscriptions", "subscriptions",
         [&sub](const Call& c) { return sub.List(c.req); }},
        {verb::delete_, "/api/v1/subscriptions/{id}", "subscription",
         [&sub](const Call& c) { return sub.Delete(c.req, c.arg); }},
        {verb::get, "/subscriptions/confirm", "subscription_confirm",
         [&sub](const Call& c) { return sub.ConfirmPage(c.params); }},
        {verb::post, "/subscriptions/confirm", "subscription_confirm",
         [&sub](const Call& c) { return sub.ConfirmPage(c.params); }},
        {verb::get, "/subscriptions/unsubscribe", "subscription_unsubscribe",
         [&sub](const Call& c) { return sub.UnsubscribePage(c.req, c.params); }},
        {verb::post, "/subscriptions/unsubscribe", "subscription_unsubscribe",
         [&sub](const Call& c) { return sub.UnsubscribePage(c.req, c.params); }},
        {verb::get, "/subscriptions/manage", "subscription_manage",
         [&sub](const Call& c) { return sub.ManagePage(c.req, c.params); }},
        {verb::post, "/subscriptions/manage", "subscription_manage",
         [&sub](const Call& c) { return sub.ManagePage(c.req, c.params); }},
        {verb::get, "/healthz", "healthz", [&a](const Call&) { return a.Health(); }},
        {verb::get, "/metrics", "metrics", [this](const Call& c) { return Ready(MetricsPage(c)); }},
        {verb::get, "/t", "thread",
         [&p](const Call& c) { return p.Thread(c.req, c.params, false); }},
        {verb::post, "/t", "thread", [&p](const Call& c) { return p.PostForm(c.req, c.client); }},
        {verb::post, "/t/subscribe", "thread_subscribe",
         [&p](const Call& c) { return p.Subscribe(c.req, c.client); }},
        {verb::get, "/demo", "demo",
         [&p](const Call& c) { return p.Thread(c.req, c.params, true); }},
        {verb::get, "/feeds/comments.atom", "feed_page",
         [&f](const Call& c) { return f.PageFeed(c.req, c.params); }},
        {verb::get, "/feeds/recent.atom", "feed_recent",
         [&f](const Call& c) { return f.RecentFeed(c.req); }},
        {verb::get, "/admin", "admin_desk", [&p](const Call&) { return Ready(p.Admin()); }},
        {verb::get, "/", "root", [](const Call&) { return Ready(Redirect("/demo")); }},
        {verb::get, "/assets/{*}", "asset",
         [this](const Call& c) { return Ready(Asset(c.req, c.arg)); }},
        {verb::get, "/embed.js", "widget",
         [this](const Call& c) { return Ready(Widget(c, "embed.js")); }},
        {verb::get, "/embed.css", "widget",
         [this](const Call& c) { return Ready(Widget(c, "embed.css")); }},
        {verb::get, "/embed-more.js", "widget",
         [this](const Call& c) { return Ready(Widget(c, "embed-more.js")); }},
    };
  }

  static asio::awaitable<Response> Ready(Response r) { co_return r; }

  static Response Redirect(const char* to) {
    Response r;
    r.status = beast_http::status::found;
    r.headers.emplace_back("Location", to);
    return r;
  }

  // /metrics tells traffic, routes and cache sizes: with --metrics-token it
  // takes that bearer token; without, only a request made on this machine
  // (loopback peer, no forwarding header) gets it (issue 12, finding 7).
  Response MetricsPage(const Call& c) const {
    if (!d.metrics_token.empty()) {
      const auto token = BearerToken(c.req);
      if (!token || token->size() != d.metrics_token.size() ||
          !ConstantTimeEquals(*token, d.metrics_token)) {
        Response r = ErrorResponse(
            MakeError(ErrorCode::kUnauthorized, "Send the metrics token as a Bearer token."));
        r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"amur-metrics\"");
        return r;
      }
    } else if (!c.req.peer.is_loopback() || !Header(c.req, "X-Forwarded-For").empty() ||
               !Header(c.req, "Forwarded").empty() ||
               !Header(c.req, d.proxies.HeaderName()).empty()) {
      return ErrorResponse(MakeError(ErrorCode::kNotAllowed,
                                     "Metrics are served to this machine only; set --metrics-token "
                                     "to scrape from elsewhere."));
    }
    Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = d.metrics->Render();
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  }

  Response Widget(const Call& c, const char* name) {
    return widget.Serve(c.req, name, FirstParam(c.params, "v").value_or(""));
  }

  asio::awaitable<Response> Handle(Request& req) {
    const auto start = std::chrono::steady_clock::now();
    const std::string_view target(req.message.target().data(), req.message.target().size());
    const auto q = target.find('?');
    const std::string_view path = target.substr(0, q);
    const std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
    std::string_view name = "unknown";
    Response res = co_await Dispatch(req, path, query, &name);
    AddSeen(req, res);
    AddCors(req, res);
    // Every answer, JSON and errors included, is read only as what it says it is.
    if (std::none_of(res.headers.begin(), res.headers.end(),
                     [](const auto& h) { return h.first == "X-Content-Type-Options"; })) {
      res.headers.emplace_back("X-Content-Type-Options", "nosniff");
    }
    const NameMetrics& nm = metrics.at(name);
    const int cls = static_cast<int>(res.status) / 100 - 1;
    if (cls >= 0 && cls < 5) nm.by_status[cls]->Inc();
    nm.latency->Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    co_return res;
  }

  // Finds the route for the path and method: 404 when no pattern fits the
  // path, 405 (with Allow) when one fits but not for this method.
  asio::awaitable<Response> Dispatch(Request& req, std::string_view path, std::string_view query,
                                     std::string_view* name) {
    const verb method = req.message.method();
    const Route* route = nullptr;
    std::vector<verb> allowed;
    std::string arg;
    for (const Route& r : routes) {
      std::string captured;
      if (!MatchPattern(r.pattern, path, &captured)) continue;
      *name = r.name;
      allowed.push_back(r.method);
      if (r.method == method && !route) {
        route = &r;
        arg = std::move(captured);
      }
    }
    if (allowed.empty()) {
      co_return ErrorResponse(MakeError(ErrorCode::kNotFound, "There is nothing at this address."));
    }
    if (method == verb::options) co_return Preflight(req, allowed);
    if (!route) {
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
    const Call call{req, *params, arg, client};
    co_return co_await route->handler(call);
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

  // A successful write's answer tells the event seq this node has published
  // (its own write included: the writer publishes before answering), in the
  // X-Amur-Seen header and the amur_seen cookie. A client that sends either
  // back with a read gets an answer that includes its write, from any node
  // and any replica (docs/scaling.md).
  void AddSeen(const Request& req, Response& res) const {
    const verb m = req.message.method();
    if (m != verb::post && m != verb::put && m != verb::patch && m != verb::delete_) return;
    if (!d.events || static_cast<int>(res.status) >= 400) return;
    const std::int64_t seq = d.events->LastPublished();
    if (seq <= 0) return;
    const std::string value = std::to_string(seq);
    res.headers.emplace_back(std::string(kSeenHeader), value);
    // Useful only until every node has read the write from the log (about a
    // second), so it lives a minute.
    res.headers.emplace_back("Set-Cookie", std::string(kSeenCookie) + "=" + value +
                                               "; Path=/; Max-Age=60; HttpOnly; SameSite=Lax" +
                                               (d.secure_cookies ? "; Secure" : ""));
  }

  void AddCors(const Request& req, Response& res) const {
    const std::string_view origin = Header(req, "Origin");
    if (origin.empty() || !d.AllowsOrigin(origin)) return;
    res.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
    res.headers.emplace_back("Vary", "Origin");
    res.headers.emplace_back("Access-Control-Expose-Headers",
                             "ETag, Retry-After, Location, X-Amur-Seen");
  }

  Response Preflight(const Request& req, const std::vector<verb>& allowed) const {
    Response r;
    r.status = beast_http::status::no_content;
    const std::string_view origin = Header(req, "Origin");
    if (!origin.empty() && d.AllowsOrigin(origin)) {
      r.headers.emplace_back("Access-Control-Allow-Methods", AllowHeader(allowed));
      r.headers.emplace_back(
          "Access-Control-Allow-Headers",
          "Content-Type, Authorization, X-Amur-Voter, X-CSRF-Token, If-None-Match, "
          "X-Amur-Seen");
      r.headers.emplace_back("Access-Control-Max-Age", "600");
    }
    r.headers.emplace_back("Allow", AllowHeader(allowed));
    return r;
  }

  struct NameMetrics {
    Histogram* latency = nullptr;
    Counter* by_status[5] = {};
  };

  HttpDeps d;
  WidgetAssets widget;
  std::unique_ptr<api::CommentsApi> api;
  std::unique_ptr<api::AdminApi> admin;
  std::unique_ptr<api::SubscriptionsApi> subscriptions;
  std::unique_ptr<api::LiveApi> live;
  std::unique_ptr<html::Pages> pages;
  std::unique_ptr<Feeds> feeds;
  std::vector<Route> routes;
  std::map<std::string_view, NameMetrics> metrics;
};

Routes::Routes(HttpDeps deps) : impl_(std::make_unique<Impl>(std::move(deps))) {}
Routes::~Routes() = default;

asio::awaitable<Response> Routes::Handle(Request& req) { return impl_->Handle(req); }

}  // namespace amur::http
