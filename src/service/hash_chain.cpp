#include "service/hash_chain.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "core/random.hpp"

namespace amur::service {

void AppendLengthPrefixed(std::string& out, std::string_view value) {
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += '\n';
}

namespace {

void AppendOptional(std::string& out, const std::optional<std::string>& value) {
  if (value) {
    AppendLengthPrefixed(out, *value);
  } else {
    out += "-\n";
  }
}

void AppendParent(std::string& out, const ChainLink& link) {
  AppendOptional(out, link.parent_id ? std::optional<std::string>(FormatCommentId(*link.parent_id))
                                     : std::nullopt);
}

// Format 2 bytes of `link` with `content_hash` standing in for its words.
std::string EncodeV2(std::string_view page_key, const ChainLink& link,
                     std::string_view content_hash) {
  std::string out = "amur-link-v2\n";
  out.reserve(256 + page_key.size());
  AppendLengthPrefixed(out, page_key);
  AppendLengthPrefixed(out, FormatCommentId(link.comment_id));
  AppendParent(out, link);
  AppendLengthPrefixed(out, CommentStateName(link.state));
  AppendLengthPrefixed(out, content_hash);
  AppendLengthPrefixed(out, FormatRfc3339Ms(link.at));
  AppendLengthPrefixed(out, link.prev_hash);
  return out;
}

}  // namespace

std::string ComputeContentHash(const ChainLink& link) {
  std::string out = "amur-content-v1\n";
  out.reserve(out.size() + link.body_markdown.size() + 48);
  AppendOptional(out, link.author_name);
  AppendLengthPrefixed(out, link.body_markdown);
  return Sha256Hex(out);
}

std::string CanonicalLinkEncoding(std::string_view page_key, const ChainLink& link) {
  if (link.format == 1) {
    std::string out = "amur-link-v1\n";
    AppendLengthPrefixed(out, page_key);
    AppendLengthPrefixed(out, FormatCommentId(link.comment_id));
    AppendParent(out, link);
    AppendOptional(out, link.author_name);
    AppendLengthPrefixed(out, CommentStateName(link.state));
    AppendLengthPrefixed(out, link.body_markdown);
    AppendLengthPrefixed(out, FormatRfc3339Ms(link.at));
    AppendLengthPrefixed(out, link.prev_hash);
    return out;
  }
  return EncodeV2(page_key, link, link.erased ? link.content_hash : ComputeContentHash(link));
}

std::string ComputeLinkHash(std::string_view page_key, const ChainLink& link) {
  return Sha256Hex(CanonicalLinkEncoding(page_key, link));
}

void SealLink(std::string_view page_key, ChainLink& link) {
  link.format = 2;
  link.erased = false;
  link.content_hash = ComputeContentHash(link);
  link.hash = ComputeLinkHash(page_key, link);
}

ChainReport VerifyChain(const Page& page, const std::vector<ChainLink>& links,
                        const std::vector<Comment>& current_rows) {
  ChainReport report;
  std::set<CommentId> failed;
  std::set<CommentId> erased;
  std::string prev = kZeroHash;
  std::map<CommentId, const ChainLink*> last_link;
  for (const ChainLink& link : links) {
    bool ok = link.prev_hash == prev;
    if (ok && link.format == 2 && !link.erased) {
      // One content hash serves both checks: the stored one and the link's.
      // An empty stored content hash (a writer that did not fill it) is
      // allowed: the link hash below covers the content either way.
      const std::string content = ComputeContentHash(link);
      ok = link.content_hash.empty() || content == link.content_hash;
      if (ok) ok = Sha256Hex(EncodeV2(page.key, link, content)) == link.hash;
    } else if (ok) {
      ok = (link.format == 1 || link.format == 2) && ComputeLinkHash(page.key, link) == link.hash;
    }
    if (!ok) failed.insert(link.comment_id);
    if (link.erased) erased.insert(link.comment_id);
    prev = link.hash;
    last_link[link.comment_id] = &link;
  }
  report.head = prev;
  report.length = static_cast<std::int64_t>(links.size());
  if (page.chain_head != prev) {
    report.ok = false;
    if (!links.empty()) failed.insert(links.back().comment_id);
  }
  for (const Comment& c : current_rows) {
    auto it = last_link.find(c.id);
    if (it == last_link.end()) {
      failed.insert(c.id);
      continue;
    }
    const ChainLink& l = *it->second;
    if (l.hash != c.hash || l.state != c.state || l.body_markdown != c.body_markdown ||
        l.author_name != c.author_name || l.parent_id != c.parent_id) {
      failed.insert(c.id);
    }
  }
  report.failed_ids.assign(failed.begin(), failed.end());
  report.erased_ids.assign(erased.begin(), erased.end());
  if (!report.failed_ids.empty()) report.ok = false;
  return report;
}

std::vector<ChainLink> RechainAsFormat2(std::string_view page_key, std::vector<ChainLink> links) {
  std::string prev = kZeroHash;
  for (ChainLink& link : links) {
    link.prev_hash = prev;
    if (link.erased) {
      link.format = 2;
      link.hash = ComputeLinkHash(page_key, link);
    } else {
      SealLink(page_key, link);
    }
    prev = link.hash;
  }
  return links;
}

}  // namespace amur::service
