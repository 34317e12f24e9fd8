// The seed model: the classifier a site starts from before its moderators have
// decided anything, trained from a corpus written by the Amur team
// (data/moderation/seed-en.tsv, compiled in). Moderators' decisions keep
// training it online; the calibration it starts with is replaced by theirs as
// they decide (Calibration keeps the last kCapacity pairs).
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "moderation/classifier.hpp"
#include "moderation/pipeline.hpp"

namespace amur::moderation {

struct SeedModel {
  Classifier model;
  // Held-out scores of the corpus (two-fold: each half scored by a model
  // trained on the other half), so the hold threshold is chosen for
  // precision from the first comment.
  Calibration calibration;
  std::size_t examples = 0;  // lines of the corpus
  double train_ms = 0;       // wall time of TrainSeedModel
};

// Epochs over the corpus for the model and for each fold.
inline constexpr int kSeedEpochs = 4;
// FTRL's learning rate of the seed model (and so of the moderators' decisions
// that keep training it). Twice the default: on lines by an author whose lines
// the corpus does not hold, 0.5 leaves the scores of harassment without a
// signal bunched under the thresholds (tests/moderation/README.md, session 10).
inline constexpr float kSeedAlpha = 1.0f;

// The options of the seed model: the defaults with alpha = kSeedAlpha.
ClassifierOptions SeedClassifierOptions();

// Parses a corpus (label:kind[:reply]<TAB>text lines; blank and '#' lines
// skipped). Errors: the first bad line's, with "line N: " in front.
Result<std::vector<LabelledText>> ParseSeedCorpus(std::string_view corpus);

// Trains a seed model from `examples`, tagged as the default pipeline tags
// comments by "Guest". Deterministic: the same corpus gives the same model.
SeedModel TrainSeedModel(std::vector<LabelledText> examples);

// The seed model of the embedded corpus, trained once per process on first
// use (thread-safe). Throws std::logic_error if the embedded corpus does not
// parse (a bug, caught by the unit tests).
const SeedModel& DefaultSeedModel();

}  // namespace amur::moderation
