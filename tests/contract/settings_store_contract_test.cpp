// The store contract, SettingsStore section: settings. Every backend runs it
// unchanged (the fixture and the list of backends are in store_contract.hpp).
#include "store_contract.hpp"

namespace amur::store {
namespace {

class SettingsStoreContract : public StoreContract {};

TEST_P(SettingsStoreContract, Settings) {
  EXPECT_FALSE(s_->GetSetting("k").has_value());
  WriteTransaction tx(*s_);
  s_->PutSetting("k", "v1");
  s_->PutSetting("k", "v2");
  tx.Commit();
  EXPECT_EQ(s_->GetSetting("k"), "v2");
}

TEST_P(SettingsStoreContract, ALeaseHasOneHolderUntilItExpires) {
  WriteTransaction tx(*s_);
  EXPECT_TRUE(s_->TryLease("mail", "node-a", 1000, 16'000));
  EXPECT_FALSE(s_->TryLease("mail", "node-b", 15'999, 31'000));   // a's runs until 16000
  EXPECT_TRUE(s_->TryLease("webhooks", "node-b", 1000, 16'000));  // leases are independent
  EXPECT_TRUE(s_->TryLease("mail", "node-a", 10'000, 25'000));    // the holder renews
  EXPECT_FALSE(s_->TryLease("mail", "node-b", 24'999, 40'000));
  EXPECT_TRUE(s_->TryLease("mail", "node-b", 25'000, 40'000));   // expired: b takes it over
  EXPECT_FALSE(s_->TryLease("mail", "node-a", 26'000, 41'000));  // and a has lost it
  tx.Commit();
  WriteTransaction tx2(*s_);
  EXPECT_TRUE(s_->TryLease("mail", "node-b", 30'000, 45'000));
  EXPECT_FALSE(s_->TryLease("mail", "node-a", 44'000, 59'000));
  tx2.Commit();
}

INSTANTIATE_TEST_SUITE_P(Backends, SettingsStoreContract, AllBackends(), BackendName);

}  // namespace
}  // namespace amur::store
