#include "moderation/term_list.hpp"

#include <gtest/gtest.h>

#include <string>

namespace amur::moderation {
namespace {

TEST(TermListTest, ParsesTermsCommentsAndBlankLines) {
  const ParsedTermList p = ParseTermList(
      "# a comment\n"
      "\n"
      "idiot\n"
      "   moron   \n"
      "fag*\n"
      "towel head\n"
      "cock  *   # prefix, with spaces before the star\n"
      "\t\n");
  EXPECT_TRUE(p.errors.empty());
  ASSERT_EQ(p.terms.size(), 5u);
  EXPECT_EQ(p.terms[0], (Term{"idiot", false, 3}));
  EXPECT_EQ(p.terms[1], (Term{"moron", false, 4}));
  EXPECT_EQ(p.terms[2], (Term{"fag", true, 5}));
  EXPECT_EQ(p.terms[3], (Term{"towel head", false, 6}));
  EXPECT_EQ(p.terms[4], (Term{"cock", true, 7}));
}

TEST(TermListTest, InlineCommentsAreStripped) {
  const ParsedTermList p = ParseTermList("shit*   # and shitty, shithead\n");
  ASSERT_EQ(p.terms.size(), 1u);
  EXPECT_EQ(p.terms[0].text, "shit");
  EXPECT_TRUE(p.terms[0].prefix);
}

TEST(TermListTest, AcceptsEveryLineEndAndAByteOrderMark) {
  const ParsedTermList p = ParseTermList(
      "\xEF\xBB\xBF"
      "one\r\ntwo\rthree\nfour");
  ASSERT_EQ(p.terms.size(), 4u);
  EXPECT_EQ(p.terms[0].text, "one");
  EXPECT_EQ(p.terms[1].text, "two");
  EXPECT_EQ(p.terms[2].text, "three");
  EXPECT_EQ(p.terms[3].text, "four");
  EXPECT_EQ(p.terms[3].line, 4);
}

TEST(TermListTest, ARegexLookingStarInsideATermIsText) {
  const ParsedTermList p = ParseTermList("a.*b(\n");
  ASSERT_EQ(p.terms.size(), 1u);
  EXPECT_EQ(p.terms[0].text, "a.*b(");
  EXPECT_FALSE(p.terms[0].prefix);
}

TEST(TermListTest, RemovesExactDuplicatesButKeepsPrefixVariants) {
  const ParsedTermList p = ParseTermList("fag\nfag\nfag*\nfag *\n");
  ASSERT_EQ(p.terms.size(), 2u);
  EXPECT_FALSE(p.terms[0].prefix);
  EXPECT_TRUE(p.terms[1].prefix);
}

TEST(TermListTest, ReportsBadLinesAndKeepsTheRest) {
  const std::string long_term(kMaxTermBytes + 1, 'x');
  const ParsedTermList p = ParseTermList("good\n*\n" + long_term + "\nbad\xff\nalso good\n");
  ASSERT_EQ(p.terms.size(), 2u);
  EXPECT_EQ(p.terms[0].text, "good");
  EXPECT_EQ(p.terms[1].text, "also good");
  ASSERT_EQ(p.errors.size(), 3u);
  EXPECT_EQ(p.errors[0].line, 2);
  EXPECT_EQ(p.errors[1].line, 3);
  EXPECT_EQ(p.errors[2].line, 4);
  EXPECT_NE(p.errors[1].message.find("longer"), std::string::npos);
  EXPECT_NE(p.errors[2].message.find("UTF-8"), std::string::npos);
}

TEST(TermListTest, StopsAtTheTermLimit) {
  std::string text;
  for (std::size_t i = 0; i < kMaxTermsPerList + 5; ++i) text += "t" + std::to_string(i) + "\n";
  const ParsedTermList p = ParseTermList(text);
  EXPECT_EQ(p.terms.size(), kMaxTermsPerList);
  ASSERT_EQ(p.errors.size(), 1u);
}

TEST(TermListTest, EmptyInputIsAnEmptyList) {
  EXPECT_TRUE(ParseTermList("").terms.empty());
  EXPECT_TRUE(ParseTermList("\n\n# only comments\n").terms.empty());
}

TEST(TermListTest, FormatRoundTrips) {
  const std::vector<Term> terms = {{"idiot", false, 0}, {"fag", true, 0}, {"towel head", false, 0}};
  const std::string text = FormatTermList(terms);
  EXPECT_EQ(text, "idiot\nfag*\ntowel head\n");
  ParsedTermList p = ParseTermList(text);
  for (Term& t : p.terms) t.line = 0;
  EXPECT_EQ(p.terms, terms);
}

}  // namespace
}  // namespace amur::moderation
