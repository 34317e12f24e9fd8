// Finds banned and suspect terms in text, robust to obfuscation and free of
// the Scunthorpe problem.
//
//   * Text and terms are both put through NormalizeForMatching, so "n1gg3r",
//     "ｎｉｇｇｅｒ" and "n i g g e r" all read "nigger".
//   * Terms match whole words only: "snigger", "Scunthorpe", "therapist",
//     "Essex" never match "nigger", "cunt", "rapist", "sex".
//   * A letter may be repeated in the text ("niiigger", "fuuuck"); a doubled
//     letter in a term must stay doubled, so the term "nigger" never matches
//     "Niger".
//   * A match that lies inside an allow-listed word or phrase is dropped:
//     with the prefix term "cock*", "cocktail" is allowed by the allow-list
//     entry "cocktail"; with the term "dick", "Dick Cheney" by "dick cheney".
//     Allow-list entries match letter runs exactly (no tolerated repeats).
//
//   * A masked word ("f*ck", "n**ger", "c-nt", "f!ck"; NormalizedText::masked)
//     matches a one-word term of four or more letters whose letters agree
//     with it position by position, each mask character standing for exactly
//     one letter. An exact term must have the word's length; a prefix term
//     must fit in the word with at least one mask strictly inside the term
//     ("f*cking" is "fuck*"; "slu-edu" is not "slut*"). The word is read every way the lists
//     allow: if any reading is allow-listed it is dropped; otherwise if any
//     reading is a suspect term it is that suspect term ("s**t" may be
//     "shit", not only "slut"); otherwise it is the longest banned term it
//     fits. A masked word overlapping an ordinary match is not reported again.
//     The check per masked word is bounded by the terms with its first letter.
//
// Matching uses RE2 (no backtracking, linear time): each list is compiled
// into alternations of escaped literals (split into chunks so that no
// regular expression outgrows its memory budget), which find where a term
// may start; hash tables then name the term and check letter repeats. Time
// per text is linear in its length for a given matcher.
//
// A TermMatcher is immutable after Build and safe to use from many threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "moderation/normalize.hpp"
#include "moderation/term_list.hpp"

namespace amur::moderation {

enum class TermKind { kBanned, kSuspect };

// "banned" or "suspect".
const char* TermKindName(TermKind kind);

struct TermMatch {
  TermKind kind = TermKind::kBanned;
  std::string term;  // the list entry as written, with "*" for a prefix term
  ByteSpan span;     // the matched words in the ORIGINAL text (whole words)
  bool masked = false;  // found as a masked word ("f*ck"; see below)
  friend bool operator==(const TermMatch&, const TermMatch&) = default;
};

struct TermLists {
  std::vector<Term> banned;
  std::vector<Term> suspect;
  std::vector<Term> allow;
};

struct TermMatcherOptions {
  // RE2 memory budget for each compiled regular expression.
  std::int64_t max_mem_per_regex = 16 << 20;
  // A list whose escaped alternation is longer than this is split into
  // several regular expressions.
  std::size_t max_pattern_bytes_per_regex = 24 << 10;
  // Find stops after this many matches per list (the text is bad enough).
  std::size_t max_matches_per_list = 32;
};

// Counts of what Build used; terms that normalise to fewer than two
// characters (e.g. "[", "\\", "a") are skipped because they would match
// ordinary text.
struct TermMatcherStats {
  std::size_t banned = 0;
  std::size_t suspect = 0;
  std::size_t allow = 0;
  std::size_t skipped = 0;
  std::size_t regexes = 0;
};

class TermMatcher final {
 public:
  // Compiles the lists. Fails with kInvalidField only when RE2 rejects a
  // chunk (which the escaping and the size limits of term_list.hpp make
  // unexpected); an empty list is fine and matches nothing.
  static Result<std::shared_ptr<const TermMatcher>> Build(const TermLists& lists,
                                                          const TermMatcherOptions& options = {});

  ~TermMatcher();
  TermMatcher(const TermMatcher&) = delete;
  TermMatcher& operator=(const TermMatcher&) = delete;

  // Banned and suspect matches in `text` (already normalised from
  // `original`), ordered by position; spans are in `original`. A suspect
  // match overlapping a banned one is not reported. At most
  // options.max_matches_per_list of each kind.
  std::vector<TermMatch> Find(const NormalizedText& text) const;

  // Normalises `utf8` and calls Find.
  std::vector<TermMatch> FindIn(std::string_view utf8) const;

  const TermMatcherStats& stats() const;

  class Impl;

 private:
  explicit TermMatcher(std::unique_ptr<Impl> impl);
  // Appends the matches of text.masked to `out` (which holds the ordinary
  // matches).
  void FindMasked(const NormalizedText& text, std::vector<TermMatch>& out) const;
  std::unique_ptr<Impl> impl_;
};

// Parses three lists in the term_list.hpp format and builds a matcher.
// Parse errors do not fail the build; they are appended to `errors` (when
// not null) prefixed with the list name ("banned", "suspect", "allow").
Result<std::shared_ptr<const TermMatcher>> BuildTermMatcher(
    std::string_view banned, std::string_view suspect, std::string_view allow,
    std::vector<std::string>* errors = nullptr, const TermMatcherOptions& options = {});

}  // namespace amur::moderation
