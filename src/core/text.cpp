#include "core/text.hpp"

#include <cstdint>

namespace amur {

namespace {

// Decodes one code point at s[i]; returns its length, or 0 when malformed.
std::size_t Decode(std::string_view s, std::size_t i, char32_t* cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  std::size_t len;
  char32_t c;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    c = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    c = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    c = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    c = (c << 6) | (b & 0x3F);
  }
  static constexpr char32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (c < kMin[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
  *cp = c;
  return len;
}

bool IsUnicodeSpace(char32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
         c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
         c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000 ||
         c == 0xFEFF || c == 0x200B;
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  std::size_t i = 0;
  char32_t cp;
  while (i < s.size()) {
    const std::size_t n = Decode(s, i, &cp);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::size_t CountCodePoints(std::string_view s) {
  std::size_t n = 0;
  for (char ch : s) {
    if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string_view TrimUnicodeSpace(std::string_view s) {
  std::size_t begin = 0;
  char32_t cp;
  while (begin < s.size()) {
    const std::size_t n = Decode(s, begin, &cp);
    if (n == 0 || !IsUnicodeSpace(cp)) break;
    begin += n;
  }
  std::size_t end = s.size();
  while (end > begin) {
    std::size_t start = end - 1;
    while (start > begin && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    const std::size_t n = Decode(s, start, &cp);
    if (n == 0 || !IsUnicodeSpace(cp)) break;
    end = start;
  }
  return s.substr(begin, end - begin);
}

std::string_view TrimBlankLinesAndTrailingSpace(std::string_view s) {
  const std::string_view trimmed = TrimUnicodeSpace(s);
  if (trimmed.empty()) return trimmed;
  // The first line that is not blank starts after the last line break (LF,
  // CR or CRLF, as in CommonMark) among the leading white space.
  const std::size_t lead = static_cast<std::size_t>(trimmed.data() - s.data());
  const std::size_t newline = s.substr(0, lead).find_last_of("\r\n");
  const std::size_t begin = newline == std::string_view::npos ? 0 : newline + 1;
  return s.substr(begin, lead - begin + trimmed.size());
}

bool HasControlChars(std::string_view s) {
  std::size_t i = 0;
  char32_t cp;
  while (i < s.size()) {
    const std::size_t n = Decode(s, i, &cp);
    if (n == 0) return true;
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0x2028 || cp == 0x2029) {
      return true;
    }
    i += n;
  }
  return false;
}

std::string StripControlCharsKeepNewlines(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const auto b = static_cast<unsigned char>(ch);
    if (b < 0x20 && b != '\n' && b != '\r' && b != '\t') continue;
    if (b == 0x7F) continue;
    out.push_back(ch);
  }
  return out;
}

}  // namespace amur
