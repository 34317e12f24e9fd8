// Shouting in capitals: a comment whose cased letters are mostly upper case.
// Unicode-aware (ICU's Uppercase and Lowercase properties: "ЭТО", "ΑΥΤΟ" and
// fullwidth "ＡＢＣ" count like "ABC"); letters without case (Chinese, Arabic,
// Hebrew, …) count for nothing, so such text never shouts.
//
// Only the author's own prose counts. Left out: fenced and indented code
// blocks, `code spans`, URLs (http://, https://, www. and the targets of
// Markdown links "[text](target)"), @mentions, and one-letter words ("I",
// "A", which are capitals in ordinary prose). Acronyms are not left out —
// nothing tells "NATO" from "LIARS" without a dictionary — but ordinary
// prose around them keeps the share of capitals low: "NATO and the EU met
// the USA and the UK at the UN" is 13 capitals of 36 letters.
#pragma once

#include <cstddef>
#include <string_view>

namespace amur::moderation {

struct ShoutingOptions {
  // Fewer counted letters than this never shout ("THANK YOU", "WELL DONE ALL").
  std::size_t min_letters = 20;
  // The share of upper-case letters among the counted ones at or above which
  // a comment shouts.
  double min_upper_share = 0.7;
};

struct ShoutingCheck {
  std::size_t upper = 0;  // upper-case letters counted
  std::size_t lower = 0;  // lower-case letters counted
  bool shouting = false;
  std::size_t letters() const { return upper + lower; }
  double upper_share() const {
    return letters() == 0 ? 0.0 : static_cast<double>(upper) / static_cast<double>(letters());
  }
};

// Counts the cased letters of a Markdown body (see above) and says whether
// it shouts. Linear time; invalid UTF-8 bytes count as separators.
ShoutingCheck CheckShouting(std::string_view markdown, const ShoutingOptions& options = {});

}  // namespace amur::moderation
