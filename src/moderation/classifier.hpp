// The learned classifier: an online logistic regression over hashed word and
// character n-grams that learns from this site's moderators. Every approve is a
// negative example, every reject or spam a positive one; Score() is the
// probability that a comment should be held.
//
// A pure library: no I/O, no clock, no global state. The server keeps the model
// in its database as the blob returned by Save().
//
// Features of a text (only its first kMaxScoredBytes bytes are looked at, so the
// work per comment is bounded whatever its length):
//   - word unigrams and bigrams of the ASCII-lower-cased text (a word is a run of
//     ASCII letters and digits or of non-ASCII bytes);
//   - character 3-, 4- and 5-grams of the lower-cased text with every run of
//     white space collapsed to one space (robust to spacing and misspelling);
//   - a few dense features: a bias, the number of links, the length, the share
//     of upper-case letters ("shouting") and the share of non-letters.
//   - optional tags (Score and Learn with tags): one binary feature each.
// Word and character n-grams are hashed (64-bit FNV-1a / murmur finaliser) into
// 2^bucket_bits weights; each group is scaled by 1/sqrt(its n-gram count) so
// long and short comments weigh alike.
//
// The learner is FTRL-Proximal (McMahan et al., 2013) with L1 and L2
// regularisation and per-coordinate learning rates.
//
// Thread safety: Score() is const, allocates nothing and touches no mutable
// state: any number of threads may call it concurrently. Learn(),
// TrainEpochs() and assignment mutate the model and need exclusive access
// (the server holds a std::shared_mutex: shared for Score, unique for Learn).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace amur::moderation {

// Bytes of a text that are looked at; the rest is ignored.
inline constexpr std::size_t kMaxScoredBytes = 10'000;

// A moderator's decision on a text: label true = should be held (rejected or
// marked spam), false = fine (approved).
struct LabelledText {
  std::string text;
  bool label = false;
  std::string kind = {};               // optional: what kind of text it is ("threat", "civil")
  bool reply = false;                  // optional: it answers another comment
  std::vector<std::string> tags = {};  // optional: tags for Learn (the pipeline's reasons)
};

struct ClassifierOptions {
  // log2 of the number of hashed weights; 20 means 2^20 buckets: 12 MiB of
  // model state (three floats per bucket), 16 MiB once Learn() has run (its
  // scratch space). REQUIRES: 10 <= bucket_bits <= 24.
  int bucket_bits = 20;
  // FTRL-Proximal hyper-parameters. REQUIRES: alpha > 0, beta >= 0, l1 >= 0,
  // l2 >= 0, all finite.
  float alpha = 0.5f;
  float beta = 1.0f;
  float l1 = 1e-6f;
  float l2 = 1e-6f;
};

class Classifier final {
 public:
  // Returns an untrained model (every score 0.5), or an kInvalidField error when
  // the options break their REQUIRES.
  static Result<Classifier> Create(const ClassifierOptions& options);
  // An untrained model with the default options.
  Classifier();

  // The probability, in [0, 1], that `text` should be held. Never fails; any
  // bytes are accepted (invalid UTF-8 included). Cost is linear in
  // min(text.size(), kMaxScoredBytes). Safe to call concurrently.
  double Score(std::string_view text) const;
  // With tags: binary features of weight 1 each, beside the text's (the
  // pipeline passes the reasons the rules found: "threat", "directed", …),
  // so that a few decisions teach what a reason means on this site.
  double Score(std::string_view text, std::span<const std::string> tags) const;

  // One online update from one decision: label true = reject/spam, false =
  // approve. Cost is linear in min(text.size(), kMaxScoredBytes).
  // REQUIRES: exclusive access to this object.
  void Learn(std::string_view text, bool label);
  void Learn(std::string_view text, bool label, std::span<const std::string> tags);

  // Batch (re)training: `epochs` passes over `examples` (none when epochs <= 0),
  // each pass in an order shuffled deterministically from `seed`, continuing
  // from the current weights (start from a fresh Classifier to retrain from
  // scratch). Four epochs suit a few thousand examples.
  // REQUIRES: exclusive access to this object.
  void TrainEpochs(const std::vector<LabelledText>& examples, int epochs,
                   std::uint64_t seed = 0x5eed'a3c1'0000'0001ULL);

  // The whole model (options and learner state, so learning can continue after
  // Load) as a compact, checksummed, platform-independent binary blob. Only
  // buckets that have ever been touched are stored.
  std::string Save() const;

  // The model saved by Save(). Truncated, corrupted or foreign input gives a
  // kInvalidField error (field "model"); it never crashes and never yields a
  // half-loaded model.
  static Result<Classifier> Load(std::string_view blob);

  const ClassifierOptions& options() const { return options_; }
  // Number of Learn() updates this model has seen, TrainEpochs included.
  std::uint64_t examples_seen() const { return examples_seen_; }
  // Number of weights that are not zero (L1 keeps many at exactly zero).
  std::size_t NonZeroWeights() const;

 private:
  explicit Classifier(const ClassifierOptions& options);
  void UpdateWeight(std::size_t i);

  ClassifierOptions options_;
  std::uint64_t examples_seen_ = 0;
  // Per coordinate: FTRL's z and n, and the weight they imply (kept so Score
  // does one load per feature). Hashed buckets first, then the dense features.
  std::vector<float> z_;
  std::vector<float> n_;
  std::vector<float> w_;
  // Learn()'s scratch space to merge repeated features; all zero between calls,
  // never saved.
  std::vector<float> scratch_;
  std::vector<std::uint32_t> word_buckets_;
  std::vector<std::uint32_t> char_buckets_;
  std::vector<std::uint32_t> unique_;
};

}  // namespace amur::moderation
