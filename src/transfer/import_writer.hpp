// What the WordPress and Disqus importers share: turning source comments
// into Amur comments with their hash chain, in batches (one transaction
// each), remembering each source id so that a second run skips it, placing
// replies whose parent comes later or never, and counting what happened.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/clock.hpp"
#include "core/model.hpp"
#include "store/store.hpp"
#include "transfer/transfer.hpp"

namespace amur::transfer {

struct SourcePage {
  std::string key;
  std::optional<std::string> title;
  std::optional<std::string> url;
  bool closed = false;
};

struct SourceComment {
  std::string source_id;         // unique within the source
  std::string label;             // "comment 42" for messages
  std::string parent_source_id;  // empty: top-level
  bool parent_missing = false;   // the source knows its parent will never come
  std::optional<std::string> author_name;
  std::optional<std::string> author_email;
  std::string client_address;
  TimeMs created_at = 0;
  CommentState state = CommentState::kApproved;
  std::string body_markdown;
  std::int64_t upvotes = 0;
  std::int64_t downvotes = 0;
  std::string where;  // "FILE:LINE:COLUMN"

  // Set by PrepareComment, which needs no database and may run on another
  // thread than the writer's.
  enum class Text { kUnprepared, kOk, kInvalidUtf8, kBlank };
  Text text = Text::kUnprepared;
  std::string body_html;     // kOk and not deleted: body_markdown rendered
  std::string content_hash;  // kOk: the chain's content hash of what is written
};

// Makes the body and author what a live post would have (control characters
// dropped, blank lines and white space trimmed, the body rendered), and
// records in c->text whether the text is usable. Idempotent.
void PrepareComment(SourceComment* c);

// Counts items and redraws one progress line (items, rate, elapsed) at most
// four times a second when given a stream.
class Progress final {
 public:
  explicit Progress(std::ostream* out);
  void Tick(std::int64_t items);
  void Done(std::int64_t items);

 private:
  std::ostream* out_;
  std::chrono::steady_clock::time_point start_, last_;
};

class ImportWriter final {
 public:
  // `source` names the source in the import map ("wordpress:<site>").
  ImportWriter(store::Store& store, const Clock& clock, const ImportOptions& options,
               ImportSummary* summary);
  ~ImportWriter();

  void SetSource(std::string source) { source_ = std::move(source); }
  const std::string& source() const { return source_; }

  // Imports one comment of `page`, or keeps it (moved from `c`) until its
  // parent is placed. A comment written at once leaves its texts in `c`, so
  // that the thread which made them frees them (ImportPipeline). Returns
  // false when the import must stop (--strict, or a store failure:
  // summary->error says why).
  bool Add(const SourcePage& page, SourceComment&& c);
  // No more comments of this page will come: the replies still waiting for
  // a parent become top-level comments (repaired).
  bool FinishPage(const std::string& page_key);
  // Ends the import: places every reply still waiting, commits.
  bool Finish();
  // Drops the current batch (the file turned out malformed).
  void Abort();

  // Records a skipped (or repaired) item; false when --strict stops here.
  bool Issue(bool skipped, const std::string& where, const std::string& item,
             const std::string& reason);

 private:
  struct Placed {
    CommentId id = 0;
    int depth = 1;
    std::optional<CommentId> parent_id;
    PageId page_id = 0;
  };
  struct Waiting {
    SourcePage page;
    SourceComment comment;
  };
  struct PageState {
    Page page;
    std::int64_t added = 0;
    // The page's links of this batch, in chain order, written at the commit
    // through one AppendLinks: the page's head moves once per page and batch.
    std::vector<ChainLink> links;
  };

  bool Place(const SourcePage& page, SourceComment& c, bool orphan);
  bool PlaceWithChildren(const SourcePage& page, SourceComment&& c, bool orphan);
  std::optional<Placed> FindPlaced(const std::string& source_id);
  PageState& PageFor(const SourcePage& p, TimeMs first_time);
  bool EnsureBatch();
  bool CommitBatch();
  bool StoreFailed(const std::exception& e);
  // Ends the session's bulk writes (Store::SetBulkWrites), which makes every
  // committed batch durable; false (summary->error set) when that fails.
  bool EndBulkWrites();
  void PlaceWaitingRoots(const std::string* page_key);

  const Clock& clock_;
  ImportOptions options_;
  ImportSummary* summary_;
  std::string source_;
  std::unique_ptr<store::StoreSession> s_;
  bool bulk_ = true;  // the session's SetBulkWrites(true) is in force
  bool in_batch_ = false;
  int batch_items_ = 0;
  CommentId first_new_id_ = 0;  // ids at or above it were made by this run
  CommentId next_id_ = 0;       // the id the next comment of this batch gets; 0: unknown
  std::unordered_map<std::string, PageState> pages_;  // touched in this batch
  std::unordered_map<std::string, Placed> placed_;    // placed in this batch
  // Replies waiting for their parent, by the parent's source id.
  std::unordered_map<std::string, std::vector<Waiting>> waiting_;
  std::unordered_set<PageId> pages_seen_;  // pages this run wrote to
  std::int64_t items_ = 0;
  Progress progress_;
};

// "YYYY-MM-DD HH:MM:SS" (UTC) to ms; false for anything else (and for the
// zero date WordPress writes when it has none).
bool ParseSqlDateTime(std::string_view text, TimeMs* out);

// The page key of `link` in `mode` (kPath keeps the query, so "?p=12" stays
// its own page). Empty when the link has no usable path.
std::string PageKeyFromLink(const std::string& link, PageKeyMode mode);

}  // namespace amur::transfer
