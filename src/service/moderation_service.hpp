// What moderators do: the queues, decisions on comments, bans, reader
// reports, and the append-only, hash-chained audit log. Synchronous, like
// CommentService: each call runs inside a transaction its caller owns.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/model.hpp"
#include "core/result.hpp"
#include "store/store.hpp"

namespace amur::service {

struct ModerationConfig {
  int reports_to_queue = 3;  // distinct reports that put a comment in the reported queue
  int reports_to_hide = 5;   // distinct reports that hide it until a moderator looks
};

enum class Queue { kPending, kReported, kRejected, kSpam };
std::optional<Queue> ParseQueue(std::string_view s);

struct QueueItem {
  Comment comment;
  std::string page_key;
  std::vector<Comment> author_history;  // the author's latest other comments
};

struct QueuePage {
  std::vector<QueueItem> items;  // newest first
  std::optional<std::string> next_cursor;
};

enum class Decision { kApprove, kReject, kSpam };
std::optional<Decision> ParseDecision(std::string_view s);

struct DecisionOutcome {
  Comment comment;
  std::string page_key;
};

// A page as the desk lists it: its flags and its comments by state.
struct PageSummary {
  Page page;
  store::PageCommentCounts counts;
};

struct PagesPage {
  std::vector<PageSummary> pages;  // newest activity first
  std::optional<std::string> next_cursor;
};

// A ban with the name of the author it was made against: the comment's
// author name, else the account's name (a member's deleted comment has lost
// its name), else "Guest" for a ban made from a comment; nullopt for a ban
// made from no comment and no account.
struct BanItem {
  Ban ban;
  std::optional<std::string> author_name;
};

struct BansPage {
  std::vector<BanItem> bans;  // newest first
  std::optional<std::string> next_cursor;
};

struct AuditPage {
  std::vector<AuditEntry> entries;  // newest first
  std::optional<std::string> next_cursor;
};

// SHA-256 (hex) of the canonical encoding of an audit entry (docs/integrity.md).
std::string ComputeAuditHash(const AuditEntry& e);

// The methods below that take an `actor` (but Decide) re-read it first
// (RecheckActor): an account disabled or demoted since the request was
// authenticated gets not_allowed and changes nothing.
class ModerationService final {
 public:
  ModerationService(ModerationConfig config, const Clock& clock) : config_(config), clock_(clock) {}

  // The number of comments in each queue (as ListQueue would list them).
  store::QueueCounts CountQueues(store::StoreSession& s);

  // Pages, newest activity first. Errors: invalid_field (cursor).
  Result<PagesPage> ListPages(store::StoreSession& s, int limit, const std::string& cursor);
  // One page by key. Errors: not_found.
  Result<PageSummary> FindPage(store::StoreSession& s, const std::string& key);

  // One page of a queue. Errors: invalid_field (cursor).
  Result<QueuePage> ListQueue(store::StoreSession& s, Queue queue, int limit,
                              const std::string& cursor);

  // Approves, rejects or marks as spam. Writes a chain link and an audit
  // entry. Approving also clears the comment's reports. Errors: not_found.
  Result<DecisionOutcome> Decide(store::StoreSession& s, CommentId id, Decision d,
                                 const std::string& reason, const User& actor);

  // Bans the author of a comment (client address, email hash, account) for
  // `days` (nullopt: for good). Errors: not_found; invalid_field (days,
  // reason; comment_id when the comment holds none of the three, e.g. an
  // imported one); not_allowed when the comment's account is a moderator's
  // or an admin's (staff are demoted or disabled, never banned), or the actor
  // is no longer an active moderator.
  Result<Ban> BanAuthor(store::StoreSession& s, CommentId id, std::optional<int> days,
                        const std::string& reason, const User& actor);

  // A ban in force against this author, if any.
  std::optional<Ban> ActiveBan(store::StoreSession& s, const std::string& client_address,
                               const std::optional<std::string>& email,
                               std::optional<std::int64_t> user_id);

  // Records a reader's report. `reporter_hash` tells readers apart (one
  // report each); `network_hash` is the network it came from. The comment
  // joins the reported queue after reports_to_queue readers, and is hidden
  // once reports_to_hide readers from as many distinct networks reported it.
  // Returns the page key when the comment was hidden by it (so the caller
  // invalidates caches). Errors: not_found, invalid_field (reason, note).
  Result<std::optional<std::string>> Report(store::StoreSession& s, CommentId id,
                                            const std::string& reporter_hash,
                                            const std::string& network_hash,
                                            const std::string& reason, const std::string& note);

  // Appends an entry to the audit log, chaining it to the newest one.
  AuditEntry Audit(store::StoreSession& s, const std::string& actor, const std::string& action,
                   std::optional<CommentId> comment_id, const std::string& reason);

  // Closes or opens a page to new comments and/or turns its pre-moderation on
  // or off (nullopt: unchanged). Audited. Errors: not_found (unknown page),
  // not_allowed (actor).
  Result<Page> SetPageFlags(store::StoreSession& s, const std::string& page_key,
                            std::optional<bool> closed, std::optional<bool> premoderate,
                            const User& actor);

  // Pins or unpins an approved top-level comment. Audited. Errors: not_found,
  // invalid_field (a reply), not_allowed (actor).
  Result<DecisionOutcome> Pin(store::StoreSession& s, CommentId id, bool pinned,
                              const User& actor);

  // Bans newest first; `active_only` leaves out ended ones. Errors: invalid_field (cursor).
  Result<BansPage> ListBans(store::StoreSession& s, bool active_only, int limit,
                            const std::string& cursor);

  // Lifts a ban now. Audited. Errors: not_found (unknown or already ended),
  // not_allowed (actor).
  Status LiftBan(store::StoreSession& s, std::int64_t ban_id, const User& actor);

  Result<AuditPage> ListAudit(store::StoreSession& s, int limit, const std::string& cursor);

  const ModerationConfig& config() const { return config_; }

 private:
  ModerationConfig config_;
  const Clock& clock_;
};

// SHA-256 hex of the lower-cased, trimmed email (how bans remember emails).
std::string EmailHash(const std::string& email);

}  // namespace amur::service
