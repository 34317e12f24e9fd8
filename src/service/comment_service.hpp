// The comment engine's rules: posting, threading and the depth limit, the
// guest edit window, deletion with tombstones, votes, versions, counts and the
// hash chain. Synchronous: each call runs on a database thread inside a
// transaction the caller owns (see service/db_executor.hpp); a call that
// returns an error has written nothing the caller must keep (the caller
// rolls back to its savepoint).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/model.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "service/hash_chain.hpp"
#include "service/screener.hpp"
#include "service/verified_chains.hpp"
#include "store/store.hpp"

namespace amur::service {

struct ServiceConfig {
  int max_depth = 5;                      // top-level comments are depth 1
  std::int64_t edit_window_ms = 900'000;  // guests may edit/delete this long
  bool premoderate = false;               // hold every new comment as pending
  int trust_after = 0;  // hold an author's comments until this many were approved; 0 = off
  // Voters from one network (NetworkKey: the IPv4 address, the IPv6 /64) that
  // may vote on one comment; voter ids cost nothing to make up. 0 = no limit.
  int votes_per_network = 5;
};

// Limits of the public contract (API.md).
inline constexpr std::size_t kMaxBodyChars = 10'000;
inline constexpr std::size_t kMaxNameChars = 64;
inline constexpr std::size_t kMaxPageKeyBytes = 512;
inline constexpr std::size_t kMaxEmailBytes = 254;
inline constexpr std::size_t kMaxTitleChars = 300;
inline constexpr std::size_t kMaxUrlBytes = 2048;
inline constexpr std::size_t kMaxQuoteChars = 1'000;
inline constexpr std::size_t kMaxQuoteContextChars = 64;
inline constexpr std::int64_t kMaxPositionOffset = 100'000'000;
inline constexpr int kMaxLimit = 200;
inline constexpr int kDefaultLimit = 50;
inline constexpr std::size_t kMaxCountPages = 100;

// A new comment as the client sent it; fields are already type-checked but
// not yet trimmed or length-checked.
struct PostRequest {
  std::string page_key;
  std::optional<std::string> page_title;
  std::optional<std::string> page_url;
  // False when the request came from no site allowed to embed Amur: the
  // title and URL are still checked, but not stored (issue 12, finding 7).
  bool page_details_trusted = true;
  std::optional<std::string> parent_id;  // "c7" form, as sent
  std::optional<std::string> author_name;
  std::optional<std::string> author_email;
  std::string body;
  std::optional<Quote> quote;
  std::optional<TextPosition> position;  // only with a quote
  std::string client_address;
  std::optional<User> member;  // a signed-in author: name and role come from the account
};

// A new comment after the checks that need no database and after screening
// (CommentService::PreparePost); StorePost applies it.
struct PreparedPost {
  PostRequest req;
  std::string body;  // as stored (NormalizeBody)
  std::string body_html;
  std::optional<std::string> author_name;  // the member's name for members
  std::optional<std::string> author_email;  // the member's email for members
  std::optional<std::string> page_title;
  std::optional<std::string> page_url;
  std::optional<Quote> quote;
  std::optional<TextPosition> position;
  std::optional<Screening> screening;  // nullopt without a screener
};

struct PostOutcome {
  Comment comment;
  std::string page_key;
  std::string edit_token;  // the secret, shown once; only its hash is stored
  // For CommentService::Remember once the comment is durable.
  std::shared_ptr<const ScreeningMemo> screening_memo = nullptr;
};

// Who asks to change a comment.
struct Credential {
  std::optional<std::string> bearer_token = std::nullopt;  // a guest's edit token
  std::optional<User> user = std::nullopt;  // a signed-in member or moderator
};

// An edit after the read-only checks and screening (CommentService::PrepareEdit).
struct PreparedEdit {
  std::string body;  // as stored (NormalizeBody)
  std::string body_html;
  std::optional<Screening> screening;  // nullopt: not screened (moderator, no screener)
};

struct EditOutcome {
  Comment comment;
  std::string page_key;
};

// A version as the public sees it (CommentService::Versions).
struct PublicVersion {
  ChainLink link;
  bool redacted = false;  // the text is withheld; the hash stays
};

struct DeleteOutcome {
  std::string page_key;
};

// A vote as the client cast it (CommentService::Vote).
struct VoteRequest {
  CommentId id = 0;
  std::string voter_hash;    // the voter id, hashed
  std::string network_hash;  // the client's network, hashed
  int value = 0;             // -1, 0 (retract) or 1
};

struct VoteOutcome {
  std::int64_t upvotes = 0;
  std::int64_t downvotes = 0;
  int my_vote = 0;
  std::string page_key;
};

enum class SortOrder { kOldest, kNewest, kVotes };
std::optional<SortOrder> ParseSortOrder(std::string_view s);
const char* SortOrderName(SortOrder s);

struct ThreadQuery {
  std::string page_key;
  SortOrder sort = SortOrder::kOldest;
  int limit = kDefaultLimit;
  std::string cursor;  // empty for the first page
  bool inline_only = false;
};

struct ThreadNode {
  Comment comment;
  std::vector<ThreadNode> replies;  // oldest first
};

// The outcome of checking a page's chain, as a thread's first page shows it.
struct ChainStatus {
  bool verified = true;
  std::string head;
  std::int64_t length = 0;
};

struct ThreadPage {
  std::optional<Page> page;  // nullopt: no comment was ever posted on it
  std::optional<ChainStatus> chain;  // first page of a known page only
  std::int64_t comment_count = 0;
  std::vector<ThreadNode> comments;  // top-level, in the requested order
  std::optional<std::string> next_cursor;
};

struct PageVerification {
  bool verified = true;
  std::string head;
  std::int64_t length = 0;  // links in the chain
  std::vector<CommentId> failed_ids;
  std::vector<CommentId> erased_ids;
};

// What an erasure did: the page touched and whether its chain had to be
// rewritten from format 1 first (docs/integrity.md).
struct EraseOutcome {
  std::string page_key;
  bool rechained = false;
};

class CommentService final {
 public:
  // `screener` may be null (nothing is held unless config.premoderate).
  CommentService(ServiceConfig config, const Clock& clock, Random& random,
                 Screener* screener = nullptr);

  // Posts a comment, creating the page on its first comment. Errors:
  // missing_field, invalid_field, too_long (with the field), parent_not_found,
  // not_found (parent deleted), parent_on_other_page, page_closed,
  // not_allowed (the author is banned). A comment the screener holds is
  // stored as pending.
  //
  // Post is PreparePost + StorePost + Remember in one call (tests, tools).
  // The server splits it so that the CPU-heavy part runs off the single
  // writer thread: PreparePost (no database; validation, Markdown rendering,
  // screening) on a compute thread, StorePost inside the write job (the
  // checks that need the database: parent, bans, closed pages,
  // premoderation, trust_after; then the insert), and Remember after the
  // commit, so only stored comments enter the screener's near-duplicate
  // index.
  Result<PostOutcome> Post(store::StoreSession& s, const PostRequest& req);
  // The errors of Post that need no database. Thread-safe; any thread.
  Result<PreparedPost> PreparePost(const PostRequest& req) const;
  // The rest of Post, with the screener's verdict from `prepared`.
  Result<PostOutcome> StorePost(store::StoreSession& s, const PreparedPost& prepared);
  // Tells the screener that a comment it screened was stored.
  void Remember(const PostOutcome& stored);

  // Replaces a comment's body. Allowed: a moderator or admin on any comment;
  // a member on their own; a guest with the edit token inside the edit
  // window. Errors: not_found, unauthorized (no credential), not_allowed
  // (wrong credential), edit_window_closed, and the body errors of Post. An
  // edit the screener holds turns the comment pending.
  Result<EditOutcome> Edit(store::StoreSession& s, CommentId id, const Credential& who,
                           const std::string& body);
  // Edit in two steps, so the screening runs before the write job:
  // PrepareEdit reads (a reader thread will do) and screens; StoreEdit
  // checks the comment and the credential again and applies the verdict.
  Result<PreparedEdit> PrepareEdit(store::StoreSession& s, CommentId id, const Credential& who,
                                   const std::string& body) const;
  Result<EditOutcome> StoreEdit(store::StoreSession& s, CommentId id, const Credential& who,
                                const PreparedEdit& prepared);

  // Deletes: a comment with visible or held (pending) replies becomes a
  // tombstone, one without is removed, and a tombstone left without replies
  // is removed too. Errors as Edit.
  Result<DeleteOutcome> Delete(store::StoreSession& s, CommentId id, const Credential& who);

  // Records a vote (-1, 0, 1) on an approved comment. A voter new to the
  // comment is refused once votes_per_network voters from their network
  // have voted on it (changing or retracting a vote always works). Errors:
  // not_found, invalid_field, not_allowed (the network's share is used up).
  Result<VoteOutcome> Vote(store::StoreSession& s, const VoteRequest& v);

  // The comment's versions, oldest first. A version that was never public
  // (held, rejected, spam) or that a moderator's edit replaced (a staff
  // member changing someone else's comment: the redaction of, say, a home
  // address) is `redacted`: its hash is shown, its text is not. Errors:
  // not_found (unknown, deleted, not approved).
  Result<std::vector<PublicVersion>> Versions(store::StoreSession& s, CommentId id);

  // One page of a thread. The first one carries the chain's status: checked
  // in full the first time, then only the links written since the last check
  // that found it verified (see VerifiedChains). Errors: invalid_field (cursor).
  Result<ThreadPage> ListThread(store::StoreSession& s, const ThreadQuery& q);

  // Approved comments per page key.
  std::map<std::string, std::int64_t> Counts(store::StoreSession& s,
                                             const std::vector<std::string>& keys);

  // Walks the page's whole hash chain (an unknown page verifies, with a zero
  // head): every link and every comment row is read and checked, whatever
  // was verified before, so a change made behind the server's back is found.
  PageVerification VerifyPage(store::StoreSession& s, const std::string& page_key);

  // Makes the next check of the page's chain for its thread line a full one
  // (for what rewrites history elsewhere: amur remap, amur import).
  void ForgetVerifiedChain(std::string_view page_key) { verified_chains_.Forget(page_key); }

  // The page's chain head and length as stored (64 zeros and 0 for an
  // unknown page); nothing is recomputed.
  std::pair<std::string, std::int64_t> PageHead(store::StoreSession& s,
                                                const std::string& page_key);

  // Erases a comment's words (any state): a live or held comment is first
  // deleted as its author would delete it (a tombstone if it has replies),
  // then the author name, address, client address and Markdown leave the
  // comment and every earlier version; the chain keeps each version's
  // content hash, so the page still verifies. Audited as "erase" by `actor`.
  // A page whose chain still has format 1 links is rewritten as format 2
  // first, but only when it verifies (otherwise the erasure goes ahead and
  // the page stays failed). 404 for an unknown comment.
  Result<EraseOutcome> Erase(store::StoreSession& s, CommentId id, const std::string& actor);

  const ServiceConfig& config() const { return config_; }

 private:
  Status Authorize(const Comment& c, const Credential& who) const;
  // VerifyChain over the whole page; remembers the result's verified prefix,
  // or forgets the page when it failed.
  ChainReport CheckChainInFull(store::StoreSession& s, const Page& page);
  // The thread line's status: the links since the remembered verified prefix
  // when they extend it, else CheckChainInFull.
  ChainStatus ThreadChainStatus(store::StoreSession& s, const Page& page);

  ServiceConfig config_;
  const Clock& clock_;
  Random& random_;
  Screener* screener_;
  VerifiedChains verified_chains_;
};

// Writes a new version of `c` into its page's hash chain (at time `at`, by
// `editor`) and sets c.hash to it. The caller then stores `c`.
void RecordVersion(store::StoreSession& s, PageId page, Comment& c, TimeMs at,
                   const std::optional<std::string>& editor);

// A ban in force at `now` covering the client's network (NetworkKey: the
// IPv4 address, the IPv6 /64), the email hash or the account.
std::optional<Ban> FindBan(store::StoreSession& s, const std::string& client_address,
                           const std::string& email_hash, std::optional<std::int64_t> user_id,
                           TimeMs now);

// True when `id` has a reply that is shown (approved, or a tombstone) or held
// (pending, so it may be approved later): a deleted comment with such a
// reply becomes a tombstone, not removed.
bool HasLiveReplies(store::StoreSession& s, CommentId id);

// Climbs from `from` (a parent id) and removes each tombstone (deleted) left
// without live replies, recording a version of each; stops at the first
// comment that is not a bare tombstone. Run after a reply leaves the thread
// (deleted, rejected, marked spam).
void RemoveBareTombstones(store::StoreSession& s, PageId page, std::optional<CommentId> from,
                          TimeMs now);

// The inverse, run when a reply is approved: climbs from `from` and turns
// each removed ancestor back into a tombstone (deleted), recording a version
// of each, so the approved reply hangs under something readers see; stops at
// the first ancestor that is neither removed nor a tombstone.
void RestoreTombstones(store::StoreSession& s, PageId page, std::optional<CommentId> from,
                       TimeMs now);

// Checks a comment body and returns it as stored: control characters other
// than tab, CR and LF removed, then leading blank lines and trailing white
// space; the first line keeps its indentation (an indented code block at the
// start stays one). Errors: invalid_field when not UTF-8, missing_field when
// nothing but white space, too_long when more than kMaxBodyChars code points
// remain once white space at both ends is trimmed.
Result<std::string> NormalizeBody(const std::string& body);

// Validates a page key: 1–512 bytes of UTF-8, no control characters.
Status ValidatePageKey(const std::string& key, const char* field);

// A page title, trimmed: one line of UTF-8 up to kMaxTitleChars characters
// (nullopt when absent or blank). Errors name `field`.
Result<std::optional<std::string>> ValidatePageTitle(const std::optional<std::string>& title,
                                                     const char* field);

// A page URL: http(s), at most kMaxUrlBytes, no spaces or control characters
// (nullopt when absent or empty). Errors name `field`.
Result<std::optional<std::string>> ValidatePageUrl(const std::optional<std::string>& url,
                                                   const char* field);

}  // namespace amur::service
