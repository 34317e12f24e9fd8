#include "app/event_wiring.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstring>

#include "app/warm_up.hpp"
#include "core/random.hpp"
#include "moderation/tunables.hpp"
#include "service/events.hpp"
#include "service/webhook_settings.hpp"

#include <boost/json/parse.hpp>

namespace amur::app {

namespace asio = boost::asio;

namespace {

// The key a page.moved event moved the page from, or nullopt.
std::optional<std::string> MovedFromKey(const Event& e) {
  if (e.type != service::event_type::kPageMoved) return std::nullopt;
  boost::system::error_code ec;
  const auto data = boost::json::parse(e.data, ec);
  if (ec || !data.is_object()) return std::nullopt;
  const auto* from = data.as_object().if_contains("from");
  if (!from || !from->is_object()) return std::nullopt;
  const auto* key = from->as_object().if_contains("key");
  if (!key || !key->is_string()) return std::nullopt;
  return std::string(key->get_string());
}

}  // namespace

void SubscribeVerifiedChains(service::EventBus& bus, service::CommentService& comments) {
  bus.Subscribe("verified chains", [&comments](const Event& e, store::StoreSession&) {
    if (e.type != service::event_type::kPageMoved && e.type != service::event_type::kPageImported) {
      return;
    }
    if (e.page_key) comments.ForgetVerifiedChain(*e.page_key);
    if (auto from = MovedFromKey(e)) comments.ForgetVerifiedChain(*from);
  });
}

void SubscribeReadCache(service::EventBus& bus, http::ResponseCache& cache) {
  bus.Subscribe("read cache", [&cache](const Event& e, store::StoreSession&) {
    if (e.page_key) cache.Invalidate(*e.page_key);
    if (auto from = MovedFromKey(e)) cache.Invalidate(*from);
  });
}

void SubscribeClassifier(service::EventBus& bus, moderation::Pipeline& pipeline,
                         service::DbExecutor& db) {
  bus.Subscribe("classifier", [&pipeline, &db](const Event& e, store::StoreSession& s) {
    const bool approved = e.type == service::event_type::kCommentApproved;
    const bool held = e.type == service::event_type::kCommentRejected ||
                      e.type == service::event_type::kCommentSpam;
    if ((!approved && !held) || !e.comment_id || e.actor.rfind("user:", 0) != 0) return;
    const auto c = s.FindComment(*e.comment_id);
    if (!c) return;
    pipeline.Learn(c->author_name.value_or("Guest"), c->body_markdown, held,
                   c->parent_id.has_value());
    service::WriteJob job;
    job.run = [&pipeline](store::StoreSession& w) {
      w.PutSetting(kModelSetting, Base64Encode(pipeline.SaveModel()));
      w.PutSetting(kCalibrationSetting, pipeline.SaveCalibration());
      return true;
    };
    job.done = [](bool) {};
    db.Write(std::move(job));
  });
}

namespace {

// What a settings.changed event changed ("moderation", "webhooks",
// "webhook_secret"); empty for any other event.
std::string SettingsChanged(const Event& e) {
  if (e.type != service::event_type::kSettingsChanged) return {};
  boost::system::error_code ec;
  const auto data = boost::json::parse(e.data, ec);
  if (ec || !data.is_object()) return {};
  const auto* what = data.as_object().if_contains("what");
  return what && what->is_string() ? std::string(what->get_string()) : std::string();
}

}  // namespace

void SubscribeMail(service::EventBus& bus, service::MailSender& sender) {
  bus.Subscribe("mail", [&sender](const Event& e, store::StoreSession&) {
    if (e.type == service::event_type::kCommentCreated ||
        e.type == service::event_type::kCommentApproved) {
      sender.Notify();
    }
  });
}

void SubscribeModerationSettings(service::EventBus& bus, moderation::Pipeline& pipeline) {
  bus.Subscribe("moderation settings", [&pipeline](const Event& e, store::StoreSession& s) {
    if (SettingsChanged(e) != "moderation") return;
    auto t = moderation::LoadSavedTunables(s, pipeline.CurrentTunables());
    if (!t || !*t) return;
    if (auto st = pipeline.SetTunables(**t); !st) {
      spdlog::error("saved moderation settings refused: {}", st.error().message);
    }
  });
}

void SubscribeOtherNodesPosts(service::EventBus& bus, service::RateLimiter& posts,
                              moderation::Pipeline& pipeline) {
  bus.Subscribe("other nodes' posts", [&posts, &pipeline](const Event& e, store::StoreSession& s) {
    if (e.type != service::event_type::kCommentCreated || !e.comment_id) return;
    if (e.origin.empty() || e.origin == service::ThisNode()) return;
    auto c = s.FindComment(*e.comment_id);
    if (!c) return;
    posts.Record(c->client_address, c->created_at);
    RememberStoredText(pipeline,
                       store::ScreenedText{c->id, c->created_at, std::move(c->author_name),
                                           std::move(c->author_email), std::move(c->client_address),
                                           std::move(c->body_markdown)});
  });
}

std::vector<std::string> AllWebhooks(const std::vector<std::string>& configured,
                                     const std::vector<std::string>& desk) {
  std::vector<std::string> out = configured;
  for (const auto& u : desk) {
    if (std::find(out.begin(), out.end(), u) == out.end()) out.push_back(u);
  }
  return out;
}

void SubscribeWebhooks(service::EventBus& bus, notify::WebhookDispatcher& dispatcher,
                       std::vector<std::string> configured) {
  bus.Subscribe("webhooks", [&dispatcher, configured = std::move(configured)](
                                const Event& e, store::StoreSession& s) {
    if (e.visibility == EventVisibility::kPublic) {
      dispatcher.Notify();
      return;
    }
    const std::string what = SettingsChanged(e);
    if (what == "webhooks") {
      dispatcher.SetEndpoints(AllWebhooks(configured, service::DeskWebhooks(s)), e.seq);
    } else if (what == "webhook_secret") {
      if (auto text = s.GetSetting(service::kWebhookSecretSetting)) {
        if (auto secret = notify::ParseWebhookSecret(*text)) dispatcher.SetSecret(*secret);
      }
    }
  });
}

namespace {

// Notices sent (or given up) are kept this long: while they are, a comment
// approved again is not mailed again.
constexpr TimeMs kMailRetentionMs = 90LL * 24 * 3'600'000;

void PruneOnce(service::DbExecutor& db, TimeMs now, TimeMs before) {
  service::WriteJob job;
  auto pruned = std::make_shared<std::int64_t>(0);
  auto mail = std::make_shared<std::int64_t>(0);
  job.run = [now, before, pruned, mail](store::StoreSession& s) {
    *pruned = s.PruneEvents(before);
    *mail = s.PruneMail(now - kMailRetentionMs) + s.PruneMailTokens(now);
    return true;
  };
  job.done = [pruned, mail](bool committed) {
    if (committed && *pruned > 0) spdlog::info("event log: pruned {} old events", *pruned);
    if (committed && *mail > 0)
      spdlog::info("mail: pruned {} old messages, notices and links", *mail);
  };
  db.Write(std::move(job));
}

}  // namespace

void StartEventPoll(asio::io_context& ioc, service::DbExecutor& db, service::EventBus& events,
                    std::chrono::milliseconds every) {
  asio::co_spawn(
      ioc,
      [&ioc, &db, &events, every]() -> asio::awaitable<void> {
        asio::steady_timer timer(ioc);
        for (;;) {
          timer.expires_after(every);
          co_await timer.async_wait(asio::use_awaitable);
          db.Read([&events](store::StoreSession& s) { events.PublishCommitted(s); });
        }
      },
      asio::detached);
}

EventSignalWatcher::EventSignalWatcher(std::unique_ptr<store::EventListener> listener,
                                       service::DbExecutor& db, service::EventBus& events)
    : listener_(std::move(listener)) {
  thread_ = std::thread([this, &db, &events] {
    while (!stop_.load()) {
      if (!listener_->Wait(std::chrono::milliseconds(1000))) continue;
      if (stop_.load() || queued_.exchange(true)) continue;
      db.Read([this, &events](store::StoreSession& s) {
        queued_ = false;
        events.PublishCommitted(s);
      });
    }
  });
}

EventSignalWatcher::~EventSignalWatcher() { Stop(); }

void EventSignalWatcher::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void StartLeaseRenewal(asio::io_context& ioc, service::Lease& lease,
                       std::function<void()> on_gained) {
  asio::co_spawn(
      ioc,
      [&ioc, &lease, on_gained = std::move(on_gained)]() -> asio::awaitable<void> {
        asio::steady_timer timer(ioc);
        for (;;) {
          lease.Renew(on_gained);
          timer.expires_after(std::chrono::milliseconds(lease.term_ms() / 3));
          co_await timer.async_wait(asio::use_awaitable);
        }
      },
      asio::detached);
}

void StartEventRetention(asio::io_context& ioc, service::DbExecutor& db, const Clock& clock,
                         std::chrono::milliseconds retention, std::chrono::milliseconds every) {
  asio::co_spawn(
      ioc,
      [&ioc, &db, &clock, retention, every]() -> asio::awaitable<void> {
        asio::steady_timer timer(ioc);
        for (;;) {
          const TimeMs now = clock.NowMs();
          PruneOnce(db, now, now - retention.count());
          timer.expires_after(every);
          co_await timer.async_wait(asio::use_awaitable);
        }
      },
      asio::detached);
}

}  // namespace amur::app
