// Live updates (GET /api/v1/events, docs/api.md "Live updates"): the hub
// follows the event bus and hands each event a reader may see to the open
// event streams of its page. The bus calls it on the writer thread, so it
// never blocks there: each event is framed once, and one task per shard of
// the streams (DeliverOn: one per I/O thread) writes the shared bytes
// straight to each idle stream's socket, non-blocking, on an I/O thread.
// A stream whose socket is full, or that is still writing, queues them for
// its connection instead (bounded: one that falls too far behind is ended;
// its reader resumes with Last-Event-ID).
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/model.hpp"
#include "http/message.hpp"
#include "service/event_bus.hpp"

namespace amur::http {

struct LiveOptions {
  // An SSE comment line after this long without a write keeps proxies open.
  std::chrono::milliseconds heartbeat{20'000};
  // Events waiting for one stream; one more ends that stream.
  std::size_t max_queued = 256;
  // The reconnection delay suggested to clients (the `retry:` field).
  std::chrono::milliseconds retry{3'000};
};

// The SSE frame of `e` as a reader of its page sees it ("id:", "event:",
// "data:", blank line), or nullopt for an event readers do not get: staff
// events, and types other than comment.created, .edited, .deleted, .voted,
// .approved (sent as comment.created: for a reader it is new) and .hidden.
std::optional<std::string> LiveFrame(const Event& e);

class LiveHub;
struct LiveShard;

// One open event stream of a page: the body of its response (StreamSource).
// Registered with the hub from Open on, so nothing published after that is
// missed; leaves the hub when destroyed.
class LiveStream final : public StreamSource {
 public:
  ~LiveStream() override;
  // Puts `first` (the retry hint, replayed events, the cursor) before the
  // live events and drops queued live events with seq <= `after`.
  void Begin(std::vector<Chunk> first, std::int64_t after);

  void Start(std::function<void()> wake, int socket) override;
  bool Take(std::vector<Chunk>& out, bool heartbeat) override;
  void Stop() override;
  std::chrono::steady_clock::time_point LastWrite() const override;
  std::chrono::milliseconds HeartbeatEvery() const override;

 private:
  friend class LiveHub;
  friend struct LiveShard;
  LiveStream(LiveHub& hub, LiveShard& shard, std::string page)
      : hub_(hub), shard_(shard), page_(std::move(page)) {}
  // Hands it one event (with its shard's mutex held): written to the socket
  // at once when the stream is idle, else queued and the connection woken.
  void Deliver(std::int64_t seq, const Chunk& bytes);
  void Queue(std::int64_t seq, Chunk bytes);
  void Wake();

  LiveHub& hub_;
  LiveShard& shard_;
  const std::string page_;
  // Guarded by the shard's mutex.
  std::vector<Chunk> first_;
  std::vector<std::pair<std::int64_t, Chunk>> queue_;  // empty: no allocation
  std::int64_t after_ = 0;
  std::function<void()> wake_;
  int socket_ = -1;      // written directly only while `direct_`
  bool direct_ = false;  // the connection waits: nothing queued or being written
  bool wake_pending_ = false;
  bool overflowed_ = false;
  std::size_t index_ = 0;  // in its shard's list of the page's streams
  std::chrono::steady_clock::time_point last_write_{};
};

class LiveHub final {
 public:
  explicit LiveHub(LiveOptions options);
  ~LiveHub();

  // Follows `bus` (call before writes flow).
  void Attach(service::EventBus& bus);

  // From now on an event reaches the streams through `shards` tasks posted
  // to `ex` (one at a time per shard, so in order); before, and without it,
  // Publish delivers on the calling thread. Call before streams open. Tasks
  // left when `ex`'s context is destroyed are dropped.
  void DeliverOn(const boost::asio::any_io_executor& ex, int shards);

  // Hands `e` to the streams of its page when readers see it; records its
  // seq as the last one seen. Quick: never blocks on a stream.
  void Publish(const Event& e);

  // A new stream of `page`, registered at once; *since is the seq of the
  // last event the hub had seen then (every later one will be queued).
  std::shared_ptr<LiveStream> Open(const std::string& page, std::int64_t* since);

  const LiveOptions& options() const { return options_; }
  // Open streams, and streams ended for falling behind since the start.
  std::size_t Streams() const { return streams_; }
  std::uint64_t Dropped() const { return dropped_; }

 private:
  friend class LiveStream;
  void Remove(LiveStream* s);

  const LiveOptions options_;
  const StreamSource::Chunk heartbeat_;
  std::mutex mu_;  // last_seen_, next_shard_, shards_, executor_
  std::int64_t last_seen_ = 0;
  std::size_t next_shard_ = 0;
  std::vector<std::unique_ptr<LiveShard>> shards_;
  std::optional<boost::asio::any_io_executor> executor_;
  std::atomic<std::size_t> streams_{0};
  std::atomic<std::uint64_t> dropped_{0};
};

}  // namespace amur::http
