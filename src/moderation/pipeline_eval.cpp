#include "moderation/pipeline_eval.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>

#include "core/clock.hpp"

namespace amur::moderation {

namespace {

double Share(std::size_t part, std::size_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace

PipelineEvalReport EvaluatePipeline(const std::vector<LabelledText>& decisions,
                                    const std::vector<LabelledText>& labelled,
                                    const PipelineSettings& settings) {
  FakeClock clock(1'700'000'000'000);
  Pipeline pipeline(settings, clock);
  PipelineEvalReport r;
  for (const LabelledText& d : decisions) {
    const auto start = std::chrono::steady_clock::now();
    pipeline.Learn("Guest", d.text, d.label, d.reply);
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
    r.learn_ms_max = std::max(r.learn_ms_max, took.count());
    ++r.decisions;
  }
  r.hold_threshold = pipeline.HoldThreshold();
  std::map<std::string, ReasonOutcome> reasons;
  std::size_t i = 0;
  for (const LabelledText& t : labelled) {
    service::ScreeningInput input;
    input.author_name = "Guest";
    input.body_markdown = t.text;
    input.client_address = "10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250);
    input.is_reply = t.reply;
    ++i;
    const service::Screening s = pipeline.Screen(input);
    const std::string kind = t.kind.empty() ? (t.label ? "harassment" : "civil") : t.kind;
    auto it = std::find_if(r.kinds.begin(), r.kinds.end(),
                           [&kind](const KindOutcome& k) { return k.kind == kind; });
    if (it == r.kinds.end()) {
      r.kinds.push_back(KindOutcome{kind, t.label, 0, 0, 0});
      it = r.kinds.end() - 1;
    }
    ++it->n;
    it->held += s.hold;
    it->flagged += s.flag;
    it->mean_score += s.score;
    if (t.label) {
      ++r.harassment;
      r.harassment_held += s.hold;
      r.harassment_flagged += s.flag;
    } else {
      ++r.civil;
      r.civil_held += s.hold;
      r.civil_flagged += s.flag;
    }
    if (t.label ? (!s.hold && !s.flag) : (s.hold || s.flag)) {
      char score[32];
      std::snprintf(score, sizeof score, " %.3f ", s.score);
      r.mistakes.push_back(std::string(s.hold   ? "held"
                                       : s.flag ? "flagged"
                                                : "published") +
                           score + t.text);
    }
    for (const std::string& reason : s.reasons) {
      ReasonOutcome& o = reasons[reason];
      o.reason = reason;
      ++o.fired;
      o.on_harassment += t.label;
    }
  }
  for (KindOutcome& k : r.kinds) k.mean_score /= static_cast<double>(k.n);
  for (auto& [name, o] : reasons) {
    o.precision = Share(o.on_harassment, o.fired);
    o.recall = Share(o.on_harassment, r.harassment);
    r.reasons.push_back(o);
  }
  return r;
}

std::vector<std::string> MissedGoals(const PipelineEvalReport& r, const PipelineGoals& goals) {
  std::vector<std::string> out;
  char buf[160];
  const double held = Share(r.harassment_held, r.harassment);
  const double caught = Share(r.harassment_held + r.harassment_flagged, r.harassment);
  const double civil_held = Share(r.civil_held, r.civil);
  const double civil_flagged = Share(r.civil_flagged, r.civil);
  if (r.harassment == 0 || held < goals.min_harassment_held) {
    std::snprintf(buf, sizeof buf, "harassment held %.1f%% < %.1f%%", 100 * held,
                  100 * goals.min_harassment_held);
    out.emplace_back(buf);
  }
  if (r.harassment == 0 || caught < goals.min_harassment_held_or_flagged) {
    std::snprintf(buf, sizeof buf, "harassment held or flagged %.1f%% < %.1f%%", 100 * caught,
                  100 * goals.min_harassment_held_or_flagged);
    out.emplace_back(buf);
  }
  if (r.civil == 0 || civil_held > goals.max_civil_held) {
    std::snprintf(buf, sizeof buf, "civil held %.1f%% > %.1f%%", 100 * civil_held,
                  100 * goals.max_civil_held);
    out.emplace_back(buf);
  }
  if (r.civil == 0 || civil_flagged > goals.max_civil_flagged) {
    std::snprintf(buf, sizeof buf, "civil flagged %.1f%% > %.1f%%", 100 * civil_flagged,
                  100 * goals.max_civil_flagged);
    out.emplace_back(buf);
  }
  return out;
}

std::string FormatPipelineReport(const PipelineEvalReport& r) {
  std::string out;
  char buf[256];
  std::snprintf(
      buf, sizeof buf,
      "learned from %zu decisions (slowest %.3f ms); hold threshold %.3f\n"
      "harassment %zu: held %zu (%.1f%%), held or flagged %zu (%.1f%%)\n"
      "civil %zu: held %zu (%.1f%%), flagged %zu (%.1f%%)\n",
      r.decisions, r.learn_ms_max, r.hold_threshold, r.harassment, r.harassment_held,
      100 * Share(r.harassment_held, r.harassment), r.harassment_held + r.harassment_flagged,
      100 * Share(r.harassment_held + r.harassment_flagged, r.harassment), r.civil, r.civil_held,
      100 * Share(r.civil_held, r.civil), r.civil_flagged, 100 * Share(r.civil_flagged, r.civil));
  out += buf;
  out += "kind            n  held  flagged  held%  caught%  mean score\n";
  for (const KindOutcome& k : r.kinds) {
    std::snprintf(buf, sizeof buf, "%-14s %3zu  %4zu  %7zu  %5.1f  %7.1f  %10.3f\n", k.kind.c_str(),
                  k.n, k.held, k.flagged, 100 * Share(k.held, k.n),
                  100 * Share(k.held + k.flagged, k.n), k.mean_score);
    out += buf;
  }
  out += "reason          fired  on harassment  precision  recall\n";
  for (const ReasonOutcome& o : r.reasons) {
    std::snprintf(buf, sizeof buf, "%-14s %6zu  %13zu  %9.3f  %6.3f\n", o.reason.c_str(), o.fired,
                  o.on_harassment, o.precision, o.recall);
    out += buf;
  }
  if (!r.mistakes.empty()) out += "mistakes (civil held or flagged, harassment published):\n";
  for (const std::string& m : r.mistakes) out += "  " + m + "\n";
  return out;
}

}  // namespace amur::moderation
