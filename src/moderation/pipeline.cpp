#include "moderation/pipeline.hpp"

#include <mutex>

#include "moderation/default_lists.hpp"

namespace amur::moderation {

Pipeline::Pipeline(PipelineSettings settings, const Clock& clock)
    : settings_(settings),
      clock_(clock),
      analyzer_(DefaultTermMatcher(), settings.text, &recent_) {}

std::string Pipeline::ClassifierText(const std::string& author_name, const std::string& body) {
  return author_name + "\n" + body;
}

service::Screening Pipeline::Screen(const service::ScreeningInput& input) {
  service::Screening out;
  const std::string identity = input.author_email ? *input.author_email : input.client_address;
  const CommentText text{input.author_name, input.body_markdown};
  const Analysis a = input.is_edit ? analyzer_.Analyze(text)
                                   : analyzer_.AnalyzeAndRecord(text, identity, clock_.NowMs());
  out.hold = a.hold;
  out.reasons = a.reasons;
  {
    std::shared_lock lock(model_mu_);
    out.score = model_.Score(ClassifierText(input.author_name, input.body_markdown));
    if (model_.examples_seen() >= settings_.classifier_min_examples &&
        out.score >= settings_.classifier_threshold) {
      out.hold = true;
      out.reasons.push_back("classifier");
    }
  }
  return out;
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
