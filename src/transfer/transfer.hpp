// Import and export (docs/export-format.md, docs/operations.md "Import and
// export"): WordPress (WXR 1.0-1.2, wpDiscuz votes) and Disqus exports in,
// Amur's own JSON Lines out and back in, and moving threads when a site's
// URLs change. Every import streams its file (constant memory), commits in
// batches (atomic each; an interrupted import is resumed by running it
// again: what came in is remembered by source id and skipped), computes the
// hash chain of what it writes, records one page.imported event per page and
// batch instead of an event per comment (so nothing is mailed and no webhook
// fires), and never stops on what real exports get wrong: it places what it
// can, and lists what it skipped or repaired, with the reason.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "store/store.hpp"

namespace amur::transfer {

enum class PageKeyMode {
  kPath,    // the link's path (and query: "/?p=12" stays its own page)
  kUrl,     // the whole link
  kPostId,  // WordPress only: the post id, "wp:<id>"
};

struct ImportOptions {
  PageKeyMode page_key = PageKeyMode::kPath;
  bool strict = false;               // a skipped or repaired item is an error
  int batch_size = 2000;             // comments per transaction
  int max_depth = 5;                 // as amur serve's --max-depth
  std::ostream* progress = nullptr;  // a terminal: one line, redrawn
};

// One skipped or repaired item.
struct ImportIssue {
  bool skipped = false;  // false: repaired (imported, changed)
  std::string where;     // "FILE:LINE:COLUMN" or "FILE:LINE"
  std::string item;      // "comment 42", "post 7", "record 3"
  std::string reason;
};

struct ImportSummary {
  std::int64_t pages = 0;                        // pages that received comments
  std::int64_t comments = 0;                     // comments (or records) written
  std::map<std::string, std::int64_t> by_state;  // "approved" -> n
  std::int64_t already = 0;                      // found from an earlier run and left alone
  std::int64_t skipped = 0;
  std::int64_t repaired = 0;
  std::vector<ImportIssue> issues;              // the first kMaxListedIssues
  std::map<std::string, std::int64_t> reasons;  // every issue, counted by reason
  double seconds = 0;
  std::string error;  // set when the import stopped (malformed file, --strict)
};

inline constexpr std::size_t kMaxListedIssues = 1000;

ImportSummary ImportWordPress(store::Store& store, const Clock& clock, const std::string& file,
                              const ImportOptions& options);
ImportSummary ImportDisqus(store::Store& store, const Clock& clock, const std::string& file,
                           const ImportOptions& options);
// Reads an Amur export back losslessly into a database that is empty (or
// holds an interrupted import of the same export).
ImportSummary ImportAmur(store::Store& store, const Clock& clock, const std::string& file,
                         const ImportOptions& options);

// Writes the whole database as Amur JSON Lines to `out` from one read
// snapshot. Returns the records written per type; sets *error on failure.
std::map<std::string, std::int64_t> ExportAmur(store::Store& store, const Clock& clock,
                                               const std::string& export_id, std::ostream& out,
                                               std::string* error);

struct RemapChange {
  std::string old_key, new_key;
  std::optional<std::string> old_url, new_url;
  std::string skipped;  // why it was not moved, or empty
};

// Moves the pages whose key or URL starts with `from` to start with `to`
// instead (key and URL each where they match). A page whose key changes
// gets its hash chain recomputed under the new key, and a page.moved event.
// A page whose new key is taken is left alone. With dry_run, only reports.
std::vector<RemapChange> Remap(store::Store& store, const Clock& clock, const std::string& from,
                               const std::string& to, bool dry_run, std::string* error);

// The summary as the command prints it.
void PrintSummary(const ImportSummary& s, std::ostream& out);

}  // namespace amur::transfer
