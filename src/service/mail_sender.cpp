#include "service/mail_sender.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <future>
#include <vector>

namespace amur::service {

namespace {

std::int64_t ParseCursor(const std::optional<std::string>& text) {
  std::int64_t v = 0;
  if (!text) return 0;
  std::from_chars(text->data(), text->data() + text->size(), v);
  return v;
}

}  // namespace

MailSender::MailSender(store::Store& store, DbExecutor& db, SubscriptionService& subs,
                       const Clock& clock, std::unique_ptr<notify::MailTransport> transport,
                       std::string envelope_from, MailSenderOptions options)
    : store_(store),
      db_(db),
      subs_(subs),
      clock_(clock),
      transport_(std::move(transport)),
      envelope_from_(std::move(envelope_from)),
      options_(options) {}

MailSender::~MailSender() { Stop(); }

void MailSender::Start() {
  reader_ = store_.OpenSession();
  thread_ = std::thread([this] { Run(); });
}

void MailSender::Notify() {
  {
    std::lock_guard lock(mu_);
    ++wakeups_;
  }
  cv_.notify_all();
}

void MailSender::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

MailSenderStats MailSender::Stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

bool MailSender::Write(std::function<bool(store::StoreSession&)> fn) {
  auto done = std::make_shared<std::promise<bool>>();
  auto result = done->get_future();
  WriteJob job;
  job.run = [fn = std::move(fn)](store::StoreSession& s) {
    try {
      return fn(s);
    } catch (const std::exception& e) {
      spdlog::error("mail: a database step failed: {}", e.what());
      return false;
    }
  };
  job.done = [done](bool committed) { done->set_value(committed); };
  db_.Write(std::move(job));
  return result.get();
}

bool MailSender::SendDue() {
  const TimeMs now = clock_.NowMs();
  std::vector<OutboxMail> due;
  reader_->BeginRead();
  try {
    due = reader_->ListDueMail(now, options_.batch);
    reader_->Commit();
  } catch (...) {
    reader_->Rollback();
    throw;
  }
  // Marks go to the writer without waiting for each; all of them are
  // committed before the outbox is read again.
  std::vector<std::shared_ptr<std::promise<bool>>> marks;
  auto mark = [this, &marks](std::function<void(store::StoreSession&)> fn) {
    auto done = std::make_shared<std::promise<bool>>();
    marks.push_back(done);
    WriteJob job;
    job.run = [fn = std::move(fn)](store::StoreSession& s) {
      fn(s);
      return true;
    };
    job.done = [done](bool committed) { done->set_value(committed); };
    db_.Write(std::move(job));
  };
  bool server_down = false;
  for (const auto& m : due) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;
    }
    if (m.message.empty()) continue;
    const notify::SendResult r = transport_->Send(envelope_from_, m.email, m.message);
    const TimeMs at = clock_.NowMs();
    if (r.ok) {
      mark([id = m.id, at](store::StoreSession& s) { s.MarkMailSent(id, at); });
      std::lock_guard lock(mu_);
      ++stats_.sent;
      server_backoff_ = std::chrono::milliseconds(0);
      continue;
    }
    const int attempts = m.attempts + 1;
    auto delay = options_.first_retry;
    for (int i = 1; i < attempts && delay < options_.max_retry; ++i) delay *= 2;
    delay = std::min(delay, options_.max_retry);
    const bool give_up = r.permanent || at - m.created_at >= options_.give_up.count();
    mark([id = m.id, error = r.error, next = at + delay.count(), give_up,
          at](store::StoreSession& s) { s.MarkMailAttempt(id, error, next, give_up, at); });
    {
      std::lock_guard lock(mu_);
      ++stats_.failed;
      if (give_up) ++stats_.given_up;
    }
    if (give_up) {
      spdlog::warn("mail: gave up on message {} to a subscriber: {}", m.id, r.error);
    } else {
      spdlog::warn("mail: message {} not sent, will retry: {}", m.id, r.error);
    }
    if (!r.permanent && (r.code < 400 || r.code >= 500)) {
      // No answer at all: the server is away; wait before the next try.
      server_down = true;
      std::lock_guard lock(mu_);
      server_backoff_ = std::clamp(server_backoff_ * 2, std::chrono::milliseconds(1000),
                                   options_.server_backoff_max);
      break;
    }
  }
  for (auto& d : marks) d->get_future().get();
  return !server_down && static_cast<int>(due.size()) == options_.batch;
}

std::optional<TimeMs> MailSender::Pass() {
  if (options_.active && !options_.active()) return std::nullopt;
  std::optional<TimeMs> next;
  // What there is to do, read without taking the writer.
  bool new_events = false;
  bool uncomposed = false;
  reader_->BeginRead();
  try {
    new_events = reader_->LastEventSeq() > ParseCursor(reader_->GetSetting(kNotifyCursorSetting));
    uncomposed = !reader_->ListUncomposedNotifications(1).empty();
    reader_->Commit();
  } catch (...) {
    reader_->Rollback();
    throw;
  }
  // Fan-out: the log into notifications, the cursor saved with them.
  for (bool more = new_events; more;) {
    FanOutResult r;
    const bool ok = Write([this, &r](store::StoreSession& s) {
      const std::int64_t cursor = ParseCursor(s.GetSetting(kNotifyCursorSetting));
      r = subs_.FanOut(s, cursor, 500);
      if (r.last_seq != cursor) {
        s.PutSetting(kNotifyCursorSetting, std::to_string(r.last_seq));
      }
      return true;
    });
    if (!ok) break;
    {
      std::lock_guard lock(mu_);
      stats_.queued += r.queued;
    }
    uncomposed = uncomposed || r.queued > 0;
    more = r.events >= 500;
  }
  // Compose: notifications into messages, a few at a time; gathered ones
  // wait for their digest time.
  const bool compose_due = !compose_due_at_ || clock_.NowMs() >= *compose_due_at_ || new_events;
  for (bool more = uncomposed && compose_due; more;) {
    ComposeResult c;
    const bool ok = Write([this, &c](store::StoreSession& s) {
      c = subs_.Compose(s);
      return true;
    });
    if (!ok) break;
    {
      std::lock_guard lock(mu_);
      stats_.composed += c.messages;
    }
    compose_due_at_ = c.next_due;
    more = c.more;
  }
  if (compose_due_at_) next = compose_due_at_;
  while (SendDue()) {
  }
  reader_->BeginRead();
  try {
    const auto due = reader_->NextMailDue();
    reader_->Commit();
    if (due && (!next || *due < *next)) next = due;
  } catch (...) {
    reader_->Rollback();
    throw;
  }
  return next;
}

void MailSender::Run() {
  std::uint64_t seen = 0;
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      seen = wakeups_;
    }
    std::optional<TimeMs> next;
    try {
      next = Pass();
    } catch (const std::exception& e) {
      spdlog::error("mail: {}", e.what());
    }
    std::unique_lock lock(mu_);
    auto wait = options_.poll;
    if (next) {
      const auto until = std::chrono::milliseconds(std::max<TimeMs>(0, *next - clock_.NowMs()));
      wait = std::min(wait, until);
    }
    wait = std::max(wait, server_backoff_);
    cv_.wait_for(lock, wait,
                 [&] { return stopping_ || (wakeups_ != seen && server_backoff_.count() == 0); });
  }
}

}  // namespace amur::service
