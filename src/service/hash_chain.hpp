// The per-page hash chain. Every change to a comment writes a link whose hash
// is the SHA-256 of a canonical encoding (docs/integrity.md) of the page key,
// comment id, parent id, author name, state, Markdown source, time and the
// previous link's hash.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/model.hpp"

namespace amur::service {

// Appends "<byte length>:<value>\n", the field encoding of every hashed record.
void AppendLengthPrefixed(std::string& out, std::string_view value);

// The exact bytes that are hashed for `link` on page `page_key`.
std::string CanonicalLinkEncoding(std::string_view page_key, const ChainLink& link);

// Lowercase hex SHA-256 of CanonicalLinkEncoding.
std::string ComputeLinkHash(std::string_view page_key, const ChainLink& link);

struct ChainReport {
  bool ok = true;
  std::string head;                     // hash of the last link, 64 zeros when none
  std::vector<CommentId> failed_ids;    // sorted, unique
};

// Walks a page's chain: every link's prev_hash must be the hash of the link
// before it (64 zeros for the first), every stored hash must equal the
// recomputed one, each comment's current row must match its last link, and
// the page's stored head must be the last link's hash.
ChainReport VerifyChain(const Page& page, const std::vector<ChainLink>& links,
                        const std::vector<Comment>& current_rows);

}  // namespace amur::service
