// Google Benchmark: the learned classifier's cost per comment. Scoring runs on
// every new and edited comment (the whole moderation pipeline must sustain
// 20,000 comments per second per core); learning runs once per moderator
// decision.
//
// The reference, BM_ClassifierReferenceLowercaseCopy, makes a lower-cased copy
// of the same comment: the least any text feature extractor must do. Report
// the scoring cost as a ratio to it.
#include <benchmark/benchmark.h>

#include <cctype>
#include <string>
#include <vector>

#include "moderation/classifier.hpp"

namespace {

using amur::moderation::Classifier;
using amur::moderation::ClassifierOptions;
using amur::moderation::LabelledText;

// Typical comments under a geopolitics article: 100-600 bytes.
const std::vector<std::string>& TypicalComments() {
  static const std::vector<std::string> comments = {
      "The treaty of 1858 moved the border to the Amur; the Convention of Peking finished the "
      "job two years later. See https://example.com/aigun for the text.\n\n> Rivers move, "
      "borders should not.\n\nThat is the whole problem in one line.",
      "I disagree with the author. Sanctions have never changed a government's mind on their "
      "own, and the article ignores the trade figures from the last decade.",
      "CHEAP PILLS!!! BEST PRICES ONLINE, NO PRESCRIPTION NEEDED. Visit www.pills-example.biz "
      "and http://casino.example.com/bonus for your FREE BONUS today!!!",
      "Good analysis, but the map in the second section is wrong: the river crosses the "
      "border further east. Otherwise I learnt a lot, thanks.",
      "You people are all the same, go back to where you came from. Nobody wants you here and "
      "nobody reads your nonsense.",
      "\xd0\xa1\xd0\xbf\xd0\xb0\xd1\x81\xd0\xb8\xd0\xb1\xd0\xbe \xd0\xb7\xd0\xb0 "
      "\xd1\x81\xd1\x82\xd0\xb0\xd1\x82\xd1\x8c\xd1\x8e. Thanks for the article, the "
      "historical part about the Qing negotiators was new to me.",
  };
  return comments;
}

// A model trained on a few thousand synthetic decisions so its weights are
// spread over the table as in use.
const Classifier& TrainedModel() {
  static const Classifier model = [] {
    std::vector<LabelledText> examples;
    const auto& comments = TypicalComments();
    for (int i = 0; i < 3000; ++i) {
      const std::string& base = comments[static_cast<std::size_t>(i) % comments.size()];
      const bool spam = (i % comments.size()) == 2 || (i % comments.size()) == 4;
      examples.push_back({base + " variation " + std::to_string(i * 7919 % 10007), spam});
    }
    Classifier c;
    c.TrainEpochs(examples, 1);
    return c;
  }();
  return model;
}

std::int64_t TypicalBytes() {
  std::int64_t bytes = 0;
  for (const std::string& c : TypicalComments()) bytes += static_cast<std::int64_t>(c.size());
  return bytes;
}

void BM_ClassifierReferenceLowercaseCopy(benchmark::State& state) {
  const auto& comments = TypicalComments();
  std::string out;
  for (auto _ : state) {
    for (const std::string& c : comments) {
      out.assign(c);
      for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      benchmark::DoNotOptimize(out.data());
      benchmark::ClobberMemory();
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(comments.size()));
  state.SetBytesProcessed(state.iterations() * TypicalBytes());
}
BENCHMARK(BM_ClassifierReferenceLowercaseCopy);

void BM_ClassifierScoreTypicalComment(benchmark::State& state) {
  const Classifier& model = TrainedModel();
  const auto& comments = TypicalComments();
  for (auto _ : state) {
    for (const std::string& c : comments) benchmark::DoNotOptimize(model.Score(c));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(comments.size()));
  state.SetBytesProcessed(state.iterations() * TypicalBytes());
}
BENCHMARK(BM_ClassifierScoreTypicalComment);

// The bound: only the first kMaxScoredBytes of a longer comment are read.
void BM_ClassifierScoreMaxLengthComment(benchmark::State& state) {
  const Classifier& model = TrainedModel();
  std::string body;
  while (body.size() < 50'000)
    body += TypicalComments()[static_cast<std::size_t>(body.size()) % 6] + "\n";
  for (auto _ : state) benchmark::DoNotOptimize(model.Score(body));
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() *
                          static_cast<std::int64_t>(amur::moderation::kMaxScoredBytes));
}
BENCHMARK(BM_ClassifierScoreMaxLengthComment);

// Scoring with a smaller table (2^18 buckets, 1 MiB of weights) that stays in
// cache; shows what the default 2^20 costs in cache misses.
void BM_ClassifierScoreTypicalCommentSmallTable(benchmark::State& state) {
  ClassifierOptions options;
  options.bucket_bits = 18;
  Classifier model(Classifier::Create(options).value());
  const auto& comments = TypicalComments();
  for (int i = 0; i < 500; ++i) {
    model.Learn(comments[static_cast<std::size_t>(i) % comments.size()] + std::to_string(i),
                i % 3 == 0);
  }
  for (auto _ : state) {
    for (const std::string& c : comments) benchmark::DoNotOptimize(model.Score(c));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(comments.size()));
}
BENCHMARK(BM_ClassifierScoreTypicalCommentSmallTable);

// One moderator decision (an online update).
void BM_ClassifierLearnTypicalComment(benchmark::State& state) {
  Classifier model = TrainedModel();
  const auto& comments = TypicalComments();
  std::size_t i = 0;
  for (auto _ : state) {
    const std::size_t k = i++ % comments.size();
    model.Learn(comments[k], k == 2 || k == 4);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ClassifierLearnTypicalComment);

void BM_ClassifierSaveModel(benchmark::State& state) {
  const Classifier& model = TrainedModel();
  std::size_t size = 0;
  for (auto _ : state) {
    std::string blob = model.Save();
    size = blob.size();
    benchmark::DoNotOptimize(blob.data());
  }
  state.counters["blob_bytes"] = static_cast<double>(size);
}
BENCHMARK(BM_ClassifierSaveModel)->Unit(benchmark::kMillisecond);

void BM_ClassifierLoadModel(benchmark::State& state) {
  const std::string blob = TrainedModel().Save();
  for (auto _ : state) {
    auto model = Classifier::Load(blob);
    benchmark::DoNotOptimize(model.ok());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(blob.size()));
}
BENCHMARK(BM_ClassifierLoadModel)->Unit(benchmark::kMillisecond);

}  // namespace
