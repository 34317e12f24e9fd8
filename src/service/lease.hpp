// Work that must happen once for all the nodes sharing a database (sending
// mail, delivering webhooks) runs only on the node holding its lease
// (store::SettingsStore::TryLease). The holder renews the lease every third
// of its term; a node that dies or loses the database stops renewing, and
// another takes the lease over once the term has run out (docs/scaling.md).
// With one node the lease is simply always held.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "core/clock.hpp"
#include "service/db_executor.hpp"

namespace amur::service {

class Lease final {
 public:
  // `holder`: this node (ThisNode()). `term_ms`: how long one renewal holds.
  Lease(DbExecutor& db, const Clock& clock, std::string name, std::string holder, TimeMs term_ms);

  // Takes or renews the lease (a write job); `on_gained` runs on the writer
  // thread when this node holds it after not holding it. Call every
  // term_ms / 3.
  void Renew(std::function<void()> on_gained = {});

  // True while this node holds the lease: its last successful renewal was
  // less than half a term ago by this node's clock (the other half is the
  // margin for clocks that disagree between nodes and for a slow renewal).
  bool Held() const;

  const std::string& name() const { return name_; }
  TimeMs term_ms() const { return term_ms_; }

 private:
  DbExecutor& db_;
  const Clock& clock_;
  const std::string name_;
  const std::string holder_;
  const TimeMs term_ms_;
  std::atomic<TimeMs> held_since_renewal_at_{-1};  // -1: not held
};

}  // namespace amur::service
