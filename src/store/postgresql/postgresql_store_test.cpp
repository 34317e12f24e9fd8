// What the PostgreSQL backend must hold with several connections (several
// nodes) on one database, beyond the store contract suite: migrations that
// race, event seqs in commit order, a page chain that cannot fork, the
// executor re-running a batch that lost a race, lost connections, and the
// NOTIFY listener. Against the throwaway server of the ctest fixture
// pg_cluster (postgresql_test_database.hpp); they fail without it.
#include "store/postgresql/postgresql_store.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "service/db_executor.hpp"
#include "store/postgresql/postgresql_test_database.hpp"

namespace amur::store {
namespace {

using namespace std::chrono_literals;

// The first column of the first row of `sql` on the database at `url`.
std::string QueryValue(const std::string& url, const std::string& sql) {
  PGconn* c = PQconnectdb(url.c_str());
  PGresult* r = PQexec(c, sql.c_str());
  std::string out;
  if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0) out = PQgetvalue(r, 0, 0);
  const std::string error = PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(c);
  if (!error.empty()) throw std::runtime_error(sql + ": " + error);
  return out;
}

class PostgresqlStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = testing::CreatePgTestDatabase(&cleanup_);
    store_ = OpenPostgresqlStore(url_);
    store_->Migrate();
  }
  void TearDown() override {
    store_.reset();
    if (cleanup_) cleanup_();
  }

  Page NewPage(StoreSession& s, const std::string& key) {
    WriteTransaction tx(s);
    Page p = s.UpsertPage({key, std::nullopt, std::nullopt, 1000});
    tx.Commit();
    return p;
  }

  CommentId NewComment(StoreSession& s, const Page& p) {
    Comment c;
    c.page_id = p.id;
    c.depth = 1;
    c.body_markdown = "x";
    c.body_html = "<p>x</p>";
    c.created_at = 5000;
    c.hash = kZeroHash;
    WriteTransaction tx(s);
    const CommentId id = s.InsertComment(c);
    tx.Commit();
    return id;
  }

  static ChainLink Link(CommentId id, std::int64_t seq, const std::string& prev, char fill) {
    ChainLink l;
    l.seq = seq;
    l.comment_id = id;
    l.n = static_cast<int>(seq);
    l.body_markdown = "x";
    l.at = 1000 * seq;
    l.prev_hash = prev;
    l.hash = std::string(64, fill);
    return l;
  }

  static Event NewEvent(const std::string& type) {
    Event e;
    e.at = 1;
    e.type = type;
    e.actor = "system";
    e.data = "{}";
    return e;
  }

  std::string url_;
  std::function<void()> cleanup_;
  std::unique_ptr<Store> store_;
};

TEST(PostgresqlMigrations, NodesMigratingAFreshDatabaseAtOnceAllSucceedAndApplyItOnce) {
  std::function<void()> cleanup;
  const std::string url = testing::CreatePgTestDatabase(&cleanup, /*migrated=*/false);
  std::vector<std::future<std::string>> nodes;
  for (int i = 0; i < 4; ++i) {
    nodes.push_back(std::async(std::launch::async, [&url] {
      try {
        OpenPostgresqlStore(url)->Migrate();
        return std::string();
      } catch (const std::exception& e) {
        return std::string(e.what());
      }
    }));
  }
  for (auto& n : nodes) EXPECT_EQ(n.get(), "");
  EXPECT_EQ(QueryValue(url, "SELECT count(*) FROM amur_schema_migrations"),
            QueryValue(url, "SELECT count(DISTINCT version) FROM amur_schema_migrations"));
  EXPECT_EQ(QueryValue(url, "SELECT count(*) FROM event_counter"), "1");
  cleanup();
}

TEST_F(PostgresqlStoreTest, EventSeqsFollowCommitOrderSoAReaderNeverSkipsOne) {
  auto a = store_->OpenSession();
  auto b = store_->OpenSession();
  auto reader = store_->OpenSession();
  std::vector<std::int64_t> seen;
  std::int64_t cursor = 0;
  auto read = [&] {
    reader->BeginRead();
    for (const Event& e : reader->ListEvents(cursor, 100, false)) {
      seen.push_back(e.seq);
      cursor = e.seq;
    }
    reader->Commit();
  };
  a->BeginWrite();
  const std::int64_t seq_a = a->AppendEvent(NewEvent("a"));
  // B appends and commits while A is open: it must wait for A, or it would
  // take a greater seq and be read before A's smaller one commits.
  auto b_done = std::async(std::launch::async, [&] {
    b->BeginWrite();
    const std::int64_t seq = b->AppendEvent(NewEvent("b"));
    b->Commit();
    return seq;
  });
  EXPECT_EQ(b_done.wait_for(500ms), std::future_status::timeout);
  read();
  a->Commit();
  const std::int64_t seq_b = b_done.get();
  read();
  EXPECT_LT(seq_a, seq_b);
  EXPECT_EQ(seen, (std::vector<std::int64_t>{seq_a, seq_b}));
  EXPECT_EQ(reader->LastEventSeq(), seq_b);
}

TEST_F(PostgresqlStoreTest, SeqsAreNotReusedAfterARollbackOrPruning) {
  auto s = store_->OpenSession();
  s->BeginWrite();
  const std::int64_t first = s->AppendEvent(NewEvent("x"));
  s->Commit();
  s->BeginWrite();
  s->Savepoint();
  s->AppendEvent(NewEvent("rolled back"));
  s->RollbackToSavepoint();
  const std::int64_t second = s->AppendEvent(NewEvent("y"));
  EXPECT_EQ(second, first + 1);  // no gap for the one rolled back
  EXPECT_EQ(s->PruneEvents(100), 2);
  s->Commit();
  s->BeginWrite();
  EXPECT_EQ(s->AppendEvent(NewEvent("z")), second + 1);
  s->Commit();
}

TEST_F(PostgresqlStoreTest, TwoWritersOnOnePageAppendToOneChain) {
  auto a = store_->OpenSession();
  auto b = store_->OpenSession();
  const Page p = NewPage(*a, "/race");
  const CommentId c1 = NewComment(*a, p);
  const CommentId c2 = NewComment(*a, p);
  a->BeginWrite();
  const Page seen_by_a = *a->FindPage("/race");
  // B reads the page inside its own write: it must wait for A's link.
  auto b_done = std::async(std::launch::async, [&] {
    b->BeginWrite();
    const Page seen_by_b = *b->FindPageById(p.id);
    b->AppendLink(p.id, Link(c2, seen_by_b.chain_len + 1, seen_by_b.chain_head, 'b'));
    b->Commit();
  });
  EXPECT_EQ(b_done.wait_for(300ms), std::future_status::timeout);
  a->AppendLink(p.id, Link(c1, seen_by_a.chain_len + 1, seen_by_a.chain_head, 'a'));
  a->Commit();
  b_done.get();
  const auto links = a->ListPageLinks(p.id);
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0].prev_hash, kZeroHash);
  EXPECT_EQ(links[1].prev_hash, links[0].hash);
  EXPECT_EQ(a->FindPage("/race")->chain_head, links[1].hash);
}

TEST_F(PostgresqlStoreTest, AppendingFromAStaleHeadIsAConflictAndChangesNothing) {
  auto s = store_->OpenSession();
  const Page p = NewPage(*s, "/stale");
  const CommentId c = NewComment(*s, p);
  s->BeginWrite();
  s->AppendLink(p.id, Link(c, 1, kZeroHash, 'a'));
  EXPECT_THROW(s->AppendLink(p.id, Link(c, 2, kZeroHash, 'b')), StoreConflict);
  EXPECT_THROW(s->Commit(), StoreConflict);  // the transaction is rolled back whole
  EXPECT_TRUE(s->ListPageLinks(p.id).empty());
  EXPECT_EQ(s->FindPage("/stale")->chain_head, kZeroHash);
}

TEST_F(PostgresqlStoreTest, WritersOnSeveralPagesWaitForEachOtherAndNeverDeadlock) {
  // A batch that writes to two pages, and another writer in between: with the
  // counter taken after the page rows, the two waited for each other.
  auto a = store_->OpenSession();
  auto b = store_->OpenSession();
  NewPage(*a, "/one");
  NewPage(*a, "/two");
  a->BeginWrite();
  a->FindPage("/one");
  a->AppendEvent(NewEvent("comment.created"));
  auto b_done = std::async(std::launch::async, [&] {
    b->BeginWrite();
    b->FindPage("/two");
    b->AppendEvent(NewEvent("comment.created"));
    b->Commit();
  });
  EXPECT_EQ(b_done.wait_for(300ms), std::future_status::timeout);
  EXPECT_NO_THROW(a->FindPage("/two"));
  a->AppendEvent(NewEvent("comment.created"));
  EXPECT_NO_THROW(a->Commit());
  EXPECT_NO_THROW(b_done.get());
  EXPECT_EQ(QueryValue(url_, "SELECT last_seq FROM event_counter"), "3");
}

TEST_F(PostgresqlStoreTest, TheExecutorRunsABatchThatLostARaceAgain) {
  auto other = store_->OpenSession();
  const Page p = NewPage(*other, "/retry");
  const CommentId c1 = NewComment(*other, p);
  const CommentId c2 = NewComment(*other, p);
  const std::string stale = p.chain_head;
  // Another node appends after this one read the head.
  other->BeginWrite();
  other->AppendLink(p.id, Link(c1, 1, kZeroHash, 'a'));
  other->Commit();

  service::DbExecutor db(*store_, 1);
  std::atomic<int> runs = 0;
  std::promise<std::pair<bool, bool>> result;
  service::WriteJob job;
  job.run = [&](StoreSession& s) {
    // Like WriteResult, the job swallows what it throws: the session still
    // fails the commit so that the batch runs again.
    try {
      const std::string head = runs++ == 0 ? stale : s.FindPage("/retry")->chain_head;
      s.AppendLink(p.id, Link(c2, 2, head, 'b'));
      return true;
    } catch (const std::exception&) {
      return false;
    }
  };
  bool kept_last = false;
  job.done = [&](bool committed) { result.set_value({committed, kept_last}); };
  db.Write(std::move(job));
  const auto [committed, unused] = result.get_future().get();
  (void)unused;
  db.Stop();
  EXPECT_TRUE(committed);
  EXPECT_EQ(runs.load(), 2);
  EXPECT_EQ(db.Stats().conflict_retries, 1u);
  const auto links = other->ListPageLinks(p.id);
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[1].prev_hash, links[0].hash);
}

TEST_F(PostgresqlStoreTest, ALostConnectionIsAStoreErrorAndIsMadeAgainAtTheNextTransaction) {
  auto s = store_->OpenSession();
  NewPage(*s, "/kept");
  s->BeginRead();
  const std::string db = url_.substr(url_.rfind('/') + 1);
  QueryValue(testing::PgServerUrl() + "/postgres",
             "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '" +
                 db + "' AND application_name = 'amur'");
  EXPECT_THROW(s->FindPage("/kept"), StoreError);
  EXPECT_FALSE(s->Ping());
  s->Rollback();
  s->BeginRead();
  EXPECT_TRUE(s->FindPage("/kept"));
  s->Commit();
  EXPECT_TRUE(s->Ping());
}

// A connection the server ended while it was idle (a restart, a failover,
// idle_session_timeout) is found dead by the next BEGIN, made again there,
// and the transaction goes on: no request fails for it.
TEST_F(PostgresqlStoreTest, AConnectionEndedWhileIdleIsMadeAgainWhenATransactionStarts) {
  auto s = store_->OpenSession();
  NewPage(*s, "/idle");
  const std::string db = url_.substr(url_.rfind('/') + 1);
  const std::string sessions =
      " FROM pg_stat_activity WHERE datname = '" + db + "' AND application_name = 'amur'";
  // Ends the session and waits until it is gone; how many were ended.
  auto cut = [&] {
    const std::string admin = testing::PgServerUrl() + "/postgres";
    const std::string n = QueryValue(admin, "SELECT count(pg_terminate_backend(pid))" + sessions);
    for (int i = 0; i < 100 && QueryValue(admin, "SELECT count(*)" + sessions) != "0"; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return n;
  };
  ASSERT_EQ(cut(), "1");
  s->BeginRead();
  EXPECT_TRUE(s->FindPage("/idle"));
  s->Commit();
  ASSERT_EQ(cut(), "1");
  s->BeginWrite();
  s->SetPageClosed("/idle", true);
  s->Commit();
  s->BeginRead();
  EXPECT_TRUE(s->FindPage("/idle")->closed);
  s->Commit();
}

TEST_F(PostgresqlStoreTest, TheListenerWakesOnCommitsThatAppendedEvents) {
  auto listener = store_->ListenForEvents();
  ASSERT_TRUE(listener);
  EXPECT_FALSE(listener->Wait(100ms));
  auto s = store_->OpenSession();
  NewPage(*s, "/quiet");  // no event: no notification
  EXPECT_FALSE(listener->Wait(200ms));
  s->BeginWrite();
  s->AppendEvent(NewEvent("x"));
  s->AppendEvent(NewEvent("y"));
  s->Commit();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(listener->Wait(5000ms));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2000ms);
  EXPECT_FALSE(listener->Wait(100ms));  // one notification per transaction
  // Its connection lost, it connects again and says so (something may have
  // been missed), then hears the next commit.
  const std::string db = url_.substr(url_.rfind('/') + 1);
  QueryValue(testing::PgServerUrl() + "/postgres",
             "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '" +
                 db + "' AND application_name = 'amur-listener'");
  bool woke = false;
  for (int i = 0; i < 5 && !woke; ++i) woke = listener->Wait(1000ms);
  EXPECT_TRUE(woke);
  s->BeginWrite();
  s->AppendEvent(NewEvent("z"));
  s->Commit();
  EXPECT_TRUE(listener->Wait(5000ms));
}

TEST(PostgresqlUrl, ABadUrlSaysWhatIsWrongWithoutThePassword) {
  try {
    OpenStore("postgresql://amur:s3cret@127.0.0.1:1/amur?connect_timeout=2");
    FAIL() << "no error";
  } catch (const StoreError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("cannot connect"), std::string::npos) << what;
    EXPECT_EQ(what.find("s3cret"), std::string::npos) << what;
  }
  try {
    OpenStore("postgres://127.0.0.1:1/amur?sslmode=bogus");
    FAIL() << "no error";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("sslmode"), std::string::npos) << e.what();
  }
  EXPECT_THROW(OpenStore("mysql://x"), StoreError);
}

}  // namespace
}  // namespace amur::store
