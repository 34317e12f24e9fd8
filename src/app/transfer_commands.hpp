// The import, export and remap commands (src/transfer does the work).
#pragma once

#include <string>

#include "app/config.hpp"
#include "transfer/transfer.hpp"

namespace amur::app {

// `amur import wordpress|disqus|amur FILE`: prints the summary; 0 when the
// import finished (skipped and repaired items listed), 1 when it stopped
// (malformed file, --strict), 2 when the database cannot be opened.
int RunImport(const Config& config, const std::string& kind, const std::string& file,
              transfer::ImportOptions options);

// `amur export [--output FILE]`: JSON Lines to FILE (written to FILE.tmp
// first, then renamed) or standard output.
int RunExport(const Config& config, const std::string& output);

// `amur remap --from PREFIX --to PREFIX [--dry-run]`.
int RunRemap(const Config& config, const std::string& from, const std::string& to, bool dry_run);

}  // namespace amur::app
