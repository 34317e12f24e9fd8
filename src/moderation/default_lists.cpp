#include "moderation/default_lists.hpp"

#include <stdexcept>
#include <string>

#include "moderation/embedded_files.hpp"

namespace amur::moderation {
namespace {

std::string_view Embedded(std::string_view name) {
  for (int i = 0; i < kEmbeddedTermListFilesCount; ++i) {
    if (kEmbeddedTermListFiles[i].name != nullptr && name == kEmbeddedTermListFiles[i].name) {
      return kEmbeddedTermListFiles[i].text;
    }
  }
  return {};
}

}  // namespace

const DefaultTermListTexts& DefaultTermLists() {
  static const DefaultTermListTexts kTexts{
      Embedded("banned-en.txt"),
      Embedded("suspect-en.txt"),
      Embedded("allow-en.txt"),
  };
  return kTexts;
}

std::shared_ptr<const TermMatcher> DefaultTermMatcher() {
  static const std::shared_ptr<const TermMatcher> kMatcher = [] {
    const DefaultTermListTexts& t = DefaultTermLists();
    auto built = BuildTermMatcher(t.banned, t.suspect, t.allow);
    if (!built.ok()) {
      throw std::logic_error("the default term lists do not compile: " + built.error().message);
    }
    return std::move(built).value();
  }();
  return kMatcher;
}

std::string_view DefaultSeedCorpus() { return Embedded("seed-en.tsv"); }

}  // namespace amur::moderation
