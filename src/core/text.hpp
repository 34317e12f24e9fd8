// UTF-8 helpers for validating untrusted text at the edge.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace amur {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Number of Unicode code points in well-formed UTF-8.
std::size_t CountCodePoints(std::string_view s);

// `s` without surrounding Unicode white space (ASCII space/tab/CR/LF/FF/VT,
// U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000,
// U+FEFF). REQUIRES: IsValidUtf8(s).
std::string_view TrimUnicodeSpace(std::string_view s);

// `s` without its leading blank lines (lines of nothing but the white space
// of TrimUnicodeSpace, each with its LF, CR or CRLF) and without trailing white
// space: the first line that is not blank keeps its indentation.
// REQUIRES: IsValidUtf8(s).
std::string_view TrimBlankLinesAndTrailingSpace(std::string_view s);

// True when `s` holds a C0/C1 control character or U+2028/U+2029 — not
// allowed in one-line fields such as names. Tab counts as a control here.
bool HasControlChars(std::string_view s);

// Removes NUL and C0 controls other than tab, newline and carriage return;
// for multi-line text such as comment bodies.
std::string StripControlCharsKeepNewlines(std::string_view s);

}  // namespace amur
