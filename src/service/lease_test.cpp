#include "service/lease.hpp"

#include <gtest/gtest.h>

#include <future>

#include "service/store_test_support.hpp"

namespace amur::service {
namespace {

using testing::kT0;

class LeaseTest : public testing::StoreTest {};

// Two nodes on one database: each has its own executor and its own holder id.
TEST_F(LeaseTest, OneNodeHoldsTheLeaseUntilItStopsRenewingThenAnotherTakesItOver) {
  FakeClock clock(kT0);
  DbExecutor db_a(*store_, 1);
  DbExecutor db_b(*store_, 1);
  Lease a(db_a, clock, "mail", "node-a", 15'000);
  Lease b(db_b, clock, "mail", "node-b", 15'000);

  auto renew = [](DbExecutor& db, Lease& lease) {
    std::promise<bool> gained;
    auto f = gained.get_future();
    bool fired = false;
    lease.Renew([&fired] { fired = true; });
    WriteJob marker;
    marker.run = [](store::StoreSession&) { return true; };
    marker.done = [&gained, &fired](bool) { gained.set_value(fired); };
    db.Write(std::move(marker));
    return f.get();
  };

  EXPECT_FALSE(a.Held());
  EXPECT_TRUE(renew(db_a, a));  // gained
  EXPECT_TRUE(a.Held());
  EXPECT_FALSE(renew(db_b, b));
  EXPECT_FALSE(b.Held());

  clock.Advance(5'000);
  EXPECT_FALSE(renew(db_a, a));  // renewed, not gained again
  EXPECT_TRUE(a.Held());
  clock.Advance(7'499);
  EXPECT_TRUE(a.Held());
  clock.Advance(1);  // half a term since the last renewal: a stops working on its own
  EXPECT_FALSE(a.Held());
  EXPECT_FALSE(renew(db_b, b));  // but its lease runs until 5000 + 15000
  clock.Advance(7'500);          // now 20000 after the start: expired
  EXPECT_TRUE(renew(db_b, b));
  EXPECT_TRUE(b.Held());
  EXPECT_FALSE(renew(db_a, a));
  EXPECT_FALSE(a.Held());
  db_a.Stop();
  db_b.Stop();
}

}  // namespace
}  // namespace amur::service
