#include "core/model.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace amur {
namespace {

TEST(CommentIdTest, FormatsWithAPrefix) {
  EXPECT_EQ(FormatCommentId(1), "c1");
  EXPECT_EQ(FormatCommentId(42), "c42");
  EXPECT_EQ(FormatCommentId(std::numeric_limits<CommentId>::max()), "c9223372036854775807");
}

TEST(CommentIdTest, ParsesCanonicalIds) {
  EXPECT_EQ(ParseCommentId("c1"), std::optional<CommentId>(1));
  EXPECT_EQ(ParseCommentId("c42"), std::optional<CommentId>(42));
  EXPECT_EQ(ParseCommentId("c10"), std::optional<CommentId>(10));
  EXPECT_EQ(ParseCommentId("c9223372036854775807"),
            std::optional<CommentId>(std::numeric_limits<CommentId>::max()));
}

TEST(CommentIdTest, RoundTrips) {
  for (CommentId id : {CommentId{1}, CommentId{9}, CommentId{10}, CommentId{123456789},
                       CommentId{1} << 40}) {
    EXPECT_EQ(ParseCommentId(FormatCommentId(id)), std::optional<CommentId>(id));
  }
}

TEST(CommentIdTest, RejectsEverythingElse) {
  for (const char* bad :
       {"", "c", "c0", "c00", "c01", "c-1", "c+1", "1", "42", "C1", "cc1", "c1x", "c 1", " c1",
        "c1 ", "c1.0", "c0x1", "c99999999999999999999", "c9223372036854775808",
        "c18446744073709551616", "d1", "c\xD9\xA1" /* Arabic-Indic one */}) {
    EXPECT_EQ(ParseCommentId(bad), std::nullopt) << "'" << bad << "'";
  }
  EXPECT_EQ(ParseCommentId(std::string_view("c1\0", 3)), std::nullopt);
}

TEST(CommentStateTest, NamesRoundTrip) {
  const std::pair<CommentState, const char*> all[] = {
      {CommentState::kApproved, "approved"}, {CommentState::kPending, "pending"},
      {CommentState::kDeleted, "deleted"},   {CommentState::kRemoved, "removed"},
      {CommentState::kRejected, "rejected"}, {CommentState::kSpam, "spam"}};
  for (const auto& [state, name] : all) {
    EXPECT_STREQ(CommentStateName(state), name);
    EXPECT_EQ(ParseCommentState(name), std::optional<CommentState>(state));
  }
  EXPECT_EQ(ParseCommentState("Approved"), std::nullopt);
  EXPECT_EQ(ParseCommentState(""), std::nullopt);
  EXPECT_EQ(ParseCommentState("approved "), std::nullopt);
}

TEST(CommentTest, ScoreIsUpMinusDown) {
  Comment c;
  EXPECT_EQ(c.score(), 0);
  c.upvotes = 3;
  c.downvotes = 5;
  EXPECT_EQ(c.score(), -2);
}

TEST(ZeroHashTest, IsSixtyFourZeros) {
  EXPECT_EQ(kZeroHash, "0000000000000000000000000000000000000000000000000000000000000000");
}

}  // namespace
}  // namespace amur
