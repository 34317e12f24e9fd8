#include "moderation/targeted_abuse.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "moderation/analysis.hpp"
#include "moderation/default_lists.hpp"
#include "moderation/normalize.hpp"

namespace amur::moderation {
namespace {

std::vector<AbuseSignal> Find(const std::string& text, bool reply = false) {
  return DefaultTargetedAbuseMatcher()->Find(NormalizeForMatching(text), reply);
}

bool HasKind(const std::vector<AbuseSignal>& signals, AbuseKind kind) {
  for (const auto& s : signals) {
    if (s.kind == kind) return true;
  }
  return false;
}

TEST(TargetedAbuseTest, TheShippedListCompiles) { EXPECT_NO_THROW(DefaultTargetedAbuseMatcher()); }

struct Case {
  const char* text;
  AbuseKind kind;
};

class TargetedAbuseSignalTest : public testing::TestWithParam<Case> {};

TEST_P(TargetedAbuseSignalTest, Fires) {
  const auto signals = Find(GetParam().text);
  EXPECT_TRUE(HasKind(signals, GetParam().kind)) << GetParam().text;
}

// The seed thread's two replies and the examples.
INSTANTIATE_TEST_SUITE_P(
    TargetedAbuse, TargetedAbuseSignalTest,
    testing::Values(Case{"Your daughters will share their beds with them", AbuseKind::kSexualised},
                    Case{"Stop writing in that monkey language", AbuseKind::kDehumanising},
                    Case{"another Ukroshitian lie", AbuseKind::kInsultCoinage},
                    Case{"They are vermin", AbuseKind::kDehumanising},
                    Case{"subhuman filth", AbuseKind::kDehumanising},
                    Case{"those people are cockroaches", AbuseKind::kDehumanising},
                    Case{"they breed like rats", AbuseKind::kDehumanising},
                    Case{"Your wife / mother ... beds", AbuseKind::kSexualised},
                    Case{"someone should shut you up for good", AbuseKind::kThreat},
                    Case{"I know where you live", AbuseKind::kThreat},
                    Case{"I kn0w wh3re y0u live", AbuseKind::kThreat},
                    Case{"You're a typical libtard", AbuseKind::kInsultCoinage},
                    Case{"Repugnicans again", AbuseKind::kInsultCoinage}));

class TargetedAbuseCivilTest : public testing::TestWithParam<const char*> {};

TEST_P(TargetedAbuseCivilTest, StaysSilent) {
  const auto signals = Find(GetParam(), true);
  EXPECT_TRUE(signals.empty()) << GetParam() << ": " << AbuseReason(signals.front().kind);
}

// Heated opinion, and words that the lists use in other senses.
INSTANTIATE_TEST_SUITE_P(
    TargetedAbuse, TargetedAbuseCivilTest,
    testing::Values("The psychos in Washington want another war.",
                    "Neocon mental midgets learned nothing from Iraq.",
                    "The government lied to us about the invasion.",
                    "Ukrainian is a beautiful language.",
                    "The Democrats and the Republicans both take the money.",
                    "Mustard and custard on Saturday.", "Mr Pollard answered the question.",
                    "Spending should be cut, not raised.",
                    "The bill should be killed in committee.",
                    "Say hi to your wife, it was good to see you.",
                    "My daughter's school took in refugees.", "I know where you're coming from.",
                    "The zoo kept its animals alive.", "Russians are not their government."));

TEST(TargetedAbuseTest, DirectedWhenAimedAtTheReader) {
  auto at_you = Find("I hope you die");
  ASSERT_TRUE(HasKind(at_you, AbuseKind::kThreat));
  EXPECT_TRUE(at_you.front().directed);
  auto about_him = Find("He should be hanged");
  ASSERT_TRUE(HasKind(about_him, AbuseKind::kThreat));
  EXPECT_FALSE(about_him.front().directed);
  // A coinage in a reply that speaks to someone is aimed at them.
  EXPECT_TRUE(Find("Typical Ukroshitian, you are", true).front().directed);
  EXPECT_FALSE(Find("Typical Ukroshitian", false).front().directed);
}

TEST(TargetedAbuseTest, TheSpanIsWhatTheAuthorTyped) {
  const std::string text = "well, ANOTHER Ukroshitian!!";
  auto signals = Find(text);
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_EQ(text.substr(signals[0].span.begin, signals[0].span.end - signals[0].span.begin),
            "Ukroshitian");
}

TEST(TargetedAbuseTest, BadLinesAreReportedByLine) {
  std::vector<std::string> errors;
  auto m = TargetedAbuseMatcher::Build("[threat]\n@nope you\n[nowhere]\nword\n", &errors);
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_NE(errors[0].find("line 2"), std::string::npos);
  EXPECT_NE(errors[1].find("line 4"), std::string::npos);
}

TEST(TargetedAbuseTest, AuthorNamesGetTheSameSignalsButNeverDirected) {
  TextAnalyzer analyzer(DefaultTermMatcher(), ModerationSettings{}, nullptr,
                        DefaultTargetedAbuseMatcher());
  const Analysis a =
      analyzer.Analyze({"Ukroshitian Hunter", "A fair point about gas prices.", true});
  ASSERT_EQ(a.signals.size(), 1u);
  EXPECT_EQ(a.signals[0].field, MatchField::kAuthorName);
  EXPECT_FALSE(a.directed);
  EXPECT_NE(std::find(a.reasons.begin(), a.reasons.end(), "insult_coinage"), a.reasons.end());
  EXPECT_FALSE(a.hold);
}

}  // namespace
}  // namespace amur::moderation
