// The moderation pipeline behind service::Screener: term lists (banned and
// suspect, robust to obfuscation), link and duplicate checks, and the
// classifier that learns from this site's moderators. Thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>

#include "core/clock.hpp"
#include "core/model.hpp"
#include "moderation/analysis.hpp"
#include "moderation/classifier.hpp"
#include "moderation/spam.hpp"
#include "service/screener.hpp"

namespace amur::moderation {

struct PipelineSettings {
  ModerationSettings text;
  double classifier_threshold = 0.9;  // hold at or above this score
  // The classifier holds nothing until it has learned from this many
  // moderator decisions (an untrained model knows nothing of this site).
  std::uint64_t classifier_min_examples = 50;
};

class Pipeline final : public service::Screener {
 public:
  Pipeline(PipelineSettings settings, const Clock& clock);

  // Screening::score is the classifier's score once it has learned from
  // classifier_min_examples decisions, and RuleScore (analysis.hpp) before.
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
  void Learn(const std::string& author_name, const std::string& body_markdown, bool hold);

  // The editable part of the pipeline: term lists (term_list.hpp format) and
  // thresholds.
  struct Tunables {
    std::string banned, suspect, allow;
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
  mutable std::shared_mutex tunables_mu_;
  Tunables tunables_;
  std::shared_ptr<const TextAnalyzer> analyzer_;
  mutable std::shared_mutex model_mu_;
  Classifier model_;
};

}  // namespace amur::moderation
