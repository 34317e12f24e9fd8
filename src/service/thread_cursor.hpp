// Opaque paging cursors for a thread's top-level comments.
//
// oldest: the last id shown; the next page starts after it, so paging never
//   repeats or skips a comment while new ones arrive (they come last).
// newest: the last id shown; the next page holds older ids only.
// votes:  the ids already shown (scores move between pages, so a position is
//   not enough to avoid repeats); past kMaxRememberedIds the cursor falls back
//   to the (score, id) position of the last comment shown.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/model.hpp"
#include "core/result.hpp"

namespace amur::service {

enum class SortOrder;

class ThreadCursor final {
 public:
  static constexpr std::size_t kMaxRememberedIds = 1000;

  // True when `c` may appear on the page this cursor asks for.
  bool Admits(const Comment& c) const;
  // The cursor for the page after this one, given what this one showed (in
  // display order).
  std::string Next(const std::vector<const Comment*>& shown) const;

  SortOrder sort;
  bool first = true;
  CommentId last_id = 0;
  std::int64_t last_score = 0;
  bool by_position = false;  // votes: position mode instead of a shown set
  std::unordered_set<CommentId> shown_ids;
};

// Decodes `text` (empty: the first page). invalid_field "cursor" when the
// text is malformed or was made for another sort order.
Result<ThreadCursor> DecodeThreadCursor(const std::string& text, SortOrder sort);

}  // namespace amur::service
