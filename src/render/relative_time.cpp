#include "render/relative_time.hpp"

#include <cstdint>

namespace amur::render {
namespace {

std::string Plural(std::uint64_t n, const char* unit) {
  if (n == 1) return std::string("1 ") + unit + " ago";
  return std::to_string(n) + " " + unit + "s ago";
}

}  // namespace

std::string RelativeTimeEn(TimeMs then, TimeMs now) {
  if (then >= now) return "just now";
  // Unsigned subtraction cannot overflow for any pair of int64 times.
  const std::uint64_t ms =
      static_cast<std::uint64_t>(now) - static_cast<std::uint64_t>(then);
  const std::uint64_t seconds = ms / 1000;
  if (seconds < 45) return "just now";
  const std::uint64_t minutes = seconds / 60;
  if (minutes < 60) return Plural(minutes == 0 ? 1 : minutes, "minute");
  const std::uint64_t hours = minutes / 60;
  if (hours < 24) return Plural(hours, "hour");
  const std::uint64_t days = hours / 24;
  if (days == 1) return "yesterday";
  if (days < 7) return Plural(days, "day");
  if (days < 30) return Plural(days / 7, "week");
  if (days < 365) return Plural(days / 30, "month");
  return Plural(days / 365, "year");
}

}  // namespace amur::render
