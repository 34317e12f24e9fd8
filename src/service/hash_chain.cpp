#include "service/hash_chain.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

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

void AppendOptional(std::string& out, const std::optional<std::string_view>& value) {
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

void AppendParent(std::string& out, const ChainLinkView& link) {
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
Sha256::Hex ContentHex(LinkHasher& h, const ChainLinkView& link) {
  h.content.assign("amur-content-v1\n");
  AppendOptional(h.content, link.author_name);
  AppendLengthPrefixed(h.content, link.body_markdown);
  return h.sha.HexDigest(h.content);
}

// Format 2 bytes of `link` with `content_hash` standing in for its words, in h.link.
void EncodeV2(LinkHasher& h, std::string_view page_key, const ChainLinkView& link,
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
void EncodeV1(LinkHasher& h, std::string_view page_key, const ChainLinkView& link) {
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
void Encode(LinkHasher& h, std::string_view page_key, const ChainLinkView& link) {
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
bool LinkHashesHold(LinkHasher& h, std::string_view page_key, const ChainLinkView& link) {
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
// Links hashed per turn when two threads share the work.
constexpr std::size_t kHashChunk = 256;

// Whether a comment's current row says what its last link says.
bool RowMatchesLink(const ChainRowView& c, const ChainLinkView& l) {
  return l.hash == c.hash && l.state == c.state && l.body_markdown == c.body_markdown &&
         l.author_name == c.author_name && l.parent_id == c.parent_id;
}

// Copies of strings in blocks that never move, so the views of kept links
// stay valid while more are added.
class TextArena {
 public:
  explicit TextArena(std::size_t first_block) : next_block_(first_block) {}
  std::string_view Keep(std::string_view text) {
    if (text.empty()) return {};
    if (text.size() > free_) NewBlock(text.size());
    char* at = cursor_;
    std::memcpy(at, text.data(), text.size());
    cursor_ += text.size();
    free_ -= text.size();
    return {at, text.size()};
  }

 private:
  void NewBlock(std::size_t need) {
    const std::size_t size = std::max(need, next_block_);
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(size));
    cursor_ = blocks_.back().get();
    free_ = size;
    next_block_ = std::size_t{1} << 20;
  }
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::size_t next_block_;
  char* cursor_ = nullptr;
  std::size_t free_ = 0;
};

}  // namespace

ChainLinkView ViewOf(const ChainLink& link) {
  ChainLinkView v;
  v.seq = link.seq;
  v.comment_id = link.comment_id;
  v.parent_id = link.parent_id;
  if (link.author_name) v.author_name = *link.author_name;
  v.state = link.state;
  v.body_markdown = link.body_markdown;
  v.at = link.at;
  v.prev_hash = link.prev_hash;
  v.hash = link.hash;
  v.format = link.format;
  v.content_hash = link.content_hash;
  v.erased = link.erased;
  return v;
}

ChainRowView ViewOf(const Comment& row) {
  ChainRowView v;
  v.id = row.id;
  v.parent_id = row.parent_id;
  if (row.author_name) v.author_name = *row.author_name;
  v.state = row.state;
  v.body_markdown = row.body_markdown;
  v.hash = row.hash;
  return v;
}

std::string ComputeContentHash(const ChainLink& link) {
  const Sha256::Hex hex = ContentHex(ThreadHasher(), ViewOf(link));
  return std::string(View(hex));
}

std::string CanonicalLinkEncoding(std::string_view page_key, const ChainLink& link) {
  LinkHasher& h = ThreadHasher();
  Encode(h, page_key, ViewOf(link));
  return h.link;
}

std::string ComputeLinkHash(std::string_view page_key, const ChainLink& link) {
  LinkHasher& h = ThreadHasher();
  Encode(h, page_key, ViewOf(link));
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
  EncodeV2(h, page_key, ViewOf(link), link.content_hash);
  link.hash = std::string(View(h.sha.HexDigest(h.link)));
}

// Links kept by ChainCheck, in chunks that are hashed as a whole.
struct LinkChunk {
  std::array<ChainLinkView, kHashChunk> links;  // views into the check's arena
  std::array<char, kHashChunk> hashes_ok{};     // LinkHashesHold of each, 1 or 0
  std::size_t size = 0;
};

struct ChainCheck::State {
  State(std::string_view key, std::size_t expected)
      : page_key(key),
        // About what a typical link needs: three hashes, a name and a short body.
        arena(std::clamp<std::size_t>(expected * 320, 4096, std::size_t{8} << 20)) {
    chunks.reserve(expected / kHashChunk + 1);
    last_link.reserve(expected);
    // A chain expected long gets its second thread now: it hashes each chunk
    // as soon as it is full, while the rest is still being read.
    if (expected >= kParallelLinks) StartHelper();
  }

  ~State() {
    if (!helper.joinable()) return;
    {
      std::lock_guard lock(mutex);
      stopped = true;
    }
    wake.notify_all();
    helper.join();
  }

  const ChainLinkView& Link(std::size_t i) const {
    return chunks[i / kHashChunk]->links[i % kHashChunk];
  }

  void StartHelper() {
    if (helper.joinable() || std::thread::hardware_concurrency() < 2) return;
    helper = std::thread([this] {
      try {
        HashReadyChunks(/*wait=*/true);
      } catch (...) {
        helper_error = std::current_exception();
      }
    });
  }

  // Hands the current chunk to whichever thread hashes next.
  void Publish() {
    {
      std::lock_guard lock(mutex);
      ready.push_back(chunks.back().get());
    }
    wake.notify_one();
  }

  // Hashes published chunks until none is left; with `wait`, waits for more
  // until the links are all published (or the check is abandoned).
  void HashReadyChunks(bool wait) {
    LinkHasher& h = ThreadHasher();
    for (;;) {
      LinkChunk* chunk = nullptr;
      {
        std::unique_lock lock(mutex);
        if (wait)
          wake.wait(lock, [this] { return stopped || closed || next_ready < ready.size(); });
        if (stopped || next_ready == ready.size()) return;
        chunk = ready[next_ready++];
      }
      for (std::size_t i = 0; i < chunk->size; ++i) {
        chunk->hashes_ok[i] = LinkHashesHold(h, page_key, chunk->links[i]) ? 1 : 0;
      }
    }
  }

  // Called once, after the last link: publishes the last chunk, sorts the
  // index of last links, and gives a long chain its second thread if it has
  // none yet.
  void LinksDone() {
    if (links_done) return;
    links_done = true;
    if (!chunks.empty() && chunks.back()->size < kHashChunk) Publish();
    {
      std::lock_guard lock(mutex);
      closed = true;
    }
    wake.notify_all();
    std::sort(last_link.begin(), last_link.end());
    if (count >= kParallelLinks) StartHelper();
  }

  std::string page_key;
  TextArena arena;
  std::vector<std::unique_ptr<LinkChunk>> chunks;
  std::size_t count = 0;  // links added
  // (comment, index of its link), every link; sorted once the links are done,
  // so a comment's last link is the last entry of its id.
  std::vector<std::pair<CommentId, std::size_t>> last_link;
  std::string_view prev = kZeroHash;
  std::set<CommentId> failed;
  std::set<CommentId> erased;
  bool links_done = false;

  // Chunks to hash, shared with the helper thread under `mutex`.
  std::mutex mutex;
  std::condition_variable wake;
  std::vector<LinkChunk*> ready;
  std::size_t next_ready = 0;  // ready[next_ready..] are not taken yet
  bool closed = false;         // every chunk is in `ready`
  bool stopped = false;        // abandoned: the helper stops
  std::thread helper;
  std::exception_ptr helper_error;
};

ChainCheck::ChainCheck(std::string_view page_key, std::int64_t expected_links)
    : state_(std::make_unique<State>(page_key, static_cast<std::size_t>(std::clamp<std::int64_t>(
                                                   expected_links, 0, 1 << 20)))) {}

ChainCheck::~ChainCheck() = default;

void ChainCheck::AddLink(const ChainLinkView& link) {
  State& st = *state_;
  if (link.prev_hash != st.prev) st.failed.insert(link.comment_id);
  if (link.erased) st.erased.insert(link.comment_id);
  if (st.chunks.empty() || st.chunks.back()->size == kHashChunk) {
    st.chunks.push_back(std::make_unique<LinkChunk>());
  }
  LinkChunk& chunk = *st.chunks.back();
  ChainLinkView& kept = chunk.links[chunk.size];
  kept = link;
  if (link.author_name) kept.author_name = st.arena.Keep(*link.author_name);
  kept.body_markdown = st.arena.Keep(link.body_markdown);
  kept.prev_hash = st.arena.Keep(link.prev_hash);
  kept.hash = st.arena.Keep(link.hash);
  kept.content_hash = st.arena.Keep(link.content_hash);
  st.prev = kept.hash;
  st.last_link.emplace_back(link.comment_id, st.count++);
  if (++chunk.size == kHashChunk) st.Publish();
}

void ChainCheck::CheckRow(const ChainRowView& row) {
  State& st = *state_;
  st.LinksDone();
  // The last entry for row.id: the one before the first entry of a larger id.
  auto it = std::upper_bound(st.last_link.begin(), st.last_link.end(), row.id,
                             [](CommentId id, const auto& e) { return id < e.first; });
  if (it == st.last_link.begin() || std::prev(it)->first != row.id ||
      !RowMatchesLink(row, st.Link(std::prev(it)->second))) {
    st.failed.insert(row.id);
  }
}

ChainReport ChainCheck::Finish(std::string_view stored_head, std::int64_t* last_seq) {
  State& st = *state_;
  st.LinksDone();
  st.HashReadyChunks(/*wait=*/false);
  if (st.helper.joinable()) {
    st.helper.join();
    if (st.helper_error) std::rethrow_exception(st.helper_error);
  }
  for (const auto& chunk : st.chunks) {
    for (std::size_t i = 0; i < chunk->size; ++i) {
      if (!chunk->hashes_ok[i]) st.failed.insert(chunk->links[i].comment_id);
    }
  }
  ChainReport report;
  report.head = std::string(st.prev);
  report.length = static_cast<std::int64_t>(st.count);
  if (last_seq) *last_seq = st.count == 0 ? 0 : st.Link(st.count - 1).seq;
  if (stored_head != st.prev) {
    report.ok = false;
    if (st.count > 0) st.failed.insert(st.Link(st.count - 1).comment_id);
  }
  report.failed_ids.assign(st.failed.begin(), st.failed.end());
  report.erased_ids.assign(st.erased.begin(), st.erased.end());
  if (!report.failed_ids.empty()) report.ok = false;
  return report;
}

ChainReport VerifyChain(const Page& page, const std::vector<ChainLink>& links,
                        const std::vector<Comment>& current_rows) {
  ChainCheck check(page.key, static_cast<std::int64_t>(links.size()));
  for (const ChainLink& link : links) check.AddLink(ViewOf(link));
  for (const Comment& row : current_rows) check.CheckRow(ViewOf(row));
  return check.Finish(page.chain_head);
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
    if (link.prev_hash != out.head || !LinkHashesHold(h, page.key, ViewOf(link))) {
      return std::nullopt;
    }
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
    if (row == rows.end() || row->id != id || !RowMatchesLink(ViewOf(*row), ViewOf(l))) {
      return std::nullopt;
    }
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
