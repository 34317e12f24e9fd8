// The moderation pipeline behind service::Screener: term lists (banned and
// suspect, robust to obfuscation), link and duplicate checks, and the
// classifier that learns from this site's moderators. Thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/model.hpp"
#include "moderation/analysis.hpp"
#include "moderation/classifier.hpp"
#include "moderation/spam.hpp"
#include "service/screener.hpp"

namespace amur::moderation {

struct SeedModel;  // seed_model.hpp

struct PipelineSettings {
  ModerationSettings text;
  // The most the classifier's score must reach to hold: it holds at the
  // calibrated threshold (Calibration) when that is lower.
  double classifier_threshold = 0.9;
  // Flag (publish, list in the flagged queue) at or above this score.
  double flag_threshold = 0.6;
  // The classifier acts once it has learned from this many moderator
  // decisions (an untrained model knows nothing of this site).
  std::uint64_t classifier_min_examples = 10;
  // The calibrated threshold is the lowest at which the held-out precision
  // of the recent decisions is at least this.
  double target_precision = 0.95;
  // Start from the seed model (seed_model.hpp: a classifier trained on the
  // team's corpus, with its held-out calibration) instead of an empty one.
  // The server turns it on (--seed-model); off here so that a bare pipeline
  // knows only what it is taught.
  bool seed_model = false;
  // With seed_model: this seed model instead of DefaultSeedModel() (`amur
  // moderation eval --seed-corpus` measures a corpus before it is compiled in).
  std::shared_ptr<const SeedModel> seed = nullptr;
};

// Held-out scores of recent decisions: each decision is scored by the model
// before it learns from it (progressive validation), so every pair is a
// prediction on a text the model had not seen. Keeps the last kCapacity.
class Calibration {
 public:
  static constexpr std::size_t kCapacity = 1000;
  Calibration() = default;
  // Keeps the last `capacity` pairs instead (the seed model's calibration
  // keeps all of its corpus). REQUIRES: capacity >= 1.
  explicit Calibration(std::size_t capacity) : capacity_(capacity) {}
  // Needs at least this many held decisions above a threshold to trust it.
  static constexpr std::size_t kMinHeld = 5;
  // `signal`: the comment had a targeted-abuse signal or a term match.
  void Add(double score, bool held, bool signal = false);
  // The lowest score t such that, among the recorded decisions scored >= t
  // (only those without a signal when `without_signal`), at least
  // `target_precision` were held and at least kMinHeld were; nullopt when
  // there is no such t.
  std::optional<double> Threshold(double target_precision, bool without_signal = false) const;
  std::size_t size() const { return pairs_.size(); }
  // "score:label;..." (label 1 = held, 3 = held with a signal, 2 = kept
  // with a signal), oldest first; Load takes it back (unreadable entries
  // skipped).
  std::string Save() const;
  static Calibration Load(std::string_view text);

 private:
  struct Entry {
    float score;
    bool held;
    bool signal;
  };
  std::vector<Entry> pairs_;  // oldest first
  std::size_t capacity_ = kCapacity;
};

class Pipeline final : public service::Screener {
 public:
  Pipeline(PipelineSettings settings, const Clock& clock);

  // Screening::score is the classifier's score once it has learned from
  // classifier_min_examples decisions, and RuleScore (analysis.hpp) before.
  // Holds: what the rules hold; a comment without a signal or term match
  // scored at or above the threshold calibrated on such comments (capped by
  // classifier_threshold); a targeted-abuse signal with a score of 0.5 or
  // more (directed at another commenter) or halfway from 0.5 to
  // HoldThreshold() (otherwise). Flags what is not
  // held: a suspect term, a targeted-abuse signal, a score at or above
  // flag_threshold.
  // Reads the near-duplicate index but records nothing; Remember records.
  service::Screening Screen(const service::ScreeningInput& input) override;
  void Remember(const service::ScreeningMemo* memo) override;

  // Puts a comment stored before this process started back in the
  // near-duplicate index, as Remember did when it was stored: the same
  // fingerprint and author key that Screen computes, at its creation time.
  // Feed comments oldest first (the index keeps the newest `capacity`); only
  // those of the last window (DuplicateOptions) matter. Thread-safe.
  void RememberStored(const service::ScreeningInput& input, TimeMs created_at);
  const NearDuplicateOptions& DuplicateOptions() const { return recent_->options(); }
  // Comments in the near-duplicate index (short ones are never stored).
  std::size_t RememberedCount() const { return recent_->size(); }
  // Comments screened and not yet remembered or dropped.
  std::size_t PendingCount() const { return recent_->pending(); }

  // A moderator's decision as a labelled example: rejected or spam = hold.
  // Scores it first (Calibration), then learns, then recomputes the
  // calibrated threshold.
  void Learn(const std::string& author_name, const std::string& body_markdown, bool hold,
             bool is_reply = false);
  // The classifier's tags for a comment: the targeted-abuse reasons and
  // "directed", "suspect_term" and "banned_term" that the rules find in it,
  // and the body's word-class features ("class:vermin", "pair:you+insult").
  std::vector<std::string> Tags(const std::string& author_name, const std::string& body_markdown,
                                bool is_reply) const;
  // The threshold at which the classifier holds now: the calibrated one (at
  // least 0.5), capped by the tunable classifier_threshold.
  double HoldThreshold() const;
  std::string SaveCalibration() const;
  void SetCalibration(Calibration c);

  // The editable part of the pipeline: term lists (term_list.hpp format),
  // the targeted-abuse list (targeted_abuse.hpp format, with its sections)
  // and thresholds.
  struct Tunables {
    std::string banned, suspect, allow;
    std::string targeted;
    int max_links = 3;
    bool hold_suspect = false;
    bool hold_shouting = true;
    double classifier_threshold = 0.9;
  };
  Tunables CurrentTunables() const;
  // The checks of SetTunables without applying anything. Same errors.
  Status CheckTunables(const Tunables& t) const;
  // Validates and applies new tunables at once (comments screened after it
  // returns use them). Errors: invalid_field with every term-list problem by
  // line, or a threshold out of range. Nothing changes on error.
  Status SetTunables(const Tunables& t);

  // Replaces the model (after `amur moderation train` or at start-up).
  void SetModel(Classifier model);
  // The model, serialized (Classifier::Save).
  std::string SaveModel() const;
  std::uint64_t ExamplesSeen() const;

  // The text the classifier reads for a comment.
  static std::string ClassifierText(const std::string& author_name, const std::string& body);

 private:
  PipelineSettings settings_;
  const Clock& clock_;
  // Shared with the memos of comments screened but not yet stored, which
  // release their place among its pending comments when they go.
  std::shared_ptr<NearDuplicateIndex> recent_ = std::make_shared<NearDuplicateIndex>();
  // The targeted-abuse list's text and its compiled matcher, read together.
  std::pair<std::string, std::shared_ptr<const TargetedAbuseMatcher>> CurrentTargeted() const;

  mutable std::shared_mutex tunables_mu_;
  Tunables tunables_;
  std::shared_ptr<const TextAnalyzer> analyzer_;
  std::shared_ptr<const TargetedAbuseMatcher> targeted_;  // under tunables_mu_
  mutable std::shared_mutex model_mu_;
  Classifier model_;
  Calibration calibration_;                 // under model_mu_
  std::optional<double> calibrated_;        // under model_mu_
  std::optional<double> calibrated_alone_;  // for comments without a signal; under model_mu_
  // The seed model's thresholds, used while the moderators' decisions give none.
  std::optional<double> seed_calibrated_;
  std::optional<double> seed_calibrated_alone_;
  // calibrated_ and calibrated_alone_ from calibration_, else the seed's.
  void Recalibrate();
};

}  // namespace amur::moderation
