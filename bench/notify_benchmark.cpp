// Google Benchmark: one comment fanned out to 10,000 confirmed thread
// subscribers of its page, on a SQLite file (the notifications queued and
// the cursor saved in one transaction, committed), and composing messages
// from the queue. Reference in the same run: BM_PostComment, posting one
// comment on the same store (screening off), which the fan-out must not
// hold up for long: it runs as a write job on the same single writer.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "service/comment_service.hpp"
#include "service/subscription_service.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace {

using namespace amur;

constexpr TimeMs kNow = 1'800'000'000'000;
constexpr int kSubscribers = 10'000;

service::NotifyConfig Config() {
  service::NotifyConfig c;
  c.enabled = true;
  c.site.public_url = "https://comments.example";
  c.site.from_address = "comments@example.com";
  c.site.host = "comments.example";
  c.digest = std::chrono::milliseconds(0);
  return c;
}

// A database with one page and kSubscribers confirmed subscribers of it.
class Database {
 public:
  Database() : clock_(kNow), comments_(service::ServiceConfig{}, clock_, random_),
               subs_(Config(), clock_, random_) {
    InitCrypto();
    std::mt19937_64 rng(std::random_device{}());
    dir_ = std::filesystem::temp_directory_path() / ("amur-notify-bench-" + std::to_string(rng()));
    store_ = store::OpenSqliteStore((dir_ / "amur.db").string());
    store_->Migrate();
    s_ = store_->OpenSession();
    store::WriteTransaction tx(*s_);
    const Page page = s_->UpsertPage({"/bench", std::string("The bench"), std::nullopt, kNow});
    for (int i = 0; i < kSubscribers; ++i) {
      Subscription sub;
      sub.email = "reader" + std::to_string(i) + "@example.com";
      sub.kind = SubscriptionKind::kThread;
      sub.page_id = page.id;
      sub.confirmed = true;
      sub.created_at = kNow;
      s_->UpsertSubscription(sub);
    }
    tx.Commit();
  }
  ~Database() {
    s_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Posts one comment on /bench, committed.
  void Post() {
    service::PostRequest r;
    r.page_key = "/bench";
    r.body = "A comment that ten thousand readers follow, number " + std::to_string(++n_);
    r.author_name = "Poster";
    r.client_address = "192.0.2.1";
    store::WriteTransaction tx(*s_);
    auto out = comments_.Post(*s_, r);
    if (!out) throw std::runtime_error(out.error().message);
    tx.Commit();
    clock_.Advance(1000);
  }

  // The fan-out of everything after the cursor, committed; notifications queued.
  std::int64_t FanOut() {
    store::WriteTransaction tx(*s_);
    auto r = subs_.FanOut(*s_, cursor_, 500);
    s_->PutSetting(service::kNotifyCursorSetting, std::to_string(r.last_seq));
    tx.Commit();
    cursor_ = r.last_seq;
    return r.queued;
  }

  // Composes up to 100 messages, committed; how many.
  std::int64_t Compose() {
    store::WriteTransaction tx(*s_);
    auto r = subs_.Compose(*s_, 100);
    tx.Commit();
    return r.messages;
  }

  void SkipLog() { cursor_ = s_->LastEventSeq(); }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::StoreSession> s_;
  FakeClock clock_;
  SodiumRandom random_;
  service::CommentService comments_;
  service::SubscriptionService subs_;
  std::int64_t cursor_ = 0;
  int n_ = 0;
};

Database& Db() {
  static Database db;
  return db;
}

void BM_PostComment(benchmark::State& state) {
  auto& db = Db();
  for (auto _ : state) db.Post();
  db.SkipLog();
}
BENCHMARK(BM_PostComment)->Unit(benchmark::kMillisecond)->Iterations(50);

void BM_FanOutTo10kSubscribers(benchmark::State& state) {
  auto& db = Db();
  db.SkipLog();
  std::int64_t queued = 0;
  for (auto _ : state) {
    state.PauseTiming();
    db.Post();
    state.ResumeTiming();
    queued += db.FanOut();
  }
  state.counters["notifications_per_comment"] =
      static_cast<double>(queued) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_FanOutTo10kSubscribers)->Unit(benchmark::kMillisecond)->Iterations(5);

// Composing 100 messages (one write job of the mail worker) from the queue
// the fan-outs above left.
void BM_Compose100Messages(benchmark::State& state) {
  auto& db = Db();
  std::int64_t messages = 0;
  for (auto _ : state) messages += db.Compose();
  state.counters["messages"] = static_cast<double>(messages);
}
BENCHMARK(BM_Compose100Messages)->Unit(benchmark::kMillisecond)->Iterations(20);

}  // namespace
