#include "notify/webhooks.hpp"

#include <curl/curl.h>
#include <netdb.h>
#include <sodium.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <boost/asio/ip/address.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <algorithm>
#include <array>
#include <cstring>

namespace amur::notify {

namespace {

constexpr std::size_t kMaxUrlBytes = 2048;
constexpr int kEventsPerRead = 100;

struct V4Range {
  std::uint32_t net;
  int bits;
};

// Addresses a webhook must not reach by default (see IsPrivateAddress).
constexpr std::array<V4Range, 15> kPrivateV4 = {{
    {0x00000000, 8},   // "this" network
    {0x0A000000, 8},   // 10/8
    {0x64400000, 10},  // 100.64/10 carrier-grade NAT
    {0x7F000000, 8},   // loopback
    {0xA9FE0000, 16},  // link-local (cloud metadata lives here)
    {0xAC100000, 12},  // 172.16/12
    {0xC0000000, 24},  // 192.0.0/24 IETF protocol assignments
    {0xC0000200, 24},  // TEST-NET-1
    {0xC0A80000, 16},  // 192.168/16
    {0xC6120000, 15},  // 198.18/15 benchmarking
    {0xC6336400, 24},  // TEST-NET-2
    {0xCB007100, 24},  // TEST-NET-3
    {0xE0000000, 4},   // multicast
    {0xF0000000, 4},   // reserved and broadcast
    {0xFFFFFFFF, 32},
}};

bool PrivateV4(std::uint32_t a) {
  for (const auto& r : kPrivateV4) {
    const std::uint32_t mask = r.bits == 0 ? 0 : ~std::uint32_t{0} << (32 - r.bits);
    if ((a & mask) == (r.net & mask)) return true;
  }
  return false;
}

std::string JsonString(std::string_view s) {
  return boost::json::serialize(boost::json::string(s));
}

std::size_t DiscardBody(char*, std::size_t size, std::size_t n, void*) { return size * n; }

}  // namespace

Result<WebhookSecret> ParseWebhookSecret(std::string_view text) {
  constexpr std::string_view kPrefix = "whsec_";
  WebhookSecret s;
  if (text.substr(0, kPrefix.size()) != kPrefix ||
      !Base64Decode(text.substr(kPrefix.size()), &s.key) || s.key.size() < 24 ||
      s.key.size() > 64) {
    return MakeError(ErrorCode::kInvalidField,
                     "The webhook secret must be whsec_ followed by the base64 of 24 to 64 bytes.",
                     "webhook_secret");
  }
  s.text = std::string(text);
  return s;
}

WebhookSecret GenerateWebhookSecret(Random& random) {
  WebhookSecret s;
  s.key.resize(32);
  random.Fill(reinterpret_cast<unsigned char*>(s.key.data()), s.key.size());
  s.text = "whsec_" + Base64Encode(s.key);
  return s;
}

std::string SignWebhook(const WebhookSecret& secret, std::string_view id, std::int64_t timestamp,
                        std::string_view body) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.key.data()),
                              secret.key.size());
  const std::string ts = std::to_string(timestamp);
  auto update = [&state](std::string_view part) {
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(part.data()),
                                  part.size());
  };
  update(id);
  update(".");
  update(ts);
  update(".");
  update(body);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  return "v1," + Base64Encode(std::string_view(reinterpret_cast<const char*>(mac), sizeof mac));
}

std::string WebhookMessageId(const Event& e) { return "evt_" + std::to_string(e.seq); }

std::string WebhookBody(const Event& e) {
  std::string out;
  out.reserve(e.data.size() + e.type.size() + 64);
  out += R"({"type":)";
  out += JsonString(e.type);
  out += R"(,"timestamp":")";
  out += FormatRfc3339Ms(e.at);
  out += R"(","data":)";
  out += e.data.empty() ? std::string("{}") : e.data;
  out += '}';
  return out;
}

Result<WebhookUrl> ParseWebhookUrl(const std::string& url) {
  auto bad = [](const std::string& why) {
    return MakeError(ErrorCode::kInvalidField, "Not a usable webhook URL: " + why, "url");
  };
  if (url.empty() || url.size() > kMaxUrlBytes) return bad("it must be 1 to 2,048 bytes.");
  for (unsigned char c : url) {
    if (c <= 0x20 || c >= 0x7f) return bad("it holds spaces or characters outside ASCII.");
  }
  {
    // libcurl forgives "http:///x" (taking "x" for the host); a webhook URL
    // must spell its authority out.
    const auto sep = url.find("://");
    if (sep == std::string::npos || sep + 3 >= url.size() || url[sep + 3] == '/') {
      return bad("it must be an absolute http:// or https:// URL with a host.");
    }
  }
  CURLU* h = curl_url();
  if (!h) return MakeError(ErrorCode::kInternal, "Out of memory.");
  WebhookUrl out;
  out.url = url;
  bool ok = curl_url_set(h, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK;
  auto part = [h](CURLUPart which, std::string* into, unsigned flags) {
    char* value = nullptr;
    if (curl_url_get(h, which, &value, flags) != CURLUE_OK || !value) return false;
    *into = value;
    curl_free(value);
    return true;
  };
  std::string user, port;
  if (ok) ok = part(CURLUPART_SCHEME, &out.scheme, 0) && part(CURLUPART_HOST, &out.host, 0);
  const bool has_user = ok && part(CURLUPART_USER, &user, 0);
  if (ok) ok = part(CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
  curl_url_cleanup(h);
  if (!ok) return bad("it must be an absolute http:// or https:// URL with a host.");
  std::transform(out.scheme.begin(), out.scheme.end(), out.scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (out.scheme != "http" && out.scheme != "https") return bad("only http and https are allowed.");
  if (has_user) return bad("it must not carry a user name or password.");
  if (out.host.size() >= 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  if (out.host.empty()) return bad("it has no host.");
  out.port = std::atoi(port.c_str());
  if (out.port <= 0 || out.port > 65535) return bad("its port is out of range.");
  return out;
}

bool IsPrivateAddress(const std::string& text) {
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address(text, ec);
  if (ec) return true;  // not an address: refuse rather than guess
  if (a.is_v4()) return PrivateV4(a.to_v4().to_uint());
  const auto v6 = a.to_v6();
  if (v6.is_v4_mapped()) {
    return PrivateV4(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_uint());
  }
  const auto b = v6.to_bytes();
  // NAT64 (64:ff9b::/96) and IPv4-compatible (::/96) forms carry an IPv4 address.
  const bool nat64 = b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b &&
                     std::all_of(b.begin() + 4, b.begin() + 12, [](auto x) { return x == 0; });
  const bool compat = std::all_of(b.begin(), b.begin() + 12, [](auto x) { return x == 0; });
  if (nat64 || compat) {
    const std::uint32_t v4 = (std::uint32_t{b[12]} << 24) | (std::uint32_t{b[13]} << 16) |
                             (std::uint32_t{b[14]} << 8) | b[15];
    return compat ? true : PrivateV4(v4);  // ::/96 holds :: and ::1 too
  }
  if ((b[0] & 0xfe) == 0xfc) return true;                  // fc00::/7 unique local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return true;  // fe80::/10 link-local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return true;  // fec0::/10 site-local (old)
  if (b[0] == 0xff) return true;                           // multicast
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return true;  // documentation
  return false;
}

Result<std::string> ResolveWebhookHost(const WebhookUrl& url, bool allow_private) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const int rc = getaddrinfo(url.host.c_str(), nullptr, &hints, &res);
  if (rc != 0 || !res) {
    return MakeError(
        ErrorCode::kInvalidField,
        "The webhook host " + url.host + " does not resolve (" + gai_strerror(rc) + ").", "url");
  }
  std::string first;
  std::string refused;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    char buf[INET6_ADDRSTRLEN] = {};
    if (getnameinfo(ai->ai_addr, ai->ai_addrlen, buf, sizeof buf, nullptr, 0, NI_NUMERICHOST) !=
        0) {
      continue;
    }
    std::string text(buf);
    if (auto pct = text.find('%'); pct != std::string::npos) text.resize(pct);  // scope id
    if (!allow_private && IsPrivateAddress(text)) refused = text;
    if (first.empty()) first = text;
  }
  freeaddrinfo(res);
  if (!refused.empty()) {
    return MakeError(ErrorCode::kNotAllowed,
                     "The webhook host " + url.host + " resolves to " + refused +
                         ", a loopback or private address (allowed only with "
                         "--webhook-allow-private).",
                     "url");
  }
  if (first.empty()) {
    return MakeError(ErrorCode::kInvalidField, "The webhook host " + url.host + " has no address.",
                     "url");
  }
  return first;
}

CurlTransport::CurlTransport() : curl_(curl_easy_init()) {}

CurlTransport::~CurlTransport() {
  if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

DeliveryResult CurlTransport::Post(const WebhookUrl& url, const std::string& address,
                                   const std::vector<std::pair<std::string, std::string>>& headers,
                                   const std::string& body) {
  DeliveryResult out;
  auto* c = static_cast<CURL*>(curl_);
  if (!c) {
    out.error = "libcurl could not start";
    return out;
  }
  curl_easy_reset(c);  // keeps the connection cache
  curl_slist* head = nullptr;
  for (const auto& [k, v] : headers) head = curl_slist_append(head, (k + ": " + v).c_str());
  head = curl_slist_append(head, "Expect:");
  const std::string pin = url.host + ":" + std::to_string(url.port) + ":" +
                          (address.find(':') != std::string::npos ? "[" + address + "]" : address);
  curl_slist* resolve = curl_slist_append(nullptr, pin.c_str());
  curl_easy_setopt(c, CURLOPT_URL, url.url.c_str());
  curl_easy_setopt(c, CURLOPT_RESOLVE, resolve);
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, head);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, DiscardBody);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "amur-webhooks/" AMUR_VERSION);
  const CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(head);
  curl_slist_free_all(resolve);
  out.status = static_cast<int>(status);
  if (rc != CURLE_OK) {
    out.error = curl_easy_strerror(rc);
  } else if (status < 200 || status > 299) {
    out.error = "answered HTTP " + std::to_string(status);
  } else {
    out.ok = true;
  }
  return out;
}

DeliveryResult DeliverEvent(WebhookTransport& transport, const WebhookUrl& url, bool allow_private,
                            const WebhookSecret& secret, const Event& e, std::int64_t now_s,
                            const std::string& given_id) {
  auto address = ResolveWebhookHost(url, allow_private);
  if (!address) {
    DeliveryResult r;
    r.error = address.error().message;
    return r;
  }
  const std::string id = given_id.empty() ? WebhookMessageId(e) : given_id;
  const std::string body = WebhookBody(e);
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Type", "application/json"},
      {"webhook-id", id},
      {"webhook-timestamp", std::to_string(now_s)},
      {"webhook-signature", SignWebhook(secret, id, now_s, body)},
  };
  return transport.Post(url, *address, headers, body);
}

std::string WebhookCursorKey(const std::string& url) {
  return "webhook_cursor:" + Sha256Hex(url).substr(0, 32);
}

struct WebhookDispatcher::Endpoint {
  WebhookUrl url;
  std::optional<std::int64_t> start_after;  // for an endpoint without a saved cursor
  std::thread thread;
  bool stop = false;  // guarded by the dispatcher's mu_
  EndpointStatus status;
};

WebhookDispatcher::WebhookDispatcher(
    store::Store& store, SaveSetting save, const Clock& clock, WebhookSecret secret,
    WebhookOptions options, std::function<std::unique_ptr<WebhookTransport>()> make_transport)
    : store_(store),
      save_(std::move(save)),
      clock_(clock),
      options_(options),
      make_transport_(std::move(make_transport)),
      secret_(std::move(secret)) {}

WebhookDispatcher::~WebhookDispatcher() { Stop(); }

void WebhookDispatcher::SetEndpoints(const std::vector<std::string>& urls,
                                     std::optional<std::int64_t> start_after) {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    for (auto it = endpoints_.begin(); it != endpoints_.end();) {
      if (std::find(urls.begin(), urls.end(), it->first) == urls.end()) {
        it->second->stop = true;
        retired_.push_back(std::move(it->second));
        it = endpoints_.erase(it);
      } else {
        ++it;
      }
    }
    for (const auto& u : urls) {
      if (endpoints_.count(u)) continue;
      auto parsed = ParseWebhookUrl(u);
      if (!parsed) {
        spdlog::error("webhook {}: {}", u, parsed.error().message);
        continue;
      }
      auto ep = std::make_unique<Endpoint>();
      ep->url = *parsed;
      ep->start_after = start_after;
      ep->status.url = u;
      Endpoint* raw = ep.get();
      endpoints_.emplace(u, std::move(ep));
      raw->thread = std::thread([this, raw] { Run(*raw); });
    }
  }
  cv_.notify_all();
}

void WebhookDispatcher::SetSecret(WebhookSecret secret) {
  std::lock_guard lock(mu_);
  secret_ = std::move(secret);
}

void WebhookDispatcher::Notify() {
  {
    std::lock_guard lock(mu_);
    ++wakeups_;
  }
  cv_.notify_all();
}

void WebhookDispatcher::Stop() {
  std::vector<std::unique_ptr<Endpoint>> all;
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    for (auto& [u, ep] : endpoints_) {
      ep->stop = true;
      all.push_back(std::move(ep));
    }
    endpoints_.clear();
    for (auto& ep : retired_) all.push_back(std::move(ep));
    retired_.clear();
  }
  cv_.notify_all();
  for (auto& ep : all) {
    if (ep->thread.joinable()) ep->thread.join();
  }
}

std::vector<EndpointStatus> WebhookDispatcher::Status() const {
  std::lock_guard lock(mu_);
  std::vector<EndpointStatus> out;
  for (const auto& [u, ep] : endpoints_) out.push_back(ep->status);
  return out;
}

void WebhookDispatcher::SaveCursor(const std::string& url, std::int64_t cursor) {
  save_(WebhookCursorKey(url), std::to_string(cursor));
}

void WebhookDispatcher::Run(Endpoint& ep) {
  const std::string& name = ep.status.url;
  auto transport = make_transport_();
  std::unique_ptr<store::StoreSession> session;
  std::int64_t cursor = -1;
  std::uint64_t seen_wakeups = 0;
  std::chrono::milliseconds backoff = options_.first_retry;

  // Waits up to `d`, or until woken by Notify (when `on_notify`), or stopped.
  // Returns false when stopped.
  auto wait = [this, &ep, &seen_wakeups](std::chrono::milliseconds d, bool on_notify) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, d, [&] { return ep.stop || (on_notify && wakeups_ != seen_wakeups); });
    seen_wakeups = wakeups_;
    return !ep.stop;
  };
  auto set_status = [this, &ep](auto&& fn) {
    std::lock_guard lock(mu_);
    fn(ep.status);
  };

  while (true) {
    {
      std::lock_guard lock(mu_);
      if (ep.stop) break;
      seen_wakeups = wakeups_;
    }
    if (options_.active && !options_.active()) {
      cursor = -1;
      if (!wait(options_.idle_poll, true)) break;
      continue;
    }
    std::vector<Event> events;
    try {
      if (!session) session = store_.OpenSession();
      session->BeginRead();
      if (cursor < 0) {
        auto saved = session->GetSetting(WebhookCursorKey(name));
        cursor = saved ? std::stoll(*saved) : ep.start_after.value_or(session->LastEventSeq());
        session->Commit();
        if (!saved) SaveCursor(name, cursor);
        set_status([cursor](EndpointStatus& s) { s.cursor = cursor; });
        spdlog::info("webhook {}: delivering the events after {}", name, cursor);
        continue;
      }
      events = session->ListEvents(cursor, kEventsPerRead, /*public_only=*/true);
      session->Commit();
    } catch (const std::exception& e) {
      spdlog::error("webhook {}: cannot read the event log: {}", name, e.what());
      try {
        if (session) session->Rollback();
      } catch (...) {
      }
      session.reset();
      if (!wait(options_.idle_poll, false)) break;
      continue;
    }
    if (events.empty()) {
      if (!wait(options_.idle_poll, true)) break;
      continue;
    }
    const std::int64_t before = cursor;
    for (const Event& e : events) {
      bool handled = false;
      while (true) {
        WebhookSecret secret;
        {
          std::lock_guard lock(mu_);
          if (ep.stop) break;
          secret = secret_;
        }
        if (options_.active && !options_.active()) break;  // another node delivers now
        const DeliveryResult r = DeliverEvent(*transport, ep.url, options_.allow_private, secret, e,
                                              clock_.NowMs() / 1000);
        const TimeMs now = clock_.NowMs();
        if (r.ok) {
          set_status([&](EndpointStatus& s) {
            ++s.delivered;
            s.last_status = r.status;
            s.last_error.clear();
            s.failing_since.reset();
          });
          backoff = options_.first_retry;
          handled = true;
          break;
        }
        set_status([&](EndpointStatus& s) {
          s.last_status = r.status;
          s.last_error = r.error;
          if (!s.failing_since) s.failing_since = now;
        });
        if (now - e.at >
            std::chrono::duration_cast<std::chrono::milliseconds>(kWebhookGiveUpAfter).count()) {
          spdlog::error("webhook {}: giving up on event {} ({}) after {} h: {}", name, e.seq,
                        e.type, kWebhookGiveUpAfter.count(), r.error);
          set_status([](EndpointStatus& s) { ++s.given_up; });
          handled = true;
          break;
        }
        spdlog::warn("webhook {}: event {} not delivered ({}); next try in {} ms", name, e.seq,
                     r.error, backoff.count());
        if (!wait(backoff, false)) break;
        backoff = std::min(backoff * 2, options_.max_retry);
      }
      if (!handled) break;
      cursor = e.seq;
      set_status([cursor](EndpointStatus& s) { s.cursor = cursor; });
    }
    if (cursor != before) SaveCursor(name, cursor);
  }
}

}  // namespace amur::notify
