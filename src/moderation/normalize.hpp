// Text normalisation for term matching: folds the many ways of writing a word
// ("ｎｉｇｇｅｒ", "nіggеr" with Cyrillic letters, "n1gg3r", "n.i.g.g.e.r",
// "niiiigggger", "nig\u200Dger") to one plain lower-case form, and keeps, for
// every output byte, the span of the original text it came from, so that a
// match can be shown to a moderator in the text the author wrote.
//
// The output is for matching only, never for display.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace amur::moderation {

// A half-open byte range [begin, end) of some text.
struct ByteSpan {
  std::size_t begin = 0;
  std::size_t end = 0;
  friend bool operator==(const ByteSpan&, const ByteSpan&) = default;
};

// The letter a masked character stands for in MaskedWord::pattern.
inline constexpr char32_t kMaskedLetter = U'*';

// At most this many masked words are recorded per text (bounded matching).
inline constexpr std::size_t kMaxMaskedWords = 64;

// A word written with mask characters for some of its letters ("f*ck",
// "n**ger", "sh#t", "f!ck", "c-nt"). See step 6 of NormalizeForMatching.
struct MaskedWord {
  // The word's letters, folded like NormalizedText::text (runs of three or
  // more identical letters cut to two), one code point each, with
  // kMaskedLetter for every mask character.
  std::u32string pattern;
  ByteSpan source;  // the whole word in the original text
  friend bool operator==(const MaskedWord&, const MaskedWord&) = default;
};

struct NormalizedText {
  // Words separated by single ASCII spaces, no leading or trailing space. A
  // word is a run of letters (any script) and digits; everything else is a
  // separator. Lower case (full case folding); runs of three or more identical
  // characters are cut to two ("niiiigggger" -> "niigger"), so matching can
  // still tell "nigger" from "Niger".
  std::string text;
  // For each byte i of `text`: the original bytes that produced it. Every
  // byte of one output code point has the same span; an inserted word
  // separator maps to the first separator character it replaced.
  std::vector<std::uint32_t> source_begin;
  std::vector<std::uint32_t> source_end;
  // The words of `text` made by joining single characters (step 3 below),
  // as byte ranges of `text`, in order. Such a word has no reliable inner
  // boundaries ("a n i g g e r" reads "anigger"), so matchers should look
  // for terms anywhere inside it.
  std::vector<ByteSpan> joined;
  // Words with mask characters inside (step 6), in order, at most
  // kMaxMaskedWords. `text` reads them as separate words ("f ck").
  std::vector<MaskedWord> masked;

  // The span of the original text that produced text[begin, end).
  // REQUIRES: begin < end <= text.size().
  ByteSpan SourceSpan(std::size_t begin, std::size_t end) const {
    return ByteSpan{source_begin[begin], source_end[end - 1]};
  }
};

// Normalises `utf8` for matching. The steps, in order:
//   1. per code point: NFKC with case folding (fullwidth, mathematical,
//      circled and ligature forms become plain letters; default-ignorable
//      characters such as U+200B..U+200D, U+2060, U+FEFF and the soft hyphen
//      disappear), canonical decomposition with combining marks removed
//      ("é" -> "e", stacked "Zalgo" marks vanish), then for letters outside
//      ASCII the ICU confusable skeleton (uspoof) when it is one ASCII letter
//      (Cyrillic "і", "е", Greek "ο" -> "i", "e", "o"), plus small capitals,
//      regional-indicator and negative squared/circled letters;
//   2. "!" and "|" count as letters inside a word ("sh!t") and as separators
//      elsewhere ("idiot!"); "@" counts only between word characters;
//   3. three or more single characters separated by one to three separator
//      characters are joined ("n i g g e r", "n.i.g.g.e.r", "n-i-g-g-e-r",
//      "n_i_g_g_e_r", "n|i|g|g|e|r" -> "nigger"); ordinary words stay apart;
//      a letter attached by an apostrophe ("isn't") is never joined;
//   4. leetspeak inside words that contain letters, when the word has at
//      least as many letters as look-alike symbols (0->o 1->i 3->e 4->a 5->s
//      7->t 8->b 9->g @->a $->s !->i |->i €->e ¢->c): "n1gg3r" -> "nigger",
//      while "1990s" and "$100" keep their digits;
//   5. runs of three or more identical characters cut to two;
//   6. masked words are recorded in `masked`: a run of letters with one or
//      more runs of one to three mask characters inside it (* # @ $ ! | % _
//      - + ? ~ ^ • ∗; "@ $ ! |" also where step 4 read them as letters), at
//      least four characters long, with at least as many letters as mask
//      characters and at least two letters. Mask characters at either end
//      ("C#", "word*", "**bold**", "hello!!!"), runs of four or more, words
//      next to a digit ("5*3", "x2-y", "US$5") and anything in a blank-delimited
//      chunk that looks like an address ("://", "www.", an "@" followed by a
//      ".") are not masked words. "." "&" and "'" are never mask characters
//      ("e.g.", "Q&A", "isn't").
// Invalid UTF-8 is read as U+FFFD (a separator) per bad byte; never throws on
// any input except std::bad_alloc. Time and memory are linear in the input
// size (callers cap the input; see analysis.hpp).
NormalizedText NormalizeForMatching(std::string_view utf8);

}  // namespace amur::moderation
