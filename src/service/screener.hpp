// The moderation pipeline as CommentService sees it: a screen that every new
// and edited comment passes through before it is stored. Implemented in
// src/moderation/ (term lists, spam checks, the learned classifier).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace amur::service {

struct ScreeningInput {
  std::string author_name;  // as displayed ("Guest" when empty)
  std::string body_markdown;
  std::string client_address;
  std::optional<std::string> author_email;
  bool is_member = false;
  bool is_edit = false;  // an edit: no duplicate checks (it resembles its own earlier version)
};

struct Screening {
  bool hold = false;                 // keep it pending until a moderator decides
  std::vector<std::string> reasons;  // "banned_term", "classifier", … (flags too)
  double score = 0;                  // 0–1: how likely a moderator would reject it
};

class Screener {
 public:
  virtual ~Screener() = default;
  // Must be thread-safe and take bounded time for any input.
  virtual Screening Screen(const ScreeningInput& input) = 0;
};

}  // namespace amur::service
