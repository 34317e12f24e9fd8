// SHA-256 for hashing many short records in a row (the hash chain): OpenSSL's
// implementation, which uses the CPU's SHA extensions or AVX2 where present
// (several times libsodium's portable code on a ~250-byte record), with one
// context reused across calls. Not thread-safe: one instance per thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace amur {

class Sha256 {
 public:
  static constexpr std::size_t kHexSize = 64;
  using Hex = std::array<char, kHexSize>;

  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  // The lowercase hex SHA-256 of `data` (the same digest as Sha256Hex).
  Hex HexDigest(std::string_view data);

 private:
  evp_md_ctx_st* ctx_;
};

inline std::string_view View(const Sha256::Hex& hex) { return {hex.data(), hex.size()}; }

}  // namespace amur
