#include "moderation/seed_model.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>
#include <set>
#include <string>

#include "core/clock.hpp"
#include "moderation/classifier_eval.hpp"
#include "moderation/default_lists.hpp"
#include "moderation/pipeline.hpp"

namespace amur::moderation {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

TEST(SeedModel, EmbeddedCorpusParsesAndIsBalanced) {
  auto examples = ParseSeedCorpus(DefaultSeedCorpus());
  ASSERT_TRUE(examples.ok()) << examples.error().message;
  ASSERT_GE(examples->size(), 1000u);
  const auto harassing = static_cast<std::size_t>(std::count_if(
      examples->begin(), examples->end(), [](const LabelledText& e) { return e.label; }));
  // At least as much civil opinion as harassment, and plenty of each.
  EXPECT_GE(harassing, 400u);
  EXPECT_GE(examples->size() - harassing, harassing);
}

TEST(SeedModel, CorpusIsDisjointFromEveryTestSet) {
  auto seed = ParseSeedCorpus(DefaultSeedCorpus());
  ASSERT_TRUE(seed.ok());
  std::set<std::string> seed_texts;
  for (const LabelledText& e : *seed) seed_texts.insert(Lower(e.text));
  const std::filesystem::path dir = std::filesystem::path(AMUR_SOURCE_DIR) / "tests/moderation";
  std::size_t sets = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".tsv") continue;
    auto set = ReadLabelledFile(entry.path().string());
    ASSERT_TRUE(set.ok()) << set.error().message;
    ++sets;
    for (const LabelledText& e : *set) {
      EXPECT_EQ(seed_texts.count(Lower(e.text)), 0u)
          << entry.path().filename() << " shares a line with the seed corpus: " << e.text;
    }
  }
  EXPECT_GE(sets, 7u);  // the eval, train, fresh, holdout, generalise, probe and near-miss sets
}

TEST(SeedModel, BadCorpusLineIsReportedByNumber) {
  auto parsed = ParseSeedCorpus("# comment\n1:threat\tok\nnot a label line\n");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("line 3"), std::string::npos);
}

TEST(SeedModel, TrainingIsDeterministic) {
  auto examples = ParseSeedCorpus(DefaultSeedCorpus());
  ASSERT_TRUE(examples.ok());
  examples->resize(200);
  const SeedModel a = TrainSeedModel(*examples);
  const SeedModel b = TrainSeedModel(*examples);
  EXPECT_EQ(a.model.Save(), b.model.Save());
  EXPECT_EQ(a.calibration.Save(), b.calibration.Save());
  EXPECT_EQ(a.examples, 200u);
  // The seed's learning rate, kept by the model for the moderators' decisions.
  EXPECT_EQ(a.model.options().alpha, kSeedAlpha);
}

// A pipeline given its own seed model (amur moderation eval --seed-corpus)
// starts from that one, not from the compiled-in corpus.
TEST(SeedModel, PipelineStartsFromTheSeedItIsGiven) {
  auto examples = ParseSeedCorpus(DefaultSeedCorpus());
  ASSERT_TRUE(examples.ok());
  examples->resize(100);
  PipelineSettings settings;
  settings.seed_model = true;
  settings.seed = std::make_shared<const SeedModel>(TrainSeedModel(*examples));
  FakeClock clock(0);
  const Pipeline pipeline(settings, clock);
  EXPECT_EQ(pipeline.ExamplesSeen(), 100u * kSeedEpochs);
  EXPECT_EQ(pipeline.SaveModel(), settings.seed->model.Save());
}

// A fresh site's pipeline with the seed acts before any decision: harassment
// of a kind no rule names is held, civil opinion with the same words is not.
TEST(SeedModel, FreshPipelineActsFromTheFirstComment) {
  FakeClock clock(1'700'000'000'000);
  PipelineSettings seeded;
  seeded.seed_model = true;
  Pipeline with_seed(seeded, clock);
  Pipeline without(PipelineSettings{}, clock);
  EXPECT_GE(with_seed.ExamplesSeen(), DefaultSeedModel().examples);
  EXPECT_EQ(without.ExamplesSeen(), 0u);
  EXPECT_LT(with_seed.HoldThreshold(), 0.9);  // calibrated on the corpus' held-out scores

  auto screen = [](Pipeline& p, const std::string& body, int n) {
    service::ScreeningInput in;
    in.author_name = "Guest";
    in.body_markdown = body;
    in.client_address = "10.9.0." + std::to_string(n);
    in.is_reply = true;
    return p.Screen(in);
  };
  const std::string insult = "Honestly you are a spineless, gormless waste of a human being.";
  EXPECT_TRUE(screen(with_seed, insult, 1).hold);
  EXPECT_FALSE(screen(without, insult, 2).hold);
  const auto civil = screen(with_seed, "You are wrong about the budget, the deficit grew.", 3);
  EXPECT_FALSE(civil.hold);
  EXPECT_FALSE(civil.flag);
}

}  // namespace
}  // namespace amur::moderation
