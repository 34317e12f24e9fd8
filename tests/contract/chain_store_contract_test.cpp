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

INSTANTIATE_TEST_SUITE_P(Backends, ChainStoreContract, AllBackends(), BackendName);

}  // namespace
}  // namespace amur::store
