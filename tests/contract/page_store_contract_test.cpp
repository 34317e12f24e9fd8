// The store contract, PageStore section: pages: find, upsert (first title and URL kept), flags,
// listing by id and by activity. Every backend runs it unchanged (the fixture and the list of
// backends are in store_contract.hpp).
#include "store_contract.hpp"

namespace amur::store {
namespace {

class PageStoreContract : public StoreContract {};

TEST_P(PageStoreContract, UnknownPageIsAbsent) {
  EXPECT_FALSE(s_->FindPage("/nowhere").has_value());
  EXPECT_FALSE(s_->FindPageById(12345).has_value());
}

TEST_P(PageStoreContract, UpsertCreatesOnceAndKeepsFirstTitleAndUrl) {
  WriteTransaction tx(*s_);
  Page a = s_->UpsertPage({"/a", std::nullopt, std::nullopt, 10});
  EXPECT_EQ(a.key, "/a");
  EXPECT_FALSE(a.title.has_value());
  EXPECT_EQ(a.chain_head, kZeroHash);
  EXPECT_EQ(a.chain_len, 0);
  Page b = s_->UpsertPage({"/a", std::string("Title"), std::string("https://x.example/a"), 20});
  EXPECT_EQ(b.id, a.id);
  EXPECT_EQ(b.title, "Title");
  EXPECT_EQ(b.url, "https://x.example/a");
  EXPECT_EQ(b.created_at, 10);
  Page c = s_->UpsertPage({"/a", std::string("Other"), std::string("https://evil.example"), 30});
  EXPECT_EQ(c.title, "Title");
  EXPECT_EQ(c.url, "https://x.example/a");
  tx.Commit();
  auto found = s_->FindPageById(a.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->key, "/a");
}

TEST_P(PageStoreContract, PageKeysAreExactBytes) {
  NewPage("/Straße");
  NewPage("/strasse");
  EXPECT_NE(s_->FindPage("/Straße")->id, s_->FindPage("/strasse")->id);
  EXPECT_FALSE(s_->FindPage("/STRASSE").has_value());
}

TEST_P(PageStoreContract, ClosePage) {
  NewPage("/c");
  WriteTransaction tx(*s_);
  EXPECT_TRUE(s_->SetPageClosed("/c", true));
  EXPECT_FALSE(s_->SetPageClosed("/missing", true));
  tx.Commit();
  EXPECT_TRUE(s_->FindPage("/c")->closed);
}

TEST_P(PageStoreContract, ListPagesPagesById) {
  for (int i = 0; i < 5; ++i) NewPage("/p" + std::to_string(i));
  auto first = s_->ListPages(0, 2);
  ASSERT_EQ(first.size(), 2u);
  auto rest = s_->ListPages(first.back().id, 10);
  ASSERT_EQ(rest.size(), 3u);
  EXPECT_GT(rest.front().id, first.back().id);
}

TEST_P(PageStoreContract, PageFlags) {
  NewPage("/flags");
  WriteTransaction tx(*s_);
  EXPECT_TRUE(s_->SetPagePremoderate("/flags", true));
  EXPECT_FALSE(s_->SetPagePremoderate("/missing", true));
  EXPECT_FALSE(s_->SetPageDetails("/missing", std::string("T"), std::nullopt));
  tx.Commit();
  EXPECT_TRUE(s_->FindPage("/flags")->premoderate);
}

TEST_P(PageStoreContract, PageDetailsReplaceAndClearTheFirstPostersOnes) {
  WriteTransaction tx(*s_);
  s_->UpsertPage({"/d", std::string("Scam title"), std::string("https://evil.example/"), 10});
  EXPECT_TRUE(
      s_->SetPageDetails("/d", std::string("Real title"), std::string("https://x.example/d")));
  Page p = *s_->FindPage("/d");
  EXPECT_EQ(p.title, "Real title");
  EXPECT_EQ(p.url, "https://x.example/d");
  EXPECT_TRUE(s_->SetPageDetails("/d", std::nullopt, std::nullopt));
  p = *s_->FindPage("/d");
  EXPECT_FALSE(p.title.has_value());
  EXPECT_FALSE(p.url.has_value());
  tx.Commit();
}

TEST_P(PageStoreContract, PagesByActivityAndTheirCounts) {
  Page old = NewPage("/old");  // created at 1000
  Page mid = NewPage("/mid");
  Page fresh = NewPage("/fresh");
  EXPECT_EQ(old.active_at, 1000);
  // A link written on /old makes it the most recently active page.
  WriteTransaction tx(*s_);
  Comment c = MakeComment(old, "hello");
  c.id = s_->InsertComment(c);
  ChainLink l;
  l.seq = 1;
  l.comment_id = c.id;
  l.n = 1;
  l.state = CommentState::kApproved;
  l.body_markdown = "hello";
  l.at = 9000;
  l.prev_hash = kZeroHash;
  l.hash = std::string(64, 'c');
  s_->AppendLink(old.id, l);
  Comment held = MakeComment(old, "held");
  held.state = CommentState::kPending;
  s_->InsertComment(held);
  tx.Commit();
  EXPECT_EQ(s_->FindPage("/old")->active_at, 9000);
  auto first = s_->ListPagesByActivity(std::nullopt, 2);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].key, "/old");
  EXPECT_EQ(first[1].key, "/fresh");  // same time as /mid: the higher id first
  auto rest = s_->ListPagesByActivity(PageActivityCursor{first[1].active_at, first[1].id}, 10);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].key, "/mid");
  EXPECT_EQ(rest[0].id, mid.id);
  EXPECT_NE(fresh.id, mid.id);
  const PageCommentCounts counts = s_->CountPageComments(old.id);
  EXPECT_EQ(counts.approved, 1);
  EXPECT_EQ(counts.pending, 1);
  EXPECT_EQ(counts.rejected, 0);
  EXPECT_EQ(s_->CountPageComments(mid.id).approved, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, PageStoreContract, AllBackends(), BackendName);

}  // namespace
}  // namespace amur::store
