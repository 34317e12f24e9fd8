// Time, injected. Everything that reads the time takes a Clock&, so tests can
// cross an edit window without sleeping.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace amur {

// Milliseconds since the Unix epoch, UTC.
using TimeMs = std::int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimeMs NowMs() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimeMs NowMs() const override;
};

// A clock that stands still until told to move; thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimeMs start) : now_(start) {}
  TimeMs NowMs() const override { return now_.load(); }
  void Set(TimeMs t) { now_.store(t); }
  void Advance(TimeMs delta) { now_.fetch_add(delta); }

 private:
  std::atomic<TimeMs> now_;
};

// RFC 3339 UTC with milliseconds: "2026-11-29T18:54:43.120Z".
std::string FormatRfc3339Ms(TimeMs t);
// Appends exactly FormatRfc3339Ms(t) to `out`, without a temporary string for
// years 0 to 9999 (hashing many timestamps in a row).
void AppendRfc3339Ms(std::string& out, TimeMs t);

// Parses the output of FormatRfc3339Ms (and offsets-free variants without
// milliseconds). Returns false on anything else.
bool ParseRfc3339(const std::string& text, TimeMs* out);

}  // namespace amur
