#include "moderation/seed_model.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>

#include "core/clock.hpp"
#include "moderation/classifier_eval.hpp"
#include "moderation/default_lists.hpp"

namespace amur::moderation {

Result<std::vector<LabelledText>> ParseSeedCorpus(std::string_view corpus) {
  std::vector<LabelledText> out;
  std::size_t number = 0;
  while (!corpus.empty()) {
    const std::size_t end = std::min(corpus.find('\n'), corpus.size());
    const std::string_view line = corpus.substr(0, end);
    corpus.remove_prefix(std::min(end + 1, corpus.size()));
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos || line[0] == '#') continue;
    auto parsed = ParseLabelledLine(line);
    if (!parsed) {
      Error e = parsed.error();
      e.message = "line " + std::to_string(number) + ": " + e.message;
      return e;
    }
    out.push_back(std::move(parsed).value());
  }
  return out;
}

ClassifierOptions SeedClassifierOptions() {
  ClassifierOptions options;
  options.alpha = kSeedAlpha;
  return options;
}

SeedModel TrainSeedModel(std::vector<LabelledText> examples) {
  const auto start = std::chrono::steady_clock::now();
  FakeClock clock(0);
  PipelineSettings plain;
  plain.seed_model = false;
  const Pipeline tagger(plain, clock);
  std::vector<bool> signal(examples.size());
  for (std::size_t i = 0; i < examples.size(); ++i) {
    LabelledText& e = examples[i];
    e.tags = tagger.Tags("Guest", e.text, e.reply);
    for (const std::string& t : e.tags) {
      if (t == "signal" || t == "reason:banned_term" || t == "reason:suspect_term")
        signal[i] = true;
    }
    e.text = Pipeline::ClassifierText("Guest", e.text);
  }
  SeedModel seed;
  seed.calibration = Calibration(std::max<std::size_t>(examples.size(), 1));
  seed.examples = examples.size();
  // Two folds: each half is scored by a model that never saw it.
  std::vector<LabelledText> halves[2];
  for (std::size_t i = 0; i < examples.size(); ++i) halves[i % 2].push_back(examples[i]);
  std::vector<double> scores(examples.size());
  for (int fold = 0; fold < 2; ++fold) {
    Classifier model = *Classifier::Create(SeedClassifierOptions());
    model.TrainEpochs(halves[1 - fold], kSeedEpochs);
    for (std::size_t i = static_cast<std::size_t>(fold); i < examples.size(); i += 2) {
      scores[i] = model.Score(examples[i].text, examples[i].tags);
    }
  }
  for (std::size_t i = 0; i < examples.size(); ++i) {
    seed.calibration.Add(scores[i], examples[i].label, signal[i]);
  }
  seed.model = *Classifier::Create(SeedClassifierOptions());
  seed.model.TrainEpochs(examples, kSeedEpochs);
  seed.train_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return seed;
}

const SeedModel& DefaultSeedModel() {
  static const SeedModel kSeed = [] {
    auto examples = ParseSeedCorpus(DefaultSeedCorpus());
    if (!examples) {
      throw std::logic_error("the seed corpus does not parse: " + examples.error().message);
    }
    return TrainSeedModel(std::move(*examples));
  }();
  return kSeed;
}

}  // namespace amur::moderation
