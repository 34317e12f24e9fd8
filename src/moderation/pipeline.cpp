#include "moderation/pipeline.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "core/network_key.hpp"
#include "moderation/default_lists.hpp"
#include "moderation/seed_model.hpp"

namespace amur::moderation {

namespace {

// A new comment's entry for the near-duplicate index, kept until it is stored.
// It holds the comment's place among the index's pending comments, given up
// when the request is done with it, stored or refused.
struct DuplicateMemo final : service::ScreeningMemo {
  DuplicateMemo(std::shared_ptr<NearDuplicateIndex> index, std::uint64_t ticket)
      : index(std::move(index)), ticket(ticket) {}
  ~DuplicateMemo() override { index->Release(ticket); }
  DuplicateMemo(const DuplicateMemo&) = delete;
  DuplicateMemo& operator=(const DuplicateMemo&) = delete;

  std::shared_ptr<NearDuplicateIndex> index;
  std::uint64_t ticket = 0;
  Fingerprint fingerprint;
  std::uint64_t author_key = 0;
};

// Who "the same author" is, after the name: the email when there is one,
// else the client's network (NetworkKey: an IPv6 client moving inside its /64
// is still the same author).
std::string Identity(const service::ScreeningInput& input) {
  return input.author_email ? *input.author_email : NetworkKey(input.client_address);
}

// What the classifier reads as tags (Classifier::Score with tags): the
// reasons the rules found and the body's word-class features.
std::vector<std::string> TagsOf(const Analysis& a) {
  std::vector<std::string> tags;
  for (const std::string& r : a.reasons) {
    if (r == kReasonBannedTerm || r == kReasonSuspectTerm || r == kReasonDirected ||
        r == AbuseReason(AbuseKind::kDehumanising) || r == AbuseReason(AbuseKind::kThreat) ||
        r == AbuseReason(AbuseKind::kSexualised) || r == AbuseReason(AbuseKind::kInsultCoinage) ||
        r == AbuseReason(AbuseKind::kPersonalInsult)) {
      tags.push_back("reason:" + r);
    }
  }
  // One tag for any targeted-abuse signal: what moderators decided on every
  // kind of signal teaches the model about a kind it has seen little of.
  if (!a.signals.empty()) tags.emplace_back("signal");
  tags.insert(tags.end(), a.features.begin(), a.features.end());
  return tags;
}

}  // namespace

Pipeline::Pipeline(PipelineSettings settings, const Clock& clock)
    : settings_(settings),
      clock_(clock),
      analyzer_(std::make_shared<TextAnalyzer>(DefaultTermMatcher(), settings.text, recent_.get(),
                                               DefaultTargetedAbuseMatcher())) {
  const auto& lists = DefaultTermLists();
  tunables_.banned = std::string(lists.banned);
  tunables_.suspect = std::string(lists.suspect);
  tunables_.allow = std::string(lists.allow);
  tunables_.targeted = std::string(DefaultTargetedList());
  targeted_ = DefaultTargetedAbuseMatcher();
  tunables_.max_links = settings.text.max_links;
  tunables_.hold_suspect = settings.text.hold_suspect;
  tunables_.hold_shouting = settings.text.hold_shouting;
  tunables_.classifier_threshold = settings.classifier_threshold;
  if (settings.seed_model) {
    const SeedModel& seed = settings.seed ? *settings.seed : DefaultSeedModel();
    model_ = seed.model;
    seed_calibrated_ = seed.calibration.Threshold(settings_.target_precision);
    seed_calibrated_alone_ = seed.calibration.Threshold(settings_.target_precision, true);
    Recalibrate();
  }
}

Pipeline::Tunables Pipeline::CurrentTunables() const {
  std::shared_lock lock(tunables_mu_);
  return tunables_;
}

namespace {

struct Matchers {
  std::shared_ptr<const TermMatcher> terms;
  std::shared_ptr<const TargetedAbuseMatcher> targeted;
};

std::string Problems(const char* what, const std::vector<std::string>& errors) {
  std::string message = std::string(what) + ": ";
  for (std::size_t i = 0; i < errors.size() && i < 20; ++i) {
    if (i) message += "; ";
    message += errors[i];
  }
  return message;
}

// The checks of the tunables; on success the matchers they make. The
// targeted-abuse list is compiled again only when it differs from
// `current_text` (whose matcher is `current`).
Result<Matchers> CheckedMatchers(const Pipeline::Tunables& t, const std::string& current_text,
                                 const std::shared_ptr<const TargetedAbuseMatcher>& current) {
  if (!(t.classifier_threshold >= 0.0 && t.classifier_threshold <= 1.0)) {
    return MakeError(ErrorCode::kInvalidField, "classifier_threshold must be from 0 to 1.",
                     "classifier_threshold");
  }
  if (t.max_links < -1 || t.max_links > 1000) {
    return MakeError(ErrorCode::kInvalidField, "max_links must be from -1 to 1000.", "max_links");
  }
  for (const std::string* list : {&t.banned, &t.suspect, &t.allow, &t.targeted}) {
    if (list->size() > 4u << 20) {
      return MakeError(ErrorCode::kTooLong, "A term list holds at most 4 MiB.", "terms");
    }
  }
  std::vector<std::string> errors;
  auto matcher = BuildTermMatcher(t.banned, t.suspect, t.allow, &errors);
  if (!matcher) return matcher.error();
  if (!errors.empty()) {
    return MakeError(ErrorCode::kInvalidField, Problems("The term lists have problems", errors),
                     "terms");
  }
  Matchers out{std::move(*matcher), current};
  if (t.targeted != current_text || current == nullptr) {
    auto targeted = TargetedAbuseMatcher::Build(t.targeted, &errors);
    if (!targeted) return MakeError(ErrorCode::kInvalidField, targeted.error().message, "terms");
    if (!errors.empty()) {
      return MakeError(ErrorCode::kInvalidField,
                       Problems("The targeted-abuse list (terms.targeted) has problems", errors),
                       "terms");
    }
    out.targeted = std::move(*targeted);
  }
  return out;
}

}  // namespace

std::pair<std::string, std::shared_ptr<const TargetedAbuseMatcher>> Pipeline::CurrentTargeted()
    const {
  std::shared_lock lock(tunables_mu_);
  return {tunables_.targeted, targeted_};
}

Status Pipeline::CheckTunables(const Tunables& t) const {
  const auto [current_text, current] = CurrentTargeted();
  auto matchers = CheckedMatchers(t, current_text, current);
  if (!matchers) return matchers.error();
  return Ok();
}

Status Pipeline::SetTunables(const Tunables& t) {
  const auto [current_text, current] = CurrentTargeted();
  auto matchers = CheckedMatchers(t, current_text, current);
  if (!matchers) return matchers.error();
  ModerationSettings text = settings_.text;
  text.max_links = t.max_links;
  text.hold_suspect = t.hold_suspect;
  text.hold_shouting = t.hold_shouting;
  auto analyzer = std::make_shared<TextAnalyzer>(std::move(matchers->terms), text, recent_.get(),
                                                 matchers->targeted);
  std::unique_lock lock(tunables_mu_);
  tunables_ = t;
  targeted_ = std::move(matchers->targeted);
  analyzer_ = std::move(analyzer);
  return Ok();
}

std::string Pipeline::ClassifierText(const std::string& author_name, const std::string& body) {
  return author_name + "\n" + body;
}

service::Screening Pipeline::Screen(const service::ScreeningInput& input) {
  service::Screening out;
  const std::string identity = Identity(input);
  std::shared_ptr<const TextAnalyzer> analyzer;
  double threshold;
  {
    std::shared_lock lock(tunables_mu_);
    analyzer = analyzer_;
    threshold = tunables_.classifier_threshold;
  }
  const CommentText text{input.author_name, input.body_markdown, input.is_reply};
  const Analysis a = input.is_edit ? analyzer->Analyze(text)
                                   : analyzer->AnalyzeAndCheck(text, identity, clock_.NowMs());
  if (a.author_key != 0) {
    auto memo = std::make_shared<DuplicateMemo>(recent_, a.reservation);
    memo->fingerprint = a.fingerprint;
    memo->author_key = a.author_key;
    out.memo = std::move(memo);
  }
  out.hold = a.hold;
  out.reasons = a.reasons;
  bool flag_by_score = false;
  {
    // An untrained model scores everything about 0.5, which tells a
    // moderator nothing: until it has learned enough, the score says what
    // the rules found.
    std::shared_lock lock(model_mu_);
    if (model_.examples_seen() < settings_.classifier_min_examples) {
      out.score = RuleScore(a);
    } else {
      out.score = model_.Score(ClassifierText(input.author_name, input.body_markdown), TagsOf(a));
      // Never below 0.5: the model must at least lean towards "reject".
      const double hold_at = std::min(threshold, std::max(0.5, calibrated_.value_or(threshold)));
      const double alone_at =
          std::min(threshold, std::max(0.5, calibrated_alone_.value_or(threshold)));
      // A signal and the classifier agreeing hold; a signal aimed at another
      // commenter needs less agreement than one about someone else.
      const double with_signal = a.directed ? 0.5 : (0.5 + hold_at) / 2;
      const bool hold = !a.signals.empty()  ? out.score >= with_signal
                        : a.matches.empty() ? out.score >= alone_at
                                            : out.score >= hold_at;
      if (hold) {
        out.hold = true;
        out.reasons.push_back("classifier");
      } else if (out.score >= settings_.flag_threshold) {
        flag_by_score = true;
        out.reasons.push_back("classifier");
      }
    }
  }
  const bool suspect =
      std::find(a.reasons.begin(), a.reasons.end(), kReasonSuspectTerm) != a.reasons.end();
  out.flag = !out.hold && (suspect || !a.signals.empty() || flag_by_score);
  return out;
}

void Pipeline::Remember(const service::ScreeningMemo* memo) {
  const auto* m = dynamic_cast<const DuplicateMemo*>(memo);
  if (m == nullptr) return;
  recent_->Add(m->fingerprint, m->author_key, clock_.NowMs());
}

void Pipeline::RememberStored(const service::ScreeningInput& input, TimeMs created_at) {
  std::shared_ptr<const TextAnalyzer> analyzer;
  {
    std::shared_lock lock(tunables_mu_);
    analyzer = analyzer_;
  }
  const Analysis a =
      analyzer->DuplicateKeys({input.author_name, input.body_markdown}, Identity(input));
  analyzer->Record(a, created_at);
}

std::vector<std::string> Pipeline::Tags(const std::string& author_name,
                                        const std::string& body_markdown, bool is_reply) const {
  std::shared_ptr<const TextAnalyzer> analyzer;
  {
    std::shared_lock lock(tunables_mu_);
    analyzer = analyzer_;
  }
  return TagsOf(analyzer->Analyze({author_name, body_markdown, is_reply}));
}

void Pipeline::Learn(const std::string& author_name, const std::string& body_markdown, bool hold,
                     bool is_reply) {
  const std::string text = ClassifierText(author_name, body_markdown);
  std::shared_ptr<const TextAnalyzer> analyzer;
  {
    std::shared_lock lock(tunables_mu_);
    analyzer = analyzer_;
  }
  const Analysis a = analyzer->Analyze({author_name, body_markdown, is_reply});
  const std::vector<std::string> tags = TagsOf(a);
  // "With a signal" for calibration: a targeted-abuse signal or a term match.
  const bool signal = !a.signals.empty() || !a.matches.empty();
  std::unique_lock lock(model_mu_);
  calibration_.Add(model_.Score(text, tags), hold, signal);
  model_.Learn(text, hold, tags);
  Recalibrate();
}

void Pipeline::Recalibrate() {
  calibrated_ = calibration_.Threshold(settings_.target_precision);
  calibrated_alone_ = calibration_.Threshold(settings_.target_precision, true);
  if (!calibrated_) calibrated_ = seed_calibrated_;
  if (!calibrated_alone_) calibrated_alone_ = seed_calibrated_alone_;
}

double Pipeline::HoldThreshold() const {
  double threshold;
  {
    std::shared_lock lock(tunables_mu_);
    threshold = tunables_.classifier_threshold;
  }
  std::shared_lock lock(model_mu_);
  return std::min(threshold, std::max(0.5, calibrated_.value_or(threshold)));
}

std::string Pipeline::SaveCalibration() const {
  std::shared_lock lock(model_mu_);
  return calibration_.Save();
}

void Pipeline::SetCalibration(Calibration c) {
  std::unique_lock lock(model_mu_);
  calibration_ = std::move(c);
  Recalibrate();
}

void Calibration::Add(double score, bool held, bool signal) {
  if (pairs_.size() >= capacity_) pairs_.erase(pairs_.begin());
  pairs_.push_back(Entry{static_cast<float>(score), held, signal});
}

std::optional<double> Calibration::Threshold(double target_precision, bool without_signal) const {
  std::vector<Entry> sorted;
  for (const Entry& e : pairs_) {
    if (!without_signal || !e.signal) sorted.push_back(e);
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const Entry& x, const Entry& y) { return x.score > y.score; });
  std::optional<double> best;
  std::size_t held = 0;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    held += sorted[i].held;
    // Only between distinct scores: a threshold takes every tie with it.
    if (i + 1 < sorted.size() && sorted[i + 1].score == sorted[i].score) continue;
    const double precision = static_cast<double>(held) / static_cast<double>(i + 1);
    if (held >= kMinHeld && precision >= target_precision) best = sorted[i].score;
  }
  return best;
}

std::string Calibration::Save() const {
  std::string out;
  char buf[32];
  for (const Entry& e : pairs_) {
    std::snprintf(buf, sizeof buf, "%.6f:%d;", static_cast<double>(e.score),
                  (e.held ? 1 : 0) + (e.signal ? 2 : 0));
    out += buf;
  }
  return out;
}

Calibration Calibration::Load(std::string_view text) {
  Calibration c;
  while (!text.empty()) {
    const std::size_t end = std::min(text.find(';'), text.size());
    const std::string_view entry = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    const std::size_t colon = entry.find(':');
    if (colon == std::string_view::npos || colon + 2 != entry.size()) continue;
    const std::string number(entry.substr(0, colon));
    char* stop = nullptr;
    const double score = std::strtod(number.c_str(), &stop);
    if (stop != number.c_str() + number.size() || !(score >= 0.0 && score <= 1.0)) continue;
    if (entry.back() < '0' || entry.back() > '3') continue;
    const int code = entry.back() - '0';
    c.Add(score, (code & 1) != 0, (code & 2) != 0);
  }
  return c;
}

void Pipeline::SetModel(Classifier model) {
  std::unique_lock lock(model_mu_);
  model_ = std::move(model);
}

std::string Pipeline::SaveModel() const {
  std::shared_lock lock(model_mu_);
  return model_.Save();
}

std::uint64_t Pipeline::ExamplesSeen() const {
  std::shared_lock lock(model_mu_);
  return model_.examples_seen();
}

}  // namespace amur::moderation
