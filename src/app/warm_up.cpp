#include "app/warm_up.hpp"

#include <algorithm>
#include <chrono>
#include <limits>

namespace amur::app {

void RememberStoredText(moderation::Pipeline& pipeline, store::ScreenedText c) {
  service::ScreeningInput input;
  input.author_name = c.author_name ? std::move(*c.author_name) : std::string("Guest");
  input.author_email = std::move(c.author_email);
  input.client_address = std::move(c.client_address);
  input.body_markdown = std::move(c.body_markdown);
  pipeline.RememberStored(input, c.created_at);
}

WarmUpResult WarmNearDuplicateIndex(store::Store& store, moderation::Pipeline& pipeline,
                                    TimeMs now) {
  const auto start = std::chrono::steady_clock::now();
  const moderation::NearDuplicateOptions& options = pipeline.DuplicateOptions();
  const auto limit = static_cast<int>(
      std::min<std::size_t>(options.capacity, std::numeric_limits<int>::max()));
  std::vector<store::ScreenedText> recent;
  {
    auto session = store.OpenSession();
    session->BeginRead();
    try {
      recent = session->ListCommentsSince(now - options.window_ms, limit);
      session->Commit();
    } catch (...) {
      try {
        session->Rollback();
      } catch (...) {
      }
      throw;
    }
  }
  for (store::ScreenedText& c : recent) RememberStoredText(pipeline, std::move(c));
  WarmUpResult result;
  result.comments = recent.size();
  result.remembered = pipeline.RememberedCount();
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace amur::app
