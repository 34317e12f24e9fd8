#include "service/moderation_service.hpp"

#include <algorithm>
#include <charconv>

#include "service/events.hpp"

#include "core/network_key.hpp"
#include "core/random.hpp"
#include "core/text.hpp"
#include "service/account_service.hpp"
#include "service/comment_service.hpp"
#include "service/hash_chain.hpp"

namespace amur::service {

namespace {

std::optional<std::int64_t> ParseCursor(const std::string& cursor) {
  if (cursor.empty()) return std::int64_t{0};
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(cursor.data(), cursor.data() + cursor.size(), v);
  if (ec != std::errc() || p != cursor.data() + cursor.size() || v <= 0) return std::nullopt;
  return v;
}

const char* QueueName(Queue q) {
  switch (q) {
    case Queue::kPending: return "pending";
    case Queue::kReported: return "reported";
    case Queue::kRejected: return "rejected";
    case Queue::kSpam: return "spam";
    case Queue::kFlagged:
      return "flagged";
  }
  return "pending";
}

const char* ActionOf(CommentState state) {
  switch (state) {
    case CommentState::kApproved: return "approve";
    case CommentState::kRejected: return "reject";
    case CommentState::kSpam: return "spam";
    case CommentState::kPending: return "hide";
    case CommentState::kDeleted:
    case CommentState::kRemoved: return "delete";
  }
  return "approve";
}

// "Already rejected by Mia Mod." and the like: what the moderator is told
// when the comment moved on since they saw it.
std::string ConflictMessage(const Comment& c, const std::optional<DecisionRecord>& d,
                            bool queue_failed, Queue queue) {
  if (queue_failed && queue == Queue::kReported && c.state == CommentState::kApproved) {
    return "Its reports were already dismissed; it is no longer in the reported queue.";
  }
  if (d && d->action == ActionOf(c.state)) {
    if (d->action == "hide") return "Hidden by reader reports since.";
    const char* done = d->action == "approve"  ? "approved"
                       : d->action == "reject" ? "rejected"
                                               : "marked as spam";
    return std::string("Already ") + done + " by " + d->by + ".";
  }
  if (queue_failed) {
    return std::string("No longer in the ") + QueueName(queue) + " queue: it is " +
           CommentStateName(c.state) + " now.";
  }
  return std::string("This comment is ") + CommentStateName(c.state) + " now.";
}

Error BadCursor() {
  return MakeError(ErrorCode::kInvalidField, "The cursor is not valid for this query.", "cursor");
}

}  // namespace

std::optional<Queue> ParseQueue(std::string_view s) {
  if (s == "pending") return Queue::kPending;
  if (s == "reported") return Queue::kReported;
  if (s == "rejected") return Queue::kRejected;
  if (s == "spam") return Queue::kSpam;
  if (s == "flagged") return Queue::kFlagged;
  return std::nullopt;
}

std::optional<Decision> ParseDecision(std::string_view s) {
  if (s == "approve") return Decision::kApprove;
  if (s == "reject") return Decision::kReject;
  if (s == "spam") return Decision::kSpam;
  return std::nullopt;
}

bool InQueue(const Comment& c, Queue queue, int min_reports) {
  switch (queue) {
    case Queue::kPending: return c.state == CommentState::kPending;
    case Queue::kReported:
      return c.state == CommentState::kApproved && c.report_networks >= min_reports;
    case Queue::kRejected: return c.state == CommentState::kRejected;
    case Queue::kSpam: return c.state == CommentState::kSpam;
    case Queue::kFlagged:
      return c.state == CommentState::kApproved && c.flagged;
  }
  return false;
}

std::optional<DecisionRecord> LastDecision(store::StoreSession& s, const Comment& c) {
  const std::vector<ChainLink> links = s.ListCommentLinks(c.id);  // oldest first
  for (std::size_t i = links.size(); i-- > 1;) {
    if (links[i].state != links[i - 1].state) {
      return DecisionRecord{ActionOf(links[i].state), links[i].editor.value_or(""), links[i].at};
    }
  }
  return std::nullopt;
}

std::string EmailHash(const std::string& email) {
  std::string e(TrimUnicodeSpace(email));
  std::transform(e.begin(), e.end(), e.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return e.empty() ? std::string() : Sha256Hex("amur-email:" + e);
}

std::string ComputeAuditHash(const AuditEntry& e) {
  std::string out = "amur-audit-v1\n";
  AppendLengthPrefixed(out, FormatRfc3339Ms(e.at));
  AppendLengthPrefixed(out, e.actor);
  AppendLengthPrefixed(out, e.action);
  if (e.comment_id) {
    AppendLengthPrefixed(out, FormatCommentId(*e.comment_id));
  } else {
    out += "-\n";
  }
  AppendLengthPrefixed(out, e.reason);
  AppendLengthPrefixed(out, e.prev_hash);
  return Sha256Hex(out);
}

store::QueueCounts ModerationService::CountQueues(store::StoreSession& s) {
  return s.CountQueues(config_.reports_to_queue);
}

Result<PagesPage> ModerationService::ListPages(store::StoreSession& s, int limit,
                                               const std::string& cursor) {
  std::optional<store::PageActivityCursor> after;
  if (!cursor.empty()) {
    // "<active_at>.<id>" of the last page shown.
    const auto dot = cursor.find('.');
    if (dot == std::string::npos) return BadCursor();
    store::PageActivityCursor c;
    const char* end = cursor.data() + dot;
    auto [p1, e1] = std::from_chars(cursor.data(), end, c.active_at);
    if (e1 != std::errc() || p1 != end || c.active_at < 0) return BadCursor();
    auto id = ParseCursor(cursor.substr(dot + 1));
    if (!id || *id == 0) return BadCursor();
    c.id = *id;
    after = c;
  }
  auto pages = s.ListPagesByActivity(after, limit + 1);
  PagesPage out;
  if (static_cast<int>(pages.size()) > limit) {
    pages.resize(static_cast<std::size_t>(limit));
    out.next_cursor = std::to_string(pages.back().active_at) + "." + std::to_string(pages.back().id);
  }
  for (auto& p : pages) {
    PageSummary summary;
    summary.counts = s.CountPageComments(p.id);
    summary.page = std::move(p);
    out.pages.push_back(std::move(summary));
  }
  return out;
}

Result<PageSummary> ModerationService::FindPage(store::StoreSession& s, const std::string& key) {
  auto page = s.FindPage(key);
  if (!page) return MakeError(ErrorCode::kNotFound, "No such page.", "page");
  PageSummary out;
  out.counts = s.CountPageComments(page->id);
  out.page = std::move(*page);
  return out;
}

Result<QueuePage> ModerationService::ListQueue(store::StoreSession& s, Queue queue, int limit,
                                               const std::string& cursor) {
  auto before = ParseCursor(cursor);
  if (!before) return BadCursor();
  std::vector<Comment> rows;
  switch (queue) {
    case Queue::kPending:
      rows = s.ListQueue({CommentState::kPending, false, 0, *before, limit + 1, false});
      break;
    case Queue::kReported:
      rows = s.ListQueue({std::nullopt, true, config_.reports_to_queue, *before, limit + 1, false});
      break;
    case Queue::kRejected:
      rows = s.ListQueue({CommentState::kRejected, false, 0, *before, limit + 1, false});
      break;
    case Queue::kSpam:
      rows = s.ListQueue({CommentState::kSpam, false, 0, *before, limit + 1, false});
      break;
    case Queue::kFlagged:
      rows = s.ListQueue({CommentState::kApproved, false, 0, *before, limit + 1, true});
      break;
  }
  QueuePage out;
  if (static_cast<int>(rows.size()) > limit) {
    rows.resize(static_cast<std::size_t>(limit));
    out.next_cursor = std::to_string(rows.back().id);
  }
  for (auto& c : rows) {
    auto page = s.FindPageById(c.page_id);
    QueueItem item;
    item.page_key = page ? page->key : std::string();
    for (auto& h : s.ListByAuthor(c.client_address, c.author_user_id, 6)) {
      if (h.id != c.id && item.author_history.size() < 5) item.author_history.push_back(std::move(h));
    }
    item.decided = LastDecision(s, c);
    item.comment = std::move(c);
    out.items.push_back(std::move(item));
  }
  return out;
}

AuditEntry ModerationService::Audit(store::StoreSession& s, const std::string& actor,
                                    const std::string& action, std::optional<CommentId> comment_id,
                                    const std::string& reason) {
  return AppendAudit(s, clock_.NowMs(), actor, action, comment_id, reason);
}

AuditEntry AppendAudit(store::ModerationStore& s, TimeMs at, const std::string& actor,
                       const std::string& action, std::optional<CommentId> comment_id,
                       const std::string& reason) {
  AuditEntry e;
  e.at = at;
  e.actor = actor;
  e.action = action;
  e.comment_id = comment_id;
  e.reason = reason;
  e.prev_hash = s.AuditHead();
  e.hash = ComputeAuditHash(e);
  e.seq = s.AppendAudit(e);
  return e;
}

Result<DecisionOutcome> ModerationService::Decide(store::StoreSession& s, CommentId id, Decision d,
                                                  const std::string& reason, const User& actor,
                                                  const DecisionPrecondition& pre) {
  if (!IsValidUtf8(reason) || CountCodePoints(reason) > 500) {
    return MakeError(ErrorCode::kInvalidField, "The reason holds at most 500 characters.", "reason");
  }
  if (auto still = RecheckActor(s, actor, Role::kModerator); !still) return still.error();
  auto c = s.FindComment(id);
  if (!c || c->state == CommentState::kDeleted || c->state == CommentState::kRemoved) {
    return MakeError(ErrorCode::kNotFound, "No such comment.");
  }
  const bool state_failed = pre.expected_state && c->state != *pre.expected_state;
  const bool queue_failed = pre.queue && !InQueue(*c, *pre.queue, config_.reports_to_queue);
  if (state_failed || queue_failed) {
    return MakeError(ErrorCode::kConflict,
                     ConflictMessage(*c, LastDecision(s, *c), queue_failed,
                                     pre.queue.value_or(Queue::kPending)),
                     state_failed ? "expected_state" : "queue");
  }
  auto page = s.FindPageById(c->page_id);
  if (!page) return MakeError(ErrorCode::kInternal, "The comment's page is missing.");
  const CommentState target = d == Decision::kApprove  ? CommentState::kApproved
                              : d == Decision::kReject ? CommentState::kRejected
                                                       : CommentState::kSpam;
  if (c->state == target && (d != Decision::kApprove || (c->report_count == 0 && !c->flagged))) {
    // The same decision stands already: no link, no audit entry, no example.
    std::optional<DecisionRecord> decided = LastDecision(s, *c);
    return DecisionOutcome{std::move(*c), page->key, false, std::move(decided)};
  }
  const char* action = d == Decision::kApprove ? "approve" : d == Decision::kReject ? "reject" : "spam";
  const TimeMs now = clock_.NowMs();
  const bool was_shown = c->state == CommentState::kApproved;
  const bool changes = c->state != target;
  if (changes) {
    const bool leaves = c->state == CommentState::kPending || c->state == CommentState::kApproved;
    c->state = target;
    RecordVersion(s, page->id, *c, now, actor.name);
    s.UpdateComment(*c);
    // A tombstone kept only for this reply goes with it (as on deletion).
    if (leaves && target != CommentState::kApproved) {
      RemoveBareTombstones(s, page->id, c->parent_id, now);
    }
    // Its parent may have been deleted (and, with no live reply, removed)
    // since: bring the tombstones back so the approved reply is shown.
    if (target == CommentState::kApproved) RestoreTombstones(s, page->id, c->parent_id, now);
  }
  // Any decision clears the flag: approving keeps the comment as it is.
  const bool flag_cleared = c->flagged;
  c->flagged = false;
  s.SetModeration({c->id, c->state, c->moderation_reasons, c->moderation_score, false});
  if (d == Decision::kApprove) {
    s.ClearReports(c->id);
    c->report_count = 0;
    c->report_networks = 0;
  }
  Audit(s, actor.name, action, c->id, reason);
  const std::string who = UserActor(actor.id);
  const char* type = d == Decision::kApprove  ? event_type::kCommentApproved
                     : d == Decision::kReject ? event_type::kCommentRejected
                                              : event_type::kCommentSpam;
  EventDraft decided_event = CommentEvent(type, *c, page->key, who);
  if (!changes) {
    // Approving a comment that was shown already only clears its reports.
    decided_event.visibility = EventVisibility::kStaff;
    decided_event.data["reports_cleared"] = true;
    if (flag_cleared) decided_event.data["flag_cleared"] = true;
  }
  if (!reason.empty() && decided_event.visibility == EventVisibility::kStaff) {
    decided_event.data["reason"] = reason;
  }
  RecordEvent(s, now, decided_event);
  if (was_shown && target != CommentState::kApproved) {
    RecordEvent(s, now, HiddenEvent(*c, page->key, who));
  }
  std::optional<DecisionRecord> decided = LastDecision(s, *c);
  return DecisionOutcome{std::move(*c), page->key, true, std::move(decided)};
}

Result<QueueItem> ModerationService::View(store::StoreSession& s, CommentId id) {
  auto c = s.FindComment(id);
  if (!c || c->state == CommentState::kDeleted || c->state == CommentState::kRemoved) {
    return MakeError(ErrorCode::kNotFound, "No such comment.");
  }
  auto page = s.FindPageById(c->page_id);
  QueueItem item;
  item.page_key = page ? page->key : std::string();
  item.decided = LastDecision(s, *c);
  item.comment = std::move(*c);
  return item;
}

std::vector<QueueStatus> ModerationService::StatusIn(store::StoreSession& s, Queue queue,
                                                     const std::vector<CommentId>& ids) {
  std::vector<QueueStatus> out;
  out.reserve(ids.size());
  for (CommentId id : ids) {
    QueueStatus st;
    st.id = id;
    st.comment = s.FindComment(id);
    if (st.comment) {
      st.in_queue = InQueue(*st.comment, queue, config_.reports_to_queue);
      // Only a comment that left the queue needs its history read.
      if (!st.in_queue) st.decided = LastDecision(s, *st.comment);
    }
    out.push_back(std::move(st));
  }
  return out;
}

Result<Ban> ModerationService::BanAuthor(store::StoreSession& s, CommentId id,
                                         std::optional<int> days, const std::string& reason,
                                         const User& actor) {
  if (days && (*days < 1 || *days > 3650)) {
    return MakeError(ErrorCode::kInvalidField, "days must be from 1 to 3650.", "days");
  }
  if (!IsValidUtf8(reason) || CountCodePoints(reason) > 500) {
    return MakeError(ErrorCode::kInvalidField, "The reason holds at most 500 characters.", "reason");
  }
  if (auto still = RecheckActor(s, actor, Role::kModerator); !still) return still.error();
  auto c = s.FindComment(id);
  if (!c) return MakeError(ErrorCode::kNotFound, "No such comment.");
  if (c->author_user_id) {
    auto author = s.FindUserById(*c->author_user_id);
    if (author && author->CanModerate()) {
      return MakeError(ErrorCode::kNotAllowed,
                       "The author is a moderator or admin; staff accounts cannot be banned "
                       "(an admin can demote or disable the account).");
    }
  }
  Ban b;
  // The author's network: the address for IPv4, the /64 for IPv6.
  b.client_address = NetworkKey(c->client_address);
  b.email_hash = c->author_email ? EmailHash(*c->author_email) : std::string();
  b.user_id = c->author_user_id;
  if (b.client_address.empty() && b.email_hash.empty() && !b.user_id) {
    return MakeError(ErrorCode::kInvalidField,
                     "Nothing to ban: the comment has no address, email or account (imported?).",
                     "comment_id");
  }
  b.reason = reason;
  b.created_by = actor.name;
  b.created_at = clock_.NowMs();
  b.comment_id = c->id;
  if (days) b.expires_at = b.created_at + static_cast<TimeMs>(*days) * 86'400'000;
  b.id = s.InsertBan(b);
  Audit(s, actor.name, "ban", c->id, reason);
  EventDraft banned;
  banned.type = event_type::kBanCreated;
  banned.comment_id = c->id;
  if (auto page = s.FindPageById(c->page_id)) banned.page_key = page->key;
  banned.actor = UserActor(actor.id);
  banned.visibility = EventVisibility::kStaff;
  banned.data["ban"] = BanEventJson(b);
  RecordEvent(s, b.created_at, banned);
  return b;
}

std::optional<Ban> ModerationService::ActiveBan(store::StoreSession& s,
                                                const std::string& client_address,
                                                const std::optional<std::string>& email,
                                                std::optional<std::int64_t> user_id) {
  return FindBan(s, client_address, email ? EmailHash(*email) : std::string(), user_id,
                 clock_.NowMs());
}

namespace {
// How many of a reporter's newest comments are looked at for an approved one.
constexpr int kTrustLookback = 20;
}  // namespace

Result<std::optional<std::string>> ModerationService::Report(store::StoreSession& s, CommentId id,
                                                             const std::string& reporter_hash,
                                                             const std::string& network_hash,
                                                             const std::string& reason,
                                                             const std::string& note,
                                                             const ReporterIdentity& who) {
  if (reason != "spam" && reason != "abuse" && reason != "off_topic" && reason != "other") {
    return MakeError(ErrorCode::kInvalidField, "reason must be spam, abuse, off_topic or other.",
                     "reason");
  }
  if (!IsValidUtf8(note) || CountCodePoints(note) > 1000) {
    return MakeError(ErrorCode::kTooLong, "The note holds at most 1,000 characters.", "note");
  }
  auto c = s.FindComment(id);
  if (!c || c->state != CommentState::kApproved) {
    return MakeError(ErrorCode::kNotFound, "No such comment.");
  }
  const TimeMs now = clock_.NowMs();
  if (!s.AddReport({id, reporter_hash, network_hash, reason, note, now})) {
    return std::optional<std::string>();  // this reader reported it already
  }
  const std::int64_t reports = c->report_count + 1;
  auto page = s.FindPageById(c->page_id);
  const std::string page_key = page ? page->key : std::string();
  EventDraft reported;
  reported.type = event_type::kCommentReported;
  reported.page_key = page_key;
  reported.comment_id = c->id;
  reported.actor = kGuestActor;
  reported.visibility = EventVisibility::kStaff;
  boost::json::object ref;
  ref["id"] = FormatCommentId(c->id);
  ref["page"] = page_key;
  reported.data["comment"] = std::move(ref);
  reported.data["reason"] = reason;
  reported.data["reports"] = reports;
  // Reader ids are free to mint; networks are not.
  if (config_.reports_to_hide > 0 && reports >= config_.reports_to_hide &&
      s.CountReportNetworks(id) >= config_.reports_to_hide) {
    reported.data["hidden"] = true;
    RecordEvent(s, now, reported);
    std::vector<std::string> reasons = c->moderation_reasons;
    if (std::find(reasons.begin(), reasons.end(), "reports") == reasons.end()) {
      reasons.push_back("reports");
    }
    c->state = CommentState::kPending;
    RecordVersion(s, c->page_id, *c, clock_.NowMs(), std::string("reports"));
    s.UpdateComment(*c);
    s.SetModeration({c->id, CommentState::kPending, reasons, c->moderation_score, false});
    Audit(s, "readers", "hide", c->id, std::to_string(reports) + " reports");
    RecordEvent(s, now, HiddenEvent(*c, page_key, kReportsActor));
    return std::optional<std::string>(page_key);
  }
  reported.data["hidden"] = false;
  // One report from a reader whose own comments were approved before is
  // enough to put the comment before a moderator (the flagged queue).
  if (!c->flagged && (!who.client_address.empty() || who.user_id)) {
    // The strongest identity decides: a signed-in reader by the account's
    // comments (wherever they were written from), a guest by the address.
    bool trusted = false;
    const std::string address = who.user_id ? std::string() : who.client_address;
    for (const Comment& mine : s.ListByAuthor(address, who.user_id, kTrustLookback)) {
      const bool theirs = who.user_id ? mine.author_user_id == who.user_id
                                      : !address.empty() && mine.client_address == address;
      if (theirs && mine.id != c->id && mine.state == CommentState::kApproved && !mine.flagged) {
        trusted = true;
        break;
      }
    }
    if (trusted) {
      std::vector<std::string> reasons = c->moderation_reasons;
      if (std::find(reasons.begin(), reasons.end(), "trusted_report") == reasons.end()) {
        reasons.push_back("trusted_report");
      }
      s.SetModeration({c->id, c->state, reasons, c->moderation_score, true});
      reported.data["flagged"] = true;
    }
  }
  RecordEvent(s, now, reported);
  return std::optional<std::string>();
}

Result<Page> ModerationService::UpdatePage(store::StoreSession& s, const std::string& page_key,
                                           const PageUpdate& update, const User& actor) {
  const std::optional<bool>& closed = update.closed;
  const std::optional<bool>& premoderate = update.premoderate;
  std::optional<std::string> title, url;
  if (update.title) {
    auto t = ValidatePageTitle(*update.title, "title");
    if (!t) return t.error();
    title = std::move(*t);
  }
  if (update.url) {
    auto u = ValidatePageUrl(*update.url, "url");
    if (!u) return u.error();
    url = std::move(*u);
  }
  if (auto still = RecheckActor(s, actor, Role::kModerator); !still) return still.error();
  const auto before = s.FindPage(page_key);
  if (!before) return MakeError(ErrorCode::kNotFound, "No such page.", "page");
  if (update.title || update.url) {
    const std::optional<std::string> new_title = update.title ? title : before->title;
    const std::optional<std::string> new_url = update.url ? url : before->url;
    if (new_title != before->title || new_url != before->url) {
      s.SetPageDetails(page_key, new_title, new_url);
      Audit(s, actor.name, "edit_page", std::nullopt, page_key);
    }
  }
  if (closed) {
    s.SetPageClosed(page_key, *closed);
    Audit(s, actor.name, *closed ? "close_page" : "open_page", std::nullopt, page_key);
  }
  if (premoderate) {
    s.SetPagePremoderate(page_key, *premoderate);
    Audit(s, actor.name, *premoderate ? "premoderate_page" : "unpremoderate_page", std::nullopt,
          page_key);
  }
  Page after = *s.FindPage(page_key);
  const TimeMs now = clock_.NowMs();
  if (after.closed != before->closed) {
    RecordEvent(s, now,
                PageEvent(after.closed ? event_type::kPageClosed : event_type::kPageReopened, after,
                          UserActor(actor.id), EventVisibility::kPublic));
  }
  if (after.premoderate != before->premoderate) {
    RecordEvent(s, now,
                PageEvent(event_type::kPageModerationChanged, after, UserActor(actor.id),
                          EventVisibility::kStaff));
  }
  if (after.title != before->title || after.url != before->url) {
    RecordEvent(
        s, now,
        PageEvent(event_type::kPageChanged, after, UserActor(actor.id), EventVisibility::kPublic));
  }
  return after;
}

Result<DecisionOutcome> ModerationService::Pin(store::StoreSession& s, CommentId id, bool pinned,
                                               const User& actor) {
  if (auto still = RecheckActor(s, actor, Role::kModerator); !still) return still.error();
  auto c = s.FindComment(id);
  if (!c || c->state != CommentState::kApproved) {
    return MakeError(ErrorCode::kNotFound, "No such comment.");
  }
  if (c->parent_id) {
    return MakeError(ErrorCode::kInvalidField, "Only top-level comments can be pinned.", "pinned");
  }
  auto page = s.FindPageById(c->page_id);
  if (!page) return MakeError(ErrorCode::kInternal, "The comment's page is missing.");
  s.SetPinned(id, pinned);
  const bool changed = c->pinned != pinned;
  c->pinned = pinned;
  Audit(s, actor.name, pinned ? "pin" : "unpin", id, "");
  if (changed) {
    RecordEvent(s, clock_.NowMs(),
                CommentEvent(pinned ? event_type::kCommentPinned : event_type::kCommentUnpinned, *c,
                             page->key, UserActor(actor.id)));
  }
  return DecisionOutcome{std::move(*c), page->key, true, std::nullopt};
}

Result<BansPage> ModerationService::ListBans(store::StoreSession& s, bool active_only, int limit,
                                             const std::string& cursor) {
  auto before = ParseCursor(cursor);
  if (!before) return BadCursor();
  auto bans = s.ListBans({active_only, clock_.NowMs(), *before, limit + 1});
  BansPage out;
  if (static_cast<int>(bans.size()) > limit) {
    bans.resize(static_cast<std::size_t>(limit));
    out.next_cursor = std::to_string(bans.back().id);
  }
  for (auto& b : bans) {
    BanItem item;
    std::optional<Comment> c;
    if (b.comment_id) c = s.FindComment(*b.comment_id);
    if (c) item.author_name = c->author_name;
    // A deleted comment has lost its author's name; a member's account keeps it.
    if (!item.author_name && b.user_id) {
      if (auto u = s.FindUserById(*b.user_id)) item.author_name = u->name;
    }
    if (!item.author_name && c) item.author_name = std::string("Guest");
    item.ban = std::move(b);
    out.bans.push_back(std::move(item));
  }
  return out;
}

Status ModerationService::LiftBan(store::StoreSession& s, std::int64_t ban_id, const User& actor) {
  if (auto still = RecheckActor(s, actor, Role::kModerator); !still) return still.error();
  if (!s.EndBan(ban_id, clock_.NowMs())) {
    return MakeError(ErrorCode::kNotFound, "No such ban in force.");
  }
  Audit(s, actor.name, "unban", std::nullopt, "b" + std::to_string(ban_id));
  EventDraft lifted;
  lifted.type = event_type::kBanLifted;
  lifted.actor = UserActor(actor.id);
  lifted.visibility = EventVisibility::kStaff;
  boost::json::object ban;
  ban["id"] = "b" + std::to_string(ban_id);
  lifted.data["ban"] = std::move(ban);
  RecordEvent(s, clock_.NowMs(), lifted);
  return Ok();
}

Result<AuditPage> ModerationService::ListAudit(store::StoreSession& s, int limit,
                                               const std::string& cursor) {
  auto before = ParseCursor(cursor);
  if (!before) return BadCursor();
  AuditPage out;
  out.entries = s.ListAudit(*before, limit + 1);
  if (static_cast<int>(out.entries.size()) > limit) {
    out.entries.resize(static_cast<std::size_t>(limit));
    out.next_cursor = std::to_string(out.entries.back().seq);
  }
  return out;
}

}  // namespace amur::service
