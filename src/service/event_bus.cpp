#include "service/event_bus.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace amur::service {

namespace {
constexpr int kBatch = 512;
}

void EventBus::Subscribe(std::string name, Subscriber fn) {
  subscribers_.push_back(Entry{std::move(name), std::move(fn)});
}

void EventBus::StartAfter(std::int64_t seq) {
  std::lock_guard lock(mu_);
  last_ = seq;
  announced_ = seq;
}

std::int64_t EventBus::LastAnnounced() const {
  std::lock_guard lock(mu_);
  return announced_;
}

std::int64_t EventBus::LastPublished() const {
  std::lock_guard lock(mu_);
  return last_;
}

std::size_t EventBus::PublishCommitted(store::StoreSession& s) {
  std::lock_guard publishing(publish_mu_);
  std::int64_t after = LastPublished();
  std::size_t published = 0;
  for (;;) {
    const std::vector<Event> events = s.ListEvents(after, kBatch, false);
    if (!events.empty()) {
      std::lock_guard lock(mu_);
      announced_ = std::max(announced_, events.back().seq);
    }
    for (const Event& e : events) {
      for (const Entry& sub : subscribers_) {
        try {
          sub.fn(e, s);
        } catch (const std::exception& ex) {
          spdlog::error("event subscriber '{}' failed on event {} ({}): {}", sub.name, e.seq,
                        e.type, ex.what());
        } catch (...) {
          spdlog::error("event subscriber '{}' failed on event {} ({})", sub.name, e.seq, e.type);
        }
      }
      after = e.seq;
      ++published;
    }
    {
      std::lock_guard lock(mu_);
      last_ = after;
    }
    if (static_cast<int>(events.size()) < kBatch) break;
  }
  return published;
}

}  // namespace amur::service
