#include "core/offset_file_clock.hpp"

#include <cstdio>

namespace amur {

TimeMs OffsetFileClock::NowMs() const {
  TimeMs offset = 0;
  if (std::FILE* f = std::fopen(control_file_.c_str(), "r")) {
    long long v = 0;
    if (std::fscanf(f, "%lld", &v) == 1) offset = v;
    std::fclose(f);
  }
  return system_.NowMs() + offset;
}

}  // namespace amur
