#include "moderation/analysis.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace amur::moderation {

std::string_view PrefixByCodePoints(std::string_view utf8, std::size_t max_code_points) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    if ((static_cast<unsigned char>(utf8[i]) & 0xC0) == 0x80) continue;
    if (count == max_code_points) return utf8.substr(0, i);
    ++count;
  }
  return utf8;
}

double RuleScore(const Analysis& a) {
  static constexpr std::pair<std::string_view, double> kScores[] = {
      {kReasonBannedTerm, 0.95},   {kReasonLinkLimit, 0.8},     {kReasonNearDuplicate, 0.7},
      {kReasonSuspectTerm, 0.6},   {kReasonRepeatedPost, 0.4},  {kReasonShouting, 0.3},
  };
  double score = a.signals.empty() ? 0.0 : a.directed ? 0.85 : 0.65;
  for (const std::string& r : a.reasons) {
    for (const auto& [reason, value] : kScores) {
      if (r == reason) score = std::max(score, value);
    }
  }
  return score;
}

TextAnalyzer::TextAnalyzer(std::shared_ptr<const TermMatcher> terms, ModerationSettings settings,
                           NearDuplicateIndex* recent,
                           std::shared_ptr<const TargetedAbuseMatcher> targeted)
    : terms_(std::move(terms)),
      targeted_(std::move(targeted)),
      settings_(settings),
      recent_(recent) {
  if (terms_ == nullptr) throw std::invalid_argument("TextAnalyzer needs a TermMatcher");
}

Analysis TextAnalyzer::Analyze(const CommentText& comment) const {
  return Run(comment, Duplicates::kSkip, {}, 0);
}

Analysis TextAnalyzer::AnalyzeAndRecord(const CommentText& comment, std::string_view identity,
                                        TimeMs now) const {
  return Run(comment, Duplicates::kCheckAndRecord, identity, now);
}

Analysis TextAnalyzer::AnalyzeAndCheck(const CommentText& comment, std::string_view identity,
                                       TimeMs now) const {
  return Run(comment, Duplicates::kCheck, identity, now);
}

void TextAnalyzer::Record(const Analysis& analysed, TimeMs now) const {
  if (recent_ == nullptr || analysed.author_key == 0) return;
  recent_->Add(analysed.fingerprint, analysed.author_key, now);
}

Analysis TextAnalyzer::DuplicateKeys(const CommentText& comment,
                                     std::string_view identity) const {
  Analysis a;
  if (recent_ == nullptr) return a;
  const std::string_view body =
      PrefixByCodePoints(comment.body_markdown, settings_.max_code_points);
  a.truncated = body.size() < comment.body_markdown.size();
  a.fingerprint = ComputeFingerprint(NormalizeForMatching(body), body);
  a.author_key = AuthorKey(comment.author_name, identity);
  return a;
}

Analysis TextAnalyzer::Run(const CommentText& comment, Duplicates duplicates,
                           std::string_view identity, TimeMs now) const {
  Analysis a;
  const std::string_view body =
      PrefixByCodePoints(comment.body_markdown, settings_.max_code_points);
  a.truncated = body.size() < comment.body_markdown.size();

  if (settings_.check_author_name && !comment.author_name.empty()) {
    const std::string_view name =
        PrefixByCodePoints(comment.author_name, settings_.max_code_points);
    for (TermMatch& m : terms_->FindIn(name)) {
      a.matches.push_back(Match{m.kind, MatchField::kAuthorName, std::move(m.term), m.span});
    }
    if (targeted_) {
      // A name is nobody's reply: its signals are never "directed".
      for (const AbuseSignal& s : targeted_->Find(NormalizeForMatching(name), false, name)) {
        a.signals.push_back({AbuseSignal{s.kind, s.span, false}, MatchField::kAuthorName});
      }
    }
  }
  const NormalizedText normalized = NormalizeForMatching(body);
  for (TermMatch& m : terms_->Find(normalized)) {
    a.matches.push_back(Match{m.kind, MatchField::kBody, std::move(m.term), m.span});
  }
  if (targeted_) {
    for (const AbuseSignal& s : targeted_->Find(normalized, comment.is_reply, body, &a.features)) {
      a.signals.push_back({s, MatchField::kBody});
      a.directed = a.directed || s.directed;
    }
  }

  bool banned = false;
  bool suspect = false;
  for (const Match& m : a.matches) {
    (m.kind == TermKind::kBanned ? banned : suspect) = true;
  }
  a.links = CountLinks(body);
  const bool too_many_links = settings_.max_links >= 0 && a.links > settings_.max_links;
  a.shouting = CheckShouting(body, settings_.shouting);

  if (duplicates == Duplicates::kCheckAndRecord && recent_ != nullptr) {
    const Fingerprint fp = ComputeFingerprint(normalized, body);
    a.duplicate = recent_->CheckAndAdd(fp, AuthorKey(comment.author_name, identity), now);
  } else if (duplicates == Duplicates::kCheck && recent_ != nullptr) {
    a.fingerprint = ComputeFingerprint(normalized, body);
    a.author_key = AuthorKey(comment.author_name, identity);
    a.duplicate = recent_->CheckAndReserve(a.fingerprint, a.author_key, now, &a.reservation);
  }

  auto add = [&a](std::string_view reason) { a.reasons.emplace_back(reason); };
  if (banned) add(kReasonBannedTerm);
  if (suspect) add(kReasonSuspectTerm);
  for (AbuseKind kind : {AbuseKind::kDehumanising, AbuseKind::kThreat, AbuseKind::kSexualised,
                         AbuseKind::kInsultCoinage, AbuseKind::kPersonalInsult}) {
    for (const Analysis::Signal& s : a.signals) {
      if (s.signal.kind == kind) {
        add(AbuseReason(kind));
        break;
      }
    }
  }
  if (a.directed) add(kReasonDirected);
  if (too_many_links) add(kReasonLinkLimit);
  if (a.duplicate.near_duplicate()) add(kReasonNearDuplicate);
  if (a.duplicate.repeated_post()) add(kReasonRepeatedPost);
  if (a.shouting.shouting) add(kReasonShouting);

  a.hold = banned || (suspect && settings_.hold_suspect) || too_many_links ||
           (a.duplicate.near_duplicate() && settings_.hold_near_duplicate) ||
           (a.shouting.shouting && settings_.hold_shouting);
  return a;
}

}  // namespace amur::moderation
