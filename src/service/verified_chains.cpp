#include "service/verified_chains.hpp"

namespace amur::service {

std::optional<VerifiedPrefix> VerifiedChains::Find(std::string_view page_key) const {
  std::lock_guard lock(mu_);
  auto it = pages_.find(std::string(page_key));
  if (it == pages_.end()) return std::nullopt;
  return it->second;
}

void VerifiedChains::Remember(std::string_view page_key, VerifiedPrefix prefix) {
  std::lock_guard lock(mu_);
  if (pages_.size() >= kMaxPages && !pages_.count(std::string(page_key))) pages_.clear();
  pages_.insert_or_assign(std::string(page_key), std::move(prefix));
}

void VerifiedChains::Forget(std::string_view page_key) {
  std::lock_guard lock(mu_);
  pages_.erase(std::string(page_key));
}

}  // namespace amur::service
