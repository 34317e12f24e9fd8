#include "core/sha256.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace amur {

namespace {

// Fetched once: EVP_Digest* with a pre-fetched algorithm skips the per-call
// lookup that makes the one-shot SHA256() several times slower.
const EVP_MD* Sha256Algorithm() {
  static const EVP_MD* md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (!m) throw std::runtime_error("OpenSSL has no SHA-256");
    return m;
  }();
  return md;
}

}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_) throw std::bad_alloc();
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

Sha256::Hex Sha256::HexDigest(std::string_view data) {
  unsigned char digest[32];
  unsigned int len = 0;
  if (EVP_DigestInit_ex2(ctx_, Sha256Algorithm(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx_, digest, &len) != 1 || len != sizeof digest) {
    throw std::runtime_error("SHA-256 failed");
  }
  static constexpr char kDigits[] = "0123456789abcdef";
  Hex out;
  for (std::size_t i = 0; i < sizeof digest; ++i) {
    out[2 * i] = kDigits[digest[i] >> 4];
    out[2 * i + 1] = kDigits[digest[i] & 15];
  }
  return out;
}

}  // namespace amur
