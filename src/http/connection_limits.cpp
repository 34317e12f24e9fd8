#include "http/connection_limits.hpp"

#include <algorithm>

namespace amur::http {

std::size_t DefaultMaxConnections(std::uint64_t fd_limit) {
  const std::uint64_t reserve = std::clamp<std::uint64_t>(fd_limit / 8, 64, 512);
  const std::uint64_t usable = fd_limit > reserve ? fd_limit - reserve : 0;
  return static_cast<std::size_t>(std::clamp<std::uint64_t>(usable, 16, 65'536));
}

ConnectionLimits::ConnectionLimits(std::size_t max_total, std::size_t max_per_network)
    : max_total_(std::max<std::size_t>(max_total, 1)), max_per_network_(max_per_network) {}

void ConnectionLimits::Index(Id id, const Entry& e) {
  if (e.phase == ConnectionPhase::kBusy) return;
  sheddable_.emplace(static_cast<int>(e.phase), e.since, id);
  if (e.phase == ConnectionPhase::kKeepAlive && !e.network.empty()) {
    networks_[e.network].keep_alive.emplace(e.since, id);
  }
}

void ConnectionLimits::Unindex(Id id, const Entry& e) {
  if (e.phase == ConnectionPhase::kBusy) return;
  sheddable_.erase({static_cast<int>(e.phase), e.since, id});
  if (e.phase == ConnectionPhase::kKeepAlive && !e.network.empty()) {
    auto net = networks_.find(e.network);
    if (net != networks_.end()) net->second.keep_alive.erase({e.since, id});
  }
}

void ConnectionLimits::Forget(Id id) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  Unindex(id, it->second);
  if (!it->second.network.empty()) {
    auto net = networks_.find(it->second.network);
    if (net != networks_.end() && --net->second.open == 0) networks_.erase(net);
  }
  --open_;
  entries_.erase(it);
}

ConnectionLimits::Admission ConnectionLimits::Admit(Id id, const std::string& network) {
  Admission out;
  bool room_made = false;
  if (!network.empty() && max_per_network_ > 0) {
    auto net = networks_.find(network);
    if (net != networks_.end() && net->second.open >= max_per_network_) {
      if (net->second.keep_alive.empty()) return out;
      out.shed = net->second.keep_alive.begin()->second;
      Forget(*out.shed);  // may erase the network; it is added again below
      room_made = true;
    }
  }
  if (!room_made && open_ >= max_total_) {
    if (sheddable_.empty()) return out;
    out.shed = std::get<2>(*sheddable_.begin());
    Forget(*out.shed);
  }
  Entry e{network, ConnectionPhase::kFresh, ++tick_};
  Index(id, e);
  if (!network.empty()) ++networks_[network].open;
  entries_.emplace(id, std::move(e));
  ++open_;
  out.admitted = true;
  return out;
}

bool ConnectionLimits::Enter(Id id, ConnectionPhase phase) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return false;
  Unindex(id, it->second);
  it->second.phase = phase;
  it->second.since = ++tick_;
  Index(id, it->second);
  return true;
}

void ConnectionLimits::Remove(Id id) { Forget(id); }

std::optional<ConnectionLimits::Id> ConnectionLimits::ShedOne() {
  if (sheddable_.empty()) return std::nullopt;
  const Id id = std::get<2>(*sheddable_.begin());
  Forget(id);
  return id;
}

std::size_t ConnectionLimits::OpenFrom(const std::string& network) const {
  auto net = networks_.find(network);
  return net == networks_.end() ? 0 : net->second.open;
}

}  // namespace amur::http
