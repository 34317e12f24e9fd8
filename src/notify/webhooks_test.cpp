#include "notify/webhooks.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/clock.hpp"
#include "service/store_test_support.hpp"

namespace amur::notify {
namespace {

using namespace std::chrono_literals;

TEST(WebhookSignatureTest, MatchesTheStandardWebhooksExample) {
  // The example of the Standard Webhooks specification.
  auto secret = ParseWebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(
      SignWebhook(*secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, R"({"test": 2432232314})"),
      "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(WebhookSignatureTest, ChangesWithEveryPart) {
  auto secret = *ParseWebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  const std::string base = SignWebhook(secret, "id", 1, "{}");
  EXPECT_NE(base, SignWebhook(secret, "id2", 1, "{}"));
  EXPECT_NE(base, SignWebhook(secret, "id", 2, "{}"));
  EXPECT_NE(base, SignWebhook(secret, "id", 1, "{ }"));
}

TEST(WebhookSecretTest, ParsesOnlyWhsecWithEnoughBytes) {
  EXPECT_FALSE(ParseWebhookSecret("").ok());
  EXPECT_FALSE(ParseWebhookSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").ok());
  EXPECT_FALSE(ParseWebhookSecret("whsec_c2hvcnQ=").ok());  // 5 bytes
  EXPECT_FALSE(ParseWebhookSecret("whsec_***not base64***").ok());
  SodiumRandom random;
  auto made = GenerateWebhookSecret(random);
  EXPECT_EQ(made.key.size(), 32u);
  auto parsed = ParseWebhookSecret(made.text);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->key, made.key);
}

TEST(WebhookBodyTest, HasTypeTimestampAndTheEventsData) {
  Event e;
  e.seq = 42;
  e.at = 1'795'000'000'000;
  e.type = "comment.created";
  e.data = R"({"comment":{"id":"c1"}})";
  EXPECT_EQ(
      WebhookBody(e),
      R"({"type":"comment.created","timestamp":"2026-11-18T11:06:40.000Z","data":{"comment":{"id":"c1"}}})");
  EXPECT_EQ(WebhookMessageId(e), "evt_42");
}

TEST(WebhookUrlTest, AcceptsHttpAndHttpsWithAHost) {
  auto u = ParseWebhookUrl("https://hooks.example.org/amur?x=1");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "hooks.example.org");
  EXPECT_EQ(u->port, 443);
  auto v6 = ParseWebhookUrl("http://[2001:db8::1]:8080/x");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "2001:db8::1");
  EXPECT_EQ(v6->port, 8080);
  for (const char* bad :
       {"", "hooks.example.org/x", "ftp://example.org/", "file:///etc/passwd",
        "gopher://example.org/", "http://user:pw@example.org/", "http:///x", "http://exa mple.org/",
        "http://example.org:99999/", "javascript:alert(1)"}) {
    EXPECT_FALSE(ParseWebhookUrl(bad).ok()) << bad;
  }
  EXPECT_FALSE(ParseWebhookUrl("https://example.org/" + std::string(3000, 'a')).ok());
}

TEST(PrivateAddressTest, RefusesEveryInternalRange) {
  for (const char* a : {"127.0.0.1",
                        "127.8.9.10",
                        "10.1.2.3",
                        "172.16.0.1",
                        "172.31.255.255",
                        "192.168.1.1",
                        "169.254.169.254",
                        "100.64.0.1",
                        "0.0.0.0",
                        "224.0.0.1",
                        "255.255.255.255",
                        "::1",
                        "::",
                        "fc00::1",
                        "fd12:3456::1",
                        "fe80::1",
                        "ff02::1",
                        "::ffff:127.0.0.1",
                        "::ffff:10.0.0.1",
                        "64:ff9b::a00:1",
                        "::127.0.0.1",
                        "2001:db8::5",
                        "not an address"}) {
    EXPECT_TRUE(IsPrivateAddress(a)) << a;
  }
  for (const char* a : {"93.184.216.34", "1.1.1.1", "172.32.0.1", "192.169.0.1", "100.128.0.1",
                        "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"}) {
    EXPECT_FALSE(IsPrivateAddress(a)) << a;
  }
}

TEST(ResolveWebhookHostTest, LoopbackNeedsThePrivateSwitch) {
  auto url = *ParseWebhookUrl("http://127.0.0.1:9/x");
  auto refused = ResolveWebhookHost(url, false);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kNotAllowed);
  auto allowed = ResolveWebhookHost(url, true);
  ASSERT_TRUE(allowed.ok());
  EXPECT_EQ(*allowed, "127.0.0.1");
  auto localhost = ResolveWebhookHost(*ParseWebhookUrl("http://localhost/x"), false);
  EXPECT_FALSE(localhost.ok());
}

// A transport that records what it is asked to send and fails on demand.
class RecordingTransport final : public WebhookTransport {
 public:
  struct Shared {
    std::mutex mu;
    std::vector<std::string> ids;
    std::vector<std::string> bodies;
    std::atomic<int> fail_next{0};
    std::atomic<int> attempts{0};
  };
  explicit RecordingTransport(Shared& shared) : shared_(shared) {}
  DeliveryResult Post(const WebhookUrl&, const std::string&,
                      const std::vector<std::pair<std::string, std::string>>& headers,
                      const std::string& body) override {
    ++shared_.attempts;
    if (shared_.fail_next > 0) {
      --shared_.fail_next;
      return DeliveryResult{false, 503, "answered HTTP 503"};
    }
    std::lock_guard lock(shared_.mu);
    for (const auto& [k, v] : headers) {
      if (k == "webhook-id") shared_.ids.push_back(v);
    }
    shared_.bodies.push_back(body);
    return DeliveryResult{true, 204, ""};
  }

 private:
  Shared& shared_;
};

class DispatcherTest : public service::testing::StoreTest {
 protected:
  std::int64_t Append(const std::string& type, EventVisibility v = EventVisibility::kPublic) {
    store::WriteTransaction tx(*s_);
    Event e;
    e.at = clock_.NowMs();
    e.type = type;
    e.page_key = "/p";
    e.actor = "guest";
    e.visibility = v;
    e.data = "{}";
    const auto seq = s_->AppendEvent(e);
    tx.Commit();
    return seq;
  }

  std::unique_ptr<WebhookDispatcher> Make() {
    WebhookOptions o;
    o.allow_private = true;
    o.first_retry = 10ms;
    o.max_retry = 40ms;
    o.idle_poll = 50ms;
    auto save = [this](const std::string& key, const std::string& value) {
      std::lock_guard lock(saved_mu_);
      saved_[key] = value;
    };
    return std::make_unique<WebhookDispatcher>(
        *store_, save, clock_, GenerateWebhookSecret(random_), o,
        [this] { return std::make_unique<RecordingTransport>(shared_); });
  }

  bool WaitFor(std::function<bool()> pred) {
    for (int i = 0; i < 400; ++i) {
      if (pred()) return true;
      std::this_thread::sleep_for(10ms);
    }
    return pred();
  }

  std::size_t Delivered() {
    std::lock_guard lock(shared_.mu);
    return shared_.ids.size();
  }

  SystemClock clock_;
  SodiumRandom random_;
  RecordingTransport::Shared shared_;
  std::mutex saved_mu_;
  std::map<std::string, std::string> saved_;
  const std::string url_ = "http://127.0.0.1:9/hook";
};

TEST_F(DispatcherTest, ANewEndpointStartsAtTheNewestEventAndDeliversPublicOnesInOrder) {
  Append("before.start");
  auto d = Make();
  d->SetEndpoints({url_});
  ASSERT_TRUE(WaitFor([&] { return d->Status().size() == 1 && d->Status()[0].cursor > 0; }));
  const auto a = Append("a");
  Append("staff only", EventVisibility::kStaff);
  const auto b = Append("b");
  d->Notify();
  ASSERT_TRUE(WaitFor([&] { return Delivered() == 2; }));
  {
    std::lock_guard lock(shared_.mu);
    EXPECT_EQ(shared_.ids,
              (std::vector<std::string>{"evt_" + std::to_string(a), "evt_" + std::to_string(b)}));
  }
  d->Stop();
  std::lock_guard lock(saved_mu_);
  EXPECT_EQ(saved_[WebhookCursorKey(url_)], std::to_string(b));
}

TEST_F(DispatcherTest, FailedDeliveriesAreRetriedWithoutSkippingOrReordering) {
  auto d = Make();
  d->SetEndpoints({url_});
  ASSERT_TRUE(WaitFor([&] { return !d->Status().empty(); }));
  std::this_thread::sleep_for(50ms);
  shared_.fail_next = 3;
  const auto a = Append("a");
  const auto b = Append("b");
  d->Notify();
  ASSERT_TRUE(WaitFor([&] { return Delivered() == 2; }));
  EXPECT_GE(shared_.attempts.load(), 5);
  std::lock_guard lock(shared_.mu);
  EXPECT_EQ(shared_.ids,
            (std::vector<std::string>{"evt_" + std::to_string(a), "evt_" + std::to_string(b)}));
}

TEST_F(DispatcherTest, ASavedCursorIsWhereARestartResumes) {
  const auto a = Append("a");
  const auto b = Append("b");
  {
    store::WriteTransaction tx(*s_);
    s_->PutSetting(WebhookCursorKey(url_), std::to_string(a - 1));
    tx.Commit();
  }
  auto d = Make();
  d->SetEndpoints({url_});
  ASSERT_TRUE(WaitFor([&] { return Delivered() == 2; }));
  std::lock_guard lock(shared_.mu);
  EXPECT_EQ(shared_.ids.back(), "evt_" + std::to_string(b));
}

TEST_F(DispatcherTest, RemovedEndpointsStopAndStatusForgetsThem) {
  auto d = Make();
  d->SetEndpoints({url_, "http://127.0.0.1:10/other"});
  ASSERT_TRUE(WaitFor([&] { return d->Status().size() == 2; }));
  d->SetEndpoints({url_});
  EXPECT_EQ(d->Status().size(), 1u);
  d->Stop();
  EXPECT_TRUE(d->Status().empty());
}

}  // namespace
}  // namespace amur::notify
