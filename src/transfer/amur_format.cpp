// Amur's own export (docs/export-format.md): JSON Lines, a header line first,
// then one record per line. ExportAmur writes it from one read snapshot;
// ImportAmur reads it back with every id, time, hash and count as it was.
#include <boost/json.hpp>

#include <chrono>
#include <fstream>

#include "service/events.hpp"
#include "transfer/import_writer.hpp"
#include "transfer/transfer.hpp"

namespace amur::transfer {

namespace json = boost::json;

namespace {

constexpr int kFormatVersion = 1;

json::value Opt(const std::optional<std::string>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}
json::value OptInt(const std::optional<std::int64_t>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}
json::value Time(TimeMs t) { return json::value(FormatRfc3339Ms(t)); }
json::value OptTime(const std::optional<TimeMs>& t) { return t ? Time(*t) : json::value(nullptr); }

void Write(std::ostream& out, const json::object& o) { out << json::serialize(o) << '\n'; }

json::object PageRecord(const Page& p) {
  return json::object{{"type", "page"},
                      {"id", p.id},
                      {"key", p.key},
                      {"title", Opt(p.title)},
                      {"url", Opt(p.url)},
                      {"closed", p.closed},
                      {"premoderate", p.premoderate},
                      {"created_at", Time(p.created_at)},
                      {"active_at", Time(p.active_at)},
                      {"chain_head", p.chain_head},
                      {"chain_len", p.chain_len}};
}

json::object CommentRecord(const Comment& c) {
  json::array reasons;
  for (const auto& r : c.moderation_reasons) reasons.emplace_back(r);
  json::object o{{"type", "comment"},
                 {"id", c.id},
                 {"page_id", c.page_id},
                 {"parent_id", OptInt(c.parent_id)},
                 {"depth", c.depth},
                 {"author_name", Opt(c.author_name)},
                 {"author_email", Opt(c.author_email)},
                 {"is_guest", c.is_guest},
                 {"author_role", Opt(c.author_role)},
                 {"author_user_id", OptInt(c.author_user_id)},
                 {"body_markdown", c.body_markdown},
                 {"body_html", c.body_html},
                 {"state", CommentStateName(c.state)},
                 {"created_at", Time(c.created_at)},
                 {"edited_at", OptTime(c.edited_at)},
                 {"edited_by", Opt(c.edited_by)},
                 {"upvotes", c.upvotes},
                 {"downvotes", c.downvotes},
                 {"hash", c.hash},
                 {"edit_token_hash", c.edit_token_hash},
                 {"client_address", c.client_address},
                 {"moderation_reasons", std::move(reasons)},
                 {"moderation_score", c.moderation_score},
                 {"report_count", c.report_count},
                 {"report_networks", c.report_networks},
                 {"pinned", c.pinned},
                 {"flagged", c.flagged},
                 {"erased_at", OptTime(c.erased_at)}};
  if (c.position) {
    o["position"] = json::object{{"start", c.position->start}, {"end", c.position->end}};
  } else {
    o["position"] = nullptr;
  }
  if (c.quote) {
    o["quote"] = json::object{
        {"exact", c.quote->exact}, {"prefix", c.quote->prefix}, {"suffix", c.quote->suffix}};
  } else {
    o["quote"] = nullptr;
  }
  return o;
}

json::object VersionRecord(PageId page, const ChainLink& l) {
  return json::object{{"type", "version"},
                      {"page_id", page},
                      {"seq", l.seq},
                      {"comment_id", l.comment_id},
                      {"n", l.n},
                      {"parent_id", OptInt(l.parent_id)},
                      {"author_name", Opt(l.author_name)},
                      {"state", CommentStateName(l.state)},
                      {"body_markdown", l.body_markdown},
                      {"at", Time(l.at)},
                      {"editor", Opt(l.editor)},
                      {"prev_hash", l.prev_hash},
                      {"hash", l.hash},
                      {"format", l.format},
                      {"content_hash", l.content_hash},
                      {"erased", l.erased}};
}

}  // namespace

std::map<std::string, std::int64_t> ExportAmur(store::Store& store, const Clock& clock,
                                               const std::string& export_id, std::ostream& out,
                                               std::string* error) {
  std::map<std::string, std::int64_t> counts;
  try {
    auto s = store.OpenSession();
    s->BeginRead();  // one snapshot: a server writing meanwhile changes nothing here
    Write(out, json::object{{"type", "amur-export"},
                            {"format", kFormatVersion},
                            {"export_id", export_id},
                            {"created_at", Time(clock.NowMs())},
                            {"amur_version", AMUR_VERSION}});
    for (std::int64_t after = 0;;) {
      const auto users = s->ListUsers(after, 500);
      for (const User& u : users) {
        Write(out, json::object{{"type", "user"},
                                {"id", u.id},
                                {"email", u.email},
                                {"name", u.name},
                                {"role", RoleName(u.role)},
                                {"password_hash", u.password_hash},
                                {"created_at", Time(u.created_at)},
                                {"disabled", u.disabled}});
        ++counts["user"];
        after = u.id;
      }
      if (users.size() < 500) break;
    }
    for (PageId after = 0;;) {
      const auto pages = s->ListPages(after, 200);
      for (const Page& p : pages) {
        Write(out, PageRecord(p));
        ++counts["page"];
        for (const Comment& c : s->ListAllComments(p.id)) {
          Write(out, CommentRecord(c));
          ++counts["comment"];
        }
        for (const ChainLink& l : s->ListPageLinks(p.id)) {
          Write(out, VersionRecord(p.id, l));
          ++counts["version"];
        }
        for (const store::StoredVote& v : s->ListPageVotes(p.id)) {
          Write(out, json::object{{"type", "vote"},
                                  {"comment_id", v.comment_id},
                                  {"voter_hash", v.voter_hash},
                                  {"value", v.value},
                                  {"network_hash", v.network_hash}});
          ++counts["vote"];
        }
        after = p.id;
      }
      if (pages.size() < 200) break;
    }
    for (std::int64_t after = 0;;) {
      const auto subs = s->ListSubscriptions(after, 500);
      for (const Subscription& sub : subs) {
        Write(out,
              json::object{{"type", "subscription"},
                           {"id", sub.id},
                           {"email", sub.email},
                           {"user_id", OptInt(sub.user_id)},
                           {"kind", SubscriptionKindName(sub.kind)},
                           {"page_id", OptInt(sub.page_id)},
                           {"confirmed", sub.confirmed},
                           {"created_at", Time(sub.created_at)},
                           {"confirmed_at", sub.confirmed_at ? json::value(Time(*sub.confirmed_at))
                                                             : json::value(nullptr)}});
        ++counts["subscription"];
        after = sub.id;
      }
      if (subs.size() < 500) break;
    }
    std::vector<Ban> bans;
    for (std::int64_t before = 0;;) {
      auto page = s->ListBans(store::BanListQuery{false, 0, before, 500});
      for (auto& b : page) bans.push_back(std::move(b));
      if (page.size() < 500) break;
      before = bans.back().id;
    }
    for (auto b = bans.rbegin(); b != bans.rend(); ++b) {
      Write(out, json::object{{"type", "ban"},
                              {"id", b->id},
                              {"client_address", b->client_address},
                              {"email_hash", b->email_hash},
                              {"user_id", OptInt(b->user_id)},
                              {"reason", b->reason},
                              {"created_by", b->created_by},
                              {"created_at", Time(b->created_at)},
                              {"expires_at", OptTime(b->expires_at)},
                              {"comment_id", OptInt(b->comment_id)}});
      ++counts["ban"];
    }
    std::vector<AuditEntry> audit;
    for (std::int64_t before = 0;;) {
      auto page = s->ListAudit(before, 1000);
      for (auto& e : page) audit.push_back(std::move(e));
      if (page.size() < 1000) break;
      before = audit.back().seq;
    }
    for (auto e = audit.rbegin(); e != audit.rend(); ++e) {
      Write(out, json::object{{"type", "audit"},
                              {"seq", e->seq},
                              {"at", Time(e->at)},
                              {"actor", e->actor},
                              {"action", e->action},
                              {"comment_id", OptInt(e->comment_id)},
                              {"reason", e->reason},
                              {"prev_hash", e->prev_hash},
                              {"hash", e->hash}});
      ++counts["audit"];
    }
    s->Rollback();
    out.flush();
    if (!out) *error = "cannot write the export";
  } catch (const std::exception& e) {
    *error = std::string("database: ") + e.what();
  }
  return counts;
}

namespace {

// Reading one record's fields; a missing or mistyped field throws
// std::invalid_argument naming it.
class Fields {
 public:
  explicit Fields(const json::object& o) : o_(o) {}
  const json::value& At(const char* k) const {
    const auto* v = o_.if_contains(k);
    if (!v) throw std::invalid_argument(std::string("missing field \"") + k + "\"");
    return *v;
  }
  std::string Str(const char* k) const {
    const auto& v = At(k);
    if (!v.is_string()) throw std::invalid_argument(std::string("\"") + k + "\" is not a string");
    return std::string(v.get_string());
  }
  std::optional<std::string> OptStr(const char* k) const {
    const auto* v = o_.if_contains(k);
    if (!v || v->is_null()) return std::nullopt;
    return Str(k);
  }
  std::int64_t Int(const char* k) const {
    const auto& v = At(k);
    if (v.is_int64()) return v.get_int64();
    if (v.is_uint64()) return static_cast<std::int64_t>(v.get_uint64());
    throw std::invalid_argument(std::string("\"") + k + "\" is not an integer");
  }
  std::optional<std::int64_t> OptInt(const char* k) const {
    const auto* v = o_.if_contains(k);
    if (!v || v->is_null()) return std::nullopt;
    return Int(k);
  }
  // For fields added to the format later: absent or null reads as `fallback`.
  bool Has(const char* k) const {
    const auto* v = o_.if_contains(k);
    return v && !v->is_null();
  }
  double Double(const char* k) const {
    const auto& v = At(k);
    if (v.is_double()) return v.get_double();
    return static_cast<double>(Int(k));
  }
  bool Bool(const char* k) const {
    const auto& v = At(k);
    if (!v.is_bool())
      throw std::invalid_argument(std::string("\"") + k + "\" is not true or false");
    return v.get_bool();
  }
  TimeMs Time(const char* k) const {
    TimeMs t = 0;
    if (!ParseRfc3339(Str(k), &t)) {
      throw std::invalid_argument(std::string("\"") + k + "\" is not an RFC 3339 time");
    }
    return t;
  }
  std::optional<TimeMs> OptTime(const char* k) const {
    const auto* v = o_.if_contains(k);
    if (!v || v->is_null()) return std::nullopt;
    return Time(k);
  }
  CommentState State(const char* k) const {
    auto st = ParseCommentState(Str(k));
    if (!st) throw std::invalid_argument(std::string("\"") + k + "\" is not a comment state");
    return *st;
  }

 private:
  const json::object& o_;
};

Page ReadPage(const Fields& f) {
  Page p;
  p.id = f.Int("id");
  p.key = f.Str("key");
  p.title = f.OptStr("title");
  p.url = f.OptStr("url");
  p.closed = f.Bool("closed");
  p.premoderate = f.Bool("premoderate");
  p.created_at = f.Time("created_at");
  p.active_at = f.Time("active_at");
  p.chain_head = f.Str("chain_head");
  p.chain_len = f.Int("chain_len");
  return p;
}

Comment ReadComment(const Fields& f, const json::object& o) {
  Comment c;
  c.id = f.Int("id");
  c.page_id = f.Int("page_id");
  c.parent_id = f.OptInt("parent_id");
  c.depth = static_cast<int>(f.Int("depth"));
  c.author_name = f.OptStr("author_name");
  c.author_email = f.OptStr("author_email");
  c.is_guest = f.Bool("is_guest");
  c.author_role = f.OptStr("author_role");
  c.author_user_id = f.OptInt("author_user_id");
  c.body_markdown = f.Str("body_markdown");
  c.body_html = f.Str("body_html");
  c.state = f.State("state");
  c.created_at = f.Time("created_at");
  c.edited_at = f.OptTime("edited_at");
  c.edited_by = f.OptStr("edited_by");
  c.upvotes = f.Int("upvotes");
  c.downvotes = f.Int("downvotes");
  c.hash = f.Str("hash");
  c.edit_token_hash = f.Str("edit_token_hash");
  c.client_address = f.Str("client_address");
  const auto& reasons = f.At("moderation_reasons");
  if (!reasons.is_array()) throw std::invalid_argument("\"moderation_reasons\" is not an array");
  for (const auto& r : reasons.get_array()) {
    if (!r.is_string()) throw std::invalid_argument("\"moderation_reasons\" holds a non-string");
    c.moderation_reasons.emplace_back(r.get_string());
  }
  c.moderation_score = f.Double("moderation_score");
  c.report_count = f.Int("report_count");
  c.report_networks = f.Int("report_networks");
  c.pinned = f.Bool("pinned");
  c.flagged = f.Has("flagged") && f.Bool("flagged");
  c.erased_at = f.OptTime("erased_at");
  if (const auto* pos = o.if_contains("position"); pos && pos->is_object()) {
    const Fields pf(pos->get_object());
    c.position = TextPosition{pf.Int("start"), pf.Int("end")};
  }
  if (const auto* q = o.if_contains("quote"); q && q->is_object()) {
    const Fields qf(q->get_object());
    c.quote = Quote{qf.Str("exact"), qf.Str("prefix"), qf.Str("suffix")};
  }
  return c;
}

ChainLink ReadVersion(const Fields& f) {
  ChainLink l;
  l.seq = f.Int("seq");
  l.comment_id = f.Int("comment_id");
  l.n = static_cast<int>(f.Int("n"));
  l.parent_id = f.OptInt("parent_id");
  l.author_name = f.OptStr("author_name");
  l.state = f.State("state");
  l.body_markdown = f.Str("body_markdown");
  l.at = f.Time("at");
  l.editor = f.OptStr("editor");
  l.prev_hash = f.Str("prev_hash");
  l.hash = f.Str("hash");
  // Exports made before erasure existed hold format 1 links only.
  l.format = f.Has("format") ? static_cast<int>(f.Int("format")) : 1;
  l.content_hash = f.Has("content_hash") ? f.Str("content_hash") : std::string();
  l.erased = f.Has("erased") && f.Bool("erased");
  return l;
}

}  // namespace

ImportSummary ImportAmur(store::Store& store, const Clock& clock, const std::string& file,
                         const ImportOptions& options) {
  ImportSummary summary;
  const auto start = std::chrono::steady_clock::now();
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    summary.error = file + ": cannot open the file";
    return summary;
  }
  auto s = store.OpenSession();
  s->SetCacheSize(64);
  Progress progress(options.progress);
  bool in_batch = false;
  int batch = 0;
  std::int64_t line_no = 0, items = 0;
  std::string source;
  std::map<PageId, std::pair<Page, std::int64_t>> touched;  // this batch: page, comments
  std::map<PageId, std::string> page_keys;                  // this batch's pages
  auto rollback = [&] {
    if (in_batch) {
      try {
        s->Rollback();
      } catch (...) {
      }
      in_batch = false;
    }
    touched.clear();
  };
  auto commit = [&] {
    if (!in_batch) return;
    const TimeMs now = clock.NowMs();
    for (auto& [id, entry] : touched) {
      auto draft = service::PageEvent(service::event_type::kPageImported, entry.first,
                                      service::kSystemActor, EventVisibility::kStaff);
      draft.data["comments"] = entry.second;
      draft.data["source"] = "amur";
      service::RecordEvent(*s, now, draft);
    }
    s->Commit();
    in_batch = false;
    touched.clear();
  };
  auto issue = [&](bool skipped, const std::string& item, const std::string& reason) {
    (skipped ? summary.skipped : summary.repaired) += 1;
    summary.reasons[reason] += 1;
    const std::string where = file + ":" + std::to_string(line_no);
    if (summary.issues.size() < kMaxListedIssues) {
      summary.issues.push_back(ImportIssue{skipped, where, item, reason});
    }
    if (options.strict) {
      summary.error = where + ": " + item + ": " + reason + " (--strict)";
      return false;
    }
    return true;
  };
  try {
    std::string line;
    while (std::getline(in, line)) {
      ++line_no;
      if (line.empty()) continue;
      boost::system::error_code ec;
      json::value v = json::parse(line, ec);
      if (ec || !v.is_object()) {
        summary.error = file + ":" + std::to_string(line_no) + ": not a JSON object" +
                        (ec ? " (" + ec.message() + ")" : std::string());
        break;
      }
      const json::object& o = v.get_object();
      const Fields f(o);
      try {
        const std::string type = f.Str("type");
        if (line_no == 1 || source.empty()) {
          if (type != "amur-export") {
            throw std::invalid_argument("the first line is not the amur-export header");
          }
          const std::int64_t format = f.Int("format");
          if (format != kFormatVersion) {
            throw std::invalid_argument("format " + std::to_string(format) +
                                        " is not one this amur reads (" +
                                        std::to_string(kFormatVersion) + ")");
          }
          source = "amur:" + f.Str("export_id");
          s->BeginWrite();
          in_batch = true;
          if (s->FindImported(source, "header")) {
            // Resuming an import of this same export: what is there is skipped.
          } else if (!s->IsEmpty()) {
            throw std::invalid_argument(
                "the database is not empty: amur import amur reads an export into a new "
                "database (or resumes an import of the same export)");
          }
          s->RememberImported(source, "header", 0);
          continue;
        }
        if (!in_batch) {
          s->BeginWrite();
          in_batch = true;
        }
        bool added = false;
        if (type == "user") {
          User u;
          u.id = f.Int("id");
          u.email = f.Str("email");
          u.name = f.Str("name");
          auto role = ParseRole(f.Str("role"));
          if (!role) throw std::invalid_argument("\"role\" is not a role");
          u.role = *role;
          u.password_hash = f.Str("password_hash");
          u.created_at = f.Time("created_at");
          u.disabled = f.Bool("disabled");
          added = s->RestoreUser(u);
        } else if (type == "page") {
          Page p = ReadPage(f);
          added = s->RestorePage(p);
          page_keys[p.id] = p.key;
          if (added) summary.pages += 1;
        } else if (type == "comment") {
          Comment c = ReadComment(f, o);
          added = s->RestoreComment(c);
          if (added) {
            summary.by_state[CommentStateName(c.state)] += 1;
            auto& entry = touched[c.page_id];
            if (entry.second == 0) {
              auto page = s->FindPageById(c.page_id);
              if (page) entry.first = *page;
            }
            entry.second += 1;
          }
        } else if (type == "version") {
          added = s->RestoreLink(f.Int("page_id"), ReadVersion(f));
        } else if (type == "vote") {
          const auto value = f.Int("value");
          if (value != 1 && value != -1) throw std::invalid_argument("\"value\" is not 1 or -1");
          added = s->RestoreVote(store::StoredVote{f.Int("comment_id"), f.Str("voter_hash"),
                                                   static_cast<int>(value), f.Str("network_hash")});
        } else if (type == "ban") {
          Ban b;
          b.id = f.Int("id");
          b.client_address = f.Str("client_address");
          b.email_hash = f.Str("email_hash");
          b.user_id = f.OptInt("user_id");
          b.reason = f.Str("reason");
          b.created_by = f.Str("created_by");
          b.created_at = f.Time("created_at");
          b.expires_at = f.OptTime("expires_at");
          b.comment_id = f.OptInt("comment_id");
          added = s->RestoreBan(b);
        } else if (type == "audit") {
          AuditEntry e;
          e.seq = f.Int("seq");
          e.at = f.Time("at");
          e.actor = f.Str("actor");
          e.action = f.Str("action");
          e.comment_id = f.OptInt("comment_id");
          e.reason = f.Str("reason");
          e.prev_hash = f.Str("prev_hash");
          e.hash = f.Str("hash");
          added = s->RestoreAudit(e);
        } else if (type == "subscription") {
          Subscription sub;
          sub.id = f.Int("id");
          sub.email = f.Str("email");
          sub.user_id = f.OptInt("user_id");
          const auto kind = ParseSubscriptionKind(f.Str("kind"));
          if (!kind) throw std::invalid_argument("\"kind\" is not thread, replies or moderation");
          sub.kind = *kind;
          sub.page_id = f.OptInt("page_id");
          sub.confirmed = f.Bool("confirmed");
          sub.created_at = f.Time("created_at");
          sub.confirmed_at = f.OptTime("confirmed_at");
          added = s->RestoreSubscription(sub);
        } else {
          if (!issue(true, "record " + type, "unknown record type")) break;
          continue;
        }
        if (added) {
          summary.comments += 1;
        } else {
          summary.already += 1;
        }
        ++items;
        progress.Tick(items);
        if (++batch >= options.batch_size) {
          commit();
          batch = 0;
        }
      } catch (const std::invalid_argument& e) {
        summary.error = file + ":" + std::to_string(line_no) + ": " + e.what();
        break;
      }
    }
    if (summary.error.empty() && source.empty()) {
      summary.error = file + ": the file is empty: no Amur export header";
    }
    if (summary.error.empty() && in.bad()) summary.error = file + ": cannot read the file";
    if (summary.error.empty()) {
      commit();
      progress.Done(items);
    } else {
      rollback();
    }
  } catch (const std::exception& e) {
    rollback();
    summary.error = std::string("database: ") + e.what();
  }
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace amur::transfer
