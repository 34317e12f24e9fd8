// The event bus on a real SQLite store: what a subscriber sees of the bus's
// own position while it runs (the floor of read replicas rests on it).
#include "service/event_bus.hpp"

#include <gtest/gtest.h>

#include <tuple>
#include <vector>

#include "service/store_test_support.hpp"

namespace amur::service {
namespace {

class EventBusTest : public testing::StoreTest {
 protected:
  void Append(int n) {
    store::WriteTransaction tx(*s_);
    for (int i = 0; i < n; ++i) {
      Event e;
      e.at = 1;
      e.type = "page.changed";
      e.page_key = "/bus";
      e.actor = "test";
      e.data = "{}";
      s_->AppendEvent(e);
    }
    tx.Commit();
  }
};

TEST_F(EventBusTest, AnEventIsAnnouncedBeforeItsSubscribersRunAndPublishedAfter) {
  EventBus bus;
  std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t>> seen;
  bus.Subscribe("probe", [&](const Event& e, store::StoreSession&) {
    seen.emplace_back(e.seq, bus.LastAnnounced(), bus.LastPublished());
  });
  bus.StartAfter(0);
  EXPECT_EQ(bus.LastAnnounced(), 0);
  Append(3);
  EXPECT_EQ(bus.PublishCommitted(*s_), 3u);
  ASSERT_EQ(seen.size(), 3u);
  for (const auto& [seq, announced, published] : seen) {
    EXPECT_GE(announced, seq);
    EXPECT_LT(published, seq);
  }
  EXPECT_EQ(bus.LastAnnounced(), 3);
  EXPECT_EQ(bus.LastPublished(), 3);
}

TEST_F(EventBusTest, StartAfterSetsBothPositions) {
  EventBus bus;
  bus.StartAfter(41);
  EXPECT_EQ(bus.LastAnnounced(), 41);
  EXPECT_EQ(bus.LastPublished(), 41);
}

}  // namespace
}  // namespace amur::service
