// The moderation normaliser and what reads its output: NormalizeForMatching
// (moderation/normalize.hpp) on any bytes keeps its promises (one source span
// per output byte, inside the input; single-space-separated words; joined
// and masked words inside their texts; at most kMaxMaskedWords), and the
// text analysis the pipeline runs on every new comment (the default term
// lists, links, shouting, the near-duplicate index) reports matches whose
// spans lie inside the field they name, in order.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "moderation/analysis.hpp"
#include "moderation/default_lists.hpp"
#include "moderation/normalize.hpp"
#include "moderation/spam.hpp"

namespace mod = amur::moderation;

namespace {

void CheckNormalized(std::string_view input, const mod::NormalizedText& n) {
  const std::string& t = n.text;
  AMUR_FUZZ_CHECK(n.source_begin.size() == t.size());
  AMUR_FUZZ_CHECK(n.source_end.size() == t.size());
  for (std::size_t i = 0; i < t.size(); ++i) {
    AMUR_FUZZ_CHECK(n.source_begin[i] <= n.source_end[i]);
    AMUR_FUZZ_CHECK(n.source_end[i] <= input.size());
  }
  if (!t.empty()) {
    AMUR_FUZZ_CHECK(t.front() != ' ' && t.back() != ' ');
    AMUR_FUZZ_CHECK(t.find("  ") == std::string::npos);
  }
  for (const auto& j : n.joined) {
    AMUR_FUZZ_CHECK(j.begin < j.end && j.end <= t.size());
  }
  AMUR_FUZZ_CHECK(n.masked.size() <= mod::kMaxMaskedWords);
  for (const auto& m : n.masked) {
    AMUR_FUZZ_CHECK(m.source.begin < m.source.end && m.source.end <= input.size());
    AMUR_FUZZ_CHECK(!m.pattern.empty());
  }
}

void CheckAnalysis(const mod::CommentText& c, const mod::Analysis& a) {
  for (const auto& m : a.matches) {
    const std::size_t size =
        m.field == mod::MatchField::kAuthorName ? c.author_name.size() : c.body_markdown.size();
    AMUR_FUZZ_CHECK(m.span.begin < m.span.end && m.span.end <= size);
    AMUR_FUZZ_CHECK(!m.term.empty());
  }
  AMUR_FUZZ_CHECK(a.links >= 0);
  AMUR_FUZZ_CHECK(!a.hold || !a.reasons.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto terms = mod::DefaultTermMatcher();
  static mod::NearDuplicateIndex recent(mod::NearDuplicateOptions{.capacity = 64});
  static const mod::TextAnalyzer analyzer(terms, mod::ModerationSettings{}, &recent);
  static amur::TimeMs now = 1'700'000'000'000;

  const std::string_view all(reinterpret_cast<const char*>(data), size);
  CheckNormalized(all, mod::NormalizeForMatching(all));

  // An author name (up to a line) and a body, as a new comment is screened.
  FuzzedDataProvider in(data, size);
  const std::string name = in.ConsumeRandomLengthString(80);
  const std::string body = in.ConsumeRemainingBytesAsString();
  const mod::CommentText comment{name, body};
  for (const auto& m : terms->FindIn(body)) {
    AMUR_FUZZ_CHECK(m.span.begin < m.span.end && m.span.end <= body.size());
  }
  now += 1000;
  const mod::Analysis a = analyzer.AnalyzeAndCheck(comment, name, now);
  CheckAnalysis(comment, a);
  analyzer.Record(a, now);
  recent.Release(a.reservation);
  return 0;
}
