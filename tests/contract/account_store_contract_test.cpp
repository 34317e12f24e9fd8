// The store contract, AccountStore section: accounts and sessions. Every backend runs it
// unchanged (the fixture and the list of backends are in store_contract.hpp).
#include "store_contract.hpp"

namespace amur::store {
namespace {

class AccountStoreContract : public StoreContract {};

TEST_P(AccountStoreContract, UsersAreUniqueByEmail) {
  User u;
  u.email = "ann@example.com";
  u.name = "Ann";
  u.role = Role::kModerator;
  u.password_hash = "$argon2id$…";
  u.created_at = 1;
  WriteTransaction tx(*s_);
  auto id = s_->InsertUser(u);
  ASSERT_TRUE(id.has_value());
  EXPECT_FALSE(s_->InsertUser(u).has_value());
  tx.Commit();
  auto found = s_->FindUserByEmail("ann@example.com");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, *id);
  EXPECT_EQ(found->role, Role::kModerator);
  EXPECT_EQ(found->password_hash, "$argon2id$…");
  EXPECT_EQ(s_->FindUserById(*id)->name, "Ann");
  EXPECT_FALSE(s_->FindUserByEmail("bob@example.com").has_value());
}

TEST_P(AccountStoreContract, SessionsAreFoundByHashAndDeleted) {
  User u;
  u.email = "s@example.com";
  u.name = "S";
  u.password_hash = "x";
  WriteTransaction tx(*s_);
  const auto uid = *s_->InsertUser(u);
  s_->InsertSession(Session{"hash-1", uid, "csrf", 10, 20});
  tx.Commit();
  auto found = s_->FindSession("hash-1");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->user_id, uid);
  EXPECT_EQ(found->csrf_token, "csrf");
  EXPECT_EQ(found->expires_at, 20);
  WriteTransaction tx2(*s_);
  s_->DeleteSession("hash-1");
  tx2.Commit();
  EXPECT_FALSE(s_->FindSession("hash-1").has_value());
}

TEST_P(AccountStoreContract, UsersAreListedChangedAndDisabled) {
  auto add = [&](const std::string& email, Role role) {
    User u;
    u.email = email;
    u.name = email.substr(0, email.find('@'));
    u.role = role;
    u.password_hash = "h";
    u.created_at = 7;
    WriteTransaction tx(*s_);
    const auto id = *s_->InsertUser(u);
    tx.Commit();
    return id;
  };
  const auto a = add("ada@example.com", Role::kAdmin);
  const auto m = add("mia@example.com", Role::kModerator);
  const auto b = add("bob@example.com", Role::kMember);
  auto all = s_->ListUsers(0, 10);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, a);
  EXPECT_EQ(all[0].created_at, 7);
  EXPECT_FALSE(all[0].disabled);
  auto after = s_->ListUsers(a, 1);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].id, m);
  EXPECT_EQ(s_->CountActiveAdmins(), 1);
  WriteTransaction tx(*s_);
  s_->InsertSession(Session{"m-1", m, "c", 1, 99});
  s_->InsertSession(Session{"m-2", m, "c", 1, 99});
  s_->InsertSession(Session{"b-1", b, "c", 1, 99});
  EXPECT_TRUE(s_->SetUserRole(b, Role::kAdmin));
  EXPECT_TRUE(s_->SetUserDisabled(m, true));
  EXPECT_FALSE(s_->SetUserDisabled(999, true));
  EXPECT_FALSE(s_->SetUserRole(999, Role::kAdmin));
  EXPECT_EQ(s_->DeleteUserSessions(m), 2);
  tx.Commit();
  EXPECT_TRUE(s_->FindUserById(m)->disabled);
  EXPECT_TRUE(s_->FindUserByEmail("mia@example.com")->disabled);
  EXPECT_EQ(s_->FindUserById(b)->role, Role::kAdmin);
  EXPECT_EQ(s_->CountActiveAdmins(), 2);
  EXPECT_FALSE(s_->FindSession("m-1").has_value());
  EXPECT_TRUE(s_->FindSession("b-1").has_value());
  WriteTransaction tx2(*s_);
  s_->SetUserDisabled(b, true);
  tx2.Commit();
  EXPECT_EQ(s_->CountActiveAdmins(), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, AccountStoreContract, AllBackends(), BackendName);

}  // namespace
}  // namespace amur::store
