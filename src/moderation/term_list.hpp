// The term-list text format moderators edit (and the default lists in
// data/moderation/ use):
//
//   # a comment line; "#" starts a comment anywhere on a line
//   idiot          one term per line, matched as whole words
//   fag*           a trailing "*": any word that starts with the term
//   towel head     several words: matched as that sequence of words
//
// Surrounding white space and blank lines are ignored. Terms are compared
// after NormalizeForMatching (normalize.hpp), so case, accents, look-alike
// letters and leetspeak in a term do not matter; punctuation inside a term
// acts as a word separator. A "*" anywhere but at the end is punctuation.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace amur::moderation {

inline constexpr std::size_t kMaxTermBytes = 200;
inline constexpr std::size_t kMaxTermsPerList = 100'000;

struct Term {
  std::string text;     // as written, without the "*" and surrounding space
  bool prefix = false;  // written with a trailing "*"
  int line = 0;         // 1-based line in the source text; 0 when built in code
  friend bool operator==(const Term&, const Term&) = default;
};

struct TermListError {
  int line = 0;
  std::string message;  // a sentence for a moderator
};

struct ParsedTermList {
  std::vector<Term> terms;  // in file order; exact duplicates removed
  std::vector<TermListError> errors;
};

// Parses a term list. Never fails as a whole: a bad line (invalid UTF-8, a
// term longer than kMaxTermBytes, a lone "*", lines past kMaxTermsPerList
// terms) is skipped and reported in `errors`. Accepts "\n", "\r\n" and "\r"
// line ends and a leading UTF-8 byte-order mark.
ParsedTermList ParseTermList(std::string_view text);

// The list as text in the same format, one term per line (comments are not
// kept). ParseTermList(FormatTermList(t)).terms == t for terms without
// "#" or line breaks.
std::string FormatTermList(const std::vector<Term>& terms);

}  // namespace amur::moderation
