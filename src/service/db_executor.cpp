#include "service/db_executor.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "service/read_replicas.hpp"

namespace amur::service {

DbExecutor::DbExecutor(store::Store& store, int readers, std::size_t max_batch,
                       ReadReplicas* replicas)
    : max_batch_(max_batch), replicas_(replicas) {
  std::vector<std::unique_ptr<store::StoreSession>> sessions;
  for (int i = 0; i < readers; ++i) sessions.push_back(store.OpenSession());
  auto writer = store.OpenSession();
  for (auto& s : sessions) {
    threads_.emplace_back([this, s = std::move(s)]() mutable { ReaderLoop(std::move(s)); });
  }
  threads_.emplace_back([this, w = std::move(writer)]() mutable { WriterLoop(std::move(w)); });
}

DbExecutor::~DbExecutor() { Stop(); }

void DbExecutor::Read(std::function<void(store::StoreSession&)> job) {
  {
    std::lock_guard lock(mu_);
    reads_.push_back(ReadItem{std::move(job), nullptr, nullptr});
  }
  read_cv_.notify_one();
}

void DbExecutor::Compute(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    reads_.push_back(ReadItem{nullptr, std::move(job), nullptr});
  }
  read_cv_.notify_one();
}

void DbExecutor::ReadRouted(RoutedRead read) {
  {
    std::lock_guard lock(mu_);
    reads_.push_back(ReadItem{nullptr, nullptr, std::make_unique<RoutedRead>(std::move(read))});
  }
  read_cv_.notify_one();
}

void DbExecutor::SetReplicaFloor(std::function<std::int64_t()> floor) {
  std::lock_guard lock(mu_);
  replica_floor_ = std::move(floor);
}

bool DbExecutor::TryReplicas(RoutedRead& read,
                             std::vector<std::unique_ptr<store::StoreSession>>& sessions) {
  std::function<std::int64_t()> floor;
  {
    std::lock_guard lock(mu_);
    floor = replica_floor_;
  }
  // Read after the caller took its read-cache generation (the read was
  // queued after that): see EventBus::LastAnnounced.
  const std::int64_t needed = std::max(read.seen, floor ? floor() : 0);
  for (const std::size_t i : replicas_->Candidates()) {
    auto& s = sessions[i];
    bool began = false;
    const auto end_quietly = [&] {
      if (!began || !s) return;
      try {
        s->Rollback();
      } catch (...) {
      }
    };
    try {
      if (!s) s = replicas_->StoreOf(i).OpenSession();
      s->BeginRead();
      began = true;
      // In the read's own snapshot: what it reads is at least this fresh.
      const std::int64_t seq = s->LastEventSeq();
      if (!FreshEnough(seq, needed)) {
        s->Commit();
        replicas_->MarkLagging(i, seq);
        continue;
      }
      read.run(*s);
      s->Commit();
      replicas_->MarkServed(i, seq);
      return true;
    } catch (const store::StoreConflict&) {
      // Cancelled by the replay of the primary's changes: try elsewhere.
      end_quietly();
      replicas_->MarkConflict(i);
    } catch (const store::StoreError& e) {
      end_quietly();
      s.reset();  // connected again when the replica is tried next
      replicas_->MarkDown(i, e.what());
    } catch (const std::exception&) {
      // Not the replica's fault; the primary runs it again and reports it.
      end_quietly();
      replicas_->MarkConflict(i);
    } catch (...) {
      end_quietly();
      replicas_->MarkConflict(i);
    }
  }
  return false;
}

void DbExecutor::Write(WriteJob job) {
  {
    std::lock_guard lock(mu_);
    writes_.push_back(std::move(job));
  }
  write_cv_.notify_one();
}

void DbExecutor::SetAfterCommit(std::function<void(store::StoreSession&)> fn) {
  std::lock_guard lock(mu_);
  after_commit_ = std::move(fn);
}

void DbExecutor::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  read_cv_.notify_all();
  write_cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

ExecutorStats DbExecutor::Stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

namespace {

// Ends a read transaction; one that cannot end is rolled back, and the
// session stays usable for the next read.
void EndRead(store::StoreSession& session) {
  try {
    session.Commit();
  } catch (const std::exception& e) {
    spdlog::error("cannot end a read transaction: {}", e.what());
    try {
      session.Rollback();
    } catch (...) {
    }
  }
}

}  // namespace

void DbExecutor::ReaderLoop(std::unique_ptr<store::StoreSession> session) {
  std::vector<std::unique_ptr<store::StoreSession>> replica_sessions(replicas_ ? replicas_->Size()
                                                                               : 0);
  while (true) {
    ReadItem item;
    {
      std::unique_lock lock(mu_);
      read_cv_.wait(lock, [&] { return stopping_ || !reads_.empty(); });
      if (reads_.empty()) return;  // stopping and drained
      item = std::move(reads_.front());
      reads_.pop_front();
      ++(item.compute ? stats_.compute_jobs : stats_.read_jobs);
    }
    if (item.compute) {
      try {
        item.compute();
      } catch (const std::exception& e) {
        spdlog::error("compute job failed: {}", e.what());
      } catch (...) {
        spdlog::error("compute job failed with an unknown exception");
      }
      continue;
    }
    if (item.routed) {
      RoutedRead& routed = *item.routed;
      std::exception_ptr failure;
      if (replica_sessions.empty() || !TryReplicas(routed, replica_sessions)) {
        bool began = false;
        try {
          session->BeginRead();
          began = true;
          routed.run(*session);
        } catch (...) {
          failure = std::current_exception();
        }
        if (began) EndRead(*session);
      }
      try {
        routed.done(failure);
      } catch (const std::exception& e) {
        spdlog::error("after a read job: {}", e.what());
      } catch (...) {
        spdlog::error("after a read job: an unknown exception");
      }
      continue;
    }
    auto& job = item.read;
    bool began = false;
    try {
      session->BeginRead();
      began = true;
    } catch (const std::exception& e) {
      spdlog::error("cannot begin a read transaction: {}", e.what());
    }
    try {
      job(*session);
    } catch (const std::exception& e) {
      spdlog::error("read job failed: {}", e.what());
    } catch (...) {
      spdlog::error("read job failed with an unknown exception");
    }
    if (began) EndRead(*session);
  }
}

void DbExecutor::WriterLoop(std::unique_ptr<store::StoreSession> session) {
  std::vector<WriteJob> batch;
  std::vector<char> kept;
  std::function<void(store::StoreSession&)> after_commit;
  while (true) {
    batch.clear();
    {
      std::unique_lock lock(mu_);
      write_cv_.wait(lock, [&] { return stopping_ || !writes_.empty(); });
      if (writes_.empty()) return;  // stopping and drained
      while (!writes_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(writes_.front()));
        writes_.pop_front();
      }
      ++stats_.batches;
      stats_.write_jobs += batch.size();
      after_commit = after_commit_;
    }
    kept.assign(batch.size(), 0);
    bool committed = false;
    // A batch that lost a race with another node's transaction (a deadlock,
    // a serialization failure, a chain head that moved: StoreConflict) is
    // rolled back whole and run again from the start. That is safe because a
    // job acts only through the session it is given and reports through
    // `done`, which runs once, after the last attempt: the jobs of
    // src/service, src/http (db_await.hpp's WriteResult overwrites its result
    // on each run), src/app and MailSender keep nothing else from a run.
    for (int attempt = 1;; ++attempt) {
      try {
        RunBatch(*session, batch, kept);
        committed = true;
      } catch (const store::StoreConflict& e) {
        try {
          session->Rollback();
        } catch (...) {
        }
        if (attempt < kMaxConflictAttempts) {
          spdlog::warn("write batch of {} lost a race (attempt {}), running it again: {}",
                       batch.size(), attempt, e.what());
          std::lock_guard lock(mu_);
          ++stats_.conflict_retries;
          continue;
        }
        spdlog::error("write batch of {} failed after {} attempts: {}", batch.size(), attempt,
                      e.what());
        std::lock_guard lock(mu_);
        ++stats_.failed_commits;
      } catch (const std::exception& e) {
        spdlog::error("write batch of {} failed: {}", batch.size(), e.what());
        try {
          session->Rollback();
        } catch (...) {
        }
        std::lock_guard lock(mu_);
        ++stats_.failed_commits;
      }
      break;
    }
    if (committed && after_commit) {
      try {
        after_commit(*session);
      } catch (const std::exception& e) {
        spdlog::error("after a commit: {}", e.what());
      } catch (...) {
        spdlog::error("after a commit: an unknown exception");
      }
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      // A job that rolled itself back still gets committed=true: its answer
      // (an expected failure) is final and nothing of it was written.
      try {
        batch[i].done(committed);
      } catch (const std::exception& e) {
        spdlog::error("after a write job: {}", e.what());
      } catch (...) {
        spdlog::error("after a write job: an unknown exception");
      }
    }
  }
}

void DbExecutor::RunBatch(store::StoreSession& session, std::vector<WriteJob>& batch,
                          std::vector<char>& kept) {
  session.BeginWrite();
  for (std::size_t i = 0; i < batch.size(); ++i) {
    session.Savepoint();
    bool keep = false;
    try {
      keep = batch[i].run(session);
    } catch (const store::StoreConflict&) {
      throw;  // the whole batch runs again
    } catch (const std::exception& e) {
      spdlog::error("write job failed: {}", e.what());
      keep = false;
    } catch (...) {
      spdlog::error("write job failed with an unknown exception");
      keep = false;
    }
    if (keep) {
      session.ReleaseSavepoint();
    } else {
      session.RollbackToSavepoint();
    }
    kept[i] = keep;
  }
  // A job that caught a conflict itself still fails the commit (the session
  // remembers it), so the batch runs again here too.
  session.Commit();
}

}  // namespace amur::service
