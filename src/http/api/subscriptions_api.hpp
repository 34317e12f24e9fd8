// Email subscriptions over HTTP (docs/api.md, "Subscriptions"): the JSON API
// for readers and members, and the pages behind the links in mail (confirm,
// one-click unsubscribe per RFC 8058, manage). Requests are rate-limited per
// client network and per address; a guest's answer never says whether the
// address was known.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <string>

#include "core/metrics.hpp"
#include "http/message.hpp"
#include "http/request_parsing.hpp"
#include "service/subscription_service.hpp"

namespace amur::http {
struct HttpDeps;
}

namespace amur::http::api {

class SubscriptionsApi final {
 public:
  explicit SubscriptionsApi(HttpDeps& deps);

  // POST /api/v1/subscriptions {"kind", "page"?, "email"?}
  boost::asio::awaitable<Response> Create(const Request& req, std::string client);
  // GET /api/v1/subscriptions (a member's own)
  boost::asio::awaitable<Response> List(const Request& req);
  // DELETE /api/v1/subscriptions/{id} (a member's own)
  boost::asio::awaitable<Response> Delete(const Request& req, std::string id);

  // GET /subscriptions/confirm?token=
  boost::asio::awaitable<Response> ConfirmPage(const Params& params);
  // GET (a button) and POST (effective at once) /subscriptions/unsubscribe?token=
  boost::asio::awaitable<Response> UnsubscribePage(const Request& req, const Params& params);
  // GET and POST (remove=sID|all) /subscriptions/manage?token=
  boost::asio::awaitable<Response> ManagePage(const Request& req, const Params& params);

  // Wakes the mail sender (a confirmation may be waiting in the outbox).
  void AfterCommit();

 private:
  HttpDeps& d_;
  Counter* requests_;
  Counter* limited_;
};

// Counts one subscription request against the per-network and per-address
// limits; the seconds to wait when refused. `address` may be empty (members).
std::optional<std::int64_t> SubscribeRateLimited(HttpDeps& d, const std::string& client,
                                                 const std::string& address);

// {"id": "s3", "kind", "page", "page_title", "status": "active"|"pending", "created_at"}
boost::json::object SubscriptionJson(const service::SubscriptionView& v);

}  // namespace amur::http::api
