// The storage contract: every backend runs this suite unchanged (the fixture
// and the list of backends are in store_contract.hpp). This file covers
// pages, comments, votes, the hash chain, accounts, moderation and settings.
#include "store_contract.hpp"

namespace amur::store {
namespace {

TEST_P(StoreContract, UnknownPageIsAbsent) {
  EXPECT_FALSE(s_->FindPage("/nowhere").has_value());
  EXPECT_FALSE(s_->FindPageById(12345).has_value());
}

TEST_P(StoreContract, UpsertCreatesOnceAndKeepsFirstTitleAndUrl) {
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

TEST_P(StoreContract, PageKeysAreExactBytes) {
  NewPage("/Straße");
  NewPage("/strasse");
  EXPECT_NE(s_->FindPage("/Straße")->id, s_->FindPage("/strasse")->id);
  EXPECT_FALSE(s_->FindPage("/STRASSE").has_value());
}

TEST_P(StoreContract, ClosePage) {
  NewPage("/c");
  WriteTransaction tx(*s_);
  EXPECT_TRUE(s_->SetPageClosed("/c", true));
  EXPECT_FALSE(s_->SetPageClosed("/missing", true));
  tx.Commit();
  EXPECT_TRUE(s_->FindPage("/c")->closed);
}

TEST_P(StoreContract, ListPagesPagesById) {
  for (int i = 0; i < 5; ++i) NewPage("/p" + std::to_string(i));
  auto first = s_->ListPages(0, 2);
  ASSERT_EQ(first.size(), 2u);
  auto rest = s_->ListPages(first.back().id, 10);
  ASSERT_EQ(rest.size(), 3u);
  EXPECT_GT(rest.front().id, first.back().id);
}

TEST_P(StoreContract, CommentRoundTripsEveryField) {
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

TEST_P(StoreContract, HostileTextIsStoredVerbatim) {
  Page p = NewPage("/hostile");
  const std::string evil = "'; DROP TABLE comments; -- \"\\ \x01 ☃ 𝄞";
  Comment c = MakeComment(p, evil);
  c.author_name = evil;
  const CommentId id = Insert(c);
  EXPECT_EQ(s_->FindComment(id)->body_markdown, evil);
  EXPECT_EQ(s_->FindComment(id)->author_name, evil);
}

TEST_P(StoreContract, VisibleCommentsAreApprovedAndTombstonesInIdOrder) {
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
}

TEST_P(StoreContract, CommentsSinceAreTheNewestOfTheWindowOldestFirst) {
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

TEST_P(StoreContract, UpdateRewritesMutableColumns) {
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

TEST_P(StoreContract, CountsVisibleRepliesAndApprovedPerPage) {
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

TEST_P(StoreContract, LinksAppendInOrderAndMoveTheHead) {
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
  EXPECT_EQ(s_->ListCommentLinks(id).size(), 3u);
  EXPECT_EQ(s_->CountCommentLinks(id), 3);
  EXPECT_EQ(s_->CountCommentLinks(id + 1), 0);
}

TEST_P(StoreContract, VotesReplaceAndRetract) {
  Page p = NewPage("/votes");
  const CommentId id = Insert(MakeComment(p, "x"));
  WriteTransaction tx(*s_);
  auto t = s_->SetVote(id, "voter-a", 1);
  EXPECT_EQ(t.upvotes, 1);
  EXPECT_EQ(t.downvotes, 0);
  t = s_->SetVote(id, "voter-a", 1);  // same vote again: no change
  EXPECT_EQ(t.upvotes, 1);
  t = s_->SetVote(id, "voter-b", -1);
  EXPECT_EQ(t.downvotes, 1);
  t = s_->SetVote(id, "voter-a", -1);  // change
  EXPECT_EQ(t.upvotes, 0);
  EXPECT_EQ(t.downvotes, 2);
  EXPECT_EQ(s_->GetVote(id, "voter-a"), -1);
  t = s_->SetVote(id, "voter-a", 0);  // retract
  EXPECT_EQ(t.downvotes, 1);
  EXPECT_EQ(s_->GetVote(id, "voter-a"), 0);
  EXPECT_EQ(s_->GetVote(id, "nobody"), 0);
  tx.Commit();
  EXPECT_EQ(s_->FindComment(id)->downvotes, 1);
}

TEST_P(StoreContract, RollbackLeavesNoTrace) {
  Page p = NewPage("/rb");
  {
    WriteTransaction tx(*s_);
    s_->InsertComment(MakeComment(p, "never"));
    s_->UpsertPage({"/rb-new", std::nullopt, std::nullopt, 1});
  }  // no commit
  EXPECT_TRUE(s_->ListAllComments(p.id).empty());
  EXPECT_FALSE(s_->FindPage("/rb-new").has_value());
}

TEST_P(StoreContract, SavepointRollbackKeepsTheRestOfTheBatch) {
  Page p = NewPage("/sp");
  WriteTransaction tx(*s_);
  s_->Savepoint();
  s_->InsertComment(MakeComment(p, "kept"));
  s_->ReleaseSavepoint();
  s_->Savepoint();
  s_->InsertComment(MakeComment(p, "dropped"));
  s_->RollbackToSavepoint();
  s_->Savepoint();
  s_->InsertComment(MakeComment(p, "kept too"));
  s_->ReleaseSavepoint();
  tx.Commit();
  auto all = s_->ListAllComments(p.id);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].body_markdown, "kept");
  EXPECT_EQ(all[1].body_markdown, "kept too");
}

TEST_P(StoreContract, CommittedDataIsSeenByAnotherSession) {
  Page p = NewPage("/shared");
  Insert(MakeComment(p, "x"));
  auto other = store_->OpenSession();
  other->BeginRead();
  EXPECT_EQ(other->ListVisibleComments(p.id).size(), 1u);
  other->Commit();
}

TEST_P(StoreContract, Settings) {
  EXPECT_FALSE(s_->GetSetting("k").has_value());
  WriteTransaction tx(*s_);
  s_->PutSetting("k", "v1");
  s_->PutSetting("k", "v2");
  tx.Commit();
  EXPECT_EQ(s_->GetSetting("k"), "v2");
}

TEST_P(StoreContract, PingAndMigrateAgain) {
  EXPECT_TRUE(s_->Ping());
  NewPage("/keep");
  store_->Migrate();
  EXPECT_TRUE(s_->FindPage("/keep").has_value());
}

TEST_P(StoreContract, UsersAreUniqueByEmail) {
  User u;
  u.email = "ann@example.com";
  u.name = "Ann";
  u.role = Role::kModerator;
  u.password_hash = "$argon2id$…";
  u.created_at = 1;
  WriteTransaction tx(*s_);
  auto id = s_->InsertUser(u);
  ASSERT_TRUE(id.has_value());
  EXPECT_FALSE(s_->InsertUser(u).has_value());
  tx.Commit();
  auto found = s_->FindUserByEmail("ann@example.com");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, *id);
  EXPECT_EQ(found->role, Role::kModerator);
  EXPECT_EQ(found->password_hash, "$argon2id$…");
  EXPECT_EQ(s_->FindUserById(*id)->name, "Ann");
  EXPECT_FALSE(s_->FindUserByEmail("bob@example.com").has_value());
}

TEST_P(StoreContract, SessionsAreFoundByHashAndDeleted) {
  User u;
  u.email = "s@example.com";
  u.name = "S";
  u.password_hash = "x";
  WriteTransaction tx(*s_);
  const auto uid = *s_->InsertUser(u);
  s_->InsertSession(Session{"hash-1", uid, "csrf", 10, 20});
  tx.Commit();
  auto found = s_->FindSession("hash-1");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->user_id, uid);
  EXPECT_EQ(found->csrf_token, "csrf");
  EXPECT_EQ(found->expires_at, 20);
  WriteTransaction tx2(*s_);
  s_->DeleteSession("hash-1");
  tx2.Commit();
  EXPECT_FALSE(s_->FindSession("hash-1").has_value());
}

TEST_P(StoreContract, ModerationColumnsQueuesAndReports) {
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
  auto pending = s_->ListQueue(CommentState::kPending, false, 0, 0, 10);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].id, hid);
  WriteTransaction tx(*s_);
  EXPECT_EQ(s_->CountReportNetworks(aid), 0);
  EXPECT_TRUE(s_->AddReport(aid, "r1", "n1", "abuse", "", 1));
  EXPECT_FALSE(s_->AddReport(aid, "r1", "n2", "spam", "", 2));
  EXPECT_TRUE(s_->AddReport(aid, "r2", "n1", "spam", "note", 3));
  EXPECT_EQ(s_->CountReportNetworks(aid), 1);  // two readers, one network
  EXPECT_TRUE(s_->AddReport(aid, "r3", "n3", "other", "", 4));
  tx.Commit();
  EXPECT_EQ(s_->FindComment(aid)->report_count, 3);
  EXPECT_EQ(s_->CountReportNetworks(aid), 2);
  EXPECT_EQ(s_->ListQueue(std::nullopt, true, 3, 0, 10).size(), 1u);
  EXPECT_TRUE(s_->ListQueue(std::nullopt, true, 4, 0, 10).empty());
  WriteTransaction tx2(*s_);
  s_->ClearReports(aid);
  s_->SetModeration(hid, CommentState::kRejected, {"manual"}, 0.5);
  s_->SetPinned(aid, true);
  tx2.Commit();
  EXPECT_EQ(s_->FindComment(aid)->report_count, 0);
  EXPECT_TRUE(s_->FindComment(aid)->pinned);
  EXPECT_EQ(s_->FindComment(hid)->state, CommentState::kRejected);
  EXPECT_EQ(s_->ListQueue(CommentState::kRejected, false, 0, 0, 10).size(), 1u);
  EXPECT_EQ(s_->CountApprovedByAuthor("127.0.0.1", ""), 1);
  EXPECT_EQ(s_->CountApprovedByAuthor("10.0.0.1", "ANN@example.com"), 1);
  EXPECT_EQ(s_->CountApprovedByAuthor("10.0.0.1", ""), 0);
  EXPECT_EQ(s_->ListByAuthor("127.0.0.1", std::nullopt, 10).size(), 2u);
}

TEST_P(StoreContract, BansMatchAnyIdentityUntilTheyEnd) {
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
  EXPECT_TRUE(s_->FindActiveBan("192.0.2.7", "", std::nullopt, 500).has_value());
  EXPECT_TRUE(s_->FindActiveBan("198.51.100.1", "e-hash", std::nullopt, 500).has_value());
  EXPECT_FALSE(s_->FindActiveBan("198.51.100.1", "", std::nullopt, 500).has_value());
  EXPECT_FALSE(s_->FindActiveBan("192.0.2.7", "", std::nullopt, 1000).has_value());  // expired
  EXPECT_EQ(s_->ListBans(true, 500, 0, 10).size(), 1u);
  WriteTransaction tx2(*s_);
  EXPECT_TRUE(s_->EndBan(b.id, 600));
  EXPECT_FALSE(s_->EndBan(b.id, 700));
  tx2.Commit();
  EXPECT_TRUE(s_->ListBans(true, 650, 0, 10).empty());
  EXPECT_EQ(s_->ListBans(false, 650, 0, 10).size(), 1u);
}

TEST_P(StoreContract, AuditIsAppendOnly) {
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

TEST_P(StoreContract, PageFlags) {
  NewPage("/flags");
  WriteTransaction tx(*s_);
  EXPECT_TRUE(s_->SetPagePremoderate("/flags", true));
  EXPECT_FALSE(s_->SetPagePremoderate("/missing", true));
  tx.Commit();
  EXPECT_TRUE(s_->FindPage("/flags")->premoderate);
}

TEST_P(StoreContract, QueueCountsMatchTheQueues) {
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
  s_->AddReport(a, "r1", "n1", "abuse", "", 1);
  s_->AddReport(a, "r2", "n2", "abuse", "", 2);
  s_->AddReport(b, "r1", "n1", "abuse", "", 3);
  tx.Commit();
  const QueueCounts n = s_->CountQueues(2);
  EXPECT_EQ(n.pending, 2);
  EXPECT_EQ(n.rejected, 1);
  EXPECT_EQ(n.spam, 1);
  EXPECT_EQ(n.reported, 1);
  EXPECT_EQ(n.reported, static_cast<std::int64_t>(s_->ListQueue(std::nullopt, true, 2, 0, 50).size()));
  EXPECT_EQ(n.pending,
            static_cast<std::int64_t>(s_->ListQueue(CommentState::kPending, false, 0, 0, 50).size()));
  EXPECT_EQ(s_->CountQueues(1).reported, 2);
  EXPECT_EQ(s_->CountQueues(3).reported, 0);
}

TEST_P(StoreContract, PagesByActivityAndTheirCounts) {
  Page old = NewPage("/old");      // created at 1000
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

TEST_P(StoreContract, UsersAreListedChangedAndDisabled) {
  auto add = [&](const std::string& email, Role role) {
    User u;
    u.email = email;
    u.name = email.substr(0, email.find('@'));
    u.role = role;
    u.password_hash = "h";
    u.created_at = 7;
    WriteTransaction tx(*s_);
    const auto id = *s_->InsertUser(u);
    tx.Commit();
    return id;
  };
  const auto a = add("ada@example.com", Role::kAdmin);
  const auto m = add("mia@example.com", Role::kModerator);
  const auto b = add("bob@example.com", Role::kMember);
  auto all = s_->ListUsers(0, 10);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, a);
  EXPECT_EQ(all[0].created_at, 7);
  EXPECT_FALSE(all[0].disabled);
  auto after = s_->ListUsers(a, 1);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].id, m);
  EXPECT_EQ(s_->CountActiveAdmins(), 1);
  WriteTransaction tx(*s_);
  s_->InsertSession(Session{"m-1", m, "c", 1, 99});
  s_->InsertSession(Session{"m-2", m, "c", 1, 99});
  s_->InsertSession(Session{"b-1", b, "c", 1, 99});
  EXPECT_TRUE(s_->SetUserRole(b, Role::kAdmin));
  EXPECT_TRUE(s_->SetUserDisabled(m, true));
  EXPECT_FALSE(s_->SetUserDisabled(999, true));
  EXPECT_FALSE(s_->SetUserRole(999, Role::kAdmin));
  EXPECT_EQ(s_->DeleteUserSessions(m), 2);
  tx.Commit();
  EXPECT_TRUE(s_->FindUserById(m)->disabled);
  EXPECT_TRUE(s_->FindUserByEmail("mia@example.com")->disabled);
  EXPECT_EQ(s_->FindUserById(b)->role, Role::kAdmin);
  EXPECT_EQ(s_->CountActiveAdmins(), 2);
  EXPECT_FALSE(s_->FindSession("m-1").has_value());
  EXPECT_TRUE(s_->FindSession("b-1").has_value());
  WriteTransaction tx2(*s_);
  s_->SetUserDisabled(b, true);
  tx2.Commit();
  EXPECT_EQ(s_->CountActiveAdmins(), 1);
}

TEST_P(StoreContract, BansKeepTheirComment) {
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
  auto bans = s_->ListBans(true, 500, 0, 10);
  ASSERT_EQ(bans.size(), 2u);
  EXPECT_EQ(bans[0].id, other.id);
  EXPECT_FALSE(bans[0].comment_id.has_value());
  EXPECT_EQ(bans[1].comment_id, 42);
  EXPECT_FALSE(bans[1].expires_at.has_value());
  EXPECT_EQ(s_->FindActiveBan("192.0.2.9", "", std::nullopt, 500)->comment_id, 42);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContract, AllBackends(), BackendName);

TEST(OpenStore, RejectsUnknownUrls) {
  EXPECT_THROW(OpenStore("mysql://x"), StoreError);
  EXPECT_THROW(OpenStore("sqlite:"), StoreError);
}

}  // namespace
}  // namespace amur::store
