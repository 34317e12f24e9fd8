#include "moderation/normalize.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uspoof.h>
#include <unicode/utf16.h>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>
#include <unordered_map>

namespace amur::moderation {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// What a code point is for word building, after mapping.
enum class Cls : std::uint8_t {
  kLetter,
  kDigit,
  kLeet,  // a symbol that may stand for a letter: @ $ ! | € ¢
  kApos,  // an apostrophe: joins "isn't" and stops single-letter joining
  kSep,   // anything else: ends a word
  kDrop,  // removed (the separators inside a joined "n.i.g.g.e.r")
};

struct Unit {
  char32_t cp;
  std::uint32_t begin;  // the original code point's bytes
  std::uint32_t end;
  Cls cls;
  bool joined = false;  // part of a run of single characters that was joined
};

// ---------------------------------------------------------------- UTF-8 --

// Decodes one code point at s[i]; sets *len to the bytes consumed (>= 1).
// Malformed sequences yield U+FFFD for one byte.
char32_t DecodeUtf8(std::string_view s, std::size_t i, std::size_t* len) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  *len = 1;
  if (b0 < 0x80) return b0;
  int n = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 1, cp = b0 & 0x1F, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 2, cp = b0 & 0x0F, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 3, cp = b0 & 0x07, min = 0x10000;
  } else {
    return kReplacement;
  }
  if (s.size() - i <= static_cast<std::size_t>(n)) return kReplacement;
  for (int k = 1; k <= n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return kReplacement;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return kReplacement;
  *len = static_cast<std::size_t>(n) + 1;
  return cp;
}

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// ------------------------------------------------------ per code point --

struct LookAlike {
  char32_t from;
  char32_t to;
};

// Look-alikes the confusable skeleton leaves outside ASCII: small capitals,
// letters with strokes, and the "faux Cyrillic" letters used for Latin ones.
constexpr LookAlike kExtraLookAlikes[] = {
    {0x1D00, U'a'}, {0x0299, U'b'}, {0x1D04, U'c'}, {0x1D05, U'd'},  // ᴀ ʙ ᴄ ᴅ
    {0x1D07, U'e'}, {0xA730, U'f'}, {0x0262, U'g'}, {0x029C, U'h'},  // ᴇ ꜰ ɢ ʜ
    {0x026A, U'i'}, {0x1D0A, U'j'}, {0x1D0B, U'k'}, {0x029F, U'l'},  // ɪ ᴊ ᴋ ʟ
    {0x1D0D, U'm'}, {0x0274, U'n'}, {0x1D0F, U'o'}, {0x1D18, U'p'},  // ᴍ ɴ ᴏ ᴘ
    {0xA7AF, U'q'}, {0x0280, U'r'}, {0xA731, U's'}, {0x1D1B, U't'},  // ꞯ ʀ ꜱ ᴛ
    {0x1D1C, U'u'}, {0x1D20, U'v'}, {0x1D21, U'w'}, {0x028F, U'y'},  // ᴜ ᴠ ᴡ ʏ
    {0x1D22, U'z'}, {0x0138, U'k'}, {0x03C0, U'n'}, {0x03B5, U'e'},  // ᴢ ĸ π ε
    {0x03B7, U'n'}, {0x03C5, U'u'}, {0x03C9, U'w'}, {0x03B2, U'b'},  // η υ ω β
    {0x03B3, U'y'}, {0x03C7, U'x'}, {0x0142, U'l'}, {0x00F8, U'o'},  // γ χ ł ø
    {0x0111, U'd'}, {0x0127, U'h'}, {0x0167, U't'}, {0x0180, U'b'},  // đ ħ ŧ ƀ
    {0x0268, U'i'}, {0x0289, U'u'}, {0x00F0, U'd'}, {0x0438, U'n'},  // ɨ ʉ ð и
    {0x044F, U'r'}, {0x0448, U'w'}, {0x044C, U'b'}, {0x0431, U'b'},  // я ш ь б
    {0x0446, U'u'},                                                  // ц
};

char32_t ExtraLookAlike(char32_t c) {
  for (const LookAlike& l : kExtraLookAlikes) {
    if (l.from == c) return l.to;
  }
  return 0;
}

class Icu final {
 public:
  static const Icu& Get() {
    static const Icu icu;
    return icu;
  }

  const icu::Normalizer2* nfkc_cf;
  const icu::Normalizer2* nfd;

  // The confusable skeleton of one code point, marks removed, as UTF-32.
  std::u32string Skeleton(char32_t c) const {
    std::array<UChar, 2> in{};
    int32_t in_len = 0;
    U16_APPEND_UNSAFE(in.data(), in_len, c);
    std::array<UChar, 32> out{};
    UErrorCode status = U_ZERO_ERROR;
    const int32_t n = uspoof_getSkeleton(spoof_, 0, in.data(), in_len, out.data(),
                                         static_cast<int32_t>(out.size()), &status);
    std::u32string result;
    if (U_FAILURE(status) || n <= 0) return result;
    icu::UnicodeString skeleton(out.data(), n);
    UErrorCode nfd_status = U_ZERO_ERROR;
    const icu::UnicodeString decomposed = nfd->normalize(skeleton, nfd_status);
    if (U_FAILURE(nfd_status)) return result;
    for (int32_t i = 0; i < decomposed.length();) {
      const UChar32 x = decomposed.char32At(i);
      i += U16_LENGTH(x);
      const auto type = u_charType(x);
      if (type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK) continue;
      result.push_back(static_cast<char32_t>(x));
    }
    return result;
  }

  // ASCII letter whose skeleton is the given lower-cased ASCII string
  // ("rn" -> 'm', "vv" -> 'w'), or 0.
  char32_t ReverseAsciiSkeleton(const std::u32string& s) const {
    const auto it = reverse_.find(s);
    return it == reverse_.end() ? 0 : it->second;
  }

 private:
  Icu() {
    UErrorCode status = U_ZERO_ERROR;
    nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(status);
    nfd = icu::Normalizer2::getNFDInstance(status);
    spoof_ = uspoof_open(&status);
    if (U_FAILURE(status) || nfkc_cf == nullptr || nfd == nullptr || spoof_ == nullptr) {
      throw std::runtime_error(std::string("ICU initialisation failed: ") + u_errorName(status));
    }
    for (char32_t c = U'a'; c <= U'z'; ++c) {
      std::u32string s = Skeleton(c);
      for (char32_t& x : s) {
        if (x >= U'A' && x <= U'Z') x += 32;
      }
      if (s != std::u32string(1, c)) reverse_.emplace(std::move(s), c);
    }
  }
  ~Icu() { uspoof_close(spoof_); }

  USpoofChecker* spoof_ = nullptr;
  std::unordered_map<std::u32string, char32_t> reverse_;
};

bool IsAsciiLowerLetter(char32_t c) { return c >= U'a' && c <= U'z'; }

// A letter outside ASCII, after NFKC and mark removal: its ASCII look-alike
// when it has one, else itself.
char32_t FoldLookAlike(const Icu& icu, char32_t x) {
  if (const char32_t e = ExtraLookAlike(x)) return e;
  if (!u_isalpha(static_cast<UChar32>(x))) return x;
  std::u32string s = icu.Skeleton(x);
  if (s.size() == 1) {
    if (const char32_t e = ExtraLookAlike(s[0])) return e;
  }
  bool ascii = !s.empty();
  for (char32_t& c : s) {
    if (c >= U'A' && c <= U'Z') c += 32;
    if (!IsAsciiLowerLetter(c)) ascii = false;
  }
  if (!ascii) return x;
  if (const char32_t r = icu.ReverseAsciiSkeleton(s)) return r;
  if (s.size() == 1) return s[0];
  return x;
}

// The letters a non-ASCII code point stands for (possibly none).
std::u32string MapNonAscii(char32_t c) {
  // Letters NFKC leaves alone: negative circled and squared letters and
  // regional indicators ("🅽", "🇳").
  if (c >= 0x1F150 && c <= 0x1F169) return std::u32string(1, U'a' + (c - 0x1F150));
  if (c >= 0x1F170 && c <= 0x1F189) return std::u32string(1, U'a' + (c - 0x1F170));
  if (c >= 0x1F1E6 && c <= 0x1F1FF) return std::u32string(1, U'a' + (c - 0x1F1E6));
  if (c == 0x2019 || c == 0x2018 || c == 0x02BC) return std::u32string(1, U'\'');
  if (c == kReplacement) return std::u32string(1, U' ');
  if (u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_DEFAULT_IGNORABLE_CODE_POINT)) return {};

  const Icu& icu = Icu::Get();
  UErrorCode status = U_ZERO_ERROR;
  const icu::UnicodeString folded =
      icu.nfkc_cf->normalize(icu::UnicodeString(static_cast<UChar32>(c)), status);
  if (U_FAILURE(status)) return std::u32string(1, U' ');
  const icu::UnicodeString decomposed = icu.nfd->normalize(folded, status);
  if (U_FAILURE(status)) return std::u32string(1, U' ');
  std::u32string out;
  for (int32_t i = 0; i < decomposed.length();) {
    const UChar32 x = decomposed.char32At(i);
    i += U16_LENGTH(x);
    const auto type = u_charType(x);
    if (type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK) continue;
    if (x < 0x80) {
      out.push_back(static_cast<char32_t>(x >= 'A' && x <= 'Z' ? x + 32 : x));
    } else if (type == U_DECIMAL_DIGIT_NUMBER) {
      out.push_back(U'0' + static_cast<char32_t>(u_charDigitValue(x)));
    } else {
      out.push_back(FoldLookAlike(icu, static_cast<char32_t>(x)));
    }
  }
  return out;
}

// MapNonAscii with a per-thread cache (bounded; cleared when full).
const std::u32string& MapNonAsciiCached(char32_t c) {
  thread_local std::unordered_map<char32_t, std::u32string> cache;
  if (const auto it = cache.find(c); it != cache.end()) return it->second;
  if (cache.size() >= 8192) cache.clear();
  return cache.emplace(c, MapNonAscii(c)).first->second;
}

Cls Classify(char32_t c) {
  if (c < 0x80) {
    if (IsAsciiLowerLetter(c)) return Cls::kLetter;
    if (c >= U'0' && c <= U'9') return Cls::kDigit;
    switch (c) {
      case U'@':
      case U'$':
      case U'!':
      case U'|':
        return Cls::kLeet;
      case U'\'':
      case U'`':
        return Cls::kApos;
      default:
        return Cls::kSep;
    }
  }
  if (c == 0x20AC || c == 0x00A2) return Cls::kLeet;  // € ¢
  if (u_isalpha(static_cast<UChar32>(c))) return Cls::kLetter;
  if (u_charType(static_cast<UChar32>(c)) == U_COMBINING_SPACING_MARK) return Cls::kLetter;
  return Cls::kSep;
}

// The letter a look-alike digit or symbol stands for, or 0.
char32_t LeetLetter(char32_t c) {
  constexpr LookAlike kLeet[] = {
      {U'0', U'o'}, {U'1', U'i'}, {U'3', U'e'},   {U'4', U'a'},   {U'5', U's'},
      {U'7', U't'}, {U'8', U'b'}, {U'9', U'g'},   {U'@', U'a'},   {U'$', U's'},
      {U'!', U'i'}, {U'|', U'i'}, {0x20AC, U'e'}, {0x00A2, U'c'},  // € ¢
  };
  for (const LookAlike& l : kLeet) {
    if (l.from == c) return l.to;
  }
  return 0;
}

// ------------------------------------------------------------- passes --

// Pass A: decode and map every code point to zero or more units.
void BuildUnits(std::string_view s, std::vector<Unit>& units) {
  units.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t len = 1;
    const char32_t c = DecodeUtf8(s, i, &len);
    const auto begin = static_cast<std::uint32_t>(i);
    const auto end = static_cast<std::uint32_t>(i + len);
    i += len;
    if (c < 0x80) {
      const char32_t lower = (c >= U'A' && c <= U'Z') ? c + 32 : c;
      units.push_back(Unit{lower, begin, end, Classify(lower)});
      continue;
    }
    for (const char32_t m : MapNonAsciiCached(c)) {
      units.push_back(Unit{m, begin, end, Classify(m)});
    }
  }
}

bool IsWordish(const std::vector<Unit>& u, std::ptrdiff_t i) {
  if (i < 0 || i >= static_cast<std::ptrdiff_t>(u.size())) return false;
  const Cls c = u[static_cast<std::size_t>(i)].cls;
  return c == Cls::kLetter || c == Cls::kDigit;
}

bool IsTokenish(const std::vector<Unit>& u, std::ptrdiff_t i) {
  if (i < 0 || i >= static_cast<std::ptrdiff_t>(u.size())) return false;
  const Cls c = u[static_cast<std::size_t>(i)].cls;
  return c == Cls::kLetter || c == Cls::kDigit || c == Cls::kLeet;
}

// Pass B: decide which look-alike symbols sit inside words; the others are
// separators ("idiot!", "@name", "n|i|g").
void ResolveSymbols(std::vector<Unit>& u) {
  std::vector<std::size_t> to_sep;
  for (std::size_t k = 0; k < u.size(); ++k) {
    if (u[k].cls != Cls::kLeet) continue;
    const auto i = static_cast<std::ptrdiff_t>(k);
    bool inside = false;
    switch (u[k].cp) {
      case U'!':
      case U'|':
        inside = IsWordish(u, i + 1) &&
                 ((IsWordish(u, i - 1) && IsWordish(u, i - 2)) || IsWordish(u, i + 2));
        break;
      case U'@':
        inside = IsWordish(u, i - 1) && IsWordish(u, i + 1);
        break;
      default:  // $ € ¢
        inside = IsTokenish(u, i - 1) || IsTokenish(u, i + 1);
        break;
    }
    if (!inside) to_sep.push_back(k);
  }
  for (const std::size_t k : to_sep) u[k].cls = Cls::kSep;
}

struct Token {
  std::size_t begin;  // unit indexes, [begin, end)
  std::size_t end;
};

bool IsTokenCls(Cls c) { return c == Cls::kLetter || c == Cls::kDigit || c == Cls::kLeet; }

// Pass C: join runs of three or more single characters separated by short
// separator gaps ("n i g g e r"): the gaps are dropped.
void JoinSpacedLetters(std::vector<Unit>& u) {
  std::vector<Token> tokens;
  for (std::size_t i = 0; i < u.size();) {
    if (!IsTokenCls(u[i].cls)) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < u.size() && IsTokenCls(u[j].cls)) ++j;
    tokens.push_back(Token{i, j});
    i = j;
  }
  const auto is_contraction_gap = [&](std::size_t from, std::size_t to) {
    return to - from == 1 && u[from].cls == Cls::kApos;
  };
  const auto eligible = [&](std::size_t t) {
    const Token& tok = tokens[t];
    if (tok.end - tok.begin != 1) return false;
    if (t > 0 && is_contraction_gap(tokens[t - 1].end, tok.begin)) return false;
    if (t + 1 < tokens.size() && is_contraction_gap(tok.end, tokens[t + 1].begin)) return false;
    return true;
  };
  constexpr std::size_t kMaxGap = 3;
  std::size_t t = 0;
  while (t < tokens.size()) {
    if (!eligible(t)) {
      ++t;
      continue;
    }
    std::size_t last = t;
    while (last + 1 < tokens.size() && eligible(last + 1) &&
           tokens[last + 1].begin - tokens[last].end <= kMaxGap) {
      ++last;
    }
    const std::size_t count = last - t + 1;
    std::size_t letters = 0;
    for (std::size_t k = t; k <= last; ++k) {
      if (u[tokens[k].begin].cls == Cls::kLetter) ++letters;
    }
    if (count >= 3 && letters >= 2) {
      for (std::size_t k = t; k <= last; ++k) {
        u[tokens[k].begin].joined = true;
        if (k == last) break;
        for (std::size_t g = tokens[k].end; g < tokens[k + 1].begin; ++g) u[g].cls = Cls::kDrop;
      }
    }
    t = last + 1;
  }
}

// Pass D: leetspeak inside words with letters. Dropped units are
// transparent: a joined "n 1 g g 3 r" is one word here.
void ApplyLeet(std::vector<Unit>& u) {
  std::size_t i = 0;
  std::vector<std::size_t> members;
  while (i < u.size()) {
    if (!IsTokenCls(u[i].cls)) {
      ++i;
      continue;
    }
    members.clear();
    std::size_t j = i;
    while (j < u.size() && (IsTokenCls(u[j].cls) || u[j].cls == Cls::kDrop)) {
      if (u[j].cls != Cls::kDrop) members.push_back(j);
      ++j;
    }
    std::size_t letters = 0;
    std::size_t lookalikes = 0;
    for (const std::size_t k : members) {
      if (u[k].cls == Cls::kLetter) {
        ++letters;
      } else if (LeetLetter(u[k].cp) != 0) {
        ++lookalikes;
      }
    }
    const bool map = letters > 0 && lookalikes <= letters;
    for (const std::size_t k : members) {
      if (u[k].cls == Cls::kLetter) continue;
      const char32_t l = LeetLetter(u[k].cp);
      if (map && l != 0) {
        u[k].cp = l;
        u[k].cls = Cls::kLetter;
      } else if (u[k].cls == Cls::kLeet) {
        u[k].cls = Cls::kSep;
      }
    }
    i = j;
  }
}

// Pass F: masked words ("f*ck", "n**ger", "f!ck"), from the units after
// leetspeak. `s` is the original text (for the address check and to tell a
// look-alike symbol read as a letter from a real letter).
bool IsMaskChar(char32_t c) {
  switch (c) {
    case U'*':
    case U'#':
    case U'@':
    case U'$':
    case U'!':
    case U'|':
    case U'%':
    case U'_':
    case U'-':
    case U'+':
    case U'?':
    case U'~':
    case U'^':
    case 0x2022:  // •
    case 0x2217:  // ∗
      return true;
    default:
      return false;
  }
}

bool IsBlank(char32_t c) {
  return c == U' ' || c == U'\t' || c == U'\n' || c == U'\r' || c == U'\v' || c == U'\f';
}

// An e-mail address, a URL or a host name: its dots and "@" are not masks.
bool LooksLikeAddress(std::string_view raw) {
  if (raw.find("://") != std::string_view::npos) return true;
  const std::size_t at = raw.find('@');
  if (at != std::string_view::npos && raw.find('.', at) != std::string_view::npos) return true;
  return raw.size() >= 4 && (raw[0] == 'w' || raw[0] == 'W') && (raw[1] == 'w' || raw[1] == 'W') &&
         (raw[2] == 'w' || raw[2] == 'W') && raw[3] == '.';
}

enum class Item : std::uint8_t { kLetter, kMask, kDigit, kBreak };

Item ItemOf(std::string_view s, const Unit& x) {
  switch (x.cls) {
    case Cls::kLetter:
      if (x.end - x.begin == 1) {
        const auto c = static_cast<unsigned char>(s[x.begin]);
        // A look-alike symbol read as a letter ("sh!t") is also a mask; a
        // digit read as a letter keeps a word out ("US$5", "n1gg*r").
        if (IsMaskChar(c)) return Item::kMask;
        if (c >= '0' && c <= '9') return Item::kDigit;
      }
      return Item::kLetter;
    case Cls::kDigit:
      return Item::kDigit;
    case Cls::kSep:
    case Cls::kLeet:
      return IsMaskChar(x.cp) ? Item::kMask : Item::kBreak;
    default:
      return Item::kBreak;
  }
}

// One segment [b, e) of items between breaks: trims masks at the ends and
// records it when it is a masked word.
void MaybeRecordMasked(const std::vector<Unit>& u, const std::vector<Item>& items, std::size_t b,
                       std::size_t e, std::vector<MaskedWord>& out) {
  while (b < e && items[b] == Item::kMask) ++b;
  while (e > b && items[e - 1] == Item::kMask) --e;
  if (e - b < 4) return;
  std::size_t letters = 0;
  std::size_t masks = 0;
  MaskedWord w;
  w.pattern.reserve(e - b);
  char32_t last = 0;
  int run = 0;
  for (std::size_t i = b; i < e; ++i) {
    if (items[i] == Item::kMask) {
      ++masks;
      w.pattern.push_back(kMaskedLetter);
      last = 0;
      continue;
    }
    ++letters;
    if (u[i].cp == last) {
      if (++run > 2) continue;
    } else {
      last = u[i].cp;
      run = 1;
    }
    w.pattern.push_back(u[i].cp);
  }
  if (masks == 0 || letters < 2 || letters < masks) return;
  w.source = ByteSpan{u[b].begin, u[e - 1].end};
  out.push_back(std::move(w));
}

void FindMaskedWords(std::string_view s, const std::vector<Unit>& u,
                     std::vector<MaskedWord>& out) {
  if (std::none_of(u.begin(), u.end(),
                   [&](const Unit& x) { return ItemOf(s, x) == Item::kMask; })) {
    return;  // most comments
  }
  std::vector<Item> items(u.size(), Item::kBreak);  // only [blob, blob_end) is used
  std::size_t blob = 0;
  while (blob < u.size() && out.size() < kMaxMaskedWords) {
    if (IsBlank(u[blob].cp)) {
      ++blob;
      continue;
    }
    std::size_t blob_end = blob;
    while (blob_end < u.size() && !IsBlank(u[blob_end].cp)) ++blob_end;
    const std::size_t raw_begin = u[blob].begin;
    const std::string_view raw = s.substr(raw_begin, u[blob_end - 1].end - raw_begin);
    bool any_mask = false;
    for (std::size_t i = blob; i < blob_end; ++i) {
      items[i] = ItemOf(s, u[i]);
      any_mask = any_mask || items[i] == Item::kMask;
    }
    if (any_mask && !LooksLikeAddress(raw)) {
      // Runs of four or more masks break words.
      for (std::size_t i = blob; i < blob_end;) {
        if (items[i] != Item::kMask) {
          ++i;
          continue;
        }
        std::size_t j = i;
        while (j < blob_end && items[j] == Item::kMask) ++j;
        if (j - i > 3) {
          std::fill(items.begin() + static_cast<std::ptrdiff_t>(i),
                    items.begin() + static_cast<std::ptrdiff_t>(j), Item::kBreak);
        }
        i = j;
      }
      for (std::size_t i = blob; i < blob_end && out.size() < kMaxMaskedWords;) {
        if (items[i] == Item::kBreak || items[i] == Item::kDigit) {
          ++i;
          continue;
        }
        std::size_t j = i;
        while (j < blob_end && (items[j] == Item::kLetter || items[j] == Item::kMask)) ++j;
        const bool next_to_digit = (i > blob && items[i - 1] == Item::kDigit) ||
                                   (j < blob_end && items[j] == Item::kDigit);
        if (!next_to_digit) MaybeRecordMasked(u, items, i, j, out);
        i = j;
      }
    }
    blob = blob_end;
  }
}

// Pass E: words joined by single spaces, repeats cut to two, with sources.
void Emit(const std::vector<Unit>& u, NormalizedText& out) {
  out.text.reserve(u.size());
  out.source_begin.reserve(u.size());
  out.source_end.reserve(u.size());
  const Unit* pending_sep = nullptr;
  bool in_word = false;
  bool in_joined = false;
  std::size_t joined_begin = 0;
  auto close_joined = [&] {
    if (in_joined && out.text.size() > joined_begin) {
      out.joined.push_back(ByteSpan{joined_begin, out.text.size()});
    }
    in_joined = false;
  };
  char32_t last = 0;
  int run = 0;
  auto push = [&](char32_t cp, std::uint32_t b, std::uint32_t e) {
    AppendUtf8(out.text, cp);
    out.source_begin.resize(out.text.size(), b);
    out.source_end.resize(out.text.size(), e);
  };
  for (const Unit& x : u) {
    switch (x.cls) {
      case Cls::kDrop:
        continue;
      case Cls::kLetter:
      case Cls::kDigit:
        break;
      default:
        if (pending_sep == nullptr) pending_sep = &x;
        in_word = false;
        close_joined();
        continue;
    }
    if (!in_word) {
      if (!out.text.empty() && pending_sep != nullptr) {
        push(U' ', pending_sep->begin, pending_sep->end);
      }
      pending_sep = nullptr;
      in_word = true;
      last = 0;
      run = 0;
    }
    if (x.joined != in_joined) {
      close_joined();
      if (x.joined) {
        in_joined = true;
        joined_begin = out.text.size();
      }
    }
    if (x.cp == last) {
      if (++run > 2) continue;
    } else {
      last = x.cp;
      run = 1;
    }
    push(x.cp, x.begin, x.end);
  }
  close_joined();
}

}  // namespace

NormalizedText NormalizeForMatching(std::string_view utf8) {
  std::vector<Unit> units;
  BuildUnits(utf8, units);
  ResolveSymbols(units);
  JoinSpacedLetters(units);
  ApplyLeet(units);
  NormalizedText out;
  Emit(units, out);
  FindMaskedWords(utf8, units, out.masked);
  return out;
}

}  // namespace amur::moderation
