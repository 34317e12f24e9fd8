// The store contract, import and export section (TransferStore): every
// backend runs it unchanged.
#include "store_contract.hpp"

namespace amur::store {
namespace {

class TransferStoreContract : public StoreContract {};

TEST_P(TransferStoreContract, RemembersImportedItemsOncePerSource) {
  EXPECT_FALSE(s_->FindImported("wordpress:a", "1/2"));
  WriteTransaction tx(*s_);
  EXPECT_TRUE(s_->RememberImported("wordpress:a", "1/2", 42));
  EXPECT_FALSE(s_->RememberImported("wordpress:a", "1/2", 43));  // a second call changes nothing
  EXPECT_TRUE(s_->RememberImported("wordpress:b", "1/2", 7));
  tx.Commit();
  EXPECT_EQ(s_->FindImported("wordpress:a", "1/2"), 42);
  EXPECT_EQ(s_->FindImported("wordpress:b", "1/2"), 7);
  EXPECT_FALSE(s_->FindImported("wordpress:a", "1/3"));
}

TEST_P(TransferStoreContract, RestoredRowsKeepTheirIdsAndEveryColumn) {
  EXPECT_TRUE(s_->IsEmpty());
  WriteTransaction tx(*s_);
  Page p;
  p.id = 17;
  p.key = "/restored";
  p.title = "T";
  p.url = "https://x.org/restored";
  p.closed = true;
  p.premoderate = true;
  p.created_at = 100;
  p.active_at = 300;
  p.chain_head = std::string(64, 'c');
  p.chain_len = 1;
  EXPECT_TRUE(s_->RestorePage(p));
  EXPECT_FALSE(s_->RestorePage(p));  // taken
  Comment c;
  c.id = 900;
  c.page_id = 17;
  c.depth = 1;
  c.author_name = "Ann";
  c.author_email = "ann@example.com";
  c.body_markdown = "hi";
  c.body_html = "<p>hi</p>\n";
  c.state = CommentState::kApproved;
  c.created_at = 200;
  c.edited_at = 250;
  c.edited_by = "author";
  c.upvotes = 5;
  c.downvotes = 2;
  c.hash = std::string(64, 'c');
  c.client_address = "203.0.113.7";
  c.moderation_reasons = {"import_orphan"};
  c.moderation_score = 0.25;
  c.report_count = 3;
  c.report_networks = 2;
  c.pinned = true;
  c.quote = Quote{"exact", "pre", "post"};
  EXPECT_TRUE(s_->RestoreComment(c));
  EXPECT_FALSE(s_->RestoreComment(c));
  ChainLink l;
  l.seq = 1;
  l.comment_id = 900;
  l.n = 1;
  l.author_name = "Ann";
  l.body_markdown = "hi";
  l.at = 200;
  l.prev_hash = kZeroHash;
  l.hash = std::string(64, 'c');
  EXPECT_TRUE(s_->RestoreLink(17, l));
  EXPECT_FALSE(s_->RestoreLink(17, l));
  EXPECT_TRUE(s_->RestoreVote(StoredVote{900, "voter", 1, "net"}));
  EXPECT_FALSE(s_->RestoreVote(StoredVote{900, "voter", -1, "net"}));
  Ban b;
  b.id = 5;
  b.client_address = "203.0.113.7";
  b.created_by = "user:1";
  b.created_at = 10;
  b.comment_id = 900;
  EXPECT_TRUE(s_->RestoreBan(b));
  AuditEntry e{9, 11, "user:1", "approve", 900, "ok", kZeroHash, std::string(64, 'd')};
  EXPECT_TRUE(s_->RestoreAudit(e));
  EXPECT_FALSE(s_->RestoreAudit(e));
  tx.Commit();

  EXPECT_FALSE(s_->IsEmpty());
  const auto page = s_->FindPageById(17);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->key, "/restored");
  EXPECT_EQ(page->chain_len, 1);
  EXPECT_EQ(page->active_at, 300);
  EXPECT_TRUE(page->premoderate);
  const auto got = s_->FindComment(900);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->upvotes, 5);  // the restored vote changed no total
  EXPECT_EQ(got->edited_at, 250);
  EXPECT_EQ(got->report_networks, 2);
  EXPECT_TRUE(got->pinned);
  EXPECT_EQ(got->quote->prefix, "pre");
  EXPECT_EQ(got->moderation_reasons, c.moderation_reasons);
  EXPECT_EQ(s_->ListPageLinks(17).size(), 1u);
  const auto votes = s_->ListPageVotes(17);
  ASSERT_EQ(votes.size(), 1u);
  EXPECT_EQ(votes[0].network_hash, "net");
  EXPECT_EQ(s_->ListBans(BanListQuery{false, 0, 0, 10}).at(0).id, 5);
  EXPECT_EQ(s_->ListAudit(0, 10).at(0).seq, 9);
}

TEST_P(TransferStoreContract, PagesByPrefixOfKeyOrUrlAndRekeying) {
  Page a = NewPage("/old/a");
  Page b = NewPage("/new/b");
  {
    WriteTransaction tx(*s_);
    s_->SetPageDetails("/new/b", std::nullopt, "https://old.example/b");
    tx.Commit();
  }
  NewPage("/other");
  auto found = s_->ListPagesWithPrefix("/old/", 0, 10);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].id, a.id);
  found = s_->ListPagesWithPrefix("https://old.example/", 0, 10);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].id, b.id);
  EXPECT_TRUE(s_->ListPagesWithPrefix("/old/", a.id, 10).empty());

  const CommentId id = Insert(MakeComment(a, "hi"));
  ChainLink l;
  l.seq = 1;
  l.comment_id = id;
  l.n = 1;
  l.at = 5;
  l.prev_hash = kZeroHash;
  l.hash = std::string(64, '1');
  {
    WriteTransaction tx(*s_);
    s_->AppendLink(a.id, l);
    l.hash = std::string(64, '2');
    s_->RekeyPage(a.id, "/moved/a", std::string("https://x.org/moved/a"), {l});
    tx.Commit();
  }
  EXPECT_FALSE(s_->FindPage("/old/a"));
  const auto moved = s_->FindPage("/moved/a");
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->url, "https://x.org/moved/a");
  EXPECT_EQ(moved->chain_head, std::string(64, '2'));
  EXPECT_EQ(s_->ListPageLinks(a.id).at(0).hash, std::string(64, '2'));
  EXPECT_EQ(s_->FindComment(id)->hash, std::string(64, '2'));
}

TEST_P(TransferStoreContract, ABiggerCacheChangesNothingElse) {
  s_->SetCacheSize(64);
  Page p = NewPage("/cached");
  EXPECT_EQ(s_->FindPage("/cached")->id, p.id);
}

TEST_P(TransferStoreContract, SubscriptionsComeBackWithTheirIds) {
  const Page p = NewPage("/subscribed");
  Subscription sub;
  sub.id = 42;
  sub.email = "ann@example.com";
  sub.kind = SubscriptionKind::kThread;
  sub.page_id = p.id;
  sub.confirmed = true;
  sub.created_at = 10;
  sub.confirmed_at = 20;
  Subscription pending = sub;
  pending.id = 7;
  pending.kind = SubscriptionKind::kReplies;
  pending.page_id.reset();
  pending.confirmed = false;
  pending.confirmed_at.reset();
  {
    WriteTransaction tx(*s_);
    EXPECT_TRUE(s_->RestoreSubscription(sub));
    EXPECT_TRUE(s_->RestoreSubscription(pending));
    EXPECT_FALSE(s_->RestoreSubscription(sub));  // again: nothing changes
    tx.Commit();
  }
  const auto all = s_->ListSubscriptions(0, 10);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, 7);
  EXPECT_FALSE(all[0].confirmed);
  EXPECT_FALSE(all[0].page_id);
  EXPECT_EQ(all[1].id, 42);
  EXPECT_EQ(all[1].page_id, p.id);
  EXPECT_EQ(all[1].confirmed_at, 20);
  EXPECT_EQ(s_->ListSubscriptions(7, 10).size(), 1u);
  EXPECT_TRUE(s_->ListSubscriptions(0, 0).empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, TransferStoreContract, AllBackends(), BackendName);

}  // namespace
}  // namespace amur::store
