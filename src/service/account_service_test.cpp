#include "service/account_service.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>

#include "service/store_test_support.hpp"

namespace amur::service {
namespace {

using testing::ExpectError;
using testing::kT0;

// Account changes against a real SQLite store.
class AccountServiceTest : public testing::StoreTest {
 protected:
  User Stored(const User& u) {
    s_->BeginRead();
    auto found = s_->FindUserById(u.id);
    s_->Rollback();
    if (!found) throw std::runtime_error("no such user");
    return *found;
  }

  Result<User> Update(const User& target, std::optional<Role> role, std::optional<bool> disabled,
                      const User& actor) {
    return Write([&](store::StoreSession& s) {
      return accounts_.UpdateUser(s, target.id, role, disabled, actor);
    });
  }

  Result<User> Recheck(const User& actor, Role at_least) {
    s_->BeginRead();
    auto r = RecheckActor(*s_, actor, at_least);
    s_->Rollback();
    return r;
  }

  FakeClock clock_{kT0};
  SodiumRandom random_;
  AccountService accounts_{clock_, random_};
};

// Over HTTP every admin who may ask is an active admin other than the target
// (the self check comes first), so this rule is only reached by a caller
// acting for an account that is no longer an active admin.
TEST_F(AccountServiceTest, TheLastActiveAdminCannotBeDemotedOrDisabledByAnotherAccount) {
  const User ada = MustAddUser("ada@example.com", "Ada Admin", Role::kAdmin);
  const User bea = MustAddUser("bea@example.com", "Bea Admin", Role::kAdmin, /*disabled=*/true);
  const User mia = MustAddUser("mia@example.com", "Mia Mod", Role::kModerator);
  for (const User& actor : {bea, mia}) {
    SCOPED_TRACE(actor.name);
    ExpectError(Update(ada, Role::kModerator, std::nullopt, actor), ErrorCode::kNotAllowed);
    ExpectError(Update(ada, Role::kMember, std::nullopt, actor), ErrorCode::kNotAllowed);
    ExpectError(Update(ada, std::nullopt, true, actor), ErrorCode::kNotAllowed);
    ExpectError(Update(ada, Role::kMember, true, actor), ErrorCode::kNotAllowed);
  }
  auto refused = Update(ada, Role::kModerator, std::nullopt, bea);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("last active admin"), std::string::npos)
      << refused.error().message;
  EXPECT_EQ(Stored(ada).role, Role::kAdmin);
  EXPECT_FALSE(Stored(ada).disabled);

  // Changes that keep Ada an active admin are fine.
  EXPECT_TRUE(Update(ada, Role::kAdmin, false, bea).ok());

  // With a second active admin, either may be demoted.
  ASSERT_TRUE(Update(bea, std::nullopt, false, ada).ok());
  auto demoted = Update(ada, Role::kModerator, std::nullopt, bea);
  ASSERT_TRUE(demoted.ok()) << demoted.error().message;
  EXPECT_EQ(Stored(ada).role, Role::kModerator);
  // ...and now Bea is the last one.
  ExpectError(Update(bea, std::nullopt, true, mia), ErrorCode::kNotAllowed);
  EXPECT_FALSE(Stored(bea).disabled);
}

TEST_F(AccountServiceTest, NobodyDemotesOrDisablesThemselves) {
  const User ada = MustAddUser("ada@example.com", "Ada Admin", Role::kAdmin);
  MustAddUser("bea@example.com", "Bea Admin", Role::kAdmin);
  ExpectError(Update(ada, Role::kModerator, std::nullopt, ada), ErrorCode::kNotAllowed);
  ExpectError(Update(ada, std::nullopt, true, ada), ErrorCode::kNotAllowed);
  EXPECT_TRUE(Update(ada, Role::kAdmin, std::nullopt, ada).ok());
  EXPECT_EQ(Stored(ada).role, Role::kAdmin);
}

TEST_F(AccountServiceTest, RecheckActorRefusesAccountsGoneDisabledOrDemoted) {
  const User ada = MustAddUser("ada@example.com", "Ada Admin", Role::kAdmin);
  const User mia = MustAddUser("mia@example.com", "Mia Mod", Role::kModerator);
  const User max = MustAddUser("max@example.com", "Max Member", Role::kMember);
  const User off = MustAddUser("off@example.com", "Off Admin", Role::kAdmin, /*disabled=*/true);
  User ghost = ada;
  ghost.id = 999;

  auto fresh = Recheck(ada, Role::kAdmin);
  ASSERT_TRUE(fresh.ok()) << fresh.error().message;
  EXPECT_EQ(fresh->name, "Ada Admin");
  EXPECT_TRUE(Recheck(ada, Role::kModerator).ok());
  EXPECT_TRUE(Recheck(mia, Role::kModerator).ok());
  ExpectError(Recheck(mia, Role::kAdmin), ErrorCode::kNotAllowed);
  ExpectError(Recheck(max, Role::kModerator), ErrorCode::kNotAllowed);
  ExpectError(Recheck(off, Role::kModerator), ErrorCode::kNotAllowed);
  ExpectError(Recheck(ghost, Role::kModerator), ErrorCode::kNotAllowed);

  // What counts is the account as stored now, not the copy the request holds.
  const User bea = MustAddUser("bea@example.com", "Bea Admin", Role::kAdmin);
  ASSERT_TRUE(Update(ada, Role::kModerator, std::nullopt, bea).ok());
  ExpectError(Recheck(ada, Role::kAdmin), ErrorCode::kNotAllowed);
  EXPECT_TRUE(Recheck(ada, Role::kModerator).ok());
  ASSERT_TRUE(Update(mia, std::nullopt, true, bea).ok());
  ExpectError(Recheck(mia, Role::kModerator), ErrorCode::kNotAllowed);
}

}  // namespace
}  // namespace amur::service
