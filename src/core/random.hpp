// Randomness, injected. Production uses libsodium's CSPRNG; tests may seed a
// deterministic source. Secrets (edit tokens, voter ids) always come from here.
#pragma once

#include <cstddef>
#include <string>

namespace amur {

class Random {
 public:
  virtual ~Random() = default;
  // Fills `out` with `n` random bytes.
  virtual void Fill(unsigned char* out, std::size_t n) = 0;
};

// libsodium's randombytes_buf. Thread-safe.
class SodiumRandom final : public Random {
 public:
  void Fill(unsigned char* out, std::size_t n) override;
};

// A URL-safe, unpadded base64 token of `bytes` random bytes.
std::string RandomToken(Random& random, std::size_t bytes);

// Lowercase hex of `n` bytes.
std::string HexOf(const unsigned char* bytes, std::size_t n);

// Lowercase hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// Constant-time equality for secrets of equal length.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Standard base64 (with padding) of arbitrary bytes, and back; Base64Decode
// returns false on malformed input.
std::string Base64Encode(std::string_view bytes);
bool Base64Decode(std::string_view text, std::string* bytes);

// Must be called once before any other libsodium use; safe to call again.
void InitCrypto();

}  // namespace amur
