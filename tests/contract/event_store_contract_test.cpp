// The store contract, event log section (EventStore): every backend runs it
// unchanged.
#include "store_contract.hpp"

namespace amur::store {
namespace {

class EventStoreContract : public StoreContract {
 protected:
  static Event MakeEvent(const std::string& type, TimeMs at,
                         EventVisibility v = EventVisibility::kPublic) {
    Event e;
    e.at = at;
    e.type = type;
    e.page_key = "/p";
    e.comment_id = 7;
    e.actor = "guest";
    e.visibility = v;
    e.data = R"({"comment":{"id":"c7"}})";
    e.origin = "0123456789abcdef";
    return e;
  }
};

TEST_P(EventStoreContract, EmptyLogHasNoEventsAndSeqZero) {
  EXPECT_TRUE(s_->ListEvents(0, 100, false).empty());
  EXPECT_EQ(s_->LastEventSeq(), 0);
}

TEST_P(EventStoreContract, AppendedEventsRoundTripInOrder) {
  WriteTransaction tx(*s_);
  const auto a = s_->AppendEvent(MakeEvent("comment.created", 10));
  Event b = MakeEvent("page.closed", 11, EventVisibility::kStaff);
  b.page_key.reset();
  b.comment_id.reset();
  b.actor = "user:3";
  b.data = R"({"q":"\u0000 <b>'\"</b> é"})";
  b.origin.clear();
  const auto bseq = s_->AppendEvent(b);
  tx.Commit();
  EXPECT_GT(a, 0);
  EXPECT_GT(bseq, a);
  auto all = s_->ListEvents(0, 10, false);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].seq, a);
  EXPECT_EQ(all[0].type, "comment.created");
  EXPECT_EQ(all[0].at, 10);
  EXPECT_EQ(all[0].page_key, "/p");
  EXPECT_EQ(all[0].comment_id, 7);
  EXPECT_EQ(all[0].actor, "guest");
  EXPECT_EQ(all[0].visibility, EventVisibility::kPublic);
  EXPECT_EQ(all[0].data, R"({"comment":{"id":"c7"}})");
  EXPECT_EQ(all[0].origin, "0123456789abcdef");
  EXPECT_EQ(all[1].seq, bseq);
  EXPECT_FALSE(all[1].page_key.has_value());
  EXPECT_FALSE(all[1].comment_id.has_value());
  EXPECT_EQ(all[1].visibility, EventVisibility::kStaff);
  EXPECT_EQ(all[1].data, b.data);
  EXPECT_EQ(all[1].origin, "");
  EXPECT_EQ(s_->LastEventSeq(), bseq);
}

TEST_P(EventStoreContract, ListsAfterASeqWithALimitAndPublicOnly) {
  WriteTransaction tx(*s_);
  std::vector<std::int64_t> seqs;
  for (int i = 0; i < 6; ++i) {
    seqs.push_back(s_->AppendEvent(MakeEvent(
        "e" + std::to_string(i), i, i % 2 ? EventVisibility::kStaff : EventVisibility::kPublic)));
  }
  tx.Commit();
  auto page = s_->ListEvents(seqs[1], 2, false);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].seq, seqs[2]);
  EXPECT_EQ(page[1].seq, seqs[3]);
  auto pub = s_->ListEvents(0, 10, true);
  ASSERT_EQ(pub.size(), 3u);
  for (const auto& e : pub) EXPECT_EQ(e.visibility, EventVisibility::kPublic);
  EXPECT_EQ(pub[2].type, "e4");
  EXPECT_TRUE(s_->ListEvents(seqs[5], 10, false).empty());
  EXPECT_TRUE(s_->ListEvents(0, 0, false).empty());
}

TEST_P(EventStoreContract, RolledBackSavepointLeavesNoEventAndNoGap) {
  WriteTransaction tx(*s_);
  s_->Savepoint();
  const auto kept = s_->AppendEvent(MakeEvent("kept", 1));
  s_->ReleaseSavepoint();
  s_->Savepoint();
  s_->AppendEvent(MakeEvent("dropped", 2));
  s_->RollbackToSavepoint();
  s_->Savepoint();
  const auto next = s_->AppendEvent(MakeEvent("next", 3));
  s_->ReleaseSavepoint();
  tx.Commit();
  auto all = s_->ListEvents(0, 10, false);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].type, "kept");
  EXPECT_EQ(all[1].type, "next");
  EXPECT_EQ(next, kept + 1) << "readers see no gap where a write was rolled back";
}

TEST_P(EventStoreContract, RolledBackTransactionLeavesNoEvent) {
  {
    WriteTransaction tx(*s_);
    s_->AppendEvent(MakeEvent("never", 1));
  }
  EXPECT_TRUE(s_->ListEvents(0, 10, false).empty());
}

TEST_P(EventStoreContract, PruneDeletesOldEventsAndSeqNeverGoesBack) {
  WriteTransaction tx(*s_);
  s_->AppendEvent(MakeEvent("old", 100));
  s_->AppendEvent(MakeEvent("old too", 150));
  const auto young = s_->AppendEvent(MakeEvent("young", 300));
  EXPECT_EQ(s_->PruneEvents(200), 2);
  tx.Commit();
  auto all = s_->ListEvents(0, 10, false);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].seq, young);
  WriteTransaction tx2(*s_);
  EXPECT_EQ(s_->PruneEvents(1000), 1);
  const auto after = s_->AppendEvent(MakeEvent("after", 2000));
  tx2.Commit();
  EXPECT_GT(after, young) << "a pruned seq is never reused";
  EXPECT_EQ(s_->LastEventSeq(), after);
}

TEST_P(EventStoreContract, CommittedEventsAreSeenByAnotherSession) {
  WriteTransaction tx(*s_);
  const auto seq = s_->AppendEvent(MakeEvent("shared", 1));
  tx.Commit();
  auto other = store_->OpenSession();
  other->BeginRead();
  auto seen = other->ListEvents(0, 10, false);
  other->Commit();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].seq, seq);
}

INSTANTIATE_TEST_SUITE_P(Backends, EventStoreContract, AllBackends(), BackendName);

}  // namespace
}  // namespace amur::store
