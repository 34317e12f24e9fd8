// What follows a commit, wired in one place: the subscribers of the event
// bus (service/event_bus.hpp) and the event log's retention.
#pragma once

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "core/clock.hpp"
#include "http/response_cache.hpp"
#include "moderation/pipeline.hpp"
#include "notify/webhooks.hpp"
#include "service/comment_service.hpp"
#include "service/db_executor.hpp"
#include "service/event_bus.hpp"
#include "service/lease.hpp"
#include "service/mail_sender.hpp"
#include "service/rate_limiter.hpp"

namespace amur::app {

// The settings key of the saved classifier model.
inline constexpr const char* kModelSetting = "classifier_model";
// The held-out scores of recent decisions (moderation::Calibration::Save).
inline constexpr const char* kCalibrationSetting = "classifier_calibration";

// What rewrites a page's history in another process (amur remap: page.moved,
// for the old and the new key; amur import: page.imported) makes the
// service forget what it had verified of that page's chain. Subscribe it
// before the read cache, so a fresh answer is not built on what was forgotten.
void SubscribeVerifiedChains(service::EventBus& bus, service::CommentService& comments);

// Every event about a page makes that page's cached answers stale (a
// page.moved event also the answers of the key it moved from).
void SubscribeReadCache(service::EventBus& bus, http::ResponseCache& cache);

// Each moderator's decision (comment.approved, .rejected, .spam by a
// "user:" actor) teaches the classifier the comment's text (approve = keep,
// reject or spam = hold); the model is then saved by a write job.
void SubscribeClassifier(service::EventBus& bus, moderation::Pipeline& pipeline,
                         service::DbExecutor& db);

// Webhooks follow the log: every public event wakes the dispatcher; a
// settings.changed event from the desk gives it its new endpoints (the
// operator's `configured` ones plus the desk's) or its new secret.
void SubscribeWebhooks(service::EventBus& bus, notify::WebhookDispatcher& dispatcher,
                       std::vector<std::string> configured);

// The endpoints to deliver to: `configured` then the desk's, without repeats.
std::vector<std::string> AllWebhooks(const std::vector<std::string>& configured,
                                     const std::vector<std::string>& desk);

// Mail follows the log: a comment created or approved wakes the mail
// sender, which reads the log itself from its saved cursor.
void SubscribeMail(service::EventBus& bus, service::MailSender& sender);

// An admin's new term lists and thresholds (settings.changed "moderation")
// reach the pipeline once they are committed.
void SubscribeModerationSettings(service::EventBus& bus, moderation::Pipeline& pipeline);

// Comments stored through other nodes sharing the database (comment.created
// events whose origin is another node) count towards their client's posting
// limit here and join the near-duplicate index, as if posted through this
// node: a client cannot escape either by spreading its posts over nodes.
void SubscribeOtherNodesPosts(service::EventBus& bus, service::RateLimiter& posts,
                              moderation::Pipeline& pipeline);

// Publishes, every `every`, the events another process committed to this
// database (amur import, amur remap), from a reader thread, until `ioc`
// stops; the writer publishes its own after each batch.
void StartEventPoll(boost::asio::io_context& ioc, service::DbExecutor& db,
                    service::EventBus& events, std::chrono::milliseconds every);

// Renews `lease` now and then every third of its term, until `ioc` stops;
// `on_gained` runs (on the writer thread) each time this node takes it.
void StartLeaseRenewal(boost::asio::io_context& ioc, service::Lease& lease,
                       std::function<void()> on_gained);

// Publishes the events other nodes commit as soon as the store signals
// them (PostgreSQL's NOTIFY on amur_events), from a thread of its own that
// waits on `listener`; a reader job then reads them from the log, so a lost
// signal only delays them until the next poll (StartEventPoll). Stop (or
// the destructor) returns within a second.
class EventSignalWatcher final {
 public:
  EventSignalWatcher(std::unique_ptr<store::EventListener> listener, service::DbExecutor& db,
                     service::EventBus& events);
  ~EventSignalWatcher();
  EventSignalWatcher(const EventSignalWatcher&) = delete;
  EventSignalWatcher& operator=(const EventSignalWatcher&) = delete;
  void Stop();

 private:
  std::unique_ptr<store::EventListener> listener_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> queued_{false};  // a publishing read job is waiting to run
  std::thread thread_;
};

// Prunes events older than `retention` now and then every `every`, as write
// jobs, until `ioc` stops.
void StartEventRetention(boost::asio::io_context& ioc, service::DbExecutor& db, const Clock& clock,
                         std::chrono::milliseconds retention, std::chrono::milliseconds every);

}  // namespace amur::app
