// The webhook settings on the desk (admins only): the endpoints with their
// delivery status, the desk's own endpoints, a test delivery and a new
// signing secret. docs/api.md, "Webhooks".
#include <boost/asio/post.hpp>
#include <boost/json/array.hpp>

#include <thread>

#include "http/api/admin_api.hpp"
#include "http/api/responses.hpp"
#include "http/db_await.hpp"
#include "http/error_mapping.hpp"
#include "http/request_parsing.hpp"
#include "http/routes.hpp"
#include "notify/webhooks.hpp"
#include "service/webhook_settings.hpp"

namespace amur::http::api {

namespace asio = boost::asio;
namespace json = boost::json;
using store::StoreSession;

namespace {

// Runs blocking network work (DNS, a test POST) on a thread of its own, so
// that neither an I/O thread nor a database thread waits on a slow host.
template <typename T>
asio::awaitable<T> OnOwnThread(std::function<T()> fn) {
  return asio::async_initiate<decltype(asio::use_awaitable), void(T)>(
      [fn = std::move(fn)](auto handler) mutable {
        auto work = asio::make_work_guard(asio::get_associated_executor(handler));
        std::thread([handler = std::move(handler), fn = std::move(fn),
                     work = std::move(work)]() mutable {
          T value = fn();
          auto ex = asio::get_associated_executor(handler);
          asio::post(ex, [handler = std::move(handler), value = std::move(value)]() mutable {
            std::move(handler)(std::move(value));
          });
          work.reset();
        }).detach();
      },
      asio::use_awaitable);
}

json::value OptTime(const std::optional<TimeMs>& t) {
  return t ? json::value(FormatRfc3339Ms(*t)) : json::value(nullptr);
}

std::string SecretHint(const std::string& text) { return text.substr(0, 10) + "…"; }

}  // namespace

asio::awaitable<Response> AdminApi::WebhooksAnswer(std::vector<std::string> desk) {
  std::vector<notify::EndpointStatus> status =
      d_.webhooks ? d_.webhooks->Status() : std::vector<notify::EndpointStatus>{};
  json::array endpoints;
  auto add = [&](const std::string& url, const char* source) {
    json::object o;
    o["url"] = url;
    o["source"] = source;
    auto it = std::find_if(status.begin(), status.end(),
                           [&](const notify::EndpointStatus& s) { return s.url == url; });
    const notify::EndpointStatus st = it == status.end() ? notify::EndpointStatus{} : *it;
    o["cursor"] = st.cursor;
    o["delivered"] = st.delivered;
    o["given_up"] = st.given_up;
    o["last_status"] = st.last_status;
    o["last_error"] = st.last_error.empty() ? json::value(nullptr) : json::value(st.last_error);
    o["failing_since"] = OptTime(st.failing_since);
    endpoints.push_back(std::move(o));
  };
  for (const auto& u : d_.configured_webhooks) add(u, "config");
  for (const auto& u : desk) {
    if (std::find(d_.configured_webhooks.begin(), d_.configured_webhooks.end(), u) ==
        d_.configured_webhooks.end()) {
      add(u, "desk");
    }
  }
  const std::function<Result<std::string>(StoreSession&)> read_secret =
      [](StoreSession& s) -> Result<std::string> {
    return s.GetSetting(service::kWebhookSecretSetting).value_or("");
  };
  Result<std::string> secret = co_await ReadResult(*d_.db, "webhook secret", read_secret);
  json::object body;
  body["endpoints"] = std::move(endpoints);
  body["allow_private"] = d_.webhook_allow_private;
  body["secret_hint"] = secret && !secret->empty() && d_.webhook_secret_configured == false
                            ? json::value(SecretHint(*secret))
                            : json::value(d_.webhook_secret_configured ? "(--webhook-secret)" : "");
  Response r = JsonResponse(beast_http::status::ok, body);
  r.headers.emplace_back("Cache-Control", "no-store");
  co_return r;
}

asio::awaitable<Response> AdminApi::GetWebhooks(const Request& req) {
  auto who = co_await RequireAdmin(req, false);
  if (!who) co_return ErrorResponse(who.error());
  const std::function<Result<std::vector<std::string>>(StoreSession&)> job =
      [](StoreSession& s) -> Result<std::vector<std::string>> { return service::DeskWebhooks(s); };
  Result<std::vector<std::string>> desk = co_await ReadResult(*d_.db, "webhooks", job);
  if (!desk) co_return ErrorResponse(desk.error());
  co_return co_await WebhooksAnswer(std::move(*desk));
}

asio::awaitable<Response> AdminApi::PutWebhooks(const Request& req) {
  auto who = co_await RequireAdmin(req, true);
  if (!who) co_return ErrorResponse(who.error());
  auto obj = JsonBody(req);
  if (!obj) co_return ErrorResponse(obj.error());
  const json::value* list = obj->if_contains("endpoints");
  if (!list || list->is_null()) {
    co_return ErrorResponse(
        MakeError(ErrorCode::kMissingField, "endpoints is required.", "endpoints"));
  }
  if (!list->is_array()) {
    co_return ErrorResponse(
        MakeError(ErrorCode::kInvalidField, "endpoints must be an array of URLs.", "endpoints"));
  }
  std::vector<std::string> urls;
  for (const auto& v : list->get_array()) {
    if (!v.is_string()) {
      co_return ErrorResponse(
          MakeError(ErrorCode::kInvalidField, "endpoints must be an array of URLs.", "endpoints"));
    }
    std::string u(v.get_string());
    auto parsed = notify::ParseWebhookUrl(u);
    if (!parsed) {
      co_return ErrorResponse(
          MakeError(ErrorCode::kInvalidField, parsed.error().message, "endpoints"));
    }
    urls.push_back(std::move(u));
  }
  if (urls.size() > service::kMaxDeskWebhooks) {
    co_return ErrorResponse(
        MakeError(ErrorCode::kInvalidField, "At most 20 webhook endpoints.", "endpoints"));
  }
  // No SSRF through a desk account: every host must resolve to public
  // addresses only (unless the operator allowed private ones).
  const bool allow_private = d_.webhook_allow_private;
  const std::function<Status()> check = [urls, allow_private]() -> Status {
    for (const auto& u : urls) {
      auto address = notify::ResolveWebhookHost(*notify::ParseWebhookUrl(u), allow_private);
      if (!address)
        return MakeError(ErrorCode::kInvalidField, address.error().message, "endpoints");
    }
    return Ok();
  };
  Status checked = co_await OnOwnThread(check);
  if (!checked) co_return ErrorResponse(checked.error());
  const User actor = *who;
  const Clock* clock = d_.clock;
  const std::function<Result<std::vector<std::string>>(StoreSession&)> job =
      [urls, actor, clock](StoreSession& s) {
        return service::SaveDeskWebhooks(s, urls, actor, clock->NowMs());
      };
  Result<std::vector<std::string>> saved = co_await WriteResult(*d_.db, "saving webhooks", job);
  if (!saved) co_return ErrorResponse(saved.error());
  co_return co_await WebhooksAnswer(std::move(*saved));
}

asio::awaitable<Response> AdminApi::TestWebhook(const Request& req) {
  auto who = co_await RequireAdmin(req, true);
  if (!who) co_return ErrorResponse(who.error());
  auto obj = JsonBody(req);
  if (!obj) co_return ErrorResponse(obj.error());
  auto url_text = RequiredString(*obj, "url");
  if (!url_text) co_return ErrorResponse(url_text.error());
  auto url = notify::ParseWebhookUrl(*url_text);
  if (!url)
    co_return ErrorResponse(MakeError(ErrorCode::kInvalidField, url.error().message, "url"));
  const std::function<Result<std::string>(StoreSession&)> read_secret =
      [](StoreSession& s) -> Result<std::string> {
    return s.GetSetting(service::kWebhookSecretSetting).value_or("");
  };
  Result<std::string> stored = co_await ReadResult(*d_.db, "webhook secret", read_secret);
  if (!stored) co_return ErrorResponse(stored.error());
  auto secret =
      notify::ParseWebhookSecret(d_.webhook_secret_configured ? d_.webhook_secret : *stored);
  if (!secret)
    co_return ErrorResponse(MakeError(ErrorCode::kUnavailable, "No webhook secret yet."));
  Event e;
  e.at = d_.clock->NowMs();
  e.type = "webhook.test";
  e.data = R"({"message":"A test delivery from the Amur desk."})";
  const std::string id = "msg_test_" + RandomToken(*d_.random, 12);
  const bool allow_private = d_.webhook_allow_private;
  const notify::WebhookUrl target = *url;
  const notify::WebhookSecret key = *secret;
  const std::function<notify::DeliveryResult()> send = [target, key, e, id, allow_private]() {
    notify::CurlTransport transport;
    return notify::DeliverEvent(transport, target, allow_private, key, e, e.at / 1000, id);
  };
  notify::DeliveryResult r = co_await OnOwnThread(send);
  json::object body;
  body["delivered"] = r.ok;
  body["status"] = r.status;
  body["error"] = r.error.empty() ? json::value(nullptr) : json::value(r.error);
  body["webhook_id"] = id;
  co_return JsonResponse(beast_http::status::ok, body);
}

asio::awaitable<Response> AdminApi::RotateWebhookSecret(const Request& req) {
  auto who = co_await RequireAdmin(req, true);
  if (!who) co_return ErrorResponse(who.error());
  if (d_.webhook_secret_configured) {
    co_return ErrorResponse(
        MakeError(ErrorCode::kConflict, "The secret is set by --webhook-secret; change it there."));
  }
  const User actor = *who;
  const Clock* clock = d_.clock;
  Random* random = d_.random;
  const std::function<Result<notify::WebhookSecret>(StoreSession&)> job =
      [actor, clock, random](StoreSession& s) {
        return service::RotateWebhookSecret(s, *random, actor, clock->NowMs());
      };
  Result<notify::WebhookSecret> secret = co_await WriteResult(*d_.db, "a new webhook secret", job);
  if (!secret) co_return ErrorResponse(secret.error());
  json::object body;
  body["secret"] = secret->text;
  Response r = JsonResponse(beast_http::status::ok, body);
  r.headers.emplace_back("Cache-Control", "no-store");
  co_return r;
}

}  // namespace amur::http::api
