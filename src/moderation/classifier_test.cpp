#include "moderation/classifier.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "moderation/classifier_eval.hpp"

namespace amur::moderation {
namespace {

using namespace std::string_literals;

// A tiny deterministic generator so the toy corpus is the same everywhere.
class Lcg final {
 public:
  explicit Lcg(std::uint64_t seed) : state_(seed) {}
  std::size_t Below(std::size_t n) {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::size_t>((state_ >> 33) % n);
  }

 private:
  std::uint64_t state_;
};

const std::vector<std::string> kHamWords = {
    "treaty",     "border",     "river",     "minister",    "election", "argument",
    "history",    "policy",     "article",   "sources",     "agree",    "disagree",
    "parliament", "economy",    "sanctions", "trade",       "analysis", "evidence",
    "region",     "government", "century",   "negotiation", "war",      "peace"};
const std::vector<std::string> kSpamWords = {
    "cheap", "pills", "casino", "bonus", "winner", "viagra", "crypto",     "discount",
    "free",  "offer", "click",  "prize", "loans",  "earn",   "guaranteed", "bitcoin"};
const std::vector<std::string> kGlue = {"the", "a",  "of",   "and",  "is",
                                        "to",  "in", "this", "that", "i"};

std::string MakeText(Lcg& rng, bool spam) {
  const auto& topic = spam ? kSpamWords : kHamWords;
  std::string text;
  const std::size_t words = 8 + rng.Below(20);
  for (std::size_t i = 0; i < words; ++i) {
    if (!text.empty()) text += ' ';
    text += rng.Below(3) == 0 ? kGlue[rng.Below(kGlue.size())] : topic[rng.Below(topic.size())];
  }
  if (spam && rng.Below(2) == 0) text += " https://win.example.com/now";
  if (spam && rng.Below(3) == 0) {
    for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return text;
}

std::vector<LabelledText> MakeCorpus(std::uint64_t seed, std::size_t n) {
  Lcg rng(seed);
  std::vector<LabelledText> out;
  for (std::size_t i = 0; i < n; ++i) {
    const bool spam = i % 2 == 1;
    out.push_back({MakeText(rng, spam), spam});
  }
  return out;
}

ClassifierOptions SmallOptions() {
  ClassifierOptions o;
  o.bucket_bits = 12;  // small blobs keep the corruption tests fast
  return o;
}

Classifier Trained(const ClassifierOptions& options = ClassifierOptions{}) {
  Result<Classifier> c = Classifier::Create(options);
  EXPECT_TRUE(c.ok());
  c->TrainEpochs(MakeCorpus(1, 400), 3);
  return std::move(c).value();
}

TEST(ClassifierTest, UntrainedModelIsUndecided) {
  Classifier c;
  EXPECT_EQ(c.Score("anything at all"), 0.5);
  EXPECT_EQ(c.Score(""), 0.5);
  EXPECT_EQ(c.examples_seen(), 0u);
  EXPECT_EQ(c.NonZeroWeights(), 0u);
}

TEST(ClassifierTest, CreateRejectsOptionsOutOfRange) {
  auto bad = [](auto mutate) {
    ClassifierOptions o;
    mutate(o);
    Result<Classifier> c = Classifier::Create(o);
    return !c.ok() && c.error().code == ErrorCode::kInvalidField;
  };
  EXPECT_TRUE(bad([](ClassifierOptions& o) { o.bucket_bits = 9; }));
  EXPECT_TRUE(bad([](ClassifierOptions& o) { o.bucket_bits = 25; }));
  EXPECT_TRUE(bad([](ClassifierOptions& o) { o.alpha = 0; }));
  EXPECT_TRUE(bad([](ClassifierOptions& o) { o.alpha = NAN; }));
  EXPECT_TRUE(bad([](ClassifierOptions& o) { o.beta = -1; }));
  EXPECT_TRUE(bad([](ClassifierOptions& o) { o.l1 = INFINITY; }));
  EXPECT_TRUE(bad([](ClassifierOptions& o) { o.l2 = -0.5f; }));
  EXPECT_TRUE(Classifier::Create(ClassifierOptions{}).ok());
  EXPECT_TRUE(Classifier::Create(SmallOptions()).ok());
}

TEST(ClassifierTest, LearnsASeparableToySet) {
  Classifier c = Trained();
  const std::vector<LabelledText> held_out = MakeCorpus(2, 200);
  for (const LabelledText& e : held_out) {
    const double s = c.Score(e.text);
    if (e.label) {
      EXPECT_GT(s, 0.5) << e.text;
    } else {
      EXPECT_LT(s, 0.5) << e.text;
    }
  }
  const EvalReport r = Evaluate(c, held_out, 0.5);
  EXPECT_EQ(r.roc_auc, 1.0);
  EXPECT_EQ(r.precision, 1.0);
  EXPECT_EQ(r.recall, 1.0);
  EXPECT_EQ(c.examples_seen(), 1200u);
}

TEST(ClassifierTest, EachDecisionMovesTheScoreItsWay) {
  Classifier c;
  const std::string text = "limited offer, cheap pills, click now";
  double before = c.Score(text);
  for (int i = 0; i < 5; ++i) {
    c.Learn(text, true);
    const double after = c.Score(text);
    EXPECT_GT(after, before);
    before = after;
  }
  const std::string fine = "the treaty moved the border to the river";
  before = c.Score(fine);
  c.Learn(fine, false);
  EXPECT_LT(c.Score(fine), before);
  EXPECT_EQ(c.examples_seen(), 6u);
}

TEST(ClassifierTest, GeneralisesOverCaseSpacingAndSmallVariations) {
  Classifier c = Trained();
  EXPECT_GT(c.Score("CHEAP PILLS AND CASINO BONUS"), 0.5);
  EXPECT_GT(c.Score("cheap   pills\n\nand casino\tbonus"), 0.5);
  EXPECT_GT(c.Score("cheeap pilz casinos bonuses"), 0.5);
  EXPECT_LT(c.Score("the minister disagreed with the treaty analysis"), 0.5);
}

TEST(ClassifierTest, AcceptsAnyBytes) {
  Classifier c = Trained();
  const std::vector<std::string> odd = {
      ""s,
      " "s,
      "\0\0\0"s,
      "\xff\xfe\xc3"s,
      "\xe2\x82"s,
      std::string(50'000, '!'),
      std::string(50'000, ' '),
      std::string(20'000, 'a'),
      "http://https://www.www."s,
      "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 \xd0\xbc\xd0\xb8\xd1\x80"s};
  for (const std::string& t : odd) {
    const double s = c.Score(t);
    EXPECT_TRUE(std::isfinite(s));
    EXPECT_GE(s, 0.0);
    EXPECT_LE(s, 1.0);
    Classifier copy = c;
    copy.Learn(t, true);
    EXPECT_TRUE(std::isfinite(copy.Score(t)));
  }
}

TEST(ClassifierTest, LooksOnlyAtTheFirstBytes) {
  Classifier c = Trained();
  std::string prefix;
  while (prefix.size() < kMaxScoredBytes) prefix += "the treaty moved the border ";
  prefix.resize(kMaxScoredBytes);
  // Same length, so the length features agree; only the unread tails differ.
  const std::string a = prefix + std::string(1000, 'x');
  std::string b = prefix;
  for (int i = 0; i < 100; ++i) b += "cheap pill";
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(c.Score(a), c.Score(b));
}

TEST(ClassifierTest, TrainingIsDeterministicForASeed) {
  const std::vector<LabelledText> corpus = MakeCorpus(3, 100);
  Classifier a(Classifier::Create(SmallOptions()).value());
  Classifier b(Classifier::Create(SmallOptions()).value());
  a.TrainEpochs(corpus, 2, 42);
  b.TrainEpochs(corpus, 2, 42);
  EXPECT_EQ(a.Save(), b.Save());
  Classifier other(Classifier::Create(SmallOptions()).value());
  other.TrainEpochs(corpus, 2, 43);
  EXPECT_NE(a.Save(), other.Save());
}

TEST(ClassifierTest, SaveLoadRoundTripKeepsScoresAndLearning) {
  for (const ClassifierOptions& options : {ClassifierOptions{}, SmallOptions()}) {
    Classifier c = Trained(options);
    const std::string blob = c.Save();
    Result<Classifier> loaded = Classifier::Load(blob);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    EXPECT_EQ(loaded->examples_seen(), c.examples_seen());
    EXPECT_EQ(loaded->options().bucket_bits, options.bucket_bits);
    EXPECT_EQ(loaded->NonZeroWeights(), c.NonZeroWeights());
    for (const LabelledText& e : MakeCorpus(4, 100)) {
      EXPECT_EQ(loaded->Score(e.text), c.Score(e.text)) << e.text;
    }
    EXPECT_EQ(loaded->Save(), blob);
    // The learner's state is saved too: learning continues identically.
    c.Learn("a brand new kind of spam", true);
    loaded->Learn("a brand new kind of spam", true);
    EXPECT_EQ(loaded->Save(), c.Save());
  }
}

TEST(ClassifierTest, UntrainedModelRoundTrips) {
  Classifier c;
  Result<Classifier> loaded = Classifier::Load(c.Save());
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->Score("x"), 0.5);
  EXPECT_LT(c.Save().size(), 100u);
}

bool FailsCleanly(std::string_view blob) {
  Result<Classifier> r = Classifier::Load(blob);
  return !r.ok() && r.error().code == ErrorCode::kInvalidField && r.error().field == "model" &&
         !r.error().message.empty();
}

TEST(ClassifierTest, LoadRejectsGarbage) {
  EXPECT_TRUE(FailsCleanly(""));
  EXPECT_TRUE(FailsCleanly("AMURCLF1"));
  EXPECT_TRUE(FailsCleanly("not a model at all, just some text"));
  EXPECT_TRUE(FailsCleanly(std::string(1000, '\0')));
  EXPECT_TRUE(FailsCleanly(std::string(1000, '\xff')));
  Lcg rng(7);
  for (int i = 0; i < 200; ++i) {
    std::string junk = "AMURCLF1";
    const std::size_t n = rng.Below(300);
    for (std::size_t k = 0; k < n; ++k) junk.push_back(static_cast<char>(rng.Below(256)));
    EXPECT_TRUE(FailsCleanly(junk));
  }
}

TEST(ClassifierTest, LoadRejectsEveryTruncationAndEveryFlippedByte) {
  Classifier c(Classifier::Create(SmallOptions()).value());
  c.TrainEpochs(MakeCorpus(5, 8), 1);
  const std::string blob = c.Save();
  ASSERT_TRUE(Classifier::Load(blob).ok());
  for (std::size_t len = 0; len < blob.size(); ++len) {
    EXPECT_TRUE(FailsCleanly(std::string_view(blob).substr(0, len))) << len;
  }
  EXPECT_TRUE(FailsCleanly(blob + "x"));
  for (std::size_t i = 0; i < blob.size(); ++i) {
    std::string bad = blob;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    EXPECT_TRUE(FailsCleanly(bad)) << i;
  }
}

// Forged blobs with a correct checksum still have to make sense.
class BlobForge final {
 public:
  BlobForge& Bytes(std::string_view s) {
    out_ += s;
    return *this;
  }
  BlobForge& U32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>(v >> (8 * i)));
    return *this;
  }
  BlobForge& U64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>(v >> (8 * i)));
    return *this;
  }
  BlobForge& F32(float f) { return U32(std::bit_cast<std::uint32_t>(f)); }
  BlobForge& Byte(std::uint8_t b) {
    out_.push_back(static_cast<char>(b));
    return *this;
  }
  BlobForge& Header(std::uint32_t version, std::uint32_t bits, std::uint32_t dense,
                    std::uint64_t entries, float alpha = 0.5f) {
    return Bytes("AMURCLF1")
        .U32(version)
        .U32(bits)
        .U32(dense)
        .F32(alpha)
        .F32(1)
        .F32(0)
        .F32(0)
        .U64(0)
        .U64(entries);
  }
  std::string Sealed() const {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : out_) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    std::string s = out_;
    for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>(h >> (8 * i)));
    return s;
  }

 private:
  std::string out_;
};

TEST(ClassifierTest, LoadRejectsWellSealedNonsense) {
  // The dense feature count of this build, read from a real blob.
  const std::string real = Classifier(Classifier::Create(SmallOptions()).value()).Save();
  const auto dense = static_cast<std::uint32_t>(static_cast<unsigned char>(real[16]));
  ASSERT_TRUE(Classifier::Load(BlobForge().Header(1, 12, dense, 0).Sealed()).ok());
  ASSERT_TRUE(
      Classifier::Load(BlobForge().Header(1, 12, dense, 1).Byte(5).F32(0.5f).F32(1).Sealed()).ok());

  EXPECT_TRUE(FailsCleanly(BlobForge().Header(2, 12, dense, 0).Sealed()));         // version
  EXPECT_TRUE(FailsCleanly(BlobForge().Header(1, 40, dense, 0).Sealed()));         // bits
  EXPECT_TRUE(FailsCleanly(BlobForge().Header(1, 12, dense + 1, 0).Sealed()));     // features
  EXPECT_TRUE(FailsCleanly(BlobForge().Header(1, 12, dense, 0, -1.0f).Sealed()));  // alpha
  EXPECT_TRUE(FailsCleanly(BlobForge().Header(1, 12, dense, 0, NAN).Sealed()));
  EXPECT_TRUE(FailsCleanly(BlobForge().Header(1, 12, dense, ~0ULL).Sealed()));  // count
  EXPECT_TRUE(FailsCleanly(BlobForge().Header(1, 12, dense, 2).Byte(5).F32(0.5f).F32(1).Sealed()));
  // Index past the end.
  EXPECT_TRUE(FailsCleanly(
      BlobForge().Header(1, 12, dense, 1).Byte(0xff).Byte(0x7f).F32(0.5f).F32(1).Sealed()));
  // Two entries whose gaps add up past the end.
  EXPECT_TRUE(FailsCleanly(BlobForge()
                               .Header(1, 12, dense, 2)
                               .Byte(0xff)
                               .Byte(0x1f)
                               .F32(1)
                               .F32(1)
                               .Byte(0xff)
                               .Byte(0x1f)
                               .F32(1)
                               .F32(1)
                               .Sealed()));
  // A varint that never ends.
  BlobForge endless;
  endless.Header(1, 12, dense, 1);
  for (int i = 0; i < 12; ++i) endless.Byte(0xff);
  EXPECT_TRUE(FailsCleanly(endless.F32(0).Sealed()));
  // Values that are not numbers, or a negative sum of squares.
  EXPECT_TRUE(FailsCleanly(BlobForge().Header(1, 12, dense, 1).Byte(0).F32(NAN).F32(1).Sealed()));
  EXPECT_TRUE(
      FailsCleanly(BlobForge().Header(1, 12, dense, 1).Byte(0).F32(1).F32(INFINITY).Sealed()));
  EXPECT_TRUE(FailsCleanly(BlobForge().Header(1, 12, dense, 1).Byte(0).F32(1).F32(-1).Sealed()));
}

TEST(ClassifierTest, ConcurrentScoresAgree) {
  const Classifier c = Trained();
  const std::vector<LabelledText> corpus = MakeCorpus(6, 50);
  std::vector<double> expected;
  for (const LabelledText& e : corpus) expected.push_back(c.Score(e.text));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < mismatches.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        for (std::size_t i = 0; i < corpus.size(); ++i) {
          if (c.Score(corpus[i].text) != expected[i]) ++mismatches[t];
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

}  // namespace
}  // namespace amur::moderation
