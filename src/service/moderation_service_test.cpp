#include "service/moderation_service.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>

#include "core/random.hpp"
#include "service/comment_service.hpp"
#include "service/store_test_support.hpp"

namespace amur::service {
namespace {

using testing::ExpectError;
using testing::kT0;

// Bans and other moderator actions against a real SQLite store.
class ModerationServiceTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    admin_ = MustAddUser("ada@example.com", "Ada Admin", Role::kAdmin);
    mod_ = MustAddUser("mia@example.com", "Mia Mod", Role::kModerator);
    member_ = MustAddUser("max@example.com", "Max Member", Role::kMember);
  }

  // Runs `f` in a read transaction.
  template <typename F>
  auto Read(F f) {
    s_->BeginRead();
    auto r = f(*s_);
    s_->Rollback();
    return r;
  }

  void SetDisabled(const User& u, bool disabled) {
    store::WriteTransaction tx(*s_);
    s_->SetUserDisabled(u.id, disabled);
    tx.Commit();
  }
  void SetRole(const User& u, Role role) {
    store::WriteTransaction tx(*s_);
    s_->SetUserRole(u.id, role);
    tx.Commit();
  }

  // Posts on /a from 192.0.2.1, as `member` when given, else as the guest "Gus".
  PostOutcome MustPost(const std::string& body, std::optional<User> member = std::nullopt) {
    PostRequest r;
    r.page_key = "/a";
    r.body = body;
    r.client_address = "192.0.2.1";
    if (member) {
      r.member = member;
    } else {
      r.author_name = "Gus";
    }
    auto out = Write([&](store::StoreSession& s) { return comments_.Post(s, r); });
    if (!out.ok()) throw std::runtime_error("post failed: " + out.error().message);
    clock_.Advance(1000);
    return std::move(out).value();
  }

  Result<Ban> BanBy(CommentId id, const User& actor) {
    return Write([&](store::StoreSession& s) {
      return moderation_.BanAuthor(s, id, std::nullopt, "", actor);
    });
  }

  BansPage AllBans() {
    auto r = Read([&](store::StoreSession& s) { return moderation_.ListBans(s, false, 50, ""); });
    if (!r.ok()) throw std::runtime_error("bans list failed: " + r.error().message);
    return std::move(r).value();
  }

  std::size_t AuditSize() {
    return Read([&](store::StoreSession& s) { return s.ListAudit(0, 200); }).size();
  }

  FakeClock clock_{kT0};
  SodiumRandom random_;
  CommentService comments_{ServiceConfig{}, clock_, random_, nullptr};
  ModerationService moderation_{ModerationConfig{}, clock_};
  User admin_, mod_, member_;
};

TEST_F(ModerationServiceTest, StaffAccountsCannotBeBannedByAnyone) {
  const auto by_admin = MustPost("an admin's comment", admin_).comment.id;
  const auto by_mod = MustPost("a moderator's comment", mod_).comment.id;
  ExpectError(BanBy(by_admin, mod_), ErrorCode::kNotAllowed);
  ExpectError(BanBy(by_mod, mod_), ErrorCode::kNotAllowed);  // their own
  ExpectError(BanBy(by_mod, admin_), ErrorCode::kNotAllowed);
  ExpectError(BanBy(by_admin, admin_), ErrorCode::kNotAllowed);
  // A disabled staff account is still a staff account: disable or demote, not ban.
  SetDisabled(mod_, true);
  ExpectError(BanBy(by_mod, admin_), ErrorCode::kNotAllowed);
  EXPECT_TRUE(AllBans().bans.empty());
  EXPECT_EQ(AuditSize(), 0u);

  // Once demoted to member, the account can be banned like any member.
  SetRole(mod_, Role::kMember);
  auto ban = BanBy(by_mod, admin_);
  ASSERT_TRUE(ban.ok()) << ban.error().message;
  EXPECT_EQ(ban->user_id, std::optional<std::int64_t>(mod_.id));
}

TEST_F(ModerationServiceTest, AMembersCommentBansTheNetworkEmailAndAccount) {
  const auto id = MustPost("a member's comment", member_).comment.id;
  auto ban = BanBy(id, mod_);
  ASSERT_TRUE(ban.ok()) << ban.error().message;
  EXPECT_EQ(ban->client_address, "192.0.2.1");
  EXPECT_EQ(ban->email_hash, EmailHash("max@example.com"));
  EXPECT_EQ(ban->user_id, std::optional<std::int64_t>(member_.id));
}

TEST_F(ModerationServiceTest, ACommentWithNothingToBanByIsRefusedAndNothingIsStored) {
  // An imported comment: no address, no email, no account.
  CommentId id = 0;
  {
    store::WriteTransaction tx(*s_);
    const Page page = s_->UpsertPage(store::UpsertPageRequest{"/imported", {}, {}, kT0});
    Comment c;
    c.page_id = page.id;
    c.author_name = "Someone Imported";
    c.body_markdown = "from the old system";
    c.body_html = "<p>from the old system</p>";
    c.created_at = kT0;
    id = s_->InsertComment(c);
    tx.Commit();
  }
  ExpectError(BanBy(id, mod_), ErrorCode::kInvalidField, "comment_id");
  auto all = Read([&](store::StoreSession& s) { return s.ListBans({false, kT0, 0, 50}); });
  EXPECT_TRUE(all.empty());
  EXPECT_EQ(AuditSize(), 0u);
}

TEST_F(ModerationServiceTest, BansListNamesTheAccountOfAMembersDeletedComment) {
  const auto by_member = MustPost("a member's comment", member_).comment.id;
  const auto by_guest = MustPost("a guest's comment").comment.id;
  ASSERT_TRUE(BanBy(by_member, mod_).ok());
  ASSERT_TRUE(BanBy(by_guest, mod_).ok());
  for (CommentId id : {by_member, by_guest}) {
    auto gone = Write([&](store::StoreSession& s) {
      return comments_.Delete(s, id, Credential{std::nullopt, mod_});
    });
    ASSERT_TRUE(gone.ok()) << gone.error().message;
  }
  ASSERT_FALSE(Read([&](store::StoreSession& s) { return s.FindComment(by_member); })->author_name);

  const auto bans = AllBans().bans;
  ASSERT_EQ(bans.size(), 2u);
  EXPECT_EQ(bans[0].ban.comment_id, std::optional<CommentId>(by_guest));  // newest first
  EXPECT_EQ(bans[0].author_name, std::optional<std::string>("Guest"));
  EXPECT_EQ(bans[1].ban.comment_id, std::optional<CommentId>(by_member));
  EXPECT_EQ(bans[1].author_name, std::optional<std::string>("Max Member"));
}

TEST_F(ModerationServiceTest, ActionsNeedAnActorWhoIsStillAnActiveModerator) {
  const auto id = MustPost("a guest's comment").comment.id;
  auto ban = BanBy(id, admin_);
  ASSERT_TRUE(ban.ok()) << ban.error().message;
  const std::size_t audited = AuditSize();

  User ghost = mod_;
  ghost.id = 999;  // authenticated, then deleted
  User demoted = MustAddUser("dee@example.com", "Dee Demoted", Role::kModerator);
  SetRole(demoted, Role::kMember);
  SetDisabled(mod_, true);
  for (const User& actor : {mod_, ghost, demoted}) {
    SCOPED_TRACE(actor.name + " u" + std::to_string(actor.id));
    ExpectError(BanBy(id, actor), ErrorCode::kNotAllowed);
    ExpectError(Write([&](store::StoreSession& s) -> Result<Unit> {
                  if (auto st = moderation_.LiftBan(s, ban->id, actor); !st) return st.error();
                  return Unit{};
                }),
                ErrorCode::kNotAllowed);
    ExpectError(Write([&](store::StoreSession& s) { return moderation_.Pin(s, id, true, actor); }),
                ErrorCode::kNotAllowed);
    ExpectError(Write([&](store::StoreSession& s) {
                  PageUpdate close;
                  close.closed = true;
                  close.title = std::optional<std::string>("Renamed");
                  return moderation_.UpdatePage(s, "/a", close, actor);
                }),
                ErrorCode::kNotAllowed);
  }
  EXPECT_EQ(AuditSize(), audited);
  EXPECT_EQ(AllBans().bans.size(), 1u);  // still in force
  EXPECT_FALSE(Read([&](store::StoreSession& s) { return s.FindPage("/a"); })->closed);
  EXPECT_NE(Read([&](store::StoreSession& s) { return s.FindPage("/a"); })->title, "Renamed");
  EXPECT_FALSE(Read([&](store::StoreSession& s) { return s.FindComment(id); })->pinned);

  // Enabled again, the same moderator may act.
  SetDisabled(mod_, false);
  EXPECT_TRUE(Write([&](store::StoreSession& s) { return moderation_.Pin(s, id, true, mod_); }).ok());
}

}  // namespace
}  // namespace amur::service
