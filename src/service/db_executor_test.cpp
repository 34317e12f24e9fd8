// The group-commit writer and the readers, on a real SQLite file wrapped in
// the fault-injecting store.
#include "service/db_executor.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>

#include "service/store_test_support.hpp"
#include "store/fault_injecting_store.hpp"

namespace amur::service {
namespace {

using namespace std::chrono_literals;

class DbExecutorTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    plan_ = std::make_shared<store::FaultPlan>();
    faulty_ = store::WrapWithFaults(store::OpenSqliteStore(db_path_), plan_);
    page_ = [&] {
      store::WriteTransaction tx(*s_);
      Page p = s_->UpsertPage({"/exec", std::nullopt, std::nullopt, 1});
      tx.Commit();
      return p;
    }();
  }
  void TearDown() override {
    faulty_.reset();
    StoreTest::TearDown();
  }

  Comment MakeComment(const std::string& body) {
    Comment c;
    c.page_id = page_.id;
    c.body_markdown = body;
    c.body_html = "<p>" + body + "</p>";
    c.created_at = 1;
    c.hash = kZeroHash;
    return c;
  }

  // A job inserting one comment (and an event); `keep` decides whether it
  // reports success; `throws` makes it throw after the insert.
  WriteJob Insert(const std::string& body, std::promise<bool>* committed, bool keep = true,
                  bool throws = false) {
    WriteJob job;
    job.run = [this, body, keep, throws](store::StoreSession& s) {
      const CommentId id = s.InsertComment(MakeComment(body));
      Event e;
      e.at = 1;
      e.type = "comment.created";
      e.comment_id = id;
      e.actor = "guest";
      e.data = "{}";
      s.AppendEvent(e);
      if (throws) throw std::runtime_error("boom");
      return keep;
    };
    job.done = [committed](bool ok) { committed->set_value(ok); };
    return job;
  }

  std::vector<std::string> Bodies() {
    auto session = store_->OpenSession();
    std::vector<std::string> out;
    for (const auto& c : session->ListAllComments(page_.id)) out.push_back(c.body_markdown);
    return out;
  }

  std::int64_t EventCount() {
    auto session = store_->OpenSession();
    return static_cast<std::int64_t>(session->ListEvents(0, 1000, false).size());
  }

  std::shared_ptr<store::FaultPlan> plan_;
  std::unique_ptr<store::Store> faulty_;
  Page page_;
};

// Holds the writer inside a job until released, so that the jobs queued
// meanwhile form one batch.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool entered = false;
  bool open = false;
  WriteJob Job() {
    WriteJob job;
    job.run = [this](store::StoreSession&) {
      std::unique_lock lock(mu);
      entered = true;
      cv.notify_all();
      cv.wait(lock, [&] { return open; });
      return true;
    };
    job.done = [](bool) {};
    return job;
  }
  void WaitEntered() {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return entered; });
  }
  void Open() {
    std::lock_guard lock(mu);
    open = true;
    cv.notify_all();
  }
};

TEST_F(DbExecutorTest, AFailedJobLeavesNoTraceAndTheRestOfItsBatchCommits) {
  DbExecutor db(*faulty_, 1);
  Gate gate;
  db.Write(gate.Job());
  gate.WaitEntered();
  std::promise<bool> a, b, c, d;
  db.Write(Insert("kept 1", &a));
  db.Write(Insert("refused", &b, /*keep=*/false));
  db.Write(Insert("thrown", &c, true, /*throws=*/true));
  db.Write(Insert("kept 2", &d));
  gate.Open();
  EXPECT_TRUE(a.get_future().get());
  EXPECT_TRUE(b.get_future().get()) << "an expected failure is final, not a failed commit";
  EXPECT_TRUE(c.get_future().get());
  EXPECT_TRUE(d.get_future().get());
  EXPECT_EQ(Bodies(), (std::vector<std::string>{"kept 1", "kept 2"}));
  EXPECT_EQ(EventCount(), 2) << "no event of a rolled-back job";
  db.Stop();
  EXPECT_EQ(db.Stats().batches, 2u) << "the gate's batch, then the four queued behind it";
}

TEST_F(DbExecutorTest, AFailedCommitAnswersEveryJobOfTheBatchAndWritesNothing) {
  DbExecutor db(*faulty_, 1);
  std::atomic<int> after_commits{0};
  db.SetAfterCommit([&](store::StoreSession&) { ++after_commits; });
  std::promise<bool> before;
  db.Write(Insert("committed before", &before));
  EXPECT_TRUE(before.get_future().get());
  Gate gate;
  db.Write(gate.Job());
  gate.WaitEntered();
  std::promise<bool> x, y, z;
  db.Write(Insert("lost 1", &x));
  db.Write(Insert("lost 2", &y));
  plan_->FailNext(store::FaultPoint::kCommit, 2);  // the gate's batch, then x and y's
  gate.Open();
  EXPECT_FALSE(x.get_future().get());
  EXPECT_FALSE(y.get_future().get());
  db.Write(Insert("after the faults", &z));
  EXPECT_TRUE(z.get_future().get());
  db.Stop();
  EXPECT_EQ(db.Stats().failed_commits, 2u);
  EXPECT_EQ(plan_->Injected(), 2);
  EXPECT_EQ(after_commits.load(), 2) << "only the committed batches are followed";
  EXPECT_EQ(Bodies(), (std::vector<std::string>{"committed before", "after the faults"}));
  EXPECT_EQ(EventCount(), 2) << "no event of a batch that failed to commit";
}

TEST_F(DbExecutorTest, AFailedSavepointFailsTheWholeBatch) {
  DbExecutor db(*faulty_, 1);
  Gate gate;
  db.Write(gate.Job());
  gate.WaitEntered();
  std::promise<bool> a, b;
  db.Write(Insert("first", &a));
  db.Write(Insert("second", &b));
  plan_->FailNext(store::FaultPoint::kSavepoint);  // the next batch's first savepoint
  gate.Open();
  const bool ok_a = a.get_future().get();
  const bool ok_b = b.get_future().get();
  db.Stop();
  EXPECT_EQ(ok_a, ok_b) << "one batch: both or neither";
  EXPECT_FALSE(ok_a);
  EXPECT_TRUE(Bodies().empty());
  EXPECT_EQ(EventCount(), 0);
}

TEST_F(DbExecutorTest, AfterCommitRunsOncePerCommittedBatchBeforeItsAnswers) {
  DbExecutor db(*faulty_, 1);
  std::mutex mu;
  std::vector<std::string> order;
  db.SetAfterCommit([&](store::StoreSession& s) {
    std::lock_guard lock(mu);
    order.push_back("after:" + std::to_string(s.ListEvents(0, 100, false).size()));
  });
  std::promise<bool> unused;
  WriteJob job = Insert("one", &unused);
  std::promise<void> finished;
  job.done = [&](bool ok) {
    {
      std::lock_guard lock(mu);
      order.push_back(ok ? "done" : "failed");
    }
    finished.set_value();
  };
  db.Write(std::move(job));
  finished.get_future().get();
  db.Stop();
  EXPECT_EQ(order, (std::vector<std::string>{"after:1", "done"}));
}

TEST_F(DbExecutorTest, BatchesAreCappedAndStopDrainsTheQueue) {
  DbExecutor db(*faulty_, 1, /*max_batch=*/4);
  Gate gate;
  db.Write(gate.Job());
  gate.WaitEntered();
  std::vector<std::promise<bool>> done(10);
  for (int i = 0; i < 10; ++i)
    db.Write(Insert("c" + std::to_string(i), &done[static_cast<std::size_t>(i)]));
  gate.Open();
  db.Stop();  // returns only after every queued job ran
  for (auto& p : done) EXPECT_TRUE(p.get_future().get());
  EXPECT_EQ(Bodies().size(), 10u);
  EXPECT_EQ(db.Stats().write_jobs, 11u);
  EXPECT_EQ(db.Stats().batches, 4u) << "1 + ceil(10 / 4)";
}

TEST_F(DbExecutorTest, ReadsRunInATransactionAndSwallowTheirExceptions) {
  DbExecutor db(*faulty_, 2);
  std::promise<std::size_t> seen;
  db.Read([](store::StoreSession&) { throw std::runtime_error("a failing read"); });
  db.Read([&](store::StoreSession& s) { seen.set_value(s.ListAllComments(page_.id).size()); });
  EXPECT_EQ(seen.get_future().get(), 0u);
  std::promise<int> computed;
  db.Compute([&] { computed.set_value(42); });
  EXPECT_EQ(computed.get_future().get(), 42);
  db.Stop();
  EXPECT_EQ(db.Stats().read_jobs, 2u);
  EXPECT_EQ(db.Stats().compute_jobs, 1u);
}

}  // namespace
}  // namespace amur::service
