#include "service/hash_chain.hpp"

#include <algorithm>
#include <charconv>
#include <exception>
#include <map>
#include <set>
#include <thread>

#include "core/clock.hpp"
#include "core/sha256.hpp"

namespace amur::service {

void AppendLengthPrefixed(std::string& out, std::string_view value) {
  char digits[24];
  const auto r = std::to_chars(digits, digits + sizeof digits, value.size());
  out.append(digits, r.ptr);
  out += ':';
  out += value;
  out += '\n';
}

namespace {

// Reused per thread: the encodings are built in these buffers and hashed
// with one SHA-256 context, so checking a link allocates nothing.
struct LinkHasher {
  Sha256 sha;
  std::string content;
  std::string link;
  std::string field;
};

LinkHasher& ThreadHasher() {
  thread_local LinkHasher hasher;
  return hasher;
}

void AppendOptional(std::string& out, const std::optional<std::string>& value) {
  if (value) {
    AppendLengthPrefixed(out, *value);
  } else {
    out += "-\n";
  }
}

// "c<id>", length-prefixed.
void AppendId(std::string& out, CommentId id) {
  char text[24] = {'c'};
  const auto r = std::to_chars(text + 1, text + sizeof text, id);
  AppendLengthPrefixed(out, std::string_view(text, static_cast<std::size_t>(r.ptr - text)));
}

void AppendParent(std::string& out, const ChainLink& link) {
  if (link.parent_id) {
    AppendId(out, *link.parent_id);
  } else {
    out += "-\n";
  }
}

void AppendTime(LinkHasher& h, std::string& out, TimeMs at) {
  h.field.clear();
  AppendRfc3339Ms(h.field, at);
  AppendLengthPrefixed(out, h.field);
}

// The content hash of `link` (author name and Markdown), as hex.
Sha256::Hex ContentHex(LinkHasher& h, const ChainLink& link) {
  h.content.assign("amur-content-v1\n");
  AppendOptional(h.content, link.author_name);
  AppendLengthPrefixed(h.content, link.body_markdown);
  return h.sha.HexDigest(h.content);
}

// Format 2 bytes of `link` with `content_hash` standing in for its words, in h.link.
void EncodeV2(LinkHasher& h, std::string_view page_key, const ChainLink& link,
              std::string_view content_hash) {
  std::string& out = h.link;
  out.assign("amur-link-v2\n");
  AppendLengthPrefixed(out, page_key);
  AppendId(out, link.comment_id);
  AppendParent(out, link);
  AppendLengthPrefixed(out, CommentStateName(link.state));
  AppendLengthPrefixed(out, content_hash);
  AppendTime(h, out, link.at);
  AppendLengthPrefixed(out, link.prev_hash);
}

// Format 1 bytes of `link`, in h.link.
void EncodeV1(LinkHasher& h, std::string_view page_key, const ChainLink& link) {
  std::string& out = h.link;
  out.assign("amur-link-v1\n");
  AppendLengthPrefixed(out, page_key);
  AppendId(out, link.comment_id);
  AppendParent(out, link);
  AppendOptional(out, link.author_name);
  AppendLengthPrefixed(out, CommentStateName(link.state));
  AppendLengthPrefixed(out, link.body_markdown);
  AppendTime(h, out, link.at);
  AppendLengthPrefixed(out, link.prev_hash);
}

// The canonical encoding of `link` in h.link (docs/integrity.md).
void Encode(LinkHasher& h, std::string_view page_key, const ChainLink& link) {
  if (link.format == 1) {
    EncodeV1(h, page_key, link);
  } else if (link.erased) {
    EncodeV2(h, page_key, link, link.content_hash);
  } else {
    const Sha256::Hex content = ContentHex(h, link);
    EncodeV2(h, page_key, link, View(content));
  }
}

// Whether the link's stored hashes are those of its fields (its prev_hash is
// hashed, not compared). One content hash serves both checks of a format 2
// link: the stored one and the link's. An empty stored content hash (a
// writer that did not fill it) is allowed: the link hash covers the content
// either way.
bool LinkHashesHold(LinkHasher& h, std::string_view page_key, const ChainLink& link) {
  if (link.format == 2 && !link.erased) {
    const Sha256::Hex content = ContentHex(h, link);
    if (!link.content_hash.empty() && View(content) != link.content_hash) return false;
    EncodeV2(h, page_key, link, View(content));
  } else if (link.format == 1 || link.format == 2) {
    Encode(h, page_key, link);
  } else {
    return false;
  }
  return View(h.sha.HexDigest(h.link)) == link.hash;
}

// Chains at least this long are hashed on two threads when the machine has two
// cores: the links' hashes are independent of each other (each hashes its
// stored prev_hash), only the walk that compares prev_hash is sequential.
constexpr std::size_t kParallelLinks = 2048;

// LinkHashesHold for every link, 1 or 0.
std::vector<char> CheckLinkHashes(std::string_view page_key, const std::vector<ChainLink>& links) {
  std::vector<char> ok(links.size(), 0);
  auto run = [&](std::size_t from, std::size_t to) {
    LinkHasher& h = ThreadHasher();
    for (std::size_t i = from; i < to; ++i) ok[i] = LinkHashesHold(h, page_key, links[i]) ? 1 : 0;
  };
  if (links.size() < kParallelLinks || std::thread::hardware_concurrency() < 2) {
    run(0, links.size());
    return ok;
  }
  const std::size_t mid = links.size() / 2;
  std::exception_ptr error;
  std::thread second([&] {
    try {
      run(mid, links.size());
    } catch (...) {
      error = std::current_exception();
    }
  });
  try {
    run(0, mid);
  } catch (...) {
    second.join();
    throw;
  }
  second.join();
  if (error) std::rethrow_exception(error);
  return ok;
}

// Whether a comment's current row says what its last link says.
bool RowMatchesLink(const Comment& c, const ChainLink& l) {
  return l.hash == c.hash && l.state == c.state && l.body_markdown == c.body_markdown &&
         l.author_name == c.author_name && l.parent_id == c.parent_id;
}

}  // namespace

std::string ComputeContentHash(const ChainLink& link) {
  const Sha256::Hex hex = ContentHex(ThreadHasher(), link);
  return std::string(View(hex));
}

std::string CanonicalLinkEncoding(std::string_view page_key, const ChainLink& link) {
  LinkHasher& h = ThreadHasher();
  Encode(h, page_key, link);
  return h.link;
}

std::string ComputeLinkHash(std::string_view page_key, const ChainLink& link) {
  LinkHasher& h = ThreadHasher();
  Encode(h, page_key, link);
  return std::string(View(h.sha.HexDigest(h.link)));
}

void SealLink(std::string_view page_key, ChainLink& link) {
  link.content_hash = ComputeContentHash(link);
  SealLinkWithContentHash(page_key, link);
}

void SealLinkWithContentHash(std::string_view page_key, ChainLink& link) {
  link.format = 2;
  link.erased = false;
  LinkHasher& h = ThreadHasher();
  EncodeV2(h, page_key, link, link.content_hash);
  link.hash = std::string(View(h.sha.HexDigest(h.link)));
}

ChainReport VerifyChain(const Page& page, const std::vector<ChainLink>& links,
                        const std::vector<Comment>& current_rows) {
  ChainReport report;
  const std::vector<char> hashes_ok = CheckLinkHashes(page.key, links);
  std::set<CommentId> failed;
  std::set<CommentId> erased;
  std::string_view prev = kZeroHash;
  // (comment, index of its last link), sorted by comment.
  std::vector<std::pair<CommentId, std::size_t>> last_link;
  last_link.reserve(links.size());
  for (std::size_t i = 0; i < links.size(); ++i) {
    const ChainLink& link = links[i];
    if (link.prev_hash != prev || !hashes_ok[i]) failed.insert(link.comment_id);
    if (link.erased) erased.insert(link.comment_id);
    prev = link.hash;
    last_link.emplace_back(link.comment_id, i);
  }
  std::stable_sort(last_link.begin(), last_link.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  report.head = std::string(prev);
  report.length = static_cast<std::int64_t>(links.size());
  if (page.chain_head != prev) {
    report.ok = false;
    if (!links.empty()) failed.insert(links.back().comment_id);
  }
  for (const Comment& c : current_rows) {
    // The last entry for c.id: the one before the first entry of a larger id.
    auto it = std::upper_bound(last_link.begin(), last_link.end(), c.id,
                               [](CommentId id, const auto& e) { return id < e.first; });
    if (it == last_link.begin() || std::prev(it)->first != c.id ||
        !RowMatchesLink(c, links[std::prev(it)->second])) {
      failed.insert(c.id);
    }
  }
  report.failed_ids.assign(failed.begin(), failed.end());
  report.erased_ids.assign(erased.begin(), erased.end());
  if (!report.failed_ids.empty()) report.ok = false;
  return report;
}

std::optional<VerifiedPrefix> ExtendVerifiedPrefix(const Page& page, const VerifiedPrefix& prefix,
                                                   const std::vector<ChainLink>& links,
                                                   const std::vector<Comment>& rows) {
  // The prefix's last link must still be there with the hash it had; an empty
  // prefix has none, and the chain starts from 64 zeros.
  std::size_t first_new = 0;
  if (prefix.length > 0) {
    if (links.empty() || links.front().seq != prefix.last_seq ||
        links.front().hash != prefix.head) {
      return std::nullopt;
    }
    first_new = 1;
  }
  VerifiedPrefix out = prefix;
  LinkHasher& h = ThreadHasher();
  std::vector<std::pair<CommentId, std::size_t>> last_link;
  for (std::size_t i = first_new; i < links.size(); ++i) {
    const ChainLink& link = links[i];
    if (link.prev_hash != out.head || !LinkHashesHold(h, page.key, link)) return std::nullopt;
    out.head = link.hash;
    out.last_seq = link.seq;
    ++out.length;
    last_link.emplace_back(link.comment_id, i);
  }
  if (page.chain_head != out.head) return std::nullopt;
  std::stable_sort(last_link.begin(), last_link.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t i = 0; i < last_link.size(); ++i) {
    const CommentId id = last_link[i].first;
    if (i + 1 < last_link.size() && last_link[i + 1].first == id) continue;
    const ChainLink& l = links[last_link[i].second];
    auto row = std::lower_bound(rows.begin(), rows.end(), id,
                                [](const Comment& c, CommentId want) { return c.id < want; });
    if (row == rows.end() || row->id != id || !RowMatchesLink(*row, l)) return std::nullopt;
  }
  return out;
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
