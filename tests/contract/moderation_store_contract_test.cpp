// The store contract, ModerationStore section: moderation columns, queues, reports, bans and the
// audit log. Every backend runs it unchanged (the fixture and the list of backends are in
// store_contract.hpp).
#include "store_contract.hpp"

namespace amur::store {
namespace {

class ModerationStoreContract : public StoreContract {};

TEST_P(ModerationStoreContract, ModerationColumnsQueuesAndReports) {
  Page p = NewPage("/mod");
  Comment held = MakeComment(p, "held");
  held.state = CommentState::kPending;
  held.moderation_reasons = {"banned_term", "classifier"};
  held.moderation_score = 0.75;
  const CommentId hid = Insert(held);
  const CommentId aid = Insert(MakeComment(p, "approved"));
  auto got = s_->FindComment(hid);
  EXPECT_EQ(got->moderation_reasons, (std::vector<std::string>{"banned_term", "classifier"}));
  EXPECT_DOUBLE_EQ(got->moderation_score, 0.75);
  auto pending = s_->ListQueue({CommentState::kPending, false, 0, 0, 10, false});
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].id, hid);
  WriteTransaction tx(*s_);
  EXPECT_EQ(s_->CountReportNetworks(aid), 0);
  EXPECT_TRUE(s_->AddReport({aid, "r1", "n1", "abuse", "", 1}));
  EXPECT_FALSE(s_->AddReport({aid, "r1", "n2", "spam", "", 2}));
  EXPECT_TRUE(s_->AddReport({aid, "r2", "n1", "spam", "note", 3}));
  EXPECT_EQ(s_->CountReportNetworks(aid), 1);  // two readers, one network
  EXPECT_TRUE(s_->AddReport({aid, "r3", "n3", "other", "", 4}));
  tx.Commit();
  EXPECT_EQ(s_->FindComment(aid)->report_count, 3);
  EXPECT_EQ(s_->FindComment(aid)->report_networks, 2);
  EXPECT_EQ(s_->CountReportNetworks(aid), 2);
  // The reported queue counts networks, not readers.
  EXPECT_EQ(s_->ListQueue({std::nullopt, true, 2, 0, 10, false}).size(), 1u);
  EXPECT_TRUE(s_->ListQueue({std::nullopt, true, 3, 0, 10, false}).empty());
  EXPECT_EQ(s_->CountQueues(2).reported, 1);
  EXPECT_EQ(s_->CountQueues(3).reported, 0);
  WriteTransaction tx2(*s_);
  s_->ClearReports(aid);
  s_->SetModeration({hid, CommentState::kRejected, {"manual"}, 0.5, false});
  s_->SetPinned(aid, true);
  tx2.Commit();
  EXPECT_EQ(s_->FindComment(aid)->report_count, 0);
  EXPECT_EQ(s_->FindComment(aid)->report_networks, 0);
  EXPECT_TRUE(s_->FindComment(aid)->pinned);
  EXPECT_EQ(s_->FindComment(hid)->state, CommentState::kRejected);
  EXPECT_EQ(s_->ListQueue({CommentState::kRejected, false, 0, 0, 10, false}).size(), 1u);
  EXPECT_EQ(s_->CountApprovedByAuthor("127.0.0.1", ""), 1);
  EXPECT_EQ(s_->CountApprovedByAuthor("10.0.0.1", "ANN@example.com"), 1);
  EXPECT_EQ(s_->CountApprovedByAuthor("10.0.0.1", ""), 0);
  EXPECT_EQ(s_->ListByAuthor("127.0.0.1", std::nullopt, 10).size(), 2u);
}

TEST_P(ModerationStoreContract, BansMatchAnyIdentityUntilTheyEnd) {
  Ban b;
  b.client_address = "192.0.2.7";
  b.email_hash = "e-hash";
  b.reason = "spam";
  b.created_by = "Mia";
  b.created_at = 100;
  b.expires_at = 1000;
  WriteTransaction tx(*s_);
  b.id = s_->InsertBan(b);
  tx.Commit();
  EXPECT_TRUE(s_->FindActiveBan({"192.0.2.7", "", std::nullopt, 500}).has_value());
  EXPECT_TRUE(s_->FindActiveBan({"198.51.100.1", "e-hash", std::nullopt, 500}).has_value());
  EXPECT_FALSE(s_->FindActiveBan({"198.51.100.1", "", std::nullopt, 500}).has_value());
  EXPECT_FALSE(s_->FindActiveBan({"192.0.2.7", "", std::nullopt, 1000}).has_value());  // expired
  EXPECT_EQ(s_->ListBans({true, 500, 0, 10}).size(), 1u);
  WriteTransaction tx2(*s_);
  EXPECT_TRUE(s_->EndBan(b.id, 600));
  EXPECT_FALSE(s_->EndBan(b.id, 700));
  tx2.Commit();
  EXPECT_TRUE(s_->ListBans({true, 650, 0, 10}).empty());
  EXPECT_EQ(s_->ListBans({false, 650, 0, 10}).size(), 1u);
}

TEST_P(ModerationStoreContract, AuditIsAppendOnly) {
  EXPECT_EQ(s_->AuditHead(), kZeroHash);
  WriteTransaction tx(*s_);
  AuditEntry e{0, 1, "Mia", "approve", 5, "ok", kZeroHash, std::string(64, 'a')};
  e.seq = s_->AppendAudit(e);
  AuditEntry f{0, 2, "Mia", "ban", std::nullopt, "", e.hash, std::string(64, 'b')};
  f.seq = s_->AppendAudit(f);
  tx.Commit();
  EXPECT_EQ(s_->AuditHead(), std::string(64, 'b'));
  auto entries = s_->ListAudit(0, 10);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].action, "ban");
  EXPECT_FALSE(entries[0].comment_id.has_value());
  EXPECT_EQ(entries[1].comment_id, 5);
  EXPECT_EQ(s_->ListAudit(entries[0].seq, 10).size(), 1u);
}

TEST_P(ModerationStoreContract, AuditEntriesOfOneCommentOldestFirst) {
  WriteTransaction tx(*s_);
  s_->AppendAudit({0, 1, "Mia", "edit", 5, "", kZeroHash, std::string(64, 'a')});
  s_->AppendAudit({0, 2, "Mia", "ban", 6, "", std::string(64, 'a'), std::string(64, 'b')});
  s_->AppendAudit({0, 3, "Max", "approve", 5, "ok", std::string(64, 'b'), std::string(64, 'c')});
  s_->AppendAudit(
      {0, 4, "Max", "settings", std::nullopt, "", std::string(64, 'c'), std::string(64, 'd')});
  tx.Commit();
  auto five = s_->ListCommentAudit(5);
  ASSERT_EQ(five.size(), 2u);
  EXPECT_EQ(five[0].action, "edit");
  EXPECT_EQ(five[0].at, 1);
  EXPECT_EQ(five[1].action, "approve");
  EXPECT_EQ(five[1].reason, "ok");
  EXPECT_EQ(s_->ListCommentAudit(6).size(), 1u);
  EXPECT_TRUE(s_->ListCommentAudit(7).empty());
}

TEST_P(ModerationStoreContract, QueueCountsMatchTheQueues) {
  Page p = NewPage("/counts");
  EXPECT_EQ(s_->CountQueues(2).pending, 0);
  for (auto state : {CommentState::kPending, CommentState::kPending, CommentState::kRejected,
                     CommentState::kSpam, CommentState::kDeleted}) {
    Comment c = MakeComment(p, "x");
    c.state = state;
    Insert(c);
  }
  const CommentId a = Insert(MakeComment(p, "approved, reported twice"));
  const CommentId b = Insert(MakeComment(p, "approved, reported once"));
  WriteTransaction tx(*s_);
  s_->AddReport({a, "r1", "n1", "abuse", "", 1});
  s_->AddReport({a, "r2", "n2", "abuse", "", 2});
  s_->AddReport({b, "r1", "n1", "abuse", "", 3});
  tx.Commit();
  const QueueCounts n = s_->CountQueues(2);
  EXPECT_EQ(n.pending, 2);
  EXPECT_EQ(n.rejected, 1);
  EXPECT_EQ(n.spam, 1);
  EXPECT_EQ(n.reported, 1);
  EXPECT_EQ(n.reported,
            static_cast<std::int64_t>(s_->ListQueue({std::nullopt, true, 2, 0, 50, false}).size()));
  EXPECT_EQ(n.pending, static_cast<std::int64_t>(
                           s_->ListQueue({CommentState::kPending, false, 0, 0, 50, false}).size()));
  EXPECT_EQ(s_->CountQueues(1).reported, 2);
  EXPECT_EQ(s_->CountQueues(3).reported, 0);
}

TEST_P(ModerationStoreContract, BansKeepTheirComment) {
  Ban b;
  b.client_address = "192.0.2.9";
  b.created_by = "Mia";
  b.created_at = 100;
  b.comment_id = 42;
  Ban other;
  other.email_hash = "e";
  other.created_by = "Mia";
  other.created_at = 100;
  WriteTransaction tx(*s_);
  b.id = s_->InsertBan(b);
  other.id = s_->InsertBan(other);
  tx.Commit();
  auto bans = s_->ListBans({true, 500, 0, 10});
  ASSERT_EQ(bans.size(), 2u);
  EXPECT_EQ(bans[0].id, other.id);
  EXPECT_FALSE(bans[0].comment_id.has_value());
  EXPECT_EQ(bans[1].comment_id, 42);
  EXPECT_FALSE(bans[1].expires_at.has_value());
  EXPECT_EQ(s_->FindActiveBan({"192.0.2.9", "", std::nullopt, 500})->comment_id, 42);
}

INSTANTIATE_TEST_SUITE_P(Backends, ModerationStoreContract, AllBackends(), BackendName);

}  // namespace
}  // namespace amur::store
