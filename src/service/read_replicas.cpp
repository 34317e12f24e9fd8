#include "service/read_replicas.hpp"

#include <spdlog/spdlog.h>

namespace amur::service {

ReadReplicas::ReadReplicas(std::vector<Replica> replicas, Now now, std::int64_t backoff_ms)
    : replicas_(std::move(replicas)), now_(std::move(now)), backoff_ms_(backoff_ms) {
  slots_.resize(replicas_.size());
  for (std::size_t i = 0; i < replicas_.size(); ++i) slots_[i].state.name = replicas_[i].name;
}

std::vector<std::size_t> ReadReplicas::Candidates() {
  std::vector<std::size_t> out;
  const std::size_t n = slots_.size();
  if (n == 0) return out;
  const std::int64_t now = now_();
  std::lock_guard lock(mu_);
  const std::size_t start = next_++ % n;
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = (start + k) % n;
    if (slots_[i].state.up) out.push_back(i);
  }
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = (start + k) % n;
    Slot& s = slots_[i];
    if (!s.state.up && !s.probing && now >= s.down_until) {
      s.probing = true;
      out.push_back(i);
      break;
    }
  }
  return out;
}

void ReadReplicas::MarkServed(std::size_t i, std::int64_t seq) {
  MarkAnswered(i, seq, &ReplicaState::served);
}

void ReadReplicas::MarkLagging(std::size_t i, std::int64_t seq) {
  MarkAnswered(i, seq, &ReplicaState::lagging);
}

void ReadReplicas::MarkAnswered(std::size_t i, std::int64_t seq,
                                std::uint64_t ReplicaState::*counter) {
  std::lock_guard lock(mu_);
  Slot& s = slots_[i];
  if (!s.state.up) spdlog::info("read replica {} answers again", s.state.name);
  s.state.up = true;
  s.probing = false;
  s.state.last_seq = seq;
  ++(s.state.*counter);
}

void ReadReplicas::MarkConflict(std::size_t i) {
  std::lock_guard lock(mu_);
  Slot& s = slots_[i];
  s.probing = false;
  ++s.state.failed;
}

void ReadReplicas::MarkDown(std::size_t i, const std::string& why) {
  const std::int64_t now = now_();
  std::lock_guard lock(mu_);
  Slot& s = slots_[i];
  if (s.state.up) {
    spdlog::warn("read replica {} failed, reads go elsewhere for {} s: {}", s.state.name,
                 backoff_ms_ / 1000.0, why);
  }
  s.state.up = false;
  s.probing = false;
  s.down_until = now + backoff_ms_;
  ++s.state.failed;
}

std::vector<ReplicaState> ReadReplicas::States() const {
  std::lock_guard lock(mu_);
  std::vector<ReplicaState> out;
  out.reserve(slots_.size());
  for (const Slot& s : slots_) out.push_back(s.state);
  return out;
}

}  // namespace amur::service
