// The moderation pipeline as CommentService sees it: a screen that every new
// and edited comment passes through before it is stored. Implemented in
// src/moderation/ (term lists, spam checks, the learned classifier).
//
// Screening is pure computation and runs before the write, off the writer
// thread (see CommentService::PreparePost). It reads the screener's state
// (the index of recent comments) but changes none; what the screener keeps
// about a new comment is handed over with Remember once the comment is
// stored, so a refused post (validation error, ban, closed page) leaves no
// trace in it.
#pragma once

#include <memory>
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
  bool is_reply = false;  // answers another comment: targeted abuse weighs more
};

// What a screener remembers about a screened comment once it is stored
// (for the pipeline: its near-duplicate fingerprint and author key).
// Opaque to the service.
struct ScreeningMemo {
  virtual ~ScreeningMemo() = default;
};

struct Screening {
  bool hold = false;                 // keep it pending until a moderator decides
  bool flag = false;  // publish it, but list it in the flagged queue (never with hold)
  std::vector<std::string> reasons;  // "banned_term", "classifier", … (flags too)
  double score = 0;                  // 0–1: how likely a moderator would reject it
  std::shared_ptr<const ScreeningMemo> memo;  // for Remember; null: nothing to remember
};

class Screener {
 public:
  virtual ~Screener() = default;
  // Must be thread-safe and take bounded time for any input. Changes no
  // state: two screenings of one input give the same verdict.
  virtual Screening Screen(const ScreeningInput& input) = 0;
  // Records a screened comment that was stored (held or not), so that later
  // copies find it. Cheap and thread-safe; a null memo is ignored.
  virtual void Remember(const ScreeningMemo* memo) = 0;
};

}  // namespace amur::service
