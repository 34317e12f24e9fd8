// The store contract, ChainStore section: the per-page hash chain. Every backend runs it
// unchanged (the fixture and the list of backends are in store_contract.hpp).
#include "store_contract.hpp"

namespace amur::store {
namespace {

class ChainStoreContract : public StoreContract {};

TEST_P(ChainStoreContract, LinksAppendInOrderAndMoveTheHead) {
  Page p = NewPage("/chain");
  const CommentId id = Insert(MakeComment(p, "x"));
  WriteTransaction tx(*s_);
  std::string prev = kZeroHash;
  for (int i = 1; i <= 3; ++i) {
    ChainLink l;
    l.seq = i;
    l.comment_id = id;
    l.n = i;
    l.author_name = "Ann";
    l.body_markdown = "v" + std::to_string(i);
    l.at = 1000 * i;
    l.editor = i == 1 ? std::nullopt : std::optional<std::string>("Ann");
    l.prev_hash = prev;
    l.hash = std::string(63, 'a') + static_cast<char>('0' + i);
    s_->AppendLink(p.id, l);
    prev = l.hash;
  }
  tx.Commit();
  auto page = s_->FindPage("/chain");
  EXPECT_EQ(page->chain_head, prev);
  EXPECT_EQ(page->chain_len, 3);
  auto links = s_->ListPageLinks(p.id);
  ASSERT_EQ(links.size(), 3u);
  EXPECT_EQ(links[0].prev_hash, kZeroHash);
  EXPECT_EQ(links[1].prev_hash, links[0].hash);
  EXPECT_EQ(links[2].body_markdown, "v3");
  EXPECT_FALSE(links[0].editor.has_value());
  EXPECT_EQ(links[2].editor, "Ann");
  auto from2 = s_->ListPageLinksFrom(p.id, 2);
  ASSERT_EQ(from2.size(), 2u);
  EXPECT_EQ(from2[0].seq, 2);
  EXPECT_EQ(from2[0].hash, links[1].hash);
  EXPECT_EQ(from2[1].seq, 3);
  EXPECT_EQ(from2[1].editor, "Ann");
  EXPECT_EQ(s_->ListPageLinksFrom(p.id, 1).size(), 3u);
  EXPECT_EQ(s_->ListPageLinksFrom(p.id, 0).size(), 3u);
  EXPECT_TRUE(s_->ListPageLinksFrom(p.id, 4).empty());
  EXPECT_TRUE(s_->ListPageLinksFrom(p.id + 1, 1).empty());
  EXPECT_EQ(s_->ListCommentLinks(id).size(), 3u);
  EXPECT_EQ(s_->CountCommentLinks(id), 3);
  EXPECT_EQ(s_->CountCommentLinks(id + 1), 0);
}

// AppendLinks (a batch of one page's links, as an import writes them) moves
// the head once to the last link, active_at to the latest time even when that
// is not the last link's, and an AppendLink from the new head follows on.
TEST_P(ChainStoreContract, AppendLinksMovesTheHeadOnceToTheLastLink) {
  Page p = NewPage("/batch");
  const CommentId id = Insert(MakeComment(p, "x"));
  WriteTransaction tx(*s_);
  auto link = [&](int i, TimeMs at, const std::string& prev) {
    ChainLink l;
    l.seq = i;
    l.comment_id = id;
    l.n = i;
    l.author_name = "Ann";
    l.body_markdown = "v" + std::to_string(i);
    l.at = at;
    l.prev_hash = prev;
    l.hash = std::string(63, 'b') + static_cast<char>('0' + i);
    return l;
  };
  s_->AppendLinks(p.id, {});
  std::vector<ChainLink> batch;
  batch.push_back(link(1, 5'000'000'000'000, kZeroHash));
  batch.push_back(link(2, 9'000'000'000'000, batch.back().hash));  // the latest
  batch.push_back(link(3, 7'000'000'000'000, batch.back().hash));
  s_->AppendLinks(p.id, batch);
  auto page = s_->FindPage("/batch");
  EXPECT_EQ(page->chain_head, batch.back().hash);
  EXPECT_EQ(page->chain_len, 3);
  EXPECT_EQ(page->active_at, 9'000'000'000'000);
  s_->AppendLink(p.id, link(4, 8'000'000'000'000, batch.back().hash));
  tx.Commit();
  page = s_->FindPage("/batch");
  EXPECT_EQ(page->chain_len, 4);
  EXPECT_EQ(page->chain_head, link(4, 0, "").hash);
  EXPECT_EQ(page->active_at, 9'000'000'000'000);
  const auto links = s_->ListPageLinks(p.id);
  ASSERT_EQ(links.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(links[i].seq, i + 1);
  EXPECT_EQ(links[1].prev_hash, links[0].hash);
  EXPECT_EQ(links[2].body_markdown, "v3");
}

INSTANTIATE_TEST_SUITE_P(Backends, ChainStoreContract, AllBackends(), BackendName);

}  // namespace
}  // namespace amur::store
