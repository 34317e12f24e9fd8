#include "moderation/classifier_eval.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace amur::moderation {
namespace {

using namespace std::string_literals;

double Auc(const std::vector<double>& scores, const std::vector<int>& labels) {
  auto bools = std::make_unique<bool[]>(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i) bools[i] = labels[i] != 0;
  return RocAuc(scores, std::span<const bool>(bools.get(), labels.size()));
}

EvalReport Report(const std::vector<double>& scores, const std::vector<int>& labels,
                  double threshold) {
  auto bools = std::make_unique<bool[]>(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i) bools[i] = labels[i] != 0;
  return EvaluateScores(scores, std::span<const bool>(bools.get(), labels.size()), threshold);
}

TEST(RocAucTest, PerfectRandomAndInvertedRankings) {
  EXPECT_EQ(Auc({0.1, 0.2, 0.8, 0.9}, {0, 0, 1, 1}), 1.0);
  EXPECT_EQ(Auc({0.9, 0.8, 0.2, 0.1}, {0, 0, 1, 1}), 0.0);
  // Positives at ranks 1 and 4 of 4: U = 5 - 3 = 2 of 4 pairs.
  EXPECT_EQ(Auc({1, 2, 3, 4}, {1, 0, 0, 1}), 0.5);
  // Order of the input does not matter.
  EXPECT_EQ(Auc({0.8, 0.1, 0.9, 0.2}, {1, 0, 1, 0}), 1.0);
}

TEST(RocAucTest, TiesCountOneHalf) {
  EXPECT_EQ(Auc({0.5, 0.5, 0.5, 0.5}, {1, 0, 1, 0}), 0.5);
  // Pairs (positive, negative): (0.5, 0.5) = 1/2, (0.5, 0.1) = 1, (0.9, 0.5) = 1,
  // (0.9, 0.1) = 1, so 3.5 of 4.
  EXPECT_EQ(Auc({0.5, 0.5, 0.9, 0.1}, {1, 0, 1, 0}), 0.875);
  EXPECT_EQ(Auc({0.3, 0.3}, {1, 0}), 0.5);
}

TEST(RocAucTest, MatchesPairwiseCountingOnManyTies) {
  std::uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  for (int round = 0; round < 20; ++round) {
    std::vector<double> scores;
    std::vector<int> labels;
    const std::size_t n = 2 + next() % 300;
    for (std::size_t i = 0; i < n; ++i) {
      scores.push_back(static_cast<double>(next() % 10) / 10.0);  // heavy ties
      labels.push_back(static_cast<int>(next() % 2));
    }
    labels[0] = 1;
    labels[1] = 0;
    double wins = 0, pairs = 0;
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < n; ++j) {
        if (labels[i] != 1 || labels[j] != 0) continue;
        pairs += 1;
        wins += scores[i] > scores[j] ? 1.0 : scores[i] == scores[j] ? 0.5 : 0.0;
      }
    }
    EXPECT_NEAR(Auc(scores, labels), wins / pairs, 1e-12);
  }
}

TEST(RocAucTest, UndefinedWithOneClass) {
  EXPECT_TRUE(std::isnan(Auc({0.1, 0.9}, {1, 1})));
  EXPECT_TRUE(std::isnan(Auc({0.1, 0.9}, {0, 0})));
  EXPECT_TRUE(std::isnan(Auc({}, {})));
}

TEST(EvaluateScoresTest, PrecisionRecallAtAThresholdAreExact) {
  // Held (>= 0.5): 0.9+, 0.7+, 0.6-, 0.5+ -> tp 3, fp 1; not held: 0.4+, 0.2-, 0.1- -> fn 1, tn 2.
  const EvalReport r = Report({0.9, 0.7, 0.6, 0.5, 0.4, 0.2, 0.1}, {1, 1, 0, 1, 1, 0, 0}, 0.5);
  EXPECT_EQ(r.n, 7u);
  EXPECT_EQ(r.true_positives, 3u);
  EXPECT_EQ(r.false_positives, 1u);
  EXPECT_EQ(r.false_negatives, 1u);
  EXPECT_EQ(r.true_negatives, 2u);
  EXPECT_EQ(r.precision, 0.75);
  EXPECT_EQ(r.recall, 0.75);
  EXPECT_EQ(r.f1, 0.75);
  // Positives 0.9, 0.7, 0.5, 0.4 against negatives 0.6, 0.2, 0.1: 2*3 + 2*2 = 10 of 12.
  EXPECT_DOUBLE_EQ(r.roc_auc, 10.0 / 12.0);

  const EvalReport strict = Report({0.9, 0.7, 0.6, 0.5, 0.4, 0.2, 0.1}, {1, 1, 0, 1, 1, 0, 0}, 0.8);
  EXPECT_EQ(strict.precision, 1.0);
  EXPECT_EQ(strict.recall, 0.25);
  EXPECT_DOUBLE_EQ(strict.f1, 0.4);
}

TEST(EvaluateScoresTest, EmptyCornersAreZeroNotNan) {
  const EvalReport nothing_held = Report({0.1, 0.2}, {1, 0}, 0.9);
  EXPECT_EQ(nothing_held.precision, 0.0);
  EXPECT_EQ(nothing_held.recall, 0.0);
  EXPECT_EQ(nothing_held.f1, 0.0);
  const EvalReport no_positive = Report({0.1, 0.9}, {0, 0}, 0.5);
  EXPECT_EQ(no_positive.recall, 0.0);
  EXPECT_EQ(no_positive.precision, 0.0);
  EXPECT_TRUE(std::isnan(no_positive.roc_auc));
  const EvalReport empty = Report({}, {}, 0.5);
  EXPECT_EQ(empty.n, 0u);
}

TEST(EvaluateTest, ScoresWithTheClassifier) {
  Classifier c;
  for (int i = 0; i < 20; ++i) {
    c.Learn("cheap pills casino bonus", true);
    c.Learn("the treaty moved the border", false);
  }
  const EvalReport r =
      Evaluate(c, {{"cheap casino pills", true}, {"the border treaty", false}}, 0.5);
  EXPECT_EQ(r.n, 2u);
  EXPECT_EQ(r.roc_auc, 1.0);
  EXPECT_EQ(r.precision, 1.0);
  EXPECT_EQ(r.recall, 1.0);
}

TEST(ParseLabelledLineTest, JsonLines) {
  struct Case {
    std::string line;
    std::string text;
    bool label;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"text": "buy now", "label": "spam"})", "buy now", true},
           {R"({"label": "ham", "text": "a reply\non two lines"})", "a reply\non two lines", false},
           {R"({"text": "x", "label": 1})", "x", true},
           {R"({"text": "x", "label": 0})", "x", false},
           {R"({"text": "", "label": true})", "", true},
           {R"(  {"text": "caf\u00e9", "label": false, "extra": [1, 2]})", "caf\xc3\xa9", false},
           {"{\"text\": \"crlf\", \"label\": \"ham\"}\r", "crlf", false},
       }) {
    Result<LabelledText> r = ParseLabelledLine(c.line);
    ASSERT_TRUE(r.ok()) << c.line << ": " << r.error().message;
    EXPECT_EQ(r->text, c.text);
    EXPECT_EQ(r->label, c.label);
  }
}

TEST(ParseLabelledLineTest, Tsv) {
  Result<LabelledText> r = ParseLabelledLine("spam\tBuy\tnow {not json}");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->text, "Buy\tnow {not json}");
  EXPECT_TRUE(r->label);
  r = ParseLabelledLine("0\tfine words\r");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->text, "fine words");
  EXPECT_FALSE(r->label);
  r = ParseLabelledLine("ham\t");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->text, "");
  r = ParseLabelledLine("1\t\\n stays verbatim");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->text, "\\n stays verbatim");
}

TEST(ParseLabelledLineTest, ClearErrors) {
  struct Case {
    std::string line;
    ErrorCode code;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"text": "x", "label": "spam")", ErrorCode::kInvalidJson},
           {R"({"text": "x"})", ErrorCode::kMissingField},
           {R"({"label": "spam"})", ErrorCode::kMissingField},
           {R"({"text": 5, "label": "spam"})", ErrorCode::kInvalidField},
           {R"({"text": "x", "label": "maybe"})", ErrorCode::kInvalidField},
           {R"({"text": "x", "label": 2})", ErrorCode::kInvalidField},
           {R"({"text": "x", "label": 1.0})", ErrorCode::kInvalidField},
           {R"({"text": "x", "label": null})", ErrorCode::kInvalidField},
           {"{\"text\": \"\xff\", \"label\": 1}", ErrorCode::kInvalidJson},
           {"spam no tab here", ErrorCode::kInvalidField},
           {"SPAM\tx", ErrorCode::kInvalidField},
           {"2\tx", ErrorCode::kInvalidField},
           {"\tx", ErrorCode::kInvalidField},
       }) {
    Result<LabelledText> r = ParseLabelledLine(c.line);
    ASSERT_FALSE(r.ok()) << c.line;
    EXPECT_EQ(r.error().code, c.code) << c.line << ": " << r.error().message;
    EXPECT_FALSE(r.error().message.empty());
  }
}

class ReadLabelledFileTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& content) {
    const std::filesystem::path p = std::filesystem::path(::testing::TempDir()) / name;
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
};

TEST_F(ReadLabelledFileTest, ReadsMixedLinesAndSkipsBlanks) {
  const std::string path = Write("amur_labelled_ok.txt",
                                 "{\"text\": \"one\", \"label\": \"spam\"}\n"
                                 "\n"
                                 "ham\ttwo\r\n"
                                 "   \n"
                                 "1\tthree");  // no final newline
  Result<std::vector<LabelledText>> r = ReadLabelledFile(path);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].text, "one");
  EXPECT_TRUE((*r)[0].label);
  EXPECT_EQ((*r)[1].text, "two");
  EXPECT_FALSE((*r)[1].label);
  EXPECT_EQ((*r)[2].text, "three");
  EXPECT_TRUE((*r)[2].label);
}

TEST_F(ReadLabelledFileTest, EmptyFileIsNoExamples) {
  Result<std::vector<LabelledText>> r = ReadLabelledFile(Write("amur_labelled_empty.txt", ""));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST_F(ReadLabelledFileTest, NamesTheBadLine) {
  const std::string path =
      Write("amur_labelled_bad.txt", "spam\tfine\n\nham\tfine\nperhaps\tnot\n");
  Result<std::vector<LabelledText>> r = ReadLabelledFile(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidField);
  EXPECT_NE(r.error().message.find("line 4: "), std::string::npos) << r.error().message;
}

TEST_F(ReadLabelledFileTest, MissingFileIsNotFound) {
  Result<std::vector<LabelledText>> r = ReadLabelledFile(
      (std::filesystem::path(::testing::TempDir()) / "amur_no_such_file.jsonl").string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace amur::moderation
