#include "core/text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace amur {
namespace {

using namespace std::string_literals;

struct Utf8Case {
  std::string bytes;
  bool valid;
  const char* what;
};

class IsValidUtf8Test : public ::testing::TestWithParam<Utf8Case> {};

TEST_P(IsValidUtf8Test, ClassifiesExactly) {
  const Utf8Case& c = GetParam();
  EXPECT_EQ(IsValidUtf8(c.bytes), c.valid) << c.what;
}

INSTANTIATE_TEST_SUITE_P(
    WellFormedAndMalformed, IsValidUtf8Test,
    ::testing::Values(
        Utf8Case{"", true, "empty"}, Utf8Case{"plain ascii", true, "ascii"},
        Utf8Case{"\0"s, true, "NUL is a valid code point"},
        Utf8Case{"\x7F", true, "DEL, last one-byte"},
        Utf8Case{"\xC2\x80", true, "U+0080, first two-byte"},
        Utf8Case{"\xC3\xA9", true, "e acute"},
        Utf8Case{"\xDF\xBF", true, "U+07FF, last two-byte"},
        Utf8Case{"\xE0\xA0\x80", true, "U+0800, first three-byte"},
        Utf8Case{"\xE2\x82\xAC", true, "euro sign"},
        Utf8Case{"\xED\x9F\xBF", true, "U+D7FF, just below the surrogates"},
        Utf8Case{"\xEE\x80\x80", true, "U+E000, just above the surrogates"},
        Utf8Case{"\xEF\xBF\xBF", true, "U+FFFF"},
        Utf8Case{"\xF0\x90\x80\x80", true, "U+10000, first four-byte"},
        Utf8Case{"\xF0\x9F\x98\x80", true, "grinning face"},
        Utf8Case{"\xF4\x8F\xBF\xBF", true, "U+10FFFF, the last code point"},
        Utf8Case{"a\xE6\x97\xA5z", true, "mixed"},
        // Overlong forms.
        Utf8Case{"\xC0\x80", false, "overlong NUL"},
        Utf8Case{"\xC0\xAF", false, "overlong slash"},
        Utf8Case{"\xC1\xBF", false, "overlong U+007F"},
        Utf8Case{"\xE0\x80\x80", false, "overlong three-byte NUL"},
        Utf8Case{"\xE0\x9F\xBF", false, "overlong U+07FF in three bytes"},
        Utf8Case{"\xF0\x80\x80\x80", false, "overlong four-byte NUL"},
        Utf8Case{"\xF0\x8F\xBF\xBF", false, "overlong U+FFFF in four bytes"},
        // Surrogates.
        Utf8Case{"\xED\xA0\x80", false, "U+D800"},
        Utf8Case{"\xED\xBF\xBF", false, "U+DFFF"},
        Utf8Case{"\xED\xA0\xBD\xED\xB8\x80", false, "CESU-8 surrogate pair"},
        // Out of range and impossible bytes.
        Utf8Case{"\xF4\x90\x80\x80", false, "U+110000"},
        Utf8Case{"\xF5\x80\x80\x80", false, "lead byte F5"},
        Utf8Case{"\xF8\x88\x80\x80\x80", false, "five-byte form"},
        Utf8Case{"\xFE", false, "FE"}, Utf8Case{"\xFF", false, "FF"},
        // Stray continuations and truncations.
        Utf8Case{"\x80", false, "lone continuation"},
        Utf8Case{"a\xBFz", false, "continuation in the middle"},
        Utf8Case{"\xC3", false, "truncated two-byte"},
        Utf8Case{"\xE2\x82", false, "truncated three-byte"},
        Utf8Case{"\xF0\x9F\x98", false, "truncated four-byte"},
        Utf8Case{"abc\xC3", false, "truncated at the end"},
        Utf8Case{"\xC3(", false, "bad continuation byte"},
        Utf8Case{"\xE2(\xAC", false, "bad second byte of three"},
        Utf8Case{"\xF0\x9F\x98(", false, "bad last byte of four"}));

TEST(CountCodePointsTest, CountsCodePointsNotBytes) {
  EXPECT_EQ(CountCodePoints(""), 0u);
  EXPECT_EQ(CountCodePoints("abc"), 3u);
  EXPECT_EQ(CountCodePoints("h\xC3\xA9llo"), 5u);
  EXPECT_EQ(CountCodePoints("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E"), 3u);  // 日本語
  EXPECT_EQ(CountCodePoints("\xF0\x9F\x98\x80" "a"), 2u);
  EXPECT_EQ(CountCodePoints("\0\0"s), 2u);
  std::string many;
  for (int i = 0; i < 1000; ++i) many += "\xF4\x8F\xBF\xBF";
  EXPECT_EQ(CountCodePoints(many), 1000u);
}

struct TrimCase {
  std::string in;
  std::string out;
  const char* what;
};

class TrimUnicodeSpaceTest : public ::testing::TestWithParam<TrimCase> {};

TEST_P(TrimUnicodeSpaceTest, TrimsExactly) {
  const TrimCase& c = GetParam();
  EXPECT_EQ(std::string(TrimUnicodeSpace(c.in)), c.out) << c.what;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, TrimUnicodeSpaceTest,
    ::testing::Values(
        TrimCase{"", "", "empty"}, TrimCase{"abc", "abc", "nothing to trim"},
        TrimCase{"  a b  ", "a b", "ascii spaces, inner kept"},
        TrimCase{"\t\n\r\f\vx\v\f\r\n\t", "x", "every ascii space"},
        TrimCase{"   \t\n", "", "only spaces"},
        TrimCase{"\xC2\xA0x\xC2\xA0", "x", "U+00A0 no-break space"},
        TrimCase{"\xE3\x80\x80x\xE3\x80\x80", "x", "U+3000 ideographic space"},
        TrimCase{"\xC2\x85x\xC2\x85", "x", "U+0085 next line"},
        TrimCase{"\xE1\x9A\x80x", "x", "U+1680 ogham space"},
        TrimCase{"\xE2\x80\x80x\xE2\x80\x8A", "x", "U+2000 and U+200A"},
        TrimCase{"\xE2\x80\xA8x\xE2\x80\xA9", "x", "U+2028 and U+2029"},
        TrimCase{"\xE2\x80\xAFx\xE2\x81\x9F", "x", "U+202F and U+205F"},
        TrimCase{"\xEF\xBB\xBFx\xEF\xBB\xBF", "x", "U+FEFF byte order mark"},
        TrimCase{"\xC2\xA0\xE3\x80\x80 \t", "", "only Unicode spaces"},
        TrimCase{"a\xC2\xA0\xE3\x80\x80z", "a\xC2\xA0\xE3\x80\x80z", "inner Unicode spaces kept"},
        TrimCase{" \xE6\x97\xA5 ", "\xE6\x97\xA5", "multi-byte content"},
        TrimCase{"\xC3\xA9\xC2\xA0", "\xC3\xA9", "two-byte content before two-byte space"},
        TrimCase{"\xE2\x80\x8Bx", "x", "U+200B zero width space is trimmed too"},
        TrimCase{"\xE2\x80\x8Cx\xE2\x80\x8D", "\xE2\x80\x8Cx\xE2\x80\x8D",
                 "ZWNJ and ZWJ are not spaces"},
        TrimCase{"_x_", "_x_", "punctuation is not space"}));

TEST(TrimUnicodeSpaceTest, ReturnsAViewIntoTheInput) {
  const std::string s = "  abc  ";
  const std::string_view v = TrimUnicodeSpace(s);
  EXPECT_EQ(v.data(), s.data() + 2);
  EXPECT_EQ(v.size(), 3u);
}

class TrimBlankLinesTest : public ::testing::TestWithParam<TrimCase> {};

TEST_P(TrimBlankLinesTest, KeepsTheFirstLinesIndentation) {
  const TrimCase& c = GetParam();
  EXPECT_EQ(std::string(TrimBlankLinesAndTrailingSpace(c.in)), c.out) << c.what;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, TrimBlankLinesTest,
    ::testing::Values(
        TrimCase{"", "", "empty"}, TrimCase{" \t\n \r\n", "", "only white space"},
        TrimCase{"abc", "abc", "nothing to trim"},
        TrimCase{"    code\n", "    code", "indented code block kept"},
        TrimCase{"\tcode", "\tcode", "tab indentation kept"},
        TrimCase{"\n  \n    code\n  more  \n\n", "    code\n  more",
                 "blank lines before, trailing space after"},
        TrimCase{" \r\n   ```\nx\n```", "   ```\nx\n```", "CRLF blank line, indented fence"},
        TrimCase{"\r  a", "  a", "CR alone ends a line"},
        TrimCase{"\xC2\xA0\n\xE3\x80\x80 x\xC2\xA0", "\xE3\x80\x80 x",
                 "a line of Unicode spaces is blank; the first line is kept whole"},
        TrimCase{"a\n\n    b", "a\n\n    b", "inner blank lines and indentation kept"}));

TEST(HasControlCharsTest, FindsC0C1AndLineSeparators) {
  EXPECT_FALSE(HasControlChars(""));
  EXPECT_FALSE(HasControlChars("Ann Smith"));
  EXPECT_FALSE(HasControlChars("\xC3\xA9\xE6\x97\xA5\xF0\x9F\x98\x80"));
  EXPECT_FALSE(HasControlChars("a\xC2\xA0z"));  // U+00A0 is a space, not a control
  EXPECT_FALSE(HasControlChars(" ~"));           // 0x20 and 0x7E are printable

  EXPECT_TRUE(HasControlChars("a\tb"));  // tab counts here
  EXPECT_TRUE(HasControlChars("a\nb"));
  EXPECT_TRUE(HasControlChars("a\rb"));
  EXPECT_TRUE(HasControlChars("a\0b"s));
  EXPECT_TRUE(HasControlChars("\x01"));
  EXPECT_TRUE(HasControlChars("\x1F"));
  EXPECT_TRUE(HasControlChars("\x7F"));
  EXPECT_TRUE(HasControlChars("a\xC2\x80z"));  // U+0080
  EXPECT_TRUE(HasControlChars("a\xC2\x85z"));  // U+0085
  EXPECT_TRUE(HasControlChars("a\xC2\x9Fz"));  // U+009F
  EXPECT_TRUE(HasControlChars("a\xE2\x80\xA8z"));  // U+2028
  EXPECT_TRUE(HasControlChars("a\xE2\x80\xA9z"));  // U+2029
  EXPECT_TRUE(HasControlChars("a\xFFz"));  // malformed counts as unsafe
}

TEST(StripControlCharsKeepNewlinesTest, KeepsNewlinesTabsAndText) {
  EXPECT_EQ(StripControlCharsKeepNewlines(""), "");
  EXPECT_EQ(StripControlCharsKeepNewlines("a\x01" "b\nc\td\re\x7F\0f\x1F"s), "ab\nc\td\ref");
  EXPECT_EQ(StripControlCharsKeepNewlines("\xC3\xA9\xE2\x82\xAC"), "\xC3\xA9\xE2\x82\xAC");
  EXPECT_EQ(StripControlCharsKeepNewlines("\x1B[31mred"), "[31mred");
}

}  // namespace
}  // namespace amur
