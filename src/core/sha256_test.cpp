#include "core/sha256.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <string>

#include "core/random.hpp"

namespace amur {
namespace {

TEST(Sha256Test, KnownDigests) {
  Sha256 h;
  EXPECT_EQ(View(h.HexDigest("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(View(h.HexDigest("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Test, AgreesWithLibsodiumOnEveryLengthAcrossBlockBoundaries) {
  InitCrypto();
  Sha256 h;
  std::string data;
  for (int n = 0; n < 300; ++n) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    EXPECT_EQ(View(h.HexDigest(data)), hex) << "length " << n;
    EXPECT_EQ(Sha256Hex(data), hex) << "length " << n;
    data.push_back(static_cast<char>('a' + (n * 7) % 26));
  }
}

}  // namespace
}  // namespace amur
