#include "moderation/shouting.hpp"

#include <gtest/gtest.h>

#include <string>

namespace amur::moderation {
namespace {

std::string Describe(const ShoutingCheck& c) {
  return "upper " + std::to_string(c.upper) + ", lower " + std::to_string(c.lower);
}

// ------------------------------------------------------------- shouts --

class ShoutsTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ShoutsTest, Shouts) {
  const ShoutingCheck c = CheckShouting(GetParam());
  EXPECT_TRUE(c.shouting) << GetParam() << " — " << Describe(c);
}

INSTANTIATE_TEST_SUITE_P(
    Rants, ShoutsTest,
    ::testing::Values(
        "THIS GOVERNMENT IS LYING TO YOU AND NOBODY IN THE MEDIA WILL SAY IT",
        "WAKE UP PEOPLE!!! THEY ARE ALL IN IT TOGETHER, EVERY SINGLE ONE OF THEM",
        "STOP CENSORING MY COMMENTS. I HAVE EVERY RIGHT TO SAY WHAT I THINK",
        // Mostly capitals with a few ordinary words.
        "YOU PEOPLE NEVER LEARN and NEVER WILL, THE WHOLE THING WAS A SETUP",
        // Several paragraphs and Markdown emphasis.
        "**READ THIS BEFORE IT IS DELETED**\n\nTHEY KNEW ABOUT IT FOR YEARS.\n\n"
        "> quoted text\n\nNOBODY WILL BE HELD RESPONSIBLE",
        // Cyrillic, Greek, Latin with diacritics, fullwidth letters.
        "ЭТО ПРАВИТЕЛЬСТВО ВРЁТ НАМ ВСЕМ КАЖДЫЙ ДЕНЬ",
        "ΑΥΤΗ Η ΚΥΒΕΡΝΗΣΗ ΜΑΣ ΛΕΕΙ ΨΕΜΑΤΑ ΚΑΘΕ ΜΕΡΑ",
        "ÇA SUFFIT, LES MÉDIAS NOUS MENTENT DEPUIS DES ANNÉES",
        "ＴＨＩＳ ＩＳ Ａ ＤＩＳＧＲＡＣＥ ＡＮＤ ＥＶＥＲＹＯＮＥ ＫＮＯＷＳ",
        // Decomposed accents (combining marks) stay inside their words.
        "LES ME\u0301DIAS NOUS MENTENT TOUS LES JOURS, C'EST INSUPPORTABLE",
        // A link and a mention do not dilute the rant.
        "@moderator_jane SEE https://example.com/the-real-story AND TELL ME THAT I AM WRONG"));

// ------------------------------------------------------------ does not --

class DoesNotShoutTest : public ::testing::TestWithParam<const char*> {};

TEST_P(DoesNotShoutTest, DoesNotShout) {
  const ShoutingCheck c = CheckShouting(GetParam());
  EXPECT_FALSE(c.shouting) << GetParam() << " — " << Describe(c);
}

INSTANTIATE_TEST_SUITE_P(
    OrdinaryText, DoesNotShoutTest,
    ::testing::Values(
        // Acronym-heavy political prose.
        "NATO and the EU met the USA and the UK at the UN",
        "The USA, UK, EU and NATO condemned the DPRK's ICBM test at the UNSC",
        "Ukraine asked NATO, the EU, the OSCE and the IAEA for help; the UN and the WHO sent "
        "observers to the ZNPP.",
        // Short shouts: under min_letters.
        "THANK YOU", "THANK YOU SO MUCH!", "WELL SAID", "LOL", "USA! USA! USA!",
        // Emphasis inside ordinary argument.
        "I am SO tired of this. The government MUST act NOW, before it is too late for all of us.",
        "Why The Government Is Wrong About Everything It Says On Energy Prices",
        // "I" and "A" are capitals in any prose.
        "I think I know what I said, and I stand by it: a vote is a vote.",
        // Code, URLs and mentions are left out.
        "Try this:\n\n```sql\nSELECT NAME, EMAIL FROM USERS WHERE ID = 1 AND STATUS IS NOT NULL\n```\n"
        "and it works.",
        "Try this:\n\n    SELECT NAME, EMAIL FROM USERS WHERE ID = 1 AND STATUS IS NOT NULL\n\nworks.",
        "Use `SELECT NAME, EMAIL FROM USERS WHERE ID = 1 AND STATUS IS NOT NULL` here.",
        "Source: HTTPS://EXAMPLE.COM/REPORTS/ANNUAL/SUMMARY/FINAL-VERSION.PDF ok",
        "See [this](HTTP://EXAMPLE.COM/SOME/VERY/LONG/PATH/IN/CAPITALS) and WWW.EXAMPLE.ORG/CAPITALS/PAGE",
        "@JOHNSMITHTHEGREAT @MARYJONESRULES @ANOTHERLOUDNAME thanks!",
        // No cased letters at all.
        "这个政府每天都在对我们撒谎，大家都知道", "هذه الحكومة تكذب علينا كل يوم", "12345 67890 !!! ???",
        ""));

// --------------------------------------------------------------- counts --

TEST(ShoutingTest, CountsOnlyCasedLettersOfWordsOfTwoOrMore) {
  const ShoutingCheck c = CheckShouting("NATO and the EU met the USA and the UK at the UN");
  EXPECT_EQ(c.upper, 13u);
  EXPECT_EQ(c.lower, 23u);
  EXPECT_FALSE(c.shouting);

  const ShoutingCheck i = CheckShouting("I a X y");  // one-letter words count for nothing
  EXPECT_EQ(i.letters(), 0u);

  const ShoutingCheck apostrophe = CheckShouting("DON'T I'M");  // two words, not four
  EXPECT_EQ(apostrophe.upper, 6u);
}

TEST(ShoutingTest, ThresholdsAreOptions) {
  const char* text = "THANK YOU ALL";  // 11 letters
  EXPECT_FALSE(CheckShouting(text).shouting);
  EXPECT_TRUE(CheckShouting(text, ShoutingOptions{10, 0.7}).shouting);
  // 20 letters, 14 upper: exactly 0.7 shouts, above it does not.
  const char* mixed = "ABCDEFGHIJKLMN abcdef";
  EXPECT_TRUE(CheckShouting(mixed).shouting);
  EXPECT_FALSE(CheckShouting(mixed, ShoutingOptions{20, 0.71}).shouting);
  EXPECT_FALSE(CheckShouting(mixed, ShoutingOptions{21, 0.7}).shouting);
}

TEST(ShoutingTest, UnclosedCodeAndBackticksAreProse) {
  // A lone backtick does not start a code span: the capitals count.
  EXPECT_TRUE(CheckShouting("`THIS IS NOT CODE BUT A VERY LOUD RANT").shouting);
  // An unclosed fence hides the rest (CommonMark renders it as code).
  EXPECT_FALSE(CheckShouting("ok then\n```\nTHIS IS INSIDE AN UNCLOSED FENCE BLOCK").shouting);
  // A code span closes only with a run of the same length.
  EXPECT_FALSE(CheckShouting("``A ` STILL CODE HERE UNTIL THE END OF IT`` fine fine").shouting);
  // After a closed fence the prose counts again.
  EXPECT_TRUE(CheckShouting("~~~\ncode\n~~~\nAND NOW I AM SHOUTING AT ALL OF YOU").shouting);
}

TEST(ShoutingTest, InvalidUtf8AndControlBytesAreSeparators) {
  const std::string bad = "THIS\xff\xfeIS\x80 A LOUD RANT ABOUT EVERYTHING\x01";
  const ShoutingCheck c = CheckShouting(bad);
  EXPECT_TRUE(c.shouting);
  EXPECT_EQ(c.lower, 0u);
}

TEST(ShoutingTest, ManyBacktickRunsStayLinear) {
  std::string text;
  for (int n = 1; n <= 400; ++n) text += std::string(static_cast<std::size_t>(n), '`') + "A ";
  text += std::string(20'000, 'B');
  const ShoutingCheck c = CheckShouting(text);
  EXPECT_TRUE(c.shouting);
}

}  // namespace
}  // namespace amur::moderation
