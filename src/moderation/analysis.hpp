// The text-analysis front door of moderation: given a comment's author name
// and Markdown body, says whether to hold it and why. Pure computation (no
// I/O); the only state is the optional NearDuplicateIndex of recent comments.
//
//   auto analyzer = TextAnalyzer(DefaultTermMatcher(), settings, &recent);
//   Analysis a = analyzer.AnalyzeAndRecord({name, body}, identity, clock.NowMs());
//   if (a.hold) { /* store as pending with a.reasons */ }
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "moderation/shouting.hpp"
#include "moderation/spam.hpp"
#include "moderation/targeted_abuse.hpp"
#include "moderation/term_matcher.hpp"

namespace amur::moderation {

// Reason codes, as stored with a held comment and shown by the admin queue.
inline constexpr std::string_view kReasonBannedTerm = "banned_term";
inline constexpr std::string_view kReasonSuspectTerm = "suspect_term";
inline constexpr std::string_view kReasonLinkLimit = "link_limit";
inline constexpr std::string_view kReasonNearDuplicate = "near_duplicate";
inline constexpr std::string_view kReasonRepeatedPost = "repeated_post";
inline constexpr std::string_view kReasonShouting = "shouting";
// With a targeted-abuse reason (AbuseReason: "dehumanising", "threat",
// "sexualised", "insult_coinage", "personal_insult"): a signal aimed at
// another commenter.
inline constexpr std::string_view kReasonDirected = "directed";

struct ModerationSettings {
  int max_links = 3;                // more links than this: "link_limit"; < 0: no limit
  bool hold_suspect = false;        // hold (not only flag) "suspect_term"
  bool hold_near_duplicate = true;  // hold "near_duplicate" and "repeated_post"
  bool check_author_name = true;    // run the term lists over the author name
  // Hold (not only flag) "shouting": a body mostly in capitals (shouting.hpp).
  // On by default: the brief wants shouting held before readers see it, and
  // the detector leaves ordinary argument, acronyms and short shouts alone.
  // The author name is never checked for capitals.
  bool hold_shouting = true;
  ShoutingOptions shouting;
  // Only this many code points of the body are analysed (bounded time per
  // comment); Analysis::truncated says when the body was longer.
  std::size_t max_code_points = 20'000;
};

struct CommentText {
  std::string_view author_name;    // as typed; may be empty (a guest)
  std::string_view body_markdown;  // as typed
  bool is_reply = false;           // answers another comment (targeted signals weigh more)
};

enum class MatchField { kAuthorName, kBody };

struct Match {
  TermKind kind = TermKind::kBanned;
  MatchField field = MatchField::kBody;
  std::string term;  // the list entry, e.g. "kike*"
  ByteSpan span;     // bytes of the field as given (author_name or body_markdown)
  friend bool operator==(const Match&, const Match&) = default;
};

struct Analysis {
  bool hold = false;
  // Distinct, in this order when present: "banned_term", "suspect_term",
  // the targeted-abuse reasons (AbuseKind order) and "directed", "link_limit", "near_duplicate",
  // "repeated_post", "shouting". A reason is listed even when the settings say not to hold for it
  // (suspect terms and, with hold_shouting off, shouting are flags).
  std::vector<std::string> reasons;
  std::vector<Match> matches;  // author-name matches first, then the body's
  // Targeted-abuse signals (targeted_abuse.hpp): the author name's first,
  // then the body's. Flags, never holds by themselves.
  struct Signal {
    AbuseSignal signal;
    MatchField field = MatchField::kBody;
  };
  std::vector<Signal> signals;
  bool directed = false;  // some signal is aimed at another commenter
  // The body's word-class tags for the classifier ("class:vermin",
  // "pair:group+vermin"; TargetedAbuseMatcher::Find with features).
  std::vector<std::string> features;
  int links = 0;
  ShoutingCheck shouting;    // the body's capitals
  DuplicateCheck duplicate;  // all zero unless AnalyzeAndRecord/AnalyzeAndCheck looked
  bool truncated = false;    // the body had more than max_code_points
  // Set by AnalyzeAndCheck, for Record: the body's fingerprint and the author key.
  Fingerprint fingerprint;
  std::uint64_t author_key = 0;  // 0: not checked, nothing to record
  // Set by AnalyzeAndCheck: the comment's place among the index's pending
  // comments (NearDuplicateIndex::CheckAndReserve); the caller releases it.
  std::uint64_t reservation = 0;
};

class TextAnalyzer final {
 public:
  // `terms` must not be null. `recent` may be null (no duplicate checks);
  // when given it must outlive the analyzer. Cheap to construct: build one
  // per settings change and share the matcher.
  // `targeted` may be null (no targeted-abuse signals).
  TextAnalyzer(std::shared_ptr<const TermMatcher> terms, ModerationSettings settings,
               NearDuplicateIndex* recent = nullptr,
               std::shared_ptr<const TargetedAbuseMatcher> targeted = nullptr);

  // Terms (author name and body) and links. No state is read or changed;
  // use it for edits and for previews. Thread-safe.
  Analysis Analyze(const CommentText& comment) const;

  // Analyze plus the near-duplicate and repeated-post checks against the
  // comments recorded in the last window, then records this one (held or
  // not, so a flood finds its own copies). `identity` narrows "same author"
  // (see AuthorKey). Use for new comments only: an edit recorded here would
  // find its own earlier version. Thread-safe.
  Analysis AnalyzeAndRecord(const CommentText& comment, std::string_view identity,
                            TimeMs now) const;

  // AnalyzeAndRecord in two steps, for callers that store the comment
  // later and may refuse it meanwhile: the checks now, holding the comment
  // as pending in the index (Analysis::reservation) so that copies checked
  // at the same moment find each other, and Record once the comment is
  // stored. The caller releases the reservation (NearDuplicateIndex::Release)
  // whether the comment was stored or not. Thread-safe.
  Analysis AnalyzeAndCheck(const CommentText& comment, std::string_view identity,
                           TimeMs now) const;
  // Records a comment that AnalyzeAndCheck analysed (no-op when it did not
  // check, or without an index).
  void Record(const Analysis& analysed, TimeMs now) const;

  // Only the fingerprint and author key that AnalyzeAndCheck computes (no
  // terms, links or checks), for Record: puts a comment stored earlier back
  // in the index. author_key is 0 without an index. Thread-safe.
  Analysis DuplicateKeys(const CommentText& comment, std::string_view identity) const;

  const ModerationSettings& settings() const { return settings_; }

 private:
  enum class Duplicates { kSkip, kCheck, kCheckAndRecord };
  Analysis Run(const CommentText& comment, Duplicates duplicates, std::string_view identity,
               TimeMs now) const;

  std::shared_ptr<const TermMatcher> terms_;
  std::shared_ptr<const TargetedAbuseMatcher> targeted_;
  ModerationSettings settings_;
  NearDuplicateIndex* recent_;
};

// A 0–1 score from what the analysis found, for the moderation queue while
// the learned classifier is untrained: the highest of banned_term 0.95,
// link_limit 0.8, near_duplicate 0.7, suspect_term 0.6, repeated_post 0.4,
// shouting 0.3, and 0 when nothing was found; a targeted-abuse signal
// counts 0.85 when directed at another commenter, 0.65 otherwise.
double RuleScore(const Analysis& a);

// The longest prefix of `utf8` with at most `max_code_points` code points,
// cut at a code point boundary.
std::string_view PrefixByCodePoints(std::string_view utf8, std::size_t max_code_points);

}  // namespace amur::moderation
