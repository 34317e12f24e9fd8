#include "moderation/spam.hpp"

#include <algorithm>
#include <bit>
#include <limits>

namespace amur::moderation {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool StartsWithCi(std::string_view s, std::size_t i, std::string_view lower_prefix) {
  if (s.size() - i < lower_prefix.size()) return false;
  for (std::size_t k = 0; k < lower_prefix.size(); ++k) {
    if (Lower(s[i + k]) != lower_prefix[k]) return false;
  }
  return true;
}

bool IsUrlStart(std::string_view s, std::size_t i) {
  return StartsWithCi(s, i, "http://") || StartsWithCi(s, i, "https://");
}

bool IsWwwStart(std::string_view s, std::size_t i) {
  if (!StartsWithCi(s, i, "www.") || i + 4 >= s.size() || !IsAlnum(s[i + 4])) return false;
  if (i == 0) return true;
  const char before = s[i - 1];
  return !IsAlnum(before) && before != '.' && before != '/' && before != '@' && before != '-';
}

bool EndsUrl(char c) {
  constexpr std::string_view kEnds = " \t\n\r\f\v<>\"`()[]";
  return kEnds.find(c) != std::string_view::npos;
}

std::size_t SkipUrl(std::string_view s, std::size_t i) {
  while (i < s.size() && !EndsUrl(s[i])) ++i;
  return i;
}

constexpr std::uint64_t Mix64(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBULL;
  x ^= x >> 31;
  return x;
}

std::uint64_t HashBytes(std::string_view s) {
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ULL;
  }
  return Mix64(h);
}

struct MinHashFamily {
  std::array<std::uint64_t, kMinHashes> a{};
  std::array<std::uint64_t, kMinHashes> b{};
};

constexpr MinHashFamily MakeFamily() {
  MinHashFamily f;
  std::uint64_t state = 0x243F6A8885A308D3ULL;  // fixed: fingerprints must be stable
  for (std::size_t i = 0; i < kMinHashes; ++i) {
    state += 0x9E3779B97F4A7C15ULL;
    f.a[i] = Mix64(state) | 1;
    state += 0x9E3779B97F4A7C15ULL;
    f.b[i] = Mix64(state);
  }
  return f;
}

constexpr MinHashFamily kFamily = MakeFamily();

// Byte ranges of Markdown block-quote lines (up to three spaces, then ">").
std::vector<std::pair<std::size_t, std::size_t>> QuotedLines(std::string_view md) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  std::size_t start = 0;
  while (start < md.size()) {
    std::size_t end = md.find('\n', start);
    if (end == std::string_view::npos) end = md.size();
    std::size_t i = start;
    while (i < end && i - start < 3 && md[i] == ' ') ++i;
    if (i < end && md[i] == '>') out.emplace_back(start, end);
    start = end + 1;
  }
  return out;
}

}  // namespace

int CountLinks(std::string_view s) {
  int count = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if ((c == 'h' || c == 'H') && IsUrlStart(s, i)) {
      ++count;
      i = SkipUrl(s, i);
      continue;
    }
    if ((c == 'w' || c == 'W') && IsWwwStart(s, i)) {
      ++count;
      i = SkipUrl(s, i);
      continue;
    }
    if (c == ']' && i + 1 < s.size() && s[i + 1] == '(') {
      std::size_t j = i + 2;
      while (j < s.size() && (s[j] == ' ' || s[j] == '\t' || s[j] == '<')) ++j;
      if (j < s.size() && s[j] != ')' && !IsUrlStart(s, j) && !StartsWithCi(s, j, "www.")) {
        ++count;
      }
      i += 2;
      continue;
    }
    ++i;
  }
  return count;
}

Fingerprint ComputeFingerprint(const NormalizedText& text, std::string_view markdown) {
  const auto quoted = QuotedLines(markdown);
  std::vector<std::uint64_t> words;
  std::size_t q = 0;
  const std::string_view t = text.text;
  std::size_t start = 0;
  while (start < t.size()) {
    std::size_t end = t.find(' ', start);
    if (end == std::string_view::npos) end = t.size();
    const std::size_t source = text.source_begin[start];
    while (q < quoted.size() && quoted[q].second <= source) ++q;
    const bool in_quote = q < quoted.size() && quoted[q].first <= source;
    if (!in_quote) words.push_back(HashBytes(t.substr(start, end - start)));
    start = end + 1;
  }
  Fingerprint fp;
  fp.words = words.size();
  fp.mins.fill(std::numeric_limits<std::uint32_t>::max());
  if (words.empty()) return fp;
  auto add_shingle = [&fp](std::uint64_t x) {
    for (std::size_t i = 0; i < kMinHashes; ++i) {
      const auto v = static_cast<std::uint32_t>((x * kFamily.a[i] + kFamily.b[i]) >> 32);
      fp.mins[i] = std::min(fp.mins[i], v);
    }
  };
  if (words.size() < 3) {
    std::uint64_t h = 0;
    for (const std::uint64_t w : words) h = Mix64(h ^ w);
    add_shingle(h);
    return fp;
  }
  for (std::size_t i = 0; i + 2 < words.size(); ++i) {
    std::uint64_t h = Mix64(words[i] ^ 0x5851F42D4C957F2DULL);
    h = Mix64(h ^ std::rotl(words[i + 1], 21));
    h = Mix64(h ^ std::rotl(words[i + 2], 42));
    add_shingle(h);
  }
  return fp;
}

Fingerprint ComputeFingerprint(std::string_view markdown) {
  return ComputeFingerprint(NormalizeForMatching(markdown), markdown);
}

double Similarity(const Fingerprint& a, const Fingerprint& b) {
  if (a.words == 0 || b.words == 0) return 0.0;
  std::size_t equal = 0;
  for (std::size_t i = 0; i < kMinHashes; ++i) equal += a.mins[i] == b.mins[i] ? 1 : 0;
  return static_cast<double>(equal) / static_cast<double>(kMinHashes);
}

std::uint64_t AuthorKey(std::string_view author_name, std::string_view identity) {
  const std::uint64_t name = HashBytes(NormalizeForMatching(author_name).text);
  const std::uint64_t id = identity.empty() ? 0 : HashBytes(identity);
  const std::uint64_t key = Mix64(name ^ std::rotl(id, 17) ^ 0xA0761D6478BD642FULL);
  return key == 0 ? 1 : key;
}

// ---------------------------------------------------- NearDuplicateIndex --

NearDuplicateIndex::NearDuplicateIndex(NearDuplicateOptions options)
    : options_(options),
      entries_(std::max<std::size_t>(options.capacity, 1)),
      links_(entries_.size() * kBands),
      heads_(std::bit_ceil(entries_.size() * kBands * 2), kNone),
      seen_(entries_.size(), 0) {}

std::uint64_t NearDuplicateIndex::BandKey(const Fingerprint& fp, std::size_t band) {
  const std::uint64_t pair =
      (static_cast<std::uint64_t>(fp.mins[2 * band]) << 32) | fp.mins[2 * band + 1];
  return Mix64(pair ^ (0x9E3779B97F4A7C15ULL * (band + 1)));
}

std::size_t NearDuplicateIndex::Bucket(std::uint64_t key) const {
  return static_cast<std::size_t>(key) & (heads_.size() - 1);
}

std::size_t NearDuplicateIndex::size() const {
  std::lock_guard lock(mu_);
  return size_;
}

DuplicateCheck NearDuplicateIndex::Check(const Fingerprint& fp, std::uint64_t author_key,
                                         TimeMs now) const {
  std::lock_guard lock(mu_);
  return CheckLocked(fp, author_key, now);
}

void NearDuplicateIndex::Add(const Fingerprint& fp, std::uint64_t author_key, TimeMs now) {
  std::lock_guard lock(mu_);
  AddLocked(fp, author_key, now);
}

DuplicateCheck NearDuplicateIndex::CheckAndAdd(const Fingerprint& fp, std::uint64_t author_key,
                                               TimeMs now) {
  std::lock_guard lock(mu_);
  DuplicateCheck result = CheckLocked(fp, author_key, now);
  AddLocked(fp, author_key, now);
  return result;
}

DuplicateCheck NearDuplicateIndex::CheckAndReserve(const Fingerprint& fp,
                                                   std::uint64_t author_key, TimeMs now,
                                                   std::uint64_t* ticket) {
  std::lock_guard lock(mu_);
  DuplicateCheck result = CheckLocked(fp, author_key, now);
  *ticket = 0;
  if (fp.words < options_.min_words) return result;
  if (pending_.size() >= kMaxPending) pending_.pop_front();
  *ticket = next_ticket_++;
  pending_.push_back(Pending{*ticket, now, author_key, fp});
  return result;
}

void NearDuplicateIndex::Release(std::uint64_t ticket) {
  if (ticket == 0) return;
  std::lock_guard lock(mu_);
  for (auto it = pending_.begin(); it != pending_.end(); ++it) {
    if (it->ticket == ticket) {
      pending_.erase(it);
      return;
    }
  }
}

std::size_t NearDuplicateIndex::pending() const {
  std::lock_guard lock(mu_);
  return pending_.size();
}

void NearDuplicateIndex::CheckPendingLocked(const Fingerprint& fp, std::uint64_t author_key,
                                            TimeMs now, DuplicateCheck& result) const {
  const TimeMs oldest = now - options_.window_ms;
  for (const Pending& p : pending_) {
    if (p.at < oldest) continue;
    const double similarity = Similarity(fp, p.fp);
    if (similarity < options_.min_similarity) continue;
    ++result.near_duplicates;
    if (p.author == author_key) ++result.same_author;
    result.best_similarity = std::max(result.best_similarity, similarity);
  }
}

DuplicateCheck NearDuplicateIndex::CheckLocked(const Fingerprint& fp, std::uint64_t author_key,
                                               TimeMs now) const {
  DuplicateCheck result;
  if (fp.words < options_.min_words) return result;
  CheckPendingLocked(fp, author_key, now, result);
  if (size_ == 0) return result;
  ++check_no_;
  const TimeMs oldest = now - options_.window_ms;
  std::size_t examined = 0;
  for (std::size_t band = 0; band < kBands && examined < kMaxCandidates; ++band) {
    const std::uint64_t key = BandKey(fp, band);
    for (std::uint32_t l = heads_[Bucket(key)]; l != kNone; l = links_[l].next) {
      if (++examined > kMaxCandidates) break;
      if (links_[l].key != key) continue;
      const std::size_t slot = l / kBands;
      if (seen_[slot] == check_no_) continue;
      seen_[slot] = check_no_;
      const Entry& e = entries_[slot];
      if (e.seq == 0 || e.at < oldest) continue;
      const double similarity = Similarity(fp, e.fp);
      if (similarity < options_.min_similarity) continue;
      ++result.near_duplicates;
      if (e.author == author_key) ++result.same_author;
      result.best_similarity = std::max(result.best_similarity, similarity);
      if (result.near_duplicates >= kEnoughDuplicates && result.same_author > 0) return result;
    }
  }
  return result;
}

void NearDuplicateIndex::Unlink(std::uint32_t l) {
  const Link link = links_[l];
  if (link.prev != kNone) {
    links_[link.prev].next = link.next;
  } else {
    heads_[Bucket(link.key)] = link.next;
  }
  if (link.next != kNone) links_[link.next].prev = link.prev;
  links_[l] = Link{};
}

void NearDuplicateIndex::AddLocked(const Fingerprint& fp, std::uint64_t author_key, TimeMs now) {
  if (fp.words < options_.min_words) return;
  const std::uint64_t seq = next_seq_++;
  const std::size_t slot = static_cast<std::size_t>((seq - 1) % entries_.size());
  Entry& e = entries_[slot];
  if (e.seq != 0) {
    for (std::size_t band = 0; band < kBands; ++band) {
      Unlink(static_cast<std::uint32_t>(slot * kBands + band));
    }
  } else {
    ++size_;
  }
  e.seq = seq;
  e.at = now;
  e.author = author_key;
  e.fp = fp;
  for (std::size_t band = 0; band < kBands; ++band) {
    const auto l = static_cast<std::uint32_t>(slot * kBands + band);
    const std::uint64_t key = BandKey(fp, band);
    const std::size_t bucket = Bucket(key);
    links_[l] = Link{key, kNone, heads_[bucket]};
    if (heads_[bucket] != kNone) links_[heads_[bucket]].prev = l;
    heads_[bucket] = l;
  }
}

}  // namespace amur::moderation
