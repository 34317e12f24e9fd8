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
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char b : out) {
    hex += kHex[b >> 4];
    hex += kHex[b & 15];
  }
  return hex;
}

}  // namespace

std::string IssueFormToken(std::string_view key, TimeMs now) {
  const std::string ts = std::to_string(now / 1000);
  return ts + "." + Mac(key, "amur-form:" + ts);
}

bool CheckFormToken(std::string_view key, std::string_view token, TimeMs now) {
  const auto dot = token.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot > 12) return false;
  const std::string_view ts = token.substr(0, dot);
  std::int64_t issued = 0;
  auto [p, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), issued);
  if (ec != std::errc() || p != ts.data() + ts.size()) return false;
  const std::int64_t now_s = now / 1000;
  if (issued > now_s + 300 || now_s - issued > 86400) return false;
  return ConstantTimeEquals(Mac(key, "amur-form:" + std::string(ts)), token.substr(dot + 1));
}

}  // namespace amur::http::html
