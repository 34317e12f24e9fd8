#include "transfer/import_writer.hpp"

#include <ctime>
#include <iomanip>
#include <unordered_set>

#include "core/text.hpp"
#include "render/markdown.hpp"
#include "service/events.hpp"
#include "service/hash_chain.hpp"

namespace amur::transfer {

Progress::Progress(std::ostream* out)
    : out_(out), start_(std::chrono::steady_clock::now()), last_(start_) {}

namespace {

void DrawProgress(std::ostream& out, std::int64_t items, double seconds, bool done) {
  const double rate = seconds > 0 ? static_cast<double>(items) / seconds : 0;
  const auto total = static_cast<long long>(seconds);
  out << "\r" << items << " items  " << static_cast<long long>(rate) << "/s  " << std::setfill('0')
      << std::setw(2) << total / 60 << ":" << std::setw(2) << total % 60 << std::setfill(' ')
      << "   " << (done ? "\n" : "") << std::flush;
}

}  // namespace

void Progress::Tick(std::int64_t items) {
  if (!out_ || (items & 1023) != 0) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(250)) return;
  last_ = now;
  DrawProgress(*out_, items, std::chrono::duration<double>(now - start_).count(), false);
}

void Progress::Done(std::int64_t items) {
  if (!out_) return;
  DrawProgress(*out_, items,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(),
               true);
}

bool ParseSqlDateTime(std::string_view text, TimeMs* out) {
  const std::string t(TrimUnicodeSpace(text));
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char tail = 0;
  if (std::sscanf(t.c_str(), "%4d-%2d-%2d %2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &tail) != 6) {
    return false;
  }
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return false;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  *out = static_cast<TimeMs>(timegm(&tm)) * 1000;
  return true;
}

std::string PageKeyFromLink(const std::string& raw, PageKeyMode mode) {
  std::string link(TrimUnicodeSpace(raw));
  if (const auto hash = link.find('#'); hash != std::string::npos) link.resize(hash);
  if (link.empty()) return {};
  if (mode == PageKeyMode::kUrl) return link;
  const auto scheme = link.find("://");
  if (scheme == std::string::npos) return link[0] == '/' ? link : std::string();
  const auto slash = link.find_first_of("/?", scheme + 3);
  if (slash == std::string::npos) return "/";
  std::string key = link.substr(slash);
  if (key[0] == '?') key = "/" + key;
  return key;
}

void PrepareComment(SourceComment* c) {
  if (c->text != SourceComment::Text::kUnprepared) return;
  std::string body = StripControlCharsKeepNewlines(c->body_markdown);
  if (!IsValidUtf8(body)) {
    c->text = SourceComment::Text::kInvalidUtf8;
    return;
  }
  if (c->state != CommentState::kDeleted && TrimUnicodeSpace(body).empty()) {
    c->text = SourceComment::Text::kBlank;
    return;
  }
  c->body_markdown = std::string(TrimBlankLinesAndTrailingSpace(body));
  if (c->author_name) {
    std::string n = StripControlCharsKeepNewlines(*c->author_name);
    for (char& ch : n) {
      if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
    }
    n = std::string(TrimUnicodeSpace(n));
    if (n.empty()) {
      c->author_name.reset();
    } else {
      c->author_name = std::move(n);
    }
  }
  if (c->author_email) {
    std::string e(TrimUnicodeSpace(*c->author_email));
    if (e.empty()) {
      c->author_email.reset();
    } else {
      c->author_email = std::move(e);
    }
  }
  ChainLink content;  // what the link's content hash covers
  if (c->state != CommentState::kDeleted) {
    c->body_html = render::MarkdownToSafeHtml(c->body_markdown);
    content.author_name = c->author_name;
    content.body_markdown = c->body_markdown;
  }
  c->content_hash = service::ComputeContentHash(content);
  c->text = SourceComment::Text::kOk;
}

ImportWriter::ImportWriter(store::Store& store, const Clock& clock, const ImportOptions& options,
                           ImportSummary* summary)
    : clock_(clock),
      options_(options),
      summary_(summary),
      s_(store.OpenSession()),
      progress_(options.progress) {
  // 96 MB of pages: the indexes of a million comments outgrow 64 MB (peak RSS
  // stays near 130 MB, under issue 11's 200 MB).
  s_->SetCacheSize(96);
  s_->SetBulkWrites(true);
}

ImportWriter::~ImportWriter() {
  Abort();
  // What the batches before a failure committed is on disk too.
  EndBulkWrites();
}

bool ImportWriter::EndBulkWrites() {
  if (!bulk_) return true;
  bulk_ = false;
  try {
    s_->SetBulkWrites(false);
  } catch (const std::exception& e) {
    if (summary_->error.empty()) summary_->error = std::string("database: ") + e.what();
    return false;
  }
  return true;
}

void ImportWriter::Abort() {
  if (in_batch_) {
    try {
      s_->Rollback();
    } catch (...) {
    }
    in_batch_ = false;
  }
  pages_.clear();
  placed_.clear();
}

bool ImportWriter::StoreFailed(const std::exception& e) {
  if (summary_->error.empty()) summary_->error = std::string("database: ") + e.what();
  Abort();
  return false;
}

bool ImportWriter::Issue(bool skipped, const std::string& where, const std::string& item,
                         const std::string& reason) {
  (skipped ? summary_->skipped : summary_->repaired) += 1;
  summary_->reasons[reason] += 1;
  if (summary_->issues.size() < kMaxListedIssues) {
    summary_->issues.push_back(ImportIssue{skipped, where, item, reason});
  }
  if (options_.strict) {
    summary_->error = where + ": " + item + ": " + reason + " (--strict)";
    Abort();
    return false;
  }
  return true;
}

bool ImportWriter::EnsureBatch() {
  if (in_batch_) return true;
  s_->BeginWrite();
  in_batch_ = true;
  batch_items_ = 0;
  next_id_ = 0;  // others may have written between batches
  return true;
}

bool ImportWriter::CommitBatch() {
  if (!in_batch_) return true;
  try {
    const TimeMs now = clock_.NowMs();
    const std::string kind = source_.substr(0, source_.find(':'));
    for (auto& [key, ps] : pages_) {
      s_->AppendLinks(ps.page.id, ps.links);
      ps.links.clear();
      if (ps.added == 0) continue;
      auto draft = service::PageEvent(service::event_type::kPageImported, ps.page,
                                      service::kSystemActor, EventVisibility::kStaff);
      draft.data["comments"] = ps.added;
      draft.data["source"] = kind;
      service::RecordEvent(*s_, now, draft);
    }
    s_->Commit();
  } catch (const std::exception& e) {
    return StoreFailed(e);
  }
  in_batch_ = false;
  pages_.clear();
  placed_.clear();
  return true;
}

ImportWriter::PageState& ImportWriter::PageFor(const SourcePage& p, TimeMs first_time) {
  auto it = pages_.find(p.key);
  if (it != pages_.end()) return it->second;
  const bool existed = s_->FindPage(p.key).has_value();
  Page page = s_->UpsertPage(store::UpsertPageRequest{p.key, p.title, p.url, first_time});
  if (!existed && p.closed) {
    s_->SetPageClosed(p.key, true);
    page.closed = true;
  }
  return pages_.emplace(p.key, PageState{std::move(page), 0, {}}).first->second;
}

std::optional<ImportWriter::Placed> ImportWriter::FindPlaced(const std::string& source_id) {
  if (auto it = placed_.find(source_id); it != placed_.end()) return it->second;
  const auto id = s_->FindImported(source_, source_id);
  if (!id) return std::nullopt;
  const auto c = s_->FindComment(*id);
  if (!c) return std::nullopt;
  return Placed{c->id, c->depth, c->parent_id, c->page_id};
}

bool ImportWriter::Add(const SourcePage& page, SourceComment&& c) {
  try {
    EnsureBatch();
    if (!c.parent_source_id.empty()) {
      if (c.parent_source_id == c.source_id) {
        if (!Issue(false, c.where, c.label, "a reply to itself; kept as a top-level comment")) {
          return false;
        }
        return PlaceWithChildren(page, std::move(c), true);
      }
      if (c.parent_missing && !FindPlaced(c.parent_source_id)) {
        return PlaceWithChildren(page, std::move(c), true);
      }
      if (!FindPlaced(c.parent_source_id)) {
        // Its parent comes later, or never (FinishPage / Finish decide).
        const std::string parent = c.parent_source_id;
        waiting_[parent].push_back(Waiting{page, std::move(c)});
        return true;
      }
    }
    return PlaceWithChildren(page, std::move(c), false);
  } catch (const std::exception& e) {
    return StoreFailed(e);
  }
}

bool ImportWriter::PlaceWithChildren(const SourcePage& page, SourceComment&& c, bool orphan) {
  if (waiting_.empty()) return Place(page, c, orphan);  // nothing waits for it
  struct Todo {
    SourcePage page;
    SourceComment c;
    bool orphan;
  };
  std::vector<Todo> todo;
  todo.push_back(Todo{page, std::move(c), orphan});
  while (!todo.empty()) {
    Todo t = std::move(todo.back());
    todo.pop_back();
    const std::string id = t.c.source_id;
    if (!Place(t.page, t.c, t.orphan)) return false;
    if (auto it = waiting_.find(id); it != waiting_.end()) {
      std::vector<Waiting> children = std::move(it->second);
      waiting_.erase(it);
      // Oldest first: the stack takes them from the back.
      for (auto ch = children.rbegin(); ch != children.rend(); ++ch) {
        todo.push_back(Todo{std::move(ch->page), std::move(ch->comment), false});
      }
    }
  }
  return true;
}

bool ImportWriter::Place(const SourcePage& sp, SourceComment& sc, bool orphan) {
  EnsureBatch();
  // When the comment's id is known (next_id_) and its text is usable, one
  // statement both learns that the item is new and remembers it: from here
  // the comment is written under that id, or the import stops and the batch
  // is rolled back.
  const bool remembered = next_id_ > 0 && sc.text == SourceComment::Text::kOk &&
                          s_->RememberImported(source_, sc.source_id, next_id_);
  if (!remembered) {
    if (const auto existing = s_->FindImported(source_, sc.source_id)) {
      if (first_new_id_ > 0 && *existing >= first_new_id_) {
        return Issue(true, sc.where, sc.label, "its id appears a second time in the file");
      }
      summary_->already += 1;
      return true;
    }
  }
  std::optional<Placed> parent;
  if (!orphan && !sc.parent_source_id.empty()) {
    parent = FindPlaced(sc.parent_source_id);
    if (!parent) orphan = true;
  }
  PrepareComment(&sc);
  if (sc.text == SourceComment::Text::kInvalidUtf8) {
    return Issue(true, sc.where, sc.label, "its text is not valid UTF-8");
  }
  if (sc.text == SourceComment::Text::kBlank) {
    return Issue(true, sc.where, sc.label, "it has no text");
  }

  PageState& ps = PageFor(sp, sc.created_at);
  if (parent && parent->page_id != ps.page.id) {
    if (!Issue(false, sc.where, sc.label,
               "its parent is on another page; kept as a top-level comment")) {
      return false;
    }
    parent.reset();
    orphan = false;
  }
  if (orphan) {
    if (!Issue(false, sc.where, sc.label,
               "its parent (" + sc.parent_source_id +
                   ") is not in the file; kept as a top-level comment marked import_orphan")) {
      return false;
    }
  }

  Comment c;
  c.page_id = ps.page.id;
  if (parent) {
    // Past the depth limit a reply attaches to the deepest allowed ancestor,
    // as amur serve attaches a live one.
    Placed attach = *parent;
    while (attach.depth >= options_.max_depth && attach.parent_id) {
      auto up = s_->FindComment(*attach.parent_id);
      if (!up) break;
      attach = Placed{up->id, up->depth, up->parent_id, up->page_id};
    }
    if (attach.depth < options_.max_depth) {
      c.parent_id = attach.id;
      c.depth = attach.depth + 1;
    }
  }
  if (orphan) c.moderation_reasons.push_back("import_orphan");
  c.state = sc.state;
  if (sc.state == CommentState::kDeleted) {
    c.author_name = std::nullopt;
    c.body_markdown.clear();
  } else {
    c.author_name = std::move(sc.author_name);
    c.body_markdown = std::move(sc.body_markdown);
    c.body_html = std::move(sc.body_html);
  }
  c.author_email = std::move(sc.author_email);
  c.is_guest = true;
  c.created_at = sc.created_at;
  c.upvotes = sc.upvotes;
  c.downvotes = sc.downvotes;
  c.client_address = std::move(sc.client_address);
  // Inside the batch's write transaction nobody else inserts: after one
  // insert, the next id is known, so the comment goes in once with its id
  // and hash (no second write for the hash).
  const bool predicted = next_id_ > 0;
  c.id = predicted ? next_id_ : 0;

  ChainLink link;
  link.seq = ps.page.chain_len + 1;
  link.n = 1;
  link.parent_id = c.parent_id;
  link.author_name = c.author_name;
  link.state = c.state;
  link.body_markdown = c.body_markdown;
  link.at = c.created_at;
  link.prev_hash = ps.page.chain_head;
  link.content_hash = sc.content_hash;
  if (predicted) {
    link.comment_id = c.id;
    service::SealLinkWithContentHash(ps.page.key, link);
    c.hash = link.hash;
    if (!s_->RestoreComment(c)) {
      throw store::StoreError("the comment id " + std::to_string(c.id) + " was taken");
    }
  } else {
    c.id = s_->InsertComment(c);
    link.comment_id = c.id;
    service::SealLinkWithContentHash(ps.page.key, link);
    c.hash = link.hash;
    s_->UpdateComment(c);
  }
  next_id_ = c.id + 1;
  if (first_new_id_ == 0) first_new_id_ = c.id;
  ps.page.chain_head = link.hash;
  ps.page.chain_len = link.seq;
  ps.links.push_back(std::move(link));
  if (!remembered) s_->RememberImported(source_, sc.source_id, c.id);
  placed_[sc.source_id] = Placed{c.id, c.depth, c.parent_id, c.page_id};
  // The texts go back to `sc`, to be freed by the thread that made them.
  if (sc.state != CommentState::kDeleted) {
    sc.author_name = std::move(c.author_name);
    sc.body_markdown = std::move(c.body_markdown);
    sc.body_html = std::move(c.body_html);
  }
  sc.author_email = std::move(c.author_email);
  sc.client_address = std::move(c.client_address);

  ps.added += 1;
  if (pages_seen_.insert(ps.page.id).second) summary_->pages += 1;
  summary_->comments += 1;
  summary_->by_state[CommentStateName(c.state)] += 1;
  ++items_;
  progress_.Tick(items_);
  if (++batch_items_ >= options_.batch_size) return CommitBatch();
  return true;
}

void ImportWriter::PlaceWaitingRoots(const std::string* page_key) {
  // Replies whose parent never came: the roots of what waits (those whose
  // parent is not itself waiting) become top-level, and their replies follow.
  for (;;) {
    std::unordered_set<std::string> waiting_ids;
    for (const auto& [parent, list] : waiting_) {
      for (const auto& w : list) {
        if (!page_key || w.page.key == *page_key) waiting_ids.insert(w.comment.source_id);
      }
    }
    if (waiting_ids.empty()) return;
    std::vector<std::string> roots;
    for (const auto& [parent, list] : waiting_) {
      if (waiting_ids.count(parent)) continue;
      for (const auto& w : list) {
        if (!page_key || w.page.key == *page_key) {
          roots.push_back(parent);
          break;
        }
      }
    }
    bool cycle = false;
    if (roots.empty()) {
      // Every waiting reply waits for another: a cycle. Break it anywhere.
      for (const auto& [parent, list] : waiting_) {
        for (const auto& w : list) {
          if (!page_key || w.page.key == *page_key) {
            roots.push_back(parent);
            break;
          }
        }
        if (!roots.empty()) break;
      }
      cycle = true;
    }
    for (const std::string& parent : roots) {
      auto it = waiting_.find(parent);
      if (it == waiting_.end()) continue;
      std::vector<Waiting> mine, others;
      for (auto& w : it->second) {
        ((!page_key || w.page.key == *page_key) ? mine : others).push_back(std::move(w));
      }
      if (others.empty()) {
        waiting_.erase(it);
      } else {
        it->second = std::move(others);
      }
      for (auto& w : mine) {
        if (cycle) w.comment.parent_source_id += " (a cycle of replies)";
        if (!PlaceWithChildren(w.page, std::move(w.comment), true)) return;
      }
    }
    if (!summary_->error.empty()) return;
  }
}

bool ImportWriter::FinishPage(const std::string& page_key) {
  try {
    PlaceWaitingRoots(&page_key);
  } catch (const std::exception& e) {
    return StoreFailed(e);
  }
  return summary_->error.empty();
}

bool ImportWriter::Finish() {
  try {
    PlaceWaitingRoots(nullptr);
    if (!summary_->error.empty()) return false;
  } catch (const std::exception& e) {
    return StoreFailed(e);
  }
  if (!CommitBatch()) return false;
  // The summary reports only what is on disk.
  if (!EndBulkWrites()) return false;
  progress_.Done(items_);
  return true;
}

}  // namespace amur::transfer
