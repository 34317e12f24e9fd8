#include "moderation/classifier_eval.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <fstream>
#include <limits>
#include <memory>
#include <numeric>

namespace amur::moderation {
namespace {

Error BadLine(std::string message) {
  return MakeError(ErrorCode::kInvalidField, std::move(message));
}

// spam/1/true -> true, ham/0/false -> false.
Result<bool> ParseJsonLabel(const boost::json::value& label) {
  if (label.is_string()) {
    const auto& s = label.get_string();
    if (s == "spam") return true;
    if (s == "ham") return false;
  } else if (label.is_bool()) {
    return label.get_bool();
  } else if (label.is_int64()) {
    if (label.get_int64() == 1) return true;
    if (label.get_int64() == 0) return false;
  } else if (label.is_uint64()) {
    if (label.get_uint64() == 1) return true;
    if (label.get_uint64() == 0) return false;
  }
  return BadLine("\"label\" must be \"spam\", \"ham\", 1, 0, true or false");
}

Result<LabelledText> ParseJsonLine(std::string_view line) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(line, ec);
  if (ec) return MakeError(ErrorCode::kInvalidJson, "invalid JSON: " + ec.message());
  if (!v.is_object()) return MakeError(ErrorCode::kInvalidJson, "expected a JSON object");
  const auto& obj = v.get_object();
  const auto* text = obj.if_contains("text");
  const auto* label = obj.if_contains("label");
  if (text == nullptr || label == nullptr) {
    return MakeError(ErrorCode::kMissingField, "expected the fields \"text\" and \"label\"");
  }
  if (!text->is_string()) return BadLine("\"text\" must be a string");
  Result<bool> parsed = ParseJsonLabel(*label);
  if (!parsed) return parsed.error();
  return LabelledText{std::string(text->get_string()), *parsed};
}

Result<LabelledText> ParseTsvLine(std::string_view line) {
  const std::size_t tab = line.find('\t');
  if (tab == std::string_view::npos) {
    return BadLine("expected a JSON object or label<TAB>text");
  }
  std::string_view label = line.substr(0, tab);
  // "1:kind" or "0:kind:reply": the label, the kind of text, a reply.
  std::string kind;
  bool reply = false;
  if (const std::size_t colon = label.find(':'); colon != std::string_view::npos) {
    std::string_view rest = label.substr(colon + 1);
    label = label.substr(0, colon);
    if (rest.ends_with(":reply")) {
      reply = true;
      rest.remove_suffix(6);
    }
    kind = std::string(rest);
    if (kind.empty()) return BadLine("an empty kind after the label");
  }
  bool positive;
  if (label == "spam" || label == "1") {
    positive = true;
  } else if (label == "ham" || label == "0") {
    positive = false;
  } else {
    return BadLine("the label before the tab must be spam, ham, 1 or 0");
  }
  return LabelledText{std::string(line.substr(tab + 1)), positive, std::move(kind), reply};
}

bool IsBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

}  // namespace

double RocAuc(std::span<const double> scores, std::span<const bool> labels) {
  const std::size_t n = std::min(scores.size(), labels.size());
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });

  // Sum of the (1-based, mid-ranked over ties) ranks of the positives.
  double positive_rank_sum = 0;
  std::size_t positives = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && scores[order[j]] == scores[order[i]]) ++j;
    const double mid_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    for (std::size_t k = i; k < j; ++k) {
      if (labels[order[k]]) {
        positive_rank_sum += mid_rank;
        ++positives;
      }
    }
    i = j;
  }
  const std::size_t negatives = n - positives;
  if (positives == 0 || negatives == 0) return std::numeric_limits<double>::quiet_NaN();
  const double p = static_cast<double>(positives);
  const double u = positive_rank_sum - p * (p + 1) / 2.0;
  return u / (p * static_cast<double>(negatives));
}

EvalReport EvaluateScores(std::span<const double> scores, std::span<const bool> labels,
                          double threshold) {
  EvalReport r;
  r.n = std::min(scores.size(), labels.size());
  for (std::size_t i = 0; i < r.n; ++i) {
    const bool held = scores[i] >= threshold;
    if (labels[i]) {
      ++(held ? r.true_positives : r.false_negatives);
    } else {
      ++(held ? r.false_positives : r.true_negatives);
    }
  }
  auto ratio = [](std::size_t a, std::size_t b) {
    return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b);
  };
  r.precision = ratio(r.true_positives, r.true_positives + r.false_positives);
  r.recall = ratio(r.true_positives, r.true_positives + r.false_negatives);
  r.f1 = r.precision + r.recall == 0 ? 0.0 : 2 * r.precision * r.recall / (r.precision + r.recall);
  r.roc_auc = RocAuc(scores.first(r.n), labels.first(r.n));
  return r;
}

EvalReport Evaluate(const Classifier& classifier, const std::vector<LabelledText>& examples,
                    double threshold) {
  std::vector<double> scores;
  scores.reserve(examples.size());
  // std::vector<bool> is packed; a span needs real bools.
  auto labels = std::make_unique<bool[]>(examples.size());
  for (std::size_t i = 0; i < examples.size(); ++i) {
    scores.push_back(classifier.Score(examples[i].text));
    labels[i] = examples[i].label;
  }
  return EvaluateScores(scores, std::span<const bool>(labels.get(), examples.size()), threshold);
}

Result<LabelledText> ParseLabelledLine(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const std::size_t first = line.find_first_not_of(" \t");
  if (first != std::string_view::npos && line[first] == '{') return ParseJsonLine(line);
  return ParseTsvLine(line);
}

Result<std::vector<LabelledText>> ReadLabelledFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kNotFound, "cannot open " + path);
  std::vector<LabelledText> examples;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (IsBlank(line) || line[0] == '#') continue;
    Result<LabelledText> parsed = ParseLabelledLine(line);
    if (!parsed) {
      Error e = parsed.error();
      e.message = path + ": line " + std::to_string(number) + ": " + e.message;
      return e;
    }
    examples.push_back(std::move(parsed).value());
  }
  if (in.bad()) return MakeError(ErrorCode::kUnavailable, "error reading " + path);
  return examples;
}

}  // namespace amur::moderation
