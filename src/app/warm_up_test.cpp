#include "app/warm_up.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <string>

#include "store/sqlite/sqlite_store.hpp"

namespace amur::app {
namespace {

constexpr TimeMs kNow = 1'800'000'000'000;
constexpr TimeMs kMinute = 60'000;

constexpr const char* kSpam =
    "Earn four thousand dollars a week from home with our signals group, no experience "
    "needed, message the admin on the channel today to join us";

bool Has(const service::Screening& s, const std::string& reason) {
  return std::find(s.reasons.begin(), s.reasons.end(), reason) != s.reasons.end();
}

class WarmUpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::mt19937_64 rng(std::random_device{}());
    dir_ = std::filesystem::temp_directory_path() / ("amur-warm-" + std::to_string(rng()));
    store_ = store::OpenSqliteStore((dir_ / "amur.db").string());
    store_->Migrate();
    session_ = store_->OpenSession();
    store::WriteTransaction tx(*session_);
    page_ = session_->UpsertPage({"/warm", std::nullopt, std::nullopt, kNow - 120 * kMinute});
    tx.Commit();
  }
  void TearDown() override {
    session_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Store(const std::string& body, TimeMs at, CommentState state,
             std::optional<std::string> name, std::optional<std::string> email,
             const std::string& address) {
    Comment c;
    c.page_id = page_.id;
    c.author_name = std::move(name);
    c.author_email = std::move(email);
    c.body_markdown = body;
    c.body_html = "<p>x</p>";
    c.state = state;
    c.created_at = at;
    c.hash = std::string(64, 'a');
    c.client_address = address;
    store::WriteTransaction tx(*session_);
    session_->InsertComment(c);
    tx.Commit();
  }

  static service::ScreeningInput Input(const std::string& name, const std::string& body,
                                       const std::string& address,
                                       std::optional<std::string> email = std::nullopt) {
    return service::ScreeningInput{name, body, address, std::move(email), false};
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::StoreSession> session_;
  Page page_;
};

TEST_F(WarmUpTest, AfterARestartCopiesOfTheLastHourAreStillFound) {
  // Held spam counts too; a guest without a name was screened as "Guest".
  Store(kSpam, kNow - 10 * kMinute, CommentState::kSpam, std::nullopt, std::nullopt,
        "192.0.2.7");
  Store("A perfectly ordinary remark about the harbour budget and the ferry timetable for "
        "next summer",
        kNow - 5 * kMinute, CommentState::kApproved, "Ann", "ann@example.com", "192.0.2.8");
  FakeClock clock(kNow);
  moderation::Pipeline pipeline(moderation::PipelineSettings{}, clock);
  const WarmUpResult r = WarmNearDuplicateIndex(*store_, pipeline, kNow);
  EXPECT_EQ(r.comments, 2u);
  EXPECT_EQ(r.remembered, 2u);
  EXPECT_GE(r.seconds, 0.0);

  const auto copy = pipeline.Screen(Input("Marketer", std::string("Today: ") + kSpam, "198.51.100.1"));
  EXPECT_TRUE(copy.hold);
  EXPECT_TRUE(Has(copy, "near_duplicate"));
  EXPECT_FALSE(Has(copy, "repeated_post"));
  // The same author key as when it was screened: "Guest" from the same address.
  const auto again = pipeline.Screen(Input("Guest", kSpam, "192.0.2.7"));
  EXPECT_TRUE(Has(again, "repeated_post"));
  // Ann is known by her email, whatever her address.
  const auto ann = pipeline.Screen(Input(
      "Ann",
      "A perfectly ordinary remark about the harbour budget and the ferry timetable for next "
      "summer",
      "203.0.113.9", "ann@example.com"));
  EXPECT_TRUE(Has(ann, "repeated_post"));
}

TEST_F(WarmUpTest, OnlyTheWindowIsLoadedAndShortCommentsAreNotKept) {
  Store(kSpam, kNow - 61 * kMinute, CommentState::kApproved, "Old", std::nullopt, "192.0.2.1");
  Store("too short to matter", kNow - kMinute, CommentState::kApproved, "New", std::nullopt,
        "192.0.2.2");
  FakeClock clock(kNow);
  moderation::Pipeline pipeline(moderation::PipelineSettings{}, clock);
  const WarmUpResult r = WarmNearDuplicateIndex(*store_, pipeline, kNow);
  EXPECT_EQ(r.comments, 1u);
  EXPECT_EQ(r.remembered, 0u);
  EXPECT_FALSE(Has(pipeline.Screen(Input("Other", kSpam, "198.51.100.1")), "near_duplicate"));
}

TEST_F(WarmUpTest, AnEmptyDatabaseLoadsNothing) {
  FakeClock clock(kNow);
  moderation::Pipeline pipeline(moderation::PipelineSettings{}, clock);
  const WarmUpResult r = WarmNearDuplicateIndex(*store_, pipeline, kNow);
  EXPECT_EQ(r.comments, 0u);
  EXPECT_EQ(r.remembered, 0u);
}

}  // namespace
}  // namespace amur::app
