// Every route of the HTTP API and the pages for people, dispatched from one
// table: the front door of src/http for the application wiring.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "core/random.hpp"
#include "http/client_address.hpp"
#include "http/message.hpp"
#include "http/response_cache.hpp"
#include "moderation/pipeline.hpp"
#include "notify/webhooks.hpp"
#include "service/account_service.hpp"
#include "service/comment_service.hpp"
#include "service/db_executor.hpp"
#include "service/event_bus.hpp"
#include "service/moderation_service.hpp"
#include "service/rate_limiter.hpp"
#include "service/subscription_service.hpp"

namespace amur::service {
class MailSender;
}

namespace amur::http {

class LiveHub;

struct HttpDeps {
  service::CommentService* comments = nullptr;
  service::DbExecutor* db = nullptr;
  service::RateLimiter* post_limiter = nullptr;
  service::RateLimiter* login_limiter = nullptr;
  service::AccountService* accounts = nullptr;
  service::ModerationService* moderation = nullptr;
  bool secure_cookies = false;  // the public URL is https
  moderation::Pipeline* pipeline = nullptr;  // term lists and thresholds
  ResponseCache* cache = nullptr;
  Metrics* metrics = nullptr;
  const Clock* clock = nullptr;
  Random* random = nullptr;
  TrustedProxies proxies;
  std::vector<std::string> allow_origins;  // "*" for any
  std::string public_url;
  std::string form_key;  // secret for CSRF tokens of the HTML forms
  std::int64_t edit_window_seconds = 900;  // told to the widget (GET /embed.js)
  notify::WebhookDispatcher* webhooks = nullptr;  // null: no delivery (tests, tools)
  std::vector<std::string> configured_webhooks;   // --webhook, not editable on the desk
  bool webhook_allow_private = false;

  // True when `origin` (an Origin header's value) is one of allow_origins, or
  // they hold "*".
  bool AllowsOrigin(std::string_view origin) const {
    for (const auto& o : allow_origins) {
      if (o == "*" || o == origin) return true;
    }
    return false;
  }

  // True when `origin` is listed by name in allow_origins ("*" names no site).
  bool NamesOrigin(std::string_view origin) const {
    for (const auto& o : allow_origins) {
      if (o != "*" && o == origin) return true;
    }
    return false;
  }
  service::SubscriptionService* subscriptions = nullptr;      // null: no email notifications
  service::MailSender* mail = nullptr;                        // woken after a subscription
  service::RateLimiter* subscribe_network_limiter = nullptr;  // per client network
  service::RateLimiter* subscribe_address_limiter = nullptr;  // per target address
  std::string metrics_token;               // empty: /metrics only to loopback
  bool webhook_secret_configured = false;  // --webhook-secret given
  std::string webhook_secret;              // its value, when given
  LiveHub* live = nullptr;                 // null: GET /api/v1/events answers 404
  // What this node has published of the event log: a successful write's
  // answer carries LastPublished (X-Amur-Seen, amur_seen), and a read whose
  // client has seen more than this node published skips the read cache
  // (NodeBehind). Null: neither (tests, tools).
  const service::EventBus* events = nullptr;

  // True when the client of a request carrying `seen` (SeenSeq) wrote
  // something this node has not published yet: its read cache may still hold
  // answers from before that write, so the read must go to the database.
  bool NodeBehind(std::int64_t seen) const { return events && seen > events->LastPublished(); }
};

class Routes final {
 public:
  explicit Routes(HttpDeps deps);
  ~Routes();
  boost::asio::awaitable<Response> Handle(Request& req);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace amur::http
