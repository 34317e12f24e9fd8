#include "service/lease.hpp"

#include <memory>

namespace amur::service {

Lease::Lease(DbExecutor& db, const Clock& clock, std::string name, std::string holder,
             TimeMs term_ms)
    : db_(db),
      clock_(clock),
      name_(std::move(name)),
      holder_(std::move(holder)),
      term_ms_(term_ms) {}

void Lease::Renew(std::function<void()> on_gained) {
  const TimeMs now = clock_.NowMs();
  auto held = std::make_shared<bool>(false);
  db_.Write(WriteJob{[this, now, held](store::StoreSession& s) {
                       *held = s.TryLease(name_, holder_, now, now + term_ms_);
                       return true;
                     },
                     [this, now, held, on_gained = std::move(on_gained)](bool committed) {
                       const bool had = Held();
                       held_since_renewal_at_ = committed && *held ? now : -1;
                       if (!had && Held() && on_gained) on_gained();
                     }});
}

bool Lease::Held() const {
  const TimeMs at = held_since_renewal_at_.load();
  if (at < 0) return false;
  const TimeMs now = clock_.NowMs();
  return now >= at && now - at < term_ms_ / 2;
}

}  // namespace amur::service
