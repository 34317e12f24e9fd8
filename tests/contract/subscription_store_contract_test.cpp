// The store contract, subscriptions and mail section (SubscriptionStore,
// MailStore): every backend runs it unchanged.
#include "store_contract.hpp"

namespace amur::store {
namespace {

// A time after every subscription of these tests was confirmed.
constexpr TimeMs kLater = 1'000'000;

class SubscriptionStoreContract : public StoreContract {
 protected:
  Subscription Sub(const std::string& email, SubscriptionKind kind,
                   std::optional<PageId> page = std::nullopt, bool confirmed = false) {
    Subscription s;
    s.email = email;
    s.kind = kind;
    s.page_id = page;
    s.confirmed = confirmed;
    s.created_at = 1000;
    WriteTransaction tx(*s_);
    Subscription out = s_->UpsertSubscription(s);
    tx.Commit();
    return out;
  }

  OutboxMail Mail(const std::string& email, TimeMs at) {
    OutboxMail m;
    m.email = email;
    m.kind = "notification";
    m.message_id = "<m@x>";
    m.message = "Subject: hi\r\n\r\nbody\r\n";
    m.created_at = at;
    m.next_attempt_at = at;
    return m;
  }
};

TEST_P(SubscriptionStoreContract, UpsertKeepsOneRowPerAddressKindAndPage) {
  const Page p = NewPage("/a");
  const Subscription a = Sub("ann@example.com", SubscriptionKind::kThread, p.id);
  EXPECT_GT(a.id, 0);
  EXPECT_FALSE(a.confirmed);
  EXPECT_EQ(a.page_id, p.id);
  // The same again, confirmed this time: the same row, now confirmed.
  const Subscription again = Sub("ann@example.com", SubscriptionKind::kThread, p.id, true);
  EXPECT_EQ(again.id, a.id);
  EXPECT_TRUE(again.confirmed);
  ASSERT_TRUE(again.confirmed_at);
  // Unconfirming is not a thing: a later unconfirmed upsert keeps it confirmed.
  EXPECT_TRUE(Sub("ann@example.com", SubscriptionKind::kThread, p.id).confirmed);
  // Another kind, another page, another address: other rows.
  const Subscription replies = Sub("ann@example.com", SubscriptionKind::kReplies);
  EXPECT_NE(replies.id, a.id);
  EXPECT_FALSE(replies.page_id);
  EXPECT_NE(Sub("ann@example.com", SubscriptionKind::kThread, NewPage("/b").id).id, a.id);
  EXPECT_NE(Sub("bob@example.com", SubscriptionKind::kThread, p.id).id, a.id);
  EXPECT_EQ(Sub("ann@example.com", SubscriptionKind::kReplies).id, replies.id);
  EXPECT_EQ(s_->ListSubscriptionsByEmail("ann@example.com").size(), 3u);
  EXPECT_EQ(s_->FindSubscription(a.id)->email, "ann@example.com");
  EXPECT_FALSE(s_->FindSubscription(999999));
}

TEST_P(SubscriptionStoreContract, ConfirmingAnAddressConfirmsAllItsPendingOnes) {
  const Page p = NewPage("/a");
  Sub("ann@example.com", SubscriptionKind::kThread, p.id);
  Sub("ann@example.com", SubscriptionKind::kReplies);
  Sub("bob@example.com", SubscriptionKind::kReplies);
  EXPECT_TRUE(
      s_->FindSubscriptionsOf(SubscriptionKind::kReplies, "ann@example.com", std::nullopt).empty());
  WriteTransaction tx(*s_);
  EXPECT_EQ(s_->ConfirmSubscriptions("ann@example.com", 2000), 2);
  EXPECT_EQ(s_->ConfirmSubscriptions("ann@example.com", 3000), 0);
  tx.Commit();
  const auto found =
      s_->FindSubscriptionsOf(SubscriptionKind::kReplies, "ann@example.com", std::nullopt);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].confirmed_at, 2000);
  EXPECT_TRUE(
      s_->FindSubscriptionsOf(SubscriptionKind::kReplies, "bob@example.com", std::nullopt).empty());
}

TEST_P(SubscriptionStoreContract, MembersAreFoundByAccountAsWellAsAddress) {
  User u;
  u.email = "mia@example.com";
  u.name = "Mia";
  u.role = Role::kModerator;
  u.password_hash = "x";
  u.created_at = 1;
  WriteTransaction tx(*s_);
  const auto uid = s_->InsertUser(u);
  ASSERT_TRUE(uid);
  Subscription s;
  s.email = "mia@example.com";
  s.user_id = *uid;
  s.kind = SubscriptionKind::kReplies;
  s.confirmed = true;
  s.created_at = 5;
  s_->UpsertSubscription(s);
  s.kind = SubscriptionKind::kModeration;
  s_->UpsertSubscription(s);
  tx.Commit();
  EXPECT_EQ(s_->FindSubscriptionsOf(SubscriptionKind::kReplies, "", *uid).size(), 1u);
  EXPECT_EQ(
      s_->FindSubscriptionsOf(SubscriptionKind::kReplies, "mia@example.com", std::nullopt).size(),
      1u);
  EXPECT_EQ(s_->ListSubscriptionsByUser(*uid).size(), 2u);
  EXPECT_EQ(s_->ListConfirmedOfKind(SubscriptionKind::kModeration).size(), 1u);
}

TEST_P(SubscriptionStoreContract, TokensAreFoundByHashUsedAndPruned) {
  const Subscription a = Sub("ann@example.com", SubscriptionKind::kReplies, std::nullopt, true);
  MailToken t;
  t.token_hash = std::string(64, 'a');
  t.purpose = "unsubscribe";
  t.email = "ann@example.com";
  t.subscription_id = a.id;
  t.created_at = 10;
  t.expires_at = 100;
  WriteTransaction tx(*s_);
  s_->InsertMailToken(t);
  MailToken c = t;
  c.token_hash = std::string(64, 'c');
  c.purpose = "confirm";
  c.subscription_id.reset();
  c.expires_at = 50;
  s_->InsertMailToken(c);
  tx.Commit();
  auto found = s_->FindMailToken(t.token_hash);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->purpose, "unsubscribe");
  EXPECT_EQ(found->subscription_id, a.id);
  EXPECT_FALSE(found->used_at);
  EXPECT_FALSE(s_->FindMailToken(std::string(64, 'b')));
  EXPECT_EQ(s_->CountOpenMailTokens("ann@example.com", "confirm", 40), 1);
  EXPECT_EQ(s_->CountOpenMailTokens("ann@example.com", "confirm", 60), 0);  // expired
  WriteTransaction tx2(*s_);
  s_->MarkMailTokenUsed(c.token_hash, 20);
  s_->MarkMailTokenUsed(c.token_hash, 30);  // the first use stays
  tx2.Commit();
  EXPECT_EQ(s_->FindMailToken(c.token_hash)->used_at, 20);
  EXPECT_EQ(s_->CountOpenMailTokens("ann@example.com", "confirm", 40), 0);
  // A token outlives its subscription (a second click says "already gone").
  WriteTransaction tx3(*s_);
  EXPECT_TRUE(s_->DeleteSubscription(a.id));
  EXPECT_FALSE(s_->DeleteSubscription(a.id));
  tx3.Commit();
  ASSERT_TRUE(s_->FindMailToken(t.token_hash));
  EXPECT_FALSE(s_->FindMailToken(t.token_hash)->subscription_id);
  WriteTransaction tx4(*s_);
  EXPECT_EQ(s_->PruneMailTokens(60), 1);
  tx4.Commit();
  EXPECT_FALSE(s_->FindMailToken(c.token_hash));
  EXPECT_TRUE(s_->FindMailToken(t.token_hash));
}

TEST_P(SubscriptionStoreContract, ThreadNotificationsSkipTheAuthorAndNeverRepeat) {
  const Page p = NewPage("/a");
  const Page other = NewPage("/b");
  Sub("ann@example.com", SubscriptionKind::kThread, p.id, true);
  Sub("bob@example.com", SubscriptionKind::kThread, p.id, true);
  Sub("cy@example.com", SubscriptionKind::kThread, p.id, false);  // not confirmed
  Sub("dee@example.com", SubscriptionKind::kThread, other.id, true);
  const CommentId c = Insert(MakeComment(p, "hello"));
  WriteTransaction tx(*s_);
  EXPECT_EQ(s_->QueueThreadNotifications(p.id, c, "ann@example.com", std::nullopt, kLater, 7), 1);
  EXPECT_EQ(s_->QueueThreadNotifications(p.id, c, "", std::nullopt, kLater, 8),
            1);  // ann now; bob had his
  EXPECT_EQ(s_->QueueThreadNotifications(p.id, c, "", std::nullopt, kLater, 9), 0);
  tx.Commit();
  const auto queued = s_->ListUncomposedNotifications(10);
  ASSERT_EQ(queued.size(), 2u);
  EXPECT_EQ(queued[0].email, "bob@example.com");
  EXPECT_EQ(queued[0].reason, "thread");
  EXPECT_EQ(queued[0].comment_id, c);
  EXPECT_EQ(queued[1].email, "ann@example.com");
  // A moderation notice of the same comment to the same person counts apart.
  Notification n = queued[0];
  n.reason = "moderation";
  WriteTransaction tx2(*s_);
  EXPECT_TRUE(s_->QueueNotification(n));
  EXPECT_FALSE(s_->QueueNotification(n));
  n.reason = "replies";
  EXPECT_FALSE(s_->QueueNotification(n));  // bob already has this comment
  tx2.Commit();
  EXPECT_EQ(s_->ListUncomposedNotifications(10).size(), 3u);
}

TEST_P(SubscriptionStoreContract, OutboxWalksFromQueuedToSentOrGivenUp) {
  const Subscription a = Sub("ann@example.com", SubscriptionKind::kReplies, std::nullopt, true);
  const Page p = NewPage("/a");
  OutboxMail m = Mail("ann@example.com", 100);
  m.subscription_id = a.id;
  m.page_id = p.id;
  WriteTransaction tx(*s_);
  const auto first = s_->InsertMail(m);
  const auto second = s_->InsertMail(Mail("bob@example.com", 150));
  s_->SetMailText(second, "<new@x>", "text");
  tx.Commit();
  EXPECT_EQ(s_->FindMail(second)->message_id, "<new@x>");
  EXPECT_EQ(s_->LastMailTime(a.id, p.id), 100);
  EXPECT_FALSE(s_->LastMailTime(a.id, p.id + 1));
  EXPECT_EQ(s_->CountMailsSince("ann@example.com", "notification", 100), 1);
  EXPECT_EQ(s_->CountMailsSince("ann@example.com", "notification", 101), 0);
  EXPECT_EQ(s_->ListDueMail(99, 10).size(), 0u);
  EXPECT_EQ(s_->ListDueMail(120, 10).size(), 1u);
  EXPECT_EQ(s_->NextMailDue(), 100);
  WriteTransaction tx2(*s_);
  s_->MarkMailAttempt(first, "421 busy", 500, false, 120);
  s_->MarkMailSent(second, 160);
  tx2.Commit();
  auto f = s_->FindMail(first);
  EXPECT_EQ(f->attempts, 1);
  EXPECT_EQ(f->last_error, "421 busy");
  EXPECT_FALSE(f->message.empty());
  auto sent = s_->FindMail(second);
  EXPECT_EQ(sent->sent_at, 160);
  EXPECT_TRUE(sent->message.empty());  // the text goes once it is sent
  EXPECT_EQ(s_->NextMailDue(), 500);
  WriteTransaction tx3(*s_);
  s_->MarkMailAttempt(first, "550 no such user", 900, true, 600);
  tx3.Commit();
  EXPECT_EQ(s_->FindMail(first)->failed_at, 600);
  EXPECT_FALSE(s_->NextMailDue());
  EXPECT_TRUE(s_->ListDueMail(10'000, 10).empty());
  const auto counts = s_->CountOutbox();
  EXPECT_EQ(counts.waiting, 0);
  EXPECT_EQ(counts.sent, 1);
  EXPECT_EQ(counts.failed, 1);
  WriteTransaction tx4(*s_);
  EXPECT_EQ(s_->PruneMail(160), 0);  // nothing before the first was done
  EXPECT_EQ(s_->PruneMail(601), 2);
  tx4.Commit();
  EXPECT_FALSE(s_->FindMail(first));
  EXPECT_EQ(s_->CountOutbox().sent, 0);
}

TEST_P(SubscriptionStoreContract, AssignedAndDroppedNotificationsLeaveTheQueue) {
  const Page p = NewPage("/a");
  const Subscription a = Sub("ann@example.com", SubscriptionKind::kThread, p.id, true);
  const CommentId c1 = Insert(MakeComment(p, "one"));
  const CommentId c2 = Insert(MakeComment(p, "two"));
  WriteTransaction tx(*s_);
  s_->QueueThreadNotifications(p.id, c1, "", std::nullopt, kLater, 1);
  s_->QueueThreadNotifications(p.id, c2, "", std::nullopt, kLater, 2);
  tx.Commit();
  auto q = s_->ListUncomposedNotifications(10);
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0].subscription_id, a.id);
  WriteTransaction tx2(*s_);
  const auto mail = s_->InsertMail(Mail("ann@example.com", 5));
  s_->AssignNotifications({q[0].id}, mail);
  s_->DropNotifications({q[1].id});
  tx2.Commit();
  EXPECT_TRUE(s_->ListUncomposedNotifications(10).empty());
  const CommentId c3 = Insert(MakeComment(p, "three"));
  // A dropped comment is not queued for that reader again.
  WriteTransaction tx3(*s_);
  EXPECT_EQ(s_->QueueThreadNotifications(p.id, c2, "", std::nullopt, kLater, 3), 0);
  // Deleting the subscription deletes what it had not sent.
  s_->QueueThreadNotifications(p.id, c3, "", std::nullopt, kLater, 4);
  EXPECT_EQ(s_->ListUncomposedNotifications(10).size(), 1u);
  EXPECT_TRUE(s_->DeleteSubscription(a.id));
  tx3.Commit();
  EXPECT_TRUE(s_->ListUncomposedNotifications(10).empty());
}

TEST_P(SubscriptionStoreContract, ThreadNotificationsSkipSubscribersConfirmedAfterTheComment) {
  const Page p = NewPage("/a");
  Sub("ann@example.com", SubscriptionKind::kThread, p.id);
  Sub("bob@example.com", SubscriptionKind::kThread, p.id);
  WriteTransaction tx(*s_);
  EXPECT_EQ(s_->ConfirmSubscriptions("ann@example.com", 2000), 1);
  EXPECT_EQ(s_->ConfirmSubscriptions("bob@example.com", 3001), 1);
  tx.Commit();
  const CommentId c = Insert(MakeComment(p, "posted at 3000"));
  WriteTransaction tx2(*s_);
  EXPECT_EQ(s_->QueueThreadNotifications(p.id, c, "", std::nullopt, 3000, 4000), 1);
  tx2.Commit();
  const auto queued = s_->ListUncomposedNotifications(10);
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].email, "ann@example.com");
}

INSTANTIATE_TEST_SUITE_P(Backends, SubscriptionStoreContract, AllBackends(), BackendName);

}  // namespace
}  // namespace amur::store
