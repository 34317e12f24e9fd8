#include "moderation/pipeline.hpp"

#include <mutex>

#include "core/network_key.hpp"
#include "moderation/default_lists.hpp"

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

}  // namespace

Pipeline::Pipeline(PipelineSettings settings, const Clock& clock)
    : settings_(settings),
      clock_(clock),
      analyzer_(std::make_shared<TextAnalyzer>(DefaultTermMatcher(), settings.text, recent_.get())) {
  const auto& lists = DefaultTermLists();
  tunables_.banned = std::string(lists.banned);
  tunables_.suspect = std::string(lists.suspect);
  tunables_.allow = std::string(lists.allow);
  tunables_.max_links = settings.text.max_links;
  tunables_.hold_suspect = settings.text.hold_suspect;
  tunables_.hold_shouting = settings.text.hold_shouting;
  tunables_.classifier_threshold = settings.classifier_threshold;
}

Pipeline::Tunables Pipeline::CurrentTunables() const {
  std::shared_lock lock(tunables_mu_);
  return tunables_;
}

namespace {

// The checks of the tunables; on success the term matcher they make.
Result<std::shared_ptr<const TermMatcher>> CheckedMatcher(const Pipeline::Tunables& t) {
  if (!(t.classifier_threshold >= 0.0 && t.classifier_threshold <= 1.0)) {
    return MakeError(ErrorCode::kInvalidField, "classifier_threshold must be from 0 to 1.",
                     "classifier_threshold");
  }
  if (t.max_links < -1 || t.max_links > 1000) {
    return MakeError(ErrorCode::kInvalidField, "max_links must be from -1 to 1000.", "max_links");
  }
  for (const std::string* list : {&t.banned, &t.suspect, &t.allow}) {
    if (list->size() > 4u << 20) {
      return MakeError(ErrorCode::kTooLong, "A term list holds at most 4 MiB.", "terms");
    }
  }
  std::vector<std::string> errors;
  auto matcher = BuildTermMatcher(t.banned, t.suspect, t.allow, &errors);
  if (!matcher) return matcher.error();
  if (!errors.empty()) {
    std::string message = "The term lists have problems: ";
    for (std::size_t i = 0; i < errors.size() && i < 20; ++i) {
      if (i) message += "; ";
      message += errors[i];
    }
    return MakeError(ErrorCode::kInvalidField, message, "terms");
  }
  return matcher;
}

}  // namespace

Status Pipeline::CheckTunables(const Tunables& t) const {
  auto matcher = CheckedMatcher(t);
  if (!matcher) return matcher.error();
  return Ok();
}

Status Pipeline::SetTunables(const Tunables& t) {
  auto matcher = CheckedMatcher(t);
  if (!matcher) return matcher.error();
  ModerationSettings text = settings_.text;
  text.max_links = t.max_links;
  text.hold_suspect = t.hold_suspect;
  text.hold_shouting = t.hold_shouting;
  auto analyzer = std::make_shared<TextAnalyzer>(std::move(*matcher), text, recent_.get());
  std::unique_lock lock(tunables_mu_);
  tunables_ = t;
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
  const CommentText text{input.author_name, input.body_markdown};
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
  {
    // An untrained model scores everything about 0.5, which tells a
    // moderator nothing: until it has learned enough, the score says what
    // the rules found.
    std::shared_lock lock(model_mu_);
    if (model_.examples_seen() < settings_.classifier_min_examples) {
      out.score = RuleScore(a);
    } else {
      out.score = model_.Score(ClassifierText(input.author_name, input.body_markdown));
      if (out.score >= threshold) {
        out.hold = true;
        out.reasons.push_back("classifier");
      }
    }
  }
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

void Pipeline::Learn(const std::string& author_name, const std::string& body_markdown, bool hold) {
  std::unique_lock lock(model_mu_);
  model_.Learn(ClassifierText(author_name, body_markdown), hold);
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
