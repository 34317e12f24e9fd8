#include "moderation/normalize.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>

namespace amur::moderation {
namespace {

using namespace std::string_literals;

struct Case {
  std::string input;
  std::string expected;
  const char* what;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.what; }

class NormalizeObfuscationTest : public ::testing::TestWithParam<Case> {};

TEST_P(NormalizeObfuscationTest, FoldsToPlainWord) {
  const Case& c = GetParam();
  EXPECT_EQ(NormalizeForMatching(c.input).text, c.expected) << c.what;
}

INSTANTIATE_TEST_SUITE_P(
    Normalize, NormalizeObfuscationTest,
    ::testing::Values(
        Case{"nigger", "nigger", "plain"}, Case{"NiGgEr", "nigger", "mixed case"},
        Case{"ｎｉｇｇｅｒ", "nigger", "fullwidth"},
        Case{"ＮＩＧＧＥＲ", "nigger", "fullwidth capitals"},
        Case{"n\u0456gg\u0435r", "nigger", "Cyrillic i and e"},
        Case{"\u0455\u04bb\u0456t", "shit", "Cyrillic dze, shha, i"},
        Case{"n\u03b9gg\u03b5r", "nigger", "Greek iota and epsilon"},
        Case{"\u0274\u026a\u0262\u0262\u1d07\u0280", "nigger", "small capitals"},
        Case{"\U0001d427\U0001d422\U0001d420\U0001d420\U0001d41e\U0001d42b", "nigger",
             "mathematical bold"},
        Case{"\u24dd\u24d8\u24d6\u24d6\u24d4\u24e1", "nigger", "circled letters"},
        Case{"\U0001f17d\U0001f178\U0001f176\U0001f176\U0001f174\U0001f181", "nigger",
             "negative squared letters"},
        Case{"n1gg3r", "nigger", "leet digits"}, Case{"N1GG3R", "nigger", "leet capitals"},
        Case{"n!gg@z", "niggaz", "leet symbols"}, Case{"sh!t", "shit", "bang as i"},
        Case{"a$$hole", "asshole", "dollar as s"}, Case{"wh|te", "white", "pipe as i"},
        Case{"f\u20acck", "feck", "euro as e"}, Case{"n i g g e r", "nigger", "spaced"},
        Case{"n.i.g.g.e.r", "nigger", "dotted"}, Case{"n-i-g-g-e-r", "nigger", "hyphenated"},
        Case{"n_i_g_g_e_r", "nigger", "underscored"}, Case{"n|i|g|g|e|r", "nigger", "piped"},
        Case{"n * i * g * g * e * r", "nigger", "starred"},
        Case{"n  i  g  g  e  r", "nigger", "double spaced"},
        Case{"n\ni\ng\ng\ne\nr", "nigger", "one letter per line"},
        Case{"n 1 g g 3 r", "nigger", "spaced leet"},
        Case{"niiiigggger", "niigger", "repeats cut to two"},
        Case{"fuuuuuuuck", "fuuck", "long repeat"},
        Case{"nig\u200dger", "nigger", "zero-width joiner"},
        Case{"nig\u200bger", "nigger", "zero-width space"},
        Case{"nig\u200cger", "nigger", "zero-width non-joiner"},
        Case{"nig\u00adger", "nigger", "soft hyphen"},
        Case{"nig\u2060ger", "nigger", "word joiner"},
        Case{"\ufeffnigger", "nigger", "byte-order mark"},
        Case{"n\u0301i\u0308g\u0303g\u0300e\u0327r\u0302", "nigger", "combining marks"},
        Case{"n\u0337i\u0337g\u0337g\u0337e\u0337r\u0337", "nigger", "zalgo strokes"},
        Case{"n\u00efgg\u00e9r", "nigger", "precomposed accents"},
        Case{"\u0274 1 \u0262 \u0262 3 \u0280", "nigger", "small caps spaced leet"},
        Case{"\uff4e\u200d1\uff47\uff47\u0435\u0280", "nigger", "everything at once"},
        Case{"\ufb01ne", "fine", "ligature"}, Case{"Stra\u00dfe", "strasse", "sharp s"}));

TEST(NormalizeTest, OrdinaryWordsStaySeparate) {
  EXPECT_EQ(NormalizeForMatching("I am a man, and it's 2024!").text, "i am a man and it s 2024");
  EXPECT_EQ(NormalizeForMatching("Hello,   world -- again...").text, "hello world again");
  EXPECT_EQ(NormalizeForMatching("  leading and trailing  ").text, "leading and trailing");
  EXPECT_EQ(NormalizeForMatching("").text, "");
  EXPECT_EQ(NormalizeForMatching(" \t\n.,;").text, "");
}

TEST(NormalizeTest, NumbersKeepTheirDigits) {
  EXPECT_EQ(NormalizeForMatching("In the 1990s it cost $100 and 3 F-35s").text,
            "in the 1990s it cost 100 and 3 f 35s");
  EXPECT_EQ(NormalizeForMatching("COVID-19 in 2020").text, "covid 19 in 2020");
}

TEST(NormalizeTest, TrailingAndLeadingSymbolsArePunctuation) {
  EXPECT_EQ(NormalizeForMatching("idiot!!! really?").text, "idiot really");
  EXPECT_EQ(NormalizeForMatching("@moderator look").text, "moderator look");
  EXPECT_EQ(NormalizeForMatching("a | b").text, "a b");
}

TEST(NormalizeTest, ContractionsAreNotJoinedWithSingleLetters) {
  // "t" of "isn't" must not start a run of single letters.
  EXPECT_EQ(NormalizeForMatching("isn't it").text, "isn t it");
  EXPECT_EQ(NormalizeForMatching("won't x y").text, "won t x y");
}

TEST(NormalizeTest, TwoSingleLettersAreNotJoined) {
  EXPECT_EQ(NormalizeForMatching("Plan B or plan C").text, "plan b or plan c");
  EXPECT_EQ(NormalizeForMatching("a b").text, "a b");
}

TEST(NormalizeTest, OtherScriptsSurvive) {
  EXPECT_EQ(NormalizeForMatching("日本語のテキスト").text, "日本語のテキスト");
  EXPECT_FALSE(NormalizeForMatching("Привет, мир").text.empty());
}

TEST(NormalizeTest, InvalidUtf8IsASeparator) {
  EXPECT_EQ(NormalizeForMatching("abc\xff"
                                 "def")
                .text,
            "abc def");
  EXPECT_EQ(NormalizeForMatching("\xc3").text, "");
  EXPECT_EQ(NormalizeForMatching("ok\xe2\x82").text, "ok");
  EXPECT_EQ(NormalizeForMatching("\xed\xa0\x80x").text, "x");  // a surrogate
  EXPECT_EQ(NormalizeForMatching("\xc0\xafx").text, "x");      // an overlong '/'
  EXPECT_EQ(NormalizeForMatching("a\0b"s).text, "a b");
}

// ---------------------------------------------------------- masked words --

std::string MaskedPatterns(std::string_view original) {
  const NormalizedText n = NormalizeForMatching(original);
  std::string out;
  for (const MaskedWord& w : n.masked) {
    if (!out.empty()) out += ' ';
    for (const char32_t c : w.pattern) out += static_cast<char>(c < 0x80 ? c : '?');
    out += '=';
    out += original.substr(w.source.begin, w.source.end - w.source.begin);
  }
  return out;
}

TEST(NormalizeMaskTest, RecordsWordsWithMasksInsideWithTheirSource) {
  EXPECT_EQ(MaskedPatterns("what the f*ck"), "f*ck=f*ck");
  EXPECT_EQ(MaskedPatterns("F**K this"), "f**k=F**K");
  EXPECT_EQ(MaskedPatterns("you n*gger."), "n*gger=n*gger");
  EXPECT_EQ(MaskedPatterns("n**ger, c*nt"), "n**ger=n**ger c*nt=c*nt");
  EXPECT_EQ(MaskedPatterns("f#ck f@ck f-ck f_ck f%ck f?ck f•ck"),
            "f*ck=f#ck f*ck=f@ck f*ck=f-ck f*ck=f_ck f*ck=f%ck f*ck=f?ck f*ck=f•ck");
  // A look-alike symbol read as a letter is also a mask: "f!ck" reads
  // "fick", and may be "fuck".
  EXPECT_EQ(NormalizeForMatching("f!ck").text, "fick");
  EXPECT_EQ(MaskedPatterns("f!ck sh!t"), "f*ck=f!ck sh*t=sh!t");
  EXPECT_EQ(MaskedPatterns("**f*ck** it"), "f*ck=f*ck");
  EXPECT_EQ(MaskedPatterns("f*ck*ng"), "f*ck*ng=f*ck*ng");
  EXPECT_EQ(MaskedPatterns("n***er"), "n***er=n***er");
  EXPECT_EQ(MaskedPatterns("ＦＵ＊Ｋ"), "fu*k=ＦＵ＊Ｋ");
  EXPECT_EQ(MaskedPatterns("fuuuu*k"), "fuu*k=fuuuu*k");
  // The ordinary text is unchanged: "f ck".
  EXPECT_EQ(NormalizeForMatching("f*ck").text, "f ck");
}

TEST(NormalizeMaskTest, OrdinaryPunctuationIsNoMask) {
  for (const char* text :
       {"5*3=15", "2*x + 3*y", "**bold** markdown", "__init__", "C# and F# programmers", "a*b",
        "a footnote*", "*emphasis*", "mail me@example.com today", "bob.smith@mail.example.org",
        "see https://example.com/some-path_here?q=a-b", "www.some-site.org", "$100 or US$5",
        "hello!!! anyone?", "Q&A", "R&D", "* item one\n* item two", "wait... what", "e.g. this",
        "i.e. that", "f****ing", "x2-y3", "COVID-19", "F-35", "isn't", "rock'n'roll", "C++",
        "#hashtag", "@name", "a-b", "- dash list", "-- double", "--- rule", "50%-60%",
        "nig‍ger", "n.i.g.g.e.r", "n * i * g * g * e * r"}) {
    EXPECT_EQ(MaskedPatterns(text), "") << text;
  }
}

TEST(NormalizeMaskTest, NeedsAsManyLettersAsMasks) {
  EXPECT_EQ(MaskedPatterns("f***"), "");
  EXPECT_EQ(MaskedPatterns("c**t"), "c**t=c**t");
  EXPECT_EQ(MaskedPatterns("c***t"), "");
  EXPECT_EQ(MaskedPatterns("f*k"), "");  // three characters
}

TEST(NormalizeMaskTest, AtMostAFixedNumberOfMaskedWords) {
  std::string s;
  while (s.size() < 64 * 1024) s += "f*ck ";
  NormalizedText n;
  const auto start = std::chrono::steady_clock::now();
  n = NormalizeForMatching(s);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 2.0);
  EXPECT_EQ(n.masked.size(), kMaxMaskedWords);
}

// ------------------------------------------------------------------ spans --

std::string_view Source(std::string_view original, const NormalizedText& n, std::size_t begin,
                        std::size_t end) {
  const ByteSpan s = n.SourceSpan(begin, end);
  return original.substr(s.begin, s.end - s.begin);
}

TEST(NormalizeSpanTest, MapsWordsBackToTheOriginal) {
  const std::string original = "Hello ｎｉｇｇｅｒ, you n1gg3r and n.i.g.g.e.r!";
  const NormalizedText n = NormalizeForMatching(original);
  ASSERT_EQ(n.text, "hello nigger you nigger and nigger");
  ASSERT_EQ(n.source_begin.size(), n.text.size());
  ASSERT_EQ(n.source_end.size(), n.text.size());
  std::size_t at = n.text.find("nigger");
  EXPECT_EQ(Source(original, n, at, at + 6), "ｎｉｇｇｅｒ");
  at = n.text.find("nigger", at + 1);
  EXPECT_EQ(Source(original, n, at, at + 6), "n1gg3r");
  at = n.text.find("nigger", at + 1);
  EXPECT_EQ(Source(original, n, at, at + 6), "n.i.g.g.e.r");
  EXPECT_EQ(Source(original, n, 0, 5), "Hello");
}

TEST(NormalizeSpanTest, RepeatsAndInvisibleCharactersMapToTheWholeWord) {
  const std::string original = "so niiiigggger\u200d. ok";
  const NormalizedText n = NormalizeForMatching(original);
  ASSERT_EQ(n.text, "so niigger ok");
  EXPECT_EQ(Source(original, n, 3, 10), "niiiigggger");
}

TEST(NormalizeSpanTest, ExpansionsShareTheirSource) {
  const std::string original = "x \ufb01 y";  // "ﬁ" becomes two letters
  const NormalizedText n = NormalizeForMatching(original);
  ASSERT_EQ(n.text, "x fi y");
  EXPECT_EQ(Source(original, n, 2, 3), "\ufb01");
  EXPECT_EQ(Source(original, n, 3, 4), "\ufb01");
  EXPECT_EQ(Source(original, n, 2, 4), "\ufb01");
}

TEST(NormalizeSpanTest, SpansStayInsideTheInputForArbitraryBytes) {
  std::mt19937 rng(42);
  const std::string alphabet[] = {
      "a",    "B",    "1",    "3",  "!", "|",      "@",      "$", " ",  ".", "-",  "'",
      "\xff", "\xc3", "\xa9", "ｎ", "і", "\u200d", "\u0301", "ﬁ", "\n", "€", "日",
      "\U0001f17d", "*", "#"};
  for (int round = 0; round < 300; ++round) {
    std::string s;
    const int len = static_cast<int>(rng() % 60);
    for (int i = 0; i < len; ++i) s += alphabet[rng() % std::size(alphabet)];
    const NormalizedText n = NormalizeForMatching(s);
    ASSERT_EQ(n.source_begin.size(), n.text.size()) << s;
    ASSERT_EQ(n.source_end.size(), n.text.size()) << s;
    for (std::size_t i = 0; i < n.text.size(); ++i) {
      ASSERT_LT(n.source_begin[i], n.source_end[i]) << s;
      ASSERT_LE(n.source_end[i], s.size()) << s;
      if (i > 0) {
        ASSERT_LE(n.source_begin[i - 1], n.source_begin[i]) << s;
      }
    }
    for (const MaskedWord& w : n.masked) {
      ASSERT_LT(w.source.begin, w.source.end) << s;
      ASSERT_LE(w.source.end, s.size()) << s;
      ASSERT_GE(w.pattern.size(), 4u) << s;
    }
    ASSERT_EQ(n.text.find("  "), std::string::npos) << s;
    if (!n.text.empty()) {
      ASSERT_NE(n.text.front(), ' ') << s;
      ASSERT_NE(n.text.back(), ' ') << s;
    }
  }
}

// ------------------------------------------------------------ pathology --

double SecondsToNormalize(const std::string& s, NormalizedText* out) {
  const auto start = std::chrono::steady_clock::now();
  *out = NormalizeForMatching(s);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Generous limits: a quadratic step on 64 KiB would take minutes, and the
// sanitised debug build is slow.
constexpr double kLinearLimitSeconds = 2.0;

TEST(NormalizePathologyTest, SixtyFourKibOfOneLetter) {
  NormalizedText n;
  EXPECT_LT(SecondsToNormalize(std::string(64 * 1024, 'a'), &n), kLinearLimitSeconds);
  EXPECT_EQ(n.text, "aa");
  EXPECT_EQ(n.SourceSpan(0, 2), (ByteSpan{0, 2}));
}

TEST(NormalizePathologyTest, TenThousandSeparatorsBetweenLetters) {
  std::string s;
  for (int i = 0; i < 10'000; ++i) s += "n.";
  NormalizedText n;
  EXPECT_LT(SecondsToNormalize(s, &n), kLinearLimitSeconds);
  EXPECT_EQ(n.text, "nn");  // joined, then the run cut to two
}

TEST(NormalizePathologyTest, SixtyFourKibOfSeparatorsAndMarks) {
  std::string s;
  while (s.size() < 64 * 1024) s += ". \u0301\u200d-_|!@$";
  NormalizedText n;
  EXPECT_LT(SecondsToNormalize(s, &n), kLinearLimitSeconds);
  EXPECT_EQ(n.text, "");
}

TEST(NormalizePathologyTest, SixtyFourKibWithoutBlanks) {
  std::string s;
  while (s.size() < 64 * 1024) s += "ab*cd#ef-";
  NormalizedText n;
  EXPECT_LT(SecondsToNormalize(s, &n), kLinearLimitSeconds);
  EXPECT_EQ(n.masked.size(), 1u);  // one blank-free chunk: one long masked word
}

TEST(NormalizePathologyTest, SixtyFourKibOfMixedScripts) {
  std::string s;
  int i = 0;
  while (s.size() < 64 * 1024) {
    s += (i++ % 3 == 0) ? "日本 " : "ｎіg1 ";
  }
  NormalizedText n;
  EXPECT_LT(SecondsToNormalize(s, &n), kLinearLimitSeconds);
  EXPECT_FALSE(n.text.empty());
}

}  // namespace
}  // namespace amur::moderation
