#include "service/hash_chain.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/random.hpp"

namespace amur::service {
namespace {

constexpr TimeMs kAt = 1'795'000'000'123;  // 2026-11-18T11:06:40.123Z

ChainLink KnownLink() {
  ChainLink l;
  l.seq = 4;
  l.comment_id = 7;
  l.n = 1;
  l.parent_id = 3;
  l.author_name = "Realpolitik";
  l.state = CommentState::kApproved;
  l.body_markdown = "Hello **world**";
  l.at = kAt;
  l.editor = "Realpolitik";
  l.prev_hash = kZeroHash;
  l.format = 1;
  return l;
}

TEST(CanonicalLinkEncodingTest, ExactBytesOfAKnownLink) {
  EXPECT_EQ(CanonicalLinkEncoding("/2022/aigun-treaty", KnownLink()),
            "amur-link-v1\n"
            "18:/2022/aigun-treaty\n"
            "2:c7\n"
            "2:c3\n"
            "11:Realpolitik\n"
            "8:approved\n"
            "15:Hello **world**\n"
            "24:2026-11-18T11:06:40.123Z\n"
            "64:0000000000000000000000000000000000000000000000000000000000000000\n");
}

TEST(CanonicalLinkEncodingTest, NullsAreDashesAndLengthsAreBytes) {
  ChainLink l;
  l.format = 1;
  l.comment_id = 42;
  l.parent_id = std::nullopt;
  l.author_name = std::nullopt;
  l.state = CommentState::kDeleted;
  l.body_markdown = "";
  l.at = 0;
  l.prev_hash = std::string(32 * 2, 'a');
  for (std::size_t i = 1; i < l.prev_hash.size(); i += 2) l.prev_hash[i] = 'b';
  EXPECT_EQ(CanonicalLinkEncoding("/\xD1\x81\xD1\x82\xD0\xB0\xD1\x82\xD1\x8C\xD1\x8F/1", l),
            "amur-link-v1\n"
            "15:/\xD1\x81\xD1\x82\xD0\xB0\xD1\x82\xD1\x8C\xD1\x8F/1\n"
            "3:c42\n"
            "-\n"
            "-\n"
            "7:deleted\n"
            "0:\n"
            "24:1970-01-01T00:00:00.000Z\n"
            "64:abababababababababababababababababababababababababababababababab\n");
  // Computed independently: python3 hashlib.sha256 over the bytes above.
  EXPECT_EQ(ComputeLinkHash("/\xD1\x81\xD1\x82\xD0\xB0\xD1\x82\xD1\x8C\xD1\x8F/1", l),
            "825244f2b8b41dc6fbe09c2a0a8d4ad51e7a5efc4b944c72817075b7ff2a44d8");
}

TEST(ComputeLinkHashTest, IsSha256OfTheEncoding) {
  // `printf '<the encoding above>' | sha256sum`
  EXPECT_EQ(ComputeLinkHash("/2022/aigun-treaty", KnownLink()),
            "0cf54f73f21e8648029158615778a7ad2189ff2dce3e9cec1d39d3a31757cb18");
  EXPECT_EQ(ComputeLinkHash("/2022/aigun-treaty", KnownLink()),
            Sha256Hex(CanonicalLinkEncoding("/2022/aigun-treaty", KnownLink())));
}

TEST(ComputeLinkHashTest, MatchesTheWorkedExampleOfDocsIntegrityMd) {
  ChainLink l;
  l.format = 1;
  l.comment_id = 1;
  l.author_name = "Ann";
  l.state = CommentState::kApproved;
  l.body_markdown = "hi";
  l.at = 1'767'225'600'000;  // 2026-01-01T00:00:00.000Z
  l.prev_hash = kZeroHash;
  EXPECT_EQ(CanonicalLinkEncoding("/p", l),
            "amur-link-v1\n2:/p\n2:c1\n-\n3:Ann\n8:approved\n2:hi\n"
            "24:2026-01-01T00:00:00.000Z\n"
            "64:0000000000000000000000000000000000000000000000000000000000000000\n");
  // `printf '<the bytes above>' | sha256sum`
  EXPECT_EQ(ComputeLinkHash("/p", l),
            "9f5eedc760e4060adfaa27603c08292ceadc52c60fb56561b21a19517cc6c69a");
}

TEST(ComputeLinkHashTest, EveryHashedFieldChangesTheHash) {
  const std::string base = ComputeLinkHash("/p", KnownLink());
  EXPECT_NE(ComputeLinkHash("/q", KnownLink()), base);
  auto changed = [&](auto mutate) {
    ChainLink l = KnownLink();
    mutate(l);
    return ComputeLinkHash("/p", l);
  };
  EXPECT_NE(changed([](ChainLink& l) { l.comment_id = 8; }), base);
  EXPECT_NE(changed([](ChainLink& l) { l.parent_id = std::nullopt; }), base);
  EXPECT_NE(changed([](ChainLink& l) { l.parent_id = 4; }), base);
  EXPECT_NE(changed([](ChainLink& l) { l.author_name = std::nullopt; }), base);
  EXPECT_NE(changed([](ChainLink& l) { l.author_name = "realpolitik"; }), base);
  EXPECT_NE(changed([](ChainLink& l) { l.state = CommentState::kDeleted; }), base);
  EXPECT_NE(changed([](ChainLink& l) { l.body_markdown += " "; }), base);
  EXPECT_NE(changed([](ChainLink& l) { l.at += 1; }), base);
  EXPECT_NE(changed([](ChainLink& l) { l.prev_hash[63] = '1'; }), base);
  // Not part of the documented encoding: position, version number, editor.
  EXPECT_EQ(changed([](ChainLink& l) { l.seq = 99; }), base);
  EXPECT_EQ(changed([](ChainLink& l) { l.n = 5; }), base);
  EXPECT_EQ(changed([](ChainLink& l) { l.editor = "Moderator"; }), base);
}

TEST(ComputeLinkHashTest, FieldBoundariesCannotBeShifted) {
  ChainLink a = KnownLink();
  a.author_name = "Ann\n4:Bob";
  a.body_markdown = "x";
  ChainLink b = KnownLink();
  b.author_name = "Ann";
  b.body_markdown = "Bob\nx";
  EXPECT_NE(CanonicalLinkEncoding("/p", a), CanonicalLinkEncoding("/p", b));
  ChainLink dash = KnownLink();
  dash.author_name = "-";
  ChainLink null = KnownLink();
  null.author_name = std::nullopt;
  EXPECT_NE(ComputeLinkHash("/p", dash), ComputeLinkHash("/p", null));
}

// A valid three-link chain on page "/p": c1 posted, c2 replies, c1 edited.
class VerifyChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    page_.id = 1;
    page_.key = "/p";
    ChainLink l1;
    l1.seq = 1;
    l1.comment_id = 1;
    l1.n = 1;
    l1.author_name = "Ann";
    l1.body_markdown = "one";
    l1.at = kAt;
    ChainLink l2;
    l2.seq = 2;
    l2.comment_id = 2;
    l2.n = 1;
    l2.parent_id = 1;
    l2.author_name = std::nullopt;
    l2.body_markdown = "two";
    l2.at = kAt + 1000;
    ChainLink l3 = l1;
    l3.seq = 3;
    l3.n = 2;
    l3.body_markdown = "one, edited";
    l3.at = kAt + 2000;
    links_ = {l1, l2, l3};
    Rechain();

    Comment c1;
    c1.id = 1;
    c1.author_name = "Ann";
    c1.body_markdown = "one, edited";
    Comment c2;
    c2.id = 2;
    c2.parent_id = 1;
    c2.body_markdown = "two";
    rows_ = {c1, c2};
    SyncRows();
  }

  // Recomputes every prev_hash and hash in order and moves the page head.
  void Rechain() {
    std::string prev = kZeroHash;
    for (auto& l : links_) {
      l.prev_hash = prev;
      SealLink(page_.key, l);
      prev = l.hash;
    }
    page_.chain_head = prev;
    page_.chain_len = static_cast<std::int64_t>(links_.size());
  }

  // Sets each row's hash to its last link's.
  void SyncRows() {
    for (auto& c : rows_) {
      for (const auto& l : links_) {
        if (l.comment_id == c.id) c.hash = l.hash;
      }
    }
  }

  ChainReport Verify() const { return VerifyChain(page_, links_, rows_); }

  Page page_;
  std::vector<ChainLink> links_;
  std::vector<Comment> rows_;
};

TEST_F(VerifyChainTest, IntactChainVerifies) {
  const ChainReport r = Verify();
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.head, links_[2].hash);
  EXPECT_EQ(r.head, page_.chain_head);
  EXPECT_TRUE(r.failed_ids.empty());
}

TEST_F(VerifyChainTest, EmptyChainVerifiesWithZeroHead) {
  Page empty;
  empty.key = "/empty";
  empty.chain_head = kZeroHash;
  const ChainReport r = VerifyChain(empty, {}, {});
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.head, kZeroHash);
  EXPECT_TRUE(r.failed_ids.empty());
}

TEST_F(VerifyChainTest, EmptyChainWithANonZeroHeadFails) {
  Page p;
  p.key = "/empty";
  p.chain_head = std::string(64, 'f');
  const ChainReport r = VerifyChain(p, {}, {});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.head, kZeroHash);
  EXPECT_TRUE(r.failed_ids.empty());
}

TEST_F(VerifyChainTest, BrokenPrevHashIsDetected) {
  // Link 2 is re-hashed consistently, but no longer points at link 1.
  links_[1].prev_hash = std::string(64, 'e');
  links_[1].hash = ComputeLinkHash(page_.key, links_[1]);
  links_[2].prev_hash = links_[1].hash;
  links_[2].hash = ComputeLinkHash(page_.key, links_[2]);
  page_.chain_head = links_[2].hash;
  SyncRows();
  const ChainReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.failed_ids, (std::vector<CommentId>{2}));
  EXPECT_EQ(r.head, links_[2].hash);
}

TEST_F(VerifyChainTest, FirstLinkMustStartFromZeros) {
  links_[0].prev_hash = std::string(64, '1');
  links_[0].hash = ComputeLinkHash(page_.key, links_[0]);
  links_[1].prev_hash = links_[0].hash;
  links_[1].hash = ComputeLinkHash(page_.key, links_[1]);
  links_[2].prev_hash = links_[1].hash;
  links_[2].hash = ComputeLinkHash(page_.key, links_[2]);
  page_.chain_head = links_[2].hash;
  SyncRows();
  const ChainReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.failed_ids, (std::vector<CommentId>{1}));
}

TEST_F(VerifyChainTest, WrongHashOfTheLastLinkIsDetected) {
  // The stored hash does not match the content, though row and head agree with it.
  links_[2].hash = std::string(64, 'f');
  page_.chain_head = links_[2].hash;
  SyncRows();
  const ChainReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.failed_ids, (std::vector<CommentId>{1}));
  EXPECT_EQ(r.head, std::string(64, 'f'));
}

TEST_F(VerifyChainTest, ContentChangedUnderAStoredHashIsDetected) {
  links_[1].body_markdown = "two, rewritten";  // hash left as it was
  rows_[1].body_markdown = "two, rewritten";
  const ChainReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.failed_ids, (std::vector<CommentId>{2}));
}

TEST_F(VerifyChainTest, WrongHashInTheMiddleAlsoBreaksTheNextLink) {
  links_[1].hash = std::string(64, 'f');
  const ChainReport r = Verify();
  EXPECT_FALSE(r.ok);
  // Link 2's own hash is wrong (and no longer its row's); link 3 (comment 1)
  // does not point at the stored hash of link 2 any more.
  EXPECT_EQ(r.failed_ids, (std::vector<CommentId>{1, 2}));
}

TEST_F(VerifyChainTest, RowDifferingFromItsLastLinkIsDetected) {
  {
    rows_[1].body_markdown = "tampered";
    const ChainReport r = Verify();
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.failed_ids, (std::vector<CommentId>{2}));
  }
  SetUp();
  {
    rows_[0].body_markdown = "one";  // the first version's body, not the last's
    const ChainReport r = Verify();
    EXPECT_EQ(r.failed_ids, (std::vector<CommentId>{1}));
  }
  SetUp();
  {
    rows_[0].state = CommentState::kDeleted;
    EXPECT_EQ(Verify().failed_ids, (std::vector<CommentId>{1}));
  }
  SetUp();
  {
    rows_[0].author_name = "Bob";
    EXPECT_EQ(Verify().failed_ids, (std::vector<CommentId>{1}));
  }
  SetUp();
  {
    rows_[1].author_name = "Guest";  // the link says null
    EXPECT_EQ(Verify().failed_ids, (std::vector<CommentId>{2}));
  }
  SetUp();
  {
    rows_[1].parent_id = std::nullopt;
    EXPECT_EQ(Verify().failed_ids, (std::vector<CommentId>{2}));
  }
  SetUp();
  {
    rows_[0].hash = links_[0].hash;  // points at an older link
    EXPECT_EQ(Verify().failed_ids, (std::vector<CommentId>{1}));
  }
}

TEST_F(VerifyChainTest, RowWithoutAnyLinkIsDetected) {
  Comment c3;
  c3.id = 3;
  c3.body_markdown = "smuggled in";
  rows_.push_back(c3);
  const ChainReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.failed_ids, (std::vector<CommentId>{3}));
}

TEST_F(VerifyChainTest, WrongPageHeadIsDetected) {
  const std::string real_head = page_.chain_head;
  page_.chain_head = links_[1].hash;  // as if the last link had been cut off
  const ChainReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.head, real_head);
  EXPECT_EQ(r.failed_ids, (std::vector<CommentId>{1}));  // the last link's comment
}

TEST_F(VerifyChainTest, DroppedLastLinkIsDetected) {
  links_.pop_back();  // page head still names the dropped link
  const ChainReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.head, links_[1].hash);
  // Comment 2 is the last link now; comment 1's row no longer matches its last link.
  EXPECT_EQ(r.failed_ids, (std::vector<CommentId>{1, 2}));
}

TEST(CanonicalLinkEncodingV2Test, ExactBytesAndHashOfTheWorkedExample) {
  ChainLink l;
  l.comment_id = 1;
  l.author_name = "Ann";
  l.state = CommentState::kApproved;
  l.body_markdown = "hi";
  l.at = 1'767'225'600'000;  // 2026-01-01T00:00:00.000Z
  l.prev_hash = kZeroHash;
  // python3: hashlib.sha256(b"amur-content-v1\n3:Ann\n2:hi\n").hexdigest()
  EXPECT_EQ(ComputeContentHash(l),
            "d0dd7d4b9ba21567de4e3a3e60c7c0b45bebec2fa7e3685641346de2766a7de3");
  EXPECT_EQ(CanonicalLinkEncoding("/p", l),
            "amur-link-v2\n2:/p\n2:c1\n-\n8:approved\n"
            "64:d0dd7d4b9ba21567de4e3a3e60c7c0b45bebec2fa7e3685641346de2766a7de3\n"
            "24:2026-01-01T00:00:00.000Z\n"
            "64:0000000000000000000000000000000000000000000000000000000000000000\n");
  SealLink("/p", l);
  EXPECT_EQ(l.content_hash, ComputeContentHash(l));
  EXPECT_EQ(l.hash, "a1356a9bc739340173bf38a80c990204a8e8db7614de0b9b95575a22125fc5f1");
  // Erased: the stored content hash stands in for the words.
  ChainLink erased = l;
  erased.author_name.reset();
  erased.body_markdown.clear();
  erased.erased = true;
  EXPECT_EQ(ComputeLinkHash("/p", erased), l.hash);
}

TEST(ContentHashTest, AuthorAndBodyAreBothCovered) {
  ChainLink a;
  a.author_name = "Ann";
  a.body_markdown = "x";
  ChainLink b = a;
  b.author_name = "Bob";
  ChainLink c = a;
  c.body_markdown = "y";
  ChainLink d = a;
  d.author_name.reset();
  EXPECT_NE(ComputeContentHash(a), ComputeContentHash(b));
  EXPECT_NE(ComputeContentHash(a), ComputeContentHash(c));
  EXPECT_NE(ComputeContentHash(a), ComputeContentHash(d));
}

TEST_F(VerifyChainTest, ErasedVersionsStillVerifyAndAreListed) {
  for (auto& l : links_) {
    if (l.comment_id != 1) continue;
    l.erased = true;
    l.author_name.reset();
    l.body_markdown.clear();
  }
  rows_[0].author_name.reset();
  rows_[0].body_markdown.clear();
  const ChainReport r = Verify();
  EXPECT_TRUE(r.ok) << ::testing::PrintToString(r.failed_ids);
  EXPECT_EQ(r.erased_ids, (std::vector<CommentId>{1}));
  EXPECT_EQ(r.length, 3);
}

TEST_F(VerifyChainTest, ErasedVersionWithAForgedContentHashFails) {
  links_[1].erased = true;
  links_[1].content_hash = std::string(64, 'a');
  EXPECT_EQ(Verify().failed_ids, (std::vector<CommentId>{2}));
}

TEST_F(VerifyChainTest, StoredContentHashMustMatchTheWords) {
  links_[1].content_hash = std::string(64, 'a');  // link hash left as it was
  EXPECT_EQ(Verify().failed_ids, (std::vector<CommentId>{2}));
}

TEST_F(VerifyChainTest, Format2LinkWithoutAStoredContentHashStillVerifies) {
  // A writer that computed the hash with ComputeLinkHash and left content_hash
  // empty (an importer, say): the link hash still covers the words.
  for (auto& l : links_) l.content_hash.clear();
  EXPECT_TRUE(Verify().ok);
  links_[1].body_markdown = "tampered";
  EXPECT_EQ(Verify().failed_ids, (std::vector<CommentId>{2}));
}

TEST_F(VerifyChainTest, AuthorChangedInAVersionIsDetected) {
  links_[0].author_name = "Mallory";  // the first version of c1; row untouched
  EXPECT_EQ(Verify().failed_ids, (std::vector<CommentId>{1}));
}

TEST_F(VerifyChainTest, DeletedVersionInTheMiddleIsDetected) {
  links_.erase(links_.begin() + 1);  // c2's only version
  const ChainReport r = Verify();
  EXPECT_FALSE(r.ok);
  // c1's second version no longer points at its predecessor; c2 has no link.
  EXPECT_EQ(r.failed_ids, (std::vector<CommentId>{1, 2}));
}

TEST_F(VerifyChainTest, SwappedVersionsAreDetected) {
  std::swap(links_[0], links_[1]);
  const ChainReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.failed_ids, (std::vector<CommentId>{1, 2}));
}

TEST_F(VerifyChainTest, Format1ChainsVerifyAndRechainAsFormat2) {
  std::string prev = kZeroHash;
  for (auto& l : links_) {
    l.format = 1;
    l.content_hash.clear();
    l.prev_hash = prev;
    l.hash = ComputeLinkHash(page_.key, l);
    prev = l.hash;
  }
  page_.chain_head = prev;
  SyncRows();
  ASSERT_TRUE(Verify().ok);
  links_[1].body_markdown = "tampered";
  EXPECT_EQ(Verify().failed_ids, (std::vector<CommentId>{2}));
  links_[1].body_markdown = "two";

  links_ = RechainAsFormat2(page_.key, links_);
  page_.chain_head = links_.back().hash;
  SyncRows();
  for (const auto& l : links_) EXPECT_EQ(l.format, 2);
  EXPECT_TRUE(Verify().ok);
}

TEST_F(VerifyChainTest, LongChainsAreCheckedWholeOnTwoThreads) {
  // Past 2,048 links the hashing is split in two halves: a change in either
  // half must still be found, and only there.
  links_.clear();
  rows_.clear();
  for (int i = 1; i <= 3001; ++i) {
    ChainLink l;
    l.seq = i;
    l.comment_id = i;
    l.n = 1;
    l.author_name = "Reader " + std::to_string(i % 7);
    l.body_markdown = "comment " + std::to_string(i);
    l.at = kAt + i;
    links_.push_back(l);
    Comment c;
    c.id = i;
    c.author_name = l.author_name;
    c.body_markdown = l.body_markdown;
    rows_.push_back(c);
  }
  Rechain();
  for (std::size_t i = 0; i < rows_.size(); ++i) rows_[i].hash = links_[i].hash;
  ASSERT_TRUE(Verify().ok);
  links_[10].body_markdown = "forged early";
  links_[2990].author_name = "Mallory";
  const ChainReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.failed_ids, (std::vector<CommentId>{11, 2991}));
}

// A long chain as a store would stream it: one record whose bytes are
// overwritten for every link and row, as a scan reuses its row.
class StreamedChainTest : public VerifyChainTest {
 protected:
  void SetUp() override {
    VerifyChainTest::SetUp();
    links_.clear();
    rows_.clear();
    for (int i = 1; i <= 2500; ++i) {
      ChainLink l;
      l.seq = i;
      l.comment_id = i;
      l.n = 1;
      l.parent_id = i % 10 == 0 ? std::optional<CommentId>(i - 1) : std::nullopt;
      l.author_name = "Reader " + std::to_string(i % 7);
      l.body_markdown = "comment number " + std::to_string(i);
      l.at = kAt + i;
      links_.push_back(l);
      Comment c;
      c.id = i;
      c.parent_id = l.parent_id;
      c.author_name = l.author_name;
      c.body_markdown = l.body_markdown;
      rows_.push_back(c);
    }
    Rechain();
    for (std::size_t i = 0; i < rows_.size(); ++i) rows_[i].hash = links_[i].hash;
  }

  // Feeds ChainCheck from one reused buffer per field, then scribbles over it.
  ChainReport Streamed() const {
    ChainCheck check(page_.key, 16);  // a hint far too small: storage must grow
    std::string author, body, prev, hash, content;
    for (const ChainLink& l : links_) {
      author = l.author_name.value_or("");
      body = l.body_markdown;
      prev = l.prev_hash;
      hash = l.hash;
      content = l.content_hash;
      ChainLinkView v = ViewOf(l);
      if (l.author_name) v.author_name = author;
      v.body_markdown = body;
      v.prev_hash = prev;
      v.hash = hash;
      v.content_hash = content;
      check.AddLink(v);
      for (std::string* f : {&author, &body, &prev, &hash, &content}) f->assign(f->size(), 'x');
    }
    for (const Comment& c : rows_) {
      body = c.body_markdown;
      hash = c.hash;
      ChainRowView v = ViewOf(c);
      v.body_markdown = body;
      v.hash = hash;
      check.CheckRow(v);
      body.assign(body.size(), 'x');
      hash.assign(hash.size(), 'x');
    }
    return check.Finish(page_.chain_head);
  }
};

TEST_F(StreamedChainTest, KeepsItsOwnCopyOfEveryLink) {
  const ChainReport r = Streamed();
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.length, 2500);
  EXPECT_EQ(r.head, page_.chain_head);
  EXPECT_TRUE(r.failed_ids.empty());
}

TEST_F(StreamedChainTest, NamesTheSameIdsAsVerifyChain) {
  links_[3].body_markdown = "forged";             // its own hash fails
  links_[1200].prev_hash = std::string(64, '1');  // the chain breaks here
  rows_[2000].author_name = "Mallory";            // a row unlike its link
  rows_[2499].hash = links_[2498].hash;           // the last row names another link
  page_.chain_head = links_[2498].hash;           // and the head is not the last link
  const ChainReport streamed = Streamed();
  const ChainReport whole = VerifyChain(page_, links_, rows_);
  EXPECT_FALSE(streamed.ok);
  EXPECT_EQ(streamed.failed_ids, (std::vector<CommentId>{4, 1201, 2001, 2500}));
  EXPECT_EQ(streamed.failed_ids, whole.failed_ids);
  EXPECT_EQ(streamed.head, whole.head);
}

TEST_F(StreamedChainTest, CanBeAbandonedWhileHashing) {
  // A scan that throws after the rows began leaves the check unfinished: its
  // second hashing thread must be stopped and joined, not left running.
  ChainCheck check(page_.key, 2500);
  for (const ChainLink& l : links_) check.AddLink(ViewOf(l));
  check.CheckRow(ViewOf(rows_[0]));
}

// VerifiedPrefix of the fixture's chain as a full check leaves it.
VerifiedPrefix PrefixOf(const Page& page, const std::vector<ChainLink>& links) {
  return VerifiedPrefix{page.id, static_cast<std::int64_t>(links.size()), links.back().seq,
                        links.back().hash};
}

class ExtendVerifiedPrefixTest : public VerifyChainTest {
 protected:
  void SetUp() override {
    VerifyChainTest::SetUp();
    ASSERT_TRUE(Verify().ok);
    prefix_ = PrefixOf(page_, links_);
    // Then c2 is edited and c3 posted.
    ChainLink l4 = links_[1];
    l4.seq = 4;
    l4.n = 2;
    l4.body_markdown = "two, edited";
    l4.at = kAt + 3000;
    ChainLink l5;
    l5.seq = 5;
    l5.comment_id = 3;
    l5.n = 1;
    l5.author_name = "Bo";
    l5.body_markdown = "three";
    l5.at = kAt + 4000;
    links_.push_back(l4);
    links_.push_back(l5);
    Rechain();
    rows_[1].body_markdown = "two, edited";
    Comment c3;
    c3.id = 3;
    c3.author_name = "Bo";
    c3.body_markdown = "three";
    rows_.push_back(c3);
    SyncRows();
  }
  // The links a store gives from the prefix's last seq on.
  std::vector<ChainLink> Since() const {
    return std::vector<ChainLink>(links_.begin() + 2, links_.end());
  }
  std::optional<VerifiedPrefix> Extend() const {
    return ExtendVerifiedPrefix(page_, prefix_, Since(), rows_);
  }
  VerifiedPrefix prefix_;
};

TEST_F(ExtendVerifiedPrefixTest, NewLinksExtendThePrefixAsAFullCheckWould) {
  ASSERT_TRUE(Verify().ok);
  const auto longer = Extend();
  ASSERT_TRUE(longer);
  EXPECT_EQ(longer->length, 5);
  EXPECT_EQ(longer->last_seq, 5);
  EXPECT_EQ(longer->head, Verify().head);
  EXPECT_EQ(longer->page_id, page_.id);
  // Only the rows of comments with new links are needed.
  EXPECT_TRUE(ExtendVerifiedPrefix(page_, prefix_, Since(), {rows_[1], rows_[2]}));
  // Nothing new: the same prefix.
  const auto same = ExtendVerifiedPrefix(page_, *longer, {links_.back()}, {});
  ASSERT_TRUE(same);
  EXPECT_EQ(same->length, 5);
  EXPECT_EQ(same->head, longer->head);
}

TEST_F(ExtendVerifiedPrefixTest, AnEmptyPrefixChecksFromTheFirstLink) {
  const VerifiedPrefix empty{page_.id, 0, 0, kZeroHash};
  const auto all = ExtendVerifiedPrefix(page_, empty, links_, rows_);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->length, 5);
  EXPECT_EQ(all->head, page_.chain_head);
  links_[0].body_markdown = "forged";
  EXPECT_FALSE(ExtendVerifiedPrefix(page_, empty, links_, rows_));
}

TEST_F(ExtendVerifiedPrefixTest, RewrittenHistoryIsNotExtended) {
  // The prefix's last link has another hash now (say, rechained).
  auto since = Since();
  since[0].hash = std::string(64, 'e');
  EXPECT_FALSE(ExtendVerifiedPrefix(page_, prefix_, since, rows_));
  // It is gone, or the store starts elsewhere.
  EXPECT_FALSE(ExtendVerifiedPrefix(page_, prefix_, {}, rows_));
  EXPECT_FALSE(ExtendVerifiedPrefix(page_, prefix_, {links_.begin() + 3, links_.end()}, rows_));
}

TEST_F(ExtendVerifiedPrefixTest, EveryFailureOfANewLinkStopsTheExtension) {
  ASSERT_TRUE(Extend());
  auto bad_body = Since();
  bad_body[1].body_markdown = "forged";
  EXPECT_FALSE(ExtendVerifiedPrefix(page_, prefix_, bad_body, rows_));
  auto bad_prev = Since();
  bad_prev[2].prev_hash = bad_prev[0].hash;
  EXPECT_FALSE(ExtendVerifiedPrefix(page_, prefix_, bad_prev, rows_));
  auto bad_content = Since();
  bad_content[2].content_hash = std::string(64, 'a');
  EXPECT_FALSE(ExtendVerifiedPrefix(page_, prefix_, bad_content, rows_));

  page_.chain_head = links_[3].hash;  // the head left behind
  EXPECT_FALSE(Extend());
  page_.chain_head = links_.back().hash;

  rows_[2].body_markdown = "three, forged in the row";
  EXPECT_FALSE(Extend());
  rows_[2].body_markdown = "three";
  rows_.pop_back();  // c3 has a link but no row
  EXPECT_FALSE(Extend());
}

}  // namespace
}  // namespace amur::service
