// A clock that can be made to jump, for black-box tests of clock jumps only:
// `amur serve` uses it when AMUR_CLOCK_OFFSET_FILE names a file.
#pragma once

#include <string>
#include <utility>

#include "core/clock.hpp"

namespace amur {

// The system clock moved by a signed number of milliseconds that is re-read
// from `control_file` on every call (missing, empty or unreadable: 0), so a
// test jumps the server's clock by writing "-3600000" there. Thread-safe.
class OffsetFileClock final : public Clock {
 public:
  explicit OffsetFileClock(std::string control_file) : control_file_(std::move(control_file)) {}
  TimeMs NowMs() const override;

 private:
  std::string control_file_;
  SystemClock system_;
};

}  // namespace amur
