#include "moderation/targeted_abuse.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <unordered_map>

#include "moderation/embedded_files.hpp"

namespace amur::moderation {

std::string_view AbuseReason(AbuseKind kind) {
  switch (kind) {
    case AbuseKind::kDehumanising:
      return "dehumanising";
    case AbuseKind::kThreat:
      return "threat";
    case AbuseKind::kSexualised:
      return "sexualised";
    case AbuseKind::kInsultCoinage:
      return "insult_coinage";
    case AbuseKind::kPersonalInsult:
      return "personal_insult";
  }
  return "dehumanising";
}

namespace {

constexpr std::size_t kPhraseKinds = 4;  // dehumanising, threat, sexualised, insult
constexpr std::size_t kMaxFeatures = 32;
// A sentence ends after a word: the phrases read kSentence as a word of its
// own there, which the "..." gap does not cross.
constexpr char kSentence = '\x1e';
// "...": up to this many words, within one sentence.
constexpr int kSentenceGap = 12;
constexpr std::size_t kMinCoinageLength = 6;

bool IsSecondPerson(std::string_view w) {
  return w == "you" || w == "your" || w == "u" || w == "ur" || w == "yourself" || w == "ya" ||
         w == "yer" || w == "ye" || w == "yours" || w == "youre";
}

// Calls f(word, begin) for each space-separated word of `s`.
template <typename F>
void ForEachWord(std::string_view s, F&& f) {
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t j = s.find(' ', i);
    if (j == std::string_view::npos) j = s.size();
    if (j > i) f(s.substr(i, j - i), i);
    i = j + 1;
  }
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Words of a large class are not spelled out in the phrase expressions:
// Find() writes kMark and one byte per class after each word of the text
// that belongs to such classes ("termites\x01\x02"), and the class matches
// any word carrying its byte. Normalised text has no control bytes.
constexpr char kMark = '\x01';
constexpr std::size_t kMinSetClass = 200;  // plain words; smaller ones inline
constexpr int kMaxSetClasses = 30;         // class bytes 0x02 .. 0x1f
const std::string kOptionalMark = "(?:\x01[^ ]*)?";

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view v) const { return std::hash<std::string_view>{}(v); }
};
// Word -> kMark and the bytes of the set classes it belongs to.
using SetWords = std::unordered_map<std::string, std::string, StringHash, std::equal_to<>>;

// One alternative ("word", "word*", "ought_to") as a regular expression.
// A word of a set class may carry class bytes in the text, which the
// expression then allows.
std::string Alternative(std::string_view alt, const SetWords& set_words) {
  std::string out;
  bool prefix = false;
  if (!alt.empty() && alt.back() == '*') {
    prefix = true;
    alt.remove_suffix(1);
  }
  for (std::size_t i = 0; i <= alt.size();) {
    std::size_t j = alt.find('_', i);
    if (j == std::string_view::npos) j = alt.size();
    if (i > 0) out += ' ';
    const std::string_view word = alt.substr(i, j - i);
    out += RE2::QuoteMeta(word);
    if ((j < alt.size() || !prefix) && set_words.contains(word)) out += kOptionalMark;
    i = j + 1;
  }
  if (prefix) out += "[^ ]*";
  return out;
}

// The expression of a set class: one word that carries the class's byte.
std::string SetClassExpression(int index) {
  std::string out = "(?:[^ \x01]+\x01[^ ]*";
  out += static_cast<char>(2 + index);
  out += "[^ ]*)";
  return out;
}

// Whether `alternatives` ("a|b|c") are all plain words, at least
// kMinSetClass of them.
bool IsSetClass(std::string_view alternatives) {
  std::size_t n = 1;
  for (char c : alternatives) {
    if (c == '|') {
      ++n;
    } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
      return false;
    }
  }
  return n >= kMinSetClass;
}

// A token ("a|b*", "@class", "@class|word") as a regular expression; empty
// on error.
std::string Token(std::string_view token,
                  const std::map<std::string, std::string, std::less<>>& classes,
                  const SetWords& set_words, std::string* error) {
  std::string out = "(?:";
  bool first = true;
  std::size_t i = 0;
  while (i <= token.size()) {
    std::size_t j = token.find('|', i);
    if (j == std::string_view::npos) j = token.size();
    if (j > i) {
      const std::string_view alt = token.substr(i, j - i);
      if (!first) out += '|';
      if (alt.front() == '@') {
        auto it = classes.find(alt.substr(1));
        if (it == classes.end()) {
          *error = "unknown class " + std::string(alt);
          return {};
        }
        out += it->second;
      } else {
        out += Alternative(alt, set_words);
      }
      first = false;
    }
    i = j + 1;
  }
  out += ')';
  return first ? std::string() : out;
}

bool IsLetterOrDigit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

}  // namespace

struct TargetedAbuseMatcher::Impl {
  std::array<std::unique_ptr<RE2>, kPhraseKinds> phrases;
  SetWords set_words;
  int set_classes = 0;  // defined so far, in the order CollectSetClasses saw them

  // Registers the words of every set class of `text` (the first
  // kMaxSetClasses in the order of the lines), before any phrase or inline
  // class is compiled, so that those know which words may carry bytes.
  void CollectSetClasses(std::string_view text, int* collected) {
    for (std::size_t pos = 0; pos <= text.size();) {
      std::size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = text.substr(pos, end - pos);
      pos = end + 1;
      if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
      line = Trim(line);
      const auto eq = line.find('=');
      if (line.empty() || line.front() != '@' || eq == std::string_view::npos) continue;
      const std::string_view alternatives = Trim(line.substr(eq + 1));
      if (!IsSetClass(alternatives) || *collected >= kMaxSetClasses) continue;
      const char byte = static_cast<char>(2 + (*collected)++);
      ForEachAlternative(alternatives, [&](std::string_view w) {
        std::string& marks = set_words[std::string(w)];
        if (marks.empty()) marks += kMark;
        if (marks.find(byte) == std::string::npos) marks += byte;
      });
    }
  }

  // Defines class `name` from its alternatives: a set class when they are
  // many plain words (and fewer than kMaxSetClasses were made), else an
  // inline expression. Returns false with `error` set on failure.
  bool DefineClass(std::string_view name, std::string_view alternatives,
                   std::map<std::string, std::string, std::less<>>& classes, std::string* error) {
    if (IsSetClass(alternatives) && set_classes < kMaxSetClasses) {
      classes[std::string(name)] = SetClassExpression(set_classes++);
      return true;
    }
    std::string re = Token(alternatives, classes, set_words, error);
    if (re.empty()) {
      if (error->empty()) *error = "empty class";
      return false;
    }
    classes[std::string(name)] = std::move(re);
    return true;
  }

  template <typename F>
  static void ForEachAlternative(std::string_view s, F&& f) {
    for (std::size_t i = 0; i <= s.size();) {
      std::size_t j = s.find('|', i);
      if (j == std::string_view::npos) j = s.size();
      if (j > i) f(s.substr(i, j - i));
      i = j + 1;
    }
  }

  // [features]: classifier tags. Word -> bit mask of the feature classes it
  // belongs to; prefixes ("muslim*") by first letter; pairs of bits.
  std::vector<std::string> feature_names;
  std::uint32_t feature_tagged = 0;  // features that are tags by themselves
  std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> feature_words;
  std::array<std::vector<std::pair<std::string, std::uint32_t>>, 27> feature_prefixes;
  std::vector<std::pair<std::size_t, std::size_t>> feature_pairs;

  // Adds the one-word alternatives of `alternatives` (and of the classes it
  // names, recursively through `raw`) to feature `bit`; multi-word ones are
  // skipped. False with `error` set on an unknown class.
  bool AddFeatureWords(std::string_view alternatives, std::uint32_t bit,
                       const std::map<std::string, std::string, std::less<>>& raw, int depth,
                       std::string* error) {
    if (depth > 8) {
      *error = "classes nested too deeply";
      return false;
    }
    bool ok = true;
    ForEachAlternative(alternatives, [&](std::string_view alt) {
      if (!ok) return;
      if (alt.front() == '@') {
        auto it = raw.find(alt.substr(1));
        if (it == raw.end()) {
          *error = "unknown class " + std::string(alt);
          ok = false;
          return;
        }
        ok = AddFeatureWords(it->second, bit, raw, depth + 1, error);
        return;
      }
      if (alt.find('_') != std::string_view::npos) return;
      if (alt.back() == '*') {
        const std::string_view p = alt.substr(0, alt.size() - 1);
        if (p.empty() || p[0] < 'a' || p[0] > 'z') return;
        feature_prefixes[static_cast<std::size_t>(p[0] - 'a')].emplace_back(std::string(p), bit);
        return;
      }
      feature_words[std::string(alt)] |= bit;
    });
    return ok;
  }

  std::uint32_t FeaturesOf(std::string_view w) const {
    std::uint32_t mask = 0;
    if (auto it = feature_words.find(w); it != feature_words.end()) mask = it->second;
    if (!w.empty() && w[0] >= 'a' && w[0] <= 'z') {
      for (const auto& [p, bit] : feature_prefixes[static_cast<std::size_t>(w[0] - 'a')]) {
        if (w.starts_with(p)) mask |= bit;
      }
    }
    return mask;
  }

  std::vector<std::string> stems;  // sorted
  // stems[stem_from[c - 'a'], stem_from[c - 'a' + 1]) start with letter c.
  std::array<std::uint32_t, 27> stem_from{};
  std::vector<std::string> insults;
  std::vector<std::string> word_exact, word_prefix;  // [coinage-word]
  std::vector<std::string> suffixes;                 // [coinage-suffix]
  std::vector<std::string> allow_exact, allow_prefix;
  std::vector<std::string> coinage_exact, coinage_prefix;

  static bool Listed(std::string_view w, const std::vector<std::string>& exact,
                     const std::vector<std::string>& prefix) {
    for (const auto& e : exact) {
      if (w == e) return true;
    }
    for (const auto& p : prefix) {
      if (w.starts_with(p)) return true;
    }
    return false;
  }

  void IndexStems() {
    std::sort(stems.begin(), stems.end());
    stems.erase(std::unique(stems.begin(), stems.end()), stems.end());
    std::size_t k = 0;
    for (int c = 0; c < 26; ++c) {
      while (k < stems.size() && static_cast<unsigned char>(stems[k][0]) < 'a' + c) ++k;
      stem_from[static_cast<std::size_t>(c)] = static_cast<std::uint32_t>(k);
    }
    stem_from[26] = static_cast<std::uint32_t>(stems.size());
  }

  // Calls f(stem) for every stem `w` starts with, shortest first, until f
  // returns true; returns whether one did.
  template <typename F>
  bool ForEachStemOf(std::string_view w, F&& f) const {
    if (w.empty() || w[0] < 'a' || w[0] > 'z') return false;
    const std::size_t c = static_cast<std::size_t>(w[0] - 'a');
    for (std::size_t k = stem_from[c]; k < stem_from[c + 1]; ++k) {
      if (w.starts_with(stems[k]) && f(std::string_view(stems[k]))) return true;
    }
    return false;
  }

  bool ContainsInsult(std::string_view rest) const {
    for (const std::string& insult : insults) {
      if (rest.find(insult) != std::string_view::npos) return true;
    }
    return false;
  }

  // The length of the insult `w` starts with ([coinage-insult] inside a
  // word, or a whole [coinage-word]), or 0.
  std::size_t InsultAtStart(std::string_view w) const {
    for (const std::string& insult : insults) {
      if (w.starts_with(insult)) return insult.size();
    }
    if (Listed(w, word_exact, word_prefix)) return w.size();
    if (w.size() > 1 && w.back() == 's' && Listed(w.substr(0, w.size() - 1), word_exact, {})) {
      return w.size();
    }
    return 0;
  }

  bool EndsWithSuffix(std::string_view w) const {
    for (const std::string& x : suffixes) {
      if (w.ends_with(x)) return true;
    }
    return false;
  }

  bool IsCoinage(std::string_view w) const {
    if (w.size() < 4) return false;
    if (Listed(w, allow_exact, allow_prefix)) return false;
    if (Listed(w, coinage_exact, coinage_prefix)) return true;
    if (w.size() < kMinCoinageLength) return false;
    return ForEachStemOf(
        w, [&](std::string_view stem) { return ContainsInsult(w.substr(stem.size())); });
  }

  // A coinage written as several words ("Ukro-shitian", "Russ-idiots",
  // "Euro trash-ians", "Mex-i-crap"): `words` (2 or 3) are the parts,
  // `tight[k]` whether words k and k + 1 were joined by a short run of
  // punctuation without white space ("-", "_", ".", "–"). Either every join
  // is tight, the first word starts with a stem and a later word starts with
  // an insult; or the first word is a stem of four or more letters on its
  // own, the second starts with an insult and the whole ends with a
  // [coinage-suffix] ("Ukro shitian").
  bool IsSplitCoinage(const std::vector<std::string_view>& words,
                      const std::vector<bool>& tight) const {
    std::string joined;
    for (std::string_view w : words) joined += w;
    if (joined.size() < kMinCoinageLength || Listed(joined, allow_exact, allow_prefix)) {
      return false;
    }
    const bool all_tight = std::all_of(tight.begin(), tight.end(), [](bool t) { return t; });
    const std::string_view first = words[0];
    if (all_tight) {
      bool stem = ForEachStemOf(first, [](std::string_view) { return true; });
      if (!stem) return false;
      for (std::size_t k = 1; k < words.size(); ++k) {
        if (InsultAtStart(words[k]) > 0) return true;
      }
      return false;
    }
    if (first.size() < 4) return false;
    const bool bare_stem =
        ForEachStemOf(first, [&](std::string_view s) { return s.size() == first.size(); });
    if (!bare_stem) return false;
    const std::size_t insult = InsultAtStart(words[1]);
    if (insult == 0) return false;
    const std::string_view after(joined.data() + first.size() + insult,
                                 joined.size() - first.size() - insult);
    return !after.empty() && EndsWithSuffix(after);
  }
};

TargetedAbuseMatcher::TargetedAbuseMatcher() : impl_(std::make_unique<Impl>()) {}
TargetedAbuseMatcher::~TargetedAbuseMatcher() = default;

Result<std::shared_ptr<const TargetedAbuseMatcher>> TargetedAbuseMatcher::Build(
    std::string_view list_text, std::vector<std::string>* errors) {
  return Build(DefaultWordClasses(), list_text, errors);
}

Result<std::shared_ptr<const TargetedAbuseMatcher>> TargetedAbuseMatcher::Build(
    std::string_view class_text, std::string_view list_text, std::vector<std::string>* errors) {
  std::shared_ptr<TargetedAbuseMatcher> m(new TargetedAbuseMatcher());
  Impl& impl = *m->impl_;
  std::map<std::string, std::string, std::less<>> classes;
  std::map<std::string, std::string, std::less<>> raw;  // class -> its alternatives
  std::array<std::vector<std::string>, kPhraseKinds> phrases;
  std::string section;
  int line_no = 0;
  const char* file = "class file ";
  auto fail = [&](const std::string& what) {
    if (errors) errors->push_back(file + ("line " + std::to_string(line_no)) + ": " + what);
  };
  int collected = 0;
  impl.CollectSetClasses(class_text, &collected);
  impl.CollectSetClasses(list_text, &collected);
  // The class file: only class definitions and comments.
  for (std::size_t pos = 0; pos <= class_text.size();) {
    std::size_t end = class_text.find('\n', pos);
    if (end == std::string_view::npos) end = class_text.size();
    std::string_view line = class_text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    line = Trim(line);
    if (line.empty()) continue;
    const auto eq = line.find('=');
    if (line.front() != '@' || eq == std::string_view::npos) {
      fail("only class definitions may stand here");
      continue;
    }
    std::string error;
    if (!impl.DefineClass(Trim(line.substr(1, eq - 1)), Trim(line.substr(eq + 1)), classes,
                          &error)) {
      fail(error);
    } else {
      raw[std::string(Trim(line.substr(1, eq - 1)))] = std::string(Trim(line.substr(eq + 1)));
    }
  }
  file = "";
  line_no = 0;
  std::size_t pos = 0;
  while (pos <= list_text.size()) {
    std::size_t end = list_text.find('\n', pos);
    if (end == std::string_view::npos) end = list_text.size();
    std::string_view line = list_text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    line = Trim(line);
    if (line.empty()) continue;
    if (line.front() == '[' && line.back() == ']') {
      section = std::string(line.substr(1, line.size() - 2));
      continue;
    }
    if (line.front() == '@' && line.find('=') != std::string_view::npos) {
      const auto eq = line.find('=');
      std::string error;
      if (!impl.DefineClass(Trim(line.substr(1, eq - 1)), Trim(line.substr(eq + 1)), classes,
                            &error)) {
        fail(error);
      } else {
        raw[std::string(Trim(line.substr(1, eq - 1)))] = std::string(Trim(line.substr(eq + 1)));
      }
      continue;
    }
    if (section == "features") {
      // "name = alternatives" (a feature class) or "a+b" (a pair of them).
      const auto eq = line.find('=');
      const auto plus = line.find('+');
      auto index = [&](std::string_view name) -> std::size_t {
        const auto& names = impl.feature_names;
        return static_cast<std::size_t>(std::find(names.begin(), names.end(), name) -
                                        names.begin());
      };
      if (eq != std::string_view::npos) {
        std::string name(Trim(line.substr(0, eq)));
        // "_name": a feature only pairs use, no tag by itself.
        const bool tagged = name.empty() || name.front() != '_';
        if (!tagged) name.erase(0, 1);
        if (name.empty() || !std::all_of(name.begin(), name.end(), IsLetterOrDigit) ||
            index(name) < impl.feature_names.size()) {
          fail("a feature needs a new name of lower-case letters or digits");
        } else if (impl.feature_names.size() == kMaxFeatures) {
          fail("at most 32 features");
        } else {
          std::string error;
          const auto bit = std::uint32_t{1} << impl.feature_names.size();
          if (impl.AddFeatureWords(Trim(line.substr(eq + 1)), bit, raw, 0, &error)) {
            impl.feature_names.push_back(name);
            if (tagged) impl.feature_tagged |= bit;
          } else {
            fail(error);
          }
        }
      } else if (plus != std::string_view::npos) {
        const std::size_t a = index(Trim(line.substr(0, plus)));
        const std::size_t b = index(Trim(line.substr(plus + 1)));
        if (a >= impl.feature_names.size() || b >= impl.feature_names.size()) {
          fail("a pair names two features defined above");
        } else {
          impl.feature_pairs.emplace_back(a, b);
        }
      } else {
        fail("a feature line is \"name = alternatives\" or \"a+b\"");
      }
      continue;
    }
    int kind = section == "dehumanising" ? 0
               : section == "threat"     ? 1
               : section == "sexualised" ? 2
               : section == "insult"     ? 3
                                         : -1;
    if (kind >= 0) {
      std::string re = "(?:^| )";
      std::string error;
      int gap = 0;
      bool first = true;
      ForEachWord(line, [&](std::string_view token, std::size_t) {
        if (!error.empty()) return;
        if (token.size() == 2 && token[0] == '~' && token[1] >= '1' && token[1] <= '9') {
          gap = token[1] - '0';
          return;
        }
        if (token == "...") {
          gap = -1;
          return;
        }
        // "token{m,n}": m to n words of the token (0 <= m <= n <= 9).
        int repeat_min = -1, repeat_max = -1;
        if (token.size() > 5 && token.back() == '}' && token[token.size() - 5] == '{' &&
            token[token.size() - 3] == ',') {
          repeat_min = token[token.size() - 4] - '0';
          repeat_max = token[token.size() - 2] - '0';
          token.remove_suffix(5);
          if (repeat_min < 0 || repeat_max > 9 || repeat_min > repeat_max) {
            error = "a repeat is {m,n} with 0 <= m <= n <= 9";
            return;
          }
        }
        std::string t = Token(token, classes, impl.set_words, &error);
        if (t.empty()) {
          if (error.empty()) error = "empty word";
          return;
        }
        if (first && repeat_min >= 0) {
          error = "a phrase cannot start with a repeat";
          return;
        }
        if (!first) {
          if (gap > 0) re += "(?: [^ ]+){0," + std::to_string(gap) + "}";
          if (gap < 0) re += "(?: [^ \x1e]+){0," + std::to_string(kSentenceGap) + "}";
          if (repeat_min < 0) re += ' ';
        }
        if (repeat_min >= 0) {
          re += "(?: " + t + "){" + std::to_string(repeat_min) + "," + std::to_string(repeat_max) +
                "}";
        } else {
          re += t;
        }
        gap = 0;
        first = false;
      });
      if (!error.empty() || first) {
        fail(error.empty() ? "empty phrase" : error);
        continue;
      }
      re += "(?: |$)";
      RE2 check(re);
      if (!check.ok()) {
        fail(check.error());
        continue;
      }
      phrases[static_cast<std::size_t>(kind)].push_back(std::move(re));
      continue;
    }
    // A word section: one or more words per line, separated by spaces.
    ForEachWord(std::string(line), [&](std::string_view w, std::size_t) {
      std::string word(w);
      const bool prefix = word.back() == '*';
      if (prefix) word.pop_back();
      if (word.empty() || !std::all_of(word.begin(), word.end(), IsLetterOrDigit)) {
        fail("a word must be lower-case letters or digits: " + std::string(w));
        return;
      }
      if (section == "coinage-stem") {
        impl.stems.push_back(word);
      } else if (section == "coinage-insult") {
        impl.insults.push_back(word);
      } else if (section == "coinage-word") {
        (prefix ? impl.word_prefix : impl.word_exact).push_back(word);
      } else if (section == "coinage-suffix") {
        impl.suffixes.push_back(word);
      } else if (section == "coinage-allow") {
        (prefix ? impl.allow_prefix : impl.allow_exact).push_back(word);
      } else if (section == "coinage") {
        (prefix ? impl.coinage_prefix : impl.coinage_exact).push_back(word);
      } else {
        fail("a word outside a known section: " + word);
      }
    });
  }
  impl.IndexStems();
  RE2::Options options;
  options.set_max_mem(64 << 20);
  for (std::size_t k = 0; k < kPhraseKinds; ++k) {
    if (phrases[k].empty()) continue;
    std::string all = "(";
    for (std::size_t i = 0; i < phrases[k].size(); ++i) {
      if (i) all += '|';
      all += phrases[k][i];
    }
    all += ')';
    auto re = std::make_unique<RE2>(all, options);
    if (!re->ok()) return MakeError(ErrorCode::kInvalidField, re->error(), "targeted");
    impl.phrases[k] = std::move(re);
  }
  return std::shared_ptr<const TargetedAbuseMatcher>(std::move(m));
}

std::vector<AbuseSignal> TargetedAbuseMatcher::Find(const NormalizedText& text, bool is_reply,
                                                    std::string_view original) const {
  return Find(text, is_reply, original, nullptr);
}

std::vector<AbuseSignal> TargetedAbuseMatcher::Find(const NormalizedText& text, bool is_reply,
                                                    std::string_view original,
                                                    std::vector<std::string>* features) const {
  std::vector<AbuseSignal> out;
  const std::string& s = text.text;
  if (s.empty()) return out;
  bool second_person = false;
  std::size_t coinage_begin = 0, coinage_end = 0;
  bool coinage = false;
  struct Word {
    std::string_view w;
    std::size_t at;
  };
  std::vector<Word> words;
  ForEachWord(s, [&](std::string_view w, std::size_t at) {
    if (IsSecondPerson(w)) second_person = true;
    if (!coinage && impl_->IsCoinage(w)) {
      coinage = true;
      coinage_begin = at;
      coinage_end = at + w.size();
    }
    words.push_back(Word{w, at});
  });
  // Whether the original text joins words k and k + 1 with a short run of
  // punctuation and no white space ("Ukro-shitian").
  auto tight = [&](std::size_t k) {
    if (original.empty()) return false;
    const std::size_t last = words[k].at + words[k].w.size() - 1;
    const std::size_t from = text.source_end[last];
    const std::size_t to = text.source_begin[words[k + 1].at];
    if (to <= from || to - from > 3 || to > original.size()) return false;
    for (std::size_t i = from; i < to; ++i) {
      const char c = original[i];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return false;
    }
    return true;
  };
  if (!coinage && !impl_->stems.empty()) {
    std::vector<std::string_view> parts;
    std::vector<bool> joins;
    for (std::size_t i = 0; i + 1 < words.size() && !coinage; ++i) {
      if (!impl_->ForEachStemOf(words[i].w, [](std::string_view) { return true; })) continue;
      parts.assign(1, words[i].w);
      joins.clear();
      for (std::size_t j = i + 1; j < words.size() && j <= i + 2; ++j) {
        parts.push_back(words[j].w);
        joins.push_back(tight(j - 1));
        if (impl_->IsSplitCoinage(parts, joins)) {
          coinage = true;
          coinage_begin = words[i].at;
          coinage_end = words[j].at + words[j].w.size();
          break;
        }
      }
    }
  }
  auto source = [&text](std::size_t b, std::size_t e) {
    while (b < e && !IsLetterOrDigit(text.text[b])) ++b;
    while (e > b && !IsLetterOrDigit(text.text[e - 1])) --e;
    return b < e ? text.SourceSpan(b, e) : ByteSpan{};
  };
  // Whether a sentence ends between words k and k + 1 of the original text.
  auto sentence_end = [&](std::size_t k) {
    if (original.empty() || k + 1 >= words.size()) return false;
    const std::size_t last = words[k].at + words[k].w.size() - 1;
    const std::size_t from = text.source_end[last];
    const std::size_t to =
        std::min<std::size_t>(text.source_begin[words[k + 1].at], original.size());
    for (std::size_t i = from; i < to; ++i) {
      const char c = original[i];
      if (c == '.' || c == '!' || c == '?' || c == ';' || c == '\n') return true;
    }
    return false;
  };
  // The text the phrases read: `s` with the set-class bytes after each word
  // of a set class and a kSentence word after each sentence, and for each of
  // its bytes the offset in `s`. Feature tags are gathered on the way.
  std::string marked;
  std::vector<std::uint32_t> marked_at;
  std::size_t copied = 0;  // bytes of `s` copied to `marked`
  auto copy_to = [&](std::size_t end) {
    if (marked.empty()) {
      marked.reserve(s.size() + 32);
      marked_at.reserve(s.size() + 32);
    }
    for (std::size_t i = copied; i < end; ++i) {
      marked += s[i];
      marked_at.push_back(static_cast<std::uint32_t>(i));
    }
    copied = std::max(copied, end);
  };
  const bool want_features = features != nullptr && !impl_->feature_names.empty();
  std::uint32_t all_features = 0, sentence_features = 0;
  std::uint64_t pairs_seen = 0;
  auto close_sentence = [&] {
    for (std::size_t p = 0; p < impl_->feature_pairs.size() && p < 64; ++p) {
      const auto [a, b] = impl_->feature_pairs[p];
      if ((sentence_features >> a & 1u) && (sentence_features >> b & 1u)) {
        pairs_seen |= std::uint64_t{1} << p;
      }
    }
    sentence_features = 0;
  };
  for (std::size_t k = 0; k < words.size(); ++k) {
    const Word& word = words[k];
    if (want_features) sentence_features |= impl_->FeaturesOf(word.w);
    const std::string* marks = nullptr;
    if (!impl_->set_words.empty()) {
      if (auto it = impl_->set_words.find(word.w); it != impl_->set_words.end()) {
        marks = &it->second;
      }
    }
    const bool ends = sentence_end(k);
    if (want_features && (ends || k + 1 == words.size())) {
      all_features |= sentence_features;
      close_sentence();
    }
    if (marks == nullptr && !ends) continue;
    const std::size_t end = word.at + word.w.size();
    copy_to(end);
    if (marks != nullptr) {
      for (char c : *marks) {
        marked += c;
        marked_at.push_back(static_cast<std::uint32_t>(end - 1));
      }
    }
    if (ends) {
      for (char c : {' ', kSentence}) {
        marked += c;
        marked_at.push_back(static_cast<std::uint32_t>(end - 1));
      }
    }
  }
  if (!marked.empty()) copy_to(s.size());
  if (want_features) {
    for (std::size_t f = 0; f < impl_->feature_names.size(); ++f) {
      if ((all_features & impl_->feature_tagged) >> f & 1u)
        features->push_back("class:" + impl_->feature_names[f]);
    }
    for (std::size_t p = 0; p < impl_->feature_pairs.size() && p < 64; ++p) {
      if (pairs_seen >> p & 1u) {
        const auto [a, b] = impl_->feature_pairs[p];
        features->push_back("pair:" + impl_->feature_names[a] + "+" + impl_->feature_names[b]);
      }
    }
  }
  const std::string& read = marked.empty() ? s : marked;
  // The offset in `s` of offset `i` of `read` (a match's end is exclusive).
  auto in_s = [&](std::size_t i, bool end) -> std::size_t {
    if (marked.empty()) return i;
    if (end) return i == 0 ? 0 : marked_at[i - 1] + 1;
    return marked_at[i];
  };
  const re2::StringPiece input(read);
  static constexpr AbuseKind kKinds[kPhraseKinds] = {AbuseKind::kDehumanising, AbuseKind::kThreat,
                                                     AbuseKind::kSexualised,
                                                     AbuseKind::kPersonalInsult};
  for (std::size_t k = 0; k < kPhraseKinds; ++k) {
    const RE2* re = impl_->phrases[k].get();
    if (re == nullptr) continue;
    re2::StringPiece m;
    if (!re->Match(input, 0, read.size(), RE2::UNANCHORED, &m, 1)) continue;
    const std::size_t mb = static_cast<std::size_t>(m.data() - read.data());
    const std::size_t b = in_s(mb, false);
    const std::size_t e = std::max(b, in_s(mb + m.size(), true));
    bool directed = is_reply && second_person;
    ForEachWord(std::string_view(s).substr(b, e - b), [&](std::string_view w, std::size_t) {
      if (IsSecondPerson(w)) directed = true;
    });
    out.push_back(AbuseSignal{kKinds[k], source(b, e), directed});
  }
  if (coinage) {
    out.push_back(AbuseSignal{AbuseKind::kInsultCoinage, source(coinage_begin, coinage_end),
                              second_person || is_reply});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const AbuseSignal& a, const AbuseSignal& b) { return a.kind < b.kind; });
  return out;
}

std::string_view DefaultTargetedList() {
  for (int i = 0; i < kEmbeddedTermListFilesCount; ++i) {
    if (kEmbeddedTermListFiles[i].name != nullptr &&
        std::string_view(kEmbeddedTermListFiles[i].name) == "targeted-en.txt") {
      return kEmbeddedTermListFiles[i].text;
    }
  }
  return {};
}

std::string_view DefaultWordClasses() {
  for (int i = 0; i < kEmbeddedTermListFilesCount; ++i) {
    if (kEmbeddedTermListFiles[i].name != nullptr &&
        std::string_view(kEmbeddedTermListFiles[i].name) == "wordnet-classes-en.txt") {
      return kEmbeddedTermListFiles[i].text;
    }
  }
  return {};
}

std::shared_ptr<const TargetedAbuseMatcher> DefaultTargetedAbuseMatcher() {
  static const std::shared_ptr<const TargetedAbuseMatcher> kMatcher = [] {
    std::vector<std::string> errors;
    auto built = TargetedAbuseMatcher::Build(DefaultTargetedList(), &errors);
    if (!built.ok() || !errors.empty()) {
      throw std::logic_error("data/moderation/targeted-en.txt does not compile: " +
                             (built.ok() ? errors.front() : built.error().message));
    }
    return std::move(built).value();
  }();
  return kMatcher;
}

}  // namespace amur::moderation
