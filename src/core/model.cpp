#include "core/model.hpp"

#include <charconv>

namespace amur {

std::string FormatCommentId(CommentId id) { return "c" + std::to_string(id); }

namespace {

// Parses "<prefix><digits>" with no leading zero, sign or overflow.
std::optional<std::int64_t> ParsePrefixedId(std::string_view text, char prefix) {
  if (text.size() < 2 || text.size() > 20 || text[0] != prefix) return std::nullopt;
  if (text[1] == '0') return std::nullopt;
  std::int64_t id = 0;
  const char* first = text.data() + 1;
  const char* last = text.data() + text.size();
  for (const char* p = first; p != last; ++p) {
    if (*p < '0' || *p > '9') return std::nullopt;
  }
  auto [ptr, ec] = std::from_chars(first, last, id);
  if (ec != std::errc() || ptr != last || id <= 0) return std::nullopt;
  return id;
}

}  // namespace

std::optional<CommentId> ParseCommentId(std::string_view text) {
  return ParsePrefixedId(text, 'c');
}

std::string FormatSubscriptionId(std::int64_t id) { return "s" + std::to_string(id); }

std::optional<std::int64_t> ParseSubscriptionId(std::string_view text) {
  return ParsePrefixedId(text, 's');
}

const char* SubscriptionKindName(SubscriptionKind k) {
  switch (k) {
    case SubscriptionKind::kThread:
      return "thread";
    case SubscriptionKind::kReplies:
      return "replies";
    case SubscriptionKind::kModeration:
      return "moderation";
  }
  return "thread";
}

std::optional<SubscriptionKind> ParseSubscriptionKind(std::string_view s) {
  if (s == "thread") return SubscriptionKind::kThread;
  if (s == "replies") return SubscriptionKind::kReplies;
  if (s == "moderation") return SubscriptionKind::kModeration;
  return std::nullopt;
}

const char* CommentStateName(CommentState s) {
  switch (s) {
    case CommentState::kApproved: return "approved";
    case CommentState::kPending: return "pending";
    case CommentState::kDeleted: return "deleted";
    case CommentState::kRemoved: return "removed";
    case CommentState::kRejected: return "rejected";
    case CommentState::kSpam: return "spam";
  }
  return "approved";
}

const char* RoleName(Role r) {
  switch (r) {
    case Role::kMember: return "member";
    case Role::kModerator: return "moderator";
    case Role::kAdmin: return "admin";
  }
  return "member";
}

std::optional<Role> ParseRole(std::string_view s) {
  if (s == "member") return Role::kMember;
  if (s == "moderator") return Role::kModerator;
  if (s == "admin") return Role::kAdmin;
  return std::nullopt;
}

std::optional<CommentState> ParseCommentState(std::string_view s) {
  if (s == "approved") return CommentState::kApproved;
  if (s == "pending") return CommentState::kPending;
  if (s == "deleted") return CommentState::kDeleted;
  if (s == "removed") return CommentState::kRemoved;
  if (s == "rejected") return CommentState::kRejected;
  if (s == "spam") return CommentState::kSpam;
  return std::nullopt;
}

const char* EventVisibilityName(EventVisibility v) {
  return v == EventVisibility::kStaff ? "staff" : "public";
}

}  // namespace amur
