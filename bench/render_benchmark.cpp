// Google Benchmark: the per-comment costs on the write path (Markdown
// rendering, hashing a chain link) and the read path's tree building and
// serialization on a cache miss.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "http/api/comment_json.hpp"
#include "render/markdown.hpp"
#include "service/comment_service.hpp"
#include "service/hash_chain.hpp"
#include "store/sqlite/sqlite_store.hpp"

#include <boost/json/serialize.hpp>

namespace {

const char* kTypicalComment =
    "The treaty of **1858** moved the border to the Amur; the *Convention of Peking* "
    "finished the job two years later. See https://example.com/aigun for the text.\n\n"
    "> Rivers move, borders should not.\n\nThat is the whole problem in one line.";

void BM_MarkdownTypicalComment(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(amur::render::MarkdownToSafeHtml(kTypicalComment));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MarkdownTypicalComment);

void BM_MarkdownMaxLengthComment(benchmark::State& state) {
  std::string body;
  while (body.size() < 10'000) body += "Word *emphasis* `code` https://example.com ";
  body.resize(10'000);
  for (auto _ : state) benchmark::DoNotOptimize(amur::render::MarkdownToSafeHtml(body));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
}
BENCHMARK(BM_MarkdownMaxLengthComment);

void BM_LinkHash(benchmark::State& state) {
  amur::InitCrypto();
  amur::ChainLink link;
  link.comment_id = 42;
  link.parent_id = 7;
  link.author_name = "Realpolitik";
  link.body_markdown = kTypicalComment;
  link.at = 1'764'000'000'000;
  link.prev_hash = amur::kZeroHash;
  for (auto _ : state) {
    benchmark::DoNotOptimize(amur::service::ComputeLinkHash("/2022/aigun-treaty", link));
  }
}
BENCHMARK(BM_LinkHash);

// A 200-comment page (50 threads of 4) listed and serialized, as on a cache miss.
void BM_ListAndSerializeThread(benchmark::State& state) {
  amur::InitCrypto();
  const auto dir = std::filesystem::temp_directory_path() /
                   ("amur-bench-" + std::to_string(std::random_device{}()));
  auto store = amur::store::OpenSqliteStore((dir / "amur.db").string());
  store->Migrate();
  auto s = store->OpenSession();
  amur::SystemClock clock;
  amur::SodiumRandom random;
  amur::service::CommentService svc({}, clock, random);
  {
    amur::store::WriteTransaction tx(*s);
    for (int t = 0; t < 50; ++t) {
      amur::service::PostRequest req;
      req.page_key = "/bench";
      req.body = kTypicalComment;
      req.author_name = "Reader";
      auto root = svc.Post(*s, req);
      std::string parent = amur::FormatCommentId(root->comment.id);
      for (int r = 0; r < 3; ++r) {
        req.parent_id = parent;
        auto reply = svc.Post(*s, req);
        parent = amur::FormatCommentId(reply->comment.id);
      }
    }
    tx.Commit();
  }
  amur::service::ThreadQuery q;
  q.page_key = "/bench";
  for (auto _ : state) {
    s->BeginRead();
    auto page = svc.ListThread(*s, q);
    s->Commit();
    benchmark::DoNotOptimize(
        boost::json::serialize(amur::http::api::ThreadPageJson(*page, q.page_key)));
  }
  s.reset();
  store.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_ListAndSerializeThread);

}  // namespace
