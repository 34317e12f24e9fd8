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

INSTANTIATE_TEST_SUITE_P(Backends, SettingsStoreContract, AllBackends(), BackendName);

}  // namespace
}  // namespace amur::store
