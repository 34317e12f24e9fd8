// The per-page hash chain. Every change to a comment writes a link whose hash
// is the SHA-256 of a canonical encoding (docs/integrity.md). Format 2 links
// commit to the version's content (author name and Markdown) through its own
// hash, so the content can later be erased and the chain still checked;
// format 1 links (written before erasure existed) hash the content directly.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.hpp"

namespace amur::service {

// Appends "<byte length>:<value>\n", the field encoding of every hashed record.
void AppendLengthPrefixed(std::string& out, std::string_view value);

// Lowercase hex SHA-256 of a version's content: author name and Markdown.
std::string ComputeContentHash(const ChainLink& link);

// The exact bytes that are hashed for `link` on page `page_key`. For a format
// 2 link the content hash is recomputed from the fields unless the link is
// erased, in which case its stored content_hash is used.
std::string CanonicalLinkEncoding(std::string_view page_key, const ChainLink& link);

// Lowercase hex SHA-256 of CanonicalLinkEncoding.
std::string ComputeLinkHash(std::string_view page_key, const ChainLink& link);

// Fills a new link's content_hash (format 2) and hash; prev_hash and the
// other fields must be set.
void SealLink(std::string_view page_key, ChainLink& link);
// SealLink for a link whose content_hash is filled already (computed
// elsewhere, perhaps on another thread). REQUIRES: link.content_hash ==
// ComputeContentHash(link).
void SealLinkWithContentHash(std::string_view page_key, ChainLink& link);

struct ChainReport {
  bool ok = true;
  std::string head;                     // hash of the last link, 64 zeros when none
  std::int64_t length = 0;              // number of links
  std::vector<CommentId> failed_ids;    // sorted, unique
  std::vector<CommentId> erased_ids;    // sorted, unique: comments with erased versions
};

// A whole-page check of a chain (what VerifyChain does) fed one record at a
// time, so that links and rows can come straight from a store scan: AddLink
// for every link in chain order, then CheckRow for every current row of the
// page, then Finish once. It keeps what it needs of each link in its own
// storage (a few large blocks, no allocation per link). A chain of 2,048
// links or more is hashed on two threads, the second starting with the
// first row, so its hashing overlaps the reading of the rows.
class ChainCheck {
 public:
  // `expected_links` (the page's stored chain length) only sizes the storage.
  ChainCheck(std::string_view page_key, std::int64_t expected_links);
  ~ChainCheck();
  ChainCheck(const ChainCheck&) = delete;
  ChainCheck& operator=(const ChainCheck&) = delete;

  void AddLink(const ChainLinkView& link);
  void CheckRow(const ChainRowView& row);
  // The report, given the page's stored chain head; also the last link's seq
  // (0 when none) in *last_seq when not null.
  ChainReport Finish(std::string_view stored_head, std::int64_t* last_seq = nullptr);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Views of a stored link or row, for ChainCheck.
ChainLinkView ViewOf(const ChainLink& link);
ChainRowView ViewOf(const Comment& row);

// Walks a page's chain: every link's prev_hash must be the hash of the link
// before it (64 zeros for the first), every stored hash must equal the
// recomputed one (a format 2 link's stored content_hash, when not empty, must
// also equal the hash of its content unless erased), each comment's current row must match
// its last link, and the page's stored head must be the last link's hash.
// Chains of 2,048 links or more are hashed on two threads.
ChainReport VerifyChain(const Page& page, const std::vector<ChainLink>& links,
                        const std::vector<Comment>& current_rows);

// What a check of a page's chain found verified: its first `length` links,
// the last of them at `last_seq` with hash `head` (64 zeros and 0 when none).
struct VerifiedPrefix {
  PageId page_id = 0;
  std::int64_t length = 0;
  std::int64_t last_seq = 0;
  std::string head;
};

// Checks only what was appended to a chain since `prefix` was verified, as
// VerifyChain would check it: `links` are the page's links from seq
// prefix.last_seq on (from the first when the prefix is empty), in chain
// order; `rows` are the current rows (VerifyChain's fields, sorted by id) of at
// least the comments with links after the prefix. The prefix's last link must
// still have its hash, every later link must chain on and hash right, the
// page's head must be the last link's hash, and each comment with a new link
// must match its last one. Returns the longer verified prefix, or nullopt when
// anything differs (then only a full VerifyChain can say what failed). The
// links of the prefix are not read again: a change made to them behind the
// store's back is found by VerifyChain, not here.
std::optional<VerifiedPrefix> ExtendVerifiedPrefix(const Page& page, const VerifiedPrefix& prefix,
                                                   const std::vector<ChainLink>& links,
                                                   const std::vector<Comment>& rows);

// Rewrites a page's chain as format 2 links, in order, from its stored
// fields: same versions, new content hashes, prev_hash and hash. Used once
// per page, on a chain that verified, before erasing from it.
std::vector<ChainLink> RechainAsFormat2(std::string_view page_key, std::vector<ChainLink> links);

}  // namespace amur::service
