#include "service/events.hpp"
#include "service/hash_chain.hpp"
#include "transfer/transfer.hpp"

namespace amur::transfer {

namespace {

std::optional<std::string> Moved(const std::optional<std::string>& v, const std::string& from,
                                 const std::string& to) {
  if (!v || v->compare(0, from.size(), from) != 0) return v;
  return to + v->substr(from.size());
}

}  // namespace

std::vector<RemapChange> Remap(store::Store& store, const Clock& clock, const std::string& from,
                               const std::string& to, bool dry_run, std::string* error) {
  std::vector<RemapChange> changes;
  if (from.empty()) {
    *error = "--from must not be empty";
    return changes;
  }
  try {
    auto s = store.OpenSession();
    store::WriteTransaction tx(*s);
    for (PageId after = 0;;) {
      const auto pages = s->ListPagesWithPrefix(from, after, 500);
      for (const Page& p : pages) {
        after = p.id;
        RemapChange ch;
        ch.old_key = p.key;
        ch.new_key = *Moved(p.key, from, to);
        ch.old_url = p.url;
        ch.new_url = Moved(p.url, from, to);
        if (ch.new_key.empty() || ch.new_key.size() > 512) {
          ch.skipped = "the new key would be empty or longer than 512 bytes";
        } else if (ch.new_key != ch.old_key && s->FindPage(ch.new_key)) {
          ch.skipped = "a page with the key " + ch.new_key + " exists already";
        }
        if (ch.skipped.empty() && !dry_run) {
          if (ch.new_key == ch.old_key) {
            s->SetPageDetails(p.key, p.title, ch.new_url);
          } else {
            // The key is hashed into every link: the chain is recomputed.
            auto links = s->ListPageLinks(p.id);
            std::string prev = kZeroHash;
            for (ChainLink& l : links) {
              l.prev_hash = prev;
              l.hash = service::ComputeLinkHash(ch.new_key, l);
              prev = l.hash;
            }
            s->RekeyPage(p.id, ch.new_key, ch.new_url, links);
          }
          Page moved = p;
          moved.key = ch.new_key;
          moved.url = ch.new_url;
          auto draft = service::PageEvent(service::event_type::kPageMoved, moved,
                                          service::kSystemActor, EventVisibility::kStaff);
          draft.data["from"] = boost::json::object{
              {"key", p.key},
              {"url", p.url ? boost::json::value(*p.url) : boost::json::value(nullptr)}};
          service::RecordEvent(*s, clock.NowMs(), draft);
        }
        changes.push_back(std::move(ch));
      }
      if (pages.size() < 500) break;
    }
    if (!dry_run) tx.Commit();
  } catch (const std::exception& e) {
    *error = std::string("database: ") + e.what();
  }
  return changes;
}

}  // namespace amur::transfer
