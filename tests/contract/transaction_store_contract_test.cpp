// The store contract, TransactionStore section: transactions, savepoints, sessions and migrations.
// Every backend runs it unchanged (the fixture and the list of backends are in store_contract.hpp).
#include "store_contract.hpp"

namespace amur::store {
namespace {

class TransactionStoreContract : public StoreContract {};

TEST_P(TransactionStoreContract, RollbackLeavesNoTrace) {
  Page p = NewPage("/rb");
  {
    WriteTransaction tx(*s_);
    s_->InsertComment(MakeComment(p, "never"));
    s_->UpsertPage({"/rb-new", std::nullopt, std::nullopt, 1});
  }  // no commit
  EXPECT_TRUE(s_->ListAllComments(p.id).empty());
  EXPECT_FALSE(s_->FindPage("/rb-new").has_value());
}

TEST_P(TransactionStoreContract, SavepointRollbackKeepsTheRestOfTheBatch) {
  Page p = NewPage("/sp");
  WriteTransaction tx(*s_);
  s_->Savepoint();
  s_->InsertComment(MakeComment(p, "kept"));
  s_->ReleaseSavepoint();
  s_->Savepoint();
  s_->InsertComment(MakeComment(p, "dropped"));
  s_->RollbackToSavepoint();
  s_->Savepoint();
  s_->InsertComment(MakeComment(p, "kept too"));
  s_->ReleaseSavepoint();
  tx.Commit();
  auto all = s_->ListAllComments(p.id);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].body_markdown, "kept");
  EXPECT_EQ(all[1].body_markdown, "kept too");
}

TEST_P(TransactionStoreContract, CommittedDataIsSeenByAnotherSession) {
  Page p = NewPage("/shared");
  Insert(MakeComment(p, "x"));
  auto other = store_->OpenSession();
  other->BeginRead();
  EXPECT_EQ(other->ListVisibleComments(p.id).size(), 1u);
  other->Commit();
}

TEST_P(TransactionStoreContract, PingAndMigrateAgain) {
  EXPECT_TRUE(s_->Ping());
  NewPage("/keep");
  store_->Migrate();
  EXPECT_TRUE(s_->FindPage("/keep").has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, TransactionStoreContract, AllBackends(), BackendName);

TEST(OpenStore, RejectsUnknownUrls) {
  EXPECT_THROW(OpenStore("mysql://x"), StoreError);
  EXPECT_THROW(OpenStore("sqlite:"), StoreError);
}

}  // namespace
}  // namespace amur::store
