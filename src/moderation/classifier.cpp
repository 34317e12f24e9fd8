#include "moderation/classifier.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <utility>

namespace amur::moderation {
namespace {

// ---------------------------------------------------------------------------
// Hashing

constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;

// MurmurHash3's 64-bit finaliser: every input bit affects every output bit.
inline std::uint64_t Mix64(std::uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

// Distinct seeds keep the feature families apart in the shared bucket space.
constexpr std::uint64_t kUnigramSeed = 0x9e3779b97f4a7c15ULL;
constexpr std::uint64_t kBigramSeed = 0xbf58476d1ce4e5b9ULL;
constexpr std::uint64_t kCharSeed = 0x94d049bb133111ebULL;
constexpr std::uint64_t kTagSeed = 0xd6e8feb86659fd93ULL;

// The bucket of a tag feature.
std::uint32_t TagBucket(std::string_view tag, int bits) {
  std::uint64_t h = kFnvOffset;
  for (char c : tag) h = (h ^ static_cast<unsigned char>(c)) * kFnvPrime;
  return static_cast<std::uint32_t>(Mix64(h ^ kTagSeed) >> (64 - bits));
}

// The last bytes of the sliding window, oldest first, as one integer.
constexpr std::uint64_t Pack(std::string_view s) {
  std::uint64_t v = 0;
  for (char c : s) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}
constexpr std::uint64_t kHttp = Pack("http://");
constexpr std::uint64_t kHttps = Pack("https://");
constexpr std::uint64_t kWww = Pack("www.");
constexpr std::uint64_t kSchemeEnd = Pack("://");

// ---------------------------------------------------------------------------
// Dense features: fixed slots after the hashed buckets.

enum DenseSlot : std::size_t {
  kBias,
  kLinksNone,
  kLinksOne,
  kLinksFew,   // 2-3
  kLinksMany,  // 4 or more
  kLinksLog,   // log(1 + links) / log(17), capped at 1
  kLength16,   // bytes < 16
  kLength64,
  kLength256,
  kLength1k,
  kLength4k,
  kLengthHuge,      // bytes >= 4096
  kUpperRatio,      // upper-case share of ASCII letters, when there are 8 or more
  kShouting,        // upper-case share >= 0.7 over 12 or more ASCII letters
  kNonLetterRatio,  // share of non-space characters that are not letters
  kDenseCount,
};

using Dense = std::array<float, kDenseCount>;

inline bool IsSpace(unsigned char c) { return c <= 0x20 || c == 0x7f; }
inline bool IsAsciiUpper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
inline bool IsAsciiLower(unsigned char c) { return c >= 'a' && c <= 'z'; }
inline bool IsWordByte(unsigned char c) {
  return IsAsciiLower(c) || (c >= '0' && c <= '9') || c >= 0x80;
}

struct GroupCounts {
  std::uint32_t words = 0;
  std::uint32_t chars = 0;
};

// One pass over the first kMaxScoredBytes of `text`: calls sink.Word(bucket)
// for every word unigram and bigram and sink.Char(bucket) for every character
// 3-, 4- and 5-gram, fills `dense`, and returns how many of each it emitted.
template <typename Sink>
GroupCounts Extract(std::string_view text, int bits, Sink& sink, Dense& dense) {
  const std::size_t len = std::min(text.size(), kMaxScoredBytes);
  const int shift = 64 - bits;
  auto bucket = [shift](std::uint64_t h) { return static_cast<std::uint32_t>(Mix64(h) >> shift); };

  GroupCounts counts;
  std::uint64_t window = ' ';  // a virtual leading space marks the first word's start
  std::uint32_t filled = 1;
  bool last_space = true;
  std::uint64_t word_hash = kFnvOffset;
  bool in_word = false;
  std::uint64_t prev_word = 0;
  bool have_prev = false;
  std::uint32_t links = 0;
  std::uint32_t non_space = 0;  // characters, not bytes: continuation bytes are skipped
  std::uint32_t letters = 0;
  std::uint32_t ascii_letters = 0;
  std::uint32_t upper = 0;

  auto end_word = [&] {
    if (!in_word) return;
    sink.Word(bucket(word_hash ^ kUnigramSeed));
    ++counts.words;
    if (have_prev) {
      sink.Word(bucket((prev_word * kFnvPrime + word_hash) ^ kBigramSeed));
      ++counts.words;
    }
    prev_word = word_hash;
    have_prev = true;
    in_word = false;
    word_hash = kFnvOffset;
  };
  auto push_char = [&](unsigned char c) {
    window = (window << 8) | c;
    ++filled;
    if (filled >= 3) {
      sink.Char(bucket((window & 0xffffffULL) ^ (3ULL << 56) ^ kCharSeed));
      if (filled >= 4) sink.Char(bucket((window & 0xffffffffULL) ^ (4ULL << 56) ^ kCharSeed));
      if (filled >= 5) sink.Char(bucket((window & 0xffffffffffULL) ^ (5ULL << 56) ^ kCharSeed));
      counts.chars += std::min<std::uint32_t>(filled, 5) - 2;
    }
    if (c == '/') {
      if ((window & 0xffffffffffffffULL) == kHttp || window == kHttps) ++links;
    } else if (c == '.') {
      if ((window & 0xffffffffULL) == kWww && ((window >> 32) & 0xffffffULL) != kSchemeEnd) ++links;
    }
  };

  for (std::size_t i = 0; i < len; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (IsSpace(c)) {
      end_word();
      if (!last_space) push_char(' ');
      last_space = true;
      continue;
    }
    last_space = false;
    if ((c & 0xc0) != 0x80) ++non_space;
    if (IsAsciiUpper(c)) {
      ++upper;
      ++ascii_letters;
      ++letters;
      c = static_cast<unsigned char>(c + ('a' - 'A'));
    } else if (IsAsciiLower(c)) {
      ++ascii_letters;
      ++letters;
    } else if (c >= 0xc0) {
      ++letters;  // the lead byte of a non-ASCII character, presumed a letter
    }
    if (IsWordByte(c)) {
      word_hash = (word_hash ^ c) * kFnvPrime;
      in_word = true;
    } else {
      end_word();
    }
    push_char(c);
  }
  end_word();
  if (!last_space) push_char(' ');

  dense.fill(0.0f);
  dense[kBias] = 1.0f;
  dense[links == 0   ? kLinksNone
        : links == 1 ? kLinksOne
        : links <= 3 ? kLinksFew
                     : kLinksMany] = 1.0f;
  dense[kLinksLog] = std::min(1.0f, std::log1p(static_cast<float>(links)) / std::log(17.0f));
  const std::size_t size = text.size();
  dense[size < 16     ? kLength16
        : size < 64   ? kLength64
        : size < 256  ? kLength256
        : size < 1024 ? kLength1k
        : size < 4096 ? kLength4k
                      : kLengthHuge] = 1.0f;
  if (ascii_letters >= 8) {
    const float ratio = static_cast<float>(upper) / static_cast<float>(ascii_letters);
    dense[kUpperRatio] = ratio;
    if (ascii_letters >= 12 && ratio >= 0.7f) dense[kShouting] = 1.0f;
  }
  if (non_space > 0) {
    dense[kNonLetterRatio] = static_cast<float>(non_space - std::min(letters, non_space)) /
                             static_cast<float>(non_space);
  }
  return counts;
}

inline float GroupScale(std::uint32_t count) {
  return count == 0 ? 0.0f : 1.0f / std::sqrt(static_cast<float>(count));
}

inline double Sigmoid(double margin) {
  if (std::isnan(margin)) return 0.5;
  margin = std::clamp(margin, -35.0, 35.0);
  return 1.0 / (1.0 + std::exp(-margin));
}

struct ScoreSink {
  const float* w;
  double words = 0;
  double chars = 0;
  void Word(std::uint32_t b) { words += w[b]; }
  void Char(std::uint32_t b) { chars += w[b]; }
};

struct CollectSink {
  std::vector<std::uint32_t>* words;
  std::vector<std::uint32_t>* chars;
  void Word(std::uint32_t b) { words->push_back(b); }
  void Char(std::uint32_t b) { chars->push_back(b); }
};

// splitmix64: a small, fully specified generator, so a seed gives the same
// training order on every platform and standard library.
struct SplitMix64 {
  std::uint64_t state;
  std::uint64_t Next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
};

bool ValidOptions(const ClassifierOptions& o) {
  auto finite = [](float f) { return std::isfinite(f); };
  return o.bucket_bits >= 10 && o.bucket_bits <= 24 && finite(o.alpha) && o.alpha > 0 &&
         finite(o.beta) && o.beta >= 0 && finite(o.l1) && o.l1 >= 0 && finite(o.l2) && o.l2 >= 0;
}

// ---------------------------------------------------------------------------
// The blob: little-endian throughout.
//
//   "AMURCLF1"                       8 bytes
//   format version                   u32 (= 1)
//   bucket_bits                      u32
//   dense feature count              u32
//   alpha, beta, l1, l2              f32 each
//   examples_seen                    u64
//   entry count K                    u64
//   K entries, by increasing index:  varint gap from the previous index + 1
//                                    (the first: the index), f32 z, f32 n
//   FNV-1a 64 of all bytes above     u64

constexpr std::string_view kMagic = "AMURCLF1";
constexpr std::uint32_t kFormatVersion = 1;

std::uint64_t Fnv1a(std::string_view bytes) {
  std::uint64_t h = kFnvOffset;
  for (char c : bytes) h = (h ^ static_cast<unsigned char>(c)) * kFnvPrime;
  return h;
}

class Writer final {
 public:
  void Bytes(std::string_view s) { out_.append(s); }
  void U32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void U64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void F32(float f) { U32(std::bit_cast<std::uint32_t>(f)); }
  void Varint(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

// Reads until the first failure; after that every read returns 0 and ok() is
// false, so callers check once.
class Reader final {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  std::size_t remaining() const { return in_.size() - pos_; }
  std::string_view Bytes(std::size_t n) {
    if (!Need(n)) return {};
    std::string_view s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  std::uint32_t U32() {
    if (!Need(4)) return 0;
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
      v |= std::uint32_t{static_cast<unsigned char>(in_[pos_ + i])} << (8 * i);
    pos_ += 4;
    return v;
  }
  std::uint64_t U64() {
    if (!Need(8)) return 0;
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
      v |= std::uint64_t{static_cast<unsigned char>(in_[pos_ + i])} << (8 * i);
    pos_ += 8;
    return v;
  }
  float F32() { return std::bit_cast<float>(U32()); }
  std::uint64_t Varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!Need(1)) return 0;
      const auto b = static_cast<unsigned char>(in_[pos_++]);
      v |= std::uint64_t{b & 0x7fu} << shift;
      if ((b & 0x80) == 0) return v;
    }
    ok_ = false;  // more than ten bytes
    return 0;
  }

 private:
  bool Need(std::size_t n) {
    if (ok_ && remaining() >= n) return true;
    ok_ = false;
    return false;
  }
  std::string_view in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

Error BadModel(std::string message) {
  return MakeError(ErrorCode::kInvalidField, "not a valid classifier model: " + std::move(message),
                   "model");
}

}  // namespace

// ---------------------------------------------------------------------------

Classifier::Classifier() : Classifier(ClassifierOptions{}) {}

Classifier::Classifier(const ClassifierOptions& options) : options_(options) {
  const std::size_t total = (std::size_t{1} << options_.bucket_bits) + kDenseCount;
  z_.assign(total, 0.0f);
  n_.assign(total, 0.0f);
  w_.assign(total, 0.0f);
}

Result<Classifier> Classifier::Create(const ClassifierOptions& options) {
  if (!ValidOptions(options)) {
    return MakeError(ErrorCode::kInvalidField,
                     "classifier options out of range (bucket_bits 10-24, alpha > 0, "
                     "beta, l1, l2 >= 0 and finite)",
                     "options");
  }
  return Classifier(options);
}

double Classifier::Score(std::string_view text) const { return Score(text, {}); }

double Classifier::Score(std::string_view text, std::span<const std::string> tags) const {
  ScoreSink sink{w_.data()};
  Dense dense;
  const GroupCounts counts = Extract(text, options_.bucket_bits, sink, dense);
  double margin = sink.words * GroupScale(counts.words) + sink.chars * GroupScale(counts.chars);
  const float* dense_w = w_.data() + (std::size_t{1} << options_.bucket_bits);
  for (std::size_t j = 0; j < kDenseCount; ++j) margin += dense[j] * dense_w[j];
  for (const std::string& tag : tags) margin += w_[TagBucket(tag, options_.bucket_bits)];
  return Sigmoid(margin);
}

void Classifier::UpdateWeight(std::size_t i) {
  const float z = z_[i];
  if (std::fabs(z) <= options_.l1) {
    w_[i] = 0.0f;
    return;
  }
  const float sign = z < 0 ? -1.0f : 1.0f;
  w_[i] = -(z - sign * options_.l1) /
          ((options_.beta + std::sqrt(n_[i])) / options_.alpha + options_.l2);
}

void Classifier::Learn(std::string_view text, bool label) { Learn(text, label, {}); }

void Classifier::Learn(std::string_view text, bool label, std::span<const std::string> tags) {
  const std::size_t hashed = std::size_t{1} << options_.bucket_bits;
  if (scratch_.size() != w_.size()) scratch_.assign(w_.size(), 0.0f);
  word_buckets_.clear();
  char_buckets_.clear();
  unique_.clear();

  CollectSink sink{&word_buckets_, &char_buckets_};
  Dense dense;
  const GroupCounts counts = Extract(text, options_.bucket_bits, sink, dense);

  // Merge repeated features: scratch_ holds each coordinate's value x_i.
  // Every value added is positive, so a zero marks a first occurrence.
  auto add = [this](std::uint32_t i, float v) {
    if (scratch_[i] == 0.0f) unique_.push_back(i);
    scratch_[i] += v;
  };
  const float word_scale = GroupScale(counts.words);
  for (std::uint32_t b : word_buckets_) add(b, word_scale);
  const float char_scale = GroupScale(counts.chars);
  for (std::uint32_t b : char_buckets_) add(b, char_scale);
  for (std::size_t j = 0; j < kDenseCount; ++j) {
    if (dense[j] > 0.0f) add(static_cast<std::uint32_t>(hashed + j), dense[j]);
  }
  for (const std::string& tag : tags) add(TagBucket(tag, options_.bucket_bits), 1.0f);

  double margin = 0;
  for (std::uint32_t i : unique_) margin += double{scratch_[i]} * w_[i];
  const float error = static_cast<float>(Sigmoid(margin) - (label ? 1.0 : 0.0));

  for (std::uint32_t i : unique_) {
    const float g = error * scratch_[i];
    const float n = n_[i];
    const float sigma = (std::sqrt(n + g * g) - std::sqrt(n)) / options_.alpha;
    z_[i] += g - sigma * w_[i];
    n_[i] = n + g * g;
    UpdateWeight(i);
    scratch_[i] = 0.0f;
  }
  ++examples_seen_;
}

void Classifier::TrainEpochs(const std::vector<LabelledText>& examples, int epochs,
                             std::uint64_t seed) {
  std::vector<std::size_t> order(examples.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  SplitMix64 rng{seed};
  for (int epoch = 0; epoch < epochs; ++epoch) {
    for (std::size_t i = order.size(); i > 1; --i) {
      std::swap(order[i - 1], order[rng.Next() % i]);
    }
    for (std::size_t i : order) Learn(examples[i].text, examples[i].label, examples[i].tags);
  }
}

std::size_t Classifier::NonZeroWeights() const {
  return static_cast<std::size_t>(
      std::count_if(w_.begin(), w_.end(), [](float w) { return w != 0.0f; }));
}

std::string Classifier::Save() const {
  Writer out;
  out.Bytes(kMagic);
  out.U32(kFormatVersion);
  out.U32(static_cast<std::uint32_t>(options_.bucket_bits));
  out.U32(static_cast<std::uint32_t>(kDenseCount));
  out.F32(options_.alpha);
  out.F32(options_.beta);
  out.F32(options_.l1);
  out.F32(options_.l2);
  out.U64(examples_seen_);
  std::uint64_t entries = 0;
  for (std::size_t i = 0; i < z_.size(); ++i) entries += (z_[i] != 0.0f || n_[i] != 0.0f);
  out.U64(entries);
  std::size_t next = 0;  // the smallest index the next entry may have
  for (std::size_t i = 0; i < z_.size(); ++i) {
    if (z_[i] == 0.0f && n_[i] == 0.0f) continue;
    out.Varint(i - next);
    out.F32(z_[i]);
    out.F32(n_[i]);
    next = i + 1;
  }
  out.U64(Fnv1a(out.out()));
  return std::move(out.out());
}

Result<Classifier> Classifier::Load(std::string_view blob) {
  constexpr std::size_t kChecksumBytes = 8;
  if (blob.size() < kMagic.size() + kChecksumBytes || blob.substr(0, kMagic.size()) != kMagic) {
    return BadModel("it does not start with the model signature");
  }
  const std::string_view body = blob.substr(0, blob.size() - kChecksumBytes);
  Reader checksum(blob.substr(body.size()));
  if (checksum.U64() != Fnv1a(body))
    return BadModel("the checksum does not match (truncated or corrupted)");

  Reader in(body);
  in.Bytes(kMagic.size());
  const std::uint32_t version = in.U32();
  if (in.ok() && version != kFormatVersion) {
    return BadModel("format version " + std::to_string(version) + " is not supported");
  }
  ClassifierOptions options;
  options.bucket_bits = static_cast<int>(std::min<std::uint32_t>(in.U32(), 1000));
  const std::uint32_t dense_count = in.U32();
  options.alpha = in.F32();
  options.beta = in.F32();
  options.l1 = in.F32();
  options.l2 = in.F32();
  const std::uint64_t examples_seen = in.U64();
  const std::uint64_t entries = in.U64();
  if (!in.ok()) return BadModel("the header is truncated");
  if (!ValidOptions(options)) return BadModel("its options are out of range");
  if (dense_count != kDenseCount) return BadModel("it was made with other dense features");

  Classifier model(options);
  const std::size_t total = model.z_.size();
  // Each entry takes at least 9 bytes, which bounds a forged count.
  if (entries > total || entries > in.remaining() / 9)
    return BadModel("its entry count is impossible");
  std::uint64_t next = 0;
  for (std::uint64_t e = 0; e < entries; ++e) {
    const std::uint64_t gap = in.Varint();
    const float z = in.F32();
    const float n = in.F32();
    if (!in.ok()) return BadModel("an entry is truncated");
    if (gap >= total - next) return BadModel("an entry's index is out of range");
    const std::size_t i = static_cast<std::size_t>(next + gap);
    if (!std::isfinite(z) || !std::isfinite(n) || n < 0)
      return BadModel("an entry's value is invalid");
    model.z_[i] = z;
    model.n_[i] = n;
    model.UpdateWeight(i);
    next = i + 1;
  }
  if (in.remaining() != 0) return BadModel("it has trailing bytes");
  model.examples_seen_ = examples_seen;
  return model;
}

}  // namespace amur::moderation
