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

// In bulk writes (an import's session) a long batch of links (more than
// one multi-row statement holds) keeps every row and column in order, other
// sessions see the commit, and ending bulk writes keeps it all.
TEST_P(ChainStoreContract, BulkWritesKeepEveryLinkOfALongBatch) {
  Page p = NewPage("/bulk");
  s_->SetBulkWrites(true);
  std::vector<ChainLink> batch;
  {
    WriteTransaction tx(*s_);
    for (int i = 1; i <= 19; ++i) {
      const CommentId id = s_->InsertComment(MakeComment(p, "c" + std::to_string(i)));
      ChainLink l;
      l.seq = i;
      l.comment_id = id;
      l.n = 1;
      l.parent_id = i > 1 ? std::optional<CommentId>(batch.back().comment_id) : std::nullopt;
      if (i % 2) l.author_name = "Ann " + std::to_string(i);
      l.state = i % 3 ? CommentState::kApproved : CommentState::kPending;
      l.body_markdown = "body " + std::to_string(i);
      l.at = 1000 + i;
      l.prev_hash = batch.empty() ? kZeroHash : batch.back().hash;
      l.hash = std::string(62, 'c') + std::to_string(10 + i);
      l.content_hash = std::string(62, 'd') + std::to_string(10 + i);
      batch.push_back(l);
    }
    s_->AppendLinks(p.id, batch);
    tx.Commit();
  }
  auto other = store_->OpenSession();
  EXPECT_EQ(other->FindPage("/bulk")->chain_len, 19);
  s_->SetBulkWrites(false);
  const auto links = other->ListPageLinks(p.id);
  ASSERT_EQ(links.size(), batch.size());
  for (std::size_t i = 0; i < links.size(); ++i) {
    EXPECT_EQ(links[i].seq, batch[i].seq);
    EXPECT_EQ(links[i].comment_id, batch[i].comment_id);
    EXPECT_EQ(links[i].parent_id, batch[i].parent_id);
    EXPECT_EQ(links[i].author_name, batch[i].author_name);
    EXPECT_EQ(links[i].state, batch[i].state);
    EXPECT_EQ(links[i].body_markdown, batch[i].body_markdown);
    EXPECT_EQ(links[i].at, batch[i].at);
    EXPECT_EQ(links[i].prev_hash, batch[i].prev_hash);
    EXPECT_EQ(links[i].hash, batch[i].hash);
    EXPECT_EQ(links[i].content_hash, batch[i].content_hash);
  }
  EXPECT_EQ(s_->FindPage("/bulk")->chain_head, batch.back().hash);
}

// What a scan's views held, copied while the visit ran.
struct ScannedLink {
  std::int64_t seq;
  CommentId comment_id;
  std::optional<CommentId> parent_id;
  std::optional<std::string> author_name;
  CommentState state;
  std::string body_markdown;
  TimeMs at;
  std::string prev_hash;
  std::string hash;
  int format;
  std::string content_hash;
  bool erased;
};

std::optional<std::string> Copy(const std::optional<std::string_view>& v) {
  return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
}

TEST_P(ChainStoreContract, ScansGiveWhatTheListsGiveWithoutBuildingRecords) {
  const Page p = NewPage("/scan");
  const Page other = NewPage("/scan-other");
  const CommentId c1 = Insert(MakeComment(p, "one"));
  Comment reply = MakeComment(p, "", c1);
  reply.author_name.reset();
  reply.state = CommentState::kDeleted;
  const CommentId c2 = Insert(reply);
  Comment unnamed = MakeComment(p, "three, with a name that is empty");
  unnamed.author_name = "";
  unnamed.hash = std::string(64, 'c');
  const CommentId c3 = Insert(unnamed);
  const CommentId elsewhere = Insert(MakeComment(other, "elsewhere"));
  {
    WriteTransaction tx(*s_);
    // A format 2 link, a format 1 tombstone with no author, an erased
    // version, a link with an empty author name; one link on another page.
    std::string prev = kZeroHash;
    auto append = [&](ChainLink l) {
      l.prev_hash = prev;
      l.hash = std::string(63, 'a') + static_cast<char>('0' + l.seq);
      s_->AppendLink(p.id, l);
      prev = l.hash;
    };
    ChainLink l;
    l.seq = 1, l.comment_id = c1, l.n = 1, l.author_name = "Ann", l.body_markdown = "one",
    l.at = 1001, l.content_hash = std::string(64, 'e');
    append(l);
    l = ChainLink{};
    l.seq = 2, l.comment_id = c2, l.n = 1, l.parent_id = c1, l.state = CommentState::kDeleted,
    l.at = 1002, l.editor = "Bo", l.format = 1;
    append(l);
    l = ChainLink{};
    l.seq = 3, l.comment_id = c1, l.n = 2, l.state = CommentState::kRemoved, l.at = 1003,
    l.content_hash = std::string(64, 'f'), l.erased = true;
    append(l);
    l = ChainLink{};
    l.seq = 4, l.comment_id = c3, l.n = 1, l.author_name = "",
    l.body_markdown = "three, with a name that is empty", l.at = 1004;
    append(l);
    ChainLink far;
    far.seq = 1, far.comment_id = elsewhere, far.n = 1, far.author_name = "Ann",
    far.body_markdown = "elsewhere", far.at = 1005, far.prev_hash = kZeroHash,
    far.hash = std::string(64, '9');
    s_->AppendLink(other.id, far);
    tx.Commit();
  }

  std::vector<ScannedLink> scanned;
  s_->ScanPageLinks(p.id, [&](const ChainLinkView& v) {
    scanned.push_back({v.seq, v.comment_id, v.parent_id, Copy(v.author_name), v.state,
                       std::string(v.body_markdown), v.at, std::string(v.prev_hash),
                       std::string(v.hash), v.format, std::string(v.content_hash), v.erased});
  });
  const auto links = s_->ListPageLinks(p.id);
  ASSERT_EQ(links.size(), 4u);
  ASSERT_EQ(scanned.size(), links.size());
  for (std::size_t i = 0; i < links.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(scanned[i].seq, links[i].seq);
    EXPECT_EQ(scanned[i].comment_id, links[i].comment_id);
    EXPECT_EQ(scanned[i].parent_id, links[i].parent_id);
    EXPECT_EQ(scanned[i].author_name, links[i].author_name);
    EXPECT_EQ(scanned[i].state, links[i].state);
    EXPECT_EQ(scanned[i].body_markdown, links[i].body_markdown);
    EXPECT_EQ(scanned[i].at, links[i].at);
    EXPECT_EQ(scanned[i].prev_hash, links[i].prev_hash);
    EXPECT_EQ(scanned[i].hash, links[i].hash);
    EXPECT_EQ(scanned[i].format, links[i].format);
    EXPECT_EQ(scanned[i].content_hash, links[i].content_hash);
    EXPECT_EQ(scanned[i].erased, links[i].erased);
  }
  // The values themselves, so that both lists cannot be wrong the same way.
  EXPECT_EQ(scanned[0].author_name, "Ann");
  EXPECT_EQ(scanned[1].parent_id, c1);
  EXPECT_FALSE(scanned[1].author_name.has_value());
  EXPECT_EQ(scanned[1].state, CommentState::kDeleted);
  EXPECT_EQ(scanned[1].format, 1);
  EXPECT_TRUE(scanned[2].erased);
  EXPECT_EQ(scanned[2].content_hash, std::string(64, 'f'));
  EXPECT_EQ(scanned[3].author_name, "");
  EXPECT_EQ(scanned[3].prev_hash, scanned[2].hash);
  int empty_page = 0;
  s_->ScanPageLinks(other.id + 100, [&](const ChainLinkView&) { ++empty_page; });
  EXPECT_EQ(empty_page, 0);

  struct ScannedRow {
    CommentId id;
    std::optional<CommentId> parent_id;
    std::optional<std::string> author_name;
    CommentState state;
    std::string body_markdown;
    std::string hash;
  };
  std::vector<ScannedRow> rows_scanned;
  s_->ScanChainRows(p.id, [&](const ChainRowView& v) {
    rows_scanned.push_back({v.id, v.parent_id, Copy(v.author_name), v.state,
                            std::string(v.body_markdown), std::string(v.hash)});
  });
  const auto rows = s_->ListChainRows(p.id);
  ASSERT_EQ(rows.size(), 3u);
  ASSERT_EQ(rows_scanned.size(), rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(rows_scanned[i].id, rows[i].id);
    EXPECT_EQ(rows_scanned[i].parent_id, rows[i].parent_id);
    EXPECT_EQ(rows_scanned[i].author_name, rows[i].author_name);
    EXPECT_EQ(rows_scanned[i].state, rows[i].state);
    EXPECT_EQ(rows_scanned[i].body_markdown, rows[i].body_markdown);
    EXPECT_EQ(rows_scanned[i].hash, rows[i].hash);
  }
  EXPECT_EQ(rows_scanned[0].id, c1);
  EXPECT_EQ(rows_scanned[1].parent_id, c1);
  EXPECT_FALSE(rows_scanned[1].author_name.has_value());
  EXPECT_EQ(rows_scanned[1].state, CommentState::kDeleted);
  EXPECT_EQ(rows_scanned[2].author_name, "");
  EXPECT_EQ(rows_scanned[2].hash, std::string(64, 'c'));
}

INSTANTIATE_TEST_SUITE_P(Backends, ChainStoreContract, AllBackends(), BackendName);

}  // namespace
}  // namespace amur::store
