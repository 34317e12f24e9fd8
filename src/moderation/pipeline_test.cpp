#include "moderation/pipeline.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace amur::moderation {
namespace {

bool Has(const service::Screening& s, const std::string& reason) {
  return std::find(s.reasons.begin(), s.reasons.end(), reason) != s.reasons.end();
}

constexpr const char* kText =
    "The border commission met nine times between 1991 and 2004 and still left the largest "
    "island for last, which says a lot about priorities.";

TEST(PipelineTest, ScreeningRecordsNothingUntilRemembered) {
  FakeClock clock(1'795'000'000'000);
  Pipeline pipeline(PipelineSettings{}, clock);
  const service::ScreeningInput in{"Ann", kText, "192.0.2.1", std::nullopt, false};
  const auto first = pipeline.Screen(in);
  EXPECT_FALSE(first.hold);
  ASSERT_NE(first.memo, nullptr);
  // Screened again without being stored: still no duplicate.
  const auto again = pipeline.Screen(in);
  EXPECT_FALSE(again.hold);
  EXPECT_FALSE(Has(again, "near_duplicate"));

  pipeline.Remember(first.memo.get());
  clock.Advance(1000);
  const auto copy = pipeline.Screen(in);
  EXPECT_TRUE(copy.hold);
  EXPECT_TRUE(Has(copy, "near_duplicate"));
  EXPECT_TRUE(Has(copy, "repeated_post"));
  // The same name from another address is another author.
  const auto other = pipeline.Screen({"Ann", kText, "198.51.100.7", std::nullopt, false});
  EXPECT_TRUE(Has(other, "near_duplicate"));
  EXPECT_FALSE(Has(other, "repeated_post"));
  // An email identifies the author before the address does.
  const auto by_email = pipeline.Screen({"Ann", kText, "192.0.2.1", "ann@example.com", false});
  EXPECT_FALSE(Has(by_email, "repeated_post"));
}

TEST(PipelineTest, EditsHaveNoMemoAndNoDuplicateChecks) {
  FakeClock clock(1'795'000'000'000);
  Pipeline pipeline(PipelineSettings{}, clock);
  const service::ScreeningInput in{"Ann", kText, "192.0.2.1", std::nullopt, false};
  pipeline.Remember(pipeline.Screen(in).memo.get());
  service::ScreeningInput edit = in;
  edit.is_edit = true;
  const auto s = pipeline.Screen(edit);
  EXPECT_EQ(s.memo, nullptr);
  EXPECT_FALSE(s.hold);
  pipeline.Remember(nullptr);  // ignored
}

}  // namespace
}  // namespace amur::moderation
