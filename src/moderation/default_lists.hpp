// The default English term lists shipped in data/moderation/ and compiled
// into the binary (see data/moderation/README.md for their licence and
// provenance). A site starts with these; admins edit their own copies.
#pragma once

#include <memory>
#include <string_view>

#include "moderation/term_matcher.hpp"

namespace amur::moderation {

struct DefaultTermListTexts {
  std::string_view banned;   // data/moderation/banned-en.txt
  std::string_view suspect;  // data/moderation/suspect-en.txt
  std::string_view allow;    // data/moderation/allow-en.txt
};

// The embedded texts, in the term_list.hpp format. Never fails: a missing
// file (a broken build) reads as an empty list.
const DefaultTermListTexts& DefaultTermLists();

// A matcher built once from DefaultTermLists(), shared. Throws
// std::logic_error if the shipped lists do not compile (a bug, caught by the
// unit tests).
std::shared_ptr<const TermMatcher> DefaultTermMatcher();

// The classifier's seed corpus, data/moderation/seed-en.tsv (label:kind[:reply]
// <TAB>text lines, '#' comments), as embedded. Empty in a broken build.
std::string_view DefaultSeedCorpus();

}  // namespace amur::moderation
