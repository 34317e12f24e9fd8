#include "core/offset_file_clock.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace amur {
namespace {

TEST(OffsetFileClockTest, FollowsTheFileOnEveryCall) {
  const auto path =
      std::filesystem::temp_directory_path() / ("amur-offset-clock-" + std::to_string(::getpid()));
  OffsetFileClock clock(path.string());
  SystemClock system;
  // No file: the system time.
  EXPECT_NEAR(static_cast<double>(clock.NowMs()), static_cast<double>(system.NowMs()), 1000);
  std::ofstream(path) << "-3600000\n";
  EXPECT_NEAR(static_cast<double>(clock.NowMs()), static_cast<double>(system.NowMs() - 3'600'000),
              1000);
  std::ofstream(path) << "86400000";
  EXPECT_NEAR(static_cast<double>(clock.NowMs()), static_cast<double>(system.NowMs() + 86'400'000),
              1000);
  std::ofstream(path) << "not a number";
  EXPECT_NEAR(static_cast<double>(clock.NowMs()), static_cast<double>(system.NowMs()), 1000);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace amur
