// Text files compiled into the binary by cmake/embed_text.cmake. Private to
// src/moderation: other code reads the lists through default_lists.hpp.
#pragma once

namespace amur::moderation {

struct EmbeddedFile {
  const char* name;  // the file name without directories, e.g. "banned-en.txt"
  const char* text;  // the whole file, NUL-terminated
};

// The files of data/moderation/*.txt and *.tsv, sorted by name.
extern const EmbeddedFile kEmbeddedTermListFiles[];
extern const int kEmbeddedTermListFilesCount;

}  // namespace amur::moderation
