#include "moderation/analysis.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "moderation/default_lists.hpp"

namespace amur::moderation {
namespace {

std::string_view At(std::string_view text, const ByteSpan& s) {
  return text.substr(s.begin, s.end - s.begin);
}

bool HasReason(const Analysis& a, std::string_view reason) {
  for (const std::string& r : a.reasons) {
    if (r == reason) return true;
  }
  return false;
}

std::string Describe(const Analysis& a, std::string_view body) {
  std::string out = "reasons:";
  for (const std::string& r : a.reasons) out += " " + r;
  for (const Match& m : a.matches) {
    out += "\n  " + std::string(TermKindName(m.kind)) + " '" + m.term + "'";
    if (m.field == MatchField::kBody) out += " at '" + std::string(At(body, m.span)) + "'";
  }
  return out;
}

// ---------------------------------------------------------- default lists --

TEST(ModerationDefaultListsTest, AreEmbeddedParseCleanlyAndCompile) {
  const DefaultTermListTexts& t = DefaultTermLists();
  for (auto [text, name] : {std::pair{t.banned, "banned"}, std::pair{t.suspect, "suspect"},
                            std::pair{t.allow, "allow"}}) {
    const ParsedTermList p = ParseTermList(text);
    EXPECT_TRUE(p.errors.empty()) << name << " line " << p.errors.front().line;
    EXPECT_GT(p.terms.size(), 100u) << name;
  }
  const auto m = DefaultTermMatcher();
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->stats().skipped, 0u);
  EXPECT_GT(m->stats().banned, 150u);
  EXPECT_GT(m->stats().suspect, 100u);
  EXPECT_GT(m->stats().allow, 100u);
  EXPECT_EQ(DefaultTermMatcher(), m);  // built once
}

// ------------------------------------------------------------ obfuscation --

class ModerationObfuscationTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ModerationObfuscationTest, IsHeldAsBanned) {
  const TextAnalyzer analyzer(DefaultTermMatcher(), ModerationSettings{});
  const std::string body = std::string("I just want to say: ") + GetParam() + " — that's all.";
  const Analysis a = analyzer.Analyze({"Reader", body});
  EXPECT_TRUE(a.hold) << Describe(a, body);
  EXPECT_TRUE(HasReason(a, kReasonBannedTerm)) << Describe(a, body);
}

INSTANTIATE_TEST_SUITE_P(
    Moderation, ModerationObfuscationTest,
    ::testing::Values("nigger", "NIGGERS", "ｎｉｇｇｅｒ", "n\u0456gg\u0435r", "n1gg3r", "n!gg@z",
                      "n i g g e r", "n.i.g.g.e.r", "n-i-g-g-e-r", "n_i_g_g_e_r", "n|i|g|g|e|r",
                      "niiiigggger", "nig\u200dger", "nig\u00adger",
                      "\u0274\u026a\u0262\u0262\u1d07\u0280",
                      "\U0001f17d\U0001f178\U0001f176\U0001f176\U0001f174\U0001f181",
                      "\u24dd\u24d8\u24d6\u24d6\u24d0", "n\u0337i\u0337g\u0337g\u0337a\u0337",
                      "you are a n i g g e r", "n.i.g.g.e.r n.i.g.g.e.r", "ｆ４ｇｇｏｔ", "f@gg0t",
                      "fagg0ts", "k.i.k.e", "k1ke", "sp1c", "tr@nny", "wetb4ck", "c u n t",
                      "chinks", "towel-head", "sand n1gger", "kys", "k y s", "Kill Yourself",
                      "suck my d1ck", "s3nd nud3s", "sieg heil", "\u0455lut"));

// ---------------------------------------------------------- author names --

TEST(ModerationAnalysisTest, AnOffensiveAuthorNameIsABannedTerm) {
  const TextAnalyzer analyzer(DefaultTermMatcher(), ModerationSettings{});
  const std::string name = "Kike Hunter 88";
  const Analysis a = analyzer.Analyze({name, "A perfectly ordinary comment about tariffs."});
  EXPECT_TRUE(a.hold);
  ASSERT_EQ(a.reasons, std::vector<std::string>{"banned_term"});
  ASSERT_EQ(a.matches.size(), 1u);
  EXPECT_EQ(a.matches[0].field, MatchField::kAuthorName);
  EXPECT_EQ(a.matches[0].term, "kike*");
  EXPECT_EQ(At(name, a.matches[0].span), "Kike");
}

TEST(ModerationAnalysisTest, AuthorNamesCanBeLeftUnchecked) {
  ModerationSettings settings;
  settings.check_author_name = false;
  const TextAnalyzer analyzer(DefaultTermMatcher(), settings);
  EXPECT_FALSE(analyzer.Analyze({"f4ggot", "Fine words."}).hold);
}

// ------------------------------------------------------- spans and kinds --

TEST(ModerationAnalysisTest, MatchesPointIntoTheOriginalBody) {
  const TextAnalyzer analyzer(DefaultTermMatcher(), ModerationSettings{});
  const std::string body = "Well, **you n1gg3r**, and you are an idiot!";
  const Analysis a = analyzer.Analyze({"", body});
  ASSERT_EQ(a.matches.size(), 2u) << Describe(a, body);
  EXPECT_EQ(a.matches[0].kind, TermKind::kBanned);
  EXPECT_EQ(At(body, a.matches[0].span), "n1gg3r");
  EXPECT_EQ(a.matches[1].kind, TermKind::kSuspect);
  EXPECT_EQ(a.matches[1].term, "idiot*");
  EXPECT_EQ(At(body, a.matches[1].span), "idiot");
  EXPECT_EQ(a.reasons, (std::vector<std::string>{"banned_term", "suspect_term"}));
}

TEST(ModerationAnalysisTest, SuspectTermsFlagAndHoldOnlyWhenAsked) {
  const std::string body = "Only a moron would sign that treaty.";
  const Analysis flagged =
      TextAnalyzer(DefaultTermMatcher(), ModerationSettings{}).Analyze({"", body});
  EXPECT_FALSE(flagged.hold);
  EXPECT_EQ(flagged.reasons, std::vector<std::string>{"suspect_term"});
  ModerationSettings strict;
  strict.hold_suspect = true;
  const Analysis held = TextAnalyzer(DefaultTermMatcher(), strict).Analyze({"", body});
  EXPECT_TRUE(held.hold);
}

// ----------------------------------------------------------------- links --

TEST(ModerationAnalysisTest, TooManyLinksAreHeld) {
  const TextAnalyzer analyzer(DefaultTermMatcher(), ModerationSettings{});  // max 3
  const Analysis three = analyzer.Analyze(
      {"", "Sources: https://a.example, https://b.example and [c](https://c.example)."});
  EXPECT_EQ(three.links, 3);
  EXPECT_FALSE(three.hold);
  const Analysis four = analyzer.Analyze(
      {"", "Cheap: https://a.example https://b.example www.c.example [d](https://d.example)"});
  EXPECT_EQ(four.links, 4);
  EXPECT_TRUE(four.hold);
  EXPECT_EQ(four.reasons, std::vector<std::string>{"link_limit"});

  ModerationSettings unlimited;
  unlimited.max_links = -1;
  EXPECT_FALSE(TextAnalyzer(DefaultTermMatcher(), unlimited)
                   .Analyze({"", "https://a.b https://c.d https://e.f https://g.h https://i.j"})
                   .hold);
}

// -------------------------------------------------------------- shouting --

TEST(ModerationAnalysisTest, ShoutingIsHeldByDefaultAndFlaggedWhenAskedNotTo) {
  const std::string rant = "THIS GOVERNMENT IS LYING TO YOU AND NOBODY IN THE MEDIA WILL SAY IT";
  const Analysis held = TextAnalyzer(DefaultTermMatcher(), ModerationSettings{}).Analyze({"", rant});
  EXPECT_TRUE(held.hold);
  EXPECT_EQ(held.reasons, std::vector<std::string>{"shouting"});
  EXPECT_TRUE(held.shouting.shouting);
  EXPECT_DOUBLE_EQ(RuleScore(held), 0.3);

  ModerationSettings flag_only;
  flag_only.hold_shouting = false;
  const Analysis flagged = TextAnalyzer(DefaultTermMatcher(), flag_only).Analyze({"", rant});
  EXPECT_FALSE(flagged.hold);
  EXPECT_EQ(flagged.reasons, std::vector<std::string>{"shouting"});
}

TEST(ModerationAnalysisTest, ShoutingComesAfterTheOtherReasonsAndScoresBelowThem) {
  const TextAnalyzer analyzer(DefaultTermMatcher(), ModerationSettings{});
  const Analysis a = analyzer.Analyze(
      {"", "ONLY A MORON WOULD SIGN THAT TREATY, AND EVERY MINISTER KNOWS IT"});
  EXPECT_EQ(a.reasons, (std::vector<std::string>{"suspect_term", "shouting"}));
  EXPECT_DOUBLE_EQ(RuleScore(a), 0.6);
}

TEST(ModerationAnalysisTest, NamesInCapitalsAreNeverShouting) {
  const TextAnalyzer analyzer(DefaultTermMatcher(), ModerationSettings{});
  const Analysis a = analyzer.Analyze(
      {"JOHN ALEXANDER MACDONALD-SMITHERSON III", "A calm remark about the fishing quotas."});
  EXPECT_FALSE(a.hold);
  EXPECT_TRUE(a.reasons.empty());
  EXPECT_EQ(a.shouting.upper, 0u);  // the name is not read; "A" is a one-letter word
}

TEST(ModerationAnalysisTest, ShoutingThresholdsComeFromTheSettings) {
  ModerationSettings lenient;
  lenient.shouting.min_letters = 100;
  const TextAnalyzer analyzer(DefaultTermMatcher(), lenient);
  EXPECT_FALSE(analyzer
                   .Analyze({"", "THIS GOVERNMENT IS LYING TO YOU AND NOBODY IN THE MEDIA WILL "
                                 "SAY IT"})
                   .hold);
}

// ------------------------------------------------------------- duplicates --

TEST(ModerationAnalysisTest, NearDuplicatesAndRepeatedPostsAreHeld) {
  NearDuplicateIndex recent;
  const TextAnalyzer analyzer(DefaultTermMatcher(), ModerationSettings{}, &recent);
  const std::string spam =
      "Make real money from home with our crypto signals group, guaranteed daily profits, "
      "no experience required, message the admin on the channel today to join";
  const TimeMs t0 = 1'764'000'000'000;
  const Analysis first = analyzer.AnalyzeAndRecord({"Trader", spam}, "ip:1", t0);
  EXPECT_FALSE(first.hold);
  EXPECT_TRUE(first.reasons.empty());

  const Analysis copy = analyzer.AnalyzeAndRecord({"Investor", spam + " now"}, "ip:2", t0 + 1000);
  EXPECT_TRUE(copy.hold);
  EXPECT_EQ(copy.reasons, std::vector<std::string>{"near_duplicate"});

  const Analysis again = analyzer.AnalyzeAndRecord({"Trader", spam}, "ip:1", t0 + 2000);
  EXPECT_TRUE(again.hold);
  EXPECT_EQ(again.reasons, (std::vector<std::string>{"near_duplicate", "repeated_post"}));
  EXPECT_EQ(again.duplicate.near_duplicates, 2);

  // Analyze (used for edits and previews) neither looks nor records.
  const Analysis edit = analyzer.Analyze({"Trader", spam});
  EXPECT_FALSE(edit.hold);
  EXPECT_EQ(recent.size(), 3u);
}

TEST(ModerationAnalysisTest, DuplicatesCanBeFlaggedWithoutHolding) {
  NearDuplicateIndex recent;
  ModerationSettings settings;
  settings.hold_near_duplicate = false;
  const TextAnalyzer analyzer(DefaultTermMatcher(), settings, &recent);
  const std::string text =
      "This is a perfectly reasonable comment about fishing quotas in the North Sea "
      "and the way both governments keep moving the goalposts";
  EXPECT_FALSE(analyzer.AnalyzeAndRecord({"a", text}, "", 1).hold);
  const Analysis second = analyzer.AnalyzeAndRecord({"b", text}, "", 2);
  EXPECT_FALSE(second.hold);
  EXPECT_EQ(second.reasons, std::vector<std::string>{"near_duplicate"});
}

// ---------------------------------------------------------- bounded time --

TEST(ModerationAnalysisTest, PrefixByCodePointsCutsAtBoundaries) {
  EXPECT_EQ(PrefixByCodePoints("abc", 2), "ab");
  EXPECT_EQ(PrefixByCodePoints("abc", 3), "abc");
  EXPECT_EQ(PrefixByCodePoints("abc", 10), "abc");
  EXPECT_EQ(PrefixByCodePoints("ｎｉｇ", 2), "ｎｉ");
  EXPECT_EQ(PrefixByCodePoints("", 0), "");
  EXPECT_EQ(PrefixByCodePoints("x", 0), "");
}

TEST(ModerationAnalysisTest, OnlyTheCappedPrefixIsAnalysed) {
  ModerationSettings settings;
  settings.max_code_points = 100;
  const TextAnalyzer analyzer(DefaultTermMatcher(), settings);
  const std::string body = std::string(200, 'x') + " nigger";
  const Analysis a = analyzer.Analyze({"", body});
  EXPECT_TRUE(a.truncated);
  EXPECT_FALSE(a.hold);
}

TEST(ModerationAnalysisTest, PathologicalCommentsTakeBoundedTime) {
  NearDuplicateIndex recent;
  const TextAnalyzer analyzer(DefaultTermMatcher(), ModerationSettings{}, &recent);
  std::vector<std::string> bodies;
  bodies.push_back(std::string(64 * 1024, 'a'));
  bodies.emplace_back(64 * 1024, '.');
  {
    std::string s;
    while (s.size() < 64 * 1024) s += "n ";
    bodies.push_back(s);
  }
  {
    std::string s;
    while (s.size() < 64 * 1024) s += "n\u0301\u200d\u0456|";
    bodies.push_back(s);
  }
  {
    std::string s;
    while (s.size() < 64 * 1024) s += "[x](http://";
    bodies.push_back(s);
  }
  {
    std::string s;
    int i = 0;
    while (s.size() < 64 * 1024) s += "word" + std::to_string(i++) + " ";
    bodies.push_back(s);
  }
  for (const std::string& body : bodies) {
    const auto start = std::chrono::steady_clock::now();
    const Analysis a = analyzer.AnalyzeAndRecord({body.substr(0, 64), body}, "", 1);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(seconds, 3.0) << body.substr(0, 20);
    EXPECT_LE(a.matches.size(), 2 * TermMatcherOptions{}.max_matches_per_list + 64);
  }
}

// ---------------------------------------------- ordinary heated argument --

// Realistic comments from the threads of a geopolitics site: angry, rude to
// governments, full of place names and words that naive filters block. None
// may be held or flagged.
class ModerationPoliticalTextTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ModerationPoliticalTextTest, PassesUntouched) {
  NearDuplicateIndex recent;
  const TextAnalyzer analyzer(DefaultTermMatcher(), ModerationSettings{}, &recent);
  const std::string body = GetParam();
  const Analysis a = analyzer.AnalyzeAndRecord({"Realpolitik", body}, "", 1);
  EXPECT_FALSE(a.hold) << Describe(a, body);
  EXPECT_TRUE(a.reasons.empty()) << Describe(a, body);
  EXPECT_TRUE(a.matches.empty()) << Describe(a, body);
}

INSTANTIATE_TEST_SUITE_P(
    Moderation, ModerationPoliticalTextTest,
    ::testing::Values(
        "The junta in Niger expelled the French ambassador, and Paris still pretends this is a "
        "temporary setback rather than the end of its Sahel policy.",
        "Nigeria has twice the population of any neighbour and a navy that cannot patrol its own "
        "delta; the analysis in this article ignores both facts.",
        "Scunthorpe steelworks closing would hand the whole market to subsidised imports, and "
        "every party in Westminster knows it.",
        "The assassination of the archduke did not cause the war; mobilisation timetables did.",
        "This is class warfare, plain and simple: the budget cuts fall on the poorest regions "
        "first.",
        "Dick Cheney sold the Iraq war on evidence his own analysts doubted, and nobody went to "
        "prison.",
        "The embassy cocktail party was where the real negotiations happened, as always.",
        "They import shiitake and ginseng from the same province that is under sanctions now.",
        "Essex, Sussex and Middlesex all voted the same way, which tells you the map matters more "
        "than the manifesto.",
        "My therapist says I should stop reading the comments under articles about the border.",
        "The grape harvest failed in Moldova after the embargo, so the embargo worked exactly as "
        "intended.",
        "Dickens wrote about debtors' prisons; we have payday lenders and call it freedom.",
        "The government in Penistone council chambers is more transparent than the one in "
        "Whitehall.",
        "Cockburn's reporting on the Iraq insurgency was right when the whole press corps was "
        "wrong.",
        "Anyone who can pass a history exam knows that the 1938 borders were never recognised.",
        "This corrupt, incompetent government has lied about the war from the first day, and the "
        "ministers should resign in disgrace.",
        "The president is a war criminal and history will judge him accordingly.",
        "Sanctions without enforcement are theatre; the oligarchs' yachts still sail wherever they "
        "like.",
        "The refugee camps on Lesbos were overcrowded long before the fire, and Brussels shrugged.",
        "Homo sovieticus did not disappear in 1991; he simply changed his flag.",
        "The niggardly aid budget for the Horn of Africa is a scandal in a year of famine.",
        "Pakistan and Japan both abstained, which nobody in the room expected.",
        "The court case exposed the first chink in the armour of the ruling party.",
        "After the purge the ministry was left spick and span, and completely empty of expertise.",
        "Tatyana Moskalkova and the Moskalenko brothers were both mentioned in the leaked cables.",
        "The protests spread from Minsk to Slutsk and Brest within a week.",
        "Pussy Riot were jailed for a forty-second song; that tells you how fragile the regime is.",
        "The fire retardant contracts went to the governor's cousin, surprise surprise.",
        "Hillbilly Elegy explained the vote better than any pollster did.",
        "Uncle Tom's Cabin was banned in the South for a reason: it changed minds.",
        "A bastardised version of democracy where the same family wins every election.",
        "The cabinet reshuffle was a complete cock-up from start to finish.",
        "Mong Kok was full of tear gas again last night, according to the live blog.",
        "The Comoros government in Moroni has quietly signed the port deal.",
        "Spare me the propaganda: both sides shelled that town and both sides lie about it.",
        "The foreign minister's speech was pathetic, evasive and frankly dishonest.",
        "If the border is redrawn by force once, it will be redrawn by force again.",
        "The U.S.A. and the E.U. cannot agree on a price cap, so the tankers keep sailing.",
        "I'd rather the parliament debated the treaty than rubber-stamped it at 3 a.m.",
        "The analyst who predicted the coup was fired six months before it happened.",
        "Shame on the ministry for hiding the casualty figures from the public.",
        "The Black Sea grain deal collapsed because nobody wanted to pay for the insurance.",
        "Corruption in the procurement office is the real enemy, not the neighbour across the "
        "river.",
        "The F-35 order was cut to 35 jets in 2023, a humiliation for the air force.",
        "Snigger all you like, but the Essex by-election will decide the next leader.",
        "The Maine Coon in the minister's official portrait got more coverage than the policy.",
        "He called the opposition traitors and fascists, which is what autocrats always say.",
        "The raccoon-eyed sentries at the checkpoint had not slept in three days.",
        "Sussex police arrested a dozen protesters; the charges were dropped a week later.",
        "The Japanese and Pakistani delegations walked out together, which was new."));

}  // namespace
}  // namespace amur::moderation
