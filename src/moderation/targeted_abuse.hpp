// Targeted-abuse signals: harassment of people that uses no slur —
// dehumanising language, threats, sexualised remarks about a person or their
// family, and insult coinages fused from a group's name and an insult
// ("Ukroshitian"). The phrases come from data/moderation/targeted-en.txt
// (format in that file). Each signal is a flag on its own; the pipeline
// holds a comment when the classifier agrees (docs/moderation.md).
//
// Matching runs on NormalizedText (normalize.hpp): RE2 alternations, one per
// kind, so time is linear in the text whatever the lists; a class of many
// plain words (the WordNet classes) is a hash set looked up once per word.
// Immutable and thread-safe once built.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "moderation/normalize.hpp"

namespace amur::moderation {

enum class AbuseKind { kDehumanising, kThreat, kSexualised, kInsultCoinage, kPersonalInsult };

// Reason codes as stored with the comment and named by the desk:
// "dehumanising", "threat", "sexualised", "insult_coinage", "personal_insult"
// (an insult aimed at the other commenter: "you pathetic little troll").
std::string_view AbuseReason(AbuseKind kind);

struct AbuseSignal {
  AbuseKind kind = AbuseKind::kDehumanising;
  ByteSpan span;  // of the original text
  // Aimed at another commenter: a second-person word ("you", "your", "ur")
  // inside the match, or anywhere in a reply.
  bool directed = false;
};

class TargetedAbuseMatcher {
 public:
  // Builds the matcher from the list text. Errors (unknown section or class,
  // a phrase RE2 refuses) are appended to `errors` by line and the line is
  // skipped; kInvalidField only when nothing could be built.
  // The classes of DefaultWordClasses() are defined before the list's own.
  static Result<std::shared_ptr<const TargetedAbuseMatcher>> Build(
      std::string_view list_text, std::vector<std::string>* errors = nullptr);
  // As above with the word classes of `class_text` ("@name = a|b" lines and
  // comments only; errors there are reported as "class file line N").
  static Result<std::shared_ptr<const TargetedAbuseMatcher>> Build(
      std::string_view class_text, std::string_view list_text,
      std::vector<std::string>* errors = nullptr);

  // At most one signal per kind (the first match), in AbuseKind order.
  // `is_reply`: the comment answers another comment. `original`: the text
  // `text` was normalised from; with it, words joined by punctuation
  // ("Ukro-shitian", "Russ_idiots") are also read as one coinage (without
  // it, only a bare stem followed by an insult and a suffix is: "Ukro
  // shitian").
  std::vector<AbuseSignal> Find(const NormalizedText& text, bool is_reply,
                                std::string_view original = {}) const;
  // As above, and appends to `features` the classifier tags of the list's
  // [features] section that the text has: "class:<name>" for each feature
  // class one of its words belongs to, "pair:<a>+<b>" when words of both
  // classes stand in one sentence (sentences need `original`).
  std::vector<AbuseSignal> Find(const NormalizedText& text, bool is_reply,
                                std::string_view original,
                                std::vector<std::string>* features) const;

  ~TargetedAbuseMatcher();
  TargetedAbuseMatcher(const TargetedAbuseMatcher&) = delete;
  TargetedAbuseMatcher& operator=(const TargetedAbuseMatcher&) = delete;

 private:
  TargetedAbuseMatcher();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The text of the shipped data/moderation/targeted-en.txt (embedded).
std::string_view DefaultTargetedList();

// The text of the shipped data/moderation/wordnet-classes-en.txt (embedded):
// word classes derived from WordNet by scripts/gen_wordnet_classes.py
// (@wn_vermin, @wn_beast, @wn_disease, @wn_filth, @wn_insult, @wn_people,
// @wn_harm), available to every targeted-abuse list.
std::string_view DefaultWordClasses();

// Built once from the embedded data/moderation/targeted-en.txt, shared.
// Throws std::logic_error if the shipped list does not compile (a bug,
// caught by the unit tests).
std::shared_ptr<const TargetedAbuseMatcher> DefaultTargetedAbuseMatcher();

}  // namespace amur::moderation
