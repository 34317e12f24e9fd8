// The store contract, CommentStore section: comments, threads, counts and votes. Every backend runs
// it unchanged (the fixture and the list of backends are in store_contract.hpp).
#include "store_contract.hpp"

namespace amur::store {
namespace {

class CommentStoreContract : public StoreContract {};

TEST_P(CommentStoreContract, CommentRoundTripsEveryField) {
  Page p = NewPage("/rt");
  Comment c = MakeComment(p, "hello");
  c.quote = Quote{"exact words", "before ", " after"};
  c.author_role = "moderator";
  c.is_guest = false;
  c.edited_at = 7000;
  c.edited_by = "Mod";
  c.upvotes = 3;
  c.downvotes = 1;
  const CommentId id = Insert(c);
  auto got = s_->FindComment(id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->id, id);
  EXPECT_EQ(got->page_id, p.id);
  EXPECT_FALSE(got->parent_id.has_value());
  EXPECT_EQ(got->depth, 1);
  EXPECT_EQ(got->author_name, "Ann");
  EXPECT_EQ(got->author_email, "ann@example.com");
  EXPECT_FALSE(got->is_guest);
  EXPECT_EQ(got->author_role, "moderator");
  EXPECT_EQ(got->body_markdown, "hello");
  EXPECT_EQ(got->body_html, "<p>hello</p>");
  EXPECT_EQ(got->state, CommentState::kApproved);
  EXPECT_EQ(got->created_at, 5000);
  EXPECT_EQ(got->edited_at, 7000);
  EXPECT_EQ(got->edited_by, "Mod");
  EXPECT_EQ(got->upvotes, 3);
  EXPECT_EQ(got->downvotes, 1);
  EXPECT_EQ(got->hash, std::string(64, 'a'));
  EXPECT_EQ(got->edit_token_hash, std::string(64, 'b'));
  EXPECT_EQ(got->client_address, "127.0.0.1");
  ASSERT_TRUE(got->quote);
  EXPECT_EQ(got->quote->exact, "exact words");
  EXPECT_EQ(got->quote->prefix, "before ");
  EXPECT_EQ(got->quote->suffix, " after");
  EXPECT_FALSE(s_->FindComment(id + 1000).has_value());
}

TEST_P(CommentStoreContract, HostileTextIsStoredVerbatim) {
  Page p = NewPage("/hostile");
  const std::string evil = "'; DROP TABLE comments; -- \"\\ \x01 ☃ 𝄞";
  Comment c = MakeComment(p, evil);
  c.author_name = evil;
  const CommentId id = Insert(c);
  EXPECT_EQ(s_->FindComment(id)->body_markdown, evil);
  EXPECT_EQ(s_->FindComment(id)->author_name, evil);
}

TEST_P(CommentStoreContract, VisibleCommentsAreApprovedAndTombstonesInIdOrder) {
  Page p = NewPage("/v");
  Page other = NewPage("/other");
  std::vector<CommentId> ids;
  for (auto state : {CommentState::kApproved, CommentState::kPending, CommentState::kDeleted,
                     CommentState::kRemoved, CommentState::kRejected, CommentState::kSpam,
                     CommentState::kApproved}) {
    Comment c = MakeComment(p, CommentStateName(state));
    c.state = state;
    ids.push_back(Insert(c));
  }
  Insert(MakeComment(other, "elsewhere"));
  auto visible = s_->ListVisibleComments(p.id);
  ASSERT_EQ(visible.size(), 3u);
  EXPECT_EQ(visible[0].id, ids[0]);
  EXPECT_EQ(visible[1].id, ids[2]);
  EXPECT_EQ(visible[2].id, ids[6]);
  EXPECT_EQ(s_->ListAllComments(p.id).size(), 7u);
  // The chain check's rows: every state, the fields it compares, id order.
  const auto all = s_->ListAllComments(p.id);
  const auto chain = s_->ListChainRows(p.id);
  ASSERT_EQ(chain.size(), 7u);
  for (std::size_t i = 0; i < chain.size(); ++i) {
    EXPECT_EQ(chain[i].id, all[i].id);
    EXPECT_EQ(chain[i].parent_id, all[i].parent_id);
    EXPECT_EQ(chain[i].author_name, all[i].author_name);
    EXPECT_EQ(chain[i].state, all[i].state);
    EXPECT_EQ(chain[i].body_markdown, all[i].body_markdown);
    EXPECT_EQ(chain[i].hash, all[i].hash);
  }
}

TEST_P(CommentStoreContract, CommentsSinceAreTheNewestOfTheWindowOldestFirst) {
  const Page p = NewPage("/since");
  const Page q = NewPage("/since-2");
  EXPECT_TRUE(s_->ListCommentsSince(0, 10).empty());
  // Created out of id order (an import writes old comments late), every state.
  struct Row {
    TimeMs at;
    CommentState state;
    const Page* page;
  };
  const Row rows[] = {{1000, CommentState::kApproved, &p}, {9000, CommentState::kPending, &q},
                      {5000, CommentState::kSpam, &p},     {2000, CommentState::kApproved, &q},
                      {7000, CommentState::kRejected, &p}, {7000, CommentState::kDeleted, &p}};
  std::vector<CommentId> ids;
  for (const Row& r : rows) {
    Comment c = MakeComment(*r.page, "text at " + std::to_string(r.at));
    c.created_at = r.at;
    c.state = r.state;
    ids.push_back(Insert(c));
  }
  Comment guest = MakeComment(p, "a guest with no name or email");
  guest.author_name = std::nullopt;
  guest.author_email = std::nullopt;
  guest.client_address = "2001:db8::1";
  guest.created_at = 9000;
  const CommentId guest_id = Insert(guest);

  const std::vector<ScreenedText> all = s_->ListCommentsSince(5000, 100);
  std::vector<CommentId> got;
  for (const auto& t : all) got.push_back(t.id);
  // 5000, 7000 (two, by id), 9000 (two, by id).
  EXPECT_EQ(got, (std::vector<CommentId>{ids[2], ids[4], ids[5], ids[1], guest_id}));
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[0].created_at, 5000);
  EXPECT_EQ(all[0].author_name, "Ann");
  EXPECT_EQ(all[0].author_email, "ann@example.com");
  EXPECT_EQ(all[0].client_address, "127.0.0.1");
  EXPECT_EQ(all[0].body_markdown, "text at 5000");
  EXPECT_FALSE(all[4].author_name.has_value());
  EXPECT_FALSE(all[4].author_email.has_value());
  EXPECT_EQ(all[4].client_address, "2001:db8::1");

  // The limit keeps the newest, still oldest first.
  const auto newest = s_->ListCommentsSince(0, 3);
  ASSERT_EQ(newest.size(), 3u);
  EXPECT_EQ(newest[0].id, ids[5]);
  EXPECT_EQ(newest[1].id, ids[1]);
  EXPECT_EQ(newest[2].id, guest_id);
  EXPECT_TRUE(s_->ListCommentsSince(9001, 10).empty());
  EXPECT_TRUE(s_->ListCommentsSince(0, 0).empty());
}

TEST_P(CommentStoreContract, NewestApprovedAreApprovedOnlyNewestFirstPerPageOrSiteWide) {
  const Page p = NewPage("/feed");
  const Page q = NewPage("/feed-2");
  EXPECT_TRUE(s_->ListNewestApproved(std::nullopt, 10).empty());
  EXPECT_TRUE(s_->ListNewestApproved(p.id, 10).empty());
  struct Row {
    CommentState state;
    const Page* page;
  };
  const Row rows[] = {{CommentState::kApproved, &p}, {CommentState::kPending, &p},
                      {CommentState::kApproved, &q}, {CommentState::kDeleted, &p},
                      {CommentState::kRemoved, &p},  {CommentState::kRejected, &q},
                      {CommentState::kSpam, &p},     {CommentState::kApproved, &p}};
  std::vector<CommentId> ids;
  for (const Row& r : rows) {
    Comment c = MakeComment(*r.page, CommentStateName(r.state));
    c.state = r.state;
    ids.push_back(Insert(c));
  }
  auto ids_of = [](const std::vector<Comment>& cs) {
    std::vector<CommentId> out;
    for (const auto& c : cs) out.push_back(c.id);
    return out;
  };
  const auto site = s_->ListNewestApproved(std::nullopt, 10);
  EXPECT_EQ(ids_of(site), (std::vector<CommentId>{ids[7], ids[2], ids[0]}));
  ASSERT_EQ(site.size(), 3u);
  EXPECT_EQ(site[1].page_id, q.id);
  EXPECT_EQ(site[0].body_html, "<p>approved</p>");
  EXPECT_EQ(ids_of(s_->ListNewestApproved(p.id, 10)), (std::vector<CommentId>{ids[7], ids[0]}));
  EXPECT_EQ(ids_of(s_->ListNewestApproved(q.id, 10)), (std::vector<CommentId>{ids[2]}));
  // The limit keeps the newest.
  EXPECT_EQ(ids_of(s_->ListNewestApproved(std::nullopt, 2)),
            (std::vector<CommentId>{ids[7], ids[2]}));
  EXPECT_EQ(ids_of(s_->ListNewestApproved(p.id, 1)), (std::vector<CommentId>{ids[7]}));
  EXPECT_TRUE(s_->ListNewestApproved(std::nullopt, 0).empty());
  EXPECT_TRUE(s_->ListNewestApproved(p.id + q.id + 100, 10).empty());
  // A comment leaving the approved state leaves the list.
  Comment held = *s_->FindComment(ids[7]);
  held.state = CommentState::kPending;
  s_->UpdateComment(held);
  EXPECT_EQ(ids_of(s_->ListNewestApproved(p.id, 10)), (std::vector<CommentId>{ids[0]}));
}

TEST_P(CommentStoreContract, UpdateRewritesMutableColumns) {
  Page p = NewPage("/u");
  Comment c = MakeComment(p, "before");
  c.id = Insert(c);
  c.body_markdown = "after";
  c.body_html = "<p>after</p>";
  c.state = CommentState::kDeleted;
  c.edited_at = 9000;
  c.edited_by = "Ann";
  c.hash = std::string(64, 'c');
  c.author_name.reset();
  {
    WriteTransaction tx(*s_);
    s_->UpdateComment(c);
    tx.Commit();
  }
  auto got = s_->FindComment(c.id);
  EXPECT_EQ(got->body_markdown, "after");
  EXPECT_EQ(got->state, CommentState::kDeleted);
  EXPECT_EQ(got->edited_at, 9000);
  EXPECT_EQ(got->hash, std::string(64, 'c'));
  EXPECT_FALSE(got->author_name.has_value());
  EXPECT_EQ(got->author_email, "ann@example.com");
}

TEST_P(CommentStoreContract, CountsVisibleRepliesAndApprovedPerPage) {
  Page p = NewPage("/n");
  const CommentId root = Insert(MakeComment(p, "root"));
  Insert(MakeComment(p, "r1", root));
  Comment pending = MakeComment(p, "r2", root);
  pending.state = CommentState::kPending;
  Insert(pending);
  Comment tomb = MakeComment(p, "r3", root);
  tomb.state = CommentState::kDeleted;
  Insert(tomb);
  EXPECT_EQ(s_->CountVisibleReplies(root), 2);
  EXPECT_EQ(s_->CountPendingReplies(root), 1);
  auto counts = s_->CountApproved({"/n", "/unknown"});
  EXPECT_EQ(counts["/n"], 2);
  EXPECT_EQ(counts["/unknown"], 0);
  EXPECT_EQ(counts.size(), 2u);
}

TEST_P(CommentStoreContract, VotesReplaceAndRetract) {
  Page p = NewPage("/votes");
  const CommentId id = Insert(MakeComment(p, "x"));
  WriteTransaction tx(*s_);
  auto t = s_->SetVote({id, "voter-a", "net-1", 1});
  EXPECT_EQ(t.upvotes, 1);
  EXPECT_EQ(t.downvotes, 0);
  t = s_->SetVote({id, "voter-a", "net-1", 1});  // same vote again: no change
  EXPECT_EQ(t.upvotes, 1);
  t = s_->SetVote({id, "voter-b", "net-1", -1});
  EXPECT_EQ(t.downvotes, 1);
  t = s_->SetVote({id, "voter-a", "net-1", -1});  // change
  EXPECT_EQ(t.upvotes, 0);
  EXPECT_EQ(t.downvotes, 2);
  EXPECT_EQ(s_->GetVote(id, "voter-a"), -1);
  t = s_->SetVote({id, "voter-a", "net-1", 0});  // retract
  EXPECT_EQ(t.downvotes, 1);
  EXPECT_EQ(s_->GetVote(id, "voter-a"), 0);
  EXPECT_EQ(s_->GetVote(id, "nobody"), 0);
  tx.Commit();
  EXPECT_EQ(s_->FindComment(id)->downvotes, 1);
}

TEST_P(CommentStoreContract, VotersAreCountedPerNetwork) {
  Page p = NewPage("/vote-nets");
  const CommentId id = Insert(MakeComment(p, "x"));
  const CommentId other = Insert(MakeComment(p, "y"));
  WriteTransaction tx(*s_);
  s_->SetVote({id, "a", "office", 1});
  s_->SetVote({id, "b", "office", -1});
  s_->SetVote({id, "c", "home", 1});
  s_->SetVote({other, "d", "office", 1});
  EXPECT_EQ(s_->CountNetworkVoters(id, "office"), 2);
  EXPECT_EQ(s_->CountNetworkVoters(id, "home"), 1);
  EXPECT_EQ(s_->CountNetworkVoters(id, "cafe"), 0);
  s_->SetVote({id, "b", "office", 0});  // a retracted vote no longer counts
  EXPECT_EQ(s_->CountNetworkVoters(id, "office"), 1);
  tx.Commit();
}

INSTANTIATE_TEST_SUITE_P(Backends, CommentStoreContract, AllBackends(), BackendName);

}  // namespace
}  // namespace amur::store
