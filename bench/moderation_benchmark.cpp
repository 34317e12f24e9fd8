// Google Benchmark: the text-analysis stage of moderation on the write path.
// Target (issue 4): at least 20,000 typical comments per second per core for
// the whole pipeline with the default lists. Reference in the same run:
// BM_CopyComment (copying the comment's bytes) and BM_MarkdownRender (the
// render step every comment already pays).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "moderation/analysis.hpp"
#include "moderation/default_lists.hpp"
#include "moderation/normalize.hpp"
#include "moderation/pipeline.hpp"
#include "moderation/seed_model.hpp"
#include "moderation/spam.hpp"
#include "moderation/targeted_abuse.hpp"
#include "render/markdown.hpp"

namespace {

using namespace amur::moderation;

// A mix of what a geopolitics thread receives: plain argument, quotes,
// links, place names, a little profanity, and one obfuscated slur.
const std::vector<std::string>& TypicalComments() {
  static const std::vector<std::string> kComments = {
      "The treaty of **1858** moved the border to the Amur; the *Convention of Peking* finished "
      "the job two years later. See https://example.com/aigun for the text.\n\n> Rivers move, "
      "borders should not.\n\nThat is the whole problem in one line.",
      "Nobody in Brussels wants to say it out loud, but the sanctions regime leaks like a sieve: "
      "the same tankers change flags every month and the insurers look away.",
      "Sorry, but this analysis is naive. The junta in Niger did not expel the ambassador because "
      "of the uranium contracts; it did it because the street demanded it.",
      "Dick Cheney at a cocktail party in 2003 said more about the war than a year of briefings.",
      "> the first chink in the armour of the ruling party\n\nHardly. They have survived worse "
      "scandals, and the opposition is busy fighting itself as usual.",
      "What a load of bullshit. The ministry knew about the shortages in March and did nothing.",
      "I've lived in Essex all my life and I have never seen the council this broke. The cuts "
      "land on the libraries first, then the buses, then the care homes.",
      "Great article, thank you. More of this and less of the horse-race coverage, please.",
      "The F-35 order was cut from 88 to 35 jets, which tells you everything about the budget.",
      "Read the actual report: [summary](https://example.org/report) and the annex at "
      "www.example.org/annex before commenting.",
      "These n1gg3rs should go back where they came from",
      "Both governments lie about casualty figures. The only honest numbers come from the "
      "cemeteries and the satellite images, and both tell the same story.",
  };
  return kComments;
}

void BM_CopyComment(benchmark::State& state) {
  const auto& comments = TypicalComments();
  std::size_t i = 0;
  for (auto _ : state) {
    std::string copy = comments[i++ % comments.size()];
    benchmark::DoNotOptimize(copy.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CopyComment);

void BM_MarkdownRender(benchmark::State& state) {
  const auto& comments = TypicalComments();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(amur::render::MarkdownToSafeHtml(comments[i++ % comments.size()]));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MarkdownRender);

void BM_Normalize(benchmark::State& state) {
  const auto& comments = TypicalComments();
  std::size_t i = 0;
  std::int64_t bytes = 0;
  for (auto _ : state) {
    const std::string& c = comments[i++ % comments.size()];
    benchmark::DoNotOptimize(NormalizeForMatching(c));
    bytes += static_cast<std::int64_t>(c.size());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_Normalize);

void BM_TermMatch(benchmark::State& state) {
  const auto matcher = DefaultTermMatcher();
  const auto& comments = TypicalComments();
  std::vector<NormalizedText> normalized;
  for (const auto& c : comments) normalized.push_back(NormalizeForMatching(c));
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(matcher->Find(normalized[i++ % normalized.size()]));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TermMatch);

void BM_Fingerprint(benchmark::State& state) {
  const auto& comments = TypicalComments();
  std::vector<NormalizedText> normalized;
  for (const auto& c : comments) normalized.push_back(NormalizeForMatching(c));
  std::size_t i = 0;
  for (auto _ : state) {
    const std::size_t k = i++ % comments.size();
    benchmark::DoNotOptimize(ComputeFingerprint(normalized[k], comments[k]));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Fingerprint);

// Check-and-add against a full index of 10,000 recent comments.
void BM_NearDuplicateCheckAndAdd(benchmark::State& state) {
  NearDuplicateIndex index;
  std::mt19937 rng(1);
  auto random_text = [&rng] {
    std::string s;
    for (int w = 0; w < 40; ++w) s += "w" + std::to_string(rng() % 20'000) + " ";
    return s;
  };
  amur::TimeMs now = 1'764'000'000'000;
  for (int i = 0; i < 10'000; ++i) index.Add(ComputeFingerprint(random_text()), 1, now++);
  std::vector<Fingerprint> probes;
  for (int i = 0; i < 64; ++i) probes.push_back(ComputeFingerprint(random_text()));
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(index.CheckAndAdd(probes[i++ % probes.size()], 2, now++));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NearDuplicateCheckAndAdd);

// Worst case for the index: 10,000 copies of one spam by other authors, so
// every check walks the candidate cap.
void BM_NearDuplicateFlood(benchmark::State& state) {
  NearDuplicateIndex index;
  const Fingerprint fp = ComputeFingerprint(TypicalComments()[1]);
  amur::TimeMs now = 1'764'000'000'000;
  for (int i = 0; i < 10'000; ++i) index.Add(fp, static_cast<std::uint64_t>(i + 10), now++);
  for (auto _ : state) benchmark::DoNotOptimize(index.Check(fp, 1, now));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NearDuplicateFlood);

// Distinct comments with the length, vocabulary, links and terms of the
// typical ones: each is a typical comment with its words shuffled, so no two
// are near-duplicates of each other.
const std::vector<std::string>& DistinctComments() {
  static const std::vector<std::string> kComments = [] {
    std::vector<std::string> out;
    std::mt19937 rng(11);
    const auto& typical = TypicalComments();
    for (int i = 0; i < 22'000; ++i) {
      const std::string& base = typical[static_cast<std::size_t>(i) % typical.size()];
      std::vector<std::string> words;
      std::size_t start = 0;
      while (start <= base.size()) {
        std::size_t end = base.find(' ', start);
        if (end == std::string::npos) end = base.size();
        words.push_back(base.substr(start, end - start));
        start = end + 1;
      }
      std::shuffle(words.begin(), words.end(), rng);
      std::string text;
      for (const auto& w : words) text += w + " ";
      out.push_back(std::move(text));
    }
    return out;
  }();
  return kComments;
}

// The whole text-analysis pipeline per comment: author name and body
// through the default lists, links, fingerprint, near-duplicate check and
// record against an index already holding 10,000 recent comments. One
// comment every 400 ms: a pool of 12,000 distinct comments spans more than
// the one-hour window, so cycling through it never finds a copy. The
// held_fraction counter (about 2/12) is the slur comment plus the shuffles
// that pull "chink" away from its allow-listed idiom "chink in the armour".
void BM_AnalyzeAndRecord(benchmark::State& state) {
  NearDuplicateIndex recent;
  const TextAnalyzer analyzer(DefaultTermMatcher(), ModerationSettings{}, &recent);
  const auto& comments = DistinctComments();
  const char* names[] = {"Realpolitik", "Guest", "Amur watcher", "Dmitri K."};
  amur::TimeMs now = 1'764'000'000'000;
  for (std::size_t i = 0; i < 10'000; ++i) {
    (void)analyzer.AnalyzeAndRecord({names[i % 4], comments[i]}, "", now += 400);
  }
  std::size_t i = 0;
  std::size_t held = 0;
  for (auto _ : state) {
    const std::size_t k = i++;
    const Analysis a =
        analyzer.AnalyzeAndRecord({names[k % 4], comments[10'000 + k % 12'000]}, "", now += 400);
    held += a.hold ? 1 : 0;
    benchmark::DoNotOptimize(a);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["held_fraction"] =
      static_cast<double>(held) / static_cast<double>(std::max<std::size_t>(i, 1));
}
BENCHMARK(BM_AnalyzeAndRecord);

// Terms and links only (what an edit pays).
void BM_Analyze(benchmark::State& state) {
  const TextAnalyzer analyzer(DefaultTermMatcher(), ModerationSettings{});
  const auto& comments = TypicalComments();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(analyzer.Analyze({"Realpolitik", comments[i++ % comments.size()]}));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Analyze);

// A maximum-length (10,000 character) comment.
void BM_AnalyzeMaxLengthComment(benchmark::State& state) {
  const TextAnalyzer analyzer(DefaultTermMatcher(), ModerationSettings{});
  std::string body;
  const auto& comments = TypicalComments();
  for (std::size_t i = 0; body.size() < 10'000; ++i) body += comments[i % comments.size()] + "\n";
  body.resize(10'000);
  for (auto _ : state) benchmark::DoNotOptimize(analyzer.Analyze({"Realpolitik", body}));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
}
BENCHMARK(BM_AnalyzeMaxLengthComment);

// Issue 14: the targeted-abuse signals alone, on normalised text.
void BM_TargetedAbuseFind(benchmark::State& state) {
  const auto matcher = DefaultTargetedAbuseMatcher();
  const auto& comments = TypicalComments();
  std::vector<NormalizedText> normalized;
  for (const auto& c : comments) normalized.push_back(NormalizeForMatching(c));
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(matcher->Find(normalized[i % normalized.size()], (i & 1) != 0));
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TargetedAbuseFind);

// BM_AnalyzeAndRecord with the targeted-abuse signals (name and body), as
// the server runs it since issue 14; BM_AnalyzeAndRecord is the reference.
void BM_AnalyzeAndRecordWithSignals(benchmark::State& state) {
  NearDuplicateIndex recent;
  const TextAnalyzer analyzer(DefaultTermMatcher(), ModerationSettings{}, &recent,
                              DefaultTargetedAbuseMatcher());
  const auto& comments = DistinctComments();
  const char* names[] = {"Realpolitik", "Guest", "Amur watcher", "Dmitri K."};
  amur::TimeMs now = 1'764'000'000'000;
  for (std::size_t i = 0; i < 10'000; ++i) {
    (void)analyzer.AnalyzeAndRecord({names[i % 4], comments[i], (i & 1) != 0}, "", now += 400);
  }
  std::size_t i = 0;
  for (auto _ : state) {
    const std::size_t k = i++;
    benchmark::DoNotOptimize(analyzer.AnalyzeAndRecord(
        {names[k % 4], comments[10'000 + k % 12'000], (k & 1) != 0}, "", now += 400));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AnalyzeAndRecordWithSignals);

// Sixty decisions, alternating, as tests/moderation/harassment_train.tsv.
void TrainSixty(Pipeline& p) {
  const auto& comments = TypicalComments();
  for (int i = 0; i < 60; ++i) {
    const bool hold = (i & 1) == 0;
    p.Learn(
        "Guest",
        hold ? "Your daughters will share their beds with us, you know where " + std::to_string(i)
             : comments[static_cast<std::size_t>(i) % comments.size()] + std::to_string(i),
        hold, hold);
  }
}

// Pipeline::Screen per new comment, with a model that has learned 60
// decisions: terms, signals, links, duplicates, the classifier with tags.
// `seeded`: the model starts from the seed model (seed_model.hpp), as a site
// does as shipped.
void ScreenComments(benchmark::State& state, bool seeded) {
  amur::FakeClock clock(1'764'000'000'000);
  PipelineSettings settings;
  settings.seed_model = seeded;
  Pipeline pipeline(settings, clock);
  TrainSixty(pipeline);
  const auto& comments = DistinctComments();
  std::size_t i = 0;
  for (auto _ : state) {
    const std::size_t k = i++;
    amur::service::ScreeningInput in;
    in.author_name = "Reader";
    in.body_markdown = comments[k % 12'000];
    in.client_address = "192.0.2." + std::to_string(k % 250);
    in.is_reply = (k & 1) != 0;
    clock.Advance(400);
    benchmark::DoNotOptimize(pipeline.Screen(in));
  }
  state.SetItemsProcessed(state.iterations());
}

// Pipeline::Learn per moderator decision (its tags, the held-out score, the
// FTRL update, the calibrated threshold over up to 1,000 decisions), after
// the calibration is full.
void LearnDecisions(benchmark::State& state, bool seeded) {
  amur::FakeClock clock(1'764'000'000'000);
  PipelineSettings settings;
  settings.seed_model = seeded;
  Pipeline pipeline(settings, clock);
  for (int r = 0; r < 17; ++r) TrainSixty(pipeline);
  const auto& comments = DistinctComments();
  std::size_t i = 0;
  for (auto _ : state) {
    const std::size_t k = i++;
    pipeline.Learn("Reader", comments[k % 12'000], (k % 3) == 0, (k & 1) != 0);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_PipelineScreen(benchmark::State& state) { ScreenComments(state, false); }
BENCHMARK(BM_PipelineScreen);
void BM_PipelineLearnDecision(benchmark::State& state) { LearnDecisions(state, false); }
BENCHMARK(BM_PipelineLearnDecision)->Unit(benchmark::kMicrosecond);
void BM_PipelineScreenSeeded(benchmark::State& state) { ScreenComments(state, true); }
BENCHMARK(BM_PipelineScreenSeeded);
void BM_PipelineLearnDecisionSeeded(benchmark::State& state) { LearnDecisions(state, true); }
BENCHMARK(BM_PipelineLearnDecisionSeeded)->Unit(benchmark::kMicrosecond);

// Training the seed model from the embedded corpus, as at a server's start:
// tags, two folds for the calibration, the model (kSeedEpochs epochs each).
void BM_SeedModelTraining(benchmark::State& state) {
  auto corpus = amur::moderation::ParseSeedCorpus(amur::moderation::DefaultSeedCorpus());
  for (auto _ : state) {
    benchmark::DoNotOptimize(amur::moderation::TrainSeedModel(*corpus).examples);
  }
}
BENCHMARK(BM_SeedModelTraining)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
