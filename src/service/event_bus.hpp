// What follows a commit: the effects of a write that live outside the
// database (the read cache, the classifier learning from a decision, later
// the live hub and the mail and webhook senders) subscribe to the event log
// here instead of being called by the handler that made the write.
//
// After every committed batch the writer thread calls PublishCommitted: it
// reads the events committed since the last call, in seq order, and hands
// each to every subscriber before any request of the batch is answered (so
// a client that reads after its write sees its effects). Subscribers run on
// the writer thread: they must be quick and must not block; slow work
// (delivery over the network) belongs on a thread of its own that keeps a
// durable cursor of its own and is only woken here.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "store/store.hpp"

namespace amur::service {

class EventBus final {
 public:
  // Called with each committed event and the writer's session (outside any
  // transaction; a subscriber may read, and must not write).
  using Subscriber = std::function<void(const Event&, store::StoreSession&)>;

  // Adds a subscriber; `name` is for logs. REQUIRES: before the first
  // PublishCommitted (subscribers are fixed once writes flow).
  void Subscribe(std::string name, Subscriber fn);

  // Publishes from here on: events with seq <= `seq` are never published
  // (those committed before start-up).
  void StartAfter(std::int64_t seq);

  // Reads the events committed since the last call and calls every
  // subscriber with each, oldest first. A subscriber that throws is logged
  // and skipped for that event; the others still run. Returns how many
  // events were published. Call from the writer thread after a commit, or
  // from a reader that polls for events another process committed (amur
  // import): calls are serialized, so each event is published once, in order.
  std::size_t PublishCommitted(store::StoreSession& s);

  // The seq of the last event published: every subscriber has run on every
  // event up to it (the read cache has dropped their pages).
  std::int64_t LastPublished() const;

  // The seq of the newest event whose publishing has begun: never less than
  // LastPublished, and it has grown to an event's seq before any subscriber
  // runs on that event. So a read that takes a read-cache generation and
  // then LastAnnounced() knows that every event whose invalidation it missed
  // is at most that seq: the floor a read replica must have reached to serve
  // it (DbExecutor::ReadRouted).
  std::int64_t LastAnnounced() const;

 private:
  struct Entry {
    std::string name;
    Subscriber fn;
  };
  std::vector<Entry> subscribers_;
  std::mutex publish_mu_;  // one PublishCommitted at a time
  mutable std::mutex mu_;  // guards last_ (read by LastPublished from other threads)
  std::int64_t last_ = 0;
  std::int64_t announced_ = 0;
};

}  // namespace amur::service
