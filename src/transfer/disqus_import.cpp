// The Disqus export (<disqus xmlns="http://disqus.com"
// xmlns:dsq="http://disqus.com/disqus-internals">): categories, then
// threads (dsq:id, link, title, isClosed), then posts (dsq:id, message as
// HTML, createdAt, isDeleted, isSpam, author, ipAddress, thread and parent
// by dsq:id). Threads are kept in memory (a few hundred bytes each); posts
// stream through.
#include <chrono>
#include <unordered_map>

#include "core/text.hpp"
#include "transfer/html_to_markdown.hpp"
#include "transfer/import_pipeline.hpp"
#include "transfer/import_writer.hpp"
#include "transfer/xml_stream.hpp"

namespace amur::transfer {

namespace {

struct DsqThread {
  SourcePage page;
  std::string forum;
};

struct DsqPost {
  std::string id, thread, parent, message, created, deleted, spam, approved, name, email, ip, where;
};

bool IsTrue(const std::string& v) {
  const std::string t(TrimUnicodeSpace(v));
  return t == "true" || t == "1";
}

class DisqusImport {
 public:
  DisqusImport(ImportPipeline& w, const std::string& file, const ImportOptions& o)
      : w_(w), xml_(file), options_(o) {}

  bool Run() {
    if (!xml_.ok()) return Fail(xml_.Error());
    std::vector<std::string> path;
    std::string text;
    bool saw_root = false;
    while (xml_.Next()) {
      switch (xml_.kind()) {
        case XmlStream::Kind::kStart: {
          const std::string name(xml_.LocalName());
          if (path.empty()) {
            if (name != "disqus") {
              return Fail(xml_.Position() + ": not a Disqus export: the root is <" + name +
                          ">, not <disqus>");
            }
            saw_root = true;
          }
          path.push_back(name);
          text.clear();
          if (path.size() == 2 && name == "thread") {
            thread_ = DsqThread{};
            thread_id_ = xml_.Attribute("id");
            thread_where_ = xml_.Position();
          } else if (path.size() == 2 && name == "post") {
            post_ = DsqPost{};
            post_.id = xml_.Attribute("id");
            post_.where = xml_.Position();
          } else if (path.size() == 3 && path[1] == "post" && name == "thread") {
            post_.thread = xml_.Attribute("id");
          } else if (path.size() == 3 && path[1] == "post" && name == "parent") {
            post_.parent = xml_.Attribute("id");
          }
          break;
        }
        case XmlStream::Kind::kText:
          if (text.size() < (16u << 20)) text.append(xml_.Text());
          break;
        case XmlStream::Kind::kEnd: {
          if (path.empty()) break;
          if (!End(path, text)) return false;
          path.pop_back();
          text.clear();
          break;
        }
      }
    }
    if (!xml_.ok()) return Fail(xml_.Error());
    if (!saw_root) return Fail(xml_.Position() + ": the file is empty: no Disqus export");
    return w_.Finish();
  }

 private:
  bool Fail(const std::string& message) {
    w_.Fail(message);
    return false;
  }

  bool End(const std::vector<std::string>& path, const std::string& text) {
    const std::string& name = path.back();
    const std::size_t depth = path.size();
    if (depth == 2 && name == "thread") return EndThread();
    if (depth == 2 && name == "post") return EndPost();
    if (depth == 3 && path[1] == "thread") {
      const std::string v(TrimUnicodeSpace(text));
      if (name == "link")
        thread_.page.url = v;
      else if (name == "title")
        thread_.page.title = DecodeHtmlEntities(v);
      else if (name == "forum")
        thread_.forum = v;
      else if (name == "isClosed")
        thread_.page.closed = IsTrue(v);
      return true;
    }
    if (depth == 3 && path[1] == "post") {
      if (name == "message")
        post_.message = text;
      else if (name == "createdAt")
        post_.created = std::string(TrimUnicodeSpace(text));
      else if (name == "isDeleted")
        post_.deleted = text;
      else if (name == "isSpam")
        post_.spam = text;
      else if (name == "isApproved")
        post_.approved = text;
      else if (name == "ipAddress")
        post_.ip = std::string(TrimUnicodeSpace(text));
      return true;
    }
    if (depth == 4 && path[1] == "post" && path[2] == "author") {
      if (name == "name")
        post_.name = text;
      else if (name == "email")
        post_.email = text;
    }
    return true;
  }

  bool EndThread() {
    const std::string where = thread_where_;
    if (thread_id_.empty()) {
      return w_.Issue(true, where, "thread", "it has no dsq:id; its posts cannot name it");
    }
    if (thread_.page.title && thread_.page.title->empty()) thread_.page.title.reset();
    const std::string link = thread_.page.url.value_or("");
    if (link.empty()) thread_.page.url.reset();
    thread_.page.key = PageKeyFromLink(
        link, options_.page_key == PageKeyMode::kUrl ? PageKeyMode::kUrl : PageKeyMode::kPath);
    if (thread_.page.key.empty()) {
      thread_.page.key = "disqus:" + thread_id_;
      if (!w_.Issue(false, where, "thread " + thread_id_,
                    "it has no usable link; its page key is " + thread_.page.key)) {
        return false;
      }
    }
    if (thread_.page.key.size() > 512 || !IsValidUtf8(thread_.page.key) ||
        HasControlChars(thread_.page.key)) {
      return w_.Issue(true, where, "thread " + thread_id_, "its page key is not usable");
    }
    if (!threads_.emplace(thread_id_, thread_).second) {
      return w_.Issue(true, where, "thread " + thread_id_,
                      "its dsq:id appears a second time; the first one is kept");
    }
    return true;
  }

  bool EndPost() {
    DsqPost& p = post_;
    const std::string label = "post " + (p.id.empty() ? std::string("(no id)") : p.id);
    if (p.id.empty()) return w_.Issue(true, p.where, label, "it has no dsq:id");
    auto th = threads_.find(p.thread);
    if (th == threads_.end()) {
      return w_.Issue(true, p.where, label,
                      p.thread.empty() ? "it names no thread"
                                       : "its thread " + p.thread + " is not in the file");
    }
    TimeMs at = 0;
    if (!ParseRfc3339(p.created, &at)) {
      return w_.Issue(true, p.where, label, "it has no usable createdAt");
    }
    if (!source_set_) {
      w_.SetSource("disqus:" + th->second.forum);
      source_set_ = true;
    }
    SourceComment sc;
    sc.source_id = p.id;
    sc.label = label;
    sc.parent_source_id = p.parent;
    sc.author_name = p.name;
    sc.author_email = p.email;
    sc.client_address = p.ip;
    sc.created_at = at;
    sc.where = p.where;
    if (IsTrue(p.spam)) {
      sc.state = CommentState::kSpam;
    } else if (IsTrue(p.deleted)) {
      sc.state = CommentState::kDeleted;
    } else if (!p.approved.empty() && !IsTrue(p.approved)) {
      sc.state = CommentState::kPending;
    }
    sc.body_markdown = HtmlToMarkdown(p.message, Newlines::kWhiteSpace);
    return w_.Add(th->second.page, std::move(sc));
  }

  ImportPipeline& w_;
  XmlStream xml_;
  ImportOptions options_;
  std::unordered_map<std::string, DsqThread> threads_;
  DsqThread thread_;
  std::string thread_id_, thread_where_;
  DsqPost post_;
  bool source_set_ = false;
};

}  // namespace

ImportSummary ImportDisqus(store::Store& store, const Clock& clock, const std::string& file,
                           const ImportOptions& options) {
  ImportSummary summary;
  const auto start = std::chrono::steady_clock::now();
  {
    ImportWriter writer(store, clock, options, &summary);
    writer.SetSource("disqus");
    // Parsing and rendering here; the database writes on the pipeline's thread.
    ImportPipeline pipeline(writer, options, &summary);
    DisqusImport run(pipeline, file, options);
    try {
      run.Run();
    } catch (const std::exception& e) {
      pipeline.Fail(std::string("database: ") + e.what());
    }
    pipeline.Close();
  }
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace amur::transfer
