#include "moderation/spam.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace amur::moderation {
namespace {

// ------------------------------------------------------------- CountLinks --

TEST(SpamLinksTest, CountsUrlsWwwAndMarkdownLinks) {
  EXPECT_EQ(CountLinks(""), 0);
  EXPECT_EQ(CountLinks("no links here, just words."), 0);
  EXPECT_EQ(CountLinks("see https://example.com/a?b=c"), 1);
  EXPECT_EQ(CountLinks("HTTP://EXAMPLE.COM and http://x.org"), 2);
  EXPECT_EQ(CountLinks("www.example.com"), 1);
  EXPECT_EQ(CountLinks("(www.example.com)"), 1);
  EXPECT_EQ(CountLinks("[text](https://example.com)"), 1);
  EXPECT_EQ(CountLinks("[text](<https://example.com>)"), 1);
  EXPECT_EQ(CountLinks("[text](/relative/path) and [mail](mailto:a@b.c)"), 2);
  EXPECT_EQ(CountLinks("![image](https://example.com/i.png)"), 1);
  EXPECT_EQ(CountLinks("<https://example.com>"), 1);
  EXPECT_EQ(CountLinks("[a](http://a.com) [b](http://b.com) www.c.com https://d.com"), 4);
}

TEST(SpamLinksTest, IgnoresLookAlikes) {
  EXPECT_EQ(CountLinks("the http protocol and www pages"), 0);
  EXPECT_EQ(CountLinks("awww.yes"), 0);
  EXPECT_EQ(CountLinks("a [bracket] (then parens)"), 0);
  EXPECT_EQ(CountLinks("empty [link]()"), 0);
  EXPECT_EQ(CountLinks("https://www.example.com counts once"), 1);
}

TEST(SpamLinksTest, LinearOnHugeInput) {
  std::string s;
  while (s.size() < 64 * 1024) s += "http://a.b ";
  const auto start = std::chrono::steady_clock::now();
  const int n = CountLinks(s);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 1.0);
  EXPECT_EQ(n, static_cast<int>(s.size() / 11));
}

// ----------------------------------------------------------- fingerprints --

const char* kSpam =
    "Earn five thousand dollars a week from home with our proven trading system, "
    "no experience needed, thousands of happy members already, join today before "
    "the offer closes and start your new life at cheap-money dot example";

const char* kSpamEdited =
    "Earn six thousand dollars a week from home with our proven trading system, "
    "no experience needed, thousands of happy members already, join now before "
    "the offer closes and start your new life at cheap-money dot example!!";

const char* kOther =
    "The 1858 treaty moved the border to the Amur and the convention two years later "
    "finished the job; what matters now is whether either capital wants to reopen a "
    "question that both have spent decades declaring settled for good";

TEST(SpamFingerprintTest, SmallEditsKeepTextsSimilar) {
  const Fingerprint a = ComputeFingerprint(kSpam);
  const Fingerprint b = ComputeFingerprint(kSpamEdited);
  const Fingerprint c = ComputeFingerprint(kOther);
  EXPECT_GT(a.words, 30u);
  EXPECT_DOUBLE_EQ(Similarity(a, a), 1.0);
  EXPECT_GE(Similarity(a, b), 0.6);
  EXPECT_LT(Similarity(a, c), 0.2);
}

TEST(SpamFingerprintTest, ObfuscationDoesNotChangeTheFingerprint) {
  const Fingerprint a = ComputeFingerprint(kSpam);
  std::string shouted = kSpam;
  for (char& ch : shouted) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  EXPECT_DOUBLE_EQ(Similarity(a, ComputeFingerprint(shouted)), 1.0);
}

TEST(SpamFingerprintTest, QuotedLinesAreLeftOut) {
  const std::string reply = std::string("> ") + kOther + "\n\nI agree with every word of that.";
  const Fingerprint r = ComputeFingerprint(reply);
  EXPECT_EQ(r.words, 7u);
  EXPECT_LT(Similarity(r, ComputeFingerprint(kOther)), 0.2);
}

TEST(SpamFingerprintTest, EmptyTextHasNoWords) {
  const Fingerprint e = ComputeFingerprint("  ...  ");
  EXPECT_EQ(e.words, 0u);
  EXPECT_EQ(Similarity(e, e), 0.0);
}

TEST(SpamAuthorKeyTest, NormalisedNamesAreOneAuthor) {
  EXPECT_EQ(AuthorKey("John"), AuthorKey("J0HN"));
  EXPECT_EQ(AuthorKey("John"), AuthorKey("ｊｏｈｎ"));
  EXPECT_NE(AuthorKey("John"), AuthorKey("Jane"));
  EXPECT_NE(AuthorKey("John", "member:1"), AuthorKey("John", "member:2"));
  EXPECT_NE(AuthorKey(""), 0u);
}

// ------------------------------------------------------ NearDuplicateIndex --

constexpr TimeMs kT0 = 1'764'000'000'000;
constexpr TimeMs kMinute = 60'000;

TEST(SpamNearDuplicateTest, FindsSmallEditsOfARecentComment) {
  NearDuplicateIndex index;
  const std::uint64_t alice = AuthorKey("alice");
  const std::uint64_t bob = AuthorKey("bob");
  EXPECT_FALSE(index.CheckAndAdd(ComputeFingerprint(kSpam), alice, kT0).near_duplicate());
  const DuplicateCheck d = index.CheckAndAdd(ComputeFingerprint(kSpamEdited), bob, kT0 + kMinute);
  EXPECT_TRUE(d.near_duplicate());
  EXPECT_FALSE(d.repeated_post());
  EXPECT_EQ(d.near_duplicates, 1);
  EXPECT_GE(d.best_similarity, 0.6);
  EXPECT_FALSE(index.Check(ComputeFingerprint(kOther), bob, kT0 + kMinute).near_duplicate());
}

TEST(SpamNearDuplicateTest, PendingCopiesFindEachOtherUntilReleased) {
  NearDuplicateIndex index;
  const std::uint64_t alice = AuthorKey("alice");
  const std::uint64_t bob = AuthorKey("bob");
  std::uint64_t first = 0;
  std::uint64_t second = 0;
  EXPECT_FALSE(index.CheckAndReserve(ComputeFingerprint(kSpam), alice, kT0, &first).near_duplicate());
  EXPECT_NE(first, 0u);
  const DuplicateCheck d = index.CheckAndReserve(ComputeFingerprint(kSpamEdited), alice, kT0, &second);
  EXPECT_TRUE(d.near_duplicate());
  EXPECT_TRUE(d.repeated_post());
  EXPECT_EQ(index.pending(), 2u);
  EXPECT_EQ(index.size(), 0u);  // nothing stored
  index.Release(first);
  index.Release(second);
  index.Release(second);  // twice: no harm
  EXPECT_EQ(index.pending(), 0u);
  EXPECT_FALSE(index.Check(ComputeFingerprint(kSpam), bob, kT0).near_duplicate());
  // Short comments are never held as pending.
  std::uint64_t none = 1;
  index.CheckAndReserve(ComputeFingerprint("Thank you, great article!"), bob, kT0, &none);
  EXPECT_EQ(none, 0u);
}

TEST(SpamNearDuplicateTest, PendingCopiesAreBoundedAndAgeOut) {
  NearDuplicateIndex index;
  const std::uint64_t bob = AuthorKey("bob");
  std::uint64_t ticket = 0;
  for (std::size_t i = 0; i < NearDuplicateIndex::kMaxPending + 10; ++i) {
    index.CheckAndReserve(ComputeFingerprint(kOther), bob, kT0, &ticket);
  }
  EXPECT_EQ(index.pending(), NearDuplicateIndex::kMaxPending);
  // Never released (a lost request): past the window it counts no more.
  const TimeMs later = kT0 + index.options().window_ms + 1;
  EXPECT_FALSE(index.Check(ComputeFingerprint(kOther), bob, later).near_duplicate());
  EXPECT_TRUE(index.Check(ComputeFingerprint(kOther), bob, kT0 + kMinute).near_duplicate());
}

TEST(SpamNearDuplicateTest, SameAuthorIsARepeatedPost) {
  NearDuplicateIndex index;
  const std::uint64_t alice = AuthorKey("alice");
  index.Add(ComputeFingerprint(kOther), alice, kT0);
  const DuplicateCheck d = index.Check(ComputeFingerprint(kOther), AuthorKey("ALICE"), kT0 + 1);
  EXPECT_TRUE(d.near_duplicate());
  EXPECT_TRUE(d.repeated_post());
  EXPECT_DOUBLE_EQ(d.best_similarity, 1.0);
}

TEST(SpamNearDuplicateTest, OldCommentsFallOutOfTheWindow) {
  NearDuplicateOptions options;
  options.window_ms = 10 * kMinute;
  NearDuplicateIndex index(options);
  index.Add(ComputeFingerprint(kSpam), 1, kT0);
  EXPECT_TRUE(index.Check(ComputeFingerprint(kSpam), 2, kT0 + 10 * kMinute).near_duplicate());
  EXPECT_FALSE(index.Check(ComputeFingerprint(kSpam), 2, kT0 + 10 * kMinute + 1).near_duplicate());
}

TEST(SpamNearDuplicateTest, ShortCommentsAreNeverDuplicates) {
  NearDuplicateIndex index;
  const Fingerprint thanks = ComputeFingerprint("Thank you, great article!");
  index.Add(thanks, 1, kT0);
  EXPECT_EQ(index.size(), 0u);
  EXPECT_FALSE(index.CheckAndAdd(thanks, 2, kT0 + 1).near_duplicate());
}

TEST(SpamNearDuplicateTest, TheRingBufferForgetsTheOldest) {
  NearDuplicateOptions options;
  options.capacity = 3;
  NearDuplicateIndex index(options);
  index.Add(ComputeFingerprint(kSpam), 1, kT0);
  for (int i = 0; i < 3; ++i) {
    index.Add(ComputeFingerprint(std::string(kOther) + " number " + std::to_string(i) +
                                 " with more words added at the end " + std::to_string(i * 7)),
              1, kT0 + i);
  }
  EXPECT_EQ(index.size(), 3u);
  EXPECT_FALSE(index.Check(ComputeFingerprint(kSpam), 2, kT0 + 10).near_duplicate());
  EXPECT_TRUE(index.Check(ComputeFingerprint(kOther), 2, kT0 + 10).near_duplicate());
}

TEST(SpamNearDuplicateTest, AFloodOfCopiesKeepsChecksFast) {
  NearDuplicateIndex index;
  const Fingerprint fp = ComputeFingerprint(kSpam);
  for (int i = 0; i < 20'000; ++i) index.Add(fp, static_cast<std::uint64_t>(i), kT0 + i);
  EXPECT_EQ(index.size(), 10'000u);
  const auto start = std::chrono::steady_clock::now();
  const int checks = 200;
  for (int i = 0; i < checks; ++i) {
    ASSERT_TRUE(index.Check(fp, 1, kT0 + 20'000).near_duplicate());
  }
  const double per_check =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / checks;
  // Generous for the sanitised debug build; see bench/moderation_benchmark.cpp
  // (BM_NearDuplicateFlood) for the release figure.
  EXPECT_LT(per_check, 0.02) << "seconds per check";
}

TEST(SpamNearDuplicateTest, ManyDistinctCommentsDoNotCollide) {
  NearDuplicateIndex index;
  std::mt19937 rng(3);
  int false_positives = 0;
  for (int i = 0; i < 2'000; ++i) {
    // Twenty words from a vocabulary of 2,000: unrelated texts that share
    // many single words, as comments on one article do.
    std::string text = "comment says";
    for (int w = 0; w < 20; ++w) text += " w" + std::to_string(rng() % 2'000);
    if (index.CheckAndAdd(ComputeFingerprint(text), 1, kT0 + i).near_duplicate()) ++false_positives;
  }
  EXPECT_EQ(false_positives, 0);
}

TEST(SpamNearDuplicateTest, ConcurrentUseIsSafe) {
  NearDuplicateOptions options;
  options.capacity = 500;
  NearDuplicateIndex index(options);
  std::atomic<int> found{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        const std::string text = std::string(kOther) + " thread " + std::to_string(t);
        if (index.CheckAndAdd(ComputeFingerprint(text), static_cast<std::uint64_t>(t), kT0 + i)
                .near_duplicate()) {
          ++found;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(index.size(), 500u);
  EXPECT_GE(found.load(), 4 * 300 - 4);
}

}  // namespace
}  // namespace amur::moderation
