#include "transfer/wordpress_import.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <unordered_set>

#include "core/text.hpp"
#include "transfer/html_to_markdown.hpp"
#include "transfer/import_pipeline.hpp"
#include "transfer/import_writer.hpp"
#include "transfer/xml_stream.hpp"

namespace amur::transfer {

namespace {

std::optional<std::int64_t> ParseInt(std::string_view s) {
  const std::string t(TrimUnicodeSpace(s));
  if (t.empty() || t.size() > 18) return std::nullopt;
  std::size_t i = t[0] == '-' ? 1 : 0;
  if (i == t.size()) return std::nullopt;
  for (std::size_t j = i; j < t.size(); ++j) {
    if (t[j] < '0' || t[j] > '9') return std::nullopt;
  }
  return std::strtoll(t.c_str(), nullptr, 10);
}

// The string keys and integer (or numeric string) values of a flat
// PHP-serialized array; nullopt when it is not one.
std::optional<std::map<std::string, std::int64_t>> UnserializeFlatArray(std::string_view s) {
  std::map<std::string, std::int64_t> out;
  std::size_t p = 0;
  auto expect = [&](char ch) {
    if (p < s.size() && s[p] == ch) {
      ++p;
      return true;
    }
    return false;
  };
  auto number = [&]() -> std::optional<std::int64_t> {
    const std::size_t start = p;
    if (p < s.size() && s[p] == '-') ++p;
    while (p < s.size() && s[p] >= '0' && s[p] <= '9') ++p;
    if (p < s.size() && s[p] == '.') {  // d:1.0
      ++p;
      while (p < s.size() && s[p] >= '0' && s[p] <= '9') ++p;
    }
    return ParseInt(s.substr(start, p - start).substr(0, s.substr(start, p - start).find('.')));
  };
  auto str = [&]() -> std::optional<std::string> {
    auto len = number();
    if (!len || *len < 0 || !expect(':') || !expect('"')) return std::nullopt;
    if (p + static_cast<std::size_t>(*len) > s.size()) return std::nullopt;
    std::string v(s.substr(p, static_cast<std::size_t>(*len)));
    p += static_cast<std::size_t>(*len);
    if (!expect('"')) return std::nullopt;
    return v;
  };
  while (p < s.size() && s[p] == ' ') ++p;
  if (!expect('a') || !expect(':')) return std::nullopt;
  auto count = number();
  if (!count || !expect(':') || !expect('{')) return std::nullopt;
  for (std::int64_t i = 0; i < *count; ++i) {
    std::string key;
    if (expect('s')) {
      if (!expect(':')) return std::nullopt;
      auto k = str();
      if (!k) return std::nullopt;
      key = *k;
    } else if (expect('i')) {
      if (!expect(':')) return std::nullopt;
      auto k = number();
      if (!k) return std::nullopt;
      key = std::to_string(*k);
    } else {
      return std::nullopt;
    }
    if (!expect(';')) return std::nullopt;
    std::optional<std::int64_t> value;
    if (expect('i') || expect('d')) {
      if (!expect(':')) return std::nullopt;
      value = number();
    } else if (expect('s')) {
      if (!expect(':')) return std::nullopt;
      auto v = str();
      if (v) value = ParseInt(*v);
    } else {
      return std::nullopt;
    }
    if (!expect(';')) return std::nullopt;
    if (value) out[key] = *value;
  }
  if (!expect('}')) return std::nullopt;
  return out;
}

}  // namespace

std::optional<VoteCounts> WpDiscuzVotes(std::optional<std::string_view> votes,
                                        std::optional<std::string_view> separate) {
  if (separate) {
    if (auto arr = UnserializeFlatArray(*separate)) {
      VoteCounts v;
      if (auto it = arr->find("like"); it != arr->end()) v.up = std::llabs(it->second);
      if (auto it = arr->find("dislike"); it != arr->end()) v.down = std::llabs(it->second);
      return v;
    }
  }
  if (votes) {
    if (auto n = ParseInt(*votes)) {
      VoteCounts v;
      if (*n > 0)
        v.up = *n;
      else
        v.down = -*n;
      return v;
    }
  }
  return std::nullopt;
}

namespace {

struct WxrComment {
  std::string id, parent, author, email, ip, date, date_gmt, content, approved, type, where;
  std::optional<std::string> votes, votes_separate;
  std::string meta_key, meta_value;
  TimeMs time = 0;
  std::int64_t numeric_id = 0;
};

struct WxrItem {
  std::string title, link, guid, post_id, comment_status, where;
  std::vector<WxrComment> comments;
};

class WxrImport {
 public:
  WxrImport(ImportPipeline& w, const std::string& file, const ImportOptions& o)
      : w_(w), xml_(file), options_(o) {}

  bool Run() {
    if (!xml_.ok()) return Fail(xml_.Error());
    std::string text;
    std::vector<std::string> path;  // local names from the root
    bool saw_rss = false;
    while (xml_.Next()) {
      switch (xml_.kind()) {
        case XmlStream::Kind::kStart: {
          const std::string_view name = xml_.LocalName();
          if (path.empty()) {
            if (name != "rss")
              return Fail(xml_.Position() + ": not a WordPress export (WXR): the root is <" +
                          std::string(name) + ">, not <rss>");
            saw_rss = true;
          }
          path.emplace_back(name);
          text.clear();
          if (name == "item" && path.size() == 3) {
            item_ = WxrItem{};
            item_.where = xml_.Position();
          } else if (name == "comment" && path.size() == 4 && path[2] == "item") {
            comment_ = WxrComment{};
            comment_.where = xml_.Position();
          } else if (name == "commentmeta") {
            comment_.meta_key.clear();
            comment_.meta_value.clear();
          }
          break;
        }
        case XmlStream::Kind::kText:
          if (text.size() < (16u << 20)) text.append(xml_.Text());
          break;
        case XmlStream::Kind::kEnd: {
          if (path.empty()) break;
          // End reads only the ancestors' names from `path`.
          const std::string name = std::move(path.back());
          if (!End(path, name, text)) return false;
          path.pop_back();
          text.clear();
          break;
        }
      }
    }
    if (!xml_.ok()) return Fail(xml_.Error());
    if (!saw_rss) return Fail(xml_.Position() + ": the file is empty: no WordPress export");
    return w_.Finish();
  }

 private:
  bool Fail(const std::string& message) {
    w_.Fail(message);
    return false;
  }

  bool End(const std::vector<std::string>& path, const std::string& name, const std::string& text) {
    const std::size_t depth = path.size();
    // <rss><channel>…
    if (depth == 3 && path[1] == "channel") {
      if (name == "base_site_url" && site_.empty()) {
        site_ = std::string(TrimUnicodeSpace(text));
        w_.SetSource("wordpress:" + site_);
      } else if (name == "base_blog_url" && site_.empty()) {
        site_ = std::string(TrimUnicodeSpace(text));
        w_.SetSource("wordpress:" + site_);
      } else if (name == "item") {
        return EndItem();
      }
      return true;
    }
    // <rss><channel><item>…
    if (depth == 4 && path[2] == "item") {
      const std::string v(TrimUnicodeSpace(text));
      if (name == "title")
        item_.title = DecodeHtmlEntities(v);
      else if (name == "link")
        item_.link = v;
      else if (name == "guid")
        item_.guid = v;
      else if (name == "post_id")
        item_.post_id = v;
      else if (name == "comment_status")
        item_.comment_status = v;
      else if (name == "comment")
        item_.comments.push_back(std::move(comment_));
      return true;
    }
    // <rss><channel><item><wp:comment>…
    if (depth == 5 && path[3] == "comment") {
      WxrComment& c = comment_;
      if (name == "comment_id")
        c.id = std::string(TrimUnicodeSpace(text));
      else if (name == "comment_parent")
        c.parent = std::string(TrimUnicodeSpace(text));
      else if (name == "comment_author")
        c.author = text;
      else if (name == "comment_author_email")
        c.email = text;
      else if (name == "comment_author_IP")
        c.ip = std::string(TrimUnicodeSpace(text));
      else if (name == "comment_date")
        c.date = text;
      else if (name == "comment_date_gmt")
        c.date_gmt = text;
      else if (name == "comment_content")
        c.content = text;
      else if (name == "comment_approved")
        c.approved = std::string(TrimUnicodeSpace(text));
      else if (name == "comment_type")
        c.type = std::string(TrimUnicodeSpace(text));
      else if (name == "commentmeta") {
        const std::string key(TrimUnicodeSpace(c.meta_key));
        if (key == "wpdiscuz_votes")
          c.votes = c.meta_value;
        else if (key == "wpdiscuz_votes_seperate")
          c.votes_separate = c.meta_value;
      }
      return true;
    }
    if (depth == 6 && path[4] == "commentmeta") {
      if (name == "meta_key")
        comment_.meta_key = text;
      else if (name == "meta_value")
        comment_.meta_value = text;
    }
    return true;
  }

  bool EndItem() {
    WxrItem& it = item_;
    if (it.comments.empty()) return true;
    if (site_.empty() && w_.source().empty()) w_.SetSource("wordpress");
    SourcePage page;
    std::string link = it.link.empty() ? it.guid : it.link;
    if (options_.page_key == PageKeyMode::kPostId) {
      if (it.post_id.empty()) {
        for (const auto& c : it.comments) {
          if (!w_.Issue(true, c.where, "comment " + c.id, "its post has no wp:post_id"))
            return false;
        }
        return true;
      }
      page.key = "wp:" + it.post_id;
    } else {
      page.key = PageKeyFromLink(link, options_.page_key);
      if (page.key.empty() && !it.post_id.empty()) {
        page.key = "/?p=" + it.post_id;
        if (!w_.Issue(false, it.where, "post " + it.post_id,
                      "the post has no usable link; its thread is the page " + page.key)) {
          return false;
        }
      }
      if (page.key.empty()) {
        for (const auto& c : it.comments) {
          if (!w_.Issue(true, c.where, "comment " + c.id,
                        "its post has neither a link nor a post id"))
            return false;
        }
        return true;
      }
    }
    if (page.key.size() > 512 || !IsValidUtf8(page.key) || HasControlChars(page.key)) {
      for (const auto& c : it.comments) {
        if (!w_.Issue(true, c.where, "comment " + c.id,
                      "its page key is longer than 512 bytes or not clean text"))
          return false;
      }
      return true;
    }
    if (!it.title.empty()) page.title = it.title;
    if (!link.empty()) page.url = std::string(TrimUnicodeSpace(link));
    page.closed = it.comment_status == "closed";

    // Oldest first, so ids follow time as they do for live comments.
    std::vector<WxrComment*> order;
    order.reserve(it.comments.size());
    for (auto& c : it.comments) {
      if (!TimeOf(c)) return false;
      order.push_back(&c);
    }
    std::stable_sort(order.begin(), order.end(), [](const WxrComment* a, const WxrComment* b) {
      return a->time != b->time ? a->time < b->time : a->numeric_id < b->numeric_id;
    });
    const std::string post = it.post_id.empty() ? page.key : it.post_id;
    // A parent outside the post will never come: such a reply is placed in
    // its turn (by time) instead of after the post's last comment.
    std::unordered_set<std::string> ids;
    for (const auto& c : it.comments) ids.insert(std::string(TrimUnicodeSpace(c.id)));
    for (WxrComment* c : order) {
      if (c->time < 0) continue;  // skipped by TimeOf
      if (!AddComment(page, post, *c, ids)) return false;
    }
    it.comments.clear();
    return w_.FinishPage(page.key);
  }

  // Sets c.time from comment_date_gmt (or, repaired, comment_date); -1 when
  // the comment is skipped. False when --strict stops.
  bool TimeOf(WxrComment& c) {
    c.numeric_id = ParseInt(c.id).value_or(0);
    if (ParseSqlDateTime(c.date_gmt, &c.time)) return true;
    if (ParseSqlDateTime(c.date, &c.time)) {
      return w_.Issue(false, c.where, "comment " + c.id,
                      "no comment_date_gmt; its local comment_date was taken as UTC");
    }
    c.time = -1;
    return w_.Issue(true, c.where, "comment " + c.id, "it has no usable date");
  }

  bool AddComment(const SourcePage& page, const std::string& post, WxrComment& c,
                  const std::unordered_set<std::string>& ids) {
    const std::string label = "comment " + (c.id.empty() ? std::string("(no id)") : c.id);
    if (c.id.empty()) return w_.Issue(true, c.where, label, "it has no wp:comment_id");
    if (c.type == "pingback" || c.type == "trackback") {
      return w_.Issue(true, c.where, label, "a " + c.type + ", not a comment");
    }
    if (!NoteIdFirstSeen(c.numeric_id, post) &&
        !w_.Issue(false, c.where, label,
                  "its wp:comment_id is used in an earlier post too; imported as a separate "
                  "comment of this post")) {
      return false;
    }
    SourceComment sc;
    sc.source_id = post + "/" + c.id;
    sc.label = label;
    if (!c.parent.empty() && c.parent != "0") {
      sc.parent_source_id = post + "/" + c.parent;
      sc.parent_missing = ids.count(c.parent) == 0;
    }
    sc.author_name = c.author;
    sc.author_email = c.email;
    sc.client_address = c.ip;
    sc.created_at = c.time;
    sc.where = c.where;
    if (c.approved == "1" || c.approved == "approve") {
      sc.state = CommentState::kApproved;
    } else if (c.approved == "0" || c.approved == "hold") {
      sc.state = CommentState::kPending;
    } else if (c.approved == "spam") {
      sc.state = CommentState::kSpam;
    } else if (c.approved == "trash" || c.approved == "post-trashed") {
      sc.state = CommentState::kRejected;
    } else {
      sc.state = CommentState::kPending;
      if (!w_.Issue(false, c.where, label,
                    "unknown comment_approved '" + c.approved + "'; held as pending")) {
        return false;
      }
    }
    if (auto v = WpDiscuzVotes(c.votes, c.votes_separate)) {
      sc.upvotes = v->up;
      sc.downvotes = v->down;
    } else if (c.votes || c.votes_separate) {
      if (!w_.Issue(false, c.where, label, "its wpDiscuz vote meta is unreadable; no votes kept")) {
        return false;
      }
    }
    sc.body_markdown = HtmlToMarkdown(c.content, Newlines::kBreaks);
    return w_.Add(page, std::move(sc));
  }

  // False when a numeric comment id was already used in an earlier post of
  // the file. Seen ids are bits (1 MB per 8 million of the largest id, ids
  // above 2^27 are not checked), so memory does not grow with the file.
  bool NoteIdFirstSeen(std::int64_t id, const std::string& post) {
    if (id <= 0 || id >= (std::int64_t{1} << 27)) return true;
    const auto i = static_cast<std::size_t>(id);
    if (post != current_post_) {
      current_post_ = post;
      post_ids_.clear();
    }
    post_ids_.push_back(i);
    if (i >= seen_ids_.size()) seen_ids_.resize(std::max(i + 1, seen_ids_.size() * 2));
    if (!seen_ids_[i]) {
      seen_ids_[i] = true;
      return true;
    }
    // Seen before: in this post (a repeat the writer reports) or an earlier one.
    for (std::size_t k = 0; k + 1 < post_ids_.size(); ++k) {
      if (post_ids_[k] == i) return true;
    }
    return false;
  }

  std::vector<bool> seen_ids_;
  std::string current_post_;
  std::vector<std::size_t> post_ids_;
  ImportPipeline& w_;
  XmlStream xml_;
  ImportOptions options_;
  std::string site_;
  WxrItem item_;
  WxrComment comment_;
};

}  // namespace

ImportSummary ImportWordPress(store::Store& store, const Clock& clock, const std::string& file,
                              const ImportOptions& options) {
  ImportSummary summary;
  const auto start = std::chrono::steady_clock::now();
  {
    ImportWriter writer(store, clock, options, &summary);
    writer.SetSource("wordpress");
    // Parsing, converting and rendering here; the database writes on the
    // pipeline's thread.
    ImportPipeline pipeline(writer, options, &summary);
    WxrImport run(pipeline, file, options);
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
