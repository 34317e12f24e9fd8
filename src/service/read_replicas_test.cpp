// Which replica a cacheable read goes to (ReadReplicas), and the routed
// reads of DbExecutor on real stores: a SQLite file stands for a replica
// that is ahead or behind (its event seq), a PostgreSQL address where
// nothing listens for one that is down.
#include "service/read_replicas.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "service/db_executor.hpp"
#include "service/store_test_support.hpp"
#include "store/postgresql/postgresql_store.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace amur::service {
namespace {

// A monotonic clock that moves only when told.
struct ManualNow {
  std::shared_ptr<std::atomic<std::int64_t>> t = std::make_shared<std::atomic<std::int64_t>>(0);
  ReadReplicas::Now Fn() const {
    return [t = t] { return t->load(); };
  }
  void Advance(std::int64_t ms) const { t->fetch_add(ms); }
};

// Replicas that are never opened (the decisions alone).
std::vector<ReadReplicas::Replica> Named(int n) {
  std::vector<ReadReplicas::Replica> out;
  for (int i = 0; i < n; ++i) out.push_back({"r" + std::to_string(i), nullptr});
  return out;
}

TEST(FreshEnoughTest, AReplicaServesOnlyWhatItHasCaughtUpWith) {
  EXPECT_TRUE(FreshEnough(10, 10));
  EXPECT_TRUE(FreshEnough(11, 10));
  EXPECT_FALSE(FreshEnough(9, 10));
  EXPECT_TRUE(FreshEnough(0, 0));
}

TEST(ReadReplicasTest, ReadsStartFromADifferentReplicaEachTime) {
  ManualNow now;
  ReadReplicas r(Named(3), now.Fn());
  EXPECT_EQ(r.Candidates(), (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_EQ(r.Candidates(), (std::vector<std::size_t>{1, 2, 0}));
  EXPECT_EQ(r.Candidates(), (std::vector<std::size_t>{2, 0, 1}));
  EXPECT_EQ(r.Candidates(), (std::vector<std::size_t>{0, 1, 2}));
}

TEST(ReadReplicasTest, NoReplicasNoCandidates) {
  ManualNow now;
  ReadReplicas r({}, now.Fn());
  EXPECT_TRUE(r.Candidates().empty());
}

TEST(ReadReplicasTest, AFailedReplicaIsSkippedUntilItsBackoffRunsOutThenProbedByOneRead) {
  ManualNow now;
  ReadReplicas r(Named(2), now.Fn(), 5000);
  r.MarkDown(0, "connection refused");
  EXPECT_FALSE(r.States()[0].up);
  EXPECT_EQ(r.States()[0].failed, 1u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(r.Candidates(), (std::vector<std::size_t>{1}));
  now.Advance(4999);
  EXPECT_EQ(r.Candidates(), (std::vector<std::size_t>{1}));
  now.Advance(1);
  // One read probes it, after the replicas that are up; the others skip it
  // while that read is on it.
  const auto first = r.Candidates();
  EXPECT_EQ(first.back(), 0u);
  EXPECT_EQ(first.size(), 2u);
  EXPECT_EQ(r.Candidates(), (std::vector<std::size_t>{1}));
  // It failed again: another back-off.
  r.MarkDown(0, "still refused");
  now.Advance(4999);
  EXPECT_EQ(r.Candidates(), (std::vector<std::size_t>{1}));
  now.Advance(1);
  ASSERT_EQ(r.Candidates().back(), 0u);
  // It answered: used like the others again.
  r.MarkServed(0, 7);
  EXPECT_TRUE(r.States()[0].up);
  EXPECT_EQ(r.States()[0].last_seq, 7);
  const auto again = r.Candidates();
  EXPECT_EQ(again.size(), 2u);
}

TEST(ReadReplicasTest, ALaggingReplicaStaysInUse) {
  ManualNow now;
  ReadReplicas r(Named(1), now.Fn());
  r.MarkLagging(0, 3);
  r.MarkConflict(0);
  const auto s = r.States()[0];
  EXPECT_TRUE(s.up);
  EXPECT_EQ(s.lagging, 1u);
  EXPECT_EQ(s.failed, 1u);
  EXPECT_EQ(s.last_seq, 3);
  EXPECT_EQ(r.Candidates(), (std::vector<std::size_t>{0}));
}

// DbExecutor::ReadRouted on real stores: the primary is one SQLite file, the
// "replica" another, told apart by a page that only the replica has.
class RoutedReadTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    replica_path_ = (dir_ / "replica.db").string();
    auto replica = store::OpenSqliteStore(replica_path_);
    replica->Migrate();
    auto s = replica->OpenSession();
    store::WriteTransaction tx(*s);
    s->UpsertPage({"/on-the-replica", std::nullopt, std::nullopt, 1});
    for (int i = 0; i < kReplicaEvents; ++i) AppendEvent(*s);
    tx.Commit();
  }

  static void AppendEvent(store::StoreSession& s) {
    Event e;
    e.at = 1;
    e.type = "page.changed";
    e.page_key = "/on-the-replica";
    e.actor = "test";
    e.data = "{}";
    s.AppendEvent(e);
  }

  // Replica 0: the SQLite "replica"; then `extra` more replicas.
  void Start(std::int64_t floor, std::vector<ReadReplicas::Replica> extra = {}) {
    std::vector<ReadReplicas::Replica> list;
    list.push_back({"sqlite replica", store::OpenSqliteStore(replica_path_)});
    for (auto& r : extra) list.push_back(std::move(r));
    replicas_ = std::make_unique<ReadReplicas>(std::move(list), now_.Fn(), 5000);
    db_ = std::make_unique<DbExecutor>(*store_, 1, 512, replicas_.get());
    db_->SetReplicaFloor([floor] { return floor; });
  }

  void TearDown() override {
    if (db_) db_->Stop();
    db_.reset();
    replicas_.reset();
    StoreTest::TearDown();
  }

  // Where a routed read needing `seen` ran: "replica" or "primary"; the
  // exception text when it failed.
  std::string Where(std::int64_t seen = 0) {
    std::promise<std::string> where;
    RoutedRead read;
    read.seen = seen;
    auto answer = std::make_shared<std::string>();
    read.run = [answer](store::StoreSession& s) {
      *answer = s.FindPage("/on-the-replica") ? "replica" : "primary";
    };
    read.done = [answer, &where](std::exception_ptr failure) {
      if (!failure) {
        where.set_value(*answer);
        return;
      }
      try {
        std::rethrow_exception(failure);
      } catch (const std::exception& e) {
        where.set_value(std::string("failed: ") + e.what());
      }
    };
    db_->ReadRouted(std::move(read));
    return where.get_future().get();
  }

  static constexpr int kReplicaEvents = 5;
  std::string replica_path_;
  ManualNow now_;
  std::unique_ptr<ReadReplicas> replicas_;
  std::unique_ptr<DbExecutor> db_;
};

TEST_F(RoutedReadTest, AReplicaThatHasEverythingTheNodeAnnouncedServesTheRead) {
  Start(kReplicaEvents);
  EXPECT_EQ(Where(), "replica");
  EXPECT_EQ(Where(kReplicaEvents), "replica");
  const auto s = replicas_->States()[0];
  EXPECT_EQ(s.served, 2u);
  EXPECT_EQ(s.last_seq, kReplicaEvents);
}

TEST_F(RoutedReadTest, AReplicaBehindTheNodesFloorPassesTheReadToThePrimary) {
  Start(kReplicaEvents + 1);
  EXPECT_EQ(Where(), "primary");
  const auto s = replicas_->States()[0];
  EXPECT_EQ(s.served, 0u);
  EXPECT_EQ(s.lagging, 1u);
  EXPECT_TRUE(s.up);
}

TEST_F(RoutedReadTest, AReplicaBehindTheReadersOwnWritePassesTheReadToThePrimary) {
  Start(0);
  EXPECT_EQ(Where(kReplicaEvents + 1), "primary");
  EXPECT_EQ(Where(kReplicaEvents), "replica");
}

TEST_F(RoutedReadTest, AReplicaThatIsDownIsSkippedAndTheReadStillSucceeds) {
  // Port 1 on the loopback: nothing listens there, the connection is refused.
  std::vector<ReadReplicas::Replica> down;
  down.push_back({"down", store::OpenPostgresqlReplica("postgresql://amur@127.0.0.1:1/amur")});
  Start(kReplicaEvents + 1, std::move(down));  // the SQLite replica lags: only the primary serves
  EXPECT_EQ(Where(), "primary");
  EXPECT_FALSE(replicas_->States()[1].up);
  EXPECT_EQ(replicas_->States()[1].failed, 1u);
  // Skipped while its back-off runs: no new connection attempt.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Where(), "primary");
  EXPECT_EQ(replicas_->States()[1].failed, 1u);
  // Then tried again (and still down).
  now_.Advance(5000);
  EXPECT_EQ(Where(), "primary");
  EXPECT_EQ(replicas_->States()[1].failed, 2u);
}

TEST_F(RoutedReadTest, WithoutReplicasARoutedReadIsAPlainRead) {
  db_ = std::make_unique<DbExecutor>(*store_, 1);
  EXPECT_EQ(Where(), "primary");
}

TEST_F(RoutedReadTest, AFailureOnThePrimaryIsReportedToTheCaller) {
  Start(kReplicaEvents + 1);
  std::promise<bool> failed;
  RoutedRead read;
  read.run = [](store::StoreSession&) { throw store::StoreError("the primary is gone"); };
  read.done = [&failed](std::exception_ptr e) { failed.set_value(e != nullptr); };
  db_->ReadRouted(std::move(read));
  EXPECT_TRUE(failed.get_future().get());
}

}  // namespace
}  // namespace amur::service
