// Runs database work off the I/O threads. Reads go to a small pool of reader
// threads, each with its own connection. Writes go to one writer thread that
// commits them in groups: every job of a batch runs inside its own savepoint
// of one transaction, and all of them are answered after the single COMMIT
// (group commit), so an acknowledged write is durable and a failed one leaves
// no trace. A batch that loses a race with another node (StoreConflict) is
// rolled back and run again whole, a few times, before it fails.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "store/store.hpp"

namespace amur::service {

class ReadReplicas;

struct WriteJob {
  // Runs inside a savepoint. Returns true to keep its changes, false to roll
  // them back (an expected failure). Throwing rolls back too.
  std::function<bool(store::StoreSession&)> run;
  // Called on the writer thread after the batch: `committed` is true when
  // the job's changes are durable. Must not block.
  std::function<void(bool committed)> done;
};

// A read that a replica may serve (DbExecutor::ReadRouted).
struct RoutedRead {
  // The event seq the reader must see at least (a write of theirs), on top
  // of the executor's floor (SetReplicaFloor).
  std::int64_t seen = 0;
  // Runs inside a read transaction. It may run twice: on a replica that
  // fails it midway (its exception is swallowed there), then on the
  // primary; so it keeps only its last run's result.
  std::function<void(store::StoreSession&)> run;
  // Called once after the run that counts: null, or what `run` threw on the
  // primary (or the primary's failure to begin the read).
  std::function<void(std::exception_ptr)> done;
};

struct ExecutorStats {
  std::uint64_t batches = 0;
  std::uint64_t write_jobs = 0;
  std::uint64_t read_jobs = 0;
  std::uint64_t compute_jobs = 0;
  std::uint64_t failed_commits = 0;
  std::uint64_t conflict_retries = 0;  // batches run again after a StoreConflict
};

class DbExecutor final {
 public:
  // Opens `readers` reader connections and one writer connection. With
  // `replicas`, each reader thread also keeps a connection to each replica,
  // made on its first routed read (and again after a failure).
  DbExecutor(store::Store& store, int readers, std::size_t max_batch = 512,
             ReadReplicas* replicas = nullptr);
  ~DbExecutor();
  DbExecutor(const DbExecutor&) = delete;
  DbExecutor& operator=(const DbExecutor&) = delete;

  // Queues `job` for a reader thread; it runs inside a read transaction.
  // Exceptions thrown by the job are swallowed after logging; a job that
  // must report failure catches them itself.
  void Read(std::function<void(store::StoreSession&)> job);

  // Queues a read that a replica may serve: on a reader thread, each
  // replica ReadReplicas::Candidates names is tried in turn, and serves the
  // read if, in the read's own snapshot, its last event seq is at least
  // max(read.seen, the floor); a lagging or failing replica passes the read
  // on, and the primary serves it when none did. Without replicas it is a
  // plain Read on the primary.
  void ReadRouted(RoutedRead read);

  // The seq every routed read needs at least, read on the reader thread as
  // the read begins (EventBus::LastAnnounced: what this node has announced
  // to its read cache). REQUIRES: called before the first ReadRouted.
  void SetReplicaFloor(std::function<std::int64_t()> floor);

  // Queues CPU work that needs no database (screening a new comment) for a
  // reader thread, outside any transaction: it keeps the work off the I/O
  // threads and off the single writer. Shares the readers' queue, in order.
  // Exceptions are swallowed after logging, as for Read.
  void Compute(std::function<void()> job);

  // Queues a write job for the next batch.
  void Write(WriteJob job);

  // Runs `fn` on the writer thread after every batch that committed, before
  // any job of the batch is answered (EventBus::PublishCommitted: what
  // follows a commit). It gets the writer's session outside any transaction.
  // An exception from it is logged; the batch stays committed. REQUIRES:
  // called before the first Write.
  void SetAfterCommit(std::function<void(store::StoreSession&)> fn);

  // Finishes every queued job, then stops the threads. Idempotent.
  void Stop();

  ExecutorStats Stats() const;

 private:
  void ReaderLoop(std::unique_ptr<store::StoreSession> session);
  // `read` on the first replica fresh enough for it; false when none was
  // (`replica_sessions` are this reader thread's, one per replica).
  bool TryReplicas(RoutedRead& read,
                   std::vector<std::unique_ptr<store::StoreSession>>& replica_sessions);
  void WriterLoop(std::unique_ptr<store::StoreSession> session);
  // One attempt at a batch: every job in its savepoint, then the commit.
  // Throws StoreConflict when the batch must run again, StoreError when it failed.
  static void RunBatch(store::StoreSession& session, std::vector<WriteJob>& batch,
                       std::vector<char>& kept);

  // Attempts at a batch that keeps losing races before it fails.
  static constexpr int kMaxConflictAttempts = 5;

  std::size_t max_batch_;
  mutable std::mutex mu_;
  std::condition_variable read_cv_;
  std::condition_variable write_cv_;
  struct ReadItem {
    std::function<void(store::StoreSession&)> read;  // in a read transaction
    std::function<void()> compute;                   // or this, outside any
    std::unique_ptr<RoutedRead> routed;              // or this (ReadRouted)
  };
  ReadReplicas* replicas_ = nullptr;
  std::function<std::int64_t()> replica_floor_;
  std::deque<ReadItem> reads_;
  std::deque<WriteJob> writes_;
  std::function<void(store::StoreSession&)> after_commit_;
  bool stopping_ = false;
  ExecutorStats stats_;
  std::vector<std::thread> threads_;
};

}  // namespace amur::service
