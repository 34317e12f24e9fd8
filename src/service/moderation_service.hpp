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
  int reports_to_queue =
      3;  // reports from distinct networks that put a comment in the reported queue
  int reports_to_hide = 5;   // distinct reports that hide it until a moderator looks
};

// kFlagged: published comments flagged for a moderator (Comment::flagged).
enum class Queue { kPending, kReported, kRejected, kSpam, kFlagged };
std::optional<Queue> ParseQueue(std::string_view s);

// The last change of a comment's state made after it was posted: who made
// it and when (from the comment's links in the hash chain). `action` is
// "approve", "reject", "spam", or "hide" (hidden by reader reports, `by`
// "reports").
struct DecisionRecord {
  std::string action;
  std::string by;
  TimeMs at = 0;
};

struct QueueItem {
  Comment comment;
  std::string page_key;
  std::vector<Comment> author_history;  // the author's latest other comments
  std::optional<DecisionRecord> decided;
};

struct QueuePage {
  std::vector<QueueItem> items;  // newest first
  std::optional<std::string> next_cursor;
};

enum class Decision { kApprove, kReject, kSpam };
std::optional<Decision> ParseDecision(std::string_view s);

// What the moderator saw when deciding; each field set is checked before
// anything is written.
struct DecisionPrecondition {
  std::optional<CommentState> expected_state;  // the comment's stored state
  std::optional<Queue> queue;                  // the queue it was listed in
};

// Who reports a comment, beyond the hashes that tell readers apart: the
// client's address and, for a signed-in reader, the account. A signed-in
// reader is trusted by the account alone (an approved, unflagged comment of
// the account's, from any address); a guest by the address (an approved,
// unflagged comment posted from it). A trusted reader's report flags.
struct ReporterIdentity {
  std::string client_address;
  std::optional<std::int64_t> user_id;
};

struct DecisionOutcome {
  Comment comment;
  std::string page_key;
  bool recorded = true;  // false: the same decision stood already; nothing was written
  std::optional<DecisionRecord> decided;
};

// Where a comment stands for a moderator looking at `queue`.
struct QueueStatus {
  CommentId id = 0;
  std::optional<Comment> comment;  // nullopt: deleted (or never existed)
  bool in_queue = false;           // as ListQueue would list it
  std::optional<DecisionRecord> decided;
};

// True when ListQueue(queue) lists `c` (`min_reports`: the reported queue's threshold).
bool InQueue(const Comment& c, Queue queue, int min_reports);

// Who last changed the comment's state after it was posted, read from its
// links; nullopt when nobody did (it is in the state it was posted in).
std::optional<DecisionRecord> LastDecision(store::StoreSession& s, const Comment& c);

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
// What a moderator changes on a page; nullopt leaves that part unchanged. A
// title or url of nullopt-inside (JSON null or "") clears it.
struct PageUpdate {
  std::optional<bool> closed;
  std::optional<bool> premoderate;
  std::optional<std::optional<std::string>> title;
  std::optional<std::optional<std::string>> url;
};

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

  // Approves, rejects or marks as spam. Writes an audit entry, and a chain
  // link when the state changes. Approving also clears the comment's reports;
  // every decision clears its flag (approving a flagged comment is a
  // decision, and an example for the classifier, even with no reports).
  // Repeating the decision that stands (the same state and, for approve, no
  // reports to clear) writes nothing and answers recorded = false.
  // Errors: not_found (unknown or deleted), invalid_field (reason),
  // conflict when a field of `pre` no longer holds (nothing is written; the
  // message says who decided, e.g. "Already rejected by Mia Mod.").
  Result<DecisionOutcome> Decide(store::StoreSession& s, CommentId id, Decision d,
                                 const std::string& reason, const User& actor,
                                 const DecisionPrecondition& pre = {});

  // A comment as the desk shows it, with its last decision. Errors: not_found.
  Result<QueueItem> View(store::StoreSession& s, CommentId id);

  // Where each comment stands with respect to `queue`, in the order given
  // (for a desk checking the items it shows). One lookup per id.
  std::vector<QueueStatus> StatusIn(store::StoreSession& s, Queue queue,
                                    const std::vector<CommentId>& ids);

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
  // joins the reported queue after reports from reports_to_queue distinct
  // networks (reader ids cost nothing to make up), and is hidden
  // once reports_to_hide readers from as many distinct networks reported it.
  // A report from a reader with an approved comment of their own (`who`:
  // the account when signed in, else the address) flags the comment
  // ("trusted_report").
  // Returns the page key when the comment was hidden by it (so the caller
  // invalidates caches). Errors: not_found, invalid_field (reason, note).
  Result<std::optional<std::string>> Report(store::StoreSession& s, CommentId id,
                                            const std::string& reporter_hash,
                                            const std::string& network_hash,
                                            const std::string& reason, const std::string& note,
                                            const ReporterIdentity& who = {});

  // Appends an entry to the audit log, chaining it to the newest one.
  AuditEntry Audit(store::StoreSession& s, const std::string& actor, const std::string& action,
                   std::optional<CommentId> comment_id, const std::string& reason);

  // Closes or opens a page to new comments, turns its pre-moderation on or
  // off, corrects its title or URL (each nullopt: unchanged). Audited; one
  // event per kind of change. Errors: not_found (unknown page), not_allowed
  // (actor), invalid_field / too_long (title, url).
  Result<Page> UpdatePage(store::StoreSession& s, const std::string& page_key,
                          const PageUpdate& update, const User& actor);

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

// Appends an entry to the audit log at `at`, chained to the newest one, in
// the caller's transaction.
AuditEntry AppendAudit(store::ModerationStore& s, TimeMs at, const std::string& actor,
                       const std::string& action, std::optional<CommentId> comment_id,
                       const std::string& reason);

// SHA-256 hex of the lower-cased, trimmed email (how bans remember emails).
std::string EmailHash(const std::string& email);

}  // namespace amur::service
