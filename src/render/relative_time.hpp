// Relative times for people: "just now", "5 minutes ago", "2 years ago".
#pragma once

#include <string>

#include "core/clock.hpp"

namespace amur::render {

// English relative time of `then` seen at `now`. Times in the future (clock
// skew) read "just now".
std::string RelativeTimeEn(TimeMs then, TimeMs now);

}  // namespace amur::render
