// A per-client limit of N events per rolling minute, burst included. Only
// events that are committed count: Acquire reserves a slot, Release gives it
// back when the request failed for another reason. Thread-safe.
//
// A client is its network (core/network_key.hpp): an IPv4 address, or the
// /64 of an IPv6 one, so a client cannot escape the limit by picking new
// addresses inside its /64. Keys that are not addresses count as given.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.hpp"

namespace amur::service {

class RateLimiter final {
 public:
  // `per_minute` 0 means no limit.
  RateLimiter(int per_minute, const Clock& clock) : per_minute_(per_minute), clock_(clock) {}
  // `limit` events per rolling `window_ms` instead of per minute.
  RateLimiter(int limit, TimeMs window_ms, const Clock& clock)
      : per_minute_(limit), window_ms_(window_ms), clock_(clock) {}

  struct Decision {
    bool allowed = true;
    std::int64_t retry_after_seconds = 0;  // when refused
    TimeMs slot = 0;                       // pass to Release
  };

  Decision Acquire(const std::string& client_address);
  void Release(const std::string& client_address, TimeMs slot);
  // Counts an event the client had at `at` elsewhere (a post through another
  // node sharing the database), so it weighs on the client's next Acquire
  // here as it would have there. Times after now count as now.
  void Record(const std::string& client_address, TimeMs at);
  bool enabled() const { return per_minute_ > 0; }

 private:
  void PruneLocked(TimeMs now);

  const int per_minute_;  // the limit per window
  const TimeMs window_ms_ = 60'000;
  const Clock& clock_;
  std::mutex mu_;
  std::unordered_map<std::string, std::deque<TimeMs>> events_;
  TimeMs last_prune_ = 0;
};

}  // namespace amur::service
