// What this process has found verified of each page's hash chain, so that the
// thread line ("hash: verified") on a read-cache miss hashes only the links
// written since (ExtendVerifiedPrefix) instead of the whole chain. Only
// VerifyChain fills it; whatever rewrites a page's history (erasure,
// rechaining, remap, import) or finds it failed forgets the page. Held in
// memory only: a restart checks each page in full once. Thread-safe.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "service/hash_chain.hpp"

namespace amur::service {

class VerifiedChains {
 public:
  // At most this many pages are remembered; past it, everything is forgotten
  // and the pages are checked in full again as they are viewed.
  static constexpr std::size_t kMaxPages = 65536;

  // The verified prefix remembered for the page, or nullopt.
  std::optional<VerifiedPrefix> Find(std::string_view page_key) const;
  // Remembers (or replaces) the page's verified prefix.
  void Remember(std::string_view page_key, VerifiedPrefix prefix);
  // Forgets the page: its next check is a full one.
  void Forget(std::string_view page_key);

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, VerifiedPrefix> pages_;
};

}  // namespace amur::service
