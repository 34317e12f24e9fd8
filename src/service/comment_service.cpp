#include "service/comment_service.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "core/network_key.hpp"
#include "core/text.hpp"
#include "render/markdown.hpp"
#include "service/events.hpp"
#include "service/hash_chain.hpp"
#include "service/moderation_service.hpp"
#include "service/thread_cursor.hpp"

namespace amur::service {

namespace {

Error FieldError(ErrorCode code, const std::string& field, const std::string& message) {
  return MakeError(code, message, field);
}

// Trims an optional one-line text field and checks its length in code points.
Result<std::optional<std::string>> NormalizeLine(const std::optional<std::string>& value,
                                                 const char* field, std::size_t max_chars) {
  if (!value) return std::optional<std::string>();
  if (!IsValidUtf8(*value)) {
    return FieldError(ErrorCode::kInvalidField, field, std::string(field) + " is not valid UTF-8.");
  }
  std::string trimmed(TrimUnicodeSpace(*value));
  if (HasControlChars(trimmed)) {
    return FieldError(ErrorCode::kInvalidField, field,
                      std::string(field) + " must not contain control characters.");
  }
  if (CountCodePoints(trimmed) > max_chars) {
    return FieldError(ErrorCode::kTooLong, field,
                      std::string(field) + " is longer than " + std::to_string(max_chars) +
                          " characters.");
  }
  if (trimmed.empty()) return std::optional<std::string>();
  return std::optional<std::string>(std::move(trimmed));
}

bool LooksLikeEmail(const std::string& e) {
  const auto at = e.find('@');
  if (at == std::string::npos || at == 0 || at + 1 >= e.size()) return false;
  if (e.find('@', at + 1) != std::string::npos) return false;
  for (char ch : e) {
    if (static_cast<unsigned char>(ch) <= ' ' || ch == '<' || ch == '>' || ch == '"' || ch == ',') {
      return false;
    }
  }
  return e.find('.', at) != std::string::npos;
}

bool IsHttpUrl(const std::string& u) {
  return (u.rfind("http://", 0) == 0 || u.rfind("https://", 0) == 0) && u.size() > 8;
}

}  // namespace

std::optional<SortOrder> ParseSortOrder(std::string_view s) {
  if (s == "oldest") return SortOrder::kOldest;
  if (s == "newest") return SortOrder::kNewest;
  if (s == "votes") return SortOrder::kVotes;
  return std::nullopt;
}

const char* SortOrderName(SortOrder s) {
  switch (s) {
    case SortOrder::kOldest: return "oldest";
    case SortOrder::kNewest: return "newest";
    case SortOrder::kVotes: return "votes";
  }
  return "oldest";
}

Result<std::string> NormalizeBody(const std::string& body) {
  if (!IsValidUtf8(body)) {
    return FieldError(ErrorCode::kInvalidField, "body", "body is not valid UTF-8.");
  }
  const std::string cleaned = StripControlCharsKeepNewlines(body);
  const std::string_view trimmed = TrimUnicodeSpace(cleaned);
  if (trimmed.empty()) {
    return FieldError(ErrorCode::kMissingField, "body", "The comment is empty.");
  }
  if (CountCodePoints(trimmed) > kMaxBodyChars) {
    return FieldError(ErrorCode::kTooLong, "body",
                      "The comment is longer than 10,000 characters.");
  }
  return std::string(TrimBlankLinesAndTrailingSpace(cleaned));
}

Status ValidatePageKey(const std::string& key, const char* field) {
  if (key.empty()) return FieldError(ErrorCode::kMissingField, field, "The page key is missing.");
  if (key.size() > kMaxPageKeyBytes) {
    return FieldError(ErrorCode::kTooLong, field, "The page key is longer than 512 bytes.");
  }
  if (!IsValidUtf8(key) || HasControlChars(key)) {
    return FieldError(ErrorCode::kInvalidField, field,
                      "The page key must be UTF-8 without control characters.");
  }
  return Ok();
}

CommentService::CommentService(ServiceConfig config, const Clock& clock, Random& random,
                               Screener* screener)
    : config_(config), clock_(clock), random_(random), screener_(screener) {}

void RecordVersion(store::StoreSession& s, PageId page_id, Comment& c, TimeMs at,
                   const std::optional<std::string>& editor) {
  // The page row is re-read so that several writes to one page inside one
  // batch chain onto each other.
  auto page = s.FindPageById(page_id);
  if (!page) throw store::StoreError("a comment's page is missing");
  ChainLink link;
  link.comment_id = c.id;
  link.n = s.CountCommentLinks(c.id) + 1;
  link.parent_id = c.parent_id;
  link.author_name = c.author_name;
  link.state = c.state;
  link.body_markdown = c.body_markdown;
  link.at = at;
  link.editor = editor;
  link.prev_hash = page->chain_head;
  link.seq = page->chain_len + 1;
  SealLink(page->key, link);
  s.AppendLink(page->id, link);
  c.hash = link.hash;
}

Result<std::optional<std::string>> ValidatePageTitle(const std::optional<std::string>& title,
                                                     const char* field) {
  return NormalizeLine(title, field, kMaxTitleChars);
}

Result<std::optional<std::string>> ValidatePageUrl(const std::optional<std::string>& url,
                                                   const char* field) {
  if (!url || url->empty()) return std::optional<std::string>();
  if (url->size() > kMaxUrlBytes) {
    return FieldError(ErrorCode::kTooLong, field, "The page URL is too long.");
  }
  if (!IsHttpUrl(*url) || HasControlChars(*url) || url->find(' ') != std::string::npos) {
    return FieldError(ErrorCode::kInvalidField, field,
                      "The page URL must be an http or https URL.");
  }
  return std::optional<std::string>(*url);
}

Result<PreparedPost> CommentService::PreparePost(const PostRequest& req) const {
  if (auto st = ValidatePageKey(req.page_key, "page"); !st) return st.error();
  auto body = NormalizeBody(req.body);
  if (!body) return body.error();
  auto name = NormalizeLine(req.author_name, "author_name", kMaxNameChars);
  if (!name) return name.error();
  std::optional<std::string> email;
  if (req.author_email) {
    std::string e(TrimUnicodeSpace(*req.author_email));
    if (!e.empty()) {
      if (e.size() > kMaxEmailBytes) {
        return FieldError(ErrorCode::kTooLong, "author_email", "The email address is too long.");
      }
      if (!IsValidUtf8(e) || !LooksLikeEmail(e)) {
        return FieldError(ErrorCode::kInvalidField, "author_email",
                          "The email address does not look like one.");
      }
      email = e;
    }
  }
  auto title = ValidatePageTitle(req.page_title, "page_title");
  if (!title) return title.error();
  auto url = ValidatePageUrl(req.page_url, "page_url");
  if (!url) return url.error();
  std::optional<Quote> quote;
  if (req.quote) {
    auto exact = NormalizeLine(std::optional<std::string>(req.quote->exact), "quote", kMaxQuoteChars);
    if (!exact) return exact.error();
    if (!*exact) return FieldError(ErrorCode::kMissingField, "quote", "The quoted passage is empty.");
    for (const std::string* ctx : {&req.quote->prefix, &req.quote->suffix}) {
      if (!IsValidUtf8(*ctx) || CountCodePoints(*ctx) > kMaxQuoteContextChars) {
        return FieldError(ErrorCode::kInvalidField, "quote",
                          "The quote's prefix and suffix hold at most 64 characters.");
      }
    }
    quote = Quote{**exact, req.quote->prefix, req.quote->suffix};
  }
  if (req.position) {
    if (!req.quote) {
      return FieldError(ErrorCode::kInvalidField, "position", "A position needs a quote.");
    }
    if (req.position->start < 0 || req.position->end <= req.position->start ||
        req.position->end > kMaxPositionOffset) {
      return FieldError(ErrorCode::kInvalidField, "position",
                        "position needs 0 <= start < end <= 100000000.");
    }
  }

  PreparedPost out;
  out.req = req;
  out.body = std::move(*body);
  out.author_name = std::move(*name);
  out.author_email = std::move(email);
  if (req.page_details_trusted) {
    out.page_title = std::move(*title);
    out.page_url = std::move(*url);
  }
  out.quote = std::move(quote);
  out.position = req.position;
  out.body_html = render::MarkdownToSafeHtml(out.body);
  if (req.member) {
    out.author_name = req.member->name;
    out.author_email = req.member->email;
  }
  if (screener_) {
    out.screening = screener_->Screen(ScreeningInput{out.author_name.value_or("Guest"), out.body,
                                                     req.client_address, out.author_email,
                                                     req.member.has_value(), /*is_edit=*/false,
                                                     /*is_reply=*/req.parent_id.has_value()});
  }
  return out;
}

Result<PostOutcome> CommentService::Post(store::StoreSession& s, const PostRequest& req) {
  auto prepared = PreparePost(req);
  if (!prepared) return prepared.error();
  auto out = StorePost(s, *prepared);
  if (out) Remember(*out);
  return out;
}

void CommentService::Remember(const PostOutcome& stored) {
  if (screener_ && stored.screening_memo) screener_->Remember(stored.screening_memo.get());
}

Result<PostOutcome> CommentService::StorePost(store::StoreSession& s, const PreparedPost& prepared) {
  const PostRequest& req = prepared.req;

  // The parent, when replying: it must be visible and on the same page.
  std::optional<Comment> parent;
  if (req.parent_id) {
    const auto pid = ParseCommentId(*req.parent_id);
    if (pid) parent = s.FindComment(*pid);
    if (!parent || parent->state == CommentState::kPending ||
        parent->state == CommentState::kRejected || parent->state == CommentState::kSpam) {
      return FieldError(ErrorCode::kParentNotFound, "parent_id",
                        "The comment you are replying to does not exist.");
    }
    if (parent->state == CommentState::kDeleted || parent->state == CommentState::kRemoved) {
      return FieldError(ErrorCode::kNotFound, "parent_id",
                        "The comment you are replying to was deleted.");
    }
  }

  const TimeMs now = clock_.NowMs();
  if (FindBan(s, req.client_address,
              prepared.author_email ? EmailHash(*prepared.author_email) : std::string(),
              req.member ? std::optional<std::int64_t>(req.member->id) : std::nullopt, now)) {
    return MakeError(ErrorCode::kNotAllowed, "You cannot post comments here.");
  }
  auto existing = s.FindPage(req.page_key);
  if (existing && existing->closed) {
    return MakeError(ErrorCode::kPageClosed, "This page is closed to new comments.");
  }
  if (parent && (!existing || parent->page_id != existing->id)) {
    return FieldError(ErrorCode::kParentOnOtherPage, "parent_id",
                      "The comment you are replying to is on another page.");
  }
  Page page = s.UpsertPage(
      store::UpsertPageRequest{req.page_key, prepared.page_title, prepared.page_url, now});

  Comment c;
  c.page_id = page.id;
  if (parent) {
    // Past the depth limit a reply attaches to the deepest allowed ancestor.
    Comment attach = *parent;
    while (attach.depth >= config_.max_depth && attach.parent_id) {
      auto up = s.FindComment(*attach.parent_id);
      if (!up) break;
      attach = std::move(*up);
    }
    if (attach.depth >= config_.max_depth) {
      c.parent_id = std::nullopt;  // max_depth 1: every comment is top-level
      c.depth = 1;
    } else {
      c.parent_id = attach.id;
      c.depth = attach.depth + 1;
    }
  }
  c.author_name = prepared.author_name;
  c.author_email = prepared.author_email;
  c.is_guest = true;
  if (req.member) {
    c.is_guest = false;
    c.author_role = RoleName(req.member->role);
    c.author_user_id = req.member->id;
  }
  // Before the trust count below, which asks by address.
  c.client_address = req.client_address;
  c.body_markdown = prepared.body;
  c.body_html = prepared.body_html;
  c.state = config_.premoderate ? CommentState::kPending : CommentState::kApproved;
  if (config_.premoderate) c.moderation_reasons.push_back("premoderation");
  const bool trusted_member = req.member && req.member->CanModerate();
  if (page.premoderate && !trusted_member) {
    c.state = CommentState::kPending;
    c.moderation_reasons.push_back("page_premoderation");
  }
  if (config_.trust_after > 0 && !trusted_member &&
      s.CountApprovedByAuthor(c.client_address, c.author_email.value_or("")) <
          config_.trust_after) {
    c.state = CommentState::kPending;
    c.moderation_reasons.push_back("new_author");
  }
  if (prepared.screening) {
    // Screened before this write job (PreparePost); only the verdict is applied here.
    const Screening& verdict = *prepared.screening;
    c.moderation_score = verdict.score;
    for (const auto& r : verdict.reasons) c.moderation_reasons.push_back(r);
    // Moderators' own comments are never held or flagged.
    if (verdict.hold && !trusted_member) c.state = CommentState::kPending;
    c.flagged = verdict.flag && !trusted_member && c.state == CommentState::kApproved;
  }
  c.created_at = now;
  c.quote = prepared.quote;
  c.position = prepared.position;
  std::string token = RandomToken(random_, 32);
  c.edit_token_hash = Sha256Hex(token);
  c.hash = kZeroHash;
  c.id = s.InsertComment(c);
  RecordVersion(s, page.id, c, now, c.author_name ? *c.author_name : std::string("Guest"));
  s.UpdateComment(c);
  RecordEvent(s, now, CommentEvent(event_type::kCommentCreated, c, page.key, AuthorActor(c)));
  return PostOutcome{std::move(c), page.key, std::move(token),
                     prepared.screening ? prepared.screening->memo : nullptr};
}

Status CommentService::Authorize(const Comment& c, const Credential& who) const {
  if (who.user) {
    if (who.user->CanModerate()) return Ok();
    if (c.author_user_id && *c.author_user_id == who.user->id) return Ok();
    return MakeError(ErrorCode::kNotAllowed, "You may change only your own comments.");
  }
  if (!who.bearer_token || who.bearer_token->empty()) {
    return MakeError(ErrorCode::kUnauthorized,
                     "Send the comment's edit token as 'Authorization: Bearer <token>'.");
  }
  if (c.edit_token_hash.empty() ||
      !ConstantTimeEquals(Sha256Hex(*who.bearer_token), c.edit_token_hash)) {
    return MakeError(ErrorCode::kNotAllowed, "This token does not allow changing this comment.");
  }
  if (clock_.NowMs() - c.created_at > config_.edit_window_ms) {
    return MakeError(ErrorCode::kEditWindowClosed,
                     "The time for editing or deleting this comment has passed.");
  }
  return Ok();
}

namespace {

// A moderator or admin changing someone else's comment: audited.
bool IsStaffActingOnOthers(const Credential& who, const Comment& c) {
  return who.user && who.user->CanModerate() &&
         c.author_user_id != std::optional<std::int64_t>(who.user->id);
}

Result<Comment> FindLiveComment(store::StoreSession& s, CommentId id) {
  auto c = s.FindComment(id);
  if (!c || c->state != CommentState::kApproved) {
    return MakeError(ErrorCode::kNotFound, "No such comment.");
  }
  return std::move(*c);
}

Result<Page> PageOf(store::StoreSession& s, const Comment& c) {
  auto page = s.FindPageById(c.page_id);
  if (!page) return MakeError(ErrorCode::kInternal, "The comment's page is missing.");
  return std::move(*page);
}

}  // namespace

namespace {

// The comment an edit applies to: a live one, or (for a moderator) a held one.
Result<Comment> FindEditable(store::StoreSession& s, CommentId id, const Credential& who) {
  // Moderators may also edit a held comment before they decide on it.
  const bool moderator = who.user && who.user->CanModerate();
  auto held = moderator ? s.FindComment(id) : std::nullopt;
  if (held && held->state == CommentState::kPending) return std::move(*held);
  return FindLiveComment(s, id);
}

}  // namespace

std::optional<Ban> FindBan(store::StoreSession& s, const std::string& client_address,
                           const std::string& email_hash, std::optional<std::int64_t> user_id,
                           TimeMs now) {
  const std::string network = NetworkKey(client_address);
  auto ban = s.FindActiveBan({network, email_hash, user_id, now});
  // Bans made before bans covered networks hold the exact address.
  if (!ban && network != client_address && !client_address.empty()) {
    ban = s.FindActiveBan({client_address, "", std::nullopt, now});
  }
  return ban;
}

bool HasLiveReplies(store::StoreSession& s, CommentId id) {
  return s.CountVisibleReplies(id) > 0 || s.CountPendingReplies(id) > 0;
}

void RemoveBareTombstones(store::StoreSession& s, PageId page_id, std::optional<CommentId> from,
                          TimeMs now) {
  std::optional<CommentId> up = from;
  while (up) {
    auto parent = s.FindComment(*up);
    if (!parent || parent->state != CommentState::kDeleted) break;
    if (HasLiveReplies(s, parent->id)) break;
    parent->state = CommentState::kRemoved;
    RecordVersion(s, page_id, *parent, now, std::nullopt);
    s.UpdateComment(*parent);
    if (auto page = s.FindPageById(page_id)) {
      RecordEvent(s, now, DeletedEvent(*parent, page->key, kSystemActor));
    }
    up = parent->parent_id;
  }
}

void RestoreTombstones(store::StoreSession& s, PageId page_id, std::optional<CommentId> from,
                       TimeMs now) {
  std::optional<CommentId> up = from;
  while (up) {
    auto parent = s.FindComment(*up);
    if (!parent) break;
    if (parent->state == CommentState::kRemoved) {
      parent->state = CommentState::kDeleted;
      RecordVersion(s, page_id, *parent, now, std::nullopt);
      s.UpdateComment(*parent);
      if (auto page = s.FindPageById(page_id)) {
        RecordEvent(s, now, DeletedEvent(*parent, page->key, kSystemActor));
      }
    } else if (parent->state != CommentState::kDeleted) {
      break;
    }
    up = parent->parent_id;
  }
}

Result<PreparedEdit> CommentService::PrepareEdit(store::StoreSession& s, CommentId id,
                                                 const Credential& who,
                                                 const std::string& body) const {
  auto c = FindEditable(s, id, who);
  if (!c) return c.error();
  if (auto st = Authorize(*c, who); !st) return st.error();
  auto normalized = NormalizeBody(body);
  if (!normalized) return normalized.error();
  PreparedEdit out;
  out.body = std::move(*normalized);
  out.body_html = render::MarkdownToSafeHtml(out.body);
  if (screener_ && !(who.user && who.user->CanModerate())) {
    out.screening = screener_->Screen(ScreeningInput{c->author_name.value_or("Guest"), out.body,
                                                     c->client_address, c->author_email,
                                                     !c->is_guest, /*is_edit=*/true,
                                                     /*is_reply=*/c->parent_id.has_value()});
  }
  return out;
}

Result<EditOutcome> CommentService::Edit(store::StoreSession& s, CommentId id,
                                         const Credential& who, const std::string& body) {
  auto prepared = PrepareEdit(s, id, who, body);
  if (!prepared) return prepared.error();
  return StoreEdit(s, id, who, *prepared);
}

Result<EditOutcome> CommentService::StoreEdit(store::StoreSession& s, CommentId id,
                                              const Credential& who,
                                              const PreparedEdit& prepared) {
  // Checked again: the comment may have changed since PrepareEdit read it.
  auto c = FindEditable(s, id, who);
  if (!c) return c.error();
  if (auto st = Authorize(*c, who); !st) return st.error();
  auto page = PageOf(s, *c);
  if (!page) return page.error();
  const TimeMs now = clock_.NowMs();
  const bool was_shown = c->state == CommentState::kApproved;
  c->body_markdown = prepared.body;
  c->body_html = prepared.body_html;
  c->edited_at = now;
  c->edited_by = who.user ? who.user->name : c->author_name.value_or("Guest");
  if (prepared.screening && prepared.screening->hold && !(who.user && who.user->CanModerate())) {
    c->state = CommentState::kPending;
    c->moderation_reasons = prepared.screening->reasons;
    c->moderation_score = prepared.screening->score;
  }
  RecordVersion(s, page->id, *c, now, c->edited_by);
  s.UpdateComment(*c);
  if (c->state == CommentState::kPending) {
    s.SetModeration({c->id, c->state, c->moderation_reasons, c->moderation_score, false});
  } else if (prepared.screening && prepared.screening->flag && !c->flagged &&
             c->state == CommentState::kApproved && !(who.user && who.user->CanModerate())) {
    // An edit that brings in what a new comment would be flagged for.
    c->flagged = true;
    c->moderation_reasons = prepared.screening->reasons;
    c->moderation_score = prepared.screening->score;
    s.SetModeration({c->id, c->state, c->moderation_reasons, c->moderation_score, true});
  }
  if (IsStaffActingOnOthers(who, *c)) AppendAudit(s, now, who.user->name, "edit", c->id, "");
  const std::string actor = who.user ? UserActor(who.user->id) : AuthorActor(*c);
  RecordEvent(s, now, CommentEvent(event_type::kCommentEdited, *c, page->key, actor));
  if (was_shown && c->state != CommentState::kApproved) {
    RecordEvent(s, now, HiddenEvent(*c, page->key, actor));
  }
  return EditOutcome{std::move(*c), page->key};
}

Result<DeleteOutcome> CommentService::Delete(store::StoreSession& s, CommentId id,
                                             const Credential& who) {
  auto c = FindLiveComment(s, id);
  if (!c) return c.error();
  if (auto st = Authorize(*c, who); !st) return st.error();
  auto page = PageOf(s, *c);
  if (!page) return page.error();
  const TimeMs now = clock_.NowMs();
  Comment cur = std::move(*c);
  // Held replies keep it too: one approved later shows under the tombstone.
  const bool has_replies = HasLiveReplies(s, cur.id);
  cur.state = has_replies ? CommentState::kDeleted : CommentState::kRemoved;
  cur.body_markdown.clear();
  cur.body_html.clear();
  cur.author_name.reset();
  cur.edited_at.reset();
  cur.edited_by.reset();
  RecordVersion(s, page->id, cur, now, std::nullopt);
  s.UpdateComment(cur);
  if (IsStaffActingOnOthers(who, cur)) AppendAudit(s, now, who.user->name, "delete", cur.id, "");
  const std::string actor = who.user ? UserActor(who.user->id) : AuthorActor(cur);
  RecordEvent(s, now, DeletedEvent(cur, page->key, actor));
  if (!has_replies) RemoveBareTombstones(s, page->id, cur.parent_id, now);
  return DeleteOutcome{page->key};
}

Result<VoteOutcome> CommentService::Vote(store::StoreSession& s, const VoteRequest& v) {
  const CommentId id = v.id;
  const int value = v.value;
  if (value < -1 || value > 1) {
    return FieldError(ErrorCode::kInvalidField, "value", "value must be 1, -1 or 0.");
  }
  auto c = FindLiveComment(s, id);
  if (!c) return c.error();
  auto page = PageOf(s, *c);
  if (!page) return page.error();
  if (value != 0 && config_.votes_per_network > 0 && s.GetVote(id, v.voter_hash) == 0 &&
      s.CountNetworkVoters(id, v.network_hash) >= config_.votes_per_network) {
    return MakeError(ErrorCode::kNotAllowed,
                     "Too many votes on this comment come from your network already.");
  }
  const auto totals = s.SetVote({id, v.voter_hash, v.network_hash, value});
  c->upvotes = totals.upvotes;
  c->downvotes = totals.downvotes;
  EventDraft voted = CommentEvent(event_type::kCommentVoted, *c, page->key, kGuestActor);
  voted.data["value"] = value;
  RecordEvent(s, clock_.NowMs(), voted);
  return VoteOutcome{totals.upvotes, totals.downvotes, value, page->key};
}

Result<std::vector<PublicVersion>> CommentService::Versions(store::StoreSession& s, CommentId id) {
  auto c = FindLiveComment(s, id);
  if (!c) return c.error();
  std::vector<ChainLink> links = s.ListCommentLinks(id);
  // A staff edit of someone else's comment is audited ("edit") at the time of
  // the link it wrote.
  std::set<TimeMs> staff_edits;
  for (const AuditEntry& e : s.ListCommentAudit(id)) {
    if (e.action == "edit") staff_edits.insert(e.at);
  }
  std::vector<PublicVersion> out;
  out.reserve(links.size());
  for (std::size_t i = 0; i < links.size(); ++i) {
    const CommentState st = links[i].state;
    const bool never_public =
        st == CommentState::kPending || st == CommentState::kRejected || st == CommentState::kSpam;
    const bool replaced_by_staff = i + 1 < links.size() && staff_edits.count(links[i + 1].at) > 0;
    PublicVersion v{std::move(links[i]), never_public || replaced_by_staff};
    if (v.redacted) v.link.body_markdown.clear();
    out.push_back(std::move(v));
  }
  return out;
}

Result<ThreadPage> CommentService::ListThread(store::StoreSession& s, const ThreadQuery& q) {
  auto cursor = DecodeThreadCursor(q.cursor, q.sort);
  if (!cursor) return cursor.error();
  ThreadPage out;
  out.page = s.FindPage(q.page_key);
  if (!out.page) return out;
  if (q.cursor.empty()) {
    // Checked when the answer is built; answers are cached until the next write.
    out.chain = ThreadChainStatus(s, *out.page);
  }
  auto rows = s.ListVisibleComments(out.page->id);

  // Build the tree; rows come in id (= creation) order, so children lists
  // are oldest first.
  std::unordered_map<CommentId, std::size_t> index;
  index.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    index.emplace(rows[i].id, i);
    if (rows[i].state == CommentState::kApproved) ++out.comment_count;
  }
  std::vector<std::vector<std::size_t>> children(rows.size());
  std::vector<std::size_t> roots;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i].parent_id) {
      roots.push_back(i);
    } else if (auto it = index.find(*rows[i].parent_id); it != index.end()) {
      children[it->second].push_back(i);
    }
  }
  // A tombstone is shown only while it has something under it.
  std::vector<char> shown(rows.size(), 0);
  for (std::size_t k = rows.size(); k-- > 0;) {
    bool any_child = false;
    for (std::size_t ch : children[k]) any_child |= shown[ch] != 0;
    shown[k] = rows[k].state == CommentState::kApproved || any_child;
  }
  std::vector<std::size_t> candidates;
  for (std::size_t r : roots) {
    if (!shown[r]) continue;
    if (q.inline_only && !rows[r].quote) continue;
    candidates.push_back(r);
  }
  switch (q.sort) {
    case SortOrder::kOldest:
      break;
    case SortOrder::kNewest:
      std::reverse(candidates.begin(), candidates.end());
      break;
    case SortOrder::kVotes:
      std::stable_sort(candidates.begin(), candidates.end(), [&](std::size_t a, std::size_t b) {
        return rows[a].score() > rows[b].score();
      });
      break;
  }
  // Pinned comments lead the first page, whatever the sort.
  std::stable_partition(candidates.begin(), candidates.end(),
                        [&](std::size_t r) { return rows[r].pinned; });
  std::vector<std::size_t> picked;
  bool more = false;
  for (std::size_t r : candidates) {
    if (!cursor->Admits(rows[r])) continue;
    if (static_cast<int>(picked.size()) == q.limit) {
      more = true;
      break;
    }
    picked.push_back(r);
  }
  std::function<ThreadNode(std::size_t)> build = [&](std::size_t i) {
    ThreadNode node{rows[i], {}};
    for (std::size_t ch : children[i]) {
      if (shown[ch]) node.replies.push_back(build(ch));
    }
    return node;
  };
  // Iterative depth is bounded by max_depth, so recursion is shallow.
  for (std::size_t r : picked) out.comments.push_back(build(r));
  if (more) {
    std::vector<const Comment*> shown_now;
    shown_now.reserve(picked.size());
    for (std::size_t r : picked) shown_now.push_back(&rows[r]);
    out.next_cursor = cursor->Next(shown_now);
  }
  return out;
}

std::map<std::string, std::int64_t> CommentService::Counts(store::StoreSession& s,
                                                           const std::vector<std::string>& keys) {
  return s.CountApproved(keys);
}

PageVerification CommentService::VerifyPage(store::StoreSession& s, const std::string& page_key) {
  PageVerification v;
  auto page = s.FindPage(page_key);
  if (!page) {
    v.head = kZeroHash;
    return v;
  }
  const auto report = CheckChainInFull(s, *page);
  v.verified = report.ok;
  v.head = report.head;
  v.length = report.length;
  v.failed_ids = report.failed_ids;
  v.erased_ids = report.erased_ids;
  return v;
}

ChainReport CommentService::CheckChainInFull(store::StoreSession& s, const Page& page) {
  // Streamed: no ChainLink or Comment is built for the check.
  ChainCheck check(page.key, page.chain_len);
  s.ScanPageLinks(page.id, [&check](const ChainLinkView& link) { check.AddLink(link); });
  s.ScanChainRows(page.id, [&check](const ChainRowView& row) { check.CheckRow(row); });
  std::int64_t last_seq = 0;
  ChainReport report = check.Finish(page.chain_head, &last_seq);
  if (report.ok) {
    verified_chains_.Remember(page.key,
                              VerifiedPrefix{page.id, report.length, last_seq, report.head});
  } else {
    verified_chains_.Forget(page.key);
  }
  return report;
}

ChainStatus CommentService::ThreadChainStatus(store::StoreSession& s, const Page& page) {
  if (auto prefix = verified_chains_.Find(page.key); prefix && prefix->page_id == page.id) {
    const std::vector<ChainLink> links = s.ListPageLinksFrom(page.id, prefix->last_seq);
    // The rows of the comments with new links, sorted by id; many new links
    // (an import) read the whole page's rows instead.
    std::vector<CommentId> ids;
    for (std::size_t i = prefix->length > 0 ? 1 : 0; i < links.size(); ++i) {
      ids.push_back(links[i].comment_id);
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    std::vector<Comment> rows;
    if (ids.size() > 64) {
      rows = s.ListChainRows(page.id);
    } else {
      for (CommentId id : ids) {
        if (auto c = s.FindComment(id)) rows.push_back(std::move(*c));
      }
    }
    if (auto longer = ExtendVerifiedPrefix(page, *prefix, links, rows)) {
      ChainStatus status{true, longer->head, longer->length};
      verified_chains_.Remember(page.key, std::move(*longer));
      return status;
    }
  }
  const ChainReport report = CheckChainInFull(s, page);
  return ChainStatus{report.ok, report.head, report.length};
}

std::pair<std::string, std::int64_t> CommentService::PageHead(store::StoreSession& s,
                                                              const std::string& page_key) {
  auto page = s.FindPage(page_key);
  if (!page) return {kZeroHash, 0};
  return {page->chain_head, page->chain_len};
}

Result<EraseOutcome> CommentService::Erase(store::StoreSession& s, CommentId id,
                                           const std::string& actor) {
  auto c = s.FindComment(id);
  if (!c) return MakeError(ErrorCode::kNotFound, "No such comment.");
  auto page = PageOf(s, *c);
  if (!page) return page.error();
  EraseOutcome out{page->key, false};
  const TimeMs now = clock_.NowMs();
  // History is rewritten below (words erased, perhaps the chain rechained).
  verified_chains_.Forget(page->key);

  // Old pages: rewrite the chain as format 2 while the content is still
  // there to hash, and only if it verifies (a failed chain is not laundered).
  std::vector<ChainLink> links = s.ListPageLinks(page->id);
  const bool has_format1 =
      std::any_of(links.begin(), links.end(), [](const ChainLink& l) { return l.format == 1; });
  if (has_format1 && VerifyChain(*page, links, s.ListChainRows(page->id)).ok) {
    s.RewritePageChain(page->id, RechainAsFormat2(page->key, std::move(links)));
    out.rechained = true;
    AppendAudit(s, now, actor, "rechain", id,
                "page " + page->key + ": chain rewritten as format 2");
  }

  const bool live = c->state != CommentState::kDeleted && c->state != CommentState::kRemoved;
  if (live) {
    const bool was_shown = c->state == CommentState::kApproved;
    const bool has_replies = HasLiveReplies(s, c->id);
    Comment cur = std::move(*c);
    cur.state = has_replies ? CommentState::kDeleted : CommentState::kRemoved;
    cur.body_markdown.clear();
    cur.body_html.clear();
    cur.author_name.reset();
    cur.edited_at.reset();
    cur.edited_by.reset();
    RecordVersion(s, page->id, cur, now, std::nullopt);
    s.UpdateComment(cur);
    if (was_shown) RecordEvent(s, now, DeletedEvent(cur, page->key, kSystemActor));
    if (!has_replies) RemoveBareTombstones(s, page->id, cur.parent_id, now);
  }
  // Each version's content hash as the chain holds it (format 1 links left
  // on a failed page get the hash of what they hold now).
  std::vector<std::string> content_hashes;
  for (const ChainLink& l : s.ListCommentLinks(id)) {
    content_hashes.push_back(l.format == 2 && !l.content_hash.empty() ? l.content_hash
                                                                      : ComputeContentHash(l));
  }
  s.EraseCommentContent(id, content_hashes, now);
  AppendAudit(s, now, actor, "erase", id, "");
  return out;
}

}  // namespace amur::service
