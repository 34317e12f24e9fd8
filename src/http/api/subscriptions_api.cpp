#include "http/api/subscriptions_api.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/json/serialize.hpp>

#include "http/api/admin_api.hpp"
#include "http/api/responses.hpp"
#include "http/db_await.hpp"
#include "http/error_mapping.hpp"
#include "http/routes.hpp"
#include "notify/mail_message.hpp"
#include "render/html_escape.hpp"
#include "render/subscription_pages.hpp"
#include "service/mail_sender.hpp"

namespace amur::http::api {

namespace asio = boost::asio;
namespace json = boost::json;
using store::StoreSession;

namespace {

Response Page(beast_http::status status, std::string html) {
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(html);
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  // The token is in the URL: never send it on to another site.
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                         "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  return r;
}

Response ErrorPage(const Error& e) {
  return Page(HttpStatusOf(e.code), render::NoticePageHtml("Email notifications", e.message));
}

std::string Token(const Params& params) { return FirstParam(params, "token").value_or(""); }

std::string Describe(const service::SubscriptionView& v) {
  switch (v.subscription.kind) {
    case SubscriptionKind::kThread:
      return "New comments on \u201c" +
             (v.page_title && !v.page_title->empty() ? *v.page_title : v.page_key) + "\u201d";
    case SubscriptionKind::kReplies:
      return "Replies to your comments, on any page";
    case SubscriptionKind::kModeration:
      return "Comments held for moderation";
  }
  return "";
}

}  // namespace

json::object SubscriptionJson(const service::SubscriptionView& v) {
  json::object o;
  o["id"] = FormatSubscriptionId(v.subscription.id);
  o["kind"] = SubscriptionKindName(v.subscription.kind);
  o["page"] = v.page_key.empty() ? json::value(nullptr) : json::value(v.page_key);
  o["page_title"] = v.page_title ? json::value(*v.page_title) : json::value(nullptr);
  o["status"] = v.subscription.confirmed ? "active" : "pending";
  o["created_at"] = FormatRfc3339Ms(v.subscription.created_at);
  return o;
}

SubscriptionsApi::SubscriptionsApi(HttpDeps& deps) : d_(deps) {
  requests_ = &d_.metrics->AddCounter("amur_subscription_requests_total",
                                      "Subscription requests accepted.", "");
  limited_ = &d_.metrics->AddCounter("amur_subscription_rate_limited_total",
                                     "Subscription requests refused by a rate limit.", "");
}

void SubscriptionsApi::AfterCommit() {
  if (d_.mail) d_.mail->Notify();
}

std::optional<std::int64_t> SubscribeRateLimited(HttpDeps& d, const std::string& client,
                                                 const std::string& address) {
  if (d.subscribe_network_limiter) {
    const auto r = d.subscribe_network_limiter->Acquire(client);
    if (!r.allowed) return r.retry_after_seconds;
  }
  if (d.subscribe_address_limiter && !address.empty()) {
    // Keyed by a hash, so the limiter holds no addresses.
    const auto r = d.subscribe_address_limiter->Acquire("mail:" + Sha256Hex(address));
    if (!r.allowed) return r.retry_after_seconds;
  }
  return std::nullopt;
}

asio::awaitable<Response> SubscriptionsApi::Create(const Request& req, std::string client) {
  auto obj = JsonBody(req);
  if (!obj) co_return ErrorResponse(obj.error());
  service::SubscribeRequest r;
  {
    auto kind = RequiredString(*obj, "kind");
    if (!kind) co_return ErrorResponse(kind.error());
    r.kind = std::move(*kind);
    auto page = OptionalString(*obj, "page");
    if (!page) co_return ErrorResponse(page.error());
    r.page_key = std::move(*page);
    auto email = OptionalString(*obj, "email");
    if (!email) co_return ErrorResponse(email.error());
    r.email = std::move(*email);
  }
  Result<Caller> caller = co_await IdentifyCaller(d_, req, true);
  if (!caller) co_return ErrorResponse(caller.error());
  r.member = caller->user;
  if (!d_.subscriptions || !d_.subscriptions->config().enabled) {
    co_return ErrorResponse(
        MakeError(ErrorCode::kNotAllowed, "Email notifications are not enabled on this server."));
  }
  // The request's own checks before counting it: a malformed request costs
  // no quota (the service checks all of it again).
  std::string address;
  if (!ParseSubscriptionKind(r.kind)) {
    co_return ErrorResponse(MakeError(ErrorCode::kInvalidField,
                                      "kind must be \"thread\", \"replies\" or \"moderation\".",
                                      "kind"));
  }
  if (!r.member) {
    if (!r.email || r.email->empty()) {
      co_return ErrorResponse(MakeError(ErrorCode::kMissingField, "email is missing.", "email"));
    }
    if (r.email->size() > 254) {
      co_return ErrorResponse(
          MakeError(ErrorCode::kTooLong, "The email address is longer than 254 bytes.", "email"));
    }
    auto a = notify::NormalizeMailAddress(*r.email);
    if (!a) {
      co_return ErrorResponse(MakeError(ErrorCode::kInvalidField,
                                        "email must be one plain address such as name@example.com.",
                                        "email"));
    }
    address = *a;
  }
  if (auto retry = SubscribeRateLimited(d_, client, address)) {
    limited_->Inc();
    Response res = ErrorResponse(MakeError(
        ErrorCode::kRateLimited, "Too many subscription requests; please try again later."));
    res.headers.emplace_back("Retry-After", std::to_string(*retry));
    co_return res;
  }
  service::SubscriptionService* subs = d_.subscriptions;
  const std::function<Result<service::SubscribeOutcome>(StoreSession&)> job =
      [subs, r](StoreSession& s) { return subs->Subscribe(s, r); };
  const std::function<void(const Result<service::SubscribeOutcome>&)> after =
      [this](const Result<service::SubscribeOutcome>&) { AfterCommit(); };
  Result<service::SubscribeOutcome> out = co_await WriteResult(*d_.db, "subscribing", job, after);
  if (!out) co_return ErrorResponse(out.error());
  requests_->Inc();
  if (!r.member) {
    // The same answer whether or not the address was known or confirmed.
    json::object body;
    body["status"] = "pending";
    body["message"] =
        "Check your inbox: follow the link in the email to confirm. Nothing is sent before.";
    co_return JsonResponse(beast_http::status::accepted, body);
  }
  service::SubscriptionView v;
  v.subscription = out->subscription;
  v.page_key = out->page_key;
  json::object body;
  body["subscription"] = SubscriptionJson(v);
  co_return JsonResponse(out->created ? beast_http::status::created : beast_http::status::ok, body);
}

asio::awaitable<Response> SubscriptionsApi::List(const Request& req) {
  Result<Caller> caller = co_await IdentifyCaller(d_, req, false);
  if (!caller) co_return ErrorResponse(caller.error());
  if (!caller->user) {
    co_return ErrorResponse(MakeError(ErrorCode::kUnauthorized,
                                      "Sign in to list your subscriptions; guests manage theirs "
                                      "from the link in any notification email."));
  }
  service::SubscriptionService* subs = d_.subscriptions;
  const User member = *caller->user;
  const std::function<Result<std::vector<service::SubscriptionView>>(StoreSession&)> job =
      [subs, member](StoreSession& s) -> Result<std::vector<service::SubscriptionView>> {
    return subs->ListMine(s, member);
  };
  auto list = co_await ReadResult(*d_.db, "listing subscriptions", job);
  if (!list) co_return ErrorResponse(list.error());
  json::array items;
  for (const auto& v : *list) items.push_back(SubscriptionJson(v));
  json::object body;
  body["subscriptions"] = std::move(items);
  co_return JsonResponse(beast_http::status::ok, body);
}

asio::awaitable<Response> SubscriptionsApi::Delete(const Request& req, std::string id) {
  Result<Caller> caller = co_await IdentifyCaller(d_, req, true);
  if (!caller) co_return ErrorResponse(caller.error());
  if (!caller->user) {
    co_return ErrorResponse(
        MakeError(ErrorCode::kUnauthorized, "Sign in to remove your subscriptions."));
  }
  service::SubscriptionService* subs = d_.subscriptions;
  const User member = *caller->user;
  const std::function<Result<bool>(StoreSession&)> job = [subs, member,
                                                          id](StoreSession& s) -> Result<bool> {
    if (auto st = subs->DeleteMine(s, member, id); !st) return st.error();
    return true;
  };
  auto out = co_await WriteResult(*d_.db, "unsubscribing", job);
  if (!out) co_return ErrorResponse(out.error());
  Response r;
  r.status = beast_http::status::no_content;
  co_return r;
}

asio::awaitable<Response> SubscriptionsApi::ConfirmPage(const Params& params) {
  if (!d_.subscriptions) co_return ErrorPage(MakeError(ErrorCode::kNotFound, "Not found."));
  service::SubscriptionService* subs = d_.subscriptions;
  const std::string token = Token(params);
  const std::function<Result<service::ConfirmOutcome>(StoreSession&)> job =
      [subs, token](StoreSession& s) { return subs->Confirm(s, token); };
  auto out = co_await WriteResult(*d_.db, "confirming a subscription", job);
  if (!out) co_return ErrorPage(out.error());
  co_return Page(beast_http::status::ok,
                 render::NoticePageHtml(
                     "Subscription confirmed",
                     "Thank you: " + out->email +
                         " now gets the notices it asked for. Every email has a link to stop them.",
                     "Manage your subscriptions",
                     d_.subscriptions->config().site.public_url +
                         "/subscriptions/manage?token=" + out->manage_token));
}

asio::awaitable<Response> SubscriptionsApi::UnsubscribePage(const Request& req,
                                                            const Params& params) {
  if (!d_.subscriptions) co_return ErrorPage(MakeError(ErrorCode::kNotFound, "Not found."));
  const std::string token = Token(params);
  if (req.message.method() == beast_http::verb::get) {
    // Link scanners open links in mail: a GET only shows the button.
    co_return Page(beast_http::status::ok,
                   render::UnsubscribePageHtml("/subscriptions/unsubscribe?token=" +
                                               render::UrlEncode(token)));
  }
  service::SubscriptionService* subs = d_.subscriptions;
  const std::function<Result<std::string>(StoreSession&)> job = [subs, token](StoreSession& s) {
    return subs->Unsubscribe(s, token);
  };
  auto out = co_await WriteResult(*d_.db, "unsubscribing", job);
  if (!out) co_return ErrorPage(out.error());
  co_return Page(beast_http::status::ok,
                 render::NoticePageHtml("Unsubscribed",
                                        "You are unsubscribed: no more of these notices will be "
                                        "sent to " +
                                            *out + "."));
}

asio::awaitable<Response> SubscriptionsApi::ManagePage(const Request& req, const Params& params) {
  if (!d_.subscriptions) co_return ErrorPage(MakeError(ErrorCode::kNotFound, "Not found."));
  service::SubscriptionService* subs = d_.subscriptions;
  const std::string token = Token(params);
  std::string remove;
  if (req.message.method() == beast_http::verb::post) {
    auto fields = ParseQuery(req.message.body());
    if (!fields) {
      co_return ErrorPage(
          MakeError(ErrorCode::kInvalidField, "The form data is not correctly encoded."));
    }
    remove = FirstParam(*fields, "remove").value_or("");
    if (remove.empty()) {
      co_return ErrorPage(MakeError(ErrorCode::kMissingField, "Say which subscription to remove."));
    }
  }
  Result<service::ManageView> view = MakeError(ErrorCode::kInternal, "");
  if (remove.empty()) {
    const std::function<Result<service::ManageView>(StoreSession&)> job =
        [subs, token](StoreSession& s) { return subs->Manage(s, token); };
    view = co_await ReadResult(*d_.db, "listing subscriptions", job);
  } else {
    const std::function<Result<service::ManageView>(StoreSession&)> job =
        [subs, token, remove](StoreSession& s) { return subs->ManageRemove(s, token, remove); };
    view = co_await WriteResult(*d_.db, "removing subscriptions", job);
  }
  if (!view) co_return ErrorPage(view.error());
  std::vector<render::SubscriptionLine> lines;
  const std::string& base = subs->config().site.public_url;
  for (const auto& v : view->subscriptions) {
    render::SubscriptionLine l;
    l.id = FormatSubscriptionId(v.subscription.id);
    l.what = Describe(v);
    if (!v.page_key.empty()) l.link = base + "/t?page=" + render::UrlEncode(v.page_key);
    l.confirmed = v.subscription.confirmed;
    lines.push_back(std::move(l));
  }
  std::string notice;
  if (!remove.empty()) notice = remove == "all" ? "Every subscription is removed." : "Removed.";
  co_return Page(
      beast_http::status::ok,
      render::ManagePageHtml(view->email, lines,
                             "/subscriptions/manage?token=" + render::UrlEncode(token), notice));
}

}  // namespace amur::http::api
