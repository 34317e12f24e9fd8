// Google Benchmark: warming the near-duplicate index at start-up from a
// SQLite database holding 10,000 comments of the last hour (a full index).
// Reference in the same run: BM_ReadRecentComments, the store query alone.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "app/warm_up.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace {

using namespace amur;

constexpr TimeMs kNow = 1'800'000'000'000;
constexpr int kComments = 10'000;

// A database in a temporary folder with kComments distinct comments of
// typical length (about 300 bytes) spread over the last 55 minutes.
class Database {
 public:
  Database() {
    std::mt19937_64 rng(7);
    dir_ = std::filesystem::temp_directory_path() / ("amur-warm-bench-" + std::to_string(rng()));
    store_ = store::OpenSqliteStore((dir_ / "amur.db").string());
    store_->Migrate();
    auto s = store_->OpenSession();
    store::WriteTransaction tx(*s);
    const Page page = s->UpsertPage({"/bench", std::nullopt, std::nullopt, kNow - 3'600'000});
    static const char* kWords[] = {
        "treaty", "border", "sanctions", "ministry", "budget", "tankers", "insurers", "junta",
        "embassy", "report", "annex", "casualty", "figures", "satellite", "cemeteries", "story",
        "council", "libraries", "buses", "care", "homes", "coverage", "election", "parliament",
        "the", "and", "of", "a", "to", "in", "is", "that", "for", "it", "was", "on"};
    std::uniform_int_distribution<std::size_t> pick(0, std::size(kWords) - 1);
    for (int i = 0; i < kComments; ++i) {
      Comment c;
      c.page_id = page.id;
      c.author_name = "Reader " + std::to_string(i % 500);
      if (i % 3 == 0) c.author_email = "reader" + std::to_string(i % 500) + "@example.com";
      while (c.body_markdown.size() < 300) {
        c.body_markdown += kWords[pick(rng)];
        c.body_markdown += ' ';
      }
      c.body_html = "<p>" + c.body_markdown + "</p>";
      c.created_at = kNow - 3'300'000 + static_cast<TimeMs>(i) * 330;
      c.hash = std::string(64, 'a');
      c.client_address = "192.0.2." + std::to_string(i % 250);
      s->InsertComment(c);
    }
    tx.Commit();
  }
  ~Database() {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  store::Store& store() { return *store_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

Database& TheDatabase() {
  static Database db;
  return db;
}

void BM_ReadRecentComments(benchmark::State& state) {
  auto s = TheDatabase().store().OpenSession();
  std::size_t rows = 0;
  for (auto _ : state) {
    s->BeginRead();
    rows = s->ListCommentsSince(kNow - 3'600'000, 10'000).size();
    s->Commit();
  }
  state.counters["comments"] = static_cast<double>(rows);
}
BENCHMARK(BM_ReadRecentComments)->Unit(benchmark::kMillisecond);

void BM_WarmNearDuplicateIndex(benchmark::State& state) {
  FakeClock clock(kNow);
  app::WarmUpResult r;
  for (auto _ : state) {
    state.PauseTiming();
    auto pipeline = std::make_unique<moderation::Pipeline>(moderation::PipelineSettings{}, clock);
    state.ResumeTiming();
    r = app::WarmNearDuplicateIndex(TheDatabase().store(), *pipeline, kNow);
    state.PauseTiming();
    pipeline.reset();
    state.ResumeTiming();
  }
  state.counters["comments"] = static_cast<double>(r.comments);
  state.counters["kept"] = static_cast<double>(r.remembered);
}
BENCHMARK(BM_WarmNearDuplicateIndex)->Unit(benchmark::kMillisecond);

}  // namespace
