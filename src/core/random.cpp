#include "core/random.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <memory>
#include <stdexcept>

namespace amur {

void InitCrypto() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

void SodiumRandom::Fill(unsigned char* out, std::size_t n) { randombytes_buf(out, n); }

std::string RandomToken(Random& random, std::size_t bytes) {
  std::string raw(bytes, '\0');
  random.Fill(reinterpret_cast<unsigned char*>(raw.data()), bytes);
  std::string out(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                    bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::char_traits<char>::length(out.c_str()));
  sodium_memzero(raw.data(), raw.size());
  return out;
}

namespace {

// OpenSSL's SHA-256 uses the CPU's SHA extensions where there are any (about
// four times libsodium's portable code on a 400-byte chain link); each thread
// keeps one digest context.
struct DigestContext {
  DigestContext()
      : md(EVP_MD_fetch(nullptr, "SHA256", nullptr), EVP_MD_free),
        ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    if (!md || !ctx) throw std::runtime_error("OpenSSL has no SHA-256");
  }
  std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> md;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx;
};

}  // namespace

std::string Sha256Hex(std::string_view data) {
  thread_local DigestContext d;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestInit_ex(d.ctx.get(), d.md.get(), nullptr) != 1 ||
      EVP_DigestUpdate(d.ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(d.ctx.get(), digest, &length) != 1 || length != 32) {
    throw std::runtime_error("SHA-256 failed");
  }
  static const char kHex[] = "0123456789abcdef";
  std::string out(64, '0');
  for (std::size_t i = 0; i < 32; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 15];
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

bool Base64Decode(std::string_view text, std::string* bytes) {
  bytes->assign(text.size(), '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(bytes->data()), bytes->size(), text.data(),
                        text.size(), nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return false;
  }
  bytes->resize(len);
  return true;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace amur
