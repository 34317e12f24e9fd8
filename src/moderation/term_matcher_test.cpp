#include "moderation/term_matcher.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>

namespace amur::moderation {
namespace {

std::shared_ptr<const TermMatcher> Build(std::string_view banned, std::string_view suspect = "",
                                         std::string_view allow = "",
                                         const TermMatcherOptions& options = {}) {
  std::vector<std::string> errors;
  auto m = BuildTermMatcher(banned, suspect, allow, &errors, options);
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
  return m.ok() ? m.value() : nullptr;
}

std::string_view At(std::string_view text, const ByteSpan& s) {
  return text.substr(s.begin, s.end - s.begin);
}

TEST(TermMatcherTest, ReportsKindTermAndOriginalSpan) {
  const auto m = Build("nigger\n", "idiot\n");
  const std::string text = "You idiot, you ｎ1ｇｇ3ｒ!";
  const auto found = m->FindIn(text);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].kind, TermKind::kSuspect);
  EXPECT_EQ(found[0].term, "idiot");
  EXPECT_EQ(At(text, found[0].span), "idiot");
  EXPECT_EQ(found[1].kind, TermKind::kBanned);
  EXPECT_EQ(found[1].term, "nigger");
  EXPECT_EQ(At(text, found[1].span), "ｎ1ｇｇ3ｒ");
}

TEST(TermMatcherTest, MatchesWholeWordsOnly) {
  const auto m = Build("nigger\ncunt\nrapist\nsex\nass\n");
  for (const char* text :
       {"He sniggered at the snigger.", "Scunthorpe United", "my therapist", "Essex and Sussex",
        "the assassin passed the class", "Middlesex", "bass and brass", "harassment"}) {
    EXPECT_TRUE(m->FindIn(text).empty()) << text;
  }
  EXPECT_EQ(m->FindIn("a rapist").size(), 1u);
  EXPECT_EQ(m->FindIn("you ass").size(), 1u);
}

TEST(TermMatcherTest, RepeatedLettersMatchButADoubledLetterMustStayDoubled) {
  const auto m = Build("nigger\n");
  EXPECT_EQ(m->FindIn("niiiigggger").size(), 1u);
  EXPECT_EQ(m->FindIn("nniiggggeeerrr").size(), 1u);
  EXPECT_TRUE(m->FindIn("Niger").empty());
  EXPECT_TRUE(m->FindIn("the Niger delta").empty());
  EXPECT_TRUE(m->FindIn("niiiger").empty());
}

TEST(TermMatcherTest, PrefixTermsMatchWordStarts) {
  const auto m = Build("fag*\n");
  const std::string text = "those faggots";
  const auto found = m->FindIn(text);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].term, "fag*");
  EXPECT_EQ(At(text, found[0].span), "faggots");  // the whole word
  EXPECT_TRUE(m->FindIn("a fine fa g").empty());
  EXPECT_TRUE(m->FindIn("Kafaggot").empty());
}

TEST(TermMatcherTest, MultiWordTermsMatchAcrossPunctuation) {
  const auto m = Build("towel head\nsuck my dick\n");
  EXPECT_EQ(m->FindIn("what a towel-head").size(), 1u);
  EXPECT_EQ(m->FindIn("Suck.  My... DICK").size(), 1u);
  EXPECT_TRUE(m->FindIn("a towel on my head").empty());
}

TEST(TermMatcherTest, TheLongestTermAtAPositionWins) {
  const auto m = Build("sand\nsand monkey\n");
  const std::string text = "a sand monkey";
  const auto found = m->FindIn(text);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].term, "sand monkey");
  EXPECT_EQ(At(text, found[0].span), "sand monkey");
}

TEST(TermMatcherTest, AllowListDropsMatchesInsideAllowedWords) {
  const auto m =
      Build("cock*\nnigg*\n", "dick\nshit*\n", "cocktail*\nniggard*\ndick cheney\nshiitake\n");
  for (const char* text : {"a cocktail party", "cocktails at eight", "a niggardly budget",
                           "Dick Cheney said", "shiitake mushrooms"}) {
    EXPECT_TRUE(m->FindIn(text).empty()) << text;
  }
  EXPECT_EQ(m->FindIn("cockroach").size(), 1u);  // not allow-listed here
  const std::string text = "Dick Cheney is a dick";
  const auto found = m->FindIn(text);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].span.begin, text.rfind("dick"));
}

TEST(TermMatcherTest, AllowListEntriesMatchLettersExactly) {
  // "niger" allows the river and the country, never the slur.
  const auto m = Build("nigger\nnigg*\n", "", "niger\nnigeria*\n");
  EXPECT_TRUE(m->FindIn("Niger and Nigeria").empty());
  EXPECT_EQ(m->FindIn("nigger").size(), 1u);
  EXPECT_EQ(m->FindIn("niggeria").size(), 1u);
}

TEST(TermMatcherTest, SuspectOverlappingBannedIsNotReported) {
  const auto m = Build("sand nigger\n", "sand\n");
  const auto found = m->FindIn("sand nigger");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].kind, TermKind::kBanned);
  EXPECT_EQ(m->FindIn("sand and sea").size(), 1u);
}

TEST(TermMatcherTest, EveryOccurrenceIsReportedUpToTheLimit) {
  TermMatcherOptions options;
  options.max_matches_per_list = 5;
  const auto m = Build("kike\n", "", "", options);
  EXPECT_EQ(m->FindIn("kike kike, k.i.k.e").size(), 3u);
  std::string many;
  for (int i = 0; i < 100; ++i) many += "kike ";
  EXPECT_EQ(m->FindIn(many).size(), 5u);
}

TEST(TermMatcherTest, TermsAreNormalisedLikeText) {
  const auto m = Build("ＫＩＫＥ\nSh!t\n");
  EXPECT_EQ(m->FindIn("kike").size(), 1u);
  EXPECT_EQ(m->FindIn("shit").size(), 1u);
}

TEST(TermMatcherMaskTest, MaskedWordsMatchTermsLetterForLetter) {
  const auto m = Build("nigg*\ncunt*\nkike\n", "fuck*\nshit*\n");
  struct Case {
    const char* text;
    TermKind kind;
    const char* term;
    const char* span;
  };
  for (const Case& c : {Case{"what the f*ck is this", TermKind::kSuspect, "fuck*", "f*ck"},
                        Case{"f**k that", TermKind::kSuspect, "fuck*", "f**k"},
                        Case{"f#ck", TermKind::kSuspect, "fuck*", "f#ck"},
                        Case{"f!ck", TermKind::kSuspect, "fuck*", "f!ck"},
                        Case{"f*cking hell", TermKind::kSuspect, "fuck*", "f*cking"},
                        Case{"f***ing hell", TermKind::kSuspect, "fuck*", "f***ing"},
                        Case{"sh*t", TermKind::kSuspect, "shit*", "sh*t"},
                        Case{"you n*gger", TermKind::kBanned, "nigg*", "n*gger"},
                        Case{"you n**ger", TermKind::kBanned, "nigg*", "n**ger"},
                        Case{"n***er", TermKind::kBanned, "nigg*", "n***er"},
                        Case{"n*gg*rs", TermKind::kBanned, "nigg*", "n*gg*rs"},
                        Case{"you c*nt", TermKind::kBanned, "cunt*", "c*nt"},
                        Case{"c-nt", TermKind::kBanned, "cunt*", "c-nt"},
                        Case{"k*ke", TermKind::kBanned, "kike", "k*ke"}}) {
    const std::string text = c.text;
    const auto found = m->FindIn(text);
    ASSERT_EQ(found.size(), 1u) << text;
    EXPECT_EQ(found[0].kind, c.kind) << text;
    EXPECT_EQ(found[0].term, c.term) << text;
    EXPECT_EQ(At(text, found[0].span), c.span) << text;
    EXPECT_TRUE(found[0].masked) << text;
  }
}

TEST(TermMatcherMaskTest, MasksStandForExactlyOneLetterEach) {
  const auto m = Build("kike\ncunt\n", "fuck\n");
  for (const char* text : {"k**ke", "ki*kes", "c*n", "f*ckk", "fu*kk", "f*uck"}) {
    EXPECT_TRUE(m->FindIn(text).empty()) << text;
  }
}

TEST(TermMatcherMaskTest, AMaskMustFallInsideAPrefixTerm) {
  const auto m = Build("slut*\n");
  EXPECT_TRUE(m->FindIn("slu-edu").empty());  // the mask is where "t" would be
  EXPECT_EQ(m->FindIn("sl*tty").size(), 1u);
}

TEST(TermMatcherMaskTest, ShortTermsAreNotMatchedByMaskedWords) {
  const auto m = Build("fag\nnig\njap\n", "ass\n");
  for (const char* text : {"f*g", "n*g", "j*p", "a*s", "a#s"}) {
    EXPECT_TRUE(m->FindIn(text).empty()) << text;
  }
}

TEST(TermMatcherMaskTest, AmbiguousMaskedWordsTakeTheMildestReading) {
  const auto m = Build("slut*\n", "shit*\n", "shitake*\n");
  auto found = m->FindIn("s**t");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].kind, TermKind::kSuspect);
  EXPECT_EQ(found[0].term, "shit*");
  EXPECT_TRUE(m->FindIn("sh*take risotto").empty());  // allow-listed reading
  found = m->FindIn("sl*t");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].kind, TermKind::kBanned);
}

TEST(TermMatcherMaskTest, AWordFoundOrdinarilyIsNotReportedTwice) {
  const auto m = Build("", "shit*\n");
  const auto found = m->FindIn("sh!t");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_FALSE(found[0].masked);
}

TEST(TermMatcherMaskTest, MaskedMatchesCountTowardsTheLimit) {
  TermMatcherOptions options;
  options.max_matches_per_list = 3;
  const auto m = Build("kike\n", "", "", options);
  EXPECT_EQ(m->FindIn("k*ke k*ke k*ke k*ke k*ke kike").size(), 3u);
}

TEST(TermMatcherTest, EmptyListsMatchNothing) {
  const auto m = Build("");
  EXPECT_TRUE(m->FindIn("anything at all").empty());
  EXPECT_TRUE(m->FindIn("").empty());
  EXPECT_EQ(m->stats().regexes, 0u);
}

TEST(TermMatcherTest, RegexMetacharactersInTermsAreLiteralText) {
  const auto m = Build("a.*b(\n\\\\\n[\n(?:x|y)+\n.*\n^$\n\\d+\n|\nfoo(bar\n");
  ASSERT_NE(m, nullptr);
  // "[", "\\", ".*", "^$", "|" and "*" normalise to nothing and are skipped.
  EXPECT_GE(m->stats().skipped, 4u);
  for (const char* text : {"axxb", "anything", "xyxyxy", "12345", "[[[", "\\\\", "ab("}) {
    EXPECT_TRUE(m->FindIn(text).empty()) << text;
  }
  // Punctuation in a term acts as a word separator, as in text.
  EXPECT_EQ(m->FindIn("foo bar").size(), 1u);
}

TEST(TermMatcherTest, SingleLetterTermsAreSkipped) {
  const auto m = Build("a\nI\n$\n");
  EXPECT_EQ(m->stats().banned, 0u);
  EXPECT_EQ(m->stats().skipped, 3u);
  EXPECT_TRUE(m->FindIn("a I $").empty());
}

// ---------------------------------------------------------------- scale --

std::string RandomWord(std::mt19937& rng, int min_len, int max_len) {
  std::string w;
  const int len = min_len + static_cast<int>(rng() % static_cast<unsigned>(max_len - min_len + 1));
  for (int i = 0; i < len; ++i) w += static_cast<char>('a' + rng() % 26);
  return w;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

TEST(TermMatcherScaleTest, TenThousandTermsBuildAndMatchQuickly) {
  std::mt19937 rng(7);
  std::string banned;
  std::string last;
  for (int i = 0; i < 10'000; ++i) {
    last = RandomWord(rng, 5, 12);
    banned += last + (i % 10 == 0 ? "*\n" : "\n");
  }
  auto start = std::chrono::steady_clock::now();
  const auto m = Build(banned);
  const double build = Seconds(start);
  ASSERT_NE(m, nullptr);
  EXPECT_GE(m->stats().banned, 9'900u);
  EXPECT_GT(m->stats().regexes, 1u);  // split into chunks
  EXPECT_LT(build, 10.0);

  std::string text;
  while (text.size() < 2'000) text += RandomWord(rng, 2, 9) + " ";
  text += last;
  start = std::chrono::steady_clock::now();
  std::size_t found = 0;
  for (int i = 0; i < 20; ++i) found += m->FindIn(text).size();
  const double per_text = Seconds(start) / 20;
  EXPECT_GE(found, 20u);
  EXPECT_LT(per_text, 0.05) << "seconds per 2 KB text";
}

TEST(TermMatcherScaleTest, HugeInputsFinishQuickly) {
  const auto m = Build("nigger\nfag*\nkike\n", "idiot*\n", "cocktail\n");
  for (const std::string& text : {std::string(64 * 1024, 'a'), std::string(64 * 1024, ' '),
                                  [] {
                                    std::string s;
                                    while (s.size() < 64 * 1024) s += "n.i.g.g.e.r ";
                                    return s;
                                  }(),
                                  [] {
                                    std::string s;
                                    while (s.size() < 64 * 1024) s += "fa";
                                    return s;
                                  }(),
                                  [] {
                                    std::string s;
                                    while (s.size() < 64 * 1024) s += "idiots cocktail ";
                                    return s;
                                  }()}) {
    const auto start = std::chrono::steady_clock::now();
    const auto found = m->FindIn(text);
    EXPECT_LT(Seconds(start), 2.0);
    EXPECT_LE(found.size(), 2 * TermMatcherOptions{}.max_matches_per_list);
  }
}

}  // namespace
}  // namespace amur::moderation
