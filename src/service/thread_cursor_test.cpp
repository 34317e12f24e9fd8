#include "service/thread_cursor.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "service/comment_service.hpp"

namespace amur::service {
namespace {

Comment C(CommentId id, std::int64_t up = 0, std::int64_t down = 0) {
  Comment c;
  c.id = id;
  c.upvotes = up;
  c.downvotes = down;
  return c;
}

ThreadCursor Decode(const std::string& text, SortOrder sort) {
  auto r = DecodeThreadCursor(text, sort);
  EXPECT_TRUE(r.ok()) << "'" << text << "': " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : ThreadCursor{};
}

void ExpectBad(const std::string& text, SortOrder sort) {
  auto r = DecodeThreadCursor(text, sort);
  ASSERT_FALSE(r.ok()) << "'" << text << "' for " << SortOrderName(sort);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidField);
  EXPECT_EQ(r.error().field, "cursor");
}

TEST(ThreadCursorTest, EmptyTextIsTheFirstPageAndAdmitsAll) {
  for (SortOrder s : {SortOrder::kOldest, SortOrder::kNewest, SortOrder::kVotes}) {
    const ThreadCursor c = Decode("", s);
    EXPECT_TRUE(c.first);
    EXPECT_EQ(c.sort, s);
    EXPECT_TRUE(c.Admits(C(1)));
    EXPECT_TRUE(c.Admits(C(1'000'000, 0, 50)));
  }
}

TEST(ThreadCursorTest, OldestEncodesTheLastIdShown) {
  const ThreadCursor first = Decode("", SortOrder::kOldest);
  const Comment a = C(3), b = C(5);
  const std::string next = first.Next({&a, &b});
  EXPECT_EQ(next, "bzo1");  // base64url("o:5")
  const ThreadCursor c = Decode(next, SortOrder::kOldest);
  EXPECT_FALSE(c.first);
  EXPECT_EQ(c.last_id, 5);
  EXPECT_FALSE(c.Admits(C(4)));
  EXPECT_FALSE(c.Admits(C(5)));
  EXPECT_TRUE(c.Admits(C(6)));
  EXPECT_TRUE(c.Admits(C(600)));
}

TEST(ThreadCursorTest, NewestEncodesTheLastIdShown) {
  const ThreadCursor first = Decode("", SortOrder::kNewest);
  const Comment a = C(20), b = C(12);
  const std::string next = first.Next({&a, &b});
  EXPECT_EQ(next, "bjoxMg");  // base64url("n:12")
  const ThreadCursor c = Decode(next, SortOrder::kNewest);
  EXPECT_EQ(c.last_id, 12);
  EXPECT_TRUE(c.Admits(C(11)));
  EXPECT_TRUE(c.Admits(C(1)));
  EXPECT_FALSE(c.Admits(C(12)));
  EXPECT_FALSE(c.Admits(C(13)));  // arrived after the first page: never repeated
}

TEST(ThreadCursorTest, VotesRemembersEveryIdShown) {
  const ThreadCursor first = Decode("", SortOrder::kVotes);
  const Comment a = C(7, 5), b = C(1, 3), d = C(3, 3);
  const std::string next = first.Next({&a, &b, &d});
  EXPECT_EQ(next, "djoxLjIuNA");  // base64url("v:1.2.4"): ids 1, 3, 7 as deltas
  const ThreadCursor c = Decode(next, SortOrder::kVotes);
  EXPECT_FALSE(c.by_position);
  EXPECT_EQ(c.shown_ids, (std::unordered_set<CommentId>{1, 3, 7}));
  // Scores may have changed since: only the ids matter.
  EXPECT_FALSE(c.Admits(C(7, 0, 9)));
  EXPECT_FALSE(c.Admits(C(1, 100)));
  EXPECT_TRUE(c.Admits(C(2, 100)));
  EXPECT_TRUE(c.Admits(C(8)));

  // The page after that remembers both pages.
  const Comment e = C(2, 100);
  const ThreadCursor third = Decode(c.Next({&e}), SortOrder::kVotes);
  EXPECT_EQ(third.shown_ids, (std::unordered_set<CommentId>{1, 2, 3, 7}));
}

TEST(ThreadCursorTest, VotesFallsBackToAPositionPastTheLimit) {
  ThreadCursor c = Decode("", SortOrder::kVotes);
  for (CommentId id = 1; id <= static_cast<CommentId>(ThreadCursor::kMaxRememberedIds); ++id) {
    c.shown_ids.insert(id);
  }
  c.first = false;
  const Comment last = C(5000, 1, 4);  // score -3
  const std::string next = c.Next({&last});
  EXPECT_EQ(next, "dzotMzo1MDAw");  // base64url("w:-3:5000")
  const ThreadCursor p = Decode(next, SortOrder::kVotes);
  EXPECT_TRUE(p.by_position);
  EXPECT_EQ(p.last_score, -3);
  EXPECT_EQ(p.last_id, 5000);
  EXPECT_TRUE(p.Admits(C(1, 0, 4)));      // lower score
  EXPECT_TRUE(p.Admits(C(5001, 1, 4)));   // same score, newer
  EXPECT_FALSE(p.Admits(C(4999, 1, 4)));  // same score, older: already shown
  EXPECT_FALSE(p.Admits(C(5000, 1, 4)));
  EXPECT_FALSE(p.Admits(C(1, 0, 2)));     // higher score
  // Position mode stays in position mode.
  const Comment after = C(6000, 0, 10);
  EXPECT_EQ(p.Next({&after}), "dzotMTA6NjAwMA");  // base64url("w:-10:6000")
}

TEST(ThreadCursorTest, NextOfNothingIsEmpty) {
  EXPECT_EQ(Decode("", SortOrder::kOldest).Next({}), "");
  EXPECT_EQ(Decode("", SortOrder::kVotes).Next({}), "");
}

TEST(ThreadCursorTest, CursorOfAnotherSortIsRejected) {
  ExpectBad("bzo1", SortOrder::kNewest);        // o:5
  ExpectBad("bzo1", SortOrder::kVotes);
  ExpectBad("bjoxMg", SortOrder::kOldest);      // n:12
  ExpectBad("bjoxMg", SortOrder::kVotes);
  ExpectBad("djoxLjIuNA", SortOrder::kOldest);  // v:1.2.4
  ExpectBad("djoxLjIuNA", SortOrder::kNewest);
  ExpectBad("dzotMzo1MDAw", SortOrder::kOldest);  // w:-3:5000
}

TEST(ThreadCursorTest, GarbageIsRejected) {
  for (SortOrder s : {SortOrder::kOldest, SortOrder::kNewest, SortOrder::kVotes}) {
    ExpectBad("!!!!", s);
    ExpectBad("bzo1=", s);   // padding is not part of the alphabet used
    ExpectBad("bzo+", s);    // standard, not URL-safe, alphabet
    ExpectBad("eDox", s);    // x:1
    ExpectBad("bzo", s);     // "o:" only
    ExpectBad("YQ", s);      // "a"
    ExpectBad(std::string(16'388, 'A'), s);
  }
  EXPECT_EQ(Decode("bzow", SortOrder::kOldest).last_id, 0);  // o:0: from the start (after pins)
  ExpectBad("bzotMQ", SortOrder::kOldest);   // o:-1
  ExpectBad("bzoxeA", SortOrder::kOldest);   // o:1x
  ExpectBad("bzorMQ", SortOrder::kOldest);   // o:+1
  ExpectBad("bzo5OTk5OTk5OTk5OTk5OTk5OTk5OTk5", SortOrder::kOldest);  // o:9999999999999999999999
  ExpectBad("djoxLjAuMg", SortOrder::kVotes);  // v:1.0.2 (zero delta)
  ExpectBad("djoxLi0xLjI", SortOrder::kVotes);  // v:1.-1.2
  ExpectBad("djoxLi4y", SortOrder::kVotes);     // v:1..2
  ExpectBad("dzo1", SortOrder::kVotes);         // w:5
  ExpectBad("dzo1OjY6Nw", SortOrder::kVotes);   // w:5:6:7
  ExpectBad("dzphOjE", SortOrder::kVotes);      // w:a:1
}

TEST(ThreadCursorTest, OverflowingVotesCursorIsRejected) {
  ExpectBad("djo5MjIzMzcyMDM2ODU0Nzc1ODA3LjE", SortOrder::kVotes);  // v:9223372036854775807.1
}

}  // namespace
}  // namespace amur::service
