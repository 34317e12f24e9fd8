#include "store/fault_injecting_store.hpp"

#include <fstream>
#include <sstream>

namespace amur::store {

namespace {

class FaultInjectingSession final : public StoreSession {
 public:
  FaultInjectingSession(std::unique_ptr<StoreSession> inner, std::shared_ptr<FaultPlan> plan)
      : inner_(std::move(inner)), plan_(std::move(plan)) {}

  void BeginWrite() override {
    plan_->Check(FaultPoint::kBeginWrite);
    inner_->BeginWrite();
    in_write_ = true;
  }
  // Only the commit of a write transaction fails; the caller then rolls back.
  void Commit() override {
    if (in_write_) plan_->Check(FaultPoint::kCommit);
    inner_->Commit();
    in_write_ = false;
  }
  void Rollback() override {
    in_write_ = false;
    inner_->Rollback();
  }

  void BeginRead() override { inner_->BeginRead(); }
  void Savepoint() override {
    plan_->Check(FaultPoint::kSavepoint);
    inner_->Savepoint();
  }
  void ReleaseSavepoint() override { inner_->ReleaseSavepoint(); }
  void RollbackToSavepoint() override { inner_->RollbackToSavepoint(); }
  std::optional<Page> FindPage(std::string_view key) override { return inner_->FindPage(key); }
  std::optional<Page> FindPageById(PageId id) override { return inner_->FindPageById(id); }
  Page UpsertPage(const UpsertPageRequest& req) override { return inner_->UpsertPage(req); }
  bool SetPageClosed(std::string_view key, bool closed) override {
    return inner_->SetPageClosed(key, closed);
  }
  bool SetPagePremoderate(std::string_view key, bool premoderate) override {
    return inner_->SetPagePremoderate(key, premoderate);
  }
  bool SetPageDetails(std::string_view key, const std::optional<std::string>& title,
                      const std::optional<std::string>& url) override {
    return inner_->SetPageDetails(key, title, url);
  }
  std::vector<Page> ListPages(PageId after_id, int limit) override {
    return inner_->ListPages(after_id, limit);
  }
  std::vector<Page> ListPagesByActivity(std::optional<PageActivityCursor> after,
                                        int limit) override {
    return inner_->ListPagesByActivity(after, limit);
  }
  PageCommentCounts CountPageComments(PageId page) override {
    return inner_->CountPageComments(page);
  }
  std::optional<Comment> FindComment(CommentId id) override { return inner_->FindComment(id); }
  std::vector<Comment> ListVisibleComments(PageId page) override {
    return inner_->ListVisibleComments(page);
  }
  std::vector<Comment> ListChainRows(PageId page) override { return inner_->ListChainRows(page); }
  void ScanChainRows(PageId page, const std::function<void(const ChainRowView&)>& visit) override {
    inner_->ScanChainRows(page, visit);
  }
  std::vector<Comment> ListAllComments(PageId page) override {
    return inner_->ListAllComments(page);
  }
  std::vector<ScreenedText> ListCommentsSince(TimeMs since, int limit) override {
    return inner_->ListCommentsSince(since, limit);
  }
  std::vector<Comment> ListNewestApproved(std::optional<PageId> page, int limit) override {
    return inner_->ListNewestApproved(page, limit);
  }
  CommentId InsertComment(const Comment& c) override {
    plan_->Check(FaultPoint::kInsertComment);
    return inner_->InsertComment(c);
  }
  void UpdateComment(const Comment& c) override { inner_->UpdateComment(c); }
  void SetPinned(CommentId id, bool pinned) override { inner_->SetPinned(id, pinned); }
  int CountVisibleReplies(CommentId parent) override { return inner_->CountVisibleReplies(parent); }
  int CountPendingReplies(CommentId parent) override { return inner_->CountPendingReplies(parent); }
  std::map<std::string, std::int64_t> CountApproved(const std::vector<std::string>& keys) override {
    return inner_->CountApproved(keys);
  }
  std::int64_t CountApprovedByAuthor(std::string_view client_address,
                                     std::string_view email) override {
    return inner_->CountApprovedByAuthor(client_address, email);
  }
  VoteTotals SetVote(const VoteRecord& v) override { return inner_->SetVote(v); }
  std::int64_t CountNetworkVoters(CommentId id, std::string_view network_hash) override {
    return inner_->CountNetworkVoters(id, network_hash);
  }
  int GetVote(CommentId id, std::string_view voter_hash) override {
    return inner_->GetVote(id, voter_hash);
  }
  void AppendLink(PageId page, const ChainLink& link) override { inner_->AppendLink(page, link); }
  void AppendLinks(PageId page, const std::vector<ChainLink>& links) override {
    inner_->AppendLinks(page, links);
  }
  std::vector<ChainLink> ListPageLinks(PageId page) override { return inner_->ListPageLinks(page); }
  void ScanPageLinks(PageId page, const std::function<void(const ChainLinkView&)>& visit) override {
    inner_->ScanPageLinks(page, visit);
  }
  std::vector<ChainLink> ListPageLinksFrom(PageId page, std::int64_t from_seq) override {
    return inner_->ListPageLinksFrom(page, from_seq);
  }
  void RewritePageChain(PageId page, const std::vector<ChainLink>& links) override {
    inner_->RewritePageChain(page, links);
  }
  void EraseCommentContent(CommentId id, const std::vector<std::string>& content_hashes,
                           TimeMs at) override {
    inner_->EraseCommentContent(id, content_hashes, at);
  }
  std::vector<CommentId> ListCommentIdsByEmail(std::string_view email) override {
    return inner_->ListCommentIdsByEmail(email);
  }
  std::vector<ChainLink> ListCommentLinks(CommentId id) override {
    return inner_->ListCommentLinks(id);
  }
  int CountCommentLinks(CommentId id) override { return inner_->CountCommentLinks(id); }
  std::optional<std::int64_t> InsertUser(const User& u) override { return inner_->InsertUser(u); }
  std::optional<User> FindUserByEmail(std::string_view email_lowercase) override {
    return inner_->FindUserByEmail(email_lowercase);
  }
  std::optional<User> FindUserById(std::int64_t id) override { return inner_->FindUserById(id); }
  std::vector<User> ListUsers(std::int64_t after_id, int limit) override {
    return inner_->ListUsers(after_id, limit);
  }
  bool SetUserRole(std::int64_t id, Role role) override { return inner_->SetUserRole(id, role); }
  bool SetUserDisabled(std::int64_t id, bool disabled) override {
    return inner_->SetUserDisabled(id, disabled);
  }
  std::int64_t CountActiveAdmins() override { return inner_->CountActiveAdmins(); }
  void InsertSession(const Session& s) override { inner_->InsertSession(s); }
  std::optional<Session> FindSession(std::string_view token_hash) override {
    return inner_->FindSession(token_hash);
  }
  void DeleteSession(std::string_view token_hash) override { inner_->DeleteSession(token_hash); }
  std::int64_t DeleteUserSessions(std::int64_t user_id) override {
    return inner_->DeleteUserSessions(user_id);
  }
  void SetModeration(const ModerationUpdate& u) override { inner_->SetModeration(u); }
  std::vector<Comment> ListQueue(const QueueQuery& q) override { return inner_->ListQueue(q); }
  QueueCounts CountQueues(int min_reports) override { return inner_->CountQueues(min_reports); }
  bool AddReport(const NewReport& r) override { return inner_->AddReport(r); }
  std::int64_t CountReportNetworks(CommentId id) override {
    return inner_->CountReportNetworks(id);
  }
  void ClearReports(CommentId id) override { inner_->ClearReports(id); }
  std::vector<Comment> ListByAuthor(std::string_view client_address,
                                    std::optional<std::int64_t> user_id, int limit) override {
    return inner_->ListByAuthor(client_address, user_id, limit);
  }
  std::int64_t InsertBan(const Ban& b) override { return inner_->InsertBan(b); }
  std::optional<Ban> FindActiveBan(const BanLookup& who) override {
    return inner_->FindActiveBan(who);
  }
  std::vector<Ban> ListBans(const BanListQuery& q) override { return inner_->ListBans(q); }
  bool EndBan(std::int64_t id, TimeMs now) override { return inner_->EndBan(id, now); }
  std::int64_t AppendAudit(const AuditEntry& e) override { return inner_->AppendAudit(e); }
  std::vector<AuditEntry> ListAudit(std::int64_t before_seq, int limit) override {
    return inner_->ListAudit(before_seq, limit);
  }
  std::vector<AuditEntry> ListCommentAudit(CommentId id) override {
    return inner_->ListCommentAudit(id);
  }
  std::string AuditHead() override { return inner_->AuditHead(); }
  std::optional<std::string> GetSetting(std::string_view key) override {
    return inner_->GetSetting(key);
  }
  void PutSetting(std::string_view key, std::string_view value) override {
    inner_->PutSetting(key, value);
  }
  bool TryLease(std::string_view name, std::string_view holder, TimeMs now,
                TimeMs expires_at) override {
    return inner_->TryLease(name, holder, now, expires_at);
  }
  std::int64_t AppendEvent(const Event& e) override {
    plan_->Check(FaultPoint::kAppendEvent);
    return inner_->AppendEvent(e);
  }
  std::vector<Event> ListEvents(std::int64_t after_seq, int limit, bool public_only) override {
    return inner_->ListEvents(after_seq, limit, public_only);
  }
  std::int64_t LastEventSeq() override { return inner_->LastEventSeq(); }
  std::int64_t PruneEvents(TimeMs before) override { return inner_->PruneEvents(before); }
  Subscription UpsertSubscription(const Subscription& s) override {
    return inner_->UpsertSubscription(s);
  }
  std::optional<Subscription> FindSubscription(std::int64_t id) override {
    return inner_->FindSubscription(id);
  }
  std::vector<Subscription> ListSubscriptionsByEmail(std::string_view email) override {
    return inner_->ListSubscriptionsByEmail(email);
  }
  std::vector<Subscription> ListSubscriptionsByUser(std::int64_t user_id) override {
    return inner_->ListSubscriptionsByUser(user_id);
  }
  std::int64_t ConfirmSubscriptions(std::string_view email, TimeMs now) override {
    return inner_->ConfirmSubscriptions(email, now);
  }
  bool DeleteSubscription(std::int64_t id) override { return inner_->DeleteSubscription(id); }
  std::vector<Subscription> FindSubscriptionsOf(SubscriptionKind kind, std::string_view email,
                                                std::optional<std::int64_t> user_id) override {
    return inner_->FindSubscriptionsOf(kind, email, user_id);
  }
  std::vector<Subscription> ListConfirmedOfKind(SubscriptionKind kind) override {
    return inner_->ListConfirmedOfKind(kind);
  }
  void InsertMailToken(const MailToken& t) override { inner_->InsertMailToken(t); }
  std::optional<MailToken> FindMailToken(std::string_view token_hash) override {
    return inner_->FindMailToken(token_hash);
  }
  void MarkMailTokenUsed(std::string_view token_hash, TimeMs at) override {
    inner_->MarkMailTokenUsed(token_hash, at);
  }
  std::int64_t CountOpenMailTokens(std::string_view email, std::string_view purpose,
                                   TimeMs now) override {
    return inner_->CountOpenMailTokens(email, purpose, now);
  }
  std::int64_t PruneMailTokens(TimeMs now) override { return inner_->PruneMailTokens(now); }
  std::int64_t QueueThreadNotifications(PageId page, CommentId comment,
                                        std::string_view except_email,
                                        std::optional<std::int64_t> except_user,
                                        TimeMs confirmed_by, TimeMs now) override {
    return inner_->QueueThreadNotifications(page, comment, except_email, except_user, confirmed_by,
                                            now);
  }
  bool QueueNotification(const Notification& n) override { return inner_->QueueNotification(n); }
  std::vector<Notification> ListUncomposedNotifications(int limit) override {
    return inner_->ListUncomposedNotifications(limit);
  }
  void AssignNotifications(const std::vector<std::int64_t>& ids, std::int64_t mail_id) override {
    inner_->AssignNotifications(ids, mail_id);
  }
  void DropNotifications(const std::vector<std::int64_t>& ids) override {
    inner_->DropNotifications(ids);
  }
  std::optional<TimeMs> LastMailTime(std::int64_t subscription_id, PageId page) override {
    return inner_->LastMailTime(subscription_id, page);
  }
  std::int64_t CountMailsSince(std::string_view email, std::string_view kind,
                               TimeMs since) override {
    return inner_->CountMailsSince(email, kind, since);
  }
  std::int64_t InsertMail(const OutboxMail& m) override { return inner_->InsertMail(m); }
  void SetMailText(std::int64_t id, std::string_view message_id,
                   std::string_view message) override {
    inner_->SetMailText(id, message_id, message);
  }
  std::optional<OutboxMail> FindMail(std::int64_t id) override { return inner_->FindMail(id); }
  std::vector<OutboxMail> ListDueMail(TimeMs now, int limit) override {
    return inner_->ListDueMail(now, limit);
  }
  std::optional<TimeMs> NextMailDue() override { return inner_->NextMailDue(); }
  void MarkMailSent(std::int64_t id, TimeMs at) override { inner_->MarkMailSent(id, at); }
  void MarkMailAttempt(std::int64_t id, std::string_view error, TimeMs next_attempt_at,
                       bool give_up, TimeMs at) override {
    inner_->MarkMailAttempt(id, error, next_attempt_at, give_up, at);
  }
  OutboxCounts CountOutbox() override { return inner_->CountOutbox(); }
  std::int64_t PruneMail(TimeMs before) override { return inner_->PruneMail(before); }
  std::optional<std::int64_t> FindImported(std::string_view source,
                                           std::string_view source_id) override {
    return inner_->FindImported(source, source_id);
  }
  bool RememberImported(std::string_view source, std::string_view source_id,
                        std::int64_t target_id) override {
    return inner_->RememberImported(source, source_id, target_id);
  }
  bool IsEmpty() override { return inner_->IsEmpty(); }
  void SetCacheSize(int mebibytes) override { inner_->SetCacheSize(mebibytes); }
  void SetBulkWrites(bool on) override { inner_->SetBulkWrites(on); }
  bool RestorePage(const Page& p) override { return inner_->RestorePage(p); }
  bool RestoreComment(const Comment& c) override {
    plan_->Check(FaultPoint::kInsertComment);
    return inner_->RestoreComment(c);
  }
  bool RestoreLink(PageId page, const ChainLink& l) override {
    return inner_->RestoreLink(page, l);
  }
  bool RestoreVote(const StoredVote& v) override { return inner_->RestoreVote(v); }
  bool RestoreUser(const User& u) override { return inner_->RestoreUser(u); }
  bool RestoreBan(const Ban& b) override { return inner_->RestoreBan(b); }
  std::vector<Subscription> ListSubscriptions(std::int64_t after_id, int limit) override {
    return inner_->ListSubscriptions(after_id, limit);
  }
  bool RestoreSubscription(const Subscription& s) override {
    return inner_->RestoreSubscription(s);
  }
  bool RestoreAudit(const AuditEntry& e) override { return inner_->RestoreAudit(e); }
  std::vector<StoredVote> ListPageVotes(PageId page) override {
    return inner_->ListPageVotes(page);
  }
  std::vector<Page> ListPagesWithPrefix(std::string_view prefix, PageId after_id,
                                        int limit) override {
    return inner_->ListPagesWithPrefix(prefix, after_id, limit);
  }
  void RekeyPage(PageId page, std::string_view key, const std::optional<std::string>& url,
                 const std::vector<ChainLink>& links) override {
    inner_->RekeyPage(page, key, url, links);
  }
  bool Ping() override { return inner_->Ping(); }

 private:
  std::unique_ptr<StoreSession> inner_;
  std::shared_ptr<FaultPlan> plan_;
  bool in_write_ = false;
};

class FaultInjectingStore final : public Store {
 public:
  FaultInjectingStore(std::unique_ptr<Store> inner, std::shared_ptr<FaultPlan> plan)
      : inner_(std::move(inner)), plan_(std::move(plan)) {}
  void Migrate() override { inner_->Migrate(); }
  std::unique_ptr<StoreSession> OpenSession() override {
    return std::make_unique<FaultInjectingSession>(inner_->OpenSession(), plan_);
  }
  std::string Backend() const override { return inner_->Backend(); }
  std::unique_ptr<EventListener> ListenForEvents() override { return inner_->ListenForEvents(); }

 private:
  std::unique_ptr<Store> inner_;
  std::shared_ptr<FaultPlan> plan_;
};

}  // namespace

const char* FaultPointName(FaultPoint p) {
  switch (p) {
    case FaultPoint::kBeginWrite:
      return "begin_write";
    case FaultPoint::kSavepoint:
      return "savepoint";
    case FaultPoint::kAppendEvent:
      return "append_event";
    case FaultPoint::kInsertComment:
      return "insert_comment";
    case FaultPoint::kCommit:
      return "commit";
    case FaultPoint::kCount:
      break;
  }
  return "?";
}

FaultPlan::FaultPlan(std::string control_file) : control_file_(std::move(control_file)) {}

void FaultPlan::FailNext(FaultPoint point, int times) {
  std::lock_guard lock(mu_);
  pending_[static_cast<std::size_t>(point)] += times;
}

int FaultPlan::Injected() const {
  std::lock_guard lock(mu_);
  return injected_;
}

void FaultPlan::ReadControlFile() {
  std::ifstream in(control_file_);
  if (!in) return;
  std::stringstream text;
  text << in.rdbuf();
  if (text.str().empty()) return;
  in.close();
  std::ofstream(control_file_, std::ios::trunc).close();
  std::string name;
  int times = 0;
  while (text >> name >> times) {
    for (std::size_t i = 0; i < pending_.size(); ++i) {
      if (name == FaultPointName(static_cast<FaultPoint>(i))) pending_[i] += times;
    }
  }
}

void FaultPlan::Check(FaultPoint point) {
  std::lock_guard lock(mu_);
  if (!control_file_.empty()) ReadControlFile();
  int& left = pending_[static_cast<std::size_t>(point)];
  if (left <= 0) return;
  --left;
  ++injected_;
  throw StoreError(std::string("injected fault at ") + FaultPointName(point));
}

std::unique_ptr<Store> WrapWithFaults(std::unique_ptr<Store> inner,
                                      std::shared_ptr<FaultPlan> plan) {
  return std::make_unique<FaultInjectingStore>(std::move(inner), std::move(plan));
}

}  // namespace amur::store
