// Measuring the whole pipeline (term lists, targeted-abuse signals and the
// classifier with its calibrated threshold) the way a site meets it: a fresh
// pipeline learns from a file of moderator decisions, one by one as the
// server would, then screens a labelled set it has never seen. Behind
// `amur moderation eval --pipeline`. Pure computation.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "moderation/classifier.hpp"
#include "moderation/pipeline.hpp"

namespace amur::moderation {

// What became of the texts of one kind ("threat", "civil", …).
struct KindOutcome {
  std::string kind;
  bool harassment = false;  // its label
  std::size_t n = 0;
  std::size_t held = 0;
  std::size_t flagged = 0;  // published and flagged (never counted as held)
  double mean_score = 0;    // Screening::score
};

// How one reason the pipeline gives ("threat", "suspect_term", "classifier")
// fared: on how many texts it fired and how many of those were harassment.
struct ReasonOutcome {
  std::string reason;
  std::size_t fired = 0;
  std::size_t on_harassment = 0;
  // precision = on_harassment / fired; recall = on_harassment / all harassment.
  double precision = 0;
  double recall = 0;
};

struct PipelineEvalReport {
  std::size_t decisions = 0;           // learned from
  double hold_threshold = 0;           // Pipeline::HoldThreshold() after learning
  std::vector<KindOutcome> kinds;      // in order of first appearance
  std::vector<ReasonOutcome> reasons;  // by name
  std::size_t harassment = 0, harassment_held = 0, harassment_flagged = 0;
  std::size_t civil = 0, civil_held = 0, civil_flagged = 0;
  double learn_ms_max = 0;  // the slowest single Learn()
  // The mistakes: civil texts held or flagged, harassment published
  // unflagged ("held 0.71 <text>").
  std::vector<std::string> mistakes;
};

// Learns `decisions` in order, then screens every text of `labelled` (a
// reply when LabelledText::reply) as a new comment by a guest named "Guest"
// from its own address.
PipelineEvalReport EvaluatePipeline(const std::vector<LabelledText>& decisions,
                                    const std::vector<LabelledText>& labelled,
                                    const PipelineSettings& settings = {});

// The goals of issue 14 on the team's harassment set: at least 70 % of
// harassment held and 90 % held or flagged; at most 1 % of civil opinion
// held and 5 % flagged.
struct PipelineGoals {
  double min_harassment_held = 0.70;
  double min_harassment_held_or_flagged = 0.90;
  double max_civil_held = 0.01;
  double max_civil_flagged = 0.05;
};

// One line per goal missed ("civil held 2.0% > 1.0%"); empty when all are met.
std::vector<std::string> MissedGoals(const PipelineEvalReport& r, const PipelineGoals& goals = {});

// The report as text: totals, then one line per kind and per reason.
std::string FormatPipelineReport(const PipelineEvalReport& r);

}  // namespace amur::moderation
