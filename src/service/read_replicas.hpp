// Read replicas (--database-replica): hot standbys of the PostgreSQL primary
// that may serve the reads behind the read cache (threads, counts, feeds).
// This class holds what a node knows of each replica and decides which to
// try; DbExecutor::ReadRouted does the reading (docs/scaling.md).
//
// The freshness rule, without trusting any clock: a replica serves a read
// only if, in the read's own snapshot, its last event seq (the event log's
// counter) is at least the seq the read needs; otherwise the read goes to
// the next replica or to the primary. A replica that fails (cannot connect,
// connection lost) is skipped for a back-off, then one read tries it again.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace amur::service {

// True when a replica whose snapshot holds events up to `replica_seq` may
// serve a read that needs every event up to `needed`.
inline bool FreshEnough(std::int64_t replica_seq, std::int64_t needed) {
  return replica_seq >= needed;
}

// One replica's state, as /metrics shows it.
struct ReplicaState {
  std::string name;           // its URL, password hidden
  bool up = true;             // false while it is skipped after a failure
  std::int64_t last_seq = 0;  // its event seq at its last read
  std::uint64_t served = 0;   // reads it answered
  std::uint64_t lagging = 0;  // reads it was too far behind for
  std::uint64_t failed = 0;   // reads it failed (the read went elsewhere)
};

class ReadReplicas final {
 public:
  // Milliseconds on a monotonic clock (steady_clock in production).
  using Now = std::function<std::int64_t()>;
  static constexpr std::int64_t kDefaultBackoffMs = 5000;

  struct Replica {
    std::string name;  // shown in logs and metrics (no password)
    std::unique_ptr<store::Store> store;
  };

  ReadReplicas(std::vector<Replica> replicas, Now now, std::int64_t backoff_ms = kDefaultBackoffMs);

  std::size_t Size() const { return replicas_.size(); }
  store::Store& StoreOf(std::size_t i) { return *replicas_[i].store; }

  // The replicas a read should try now, in order: those up, starting from a
  // different one each call (reads spread over them); then at most one that
  // is down and whose back-off ran out (a probe: one read at a time tries a
  // replica that failed, the others skip it meanwhile). The caller reports
  // each one it tried with one of the Mark calls below.
  std::vector<std::size_t> Candidates();

  // Replica `i` served a read at `seq`.
  void MarkServed(std::size_t i, std::int64_t seq);
  // Replica `i` answered, but at `seq`, too far behind for the read.
  void MarkLagging(std::size_t i, std::int64_t seq);
  // The read on replica `i` lost a race with the replay of the primary's
  // changes (a recovery conflict): it goes elsewhere, the replica stays up.
  void MarkConflict(std::size_t i);
  // Replica `i` failed (`why`): skipped until the back-off runs out.
  void MarkDown(std::size_t i, const std::string& why);

  std::vector<ReplicaState> States() const;

 private:
  // Replica `i` answered at `seq`: it is up, and `counter` counts the read.
  void MarkAnswered(std::size_t i, std::int64_t seq, std::uint64_t ReplicaState::*counter);

  struct Slot {
    ReplicaState state;
    std::int64_t down_until = 0;
    bool probing = false;
  };

  std::vector<Replica> replicas_;
  Now now_;
  const std::int64_t backoff_ms_;
  mutable std::mutex mu_;
  std::vector<Slot> slots_;
  std::size_t next_ = 0;  // where the next Candidates starts
};

}  // namespace amur::service
