#include "http/html/form_token.hpp"

#include <sodium.h>

#include <charconv>

#include "core/random.hpp"

namespace amur::http::html {

namespace {

std::string Mac(std::string_view key, std::string_view message) {
  unsigned char out[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  crypto_auth_hmacsha256_final(&st, out);
  return HexOf(out, sizeof out);
}

std::string Message(std::string_view ts, std::string_view cookie) {
  return "amur-form:" + std::string(ts) + ":" + std::string(cookie);
}

}  // namespace

bool ValidFormCookie(std::string_view value) {
  if (value.size() != 43) return false;
  for (char c : value) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string IssueFormToken(std::string_view key, std::string_view cookie, TimeMs now) {
  const std::string ts = std::to_string(now / 1000);
  return ts + "." + Mac(key, Message(ts, cookie));
}

bool CheckFormToken(std::string_view key, std::string_view cookie, std::string_view token,
                    TimeMs now) {
  if (!ValidFormCookie(cookie)) return false;
  const auto dot = token.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot > 12) return false;
  const std::string_view ts = token.substr(0, dot);
  std::int64_t issued = 0;
  auto [p, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), issued);
  if (ec != std::errc() || p != ts.data() + ts.size()) return false;
  const std::int64_t now_s = now / 1000;
  if (issued > now_s + 300 || now_s - issued > 86400) return false;
  return ConstantTimeEquals(Mac(key, Message(ts, cookie)), token.substr(dot + 1));
}

}  // namespace amur::http::html
