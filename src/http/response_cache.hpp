// Serialized answers of read endpoints, per page, invalidated on write.
//
// A reader takes Generation(page) BEFORE it reads the database and stores its
// answer with that generation; a writer calls Invalidate(page) AFTER its
// commit. So an answer computed from data older than a commit is never served
// after that commit's Invalidate returned.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace amur::http {

// The scope of answers drawn from every page (the site-wide feed). It is not
// a page key (page keys hold no control characters), and Invalidate of any
// page makes its answers stale too, so a writer needs to know nothing of it.
inline constexpr std::string_view kSiteWideScope = "\x01site";

struct CachedAnswer {
  std::string body;
  std::string etag;  // quoted strong validator
  std::string content_type;
};

class ResponseCache final {
 public:
  explicit ResponseCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  std::uint64_t Generation(std::string_view page);

  // The answer stored under `key` for `page`, or null when missing or stale.
  std::shared_ptr<const CachedAnswer> Get(const std::string& key, std::string_view page);

  // Stores an answer computed at `generation`; dropped when already stale.
  void Put(const std::string& key, const std::string& page, std::uint64_t generation,
           std::shared_ptr<const CachedAnswer> answer);

  // Makes every stored answer of `page` stale, and those of kSiteWideScope.
  void Invalidate(std::string_view page);

  std::size_t Bytes() const;
  std::size_t Entries() const;

 private:
  struct Slot {
    std::string page;
    std::uint64_t generation;
    std::shared_ptr<const CachedAnswer> answer;
    std::list<std::string>::iterator lru;
  };
  void EraseLocked(std::unordered_map<std::string, Slot>::iterator it);

  const std::size_t max_bytes_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Slot> slots_;
  std::unordered_map<std::string, std::uint64_t> generations_;
  std::list<std::string> lru_;  // most recently used first
  std::size_t bytes_ = 0;
};

// A strong ETag (quoted) for `body`.
std::string MakeEtag(std::string_view body);

}  // namespace amur::http
