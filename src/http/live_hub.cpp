#include "http/live_hub.hpp"

#include <algorithm>

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

LiveStream::~LiveStream() { hub_.Remove(this); }

void LiveStream::Begin(std::vector<Chunk> first, std::int64_t after) {
  std::lock_guard lock(hub_.mu_);
  first_ = std::move(first);
  after_ = after;
  std::erase_if(queue_, [after](const auto& q) { return q.first <= after; });
}

void LiveStream::Start(std::function<void()> wake) {
  std::lock_guard lock(hub_.mu_);
  wake_ = std::move(wake);
  wake_pending_ = false;
  hub_.Wake(*this);
}

bool LiveStream::Take(std::vector<Chunk>& out) {
  std::lock_guard lock(hub_.mu_);
  wake_pending_ = false;
  for (auto& c : first_) out.push_back(std::move(c));
  std::vector<Chunk>().swap(first_);
  for (auto& [seq, c] : queue_) {
    if (seq > after_) out.push_back(std::move(c));
  }
  std::vector<std::pair<std::int64_t, Chunk>>().swap(queue_);
  return overflowed_;
}

StreamSource::Chunk LiveStream::Heartbeat() const { return hub_.heartbeat_; }

std::chrono::milliseconds LiveStream::HeartbeatEvery() const { return hub_.options_.heartbeat; }

LiveHub::LiveHub(LiveOptions options)
    : options_(options), heartbeat_(std::make_shared<const std::string>(":\n\n")) {}

void LiveHub::Attach(service::EventBus& bus) {
  {
    std::lock_guard lock(mu_);
    last_seen_ = bus.LastPublished();
  }
  bus.Subscribe("live hub", [this](const Event& e, store::StoreSession&) { Publish(e); });
}

void LiveHub::Wake(LiveStream& s) {
  if (!s.wake_ || s.wake_pending_) return;
  s.wake_pending_ = true;
  s.wake_();
}

void LiveHub::Publish(const Event& e) {
  std::optional<std::string> frame = LiveFrame(e);
  std::lock_guard lock(mu_);
  if (e.seq > last_seen_) last_seen_ = e.seq;
  if (!frame) return;
  auto it = pages_.find(*e.page_key);
  if (it == pages_.end()) return;
  auto bytes = std::make_shared<const std::string>(std::move(*frame));
  for (LiveStream* s : it->second) {
    if (s->overflowed_) continue;
    if (s->queue_.size() >= options_.max_queued) {
      s->overflowed_ = true;
      std::vector<std::pair<std::int64_t, StreamSource::Chunk>>().swap(s->queue_);
      ++dropped_;
    } else {
      s->queue_.emplace_back(e.seq, bytes);
    }
    Wake(*s);
  }
}

std::shared_ptr<LiveStream> LiveHub::Open(const std::string& page, std::int64_t* since) {
  std::shared_ptr<LiveStream> s(new LiveStream(*this, page));
  std::lock_guard lock(mu_);
  pages_[page].insert(s.get());
  ++streams_;
  *since = last_seen_;
  s->after_ = last_seen_;
  return s;
}

std::size_t LiveHub::Streams() const {
  std::lock_guard lock(mu_);
  return streams_;
}

void LiveHub::Remove(LiveStream* s) {
  std::lock_guard lock(mu_);
  auto it = pages_.find(s->page_);
  if (it == pages_.end() || it->second.erase(s) == 0) return;
  --streams_;
  if (it->second.empty()) pages_.erase(it);
}

}  // namespace amur::http
