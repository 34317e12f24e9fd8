// The domain records shared by every subsystem. Plain data, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"

namespace amur {

using CommentId = std::int64_t;  // internal; clients see "c<id>"
using PageId = std::int64_t;

// "c42" for 42.
std::string FormatCommentId(CommentId id);
// Parses "c42"; returns nullopt for anything else (leading zeros, signs, overflow).
std::optional<CommentId> ParseCommentId(std::string_view text);

enum class CommentState {
  kApproved,  // visible to everyone
  kPending,   // held for moderation; visible to its author only
  kDeleted,   // a tombstone kept because it has visible replies
  kRemoved,   // gone from every public answer; kept for the hash chain
  kRejected,  // refused by a moderator
  kSpam,      // marked as spam by a moderator
};

const char* CommentStateName(CommentState s);
std::optional<CommentState> ParseCommentState(std::string_view s);

struct Page {
  PageId id = 0;
  std::string key;
  std::optional<std::string> title;
  std::optional<std::string> url;
  bool closed = false;
  TimeMs created_at = 0;
  std::string chain_head;  // hash of the page's last link, or 64 zeros
  std::int64_t chain_len = 0;  // number of links in the page's chain
  bool premoderate = false;    // hold every new comment on this page
  TimeMs active_at = 0;        // the time of the page's last link (or its creation)
};

// The passage of the article an inline-feedback comment is anchored to.
struct Quote {
  std::string exact;
  std::string prefix;
  std::string suffix;
};

// Where an inline comment's passage lay when it was posted: character
// offsets (UTF-16 code units, as the browser counts) into the article's text.
struct TextPosition {
  std::int64_t start = 0;
  std::int64_t end = 0;
};

struct Comment {
  CommentId id = 0;
  PageId page_id = 0;
  std::optional<CommentId> parent_id;
  int depth = 1;  // top-level comments have depth 1
  std::optional<std::string> author_name;  // null: "Guest" (or a tombstone)
  std::optional<std::string> author_email;  // never public
  bool is_guest = true;
  std::optional<std::string> author_role;
  std::string body_markdown;
  std::string body_html;
  CommentState state = CommentState::kApproved;
  TimeMs created_at = 0;
  std::optional<TimeMs> edited_at;
  std::optional<std::string> edited_by;
  std::int64_t upvotes = 0;
  std::int64_t downvotes = 0;
  std::string hash;              // hash of this comment's latest link
  std::string edit_token_hash;   // SHA-256 hex of the guest's edit token
  std::string client_address;    // for moderation and rate limits; never public
  std::optional<Quote> quote;
  std::optional<TextPosition> position;        // only with a quote
  std::optional<std::int64_t> author_user_id;  // set for members
  std::vector<std::string> moderation_reasons;  // why it was held or flagged
  double moderation_score = 0;                  // the classifier's 0–1 score
  std::int64_t report_count = 0;                // distinct readers who reported it
  std::int64_t report_networks = 0;             // distinct networks among them
  bool pinned = false;                          // shown first by its thread
  // Published but listed in the flagged queue until a moderator decides.
  bool flagged = false;
  std::optional<TimeMs> erased_at;              // its author's words were erased

  std::int64_t score() const { return upvotes - downvotes; }
};

enum class Role { kMember, kModerator, kAdmin };
const char* RoleName(Role r);
std::optional<Role> ParseRole(std::string_view s);

struct User {
  std::int64_t id = 0;
  std::string email;  // lower-cased
  std::string name;
  Role role = Role::kMember;
  std::string password_hash;
  TimeMs created_at = 0;
  bool disabled = false;  // a disabled account cannot sign in; its sessions are gone

  bool CanModerate() const { return role == Role::kModerator || role == Role::kAdmin; }
};

struct Session {
  std::string token_hash;
  std::int64_t user_id = 0;
  std::string csrf_token;
  TimeMs created_at = 0;
  TimeMs expires_at = 0;
};

struct Ban {
  std::int64_t id = 0;
  std::string client_address;
  std::string email_hash;
  std::optional<std::int64_t> user_id;
  std::string reason;
  std::string created_by;
  TimeMs created_at = 0;
  std::optional<TimeMs> expires_at;
  std::optional<CommentId> comment_id;  // the comment the ban was made from
};

// One entry of the append-only, hash-chained audit log.
struct AuditEntry {
  std::int64_t seq = 0;
  TimeMs at = 0;
  std::string actor;
  std::string action;  // "approve", "reject", "spam", "ban", "edit", "delete", …
  std::optional<CommentId> comment_id;
  std::string reason;
  std::string prev_hash;
  std::string hash;
};

// One link of a page's hash chain: a version of one comment.
struct ChainLink {
  std::int64_t seq = 0;      // position in the page's chain, from 1
  CommentId comment_id = 0;
  int n = 0;                 // version number of this comment, from 1
  std::optional<CommentId> parent_id;
  std::optional<std::string> author_name;
  CommentState state = CommentState::kApproved;
  std::string body_markdown;
  TimeMs at = 0;
  std::optional<std::string> editor;
  std::string prev_hash;
  std::string hash;
  // 1: the link hash covers author and Markdown directly (links written
  // before erasure existed); 2: it covers content_hash, the hash of author
  // and Markdown, so they can be erased and the chain still checked.
  int format = 2;
  std::string content_hash;  // format 2; empty on format 1
  bool erased = false;       // author and Markdown were erased; content_hash stays
};

// A link's fields as a chain check reads them (ChainStore::ScanPageLinks):
// views into one row, valid only while the visit that receives it runs.
struct ChainLinkView {
  std::int64_t seq = 0;
  CommentId comment_id = 0;
  std::optional<CommentId> parent_id;
  std::optional<std::string_view> author_name;
  CommentState state = CommentState::kApproved;
  std::string_view body_markdown;
  TimeMs at = 0;
  std::string_view prev_hash;
  std::string_view hash;
  int format = 2;
  std::string_view content_hash;
  bool erased = false;
};

// The fields of a comment's current row that a chain check compares with its
// last link (CommentStore::ScanChainRows); views as in ChainLinkView.
struct ChainRowView {
  CommentId id = 0;
  std::optional<CommentId> parent_id;
  std::optional<std::string_view> author_name;
  CommentState state = CommentState::kApproved;
  std::string_view body_markdown;
  std::string_view hash;
};

// Who may see an event: everyone (it is about content readers can see) or
// moderators and admins only (a held comment, a rejection, a report).
enum class EventVisibility { kPublic, kStaff };
const char* EventVisibilityName(EventVisibility v);

// One entry of the durable event log (docs/events.md): appended in the same
// transaction as the change it records, so a committed change has its
// events and a rolled-back one has none.
struct Event {
  std::int64_t seq = 0;  // assigned by the store; strictly increasing
  TimeMs at = 0;
  std::string type;                     // "comment.created", "page.closed", ...
  std::optional<std::string> page_key;  // the page it is about, if any
  std::optional<CommentId> comment_id;  // the comment it is about, if any
  std::string actor;                    // "guest", "user:12", "system", "reports"
  EventVisibility visibility = EventVisibility::kPublic;
  std::string data;  // a JSON object, as text
  // The process (node) that recorded it (service::ThisNode); never public.
  // Lets a node tell the writes of other nodes on the same database from its own.
  std::string origin;
};

// What a subscription asks to be told about (docs/notifications.md).
enum class SubscriptionKind {
  kThread,      // every new published comment on one page
  kReplies,     // replies to the subscriber's own comments, on any page
  kModeration,  // (moderators) each comment held for moderation
};
const char* SubscriptionKindName(SubscriptionKind k);
std::optional<SubscriptionKind> ParseSubscriptionKind(std::string_view s);

// One address's wish to get mail. A guest's waits for the address to be
// confirmed; nothing is sent for an unconfirmed one.
struct Subscription {
  std::int64_t id = 0;
  std::string email;  // lower-cased; never public
  std::optional<std::int64_t> user_id;
  SubscriptionKind kind = SubscriptionKind::kThread;
  std::optional<PageId> page_id;  // kThread only
  bool confirmed = false;
  TimeMs created_at = 0;
  std::optional<TimeMs> confirmed_at;
};

// "s42" for 42, and back (nullopt for anything else).
std::string FormatSubscriptionId(std::int64_t id);
std::optional<std::int64_t> ParseSubscriptionId(std::string_view text);

// The secret of a link in a mail, kept as its hash.
struct MailToken {
  std::string token_hash;  // SHA-256 hex
  std::string purpose;     // "confirm", "manage", "unsubscribe"
  std::string email;
  std::optional<std::int64_t> subscription_id;
  TimeMs created_at = 0;
  TimeMs expires_at = 0;
  std::optional<TimeMs> used_at;
};

// A comment one recipient is to be told about, before it is put in a message.
struct Notification {
  std::int64_t id = 0;
  std::string email;
  CommentId comment_id = 0;
  std::int64_t subscription_id = 0;
  PageId page_id = 0;
  std::string reason;  // "thread", "replies", "moderation"
  TimeMs created_at = 0;
  std::optional<std::int64_t> mail_id;
};

// A whole message waiting in (or gone from) the outbox.
struct OutboxMail {
  std::int64_t id = 0;
  std::string email;
  std::string kind;  // "confirm", "notification", "digest", "moderation"
  std::optional<std::int64_t> subscription_id;
  std::optional<PageId> page_id;
  std::string message_id;  // "<…@host>"
  std::string message;     // RFC 5322 text, CRLF line ends; empty once sent
  TimeMs created_at = 0;
  int attempts = 0;
  TimeMs next_attempt_at = 0;
  std::optional<std::string> last_error;
  std::optional<TimeMs> sent_at;
  std::optional<TimeMs> failed_at;
};

inline const std::string kZeroHash(64, '0');

}  // namespace amur
