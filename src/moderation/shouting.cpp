#include "moderation/shouting.hpp"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace amur::moderation {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool StartsWithCi(std::string_view s, std::size_t i, std::string_view lower_prefix) {
  if (s.size() - i < lower_prefix.size()) return false;
  for (std::size_t k = 0; k < lower_prefix.size(); ++k) {
    if (Lower(s[i + k]) != lower_prefix[k]) return false;
  }
  return true;
}

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool EndsUrl(char c) {
  constexpr std::string_view kEnds = " \t\r\f\v<>\"`()[]";
  return kEnds.find(c) != std::string_view::npos;
}

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r\f\v") == std::string_view::npos;
}

// Counts letters word by word: a word with fewer than two cased letters
// ("I", "A", "x") counts for nothing.
struct Tally {
  std::size_t upper = 0;
  std::size_t lower = 0;
  std::size_t word_upper = 0;
  std::size_t word_lower = 0;
  bool in_word = false;

  void Letter(bool is_upper, bool is_lower) {
    in_word = true;
    word_upper += is_upper ? 1 : 0;
    word_lower += is_lower ? 1 : 0;
  }
  void EndWord() {
    if (word_upper + word_lower >= 2) {
      upper += word_upper;
      lower += word_lower;
    }
    word_upper = word_lower = 0;
    in_word = false;
  }
};

// A run of backticks in a line: where it starts, how long it is, and the
// index of the next run of the same length (the end of a code span), if any.
struct BacktickRun {
  std::size_t begin = 0;
  std::size_t length = 0;
  std::size_t closer = SIZE_MAX;
};

std::vector<BacktickRun> BacktickRuns(std::string_view line) {
  std::vector<BacktickRun> runs;
  for (std::size_t i = 0; i < line.size();) {
    if (line[i] != '`') {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < line.size() && line[j] == '`') ++j;
    runs.push_back(BacktickRun{i, j - i});
    i = j;
  }
  std::unordered_map<std::size_t, std::size_t> next_of_length;
  for (std::size_t r = runs.size(); r-- > 0;) {
    auto [it, inserted] = next_of_length.try_emplace(runs[r].length, r);
    if (!inserted) {
      runs[r].closer = it->second;
      it->second = r;
    }
  }
  return runs;
}

// Counts the letters of one line of prose (not a code block).
void ScanLine(std::string_view line, Tally& t) {
  const std::vector<BacktickRun> runs =
      line.find('`') == std::string_view::npos ? std::vector<BacktickRun>{} : BacktickRuns(line);
  std::size_t run = 0;
  bool after_word_char = false;  // the previous code point was a letter or digit
  std::size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (c == '`') {
      while (run < runs.size() && runs[run].begin < i) ++run;
      t.EndWord();
      after_word_char = false;
      if (run < runs.size() && runs[run].closer != SIZE_MAX) {
        const BacktickRun& close = runs[runs[run].closer];
        i = close.begin + close.length;  // the code span, backticks included
        run = runs[run].closer + 1;
      } else {
        i += run < runs.size() ? runs[run].length : 1;
      }
      continue;
    }
    if (!after_word_char &&
        (((c == 'h' || c == 'H') && (StartsWithCi(line, i, "http://") ||
                                     StartsWithCi(line, i, "https://"))) ||
         ((c == 'w' || c == 'W') && StartsWithCi(line, i, "www.")))) {
      t.EndWord();
      while (i < line.size() && !EndsUrl(line[i])) ++i;
      after_word_char = false;
      continue;
    }
    if (c == ']' && i + 1 < line.size() && line[i + 1] == '(') {
      t.EndWord();
      after_word_char = false;
      const std::size_t close = line.find(')', i + 2);
      i = close == std::string_view::npos ? line.size() : close + 1;
      continue;
    }
    if (c == '@' && !after_word_char) {
      // A mention: "@name", letters, digits and "_ . -" of any script.
      std::size_t j = i + 1;
      while (j < line.size()) {
        const std::size_t at = j;
        UChar32 cp;
        U8_NEXT(line.data(), j, line.size(), cp);
        if (cp < 0 || !(u_isalnum(cp) || cp == '_' || cp == '.' || cp == '-')) {
          j = at;
          break;
        }
      }
      if (j > i + 1) {
        t.EndWord();
        i = j;
        continue;
      }
    }
    if (static_cast<unsigned char>(c) < 0x80) {
      ++i;
      if (c >= 'A' && c <= 'Z') {
        t.Letter(true, false);
        after_word_char = true;
      } else if (c >= 'a' && c <= 'z') {
        t.Letter(false, true);
        after_word_char = true;
      } else if (c == '\'' && t.in_word) {
        // Inside a word ("DON'T"): the word goes on.
      } else {
        t.EndWord();
        after_word_char = IsAsciiAlnum(c) || c == '_';
      }
      continue;
    }
    UChar32 cp;
    U8_NEXT(line.data(), i, line.size(), cp);
    if (cp < 0) {
      t.EndWord();
      after_word_char = false;
      continue;
    }
    if ((U_GET_GC_MASK(cp) & U_GC_M_MASK) != 0) continue;  // combining marks: part of the word
    if (cp == 0x2019 && t.in_word) continue;               // ’ as an apostrophe
    if (u_isUAlphabetic(cp)) {
      t.Letter(u_isUUppercase(cp), u_isULowercase(cp));
      after_word_char = true;
      continue;
    }
    t.EndWord();
    after_word_char = u_isdigit(cp);
  }
  t.EndWord();
}

// The fence that opens a fenced code block ("```" or "~~~", three or more,
// after at most three spaces), or an empty view.
std::string_view OpeningFence(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && i < 3 && line[i] == ' ') ++i;
  if (i >= line.size() || (line[i] != '`' && line[i] != '~')) return {};
  const char f = line[i];
  std::size_t j = i;
  while (j < line.size() && line[j] == f) ++j;
  if (j - i < 3) return {};
  if (f == '`' && line.find('`', j) != std::string_view::npos) return {};  // inline code
  return line.substr(i, j - i);
}

bool ClosesFence(std::string_view line, std::string_view fence) {
  std::size_t i = 0;
  while (i < line.size() && i < 3 && line[i] == ' ') ++i;
  std::size_t j = i;
  while (j < line.size() && line[j] == fence[0]) ++j;
  return j - i >= fence.size() && IsBlank(line.substr(j));
}

std::size_t Indent(std::string_view line) {
  std::size_t width = 0;
  for (const char c : line) {
    if (c == ' ') {
      ++width;
    } else if (c == '\t') {
      width += 4 - width % 4;
    } else {
      break;
    }
  }
  return width;
}

}  // namespace

ShoutingCheck CheckShouting(std::string_view markdown, const ShoutingOptions& options) {
  Tally t;
  std::string_view fence;      // non-empty: inside a fenced code block
  bool previous_blank = true;  // an indented code block starts after a blank line
  bool in_indented_code = false;
  std::size_t start = 0;
  while (start < markdown.size()) {
    std::size_t end = markdown.find('\n', start);
    if (end == std::string_view::npos) end = markdown.size();
    const std::string_view line = markdown.substr(start, end - start);
    start = end + 1;
    if (!fence.empty()) {
      if (ClosesFence(line, fence)) fence = {};
      continue;
    }
    const bool blank = IsBlank(line);
    if (!blank && Indent(line) >= 4 && (previous_blank || in_indented_code)) {
      in_indented_code = true;
      continue;
    }
    if (!blank) in_indented_code = false;
    previous_blank = blank;
    if (blank) continue;
    fence = OpeningFence(line);
    if (!fence.empty()) continue;
    ScanLine(line, t);
  }
  ShoutingCheck check;
  check.upper = t.upper;
  check.lower = t.lower;
  check.shouting =
      check.letters() >= options.min_letters && check.upper_share() >= options.min_upper_share;
  return check;
}

}  // namespace amur::moderation
