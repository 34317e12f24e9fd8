#include "moderation/term_matcher.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <functional>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace amur::moderation {
namespace {

// The matching form of a normalised text: every run of one character cut to
// a single character, words between single spaces with one space before the
// first and after the last word (so " term " finds whole words). For each
// byte: the run length of its character (1 or 2; NormalizeForMatching has
// cut longer runs) and the bytes of NormalizedText::text it stands for.
struct Squeezed {
  std::string s;
  std::vector<std::uint8_t> run;
  std::vector<std::uint32_t> text_begin;
  std::vector<std::uint32_t> text_end;
};

std::size_t Utf8Length(unsigned char b) {
  if (b < 0x80) return 1;
  if (b >= 0xF0) return 4;
  if (b >= 0xE0) return 3;
  if (b >= 0xC0) return 2;
  return 1;
}

Squeezed Squeeze(std::string_view text) {
  Squeezed q;
  q.s.reserve(text.size() + 2);
  auto push = [&](std::string_view bytes, std::uint8_t run, std::uint32_t b, std::uint32_t e) {
    q.s.append(bytes);
    q.run.resize(q.s.size(), run);
    q.text_begin.resize(q.s.size(), b);
    q.text_end.resize(q.s.size(), e);
  };
  push(" ", 1, 0, 0);
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t len =
        std::min(Utf8Length(static_cast<unsigned char>(text[i])), text.size() - i);
    const std::string_view cp = text.substr(i, len);
    std::size_t j = i + len;
    std::uint8_t run = 1;
    if (cp != " ") {
      while (j + len <= text.size() && text.substr(j, len) == cp) {
        j += len;
        run = 2;
      }
    }
    push(cp, run, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j));
    i = j;
  }
  const auto n = static_cast<std::uint32_t>(text.size());
  push(" ", 1, n, n);
  return q;
}

// A term in matching form: its squeezed bytes and, per byte, the run length
// the text must have there.
struct SqueezedTerm {
  std::string key;
  std::vector<std::uint8_t> run;
};

SqueezedTerm SqueezeTerm(std::string_view normalized) {
  Squeezed q = Squeeze(normalized);
  SqueezedTerm t;
  t.key = q.s.substr(1, q.s.size() - 2);
  t.run.assign(q.run.begin() + 1, q.run.end() - 1);
  return t;
}

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

using TermTable =
    std::unordered_map<std::string, std::vector<std::size_t>, StringHash, std::equal_to<>>;

struct CompiledTerm {
  std::string written;  // as in the list, "*" appended for prefix terms
  std::vector<std::uint8_t> run;
};

// Terms shorter than this (in letters) are never matched by masked words:
// "a*s", "n*g", "j*p" are too easily formulas and initials.
constexpr std::size_t kMinMaskedTermLetters = 4;

// A one-word term as masked words see it.
struct MaskTerm {
  std::u32string letters;  // the normalised term, one code point each
  bool prefix = false;
  std::size_t term = 0;  // index into CompiledList::terms_
};

std::u32string DecodeUtf8Text(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    const std::size_t len = std::min(Utf8Length(b0), s.size() - i);
    char32_t cp = len == 1 ? b0 : (b0 & (0x7F >> len));
    for (std::size_t k = 1; k < len; ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

// Whether masked word `w` reads as term `t` (see term_matcher.hpp).
bool MaskedFits(const std::u32string& w, const MaskTerm& t) {
  const std::size_t n = t.letters.size();
  if (t.prefix ? w.size() < n : w.size() != n) return false;
  bool inner_mask = false;
  for (std::size_t i = 0; i < n; ++i) {
    if (w[i] == kMaskedLetter) {
      inner_mask = inner_mask || (i > 0 && i + 1 < n);
    } else if (w[i] != t.letters[i]) {
      return false;
    }
  }
  return inner_mask;
}

// One list: the regular expressions that find where a term may start, and
// the tables that say which term it is.
class CompiledList final {
 public:
  explicit CompiledList(bool exact_runs) : exact_runs_(exact_runs) {}

  // Returns false when the term is too short to be useful.
  bool Add(const Term& term) {
    const NormalizedText n = NormalizeForMatching(term.text);
    if (n.text.empty()) return false;
    std::size_t code_points = 0;
    for (const char c : n.text) {
      if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++code_points;
    }
    if (code_points < 2) return false;
    SqueezedTerm sq = SqueezeTerm(n.text);
    const std::size_t words =
        1 + static_cast<std::size_t>(std::count(sq.key.begin(), sq.key.end(), ' '));
    auto& table = term.prefix ? prefix_ : exact_;
    auto& ids = table[sq.key];
    const std::string written = term.prefix ? term.text + "*" : term.text;
    for (const std::size_t id : ids) {
      if (terms_[id].run == sq.run) return true;  // the same term written another way
    }
    if (ids.empty()) {
      (term.prefix ? prefix_keys_ : exact_keys_).push_back(sq.key);
    }
    ids.push_back(terms_.size());
    if (words == 1) {
      std::u32string letters = DecodeUtf8Text(n.text);
      if (letters.size() >= kMinMaskedTermLetters) {
        masked_by_first_[letters[0]].push_back(
            MaskTerm{std::move(letters), term.prefix, terms_.size()});
      }
    }
    terms_.push_back(CompiledTerm{written, std::move(sq.run)});
    if (term.prefix) {
      max_prefix_words_ = std::max(max_prefix_words_, words);
      max_prefix_bytes_ = std::max(max_prefix_bytes_, terms_.back().run.size());
    } else {
      max_exact_words_ = std::max(max_exact_words_, words);
      max_exact_bytes_ = std::max(max_exact_bytes_, terms_.back().run.size());
    }
    ++count_;
    return true;
  }

  // Compiles the alternations. Returns an error message, empty on success.
  std::string Compile(const TermMatcherOptions& options) {
    // Whole words: " key " for exact terms, " key" for prefix terms.
    std::vector<std::string> outer;
    for (const std::string& k : exact_keys_) outer.push_back(RE2::QuoteMeta(k) + " ");
    for (const std::string& k : prefix_keys_) outer.push_back(RE2::QuoteMeta(k));
    if (std::string e = CompileChunks(outer, " (?:", options, regexes_); !e.empty()) return e;
    // Inside joined words ("anigger" from "a n i g g e r"): one-word keys
    // anywhere.
    std::vector<std::string> inner;
    for (const auto* keys : {&exact_keys_, &prefix_keys_}) {
      for (const std::string& k : *keys) {
        if (k.find(' ') == std::string::npos) inner.push_back(RE2::QuoteMeta(k));
      }
    }
    return CompileChunks(inner, "(?:", options, inner_regexes_);
  }

  std::size_t count() const { return count_; }
  std::size_t regexes() const { return regexes_.size() + inner_regexes_.size(); }

  // Alternations of `alternatives`, each regular expression at most
  // options.max_pattern_bytes_per_regex long, appended to `out`.
  static std::string CompileChunks(const std::vector<std::string>& alternatives,
                                   std::string_view opening, const TermMatcherOptions& options,
                                   std::vector<std::unique_ptr<RE2>>& out) {
    RE2::Options re_options;
    re_options.set_encoding(RE2::Options::EncodingLatin1);
    re_options.set_max_mem(options.max_mem_per_regex);
    re_options.set_log_errors(false);
    std::string pattern;
    auto flush = [&]() -> std::string {
      if (pattern.empty()) return {};
      auto re = std::make_unique<RE2>(std::string(opening) + pattern + ")", re_options);
      if (!re->ok()) return re->error();
      out.push_back(std::move(re));
      pattern.clear();
      return {};
    };
    for (const std::string& alt : alternatives) {
      if (!pattern.empty() &&
          pattern.size() + alt.size() + 1 > options.max_pattern_bytes_per_regex) {
        if (std::string e = flush(); !e.empty()) return e;
      }
      if (!pattern.empty()) pattern += '|';
      pattern += alt;
    }
    return flush();
  }

  // The byte offsets in q.s (just after a space) where a term may start.
  void CandidateStarts(const Squeezed& q, std::vector<std::size_t>& starts) const {
    starts.clear();
    for (const auto& re : regexes_) {
      std::size_t pos = 0;
      re2::StringPiece m;
      while (pos < q.s.size() && re->Match(q.s, pos, q.s.size(), RE2::UNANCHORED, &m, 1)) {
        const std::size_t start = static_cast<std::size_t>(m.data() - q.s.data()) + 1;
        starts.push_back(start);
        pos = start;  // the next match starts at a later space
      }
    }
    std::sort(starts.begin(), starts.end());
    starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  }

  // The byte offsets in q.s[begin, end) (a joined word) where a one-word
  // term may start.
  void InnerCandidateStarts(const Squeezed& q, std::size_t begin, std::size_t end,
                            std::vector<std::size_t>& starts) const {
    starts.clear();
    const re2::StringPiece word(q.s.data() + begin, end - begin);
    for (const auto& re : inner_regexes_) {
      std::size_t pos = 0;
      re2::StringPiece m;
      while (pos < word.size() && re->Match(word, pos, word.size(), RE2::UNANCHORED, &m, 1)) {
        const auto start = static_cast<std::size_t>(m.data() - word.data());
        starts.push_back(begin + start);
        pos = start + 1;
      }
    }
    std::sort(starts.begin(), starts.end());
    starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  }

  struct Hit {
    std::size_t term = 0;
    std::size_t end = 0;  // byte offset in q.s, exclusive (a word end)
  };

  // The longest term that matches at `start` (a word start in q.s), if any.
  bool LongestAt(const Squeezed& q, std::size_t start, Hit* hit) const {
    bool found = false;
    const std::string_view s = q.s;
    auto consider = [&](const TermTable& table, std::size_t key_end, std::size_t match_end) {
      const auto it = table.find(s.substr(start, key_end - start));
      if (it == table.end()) return;
      for (const std::size_t id : it->second) {
        if (!RunsFit(q, start, terms_[id].run)) continue;
        if (!found || match_end > hit->end) {
          *hit = Hit{id, match_end};
          found = true;
        }
      }
    };
    std::size_t word_start = start;
    const std::size_t max_words = std::max(max_exact_words_, max_prefix_words_);
    for (std::size_t w = 1; w <= max_words && word_start < q.s.size(); ++w) {
      const std::size_t word_end = q.s.find(' ', word_start);
      if (word_end == std::string::npos || word_end == word_start) break;
      if (w <= max_exact_words_ && word_end - start <= max_exact_bytes_) {
        consider(exact_, word_end, word_end);
      }
      if (w <= max_prefix_words_) {
        const std::size_t limit = std::min(word_end, start + max_prefix_bytes_);
        for (std::size_t p = word_start + 1; p <= limit; ++p) consider(prefix_, p, word_end);
      }
      word_start = word_end + 1;
    }
    return found;
  }

  // The longest one-word term at `start` that ends inside q.s[start, end).
  bool LongestInside(const Squeezed& q, std::size_t start, std::size_t end, Hit* hit) const {
    bool found = false;
    const std::string_view s = q.s;
    const std::size_t limit = std::min(end, start + std::max(max_exact_bytes_, max_prefix_bytes_));
    for (std::size_t e = start + 1; e <= limit; ++e) {
      for (const TermTable* table : {&exact_, &prefix_}) {
        const auto it = table->find(s.substr(start, e - start));
        if (it == table->end()) continue;
        for (const std::size_t id : it->second) {
          if (RunsFit(q, start, terms_[id].run)) {
            *hit = Hit{id, e};
            found = true;
          }
        }
      }
    }
    return found;
  }

  const std::string& Written(std::size_t term) const { return terms_[term].written; }

  // The longest term (the first listed among equals) masked word `w` reads
  // as, if any.
  bool MaskedReading(const std::u32string& w, std::size_t* term) const {
    if (w.empty()) return false;
    const auto it = masked_by_first_.find(w[0]);
    if (it == masked_by_first_.end()) return false;
    const MaskTerm* best = nullptr;
    for (const MaskTerm& t : it->second) {
      if (MaskedFits(w, t) && (best == nullptr || t.letters.size() > best->letters.size())) {
        best = &t;
      }
    }
    if (best == nullptr) return false;
    *term = best->term;
    return true;
  }

 private:
  bool RunsFit(const Squeezed& q, std::size_t start, const std::vector<std::uint8_t>& run) const {
    if (start + run.size() > q.run.size()) return false;
    for (std::size_t i = 0; i < run.size(); ++i) {
      const std::uint8_t have = q.run[start + i];
      if (exact_runs_ ? have != run[i] : have < run[i]) return false;
    }
    return true;
  }

  bool exact_runs_;
  std::vector<CompiledTerm> terms_;
  TermTable exact_;
  TermTable prefix_;
  std::vector<std::string> exact_keys_;
  std::vector<std::string> prefix_keys_;
  std::size_t max_exact_words_ = 0;
  std::size_t max_prefix_words_ = 0;
  std::size_t max_exact_bytes_ = 0;
  std::size_t max_prefix_bytes_ = 0;
  std::size_t count_ = 0;
  std::vector<std::unique_ptr<RE2>> regexes_;
  std::vector<std::unique_ptr<RE2>> inner_regexes_;
  std::unordered_map<char32_t, std::vector<MaskTerm>> masked_by_first_;
};

struct SqueezedMatch {
  std::size_t begin;  // in q.s
  std::size_t end;
  std::size_t term;
};

// Byte ranges of q.s for the joined words of `text`.
std::vector<std::pair<std::size_t, std::size_t>> JoinedInSqueezed(const NormalizedText& text,
                                                                  const Squeezed& q) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  const auto first = q.text_begin.begin() + 1;
  const auto last = q.text_begin.end() - 1;
  for (const ByteSpan& j : text.joined) {
    const auto b = std::lower_bound(first, last, j.begin);
    const auto e = std::lower_bound(b, last, j.end);
    if (b < e) {
      out.emplace_back(static_cast<std::size_t>(b - q.text_begin.begin()),
                       static_cast<std::size_t>(e - q.text_begin.begin()));
    }
  }
  return out;
}

using Ranges = std::vector<std::pair<std::size_t, std::size_t>>;

// Matches of `list`: the longest at each candidate start, whole words, and
// inside joined words. With `greedy`, only non-overlapping matches, left to
// right, at most `limit` of them; otherwise every one found.
std::vector<SqueezedMatch> FindAll(const CompiledList& list, const Squeezed& q,
                                   const Ranges& joined, std::size_t limit, bool greedy) {
  std::vector<SqueezedMatch> found;
  if (list.count() == 0) return found;
  std::vector<std::size_t> starts;
  list.CandidateStarts(q, starts);
  std::size_t covered_to = 0;
  for (const std::size_t start : starts) {
    if (greedy && (found.size() >= limit || start < covered_to)) continue;
    CompiledList::Hit hit;
    if (!list.LongestAt(q, start, &hit)) continue;
    found.push_back(SqueezedMatch{start, hit.end, hit.term});
    covered_to = hit.end;
  }
  for (const auto& [begin, end] : joined) {
    list.InnerCandidateStarts(q, begin, end, starts);
    std::size_t found_here = 0;
    for (const std::size_t start : starts) {
      if (greedy && found_here >= limit) break;
      CompiledList::Hit hit;
      if (!list.LongestInside(q, start, end, &hit)) continue;
      found.push_back(SqueezedMatch{start, hit.end, hit.term});
      ++found_here;
    }
  }
  if (!greedy || joined.empty()) return found;
  std::sort(found.begin(), found.end(), [](const SqueezedMatch& a, const SqueezedMatch& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
  });
  std::vector<SqueezedMatch> out;
  covered_to = 0;
  for (const SqueezedMatch& m : found) {
    if (out.size() >= limit) break;
    if (m.begin < covered_to) continue;
    out.push_back(m);
    covered_to = m.end;
  }
  return out;
}

}  // namespace

class TermMatcher::Impl {
 public:
  Impl() : banned(false), suspect(false), allow(true) {}
  CompiledList banned;
  CompiledList suspect;
  CompiledList allow;
  TermMatcherOptions options;
  TermMatcherStats stats;
};

const char* TermKindName(TermKind kind) {
  switch (kind) {
    case TermKind::kBanned:
      return "banned";
    case TermKind::kSuspect:
      return "suspect";
  }
  return "unknown";
}

TermMatcher::TermMatcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TermMatcher::~TermMatcher() = default;

const TermMatcherStats& TermMatcher::stats() const { return impl_->stats; }

Result<std::shared_ptr<const TermMatcher>> TermMatcher::Build(const TermLists& lists,
                                                              const TermMatcherOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  TermMatcherStats& st = impl->stats;
  for (auto [terms, list] :
       {std::pair{&lists.banned, &impl->banned}, std::pair{&lists.suspect, &impl->suspect},
        std::pair{&lists.allow, &impl->allow}}) {
    for (const Term& t : *terms) {
      if (!list->Add(t)) ++st.skipped;
    }
  }
  for (auto [list, name] :
       {std::pair{&impl->banned, "banned"}, std::pair{&impl->suspect, "suspect"},
        std::pair{&impl->allow, "allow"}}) {
    if (std::string e = list->Compile(options); !e.empty()) {
      return MakeError(ErrorCode::kInvalidField,
                       std::string("the ") + name + " list could not be compiled: " + e, name);
    }
  }
  st.banned = impl->banned.count();
  st.suspect = impl->suspect.count();
  st.allow = impl->allow.count();
  st.regexes = impl->banned.regexes() + impl->suspect.regexes() + impl->allow.regexes();
  return std::shared_ptr<const TermMatcher>(new TermMatcher(std::move(impl)));
}

std::vector<TermMatch> TermMatcher::Find(const NormalizedText& text) const {
  std::vector<TermMatch> out;
  if (text.text.empty()) return out;
  const std::size_t limit = impl_->options.max_matches_per_list;
  const Squeezed q = Squeeze(text.text);
  const Ranges joined = JoinedInSqueezed(text, q);
  std::vector<SqueezedMatch> banned = FindAll(impl_->banned, q, joined, limit, true);
  std::vector<SqueezedMatch> suspect = FindAll(impl_->suspect, q, joined, limit, true);
  if (!banned.empty() || !suspect.empty()) {
    // Allowed spans: every allow-list match, the longest at each start.
    const std::vector<SqueezedMatch> allowed = FindAll(impl_->allow, q, joined, 0, false);
    auto is_allowed = [&](const SqueezedMatch& m) {
      return std::any_of(allowed.begin(), allowed.end(), [&](const SqueezedMatch& a) {
        return a.begin <= m.begin && m.end <= a.end;
      });
    };
    auto overlaps_banned = [&](const SqueezedMatch& m) {
      return std::any_of(banned.begin(), banned.end(), [&](const SqueezedMatch& b) {
        return b.begin < m.end && m.begin < b.end;
      });
    };
    auto emit = [&](const SqueezedMatch& m, TermKind kind, const CompiledList& list) {
      const std::size_t tb = q.text_begin[m.begin];
      const std::size_t te = q.text_end[m.end - 1];
      out.push_back(TermMatch{kind, list.Written(m.term), text.SourceSpan(tb, te)});
    };
    std::erase_if(banned, is_allowed);
    for (const SqueezedMatch& m : banned) emit(m, TermKind::kBanned, impl_->banned);
    for (const SqueezedMatch& m : suspect) {
      if (!is_allowed(m) && !overlaps_banned(m)) emit(m, TermKind::kSuspect, impl_->suspect);
    }
  }
  FindMasked(text, out);
  std::stable_sort(out.begin(), out.end(), [](const TermMatch& a, const TermMatch& b) {
    return a.span.begin < b.span.begin;
  });
  return out;
}

void TermMatcher::FindMasked(const NormalizedText& text, std::vector<TermMatch>& out) const {
  if (text.masked.empty()) return;
  const std::size_t limit = impl_->options.max_matches_per_list;
  std::size_t counts[2] = {0, 0};
  for (const TermMatch& m : out) ++counts[m.kind == TermKind::kBanned ? 0 : 1];
  const std::size_t ordinary = out.size();
  for (const MaskedWord& w : text.masked) {
    const auto first_masked = out.begin() + static_cast<std::ptrdiff_t>(ordinary);
    const bool overlaps = std::any_of(out.begin(), first_masked, [&](const TermMatch& m) {
      return m.span.begin < w.source.end && w.source.begin < m.span.end;
    });
    if (overlaps) continue;
    std::size_t term = 0;
    if (impl_->allow.MaskedReading(w.pattern, &term)) continue;
    TermKind kind = TermKind::kSuspect;
    const CompiledList* list = &impl_->suspect;
    if (!impl_->suspect.MaskedReading(w.pattern, &term)) {
      if (!impl_->banned.MaskedReading(w.pattern, &term)) continue;
      kind = TermKind::kBanned;
      list = &impl_->banned;
    }
    std::size_t& count = counts[kind == TermKind::kBanned ? 0 : 1];
    if (count >= limit) continue;
    ++count;
    out.push_back(TermMatch{kind, list->Written(term), w.source, true});
  }
}

std::vector<TermMatch> TermMatcher::FindIn(std::string_view utf8) const {
  return Find(NormalizeForMatching(utf8));
}

Result<std::shared_ptr<const TermMatcher>> BuildTermMatcher(std::string_view banned,
                                                            std::string_view suspect,
                                                            std::string_view allow,
                                                            std::vector<std::string>* errors,
                                                            const TermMatcherOptions& options) {
  TermLists lists;
  for (auto [text, list, name] :
       {std::tuple{banned, &lists.banned, "banned"}, std::tuple{suspect, &lists.suspect, "suspect"},
        std::tuple{allow, &lists.allow, "allow"}}) {
    ParsedTermList parsed = ParseTermList(text);
    *list = std::move(parsed.terms);
    if (errors != nullptr) {
      for (const TermListError& e : parsed.errors) {
        errors->push_back(std::string(name) + " line " + std::to_string(e.line) + ": " + e.message);
      }
    }
  }
  return TermMatcher::Build(lists, options);
}

}  // namespace amur::moderation
