#include "service/rate_limiter.hpp"

#include <algorithm>

#include "core/network_key.hpp"

namespace amur::service {

namespace {

// Drops the events out of the window [now - window, now]: older ones, and
// after the clock jumped back, those "in the future" (they would otherwise
// hold the client off for as long as the jump).
void DropStale(std::deque<TimeMs>& q, TimeMs now, TimeMs window) {
  while (!q.empty() && q.front() <= now - window) q.pop_front();
  while (!q.empty() && q.back() > now) q.pop_back();
}
}  // namespace

RateLimiter::Decision RateLimiter::Acquire(const std::string& client_address) {
  if (per_minute_ <= 0) return {};
  const TimeMs window = window_ms_;
  const std::string client = NetworkKey(client_address);
  const TimeMs now = clock_.NowMs();
  std::lock_guard lock(mu_);
  if (now - last_prune_ > window || now < last_prune_) PruneLocked(now);
  auto& q = events_[client];
  DropStale(q, now, window);
  if (static_cast<int>(q.size()) >= per_minute_) {
    const TimeMs wait = q.front() + window - now;
    return Decision{false, std::max<std::int64_t>(1, (wait + 999) / 1000), 0};
  }
  q.push_back(now);
  return Decision{true, 0, now};
}

void RateLimiter::Release(const std::string& client_address, TimeMs slot) {
  if (per_minute_ <= 0) return;
  const std::string client = NetworkKey(client_address);
  std::lock_guard lock(mu_);
  auto it = events_.find(client);
  if (it == events_.end()) return;
  auto& q = it->second;
  for (auto e = q.rbegin(); e != q.rend(); ++e) {
    if (*e == slot) {
      q.erase(std::next(e).base());
      break;
    }
  }
}

void RateLimiter::Record(const std::string& client_address, TimeMs at) {
  if (per_minute_ <= 0) return;
  const TimeMs now = clock_.NowMs();
  at = std::min(at, now);
  if (at <= now - window_ms_) return;
  const std::string client = NetworkKey(client_address);
  std::lock_guard lock(mu_);
  auto& q = events_[client];
  q.insert(std::upper_bound(q.begin(), q.end(), at), at);
}

void RateLimiter::PruneLocked(TimeMs now) {
  const TimeMs window = window_ms_;
  last_prune_ = now;
  for (auto it = events_.begin(); it != events_.end();) {
    auto& q = it->second;
    DropStale(q, now, window);
    it = q.empty() ? events_.erase(it) : std::next(it);
  }
}

}  // namespace amur::service
