#include "http/response_cache.hpp"

#include <sodium.h>

namespace amur::http {

std::uint64_t ResponseCache::Generation(std::string_view page) {
  std::lock_guard lock(mu_);
  auto it = generations_.find(std::string(page));
  return it == generations_.end() ? 0 : it->second;
}

std::shared_ptr<const CachedAnswer> ResponseCache::Get(const std::string& key,
                                                       std::string_view page) {
  std::lock_guard lock(mu_);
  auto it = slots_.find(key);
  if (it == slots_.end()) return nullptr;
  auto g = generations_.find(std::string(page));
  const std::uint64_t current = g == generations_.end() ? 0 : g->second;
  if (it->second.generation != current) {
    EraseLocked(it);
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return it->second.answer;
}

void ResponseCache::Put(const std::string& key, const std::string& page, std::uint64_t generation,
                        std::shared_ptr<const CachedAnswer> answer) {
  std::lock_guard lock(mu_);
  auto g = generations_.find(page);
  const std::uint64_t current = g == generations_.end() ? 0 : g->second;
  if (generation != current) return;
  if (auto it = slots_.find(key); it != slots_.end()) EraseLocked(it);
  const std::size_t size = answer->body.size() + key.size();
  if (size > max_bytes_) return;
  lru_.push_front(key);
  slots_.emplace(key, Slot{page, generation, std::move(answer), lru_.begin()});
  bytes_ += size;
  while (bytes_ > max_bytes_ && !lru_.empty()) {
    EraseLocked(slots_.find(lru_.back()));
  }
}

void ResponseCache::Invalidate(std::string_view page) {
  std::lock_guard lock(mu_);
  ++generations_[std::string(page)];
  if (page != kSiteWideScope) ++generations_[std::string(kSiteWideScope)];
}

void ResponseCache::EraseLocked(std::unordered_map<std::string, Slot>::iterator it) {
  bytes_ -= it->second.answer->body.size() + it->first.size();
  lru_.erase(it->second.lru);
  slots_.erase(it);
}

std::size_t ResponseCache::Bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

std::size_t ResponseCache::Entries() const {
  std::lock_guard lock(mu_);
  return slots_.size();
}

std::string MakeEtag(std::string_view body) {
  unsigned char digest[16];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(body.data()),
                     body.size(), nullptr, 0);
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  out += '"';
  return out;
}

}  // namespace amur::http
