// Spam signals that need no term list: how many links a comment carries, and
// whether the same text (give or take a few words) was posted recently,
// anywhere on the site or by the same author.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "moderation/normalize.hpp"

namespace amur::moderation {

// The number of links in a Markdown comment: every http:// or https:// URL
// (bare, <autolinked> or as a link target), every "www." address, and every
// inline Markdown link or image "[text](target)" whose target is something
// else ("/path", "mailto:…", "example.com"). A URL that is both the target of
// "[text](…)" and an http(s) URL counts once. Case-insensitive. Linear time.
int CountLinks(std::string_view markdown);

// A MinHash signature of a comment: kMinHashes minimums over the hashes of
// the word 3-shingles of the normalised text. The fraction of equal
// positions in two signatures estimates the Jaccard similarity of the two
// shingle sets (standard error about 0.06).
inline constexpr std::size_t kMinHashes = 64;

struct Fingerprint {
  std::array<std::uint32_t, kMinHashes> mins{};
  std::size_t words = 0;  // words that took part
};

// The fingerprint of a Markdown body. Words on block-quote lines ("> …") are
// left out, so a reply that quotes a comment is not a copy of it.
// `text` must be NormalizeForMatching(markdown).
Fingerprint ComputeFingerprint(const NormalizedText& text, std::string_view markdown);
Fingerprint ComputeFingerprint(std::string_view markdown);

// The estimated Jaccard similarity (0..1) of the texts behind two
// fingerprints; 0 when either has no words.
double Similarity(const Fingerprint& a, const Fingerprint& b);

// A stable key for "the same author": the normalised name ("J0hn", "JOHN"
// and "john" are one author) combined with an optional identity the caller
// trusts more (a member id, a guest's hashed client address). Never 0.
std::uint64_t AuthorKey(std::string_view author_name, std::string_view identity = {});

struct NearDuplicateOptions {
  std::size_t capacity = 10'000;      // comments remembered, site-wide (ring buffer)
  TimeMs window_ms = 60 * 60 * 1000;  // only comments this recent count
  double min_similarity = 0.6;        // estimated Jaccard of word 3-shingles
  std::size_t min_words = 8;          // shorter comments are never duplicates
};

struct DuplicateCheck {
  int near_duplicates = 0;       // matching recent comments found (capped, see below)
  int same_author = 0;           // of those, by the same author key
  double best_similarity = 0.0;  // the highest similarity among them
  bool near_duplicate() const { return near_duplicates > 0; }
  // The author posted (nearly) the same text before, within the window.
  bool repeated_post() const { return same_author > 0; }
};

// The last `capacity` comments' fingerprints with their times and authors.
// Lookups go through locality-sensitive hashing (32 bands of 2 minimums), so
// a check costs a few hash probes plus one 64-value comparison per candidate,
// and at most kMaxCandidates candidates are examined: well under a
// millisecond however many copies of one spam are stored. A comment with
// similarity 0.6 to a stored one is found with probability > 0.9999; one
// with similarity 0.3, rarely. Thread-safe.
class NearDuplicateIndex final {
 public:
  static constexpr std::size_t kMaxCandidates = 1024;
  // A check stops early once it has found this many near-duplicates and
  // one of them is by the same author.
  static constexpr int kEnoughDuplicates = 16;

  // REQUIRES: options.capacity >= 1.
  explicit NearDuplicateIndex(NearDuplicateOptions options = {});

  // Compares `fp` with the stored comments from [now - window, now].
  // Comments with fewer than options.min_words words never match.
  DuplicateCheck Check(const Fingerprint& fp, std::uint64_t author_key, TimeMs now) const;

  // Stores `fp`, evicting the oldest entry when full. Short comments (fewer
  // than options.min_words words) are not stored.
  void Add(const Fingerprint& fp, std::uint64_t author_key, TimeMs now);

  // Check then Add, atomically (two copies posted at once find each other).
  DuplicateCheck CheckAndAdd(const Fingerprint& fp, std::uint64_t author_key, TimeMs now);

  // For a comment screened now and stored later (or never): Check, then hold
  // `fp` as pending until Release(ticket), atomically, so that copies
  // screened at the same moment find each other before either is stored.
  // Check and CheckAndReserve count pending comments like stored ones. Sets
  // `ticket` (0 when nothing is held: too few words). At most kMaxPending
  // are held, the oldest dropped first; one older than the window counts no
  // more. Add the comment once stored, then Release.
  static constexpr std::size_t kMaxPending = 256;
  DuplicateCheck CheckAndReserve(const Fingerprint& fp, std::uint64_t author_key, TimeMs now,
                                 std::uint64_t* ticket);
  void Release(std::uint64_t ticket);
  std::size_t pending() const;

  const NearDuplicateOptions& options() const { return options_; }
  std::size_t size() const;

 private:
  static constexpr std::size_t kBands = kMinHashes / 2;
  static constexpr std::uint32_t kNone = 0xFFFFFFFF;

  struct Entry {
    std::uint64_t seq = 0;  // 0: empty
    TimeMs at = 0;
    std::uint64_t author = 0;
    Fingerprint fp;
  };
  // One per (slot, band), chained per hash bucket; index slot * kBands + band.
  struct Link {
    std::uint64_t key = 0;
    std::uint32_t prev = kNone;  // kNone: first in its bucket
    std::uint32_t next = kNone;
  };

  static std::uint64_t BandKey(const Fingerprint& fp, std::size_t band);
  std::size_t Bucket(std::uint64_t key) const;
  DuplicateCheck CheckLocked(const Fingerprint& fp, std::uint64_t author_key, TimeMs now) const;
  void CheckPendingLocked(const Fingerprint& fp, std::uint64_t author_key, TimeMs now,
                          DuplicateCheck& result) const;
  void AddLocked(const Fingerprint& fp, std::uint64_t author_key, TimeMs now);
  void Unlink(std::uint32_t link);

  const NearDuplicateOptions options_;
  mutable std::mutex mu_;
  // Guarded by mu_:
  std::vector<Entry> entries_;
  std::vector<Link> links_;
  std::vector<std::uint32_t> heads_;  // bucket -> first link or kNone
  std::uint64_t next_seq_ = 1;
  std::size_t size_ = 0;
  mutable std::vector<std::uint64_t> seen_;  // per slot: the last check that looked at it
  struct Pending {
    std::uint64_t ticket = 0;
    TimeMs at = 0;
    std::uint64_t author = 0;
    Fingerprint fp;
  };
  std::deque<Pending> pending_;  // oldest first
  std::uint64_t next_ticket_ = 1;
  mutable std::uint64_t check_no_ = 0;
};

}  // namespace amur::moderation
