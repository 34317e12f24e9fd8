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

}  // namespace

std::string CanonicalLinkEncoding(std::string_view page_key, const ChainLink& link) {
  std::string out = "amur-link-v1\n";
  AppendLengthPrefixed(out, page_key);
  AppendLengthPrefixed(out, FormatCommentId(link.comment_id));
  AppendOptional(out, link.parent_id ? std::optional<std::string>(FormatCommentId(*link.parent_id))
                                     : std::nullopt);
  AppendOptional(out, link.author_name);
  AppendLengthPrefixed(out, CommentStateName(link.state));
  AppendLengthPrefixed(out, link.body_markdown);
  AppendLengthPrefixed(out, FormatRfc3339Ms(link.at));
  AppendLengthPrefixed(out, link.prev_hash);
  return out;
}

std::string ComputeLinkHash(std::string_view page_key, const ChainLink& link) {
  return Sha256Hex(CanonicalLinkEncoding(page_key, link));
}

ChainReport VerifyChain(const Page& page, const std::vector<ChainLink>& links,
                        const std::vector<Comment>& current_rows) {
  ChainReport report;
  std::set<CommentId> failed;
  std::string prev = kZeroHash;
  std::map<CommentId, const ChainLink*> last_link;
  for (const ChainLink& link : links) {
    if (link.prev_hash != prev || ComputeLinkHash(page.key, link) != link.hash) {
      failed.insert(link.comment_id);
    }
    prev = link.hash;
    last_link[link.comment_id] = &link;
  }
  report.head = prev;
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
  if (!report.failed_ids.empty()) report.ok = false;
  return report;
}

}  // namespace amur::service
