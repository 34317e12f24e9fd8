// Webhooks: the public events of the log (docs/events.md) POSTed as JSON to
// the operator's endpoints, signed the Standard Webhooks way
// (https://www.standardwebhooks.com): headers webhook-id, webhook-timestamp
// and webhook-signature "v1,<base64 HMAC-SHA256 of id.timestamp.body>",
// keyed by the base64 part of a "whsec_…" secret, so that receivers can use
// an existing verifier. docs/webhooks.md is the operator's guide.
//
// Delivery reads the log with a durable cursor per endpoint, one thread per
// endpoint: at least once, in log order (so in order per page), each event
// retried with exponential backoff until it is kWebhookGiveUpAfter old; a dead
// endpoint holds back only its own deliveries, never posting or the others.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/model.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "store/store.hpp"

namespace amur::notify {

// An event is retried for this long (from the time it happened) before it
// is given up on, logged and counted.
inline constexpr std::chrono::hours kWebhookGiveUpAfter{72};

// A signing secret: "whsec_" + base64 of the key bytes.
struct WebhookSecret {
  std::string text;  // "whsec_…", as shown to the operator
  std::string key;   // the decoded key bytes
};

// Errors: invalid_field when `text` is not "whsec_" + base64 of 24 to 64 bytes.
Result<WebhookSecret> ParseWebhookSecret(std::string_view text);
// A new secret of 32 random bytes.
WebhookSecret GenerateWebhookSecret(Random& random);

// "v1,<base64 HMAC-SHA256(key, id + "." + timestamp + "." + body)>".
std::string SignWebhook(const WebhookSecret& secret, std::string_view id, std::int64_t timestamp,
                        std::string_view body);

// The message id of an event ("evt_<seq>"): the same on every retry, so a
// receiver drops duplicates by it.
std::string WebhookMessageId(const Event& e);

// The body POSTed for an event: {"type", "timestamp", "data"} with the event's
// data (for comment events {"comment": …} as the public API shows it).
std::string WebhookBody(const Event& e);

// A webhook URL taken apart: http or https, a host, a port.
struct WebhookUrl {
  std::string url;     // as given
  std::string scheme;  // "http" or "https"
  std::string host;    // without brackets
  int port = 0;
};

// Errors: invalid_field when the URL is not an absolute http(s) URL with a
// host (no user info, at most 2,048 bytes).
Result<WebhookUrl> ParseWebhookUrl(const std::string& url);

// True for addresses a webhook must not reach unless private endpoints are
// allowed: loopback, private (RFC 1918, unique local), link-local, carrier-
// grade NAT, unspecified, multicast, reserved, and IPv4-mapped forms of these.
bool IsPrivateAddress(const std::string& address);

// Resolves the host. Returns the address to connect to. Errors:
// invalid_field when the name does not resolve; not_allowed when it
// resolves to any private address and `allow_private` is false (the message
// says which address).
Result<std::string> ResolveWebhookHost(const WebhookUrl& url, bool allow_private);

// One POST, as the transport saw it.
struct DeliveryResult {
  bool ok = false;    // a 2xx answer
  int status = 0;     // the HTTP status, 0 when none came
  std::string error;  // why it failed, for the log and the desk
};

// Sends one POST; injected so that tests can count or fail deliveries.
class WebhookTransport {
 public:
  virtual ~WebhookTransport() = default;
  // POSTs `body` with `headers` to `url`, connecting to `address` (already
  // checked). Must time out on its own (a few seconds).
  virtual DeliveryResult Post(const WebhookUrl& url, const std::string& address,
                              const std::vector<std::pair<std::string, std::string>>& headers,
                              const std::string& body) = 0;
};

// libcurl: 5 s to connect, 10 s in all, no redirects, http and https only,
// connected to the checked address (no second DNS lookup). Thread-safe when
// each thread uses its own instance.
class CurlTransport final : public WebhookTransport {
 public:
  CurlTransport();
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;
  DeliveryResult Post(const WebhookUrl& url, const std::string& address,
                      const std::vector<std::pair<std::string, std::string>>& headers,
                      const std::string& body) override;

 private:
  void* curl_;  // CURL*
};

// Signs and sends one event to one endpoint (resolving and checking the
// host first). `now_s`: the webhook-timestamp; `id`: the webhook-id
// (default WebhookMessageId(e)).
DeliveryResult DeliverEvent(WebhookTransport& transport, const WebhookUrl& url, bool allow_private,
                            const WebhookSecret& secret, const Event& e, std::int64_t now_s,
                            const std::string& id = {});

struct WebhookOptions {
  bool allow_private = false;
  std::chrono::milliseconds first_retry{500};                    // doubles after each failure...
  std::chrono::milliseconds max_retry{std::chrono::minutes(5)};  // ...up to this
  std::chrono::milliseconds idle_poll{
      std::chrono::seconds(5)};  // look at the log this often anyway
  // Whether this node is the one to deliver now (its webhook lease,
  // service/lease.hpp); null: always. While false the endpoint threads wait
  // and forget their cursors, which they read again from the database once
  // it is true (the node that delivered meanwhile saved its progress there).
  std::function<bool()> active;
};

// Where an endpoint stands (for the desk).
struct EndpointStatus {
  std::string url;
  std::int64_t cursor = 0;     // the last event handled
  std::int64_t delivered = 0;  // since start-up
  std::int64_t given_up = 0;   // since start-up
  int last_status = 0;
  std::string last_error;
  std::optional<TimeMs> failing_since;
};

// The settings key holding an endpoint's cursor.
std::string WebhookCursorKey(const std::string& url);

class WebhookDispatcher final {
 public:
  // Saves a setting durably, later (the server: a write job).
  using SaveSetting = std::function<void(const std::string& key, const std::string& value)>;

  // `make_transport` makes one transport per endpoint thread; `save` keeps
  // the cursors. Reads the log through sessions of its own from `store`.
  WebhookDispatcher(store::Store& store, SaveSetting save, const Clock& clock, WebhookSecret secret,
                    WebhookOptions options,
                    std::function<std::unique_ptr<WebhookTransport>()> make_transport);
  ~WebhookDispatcher();
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  // Delivers to exactly these endpoints from now on: starts a thread for each
  // new one and stops removed ones. A new endpoint resumes from its saved
  // cursor; one never seen starts after `start_after` (the event that added
  // it, so that it receives everything from then on and not the past), or
  // after the log's newest event when nullopt
  // (without waiting for them: they are joined by Stop). Unparsable URLs are
  // logged and skipped. Quick: may be called from the writer thread.
  void SetEndpoints(const std::vector<std::string>& urls,
                    std::optional<std::int64_t> start_after = std::nullopt);

  // Replaces the signing secret for the deliveries that follow.
  void SetSecret(WebhookSecret secret);

  // Wakes the endpoint threads: events were committed. Cheap; any thread.
  void Notify();

  // Stops every thread, saving each cursor first. Idempotent.
  void Stop();

  std::vector<EndpointStatus> Status() const;

 private:
  struct Endpoint;
  void Run(Endpoint& ep);
  void SaveCursor(const std::string& url, std::int64_t cursor);

  store::Store& store_;
  SaveSetting save_;
  const Clock& clock_;
  WebhookOptions options_;
  std::function<std::unique_ptr<WebhookTransport>()> make_transport_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::uint64_t wakeups_ = 0;
  WebhookSecret secret_;
  std::map<std::string, std::unique_ptr<Endpoint>> endpoints_;
  std::vector<std::unique_ptr<Endpoint>> retired_;  // stopping; joined by Stop
  bool stopped_ = false;
};

}  // namespace amur::notify
