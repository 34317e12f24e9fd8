// The background mail worker: follows the event log into notifications
// (SubscriptionService::FanOut, with the cursor saved in the same
// transaction, so each event is handled exactly once), gathers them into
// messages (Compose) and hands the outbox to the mail server. A message is
// marked sent only after the server's 250; failures are retried with
// exponential backoff; a dead mail server delays only mail, never posting.
// Everything it needs survives a restart in the database.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/clock.hpp"
#include "notify/smtp_transport.hpp"
#include "service/db_executor.hpp"
#include "service/subscription_service.hpp"
#include "store/store.hpp"

namespace amur::service {

struct MailSenderOptions {
  std::chrono::milliseconds poll{1000};  // look for due work at least this often
  std::chrono::milliseconds first_retry{std::chrono::seconds(30)};  // doubles per failure...
  std::chrono::milliseconds max_retry{std::chrono::hours(1)};       // ...up to this
  std::chrono::milliseconds give_up{std::chrono::hours(72)};        // after the message was made
  std::chrono::milliseconds server_backoff_max{std::chrono::seconds(30)};
  int batch = 50;  // messages read from the outbox at a time
  // Whether this node is the one to do the work now (its mail lease,
  // service/lease.hpp); null: always. While false the sender only waits.
  std::function<bool()> active;
};

struct MailSenderStats {
  std::int64_t sent = 0;    // since start-up
  std::int64_t failed = 0;  // attempts that failed
  std::int64_t given_up = 0;
  std::int64_t queued = 0;    // notifications queued by the fan-out
  std::int64_t composed = 0;  // messages composed
};

class MailSender final {
 public:
  // `envelope_from`: the bare address for MAIL FROM.
  MailSender(store::Store& store, DbExecutor& db, SubscriptionService& subs, const Clock& clock,
             std::unique_ptr<notify::MailTransport> transport, std::string envelope_from,
             MailSenderOptions options = {});
  ~MailSender();
  MailSender(const MailSender&) = delete;
  MailSender& operator=(const MailSender&) = delete;

  void Start();
  // Something was committed (events, or a message in the outbox). Cheap; any thread.
  void Notify();
  // Finishes the message being sent, then stops. Idempotent.
  void Stop();

  MailSenderStats Stats() const;

 private:
  void Run();
  // Runs `fn` as a write job and waits for its commit; false when it failed.
  bool Write(std::function<bool(store::StoreSession&)> fn);
  // One pass: fan out, compose, send what is due. Returns when to look
  // again at the latest (nullopt: at the next poll).
  std::optional<TimeMs> Pass();
  bool SendDue();

  store::Store& store_;
  DbExecutor& db_;
  SubscriptionService& subs_;
  const Clock& clock_;
  std::unique_ptr<notify::MailTransport> transport_;
  std::string envelope_from_;
  MailSenderOptions options_;
  std::unique_ptr<store::StoreSession> reader_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::uint64_t wakeups_ = 0;
  bool stopping_ = false;
  MailSenderStats stats_;
  std::chrono::milliseconds server_backoff_{0};
  std::optional<TimeMs> compose_due_at_;  // when gathered notifications fall due
  std::thread thread_;
};

}  // namespace amur::service
