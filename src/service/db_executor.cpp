#include "service/db_executor.hpp"

#include <spdlog/spdlog.h>

namespace amur::service {

DbExecutor::DbExecutor(store::Store& store, int readers, std::size_t max_batch)
    : max_batch_(max_batch) {
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
    reads_.push_back(ReadItem{std::move(job), nullptr});
  }
  read_cv_.notify_one();
}

void DbExecutor::Compute(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    reads_.push_back(ReadItem{nullptr, std::move(job)});
  }
  read_cv_.notify_one();
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

void DbExecutor::ReaderLoop(std::unique_ptr<store::StoreSession> session) {
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
    if (began) {
      try {
        session->Commit();
      } catch (const std::exception& e) {
        spdlog::error("cannot end a read transaction: {}", e.what());
        try {
          session->Rollback();
        } catch (...) {
        }
      }
    }
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
