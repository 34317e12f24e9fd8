// Measuring the classifier: precision, recall and F1 at a threshold and the
// exact ROC-AUC, over a labelled file (the input of `amur moderation eval FILE`
// and `amur moderation train`).
//
// Everything here is pure except ReadLabelledFile, which reads one file.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "moderation/classifier.hpp"

namespace amur::moderation {

struct EvalReport {
  // At the threshold, a text counts as held when score >= threshold.
  // precision = tp / (tp + fp), 0 when nothing is held;
  // recall    = tp / (tp + fn), 0 when there is no positive;
  // f1        = their harmonic mean, 0 when both are 0.
  double precision = 0;
  double recall = 0;
  double f1 = 0;
  // The probability that a random positive scores above a random negative,
  // ties counting one half (Mann-Whitney U / (positives * negatives)), exact.
  // NaN when there is no positive or no negative.
  double roc_auc = 0;
  std::size_t n = 0;  // texts evaluated
  std::size_t true_positives = 0;
  std::size_t false_positives = 0;
  std::size_t true_negatives = 0;
  std::size_t false_negatives = 0;
};

// The exact ROC-AUC of `scores` against `labels` (true = positive), with tied
// scores given their mid-rank. NaN when either class is empty.
// REQUIRES: scores.size() == labels.size(); no score is NaN.
double RocAuc(std::span<const double> scores, std::span<const bool> labels);

// The report for precomputed scores. REQUIRES: as RocAuc.
EvalReport EvaluateScores(std::span<const double> scores, std::span<const bool> labels,
                          double threshold);

// Scores every example with `classifier` and reports at `threshold`.
EvalReport Evaluate(const Classifier& classifier, const std::vector<LabelledText>& examples,
                    double threshold);

// Parses one line of a labelled file: either a JSON object
//   {"text": "...", "label": "spam" | "ham" | 1 | 0 | true | false}
// (spam, 1 and true are positive) or TSV `label<TAB>text` with label spam, ham,
// 1 or 0 and the text taken verbatim to the end of the line (use JSON Lines for
// texts with line breaks). A trailing '\r' is dropped. Returns kInvalidJson or
// kInvalidField with a message saying what is wrong.
Result<LabelledText> ParseLabelledLine(std::string_view line);

// Reads a whole labelled file, one example per line (JSON Lines and TSV lines
// may be mixed; blank lines and lines starting with '#' are skipped). Returns kNotFound when the
// file cannot be opened, kUnavailable on a read error, and the first bad line's error with "PATH:
// line N: " in front of its message.
Result<std::vector<LabelledText>> ReadLabelledFile(const std::string& path);

}  // namespace amur::moderation
