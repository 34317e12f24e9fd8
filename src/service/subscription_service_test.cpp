#include "service/subscription_service.hpp"

#include <gtest/gtest.h>

#include "service/comment_service.hpp"
#include "service/moderation_service.hpp"
#include "service/store_test_support.hpp"

namespace amur::service {
namespace {

using testing::ExpectError;
using testing::kT0;

constexpr TimeMs kMinute = 60'000;

// Subscriptions, the fan-out and composing against a real SQLite store and
// a fake clock; the event log is filled by the real comment and moderation
// services.
class SubscriptionServiceTest : public testing::StoreTest {
 protected:
  static NotifyConfig Config() {
    NotifyConfig c;
    c.enabled = true;
    c.site.public_url = "https://comments.example";
    c.site.from_address = "comments@example.com";
    c.site.host = "comments.example";
    return c;
  }

  Result<SubscribeOutcome> Subscribe(const std::string& email, const std::string& kind = "thread",
                                     const std::string& page = "/a",
                                     std::optional<User> member = std::nullopt) {
    SubscribeRequest r;
    r.kind = kind;
    r.page_key = page;
    if (!email.empty()) r.email = email;
    r.member = member;
    return Write([&](store::StoreSession& s) { return subs_.Subscribe(s, r); });
  }

  // The token in the newest "confirm" message to `email`, read from its
  // text (base64 parts), by finding the link.
  std::vector<OutboxMail> Outbox(const std::string& email, const std::string& kind) {
    std::vector<OutboxMail> out;
    for (std::int64_t id = 1;; ++id) {
      auto m = s_->FindMail(id);
      if (!m) break;
      if (m->email == email && m->kind == kind) out.push_back(*m);
    }
    return out;
  }

  // Makes the address's pending subscriptions active (as its link would).
  void ConfirmDirectly(const std::string& email) {
    store::WriteTransaction tx(*s_);
    s_->ConfirmSubscriptions(email, clock_.NowMs());
    tx.Commit();
  }

  PostOutcome Post(const std::string& body, std::optional<std::string> email = std::nullopt,
                   std::optional<std::string> parent = std::nullopt) {
    PostRequest r;
    r.page_key = "/a";
    r.body = body;
    r.author_name = "Gus";
    r.author_email = email;
    r.parent_id = parent;
    r.client_address = "192.0.2.1";
    auto out = Write([&](store::StoreSession& s) { return comments_.Post(s, r); });
    if (!out.ok()) throw std::runtime_error("post failed: " + out.error().message);
    clock_.Advance(1000);
    return std::move(out).value();
  }

  // Runs the fan-out over the whole log (as the mail sender does).
  std::int64_t FanOutAll() {
    std::int64_t queued = 0;
    for (;;) {
      store::WriteTransaction tx(*s_);
      auto r = subs_.FanOut(*s_, cursor_, 100);
      tx.Commit();
      cursor_ = r.last_seq;
      queued += r.queued;
      if (r.events == 0) return queued;
    }
  }

  ComposeResult ComposeNow() {
    store::WriteTransaction tx(*s_);
    auto r = subs_.Compose(*s_);
    tx.Commit();
    return r;
  }

  FakeClock clock_{kT0};
  SodiumRandom random_;
  CommentService comments_{ServiceConfig{}, clock_, random_, nullptr};
  ModerationService moderation_{ModerationConfig{}, clock_};
  SubscriptionService subs_{Config(), clock_, random_};
  std::int64_t cursor_ = 0;
};

TEST_F(SubscriptionServiceTest, AGuestWaitsForOneConfirmationThatCoversEverything) {
  auto a = Subscribe("Ann@Example.com");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_FALSE(a->confirmed);
  EXPECT_TRUE(a->confirmation_sent);
  EXPECT_EQ(a->subscription.email, "ann@example.com");
  auto b = Subscribe("ann@example.com", "replies");
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->confirmation_sent);  // one is open already
  EXPECT_EQ(Outbox("ann@example.com", "confirm").size(), 1u);
  // Nothing is confirmed by anything but the link.
  EXPECT_TRUE(
      s_->FindSubscriptionsOf(SubscriptionKind::kReplies, "ann@example.com", std::nullopt).empty());
}

TEST_F(SubscriptionServiceTest, ConfirmationsToOneAddressAreCappedEvenAfterTheyExpire) {
  ASSERT_TRUE(Subscribe("ann@example.com").ok());
  clock_.Advance(8 * 24 * 60 * kMinute);  // the first link has expired
  auto again = Subscribe("ann@example.com", "thread", "/b");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->confirmation_sent);
  auto third = Subscribe("ann@example.com", "thread", "/c");
  ASSERT_TRUE(third.ok());
  EXPECT_FALSE(third->confirmation_sent);
  EXPECT_EQ(Outbox("ann@example.com", "confirm").size(), 2u);
}

TEST_F(SubscriptionServiceTest, BadRequestsChangeNothing) {
  ExpectError(Subscribe("not an address"), ErrorCode::kInvalidField, "email");
  ExpectError(Subscribe(""), ErrorCode::kMissingField, "email");
  ExpectError(Subscribe("a@example.com", "all"), ErrorCode::kInvalidField, "kind");
  ExpectError(Subscribe("a@example.com", "thread", ""), ErrorCode::kMissingField, "page");
  ExpectError(Subscribe("a@example.com", "moderation"), ErrorCode::kUnauthorized);
  const User member = MustAddUser("max@example.com", "Max", Role::kMember);
  ExpectError(Subscribe("", "moderation", "", member), ErrorCode::kNotAllowed);
  EXPECT_TRUE(s_->ListSubscriptionsByEmail("a@example.com").empty());
  EXPECT_EQ(s_->CountOutbox().waiting, 0);
  SubscriptionService off{NotifyConfig{}, clock_, random_};
  SubscribeRequest r;
  r.kind = "thread";
  r.page_key = "/a";
  r.email = "a@example.com";
  ExpectError(Write([&](store::StoreSession& s) { return off.Subscribe(s, r); }),
              ErrorCode::kNotAllowed);
}

TEST_F(SubscriptionServiceTest, MembersAreActiveAtOnceAndListTheirOwn) {
  const User member = MustAddUser("max@example.com", "Max", Role::kMember);
  auto out = Subscribe("someone.else@example.com", "thread", "/a", member);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->confirmed);
  EXPECT_TRUE(out->created);
  EXPECT_EQ(out->subscription.email, "max@example.com");  // the account's, not the one sent
  EXPECT_FALSE(Subscribe("", "thread", "/a", member)->created);
  s_->BeginRead();
  const auto mine = subs_.ListMine(*s_, member);
  s_->Rollback();
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].page_key, "/a");
  const User other = MustAddUser("ola@example.com", "Ola", Role::kMember);
  const std::string id = FormatSubscriptionId(mine[0].subscription.id);
  auto st = Write([&](store::StoreSession& s) -> Result<bool> {
    if (auto e = subs_.DeleteMine(s, other, id); !e) return e.error();
    return true;
  });
  ExpectError(st, ErrorCode::kNotFound);
  auto ok = Write([&](store::StoreSession& s) -> Result<bool> {
    if (auto e = subs_.DeleteMine(s, member, id); !e) return e.error();
    return true;
  });
  EXPECT_TRUE(ok.ok());
}

TEST_F(SubscriptionServiceTest, PublishedCommentsReachSubscribersButNeverTheirAuthor) {
  ASSERT_TRUE(Subscribe("ann@example.com").ok());
  ASSERT_TRUE(Subscribe("bob@example.com").ok());
  ConfirmDirectly("ann@example.com");
  ConfirmDirectly("bob@example.com");
  cursor_ = s_->LastEventSeq();
  Post("by Ann herself", "ANN@example.com");
  EXPECT_EQ(FanOutAll(), 1);  // Bob only
  const auto queued = s_->ListUncomposedNotifications(10);
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].email, "bob@example.com");
}

TEST_F(SubscriptionServiceTest, RepliesReachTheParentsAuthor) {
  ASSERT_TRUE(Subscribe("ann@example.com", "replies").ok());
  ConfirmDirectly("ann@example.com");
  const auto mine = Post("Ann's comment", "ann@example.com");
  const auto other = Post("someone else's", "cy@example.com");
  cursor_ = s_->LastEventSeq();
  Post("a reply to Cy", std::nullopt, FormatCommentId(other.comment.id));
  Post("a reply to Ann", std::nullopt, FormatCommentId(mine.comment.id));
  Post("Ann replying to herself", "ann@example.com", FormatCommentId(mine.comment.id));
  EXPECT_EQ(FanOutAll(), 1);
  const auto queued = s_->ListUncomposedNotifications(10);
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].reason, "replies");
}

TEST_F(SubscriptionServiceTest, HeldCommentsAreMailedOnlyWhenApprovedAndOnlyOnce) {
  ASSERT_TRUE(Subscribe("ann@example.com").ok());
  ConfirmDirectly("ann@example.com");
  const User mod = MustAddUser("mia@example.com", "Mia", Role::kModerator);
  ServiceConfig premoderated;
  premoderated.premoderate = true;
  CommentService held_comments{premoderated, clock_, random_, nullptr};
  PostRequest r;
  r.page_key = "/a";
  r.body = "held";
  r.client_address = "192.0.2.9";
  cursor_ = s_->LastEventSeq();
  auto held = Write([&](store::StoreSession& s) { return held_comments.Post(s, r); });
  ASSERT_TRUE(held.ok());
  ASSERT_EQ(held->comment.state, CommentState::kPending);
  EXPECT_EQ(FanOutAll(), 0);
  auto decide = [&](Decision d) {
    auto out = Write([&](store::StoreSession& s) {
      return moderation_.Decide(s, held->comment.id, d, "", mod);
    });
    ASSERT_TRUE(out.ok()) << out.error().message;
  };
  decide(Decision::kApprove);
  EXPECT_EQ(FanOutAll(), 1);
  decide(Decision::kReject);
  decide(Decision::kApprove);
  EXPECT_EQ(FanOutAll(), 0);
}

TEST_F(SubscriptionServiceTest, TheFirstNoticeGoesAtOnceLaterOnesWaitForTheDigest) {
  ASSERT_TRUE(Subscribe("ann@example.com").ok());
  ConfirmDirectly("ann@example.com");
  cursor_ = s_->LastEventSeq();
  Post("one");
  FanOutAll();
  auto first = ComposeNow();
  EXPECT_EQ(first.messages, 1);
  Post("two");
  Post("three");
  FanOutAll();
  auto waiting = ComposeNow();
  EXPECT_EQ(waiting.messages, 0);
  ASSERT_TRUE(waiting.next_due);
  EXPECT_GT(*waiting.next_due, clock_.NowMs());
  clock_.Set(*waiting.next_due);
  auto digest = ComposeNow();
  EXPECT_EQ(digest.messages, 1);
  const auto mails = Outbox("ann@example.com", "digest");
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_NE(mails[0].message.find("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
            std::string::npos);
  EXPECT_TRUE(s_->ListUncomposedNotifications(10).empty());
}

TEST_F(SubscriptionServiceTest, ACommentGoneBeforeComposingIsNotMailed) {
  ASSERT_TRUE(Subscribe("ann@example.com").ok());
  ConfirmDirectly("ann@example.com");
  cursor_ = s_->LastEventSeq();
  const auto c = Post("soon deleted");
  FanOutAll();
  auto del = Write([&](store::StoreSession& s) -> Result<bool> {
    Credential who;
    who.bearer_token = c.edit_token;
    auto r = comments_.Delete(s, c.comment.id, who);
    if (!r) return r.error();
    return true;
  });
  ASSERT_TRUE(del.ok()) << del.error().message;
  EXPECT_EQ(ComposeNow().messages, 0);
  EXPECT_TRUE(s_->ListUncomposedNotifications(10).empty());
}

}  // namespace
}  // namespace amur::service
