// The storage interface. A Store is a thread-safe factory of sessions; a
// StoreSession is one connection, used by one thread at a time. Every backend
// (SQLite now, PostgreSQL later) passes the one contract suite in
// tests/contract/store_contract_test.cpp.
//
// Error policy: expected outcomes (a missing row) are return values; a failure
// of the database itself (I/O error, corruption, lost connection) throws
// StoreError, which the executor turns into ErrorCode::kUnavailable.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.hpp"

namespace amur::store {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The transaction lost a race with another one (PostgreSQL: a deadlock or a
// serialization failure) and was rolled back; running it again from the
// start may succeed. DbExecutor re-runs a batch that failed with it.
class StoreConflict : public StoreError {
 public:
  using StoreError::StoreError;
};

struct UpsertPageRequest {
  std::string key;
  std::optional<std::string> title;  // kept when the page has none yet
  std::optional<std::string> url;    // kept when the page has none yet
  TimeMs now = 0;
};

// Comments of one page by stored state.
struct PageCommentCounts {
  std::int64_t approved = 0;
  std::int64_t pending = 0;
  std::int64_t rejected = 0;
  std::int64_t spam = 0;
};

// The sizes of the moderation queues.
struct QueueCounts {
  std::int64_t pending = 0;
  std::int64_t reported = 0;
  std::int64_t rejected = 0;
  std::int64_t spam = 0;
  std::int64_t flagged = 0;  // approved comments with flagged set
};

// A position in the list of pages by activity: the last page shown.
struct PageActivityCursor {
  TimeMs active_at = 0;
  PageId id = 0;
};

// What screening read of a stored comment: enough to put it back in the
// near-duplicate index after a restart.
struct ScreenedText {
  CommentId id = 0;
  TimeMs created_at = 0;
  std::optional<std::string> author_name;   // null: "Guest"
  std::optional<std::string> author_email;  // never public
  std::string client_address;
  std::string body_markdown;  // the current version
};

// A comment's moderation columns (ModerationStore::SetModeration).
struct ModerationUpdate {
  CommentId id = 0;
  CommentState state = CommentState::kApproved;
  std::vector<std::string> reasons;
  double score = 0;
  bool flagged = false;  // stored only with state approved (any other state clears it)
};

// Which comments a moderation queue lists (ModerationStore::ListQueue).
struct QueueQuery {
  std::optional<CommentState> state;  // empty with reported = true: the reported queue
  bool reported = false;
  int min_reports = 1;      // for the reported queue
  CommentId before_id = 0;  // 0: from the newest
  int limit = 50;
  bool flagged = false;  // the flagged queue: approved comments with flagged set
};

// One reader's report (ModerationStore::AddReport). The views must outlive the call.
struct NewReport {
  CommentId id = 0;
  std::string_view reporter_hash;  // tells readers apart
  std::string_view network_hash;   // the network it came from
  std::string_view reason;
  std::string_view note;
  TimeMs at = 0;
};

// The identities a ban may cover (ModerationStore::FindActiveBan).
struct BanLookup {
  std::string_view client_address;  // a network key (NetworkKey) or an address
  std::string_view email_hash;
  std::optional<std::int64_t> user_id;
  TimeMs now = 0;
};

// Which bans to list (ModerationStore::ListBans).
struct BanListQuery {
  bool active_only = false;  // only those in force at `now`
  TimeMs now = 0;
  std::int64_t before_id = 0;  // 0: from the newest
  int limit = 50;
};

// One voter's vote (CommentStore::SetVote). The views must outlive the call.
struct VoteRecord {
  CommentId id = 0;
  std::string_view voter_hash;    // the voter, hashed
  std::string_view network_hash;  // the network it came from, hashed
  int value = 0;                  // -1, 0 (none) or 1
};

struct VoteTotals {
  std::int64_t upvotes = 0;
  std::int64_t downvotes = 0;
};

// The store is split by concern: each part below is a narrow interface that
// a consumer can take on its own, and that a second backend can implement and
// test part by part (tests/contract has one section per part). A
// StoreSession is all of them over one connection.

// Transactions. BeginWrite takes the write lock at once. Savepoints nest
// inside a write transaction so one failed request of a batch leaves no trace.
class TransactionStore {
 public:
  virtual ~TransactionStore() = default;
  virtual void BeginRead() = 0;
  virtual void BeginWrite() = 0;
  virtual void Commit() = 0;
  virtual void Rollback() = 0;
  virtual void Savepoint() = 0;
  virtual void ReleaseSavepoint() = 0;
  virtual void RollbackToSavepoint() = 0;
};

// Pages (threads) and their settings.
class PageStore {
 public:
  virtual ~PageStore() = default;
  // The page with this key, or nullopt.
  virtual std::optional<Page> FindPage(std::string_view key) = 0;
  virtual std::optional<Page> FindPageById(PageId id) = 0;
  // The page with this key, created when missing. Fills a missing title or
  // url from the request; never overwrites one already set.
  virtual Page UpsertPage(const UpsertPageRequest& req) = 0;
  // Sets the closed flag. Returns false when the page does not exist.
  virtual bool SetPageClosed(std::string_view key, bool closed) = 0;
  // Sets the page's pre-moderation flag. Returns false when the page does not exist.
  virtual bool SetPagePremoderate(std::string_view key, bool premoderate) = 0;
  // Sets the page's title and url (nullopt: none), replacing what the first
  // poster gave. Returns false when the page does not exist.
  virtual bool SetPageDetails(std::string_view key, const std::optional<std::string>& title,
                              const std::optional<std::string>& url) = 0;
  // Pages ordered by id, after `after_id`, at most `limit`.
  virtual std::vector<Page> ListPages(PageId after_id, int limit) = 0;
  // Pages with the newest activity (active_at: the last link written on the
  // page, or its creation) first, ties by id descending; with `after`, only
  // those that come after that position. At most `limit`.
  virtual std::vector<Page> ListPagesByActivity(std::optional<PageActivityCursor> after,
                                                int limit) = 0;
  // The page's comments by stored state (tombstones and removed ones not counted).
  virtual PageCommentCounts CountPageComments(PageId page) = 0;
};

// Comments, threads, counts and votes.
class CommentStore {
 public:
  virtual ~CommentStore() = default;
  // The comment, in any state, or nullopt.
  virtual std::optional<Comment> FindComment(CommentId id) = 0;
  // The page's comments whose state is approved or deleted (tombstones),
  // ordered by id (= creation order).
  virtual std::vector<Comment> ListVisibleComments(PageId page) = 0;
  // Every comment of the page in any state, ordered by id.
  virtual std::vector<Comment> ListAllComments(PageId page) = 0;
  // What a page's chain check needs of every comment of the page (id, parent,
  // author name, state, Markdown, hash), id order; the other fields are left
  // at their defaults.
  virtual std::vector<Comment> ListChainRows(PageId page) = 0;
  // ListChainRows without building Comments: calls visit(row) for each of
  // those rows in id order, reusing one record whose views hold only during
  // that call.
  virtual void ScanChainRows(PageId page,
                             const std::function<void(const ChainRowView&)>& visit) = 0;
  // The newest `limit` comments of the whole site created at or after
  // `since`, in any state, returned oldest first (by created_at, then id).
  // Reads an index on created_at, so the cost follows the rows returned,
  // not the size of the table. Empty when limit <= 0.
  virtual std::vector<ScreenedText> ListCommentsSince(TimeMs since, int limit) = 0;
  // The newest `limit` approved comments (state approved only: no pending,
  // rejected, spam, removed or tombstones), newest first (by id = creation
  // order): of one page when `page` is set, else of the whole site. Reads an
  // index on (page_id, state, id) or (state, id), so the cost follows the rows
  // returned. Empty when limit <= 0.
  virtual std::vector<Comment> ListNewestApproved(std::optional<PageId> page, int limit) = 0;
  // Inserts a new comment; `c.id` is ignored. Returns the new id.
  virtual CommentId InsertComment(const Comment& c) = 0;
  // Rewrites the mutable columns of an existing comment: body, html, state,
  // edited_at, edited_by, hash, author_name.
  virtual void UpdateComment(const Comment& c) = 0;
  // Pins or unpins a comment.
  virtual void SetPinned(CommentId id, bool pinned) = 0;
  // Number of direct replies that are approved or deleted (tombstones).
  virtual int CountVisibleReplies(CommentId parent) = 0;
  // Number of direct replies held for moderation (pending).
  virtual int CountPendingReplies(CommentId parent) = 0;
  // Approved comments per page key; keys without a page count 0.
  virtual std::map<std::string, std::int64_t> CountApproved(
      const std::vector<std::string>& keys) = 0;
  // Approved comments by this address or (case-insensitive) email, for trust.
  virtual std::int64_t CountApprovedByAuthor(std::string_view client_address,
                                             std::string_view email) = 0;

  // Records the voter's vote (-1, 0 = none, 1) and the network it came from,
  // and returns the comment's new totals. The voter is identified by a
  // hash, never by the raw id.
  virtual VoteTotals SetVote(const VoteRecord& v) = 0;
  // Voters from this network with a vote on the comment.
  virtual std::int64_t CountNetworkVoters(CommentId id, std::string_view network_hash) = 0;
  // The voter's current vote, 0 when none.
  virtual int GetVote(CommentId id, std::string_view voter_hash) = 0;
};

// The per-page hash chain of comment versions (docs/integrity.md).
class ChainStore {
 public:
  virtual ~ChainStore() = default;
  // Appends a link to its page's chain and moves the page's head to it.
  // REQUIRES: link.prev_hash is the page's current head.
  virtual void AppendLink(PageId page, const ChainLink& link) = 0;
  // Appends consecutive links of one page as AppendLink would one by one, but
  // moves the page's head (chain_head, chain_len) once, to the last link, and
  // its active_at to the latest `at` of them when that is later. Nothing
  // when `links` is empty. REQUIRES: links[0].prev_hash is the page's current
  // head and each later link's prev_hash the hash of the one before it.
  virtual void AppendLinks(PageId page, const std::vector<ChainLink>& links) = 0;
  // Every link of the page, in chain order.
  virtual std::vector<ChainLink> ListPageLinks(PageId page) = 0;
  // ListPageLinks without building ChainLinks: calls visit(link) for every
  // link of the page in chain order, reusing one record whose views hold only
  // during that call (no editor, no version number: the chain check needs
  // neither).
  virtual void ScanPageLinks(PageId page,
                             const std::function<void(const ChainLinkView&)>& visit) = 0;
  // The page's links with seq >= from_seq, in chain order (what was appended
  // since a verified prefix; ListPageLinks when from_seq <= 1).
  virtual std::vector<ChainLink> ListPageLinksFrom(PageId page, std::int64_t from_seq) = 0;
  // The links of one comment, oldest first.
  virtual std::vector<ChainLink> ListCommentLinks(CommentId id) = 0;
  // Number of links one comment has (its latest version number).
  virtual int CountCommentLinks(CommentId id) = 0;
  // Replaces the page's links (same seq numbers) with `links`, sets each
  // comment's hash to its last link's and the page's head to the last link.
  virtual void RewritePageChain(PageId page, const std::vector<ChainLink>& links) = 0;
  // Erases a comment's words: every link of it loses author name, Markdown
  // and editor, keeps content_hashes[n - 1] as its content hash and is marked
  // erased; the comment row loses name, address, client address, Markdown,
  // HTML and editor and records `at` as erased_at; the comment's events lose
  // body and author name.
  virtual void EraseCommentContent(CommentId id, const std::vector<std::string>& content_hashes,
                                   TimeMs at) = 0;
  // Ids of comments whose author address is `email` (ASCII case ignored).
  virtual std::vector<CommentId> ListCommentIdsByEmail(std::string_view email) = 0;
};

// Accounts and their sign-in sessions.
class AccountStore {
 public:
  virtual ~AccountStore() = default;
  // InsertUser returns nullopt when the email is taken.
  virtual std::optional<std::int64_t> InsertUser(const User& u) = 0;
  virtual std::optional<User> FindUserByEmail(std::string_view email_lowercase) = 0;
  virtual std::optional<User> FindUserById(std::int64_t id) = 0;
  // Accounts ordered by id, with id > after_id, at most `limit`.
  virtual std::vector<User> ListUsers(std::int64_t after_id, int limit) = 0;
  // Change one account's role or disabled flag. False when there is no such account.
  virtual bool SetUserRole(std::int64_t id, Role role) = 0;
  virtual bool SetUserDisabled(std::int64_t id, bool disabled) = 0;
  // Admin accounts that are not disabled.
  virtual std::int64_t CountActiveAdmins() = 0;

  // Sessions, looked up by the hash of their token.
  virtual void InsertSession(const Session& s) = 0;
  virtual std::optional<Session> FindSession(std::string_view token_hash) = 0;
  virtual void DeleteSession(std::string_view token_hash) = 0;
  // Deletes every session of the account; returns how many there were.
  virtual std::int64_t DeleteUserSessions(std::int64_t user_id) = 0;
};

// Moderation: comment states and reasons, the queues, reader reports, bans
// and the append-only audit log.
class ModerationStore {
 public:
  virtual ~ModerationStore() = default;
  // Moderation columns of a comment: state, reasons, score and flag.
  virtual void SetModeration(const ModerationUpdate& u) = 0;
  // Comments for a moderation queue, newest first, with id < before_id (0:
  // from the newest), at most `limit`. `state` empty with reported=true lists
  // approved comments reported from at least `min_reports` distinct networks.
  virtual std::vector<Comment> ListQueue(const QueueQuery& q) = 0;
  // The sizes of the queues as ListQueue lists them: pending, rejected and
  // spam by state; reported = approved comments reported from >= min_reports
  // distinct networks.
  virtual QueueCounts CountQueues(int min_reports) = 0;
  // Records one reader's report, with the (hashed) network it came from;
  // false when that reader already reported it. Keeps comments.report_count
  // equal to the number of distinct reporters and report_networks to the
  // number of distinct networks among them.
  virtual bool AddReport(const NewReport& r) = 0;
  // From how many distinct networks the comment's reports came.
  virtual std::int64_t CountReportNetworks(CommentId id) = 0;
  // Forgets a comment's reports (after a moderator approved it).
  virtual void ClearReports(CommentId id) = 0;
  // Approved, non-deleted comments by the same client address or email hash,
  // newest first (a moderator's view of the author's history).
  virtual std::vector<Comment> ListByAuthor(std::string_view client_address,
                                            std::optional<std::int64_t> user_id, int limit) = 0;

  // Bans. InsertBan stores every field but `id` and returns the new id.
  virtual std::int64_t InsertBan(const Ban& b) = 0;
  // A ban in force at `now` matching any of the given identities, if any.
  virtual std::optional<Ban> FindActiveBan(const BanLookup& who) = 0;
  // Bans newest first with id < before_id (0: from the newest); only those in
  // force at `now` when active_only.
  virtual std::vector<Ban> ListBans(const BanListQuery& q) = 0;
  // Ends a ban at `now` (kept for the record). False when no such ban is in force.
  virtual bool EndBan(std::int64_t id, TimeMs now) = 0;

  // The audit log: append-only. AppendAudit assigns seq.
  virtual std::int64_t AppendAudit(const AuditEntry& e) = 0;
  // Newest first, seq < before_seq (0: from the newest).
  virtual std::vector<AuditEntry> ListAudit(std::int64_t before_seq, int limit) = 0;
  // The newest entry's hash, or 64 zeros.
  virtual std::string AuditHead() = 0;
  // The entries about one comment, oldest first.
  virtual std::vector<AuditEntry> ListCommentAudit(CommentId id) = 0;
};

// Small persistent key/value settings (the CSRF signing key, the saved
// classifier, term lists, webhook cursors).
class SettingsStore {
 public:
  virtual ~SettingsStore() = default;
  virtual std::optional<std::string> GetSetting(std::string_view key) = 0;
  virtual void PutSetting(std::string_view key, std::string_view value) = 0;
  // Takes the lease `name` for `holder` until `expires_at`, or renews it,
  // when it is free, expired at `now`, or held by `holder` already. True
  // when `holder` holds it afterwards; false (changing nothing) when another
  // holder's lease runs past `now`.
  virtual bool TryLease(std::string_view name, std::string_view holder, TimeMs now,
                        TimeMs expires_at) = 0;
};

// The durable event log (docs/events.md).
class EventStore {
 public:
  virtual ~EventStore() = default;
  // Appends an event in the current transaction; `e.seq` is ignored. Returns
  // the new seq: greater than every seq ever assigned, including pruned ones.
  virtual std::int64_t AppendEvent(const Event& e) = 0;
  // Events with seq > after_seq, oldest first, at most `limit`; only public
  // ones when public_only. Empty when limit <= 0.
  virtual std::vector<Event> ListEvents(std::int64_t after_seq, int limit, bool public_only) = 0;
  // The greatest seq in the log, or 0 when it is empty.
  virtual std::int64_t LastEventSeq() = 0;
  // Deletes the events recorded before `before`; returns how many.
  virtual std::int64_t PruneEvents(TimeMs before) = 0;
};

// Email subscriptions and the secrets of the links in mail
// (docs/notifications.md).
class SubscriptionStore {
 public:
  virtual ~SubscriptionStore() = default;
  // Stores `s` unless the address already has that kind of subscription (for
  // that page); then returns the stored one, confirmed now if `s` is
  // confirmed and it was not, and with `s.user_id` filled in if it had none.
  // `s.id` is ignored.
  virtual Subscription UpsertSubscription(const Subscription& s) = 0;
  virtual std::optional<Subscription> FindSubscription(std::int64_t id) = 0;
  // Every subscription of the address (lower-cased), oldest first.
  virtual std::vector<Subscription> ListSubscriptionsByEmail(std::string_view email) = 0;
  // Every subscription made by the member, oldest first.
  virtual std::vector<Subscription> ListSubscriptionsByUser(std::int64_t user_id) = 0;
  // Confirms every unconfirmed subscription of the address; returns how many.
  virtual std::int64_t ConfirmSubscriptions(std::string_view email, TimeMs now) = 0;
  // Deletes the subscription and the notifications not yet sent for it.
  // False when there was none.
  virtual bool DeleteSubscription(std::int64_t id) = 0;
  // Confirmed subscriptions of these kinds matching the address or the
  // member (kReplies, kModeration: page_id ignored).
  virtual std::vector<Subscription> FindSubscriptionsOf(SubscriptionKind kind,
                                                        std::string_view email,
                                                        std::optional<std::int64_t> user_id) = 0;
  // Every confirmed subscription of this kind (kModeration: the moderators').
  virtual std::vector<Subscription> ListConfirmedOfKind(SubscriptionKind kind) = 0;

  virtual void InsertMailToken(const MailToken& t) = 0;
  virtual std::optional<MailToken> FindMailToken(std::string_view token_hash) = 0;
  virtual void MarkMailTokenUsed(std::string_view token_hash, TimeMs at) = 0;
  // Tokens of the address for `purpose` not used and not expired at `now`.
  virtual std::int64_t CountOpenMailTokens(std::string_view email, std::string_view purpose,
                                           TimeMs now) = 0;
  // Deletes tokens that expired before `now`; returns how many.
  virtual std::int64_t PruneMailTokens(TimeMs now) = 0;
};

// Notifications (a comment one recipient is to be told about) and the
// outbox of whole messages.
class MailStore {
 public:
  virtual ~MailStore() = default;
  // Queues a notification of the comment for every confirmed thread
  // subscriber of the page that was confirmed at or before `confirmed_by`
  // (the comment's time: a later subscriber is not told of earlier comments),
  // except the address `except_email` and the member `except_user`, and any
  // recipient that already has one for this comment (not counting moderation
  // notices). Returns how many were queued.
  virtual std::int64_t QueueThreadNotifications(PageId page, CommentId comment,
                                                std::string_view except_email,
                                                std::optional<std::int64_t> except_user,
                                                TimeMs confirmed_by, TimeMs now) = 0;
  // Queues one notification; false when the recipient already has one for
  // this comment (for the same purpose: moderation notices count apart).
  virtual bool QueueNotification(const Notification& n) = 0;
  // Notifications not yet put in a message, oldest first.
  virtual std::vector<Notification> ListUncomposedNotifications(int limit) = 0;
  // Records that the message `mail_id` carries these notifications.
  virtual void AssignNotifications(const std::vector<std::int64_t>& ids, std::int64_t mail_id) = 0;
  // Forgets notifications that will never be sent (their comment went).
  virtual void DropNotifications(const std::vector<std::int64_t>& ids) = 0;
  // When the newest notification message of this subscription about this
  // page was composed, if any.
  virtual std::optional<TimeMs> LastMailTime(std::int64_t subscription_id, PageId page) = 0;
  // Messages of `kind` to the address composed at or after `since`.
  virtual std::int64_t CountMailsSince(std::string_view email, std::string_view kind,
                                       TimeMs since) = 0;

  // Adds a message to the outbox; `m.id` is ignored. Returns the new id.
  virtual std::int64_t InsertMail(const OutboxMail& m) = 0;
  // Fills in the message id and text of a message added without them.
  virtual void SetMailText(std::int64_t id, std::string_view message_id,
                           std::string_view message) = 0;
  virtual std::optional<OutboxMail> FindMail(std::int64_t id) = 0;
  // Unsent messages due at `now`, oldest first.
  virtual std::vector<OutboxMail> ListDueMail(TimeMs now, int limit) = 0;
  // The earliest next_attempt_at of an unsent message, if any.
  virtual std::optional<TimeMs> NextMailDue() = 0;
  // The server took it: sent, and its text is dropped.
  virtual void MarkMailSent(std::int64_t id, TimeMs at) = 0;
  // A failed attempt: tried again at `next_attempt_at`, or given up when
  // `give_up` (failed_at = `at`).
  virtual void MarkMailAttempt(std::int64_t id, std::string_view error, TimeMs next_attempt_at,
                               bool give_up, TimeMs at) = 0;
  // Messages by state, for /metrics and the tests: waiting, sent, failed.
  struct OutboxCounts {
    std::int64_t waiting = 0;
    std::int64_t sent = 0;
    std::int64_t failed = 0;
  };
  virtual OutboxCounts CountOutbox() = 0;
  // Deletes messages sent or given up before `before`, and the notifications
  // they carried that were made before it; returns how many rows went.
  virtual std::int64_t PruneMail(TimeMs before) = 0;
};

// One voter's vote as stored (TransferStore: export and lossless import).
struct StoredVote {
  CommentId comment_id = 0;
  std::string voter_hash;
  int value = 0;  // -1 or 1
  std::string network_hash;
};

// Import and export (src/transfer): the map from a source's items to what
// they became, and rows written back exactly as an export holds them. The
// Restore* calls write every column given, ids included, and change nothing
// else (no chain head, no vote totals); each returns false, writing nothing,
// when its id (or unique key) is taken.
class TransferStore {
 public:
  virtual ~TransferStore() = default;
  // What the source's item became (a comment or page id), or nullopt.
  virtual std::optional<std::int64_t> FindImported(std::string_view source,
                                                   std::string_view source_id) = 0;
  // Remembers what the source's item became and returns true; a second call
  // for the same item changes nothing and returns false (FindImported then
  // says what it became).
  virtual bool RememberImported(std::string_view source, std::string_view source_id,
                                std::int64_t target_id) = 0;
  // Lets this session keep up to `mebibytes` of the database in memory (a
  // bulk import touches every index; the default cache is small).
  virtual void SetCacheSize(int mebibytes) = 0;
  // On: this session writes in bulk (an import). SQLite: its commits no
  // longer wait for the disk (synchronous=NORMAL; the WAL keeps each commit
  // atomic, and a power cut can lose only the last commits) and the WAL is
  // checkpointed less often. Off: back to the default, and everything this
  // session committed is on disk when the call returns. PostgreSQL: nothing
  // (each commit is durable). Outside a transaction only.
  virtual void SetBulkWrites(bool on) = 0;
  // True when the database holds no page, comment, account, ban or audit entry.
  virtual bool IsEmpty() = 0;
  virtual bool RestorePage(const Page& p) = 0;
  virtual bool RestoreComment(const Comment& c) = 0;
  virtual bool RestoreLink(PageId page, const ChainLink& l) = 0;
  virtual bool RestoreVote(const StoredVote& v) = 0;
  virtual bool RestoreUser(const User& u) = 0;
  virtual bool RestoreBan(const Ban& b) = 0;
  // Subscriptions with id > after_id, by id, at most `limit`; and one put
  // back with its id (false when that id or its address/kind/page exists).
  virtual std::vector<Subscription> ListSubscriptions(std::int64_t after_id, int limit) = 0;
  virtual bool RestoreSubscription(const Subscription& s) = 0;
  virtual bool RestoreAudit(const AuditEntry& e) = 0;
  // The votes on the page's comments, by comment id then voter.
  virtual std::vector<StoredVote> ListPageVotes(PageId page) = 0;
  // Pages whose key or url starts with `prefix`, by id, after `after_id`, at most `limit`.
  virtual std::vector<Page> ListPagesWithPrefix(std::string_view prefix, PageId after_id,
                                                int limit) = 0;
  // Gives the page a new key and url and rewrites its chain: `links` are the
  // page's links in order with new prev_hash and hash (same seq, comment, n);
  // each comment's hash becomes its last link's, the page's head the last
  // hash. REQUIRES: no page has the key `key`.
  virtual void RekeyPage(PageId page, std::string_view key, const std::optional<std::string>& url,
                         const std::vector<ChainLink>& links) = 0;
};

class StoreSession : public TransactionStore,
                     public PageStore,
                     public CommentStore,
                     public ChainStore,
                     public AccountStore,
                     public ModerationStore,
                     public SettingsStore,
                     public EventStore,
                     public SubscriptionStore,
                     public MailStore,
                     public TransferStore {
 public:
  ~StoreSession() override = default;
  // True when the database answers a trivial query.
  virtual bool Ping() = 0;
};

// Waits for events appended by other processes on the same database
// (PostgreSQL: NOTIFY on the channel amur_events), on a connection of its own.
// Used by one thread at a time.
class EventListener {
 public:
  virtual ~EventListener() = default;
  // Returns true as soon as a notification arrived since the last call (or
  // the connection was lost and made again, when one may have been missed),
  // false when `timeout` passed without one. Never throws: a database that
  // is down is retried on the next call.
  virtual bool Wait(std::chrono::milliseconds timeout) = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  // Brings the schema to the newest version. Idempotent.
  virtual void Migrate() = 0;
  // A new session (connection). Throws StoreError when the database cannot be opened.
  virtual std::unique_ptr<StoreSession> OpenSession() = 0;
  // A short name for logs and metrics: "sqlite", "postgresql".
  virtual std::string Backend() const = 0;
  // A listener for other processes' events, or nullptr when the backend has
  // none (SQLite: the server polls the log for them). Throws StoreError when the
  // database cannot be reached.
  virtual std::unique_ptr<EventListener> ListenForEvents() { return nullptr; }
};

// Opens the store named by a URL: "sqlite:PATH" (the folder is created) or
// "postgresql://…" / "postgres://…" (a libpq connection URI, passed as is).
// Throws StoreError with a clear message otherwise.
std::unique_ptr<Store> OpenStore(const std::string& url);

// RAII: a write transaction rolled back unless committed.
class WriteTransaction final {
 public:
  explicit WriteTransaction(StoreSession& s) : s_(s) { s_.BeginWrite(); }
  ~WriteTransaction() {
    if (!done_) {
      try {
        s_.Rollback();
      } catch (...) {
      }
    }
  }
  void Commit() {
    s_.Commit();
    done_ = true;
  }
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;

 private:
  StoreSession& s_;
  bool done_ = false;
};

}  // namespace amur::store
