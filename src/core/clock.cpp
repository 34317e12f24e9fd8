#include "core/clock.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace amur {

TimeMs SystemClock::NowMs() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

namespace {

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void CivilFromDays(std::int64_t z, std::int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<std::int64_t>(yoe) + era * 400 + (*m <= 2);
}

}  // namespace

void AppendRfc3339Ms(std::string& out, TimeMs t) {
  std::int64_t days = t >= 0 ? t / 86400000 : (t - 86399999) / 86400000;
  std::int64_t rem = t - days * 86400000;
  std::int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  if (y < 0 || y > 9999) {
    out += FormatRfc3339Ms(t);
    return;
  }
  const auto ms = static_cast<unsigned>(rem);
  char buf[24];
  auto put = [&buf](std::size_t at, unsigned v, std::size_t width) {
    for (std::size_t i = width; i-- > 0; v /= 10) buf[at + i] = static_cast<char>('0' + v % 10);
  };
  put(0, static_cast<unsigned>(y), 4);
  buf[4] = '-';
  put(5, m, 2);
  buf[7] = '-';
  put(8, d, 2);
  buf[10] = 'T';
  put(11, ms / 3600000, 2);
  buf[13] = ':';
  put(14, ms / 60000 % 60, 2);
  buf[16] = ':';
  put(17, ms / 1000 % 60, 2);
  buf[19] = '.';
  put(20, ms % 1000, 3);
  buf[23] = 'Z';
  out.append(buf, sizeof buf);
}

std::string FormatRfc3339Ms(TimeMs t) {
  std::int64_t days = t >= 0 ? t / 86400000 : (t - 86399999) / 86400000;
  std::int64_t rem = t - days * 86400000;
  std::int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  const int hh = static_cast<int>(rem / 3600000);
  const int mm = static_cast<int>(rem / 60000 % 60);
  const int ss = static_cast<int>(rem / 1000 % 60);
  const int ms = static_cast<int>(rem % 1000);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<long long>(y), m, d, hh, mm, ss, ms);
  return buf;
}

bool ParseRfc3339(const std::string& text, TimeMs* out) {
  // YYYY-MM-DDTHH:MM:SS[.fraction]Z, digits exactly where shown.
  auto digits = [&](std::size_t pos, std::size_t n, int* value) {
    if (pos + n > text.size()) return false;
    int v = 0;
    for (std::size_t k = pos; k < pos + n; ++k) {
      if (text[k] < '0' || text[k] > '9') return false;
      v = v * 10 + (text[k] - '0');
    }
    *value = v;
    return true;
  };
  int y, mo, d, h, mi, s;
  if (text.size() < 20 || !digits(0, 4, &y) || text[4] != '-' || !digits(5, 2, &mo) ||
      text[7] != '-' || !digits(8, 2, &d) || text[10] != 'T' ||
      !digits(11, 2, &h) || text[13] != ':' || !digits(14, 2, &mi) || text[16] != ':' ||
      !digits(17, 2, &s)) {
    return false;
  }
  std::size_t pos = 19;
  int ms = 0;
  if (text[pos] == '.') {
    ++pos;
    int count = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (count < 3) ms = ms * 10 + (text[pos] - '0');
      ++count;
      ++pos;
    }
    if (count == 0) return false;
    for (int k = count; k < 3; ++k) ms *= 10;
  }
  if (pos + 1 != text.size() || text[pos] != 'Z') return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > kDays[mo - 1] + (mo == 2 && leap ? 1 : 0)) return false;
  *out = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400000 +
         static_cast<TimeMs>(h) * 3600000 + mi * 60000 + s * 1000 + ms;
  return true;
}

}  // namespace amur
