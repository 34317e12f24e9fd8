// Start-up work that puts back what the process keeps only in memory, so a
// restart does not open a gap in it.
#pragma once

#include <cstddef>

#include "core/clock.hpp"
#include "moderation/pipeline.hpp"
#include "store/store.hpp"

namespace amur::app {

struct WarmUpResult {
  std::size_t comments = 0;    // comments read from the store
  std::size_t remembered = 0;  // entries in the index afterwards (short comments are not kept)
  double seconds = 0;          // wall time of the whole warm-up
};

// Feeds the pipeline's near-duplicate index the comments created in its
// window before `now` (DuplicateOptions().window_ms), in every state (a held
// copy is still a copy), at most its capacity (the newest), oldest first,
// as they were screened when posted: the author name ("Guest" when none),
// and the email as identity, else the client address. A comment edited since
// counts with its current text. Reads in one read transaction of a new
// session. Throws store::StoreError when the database fails.
WarmUpResult WarmNearDuplicateIndex(store::Store& store, moderation::Pipeline& pipeline,
                                    TimeMs now);

// Feeds one stored comment to the near-duplicate index the way
// WarmNearDuplicateIndex feeds each.
void RememberStoredText(moderation::Pipeline& pipeline, store::ScreenedText c);

}  // namespace amur::app
