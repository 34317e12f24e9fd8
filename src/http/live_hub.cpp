#include "http/live_hub.hpp"

#include <sys/socket.h>

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cerrno>
#include <deque>

#include "service/events.hpp"

namespace amur::http {

namespace et = service::event_type;

std::optional<std::string> LiveFrame(const Event& e) {
  if (e.visibility != EventVisibility::kPublic || !e.page_key) return std::nullopt;
  std::string_view type;
  if (e.type == et::kCommentCreated || e.type == et::kCommentApproved) {
    type = et::kCommentCreated;
  } else if (e.type == et::kCommentEdited || e.type == et::kCommentDeleted ||
             e.type == et::kCommentVoted || e.type == et::kCommentHidden) {
    type = e.type;
  } else {
    return std::nullopt;
  }
  std::string out;
  out.reserve(e.data.size() + type.size() + 40);
  out += "id: ";
  out += std::to_string(e.seq);
  out += "\nevent: ";
  out += type;
  out += '\n';
  // Serialized JSON holds no line break; should one ever appear, each line
  // is a data field of its own (a reader joins them with "\n" again).
  std::size_t start = 0;
  for (;;) {
    const std::size_t nl = e.data.find_first_of("\r\n", start);
    out += "data: ";
    out.append(e.data, start, nl == std::string::npos ? std::string::npos : nl - start);
    out += '\n';
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  out += '\n';
  return out;
}

// A share of the streams, delivered to by one task at a time, in the order
// the events were published.
struct LiveShard {
  struct Pending {
    std::string page;
    std::int64_t seq;
    StreamSource::Chunk bytes;
  };

  std::mutex mu;  // the streams' state (LiveStream's fields) and `pages`
  std::unordered_map<std::string, std::vector<LiveStream*>> pages;
  std::mutex pending_mu;  // `pending` and `running`
  std::deque<Pending> pending;
  bool running = false;  // a task is posted or delivering

  // Hands the event to each stream of `page` in this shard.
  void Deliver(const std::string& page, std::int64_t seq, const StreamSource::Chunk& bytes) {
    std::lock_guard lock(mu);
    auto it = pages.find(page);
    if (it == pages.end()) return;
    for (LiveStream* s : it->second) s->Deliver(seq, bytes);
  }

  // Queues an event; true when a task must be posted to deliver it.
  bool Add(Pending p) {
    std::lock_guard lock(pending_mu);
    pending.push_back(std::move(p));
    return !std::exchange(running, true);
  }

  // The posted task: delivers the queued events until none is left.
  void Run() {
    for (;;) {
      Pending p;
      {
        std::lock_guard lock(pending_mu);
        if (pending.empty()) {
          running = false;
          return;
        }
        p = std::move(pending.front());
        pending.pop_front();
      }
      Deliver(p.page, p.seq, p.bytes);
    }
  }
};

LiveStream::~LiveStream() { hub_.Remove(this); }

void LiveStream::Begin(std::vector<Chunk> first, std::int64_t after) {
  std::lock_guard lock(shard_.mu);
  first_ = std::move(first);
  after_ = after;
  std::erase_if(queue_, [after](const auto& q) { return q.first <= after; });
}

void LiveStream::Start(std::function<void()> wake, int socket) {
  std::lock_guard lock(shard_.mu);
  wake_ = std::move(wake);
  socket_ = socket;
  wake_pending_ = false;
  last_write_ = std::chrono::steady_clock::now();
  Wake();
}

bool LiveStream::Take(std::vector<Chunk>& out, bool heartbeat) {
  std::lock_guard lock(shard_.mu);
  const std::size_t before = out.size();
  wake_pending_ = false;
  for (auto& c : first_) out.push_back(std::move(c));
  std::vector<Chunk>().swap(first_);
  for (auto& [seq, c] : queue_) {
    if (seq > after_) out.push_back(std::move(c));
  }
  std::vector<std::pair<std::int64_t, Chunk>>().swap(queue_);
  if (heartbeat && out.size() == before && !overflowed_) out.push_back(hub_.heartbeat_);
  // Handing nothing: the connection waits, and the next event can go
  // straight to the socket.
  direct_ = out.size() == before && !overflowed_ && socket_ >= 0;
  return overflowed_;
}

void LiveStream::Stop() {
  std::lock_guard lock(shard_.mu);
  direct_ = false;
  socket_ = -1;
}

std::chrono::steady_clock::time_point LiveStream::LastWrite() const {
  std::lock_guard lock(shard_.mu);
  return last_write_;
}

std::chrono::milliseconds LiveStream::HeartbeatEvery() const { return hub_.options_.heartbeat; }

void LiveStream::Wake() {
  if (!wake_ || wake_pending_) return;
  wake_pending_ = true;
  wake_();
}

void LiveStream::Queue(std::int64_t seq, Chunk bytes) {
  if (queue_.size() >= hub_.options_.max_queued) {
    overflowed_ = true;
    std::vector<std::pair<std::int64_t, Chunk>>().swap(queue_);
    ++hub_.dropped_;
  } else {
    queue_.emplace_back(seq, std::move(bytes));
  }
  Wake();
}

void LiveStream::Deliver(std::int64_t seq, const Chunk& bytes) {
  if (overflowed_ || seq <= after_) return;
  if (!direct_) {
    Queue(seq, bytes);
    return;
  }
  // The connection waits and nothing is queued: the frame goes out now, as
  // far as the socket's buffer takes it; the rest is the connection's.
  const ssize_t n = ::send(socket_, bytes->data(), bytes->size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  if (n > 0) last_write_ = std::chrono::steady_clock::now();
  if (n == static_cast<ssize_t>(bytes->size())) return;
  direct_ = false;
  if (n > 0) {
    Queue(seq, std::make_shared<const std::string>(*bytes, static_cast<std::size_t>(n)));
  } else {
    // Full (EAGAIN), or broken: the connection writes it, or finds out.
    Queue(seq, bytes);
  }
}

LiveHub::LiveHub(LiveOptions options)
    : options_(options), heartbeat_(std::make_shared<const std::string>(":\n\n")) {
  shards_.push_back(std::make_unique<LiveShard>());
}

LiveHub::~LiveHub() = default;

void LiveHub::Attach(service::EventBus& bus) {
  {
    std::lock_guard lock(mu_);
    last_seen_ = bus.LastPublished();
  }
  bus.Subscribe("live hub", [this](const Event& e, store::StoreSession&) { Publish(e); });
}

void LiveHub::DeliverOn(const boost::asio::any_io_executor& ex, int shards) {
  std::lock_guard lock(mu_);
  executor_ = ex;
  shards_.clear();
  for (int i = 0; i < std::max(1, shards); ++i) shards_.push_back(std::make_unique<LiveShard>());
}

void LiveHub::Publish(const Event& e) {
  std::optional<std::string> frame = LiveFrame(e);
  std::lock_guard lock(mu_);
  if (e.seq > last_seen_) last_seen_ = e.seq;
  if (!frame) return;
  auto bytes = std::make_shared<const std::string>(std::move(*frame));
  std::vector<LiveShard*> idle;
  for (auto& shard : shards_) {
    if (!executor_) {
      shard->Deliver(*e.page_key, e.seq, bytes);
    } else if (shard->Add({*e.page_key, e.seq, bytes})) {
      idle.push_back(shard.get());
    }
  }
  if (idle.empty()) return;
  // The shards' tasks are posted from a task of their own: the writer
  // thread answers the batch's requests right after this returns, and so
  // those answers go out before the fan-out instead of after it.
  boost::asio::post(*executor_, [ex = *executor_, idle = std::move(idle)] {
    for (LiveShard* s : idle) boost::asio::post(ex, [s] { s->Run(); });
  });
}

std::shared_ptr<LiveStream> LiveHub::Open(const std::string& page, std::int64_t* since) {
  std::lock_guard lock(mu_);
  LiveShard& shard = *shards_[next_shard_++ % shards_.size()];
  std::shared_ptr<LiveStream> s(new LiveStream(*this, shard, page));
  std::lock_guard shard_lock(shard.mu);
  auto& list = shard.pages[page];
  s->index_ = list.size();
  list.push_back(s.get());
  ++streams_;
  *since = last_seen_;
  s->after_ = last_seen_;
  return s;
}

void LiveHub::Remove(LiveStream* s) {
  std::lock_guard lock(s->shard_.mu);
  auto it = s->shard_.pages.find(s->page_);
  if (it == s->shard_.pages.end()) return;
  auto& list = it->second;
  if (s->index_ >= list.size() || list[s->index_] != s) return;
  list[s->index_] = list.back();
  list[s->index_]->index_ = s->index_;
  list.pop_back();
  --streams_;
  if (list.empty()) s->shard_.pages.erase(it);
}

}  // namespace amur::http
