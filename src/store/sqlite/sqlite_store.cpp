#include "store/sqlite/sqlite_store.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace amur::store {

// Generated from migrations/*.sql at build time (see CMakeLists.txt).
struct Migration {
  int version;
  const char* sql;
};
extern const Migration kSqliteMigrations[];
extern const int kSqliteMigrationCount;

namespace {

[[noreturn]] void Fail(sqlite3* db, const std::string& what) {
  throw StoreError("sqlite: " + what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

// A prepared statement; reset on destruction of the Binder.
class Stmt final {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK) {
      Fail(db, std::string("prepare ") + sql);
    }
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  sqlite3_stmt* get() const { return stmt_; }
  sqlite3* db() const { return db_; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// Binds parameters, steps, and resets the statement when it goes out of scope.
class Query final {
 public:
  explicit Query(Stmt& s) : s_(s.get()), db_(s.db()) {}
  ~Query() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  Query& Bind(int i, std::int64_t v) {
    Check(sqlite3_bind_int64(s_, i, v));
    return *this;
  }
  Query& Bind(int i, int v) { return Bind(i, static_cast<std::int64_t>(v)); }
  Query& Bind(int i, double v) {
    Check(sqlite3_bind_double(s_, i, v));
    return *this;
  }
  Query& Bind(int i, std::string_view v) {
    Check(sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Query& Bind(int i, const std::string& v) { return Bind(i, std::string_view(v)); }
  // Binds without copying. REQUIRES: the text outlives this Query (say, a
  // field of the calling function's argument; never a temporary).
  Query& BindStatic(int i, std::string_view v) {
    Check(sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC));
    return *this;
  }
  Query& BindStatic(int i, const std::string& v) { return BindStatic(i, std::string_view(v)); }
  Query& BindStatic(int i, const std::optional<std::string>& v) {
    if (v) return BindStatic(i, *v);
    Check(sqlite3_bind_null(s_, i));
    return *this;
  }
  Query& Bind(int i, const char* v) { return Bind(i, std::string_view(v)); }
  Query& Bind(int i, const std::optional<std::string>& v) {
    if (v) return Bind(i, *v);
    Check(sqlite3_bind_null(s_, i));
    return *this;
  }
  Query& Bind(int i, const std::optional<std::int64_t>& v) {
    if (v) return Bind(i, *v);
    Check(sqlite3_bind_null(s_, i));
    return *this;
  }
  // True when a row is ready; false when done.
  bool Step() {
    const int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    Fail(db_, "step");
  }
  void Exec() {
    while (Step()) {
    }
  }
  std::int64_t Int(int col) const { return sqlite3_column_int64(s_, col); }
  double Double(int col) const { return sqlite3_column_double(s_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
  std::string Text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, col))) : std::string();
  }
  std::optional<std::string> OptText(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Text(col);
  }
  // The column's text as a view, valid until the next Step.
  std::string_view View(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
    return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, col)))
             : std::string_view();
  }
  std::optional<std::string_view> OptView(int col) const {
    if (IsNull(col)) return std::nullopt;
    return View(col);
  }
  std::optional<std::int64_t> OptInt(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Int(col);
  }

 private:
  void Check(int rc) {
    if (rc != SQLITE_OK) Fail(db_, "bind");
  }
  sqlite3_stmt* s_;
  sqlite3* db_;
};

constexpr const char* kCommentColumns =
    "id, page_id, parent_id, depth, author_name, author_email, is_guest, author_role, "
    "body_markdown, body_html, state, created_at, edited_at, edited_by, upvotes, downvotes, "
    "hash, edit_token_hash, client_address, quote_exact, quote_prefix, quote_suffix, "
    "author_user_id, moderation_reasons, moderation_score, report_count, pinned, report_networks, "
    "flagged, position_start, position_end, erased_at";

std::string JoinReasons(const std::vector<std::string>& reasons) {
  std::string out;
  for (const auto& r : reasons) {
    if (!out.empty()) out += ',';
    out += r;
  }
  return out;
}

std::vector<std::string> SplitReasons(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto comma = text.find(',', start);
    const auto end = comma == std::string::npos ? text.size() : comma;
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

Comment ReadComment(const Query& q) {
  Comment c;
  c.id = q.Int(0);
  c.page_id = q.Int(1);
  c.parent_id = q.OptInt(2);
  c.depth = static_cast<int>(q.Int(3));
  c.author_name = q.OptText(4);
  c.author_email = q.OptText(5);
  c.is_guest = q.Int(6) != 0;
  c.author_role = q.OptText(7);
  c.body_markdown = q.Text(8);
  c.body_html = q.Text(9);
  c.state = ParseCommentState(q.Text(10)).value_or(CommentState::kRemoved);
  c.created_at = q.Int(11);
  c.edited_at = q.OptInt(12);
  c.edited_by = q.OptText(13);
  c.upvotes = q.Int(14);
  c.downvotes = q.Int(15);
  c.hash = q.Text(16);
  c.edit_token_hash = q.Text(17);
  c.client_address = q.Text(18);
  if (!q.IsNull(19)) c.quote = Quote{q.Text(19), q.Text(20), q.Text(21)};
  c.author_user_id = q.OptInt(22);
  c.moderation_reasons = SplitReasons(q.Text(23));
  c.moderation_score = q.Double(24);
  c.report_count = q.Int(25);
  c.pinned = q.Int(26) != 0;
  c.report_networks = q.Int(27);
  c.flagged = q.Int(28) != 0;
  if (!q.IsNull(29)) c.position = TextPosition{q.Int(29), q.Int(30)};
  c.erased_at = q.OptInt(31);
  return c;
}

constexpr const char* kLinkColumns =
    "seq, comment_id, n, parent_id, author_name, state, body_markdown, at, editor, prev_hash, "
    "hash, "
    "format, content_hash, erased";

ChainLink ReadLink(const Query& q) {
  ChainLink l;
  l.seq = q.Int(0);
  l.comment_id = q.Int(1);
  l.n = static_cast<int>(q.Int(2));
  l.parent_id = q.OptInt(3);
  l.author_name = q.OptText(4);
  l.state = ParseCommentState(q.Text(5)).value_or(CommentState::kRemoved);
  l.body_markdown = q.Text(6);
  l.at = q.Int(7);
  l.editor = q.OptText(8);
  l.prev_hash = q.Text(9);
  l.hash = q.Text(10);
  l.format = static_cast<int>(q.Int(11));
  l.content_hash = q.Text(12);
  l.erased = q.Int(13) != 0;
  return l;
}

User ReadUser(const Query& q) {
  User u;
  u.id = q.Int(0);
  u.email = q.Text(1);
  u.name = q.Text(2);
  u.role = ParseRole(q.Text(3)).value_or(Role::kMember);
  u.password_hash = q.Text(4);
  u.created_at = q.Int(5);
  u.disabled = q.Int(6) != 0;
  return u;
}

Page ReadPage(const Query& q) {
  Page p;
  p.id = q.Int(0);
  p.key = q.Text(1);
  p.title = q.OptText(2);
  p.url = q.OptText(3);
  p.closed = q.Int(4) != 0;
  p.created_at = q.Int(5);
  p.chain_head = q.Text(6);
  p.chain_len = q.Int(7);
  p.premoderate = q.Int(8) != 0;
  p.active_at = q.Int(9);
  return p;
}

constexpr const char* kPageColumns =
    "id, key, title, url, closed, created_at, chain_head, chain_len, premoderate, active_at";

constexpr const char* kUserColumns = "id, email, name, role, password_hash, created_at, disabled";

constexpr const char* kSubscriptionColumns =
    "id, email, user_id, kind, page_id, confirmed, created_at, confirmed_at";

Subscription ReadSubscription(const Query& q) {
  Subscription s;
  s.id = q.Int(0);
  s.email = q.Text(1);
  s.user_id = q.OptInt(2);
  s.kind = ParseSubscriptionKind(q.Text(3)).value_or(SubscriptionKind::kThread);
  s.page_id = q.OptInt(4);
  s.confirmed = q.Int(5) != 0;
  s.created_at = q.Int(6);
  s.confirmed_at = q.OptInt(7);
  return s;
}

constexpr const char* kNotificationColumns =
    "id, email, comment_id, subscription_id, page_id, reason, created_at, mail_id";

Notification ReadNotification(const Query& q) {
  Notification n;
  n.id = q.Int(0);
  n.email = q.Text(1);
  n.comment_id = q.Int(2);
  n.subscription_id = q.Int(3);
  n.page_id = q.Int(4);
  n.reason = q.Text(5);
  n.created_at = q.Int(6);
  n.mail_id = q.OptInt(7);
  return n;
}

constexpr const char* kMailColumns =
    "id, email, kind, subscription_id, page_id, message_id, message, created_at, attempts, "
    "next_attempt_at, last_error, sent_at, failed_at";

OutboxMail ReadMail(const Query& q) {
  OutboxMail m;
  m.id = q.Int(0);
  m.email = q.Text(1);
  m.kind = q.Text(2);
  m.subscription_id = q.OptInt(3);
  m.page_id = q.OptInt(4);
  m.message_id = q.Text(5);
  m.message = q.Text(6);
  m.created_at = q.Int(7);
  m.attempts = static_cast<int>(q.Int(8));
  m.next_attempt_at = q.Int(9);
  m.last_error = q.OptText(10);
  m.sent_at = q.OptInt(11);
  m.failed_at = q.OptInt(12);
  return m;
}

constexpr const char* kBanColumns =
    "id, client_address, email_hash, user_id, reason, created_by, created_at, expires_at, comment_id";

Ban ReadBan(const Query& q) {
  return Ban{q.Int(0), q.Text(1), q.Text(2), q.OptInt(3), q.Text(4),
             q.Text(5), q.Int(6),   q.OptInt(7), q.OptInt(8)};
}

// True when the file exists and this process may not write it: a read-only
// file system, or a file without write permission for this user.
bool IsReadOnlyFile(const std::string& path) {
  return ::access(path.c_str(), F_OK) == 0 && ::access(path.c_str(), W_OK) != 0;
}

bool OnReadOnlyFileSystem(const std::string& path) {
  struct statvfs fs {};
  return ::statvfs(path.c_str(), &fs) == 0 && (fs.f_flag & ST_RDONLY) != 0;
}

// "file:" URI of `path` with SQLite's reserved characters escaped.
std::string FileUri(const std::string& path, const char* query) {
  std::string uri = "file:";
  for (const char ch : path) {
    if (ch == '%' || ch == '?' || ch == '#') {
      static constexpr char kHex[] = "0123456789ABCDEF";
      uri += '%';
      uri += kHex[(static_cast<unsigned char>(ch) >> 4) & 0xF];
      uri += kHex[static_cast<unsigned char>(ch) & 0xF];
    } else {
      uri += ch;
    }
  }
  return uri + query;
}

// A reading connection to a database this process cannot write. WAL needs
// its -shm file: where that cannot be made (a read-only file system after a
// clean shutdown, so no -wal either) the file is opened immutable, which is
// safe there because nothing can change it. Throws StoreError.
// SQLite counts its memory under a process-wide mutex on every allocation
// unless told not to; nothing here reads the counts. Takes effect only
// before SQLite's first use (a later call is refused, harmlessly).
void DisableSqliteMemoryStatistics() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

sqlite3* OpenReadOnlyConnection(const std::string& path) {
  DisableSqliteMemoryStatistics();
  std::string why;
  auto open = [&](const char* query) -> sqlite3* {
    sqlite3* db = nullptr;
    const std::string uri = FileUri(path, query);
    int rc = sqlite3_open_v2(uri.c_str(), &db,
                             SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc == SQLITE_OK) {
      sqlite3_busy_timeout(db, 10000);
      sqlite3_extended_result_codes(db, 1);
      rc = sqlite3_exec(db, "PRAGMA foreign_keys=ON; SELECT count(*) FROM sqlite_master;", nullptr,
                        nullptr, nullptr);
      if (rc == SQLITE_OK) return db;
    }
    why = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return nullptr;
  };
  sqlite3* db = open("?mode=ro");
  if (!db && OnReadOnlyFileSystem(path)) db = open("?immutable=1");
  if (!db) throw StoreError("sqlite: cannot open the read-only database " + path + ": " + why);
  return db;
}

sqlite3* OpenConnection(const std::string& path) {
  if (IsReadOnlyFile(path)) return OpenReadOnlyConnection(path);
  DisableSqliteMemoryStatistics();
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw StoreError("sqlite: cannot open " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db, 10000);
  sqlite3_extended_result_codes(db, 1);
  const char* pragmas =
      "PRAGMA journal_mode=WAL;"
      "PRAGMA synchronous=FULL;"
      "PRAGMA foreign_keys=ON;"
      "PRAGMA temp_store=MEMORY;";
  char* err = nullptr;
  if (sqlite3_exec(db, pragmas, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    sqlite3_close(db);
    throw StoreError("sqlite: cannot configure " + path + ": " + msg);
  }
  return db;
}

void ExecScript(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw StoreError("sqlite: " + msg);
  }
}

class SqliteSession final : public StoreSession {
 public:
  explicit SqliteSession(const std::string& path) : db_(OpenConnection(path)) {}
  ~SqliteSession() override {
    stmts_.clear();
    sqlite3_close_v2(db_);
  }

  void BeginRead() override { Exec("BEGIN DEFERRED"); }
  void BeginWrite() override { Exec("BEGIN IMMEDIATE"); }
  void Commit() override { Exec("COMMIT"); }
  void Rollback() override {
    if (!sqlite3_get_autocommit(db_)) Exec("ROLLBACK");
  }
  void Savepoint() override { Exec("SAVEPOINT amur_request"); }
  void ReleaseSavepoint() override { Exec("RELEASE amur_request"); }
  void RollbackToSavepoint() override {
    Exec("ROLLBACK TO amur_request");
    Exec("RELEASE amur_request");
  }

  std::optional<Page> FindPage(std::string_view key) override {
    static const std::string sql = std::string("SELECT ") + kPageColumns + " FROM pages WHERE key = ?";
    Query q(S(sql));
    q.Bind(1, key);
    if (!q.Step()) return std::nullopt;
    return ReadPage(q);
  }

  std::optional<Page> FindPageById(PageId id) override {
    static const std::string sql = std::string("SELECT ") + kPageColumns + " FROM pages WHERE id = ?";
    Query q(S(sql));
    q.Bind(1, id);
    if (!q.Step()) return std::nullopt;
    return ReadPage(q);
  }

  Page UpsertPage(const UpsertPageRequest& req) override {
    {
      Query q(S("INSERT INTO pages(key, title, url, created_at, chain_head, active_at) "
                "VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET title = coalesce(pages.title, excluded.title), "
                "url = coalesce(pages.url, excluded.url)"));
      q.Bind(1, req.key).Bind(2, req.title).Bind(3, req.url).Bind(4, req.now).Bind(5, kZeroHash)
          .Bind(6, req.now);
      q.Exec();
    }
    auto page = FindPage(req.key);
    if (!page) throw StoreError("sqlite: page vanished after upsert");
    return *page;
  }

  bool SetPageClosed(std::string_view key, bool closed) override {
    Query q(S("UPDATE pages SET closed = ? WHERE key = ?"));
    q.Bind(1, closed ? 1 : 0).Bind(2, key);
    q.Exec();
    return sqlite3_changes(db_) > 0;
  }

  bool SetPagePremoderate(std::string_view key, bool premoderate) override {
    Query q(S("UPDATE pages SET premoderate = ? WHERE key = ?"));
    q.Bind(1, premoderate ? 1 : 0).Bind(2, key);
    q.Exec();
    return sqlite3_changes(db_) > 0;
  }

  bool SetPageDetails(std::string_view key, const std::optional<std::string>& title,
                      const std::optional<std::string>& url) override {
    Query q(S("UPDATE pages SET title = ?, url = ? WHERE key = ?"));
    q.Bind(1, title).Bind(2, url).Bind(3, key);
    q.Exec();
    return sqlite3_changes(db_) > 0;
  }

  void SetPinned(CommentId id, bool pinned) override {
    Query q(S("UPDATE comments SET pinned = ? WHERE id = ?"));
    q.Bind(1, pinned ? 1 : 0).Bind(2, id);
    q.Exec();
  }

  std::int64_t CountApprovedByAuthor(std::string_view client_address,
                                     std::string_view email) override {
    Query q(S("SELECT count(*) FROM comments WHERE state = 'approved' AND "
              "(client_address = ? OR (? <> '' AND author_email = ? COLLATE NOCASE))"));
    q.Bind(1, client_address).Bind(2, email).Bind(3, email);
    q.Step();
    return q.Int(0);
  }

  std::vector<Page> ListPages(PageId after_id, int limit) override {
    static const std::string sql =
        std::string("SELECT ") + kPageColumns + " FROM pages WHERE id > ? ORDER BY id LIMIT ?";
    Query q(S(sql));
    q.Bind(1, after_id).Bind(2, static_cast<std::int64_t>(limit));
    std::vector<Page> out;
    while (q.Step()) out.push_back(ReadPage(q));
    return out;
  }

  std::vector<Page> ListPagesByActivity(std::optional<PageActivityCursor> after,
                                        int limit) override {
    std::vector<Page> out;
    if (!after) {
      static const std::string sql = std::string("SELECT ") + kPageColumns +
                                     " FROM pages ORDER BY active_at DESC, id DESC LIMIT ?";
      Query q(S(sql));
      q.Bind(1, static_cast<std::int64_t>(limit));
      while (q.Step()) out.push_back(ReadPage(q));
      return out;
    }
    static const std::string sql = std::string("SELECT ") + kPageColumns +
                                   " FROM pages WHERE (active_at, id) < (?, ?) "
                                   "ORDER BY active_at DESC, id DESC LIMIT ?";
    Query q(S(sql));
    q.Bind(1, after->active_at).Bind(2, after->id).Bind(3, static_cast<std::int64_t>(limit));
    while (q.Step()) out.push_back(ReadPage(q));
    return out;
  }

  PageCommentCounts CountPageComments(PageId page) override {
    Query q(S("SELECT state, count(*) FROM comments WHERE page_id = ? GROUP BY state"));
    q.Bind(1, page);
    PageCommentCounts out;
    while (q.Step()) {
      const std::string state = q.Text(0);
      if (state == "approved") out.approved = q.Int(1);
      else if (state == "pending") out.pending = q.Int(1);
      else if (state == "rejected") out.rejected = q.Int(1);
      else if (state == "spam") out.spam = q.Int(1);
    }
    return out;
  }

  std::optional<Comment> FindComment(CommentId id) override {
    static const std::string sql = std::string("SELECT ") + kCommentColumns + " FROM comments WHERE id = ?";
    Query q(S(sql));
    q.Bind(1, id);
    if (!q.Step()) return std::nullopt;
    return ReadComment(q);
  }

  std::vector<Comment> ListVisibleComments(PageId page) override {
    static const std::string sql = std::string("SELECT ") + kCommentColumns +
                                   " FROM comments WHERE page_id = ? AND state IN ('approved', "
                                   "'deleted') ORDER BY id";
    Query q(S(sql));
    q.Bind(1, page);
    std::vector<Comment> out;
    while (q.Step()) out.push_back(ReadComment(q));
    return out;
  }

  std::vector<Comment> ListAllComments(PageId page) override {
    static const std::string sql = std::string("SELECT ") + kCommentColumns +
                                   " FROM comments WHERE page_id = ? ORDER BY id";
    Query q(S(sql));
    q.Bind(1, page);
    std::vector<Comment> out;
    while (q.Step()) out.push_back(ReadComment(q));
    return out;
  }

  std::vector<Comment> ListChainRows(PageId page) override {
    std::vector<Comment> out;
    out.reserve(ChainLengthHint(page));
    ScanChainRows(page, [&](const ChainRowView& row) {
      Comment& c = out.emplace_back();
      c.id = row.id;
      c.page_id = page;
      c.parent_id = row.parent_id;
      if (row.author_name) c.author_name = std::string(*row.author_name);
      c.state = row.state;
      c.body_markdown = std::string(row.body_markdown);
      c.hash = std::string(row.hash);
    });
    return out;
  }

  void ScanChainRows(PageId page, const std::function<void(const ChainRowView&)>& visit) override {
    Query q(
        S("SELECT id, parent_id, author_name, state, body_markdown, hash FROM comments "
          "WHERE page_id = ? ORDER BY id"));
    q.Bind(1, page);
    ChainRowView c;
    while (q.Step()) {
      c.id = q.Int(0);
      c.parent_id = q.OptInt(1);
      c.author_name = q.OptView(2);
      c.state = ParseCommentState(q.View(3)).value_or(CommentState::kRemoved);
      c.body_markdown = q.View(4);
      c.hash = q.View(5);
      visit(c);
    }
  }

  std::vector<ScreenedText> ListCommentsSince(TimeMs since, int limit) override {
    std::vector<ScreenedText> out;
    if (limit <= 0) return out;
    static const std::string sql =
        "SELECT id, created_at, author_name, author_email, client_address, body_markdown "
        "FROM comments WHERE created_at >= ? ORDER BY created_at DESC, id DESC LIMIT ?";
    Query q(S(sql));
    q.Bind(1, since).Bind(2, limit);
    while (q.Step()) {
      out.push_back(ScreenedText{q.Int(0), q.Int(1), q.OptText(2), q.OptText(3), q.Text(4),
                                 q.Text(5)});
    }
    std::reverse(out.begin(), out.end());
    return out;
  }

  std::vector<Comment> ListNewestApproved(std::optional<PageId> page, int limit) override {
    std::vector<Comment> out;
    if (limit <= 0) return out;
    static const std::string by_page = std::string("SELECT ") + kCommentColumns +
                                       " FROM comments WHERE page_id = ? AND state = 'approved' "
                                       "ORDER BY id DESC LIMIT ?";
    static const std::string site = std::string("SELECT ") + kCommentColumns +
                                    " FROM comments WHERE state = 'approved' "
                                    "ORDER BY id DESC LIMIT ?";
    Query q(S(page ? by_page : site));
    if (page) {
      q.Bind(1, *page).Bind(2, limit);
    } else {
      q.Bind(1, limit);
    }
    while (q.Step()) out.push_back(ReadComment(q));
    return out;
  }

  CommentId InsertComment(const Comment& c) override {
    Query q(
        S("INSERT INTO comments(page_id, parent_id, depth, author_name, author_email, is_guest, "
          "author_role, body_markdown, body_html, state, created_at, edited_at, edited_by, "
          "upvotes, downvotes, hash, edit_token_hash, client_address, quote_exact, "
          "quote_prefix, quote_suffix, author_user_id, moderation_reasons, moderation_score, "
          "flagged, position_start, position_end) "
          "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    q.Bind(1, c.page_id)
        .Bind(2, c.parent_id)
        .Bind(3, static_cast<std::int64_t>(c.depth))
        .Bind(4, c.author_name)
        .Bind(5, c.author_email)
        .Bind(6, c.is_guest ? 1 : 0)
        .Bind(7, c.author_role)
        .Bind(8, c.body_markdown)
        .Bind(9, c.body_html)
        .Bind(10, CommentStateName(c.state))
        .Bind(11, c.created_at)
        .Bind(12, c.edited_at)
        .Bind(13, c.edited_by)
        .Bind(14, c.upvotes)
        .Bind(15, c.downvotes)
        .Bind(16, c.hash)
        .Bind(17, c.edit_token_hash)
        .Bind(18, c.client_address);
    if (c.quote) {
      q.Bind(19, c.quote->exact).Bind(20, c.quote->prefix).Bind(21, c.quote->suffix);
    }
    q.Bind(22, c.author_user_id).Bind(23, JoinReasons(c.moderation_reasons)).Bind(24, c.moderation_score);
    q.Bind(25, static_cast<std::int64_t>(c.flagged ? 1 : 0));
    if (c.position) q.Bind(26, c.position->start).Bind(27, c.position->end);
    q.Exec();
    return sqlite3_last_insert_rowid(db_);
  }

  void UpdateComment(const Comment& c) override {
    Query q(S("UPDATE comments SET body_markdown = ?, body_html = ?, state = ?, edited_at = ?, "
              "edited_by = ?, hash = ?, author_name = ? WHERE id = ?"));
    q.Bind(1, c.body_markdown)
        .Bind(2, c.body_html)
        .Bind(3, CommentStateName(c.state))
        .Bind(4, c.edited_at)
        .Bind(5, c.edited_by)
        .Bind(6, c.hash)
        .Bind(7, c.author_name)
        .Bind(8, c.id);
    q.Exec();
  }

  int CountVisibleReplies(CommentId parent) override {
    Query q(S("SELECT count(*) FROM comments WHERE parent_id = ? AND state IN ('approved', 'deleted')"));
    q.Bind(1, parent);
    q.Step();
    return static_cast<int>(q.Int(0));
  }

  int CountPendingReplies(CommentId parent) override {
    Query q(S("SELECT count(*) FROM comments WHERE parent_id = ? AND state = 'pending'"));
    q.Bind(1, parent);
    q.Step();
    return static_cast<int>(q.Int(0));
  }

  std::map<std::string, std::int64_t> CountApproved(const std::vector<std::string>& keys) override {
    std::map<std::string, std::int64_t> out;
    for (const auto& key : keys) {
      Query q(S("SELECT count(*) FROM comments c JOIN pages p ON p.id = c.page_id "
                "WHERE p.key = ? AND c.state = 'approved'"));
      q.Bind(1, key);
      q.Step();
      out[key] = q.Int(0);
    }
    return out;
  }

  void AppendLink(PageId page, const ChainLink& l) override {
    InsertLink(page, l);
    MoveChainHead(page, l, l.at);
  }

  void AppendLinks(PageId page, const std::vector<ChainLink>& links) override {
    if (links.empty()) return;
    TimeMs latest = links.front().at;
    for (const auto& l : links) latest = std::max(latest, l.at);
    // kLinksPerInsert rows a statement: one statement's setup for many rows.
    std::size_t i = 0;
    for (; i + kLinksPerInsert <= links.size(); i += kLinksPerInsert) {
      static const std::string sql = LinkInsertSql(kLinksPerInsert);
      Query q(S(sql.c_str()));
      for (std::size_t k = 0; k < kLinksPerInsert; ++k) {
        BindLink(q, static_cast<int>(k) * kLinkParams, page, links[i + k]);
      }
      q.Exec();
    }
    for (; i < links.size(); ++i) InsertLink(page, links[i]);
    MoveChainHead(page, links.back(), latest);
  }

  static constexpr std::size_t kLinksPerInsert = 8;
  static constexpr int kLinkParams = 15;

  // INSERT INTO links … VALUES with `rows` rows of kLinkParams parameters.
  static std::string LinkInsertSql(std::size_t rows) {
    std::string sql =
        "INSERT INTO links(page_id, seq, comment_id, n, parent_id, author_name, state, "
        "body_markdown, at, editor, prev_hash, hash, format, content_hash, erased) VALUES ";
    for (std::size_t r = 0; r < rows; ++r) {
      sql += r ? ",(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)" : "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    }
    return sql;
  }

  // Binds one row of links at parameters base+1 … base+kLinkParams, without
  // copying its texts (`l` outlives the statement's step).
  static void BindLink(Query& q, int base, PageId page, const ChainLink& l) {
    q.Bind(base + 1, page)
        .Bind(base + 2, l.seq)
        .Bind(base + 3, l.comment_id)
        .Bind(base + 4, static_cast<std::int64_t>(l.n))
        .Bind(base + 5, l.parent_id)
        .BindStatic(base + 6, l.author_name)
        .BindStatic(base + 7, std::string_view(CommentStateName(l.state)))
        .BindStatic(base + 8, l.body_markdown)
        .Bind(base + 9, l.at)
        .Bind(base + 10, l.editor)
        .BindStatic(base + 11, l.prev_hash)
        .BindStatic(base + 12, l.hash)
        .Bind(base + 13, static_cast<std::int64_t>(l.format))
        .BindStatic(base + 14, l.content_hash)
        .Bind(base + 15, l.erased ? 1 : 0);
  }

  // Writes one row of links as it is.
  void InsertLink(PageId page, const ChainLink& l) {
    Query q(
        S("INSERT INTO links(page_id, seq, comment_id, n, parent_id, author_name, state, "
          "body_markdown, at, editor, prev_hash, hash, format, content_hash, erased) "
          "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    q.Bind(1, page)
        .Bind(2, l.seq)
        .Bind(3, l.comment_id)
        .Bind(4, static_cast<std::int64_t>(l.n))
        .Bind(5, l.parent_id)
        .Bind(6, l.author_name)
        .Bind(7, CommentStateName(l.state))
        .Bind(8, l.body_markdown)
        .Bind(9, l.at)
        .Bind(10, l.editor)
        .Bind(11, l.prev_hash)
        .Bind(12, l.hash)
        .Bind(13, static_cast<std::int64_t>(l.format))
        .Bind(14, l.content_hash)
        .Bind(15, l.erased ? 1 : 0);
    q.Exec();
  }

  // The page's head moves to `head`; active_at to `at` when that is later.
  void MoveChainHead(PageId page, const ChainLink& head, TimeMs at) {
    Query q(S("UPDATE pages SET chain_head = ?, chain_len = ?, active_at = max(active_at, ?) "
              "WHERE id = ?"));
    q.Bind(1, head.hash).Bind(2, head.seq).Bind(3, at).Bind(4, page);
    q.Exec();
  }

  std::vector<ChainLink> ListPageLinks(PageId page) override {
    static const std::string sql =
        std::string("SELECT ") + kLinkColumns + " FROM links WHERE page_id = ? ORDER BY seq";
    const std::size_t hint = ChainLengthHint(page);
    Query q(S(sql));
    q.Bind(1, page);
    std::vector<ChainLink> out;
    out.reserve(hint);
    while (q.Step()) out.push_back(ReadLink(q));
    return out;
  }

  // The page's stored chain length, for reserving what reads its links or
  // rows (each comment has at least one link); capped, as it is only a hint.
  std::size_t ChainLengthHint(PageId page) {
    Query q(S("SELECT chain_len FROM pages WHERE id = ?"));
    q.Bind(1, page);
    if (!q.Step()) return 0;
    return static_cast<std::size_t>(std::clamp<std::int64_t>(q.Int(0), 0, 1 << 20));
  }

  void ScanPageLinks(PageId page, const std::function<void(const ChainLinkView&)>& visit) override {
    Query q(
        S("SELECT seq, comment_id, parent_id, author_name, state, body_markdown, at, prev_hash, "
          "hash, format, content_hash, erased FROM links WHERE page_id = ? ORDER BY seq"));
    q.Bind(1, page);
    ChainLinkView l;
    while (q.Step()) {
      l.seq = q.Int(0);
      l.comment_id = q.Int(1);
      l.parent_id = q.OptInt(2);
      l.author_name = q.OptView(3);
      l.state = ParseCommentState(q.View(4)).value_or(CommentState::kRemoved);
      l.body_markdown = q.View(5);
      l.at = q.Int(6);
      l.prev_hash = q.View(7);
      l.hash = q.View(8);
      l.format = static_cast<int>(q.Int(9));
      l.content_hash = q.View(10);
      l.erased = q.Int(11) != 0;
      visit(l);
    }
  }

  std::vector<ChainLink> ListPageLinksFrom(PageId page, std::int64_t from_seq) override {
    static const std::string sql = std::string("SELECT ") + kLinkColumns +
                                   " FROM links WHERE page_id = ? AND seq >= ? ORDER BY seq";
    Query q(S(sql));
    q.Bind(1, page).Bind(2, from_seq);
    std::vector<ChainLink> out;
    while (q.Step()) out.push_back(ReadLink(q));
    return out;
  }

  std::vector<ChainLink> ListCommentLinks(CommentId id) override {
    static const std::string sql =
        std::string("SELECT ") + kLinkColumns + " FROM links WHERE comment_id = ? ORDER BY n";
    Query q(S(sql));
    q.Bind(1, id);
    std::vector<ChainLink> out;
    while (q.Step()) out.push_back(ReadLink(q));
    return out;
  }

  void RewritePageChain(PageId page, const std::vector<ChainLink>& links) override {
    for (const ChainLink& l : links) {
      Query q(
          S("UPDATE links SET format = ?, content_hash = ?, prev_hash = ?, hash = ? "
            "WHERE page_id = ? AND seq = ?"));
      q.Bind(1, static_cast<std::int64_t>(l.format))
          .Bind(2, l.content_hash)
          .Bind(3, l.prev_hash)
          .Bind(4, l.hash)
          .Bind(5, page)
          .Bind(6, l.seq);
      q.Exec();
    }
    std::map<CommentId, std::string> last;
    for (const ChainLink& l : links) last[l.comment_id] = l.hash;
    for (const auto& [id, hash] : last) {
      Query q(S("UPDATE comments SET hash = ? WHERE id = ?"));
      q.Bind(1, hash).Bind(2, id);
      q.Exec();
    }
    if (!links.empty()) {
      Query q(S("UPDATE pages SET chain_head = ? WHERE id = ?"));
      q.Bind(1, links.back().hash).Bind(2, page);
      q.Exec();
    }
  }

  void EraseCommentContent(CommentId id, const std::vector<std::string>& content_hashes,
                           TimeMs at) override {
    for (std::size_t i = 0; i < content_hashes.size(); ++i) {
      Query q(
          S("UPDATE links SET author_name = NULL, body_markdown = '', editor = NULL, "
            "erased = 1, format = 2, content_hash = ? WHERE comment_id = ? AND n = ?"));
      q.Bind(1, content_hashes[i]).Bind(2, id).Bind(3, static_cast<std::int64_t>(i + 1));
      q.Exec();
    }
    {
      Query q(
          S("UPDATE comments SET author_name = NULL, author_email = NULL, client_address = '', "
            "body_markdown = '', body_html = '', edited_by = NULL, erased_at = ? WHERE id = ?"));
      q.Bind(1, at).Bind(2, id);
      q.Exec();
    }
    Query q(
        S("UPDATE events SET data = json_set(data, '$.comment.body_html', '', "
          "'$.comment.author.name', NULL, '$.comment.edited_by', NULL) "
          "WHERE comment_id = ? AND json_type(data, '$.comment') = 'object'"));
    q.Bind(1, id);
    q.Exec();
  }

  std::vector<CommentId> ListCommentIdsByEmail(std::string_view email) override {
    Query q(S("SELECT id FROM comments WHERE author_email = ? COLLATE NOCASE ORDER BY id"));
    q.Bind(1, email);
    std::vector<CommentId> out;
    while (q.Step()) out.push_back(q.Int(0));
    return out;
  }

  int CountCommentLinks(CommentId id) override {
    Query q(S("SELECT count(*) FROM links WHERE comment_id = ?"));
    q.Bind(1, id);
    q.Step();
    return static_cast<int>(q.Int(0));
  }

  VoteTotals SetVote(const VoteRecord& v) override {
    const auto& [id, voter_hash, network_hash, value] = v;
    const int old = GetVote(id, voter_hash);
    if (old != value) {
      if (value == 0) {
        Query q(S("DELETE FROM votes WHERE comment_id = ? AND voter_hash = ?"));
        q.Bind(1, id).Bind(2, voter_hash);
        q.Exec();
      } else {
        Query q(
            S("INSERT INTO votes(comment_id, voter_hash, value, network_hash) VALUES (?, ?, ?, ?) "
              "ON CONFLICT(comment_id, voter_hash) DO UPDATE SET value = excluded.value"));
        q.Bind(1, id)
            .Bind(2, voter_hash)
            .Bind(3, static_cast<std::int64_t>(value))
            .Bind(4, network_hash);
        q.Exec();
      }
      const std::int64_t up = (value == 1) - (old == 1);
      const std::int64_t down = (value == -1) - (old == -1);
      Query q(S("UPDATE comments SET upvotes = upvotes + ?, downvotes = downvotes + ? WHERE id = ?"));
      q.Bind(1, up).Bind(2, down).Bind(3, id);
      q.Exec();
    }
    Query q(S("SELECT upvotes, downvotes FROM comments WHERE id = ?"));
    q.Bind(1, id);
    if (!q.Step()) throw StoreError("sqlite: vote on a missing comment");
    return VoteTotals{q.Int(0), q.Int(1)};
  }

  std::int64_t CountNetworkVoters(CommentId id, std::string_view network_hash) override {
    Query q(S("SELECT COUNT(*) FROM votes WHERE comment_id = ? AND network_hash = ?"));
    q.Bind(1, id).Bind(2, network_hash);
    return q.Step() ? q.Int(0) : 0;
  }

  int GetVote(CommentId id, std::string_view voter_hash) override {
    Query q(S("SELECT value FROM votes WHERE comment_id = ? AND voter_hash = ?"));
    q.Bind(1, id).Bind(2, voter_hash);
    return q.Step() ? static_cast<int>(q.Int(0)) : 0;
  }

  std::optional<std::int64_t> InsertUser(const User& u) override {
    Query q(S("INSERT INTO users(email, name, role, password_hash, created_at) VALUES (?,?,?,?,?) "
              "ON CONFLICT(email) DO NOTHING"));
    q.Bind(1, u.email).Bind(2, u.name).Bind(3, RoleName(u.role)).Bind(4, u.password_hash).Bind(5, u.created_at);
    q.Exec();
    if (sqlite3_changes(db_) == 0) return std::nullopt;
    return sqlite3_last_insert_rowid(db_);
  }

  std::optional<User> FindUserByEmail(std::string_view email) override {
    static const std::string sql = std::string("SELECT ") + kUserColumns + " FROM users WHERE email = ?";
    Query q(S(sql));
    q.Bind(1, email);
    if (!q.Step()) return std::nullopt;
    return ReadUser(q);
  }

  std::optional<User> FindUserById(std::int64_t id) override {
    static const std::string sql = std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?";
    Query q(S(sql));
    q.Bind(1, id);
    if (!q.Step()) return std::nullopt;
    return ReadUser(q);
  }

  std::vector<User> ListUsers(std::int64_t after_id, int limit) override {
    static const std::string sql =
        std::string("SELECT ") + kUserColumns + " FROM users WHERE id > ? ORDER BY id LIMIT ?";
    Query q(S(sql));
    q.Bind(1, after_id).Bind(2, static_cast<std::int64_t>(limit));
    std::vector<User> out;
    while (q.Step()) out.push_back(ReadUser(q));
    return out;
  }

  bool SetUserRole(std::int64_t id, Role role) override {
    Query q(S("UPDATE users SET role = ? WHERE id = ?"));
    q.Bind(1, RoleName(role)).Bind(2, id);
    q.Exec();
    return sqlite3_changes(db_) > 0;
  }

  bool SetUserDisabled(std::int64_t id, bool disabled) override {
    Query q(S("UPDATE users SET disabled = ? WHERE id = ?"));
    q.Bind(1, disabled ? 1 : 0).Bind(2, id);
    q.Exec();
    return sqlite3_changes(db_) > 0;
  }

  std::int64_t CountActiveAdmins() override {
    Query q(S("SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0"));
    q.Step();
    return q.Int(0);
  }

  void InsertSession(const Session& s) override {
    Query q(S("INSERT INTO sessions(token_hash, user_id, csrf_token, created_at, expires_at) "
              "VALUES (?,?,?,?,?)"));
    q.Bind(1, s.token_hash).Bind(2, s.user_id).Bind(3, s.csrf_token).Bind(4, s.created_at).Bind(5, s.expires_at);
    q.Exec();
  }

  std::optional<Session> FindSession(std::string_view token_hash) override {
    Query q(S("SELECT token_hash, user_id, csrf_token, created_at, expires_at FROM sessions "
              "WHERE token_hash = ?"));
    q.Bind(1, token_hash);
    if (!q.Step()) return std::nullopt;
    return Session{q.Text(0), q.Int(1), q.Text(2), q.Int(3), q.Int(4)};
  }

  void DeleteSession(std::string_view token_hash) override {
    Query q(S("DELETE FROM sessions WHERE token_hash = ?"));
    q.Bind(1, token_hash);
    q.Exec();
  }

  std::int64_t DeleteUserSessions(std::int64_t user_id) override {
    Query q(S("DELETE FROM sessions WHERE user_id = ?"));
    q.Bind(1, user_id);
    q.Exec();
    return sqlite3_changes(db_);
  }

  void SetModeration(const ModerationUpdate& u) override {
    Query q(
        S("UPDATE comments SET state = ?, moderation_reasons = ?, moderation_score = ?, "
          "flagged = ? WHERE id = ?"));
    q.Bind(1, CommentStateName(u.state))
        .Bind(2, JoinReasons(u.reasons))
        .Bind(3, u.score)
        .Bind(4, static_cast<std::int64_t>(u.flagged && u.state == CommentState::kApproved ? 1 : 0))
        .Bind(5, u.id);
    q.Exec();
  }

  std::vector<Comment> ListQueue(const QueueQuery& query) override {
    const auto& [state, reported, min_reports, before_id, limit, flagged] = query;
    const CommentId before = before_id > 0 ? before_id : std::numeric_limits<CommentId>::max();
    std::vector<Comment> out;
    if (flagged) {
      static const std::string sql =
          std::string("SELECT ") + kCommentColumns +
          " FROM comments INDEXED BY comments_flagged WHERE flagged = 1 AND state = 'approved' "
          "AND id < ? ORDER BY id DESC LIMIT ?";
      Query q(S(sql));
      q.Bind(1, before).Bind(2, static_cast<std::int64_t>(limit));
      while (q.Step()) out.push_back(ReadComment(q));
      return out;
    }
    if (reported) {
      static const std::string sql =
          std::string("SELECT ") + kCommentColumns +
          " FROM comments WHERE report_networks >= ? AND state = 'approved' "
          "AND id < ? ORDER BY id DESC LIMIT ?";
      Query q(S(sql));
      q.Bind(1, static_cast<std::int64_t>(min_reports)).Bind(2, before).Bind(3, static_cast<std::int64_t>(limit));
      while (q.Step()) out.push_back(ReadComment(q));
      return out;
    }
    static const std::string sql = std::string("SELECT ") + kCommentColumns +
                                   " FROM comments WHERE state = ? AND id < ? ORDER BY id DESC LIMIT ?";
    Query q(S(sql));
    q.Bind(1, CommentStateName(state.value_or(CommentState::kPending)))
        .Bind(2, before)
        .Bind(3, static_cast<std::int64_t>(limit));
    while (q.Step()) out.push_back(ReadComment(q));
    return out;
  }

  QueueCounts CountQueues(int min_reports) override {
    QueueCounts out;
    {
      // Counted on the comments_state_id index, one range per state.
      Query q(S("SELECT state, count(*) FROM comments WHERE state IN ('pending', 'rejected', 'spam') "
                "GROUP BY state"));
      while (q.Step()) {
        const std::string state = q.Text(0);
        if (state == "pending") out.pending = q.Int(1);
        else if (state == "rejected") out.rejected = q.Int(1);
        else if (state == "spam") out.spam = q.Int(1);
      }
    }
    {
      Query q(
          S("SELECT count(*) FROM comments INDEXED BY comments_flagged "
            "WHERE flagged = 1 AND state = 'approved'"));
      q.Step();
      out.flagged = q.Int(0);
    }
    if (min_reports > 0) {
      // On the partial index of reported comments (few), not on the state
      // index (every approved comment); "report_networks > 0" makes it usable.
      Query q(
          S("SELECT count(*) FROM comments INDEXED BY comments_reported_networks "
            "WHERE report_networks > 0 AND report_networks >= ? AND state = 'approved'"));
      q.Bind(1, static_cast<std::int64_t>(min_reports));
      q.Step();
      out.reported = q.Int(0);
    } else {
      Query q(S("SELECT count(*) FROM comments WHERE state = 'approved'"));
      q.Step();
      out.reported = q.Int(0);
    }
    return out;
  }

  bool AddReport(const NewReport& r) override {
    const auto& [id, reporter_hash, network_hash, reason, note, at] = r;
    {
      Query q(S("INSERT INTO reports(comment_id, reporter_hash, network_hash, reason, note, "
                "created_at) VALUES (?,?,?,?,?,?) ON CONFLICT DO NOTHING"));
      q.Bind(1, id).Bind(2, reporter_hash).Bind(3, network_hash).Bind(4, reason).Bind(5, note)
          .Bind(6, at);
      q.Exec();
    }
    if (sqlite3_changes(db_) == 0) return false;
    std::int64_t from_network = 0;
    {
      Query q(S("SELECT COUNT(*) FROM reports WHERE comment_id = ? AND network_hash = ?"));
      q.Bind(1, id).Bind(2, network_hash);
      if (q.Step()) from_network = q.Int(0);
    }
    Query q(
        S("UPDATE comments SET report_count = report_count + 1, "
          "report_networks = report_networks + ? WHERE id = ?"));
    q.Bind(1, std::int64_t{from_network == 1 ? 1 : 0}).Bind(2, id);
    q.Exec();
    return true;
  }

  std::int64_t CountReportNetworks(CommentId id) override {
    Query q(S("SELECT COUNT(DISTINCT network_hash) FROM reports WHERE comment_id = ?"));
    q.Bind(1, id);
    return q.Step() ? q.Int(0) : 0;
  }

  void ClearReports(CommentId id) override {
    {
      Query q(S("DELETE FROM reports WHERE comment_id = ?"));
      q.Bind(1, id);
      q.Exec();
    }
    Query q(S("UPDATE comments SET report_count = 0, report_networks = 0 WHERE id = ?"));
    q.Bind(1, id);
    q.Exec();
  }

  std::vector<Comment> ListByAuthor(std::string_view client_address,
                                    std::optional<std::int64_t> user_id, int limit) override {
    static const std::string sql = std::string("SELECT ") + kCommentColumns +
                                   " FROM comments WHERE (client_address = ? OR author_user_id = ?) "
                                   "AND state NOT IN ('removed') ORDER BY id DESC LIMIT ?";
    Query q(S(sql));
    q.Bind(1, client_address).Bind(2, user_id.value_or(-1)).Bind(3, static_cast<std::int64_t>(limit));
    std::vector<Comment> out;
    while (q.Step()) out.push_back(ReadComment(q));
    return out;
  }

  std::int64_t InsertBan(const Ban& b) override {
    Query q(S("INSERT INTO bans(client_address, email_hash, user_id, reason, created_by, created_at, "
              "expires_at, comment_id) VALUES (?,?,?,?,?,?,?,?)"));
    q.Bind(1, b.client_address).Bind(2, b.email_hash).Bind(3, b.user_id).Bind(4, b.reason)
        .Bind(5, b.created_by).Bind(6, b.created_at).Bind(7, b.expires_at).Bind(8, b.comment_id);
    q.Exec();
    return sqlite3_last_insert_rowid(db_);
  }

  std::optional<Ban> FindActiveBan(const BanLookup& who) override {
    const auto& [client_address, email_hash, user_id, now] = who;
    static const std::string sql =
        std::string("SELECT ") + kBanColumns +
        " FROM bans WHERE (expires_at IS NULL OR expires_at > ?) AND "
        "((client_address <> '' AND client_address = ?) OR (email_hash <> '' AND email_hash = ?) "
        "OR (user_id IS NOT NULL AND user_id = ?)) ORDER BY id DESC LIMIT 1";
    Query q(S(sql));
    q.Bind(1, now).Bind(2, client_address).Bind(3, email_hash).Bind(4, user_id.value_or(-1));
    if (!q.Step()) return std::nullopt;
    return ReadBan(q);
  }

  std::vector<Ban> ListBans(const BanListQuery& query) override {
    const auto& [active_only, now, before_id, limit] = query;
    const std::int64_t before = before_id > 0 ? before_id : std::numeric_limits<std::int64_t>::max();
    static const std::string sql =
        std::string("SELECT ") + kBanColumns +
        " FROM bans WHERE id < ? AND (? = 0 OR expires_at IS NULL OR expires_at > ?) "
        "ORDER BY id DESC LIMIT ?";
    Query q(S(sql));
    q.Bind(1, before).Bind(2, active_only ? 1 : 0).Bind(3, now).Bind(4, static_cast<std::int64_t>(limit));
    std::vector<Ban> out;
    while (q.Step()) out.push_back(ReadBan(q));
    return out;
  }

  bool EndBan(std::int64_t id, TimeMs now) override {
    Query q(S("UPDATE bans SET expires_at = ? WHERE id = ? AND (expires_at IS NULL OR expires_at > ?)"));
    q.Bind(1, now).Bind(2, id).Bind(3, now);
    q.Exec();
    return sqlite3_changes(db_) > 0;
  }

  std::int64_t AppendAudit(const AuditEntry& e) override {
    Query q(S("INSERT INTO audit(at, actor, action, comment_id, reason, prev_hash, hash) "
              "VALUES (?,?,?,?,?,?,?)"));
    q.Bind(1, e.at).Bind(2, e.actor).Bind(3, e.action).Bind(4, e.comment_id).Bind(5, e.reason)
        .Bind(6, e.prev_hash).Bind(7, e.hash);
    q.Exec();
    return sqlite3_last_insert_rowid(db_);
  }

  std::vector<AuditEntry> ListAudit(std::int64_t before_seq, int limit) override {
    const std::int64_t before = before_seq > 0 ? before_seq : std::numeric_limits<std::int64_t>::max();
    Query q(S("SELECT seq, at, actor, action, comment_id, reason, prev_hash, hash FROM audit "
              "WHERE seq < ? ORDER BY seq DESC LIMIT ?"));
    q.Bind(1, before).Bind(2, static_cast<std::int64_t>(limit));
    return ReadAuditRows(q);
  }

  std::vector<AuditEntry> ListCommentAudit(CommentId id) override {
    Query q(
        S("SELECT seq, at, actor, action, comment_id, reason, prev_hash, hash FROM audit "
          "WHERE comment_id = ? ORDER BY seq"));
    q.Bind(1, id);
    return ReadAuditRows(q);
  }

  // The rows of a "SELECT seq, at, actor, action, comment_id, reason,
  // prev_hash, hash FROM audit …".
  static std::vector<AuditEntry> ReadAuditRows(Query& q) {
    std::vector<AuditEntry> out;
    while (q.Step()) {
      out.push_back(AuditEntry{q.Int(0), q.Int(1), q.Text(2), q.Text(3), q.OptInt(4), q.Text(5),
                               q.Text(6), q.Text(7)});
    }
    return out;
  }

  std::string AuditHead() override {
    Query q(S("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1"));
    return q.Step() ? q.Text(0) : kZeroHash;
  }

  std::optional<std::string> GetSetting(std::string_view key) override {
    Query q(S("SELECT value FROM settings WHERE key = ?"));
    q.Bind(1, key);
    if (!q.Step()) return std::nullopt;
    return q.Text(0);
  }

  void PutSetting(std::string_view key, std::string_view value) override {
    Query q(S("INSERT INTO settings(key, value) VALUES (?, ?) "
              "ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
    q.Bind(1, key).Bind(2, value);
    q.Exec();
  }

  bool TryLease(std::string_view name, std::string_view holder, TimeMs now,
                TimeMs expires_at) override {
    Query q(
        S("INSERT INTO leases(name, holder, expires_at) VALUES (?1, ?2, ?4) "
          "ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, "
          "expires_at = excluded.expires_at "
          "WHERE leases.holder = excluded.holder OR leases.expires_at <= ?3"));
    q.Bind(1, name).Bind(2, holder).Bind(3, now).Bind(4, expires_at);
    q.Exec();
    return sqlite3_changes(db_) == 1;
  }

  std::int64_t AppendEvent(const Event& e) override {
    Query q(
        S("INSERT INTO events(at, type, page_key, comment_id, actor, visibility, data, origin) "
          "VALUES (?,?,?,?,?,?,?,?)"));
    q.Bind(1, e.at)
        .Bind(2, e.type)
        .Bind(3, e.page_key)
        .Bind(4, e.comment_id)
        .Bind(5, e.actor)
        .Bind(6, EventVisibilityName(e.visibility))
        .Bind(7, e.data)
        .Bind(8, e.origin);
    q.Exec();
    return sqlite3_last_insert_rowid(db_);
  }

  std::vector<Event> ListEvents(std::int64_t after_seq, int limit, bool public_only) override {
    std::vector<Event> out;
    if (limit <= 0) return out;
    Query q(S(public_only ? "SELECT seq, at, type, page_key, comment_id, actor, visibility, data, "
                            "origin FROM events "
                            "WHERE seq > ? AND visibility = 'public' ORDER BY seq LIMIT ?"
                          : "SELECT seq, at, type, page_key, comment_id, actor, visibility, data, "
                            "origin FROM events "
                            "WHERE seq > ? ORDER BY seq LIMIT ?"));
    q.Bind(1, after_seq).Bind(2, static_cast<std::int64_t>(limit));
    while (q.Step()) {
      Event e;
      e.seq = q.Int(0);
      e.at = q.Int(1);
      e.type = q.Text(2);
      e.page_key = q.OptText(3);
      e.comment_id = q.OptInt(4);
      e.actor = q.Text(5);
      e.visibility = q.Text(6) == "staff" ? EventVisibility::kStaff : EventVisibility::kPublic;
      e.data = q.Text(7);
      e.origin = q.Text(8);
      out.push_back(std::move(e));
    }
    return out;
  }

  std::int64_t LastEventSeq() override {
    // The sequence, not max(seq): pruning every row must not move it back.
    Query q(S("SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0)"));
    return q.Step() ? q.Int(0) : 0;
  }

  std::int64_t PruneEvents(TimeMs before) override {
    Query q(S("DELETE FROM events WHERE at < ?"));
    q.Bind(1, before);
    q.Exec();
    return sqlite3_changes(db_);
  }

  // --- SubscriptionStore ---

  Subscription UpsertSubscription(const Subscription& sub) override {
    {
      Query q(
          S("INSERT INTO subscriptions(email, user_id, kind, page_id, confirmed, created_at, "
            "confirmed_at) VALUES (?,?,?,?,?,?,?) "
            "ON CONFLICT (email, kind, IFNULL(page_id, 0)) DO UPDATE SET "
            "confirmed = max(confirmed, excluded.confirmed), "
            "confirmed_at = coalesce(confirmed_at, excluded.confirmed_at), "
            "user_id = coalesce(user_id, excluded.user_id)"));
      q.Bind(1, sub.email)
          .Bind(2, sub.user_id)
          .Bind(3, SubscriptionKindName(sub.kind))
          .Bind(4, sub.page_id)
          .Bind(5, sub.confirmed ? 1 : 0)
          .Bind(6, sub.created_at)
          .Bind(7, sub.confirmed
                       ? std::optional<std::int64_t>(sub.confirmed_at.value_or(sub.created_at))
                       : std::nullopt);
      q.Exec();
    }
    Query q(S(std::string("SELECT ") + kSubscriptionColumns +
              " FROM subscriptions WHERE email = ? AND kind = ? AND IFNULL(page_id, 0) = ?"));
    q.Bind(1, sub.email).Bind(2, SubscriptionKindName(sub.kind)).Bind(3, sub.page_id.value_or(0));
    if (!q.Step()) throw StoreError("sqlite: the subscription just stored is missing");
    return ReadSubscription(q);
  }

  std::optional<Subscription> FindSubscription(std::int64_t id) override {
    Query q(S(std::string("SELECT ") + kSubscriptionColumns + " FROM subscriptions WHERE id = ?"));
    q.Bind(1, id);
    if (!q.Step()) return std::nullopt;
    return ReadSubscription(q);
  }

  std::vector<Subscription> ListSubscriptionsByEmail(std::string_view email) override {
    Query q(S(std::string("SELECT ") + kSubscriptionColumns +
              " FROM subscriptions WHERE email = ? ORDER BY id"));
    q.Bind(1, email);
    std::vector<Subscription> out;
    while (q.Step()) out.push_back(ReadSubscription(q));
    return out;
  }

  std::vector<Subscription> ListSubscriptionsByUser(std::int64_t user_id) override {
    Query q(S(std::string("SELECT ") + kSubscriptionColumns +
              " FROM subscriptions WHERE user_id = ? ORDER BY id"));
    q.Bind(1, user_id);
    std::vector<Subscription> out;
    while (q.Step()) out.push_back(ReadSubscription(q));
    return out;
  }

  std::int64_t ConfirmSubscriptions(std::string_view email, TimeMs now) override {
    Query q(
        S("UPDATE subscriptions SET confirmed = 1, confirmed_at = ? "
          "WHERE email = ? AND confirmed = 0"));
    q.Bind(1, now).Bind(2, email);
    q.Exec();
    return sqlite3_changes(db_);
  }

  bool DeleteSubscription(std::int64_t id) override {
    {
      Query q(S("DELETE FROM notifications WHERE subscription_id = ? AND mail_id IS NULL"));
      q.Bind(1, id);
      q.Exec();
    }
    {
      // Sent ones stay as the record of what was mailed, without the link.
      Query q(S("UPDATE notifications SET subscription_id = NULL WHERE subscription_id = ?"));
      q.Bind(1, id);
      q.Exec();
    }
    Query q(S("DELETE FROM subscriptions WHERE id = ?"));
    q.Bind(1, id);
    q.Exec();
    return sqlite3_changes(db_) > 0;
  }

  std::vector<Subscription> FindSubscriptionsOf(SubscriptionKind kind, std::string_view email,
                                                std::optional<std::int64_t> user_id) override {
    Query q(S(std::string("SELECT ") + kSubscriptionColumns +
              " FROM subscriptions WHERE kind = ? AND confirmed = 1 AND "
              "(email = ? OR (? IS NOT NULL AND user_id = ?)) ORDER BY id"));
    q.Bind(1, SubscriptionKindName(kind)).Bind(2, email).Bind(3, user_id).Bind(4, user_id);
    std::vector<Subscription> out;
    while (q.Step()) out.push_back(ReadSubscription(q));
    return out;
  }

  std::vector<Subscription> ListConfirmedOfKind(SubscriptionKind kind) override {
    Query q(S(std::string("SELECT ") + kSubscriptionColumns +
              " FROM subscriptions WHERE kind = ? AND confirmed = 1 ORDER BY id"));
    q.Bind(1, SubscriptionKindName(kind));
    std::vector<Subscription> out;
    while (q.Step()) out.push_back(ReadSubscription(q));
    return out;
  }

  void InsertMailToken(const MailToken& t) override {
    Query q(
        S("INSERT INTO mail_tokens(token_hash, purpose, email, subscription_id, created_at, "
          "expires_at, used_at) VALUES (?,?,?,?,?,?,?)"));
    q.Bind(1, t.token_hash)
        .Bind(2, t.purpose)
        .Bind(3, t.email)
        .Bind(4, t.subscription_id)
        .Bind(5, t.created_at)
        .Bind(6, t.expires_at)
        .Bind(7, t.used_at);
    q.Exec();
  }

  std::optional<MailToken> FindMailToken(std::string_view token_hash) override {
    Query q(
        S("SELECT token_hash, purpose, email, subscription_id, created_at, expires_at, used_at "
          "FROM mail_tokens WHERE token_hash = ?"));
    q.Bind(1, token_hash);
    if (!q.Step()) return std::nullopt;
    MailToken t;
    t.token_hash = q.Text(0);
    t.purpose = q.Text(1);
    t.email = q.Text(2);
    t.subscription_id = q.OptInt(3);
    t.created_at = q.Int(4);
    t.expires_at = q.Int(5);
    t.used_at = q.OptInt(6);
    return t;
  }

  void MarkMailTokenUsed(std::string_view token_hash, TimeMs at) override {
    Query q(S("UPDATE mail_tokens SET used_at = coalesce(used_at, ?) WHERE token_hash = ?"));
    q.Bind(1, at).Bind(2, token_hash);
    q.Exec();
  }

  std::int64_t CountOpenMailTokens(std::string_view email, std::string_view purpose,
                                   TimeMs now) override {
    Query q(
        S("SELECT count(*) FROM mail_tokens WHERE email = ? AND purpose = ? AND "
          "used_at IS NULL AND expires_at >= ?"));
    q.Bind(1, email).Bind(2, purpose).Bind(3, now);
    return q.Step() ? q.Int(0) : 0;
  }

  std::int64_t PruneMailTokens(TimeMs now) override {
    Query q(S("DELETE FROM mail_tokens WHERE expires_at < ?"));
    q.Bind(1, now);
    q.Exec();
    return sqlite3_changes(db_);
  }

  // --- MailStore ---

  std::int64_t QueueThreadNotifications(PageId page, CommentId comment,
                                        std::string_view except_email,
                                        std::optional<std::int64_t> except_user,
                                        TimeMs confirmed_by, TimeMs now) override {
    Query q(
        S("INSERT OR IGNORE INTO notifications(email, comment_id, subscription_id, page_id, "
          "reason, created_at) "
          "SELECT email, ?, id, page_id, 'thread', ? FROM subscriptions "
          "WHERE page_id = ? AND kind = 'thread' AND confirmed = 1 AND (confirmed_at IS NULL OR "
          "confirmed_at <= ?) AND email <> ? "
          "AND (? IS NULL OR user_id IS NULL OR user_id <> ?) ORDER BY id"));
    q.Bind(1, comment)
        .Bind(2, now)
        .Bind(3, page)
        .Bind(4, confirmed_by)
        .Bind(5, except_email)
        .Bind(6, except_user)
        .Bind(7, except_user);
    q.Exec();
    return sqlite3_changes(db_);
  }

  bool QueueNotification(const Notification& n) override {
    Query q(
        S("INSERT OR IGNORE INTO notifications(email, comment_id, subscription_id, page_id, "
          "reason, created_at) VALUES (?,?,?,?,?,?)"));
    q.Bind(1, n.email)
        .Bind(2, n.comment_id)
        .Bind(3, n.subscription_id)
        .Bind(4, n.page_id)
        .Bind(5, n.reason)
        .Bind(6, n.created_at);
    q.Exec();
    return sqlite3_changes(db_) > 0;
  }

  std::vector<Notification> ListUncomposedNotifications(int limit) override {
    std::vector<Notification> out;
    if (limit <= 0) return out;
    Query q(S(std::string("SELECT ") + kNotificationColumns +
              " FROM notifications WHERE mail_id IS NULL ORDER BY id LIMIT ?"));
    q.Bind(1, static_cast<std::int64_t>(limit));
    while (q.Step()) out.push_back(ReadNotification(q));
    return out;
  }

  void AssignNotifications(const std::vector<std::int64_t>& ids, std::int64_t mail_id) override {
    for (std::int64_t id : ids) {
      Query q(S("UPDATE notifications SET mail_id = ? WHERE id = ?"));
      q.Bind(1, mail_id).Bind(2, id);
      q.Exec();
    }
  }

  void DropNotifications(const std::vector<std::int64_t>& ids) override {
    // Kept (with mail_id 0) so that the comment is never queued again.
    AssignNotifications(ids, 0);
  }

  std::optional<TimeMs> LastMailTime(std::int64_t subscription_id, PageId page) override {
    Query q(
        S("SELECT max(created_at) FROM mail_outbox WHERE subscription_id = ? AND page_id = ? "
          "AND kind IN ('notification', 'digest')"));
    q.Bind(1, subscription_id).Bind(2, page);
    if (!q.Step()) return std::nullopt;
    return q.OptInt(0);
  }

  std::int64_t CountMailsSince(std::string_view email, std::string_view kind,
                               TimeMs since) override {
    Query q(S("SELECT count(*) FROM mail_outbox WHERE email = ? AND kind = ? AND created_at >= ?"));
    q.Bind(1, email).Bind(2, kind).Bind(3, since);
    return q.Step() ? q.Int(0) : 0;
  }

  std::int64_t InsertMail(const OutboxMail& m) override {
    Query q(
        S("INSERT INTO mail_outbox(email, kind, subscription_id, page_id, message_id, message, "
          "created_at, attempts, next_attempt_at) VALUES (?,?,?,?,?,?,?,0,?)"));
    q.Bind(1, m.email)
        .Bind(2, m.kind)
        .Bind(3, m.subscription_id)
        .Bind(4, m.page_id)
        .Bind(5, m.message_id)
        .Bind(6, m.message)
        .Bind(7, m.created_at)
        .Bind(8, m.next_attempt_at);
    q.Exec();
    return sqlite3_last_insert_rowid(db_);
  }

  void SetMailText(std::int64_t id, std::string_view message_id,
                   std::string_view message) override {
    Query q(S("UPDATE mail_outbox SET message_id = ?, message = ? WHERE id = ?"));
    q.Bind(1, message_id).Bind(2, message).Bind(3, id);
    q.Exec();
  }

  std::optional<OutboxMail> FindMail(std::int64_t id) override {
    Query q(S(std::string("SELECT ") + kMailColumns + " FROM mail_outbox WHERE id = ?"));
    q.Bind(1, id);
    if (!q.Step()) return std::nullopt;
    return ReadMail(q);
  }

  std::vector<OutboxMail> ListDueMail(TimeMs now, int limit) override {
    std::vector<OutboxMail> out;
    if (limit <= 0) return out;
    Query q(S(std::string("SELECT ") + kMailColumns +
              " FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL AND "
              "next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?"));
    q.Bind(1, now).Bind(2, static_cast<std::int64_t>(limit));
    while (q.Step()) out.push_back(ReadMail(q));
    return out;
  }

  std::optional<TimeMs> NextMailDue() override {
    Query q(
        S("SELECT min(next_attempt_at) FROM mail_outbox "
          "WHERE sent_at IS NULL AND failed_at IS NULL"));
    if (!q.Step()) return std::nullopt;
    return q.OptInt(0);
  }

  void MarkMailSent(std::int64_t id, TimeMs at) override {
    Query q(
        S("UPDATE mail_outbox SET sent_at = ?, message = NULL, attempts = attempts + 1, "
          "last_error = NULL WHERE id = ?"));
    q.Bind(1, at).Bind(2, id);
    q.Exec();
  }

  void MarkMailAttempt(std::int64_t id, std::string_view error, TimeMs next_attempt_at,
                       bool give_up, TimeMs at) override {
    Query q(
        S("UPDATE mail_outbox SET attempts = attempts + 1, last_error = ?, "
          "next_attempt_at = ?, failed_at = ?, message = CASE WHEN ? THEN NULL ELSE message END "
          "WHERE id = ?"));
    q.Bind(1, error)
        .Bind(2, next_attempt_at)
        .Bind(3, give_up ? std::optional<std::int64_t>(at) : std::nullopt)
        .Bind(4, give_up ? 1 : 0)
        .Bind(5, id);
    q.Exec();
  }

  std::int64_t PruneMail(TimeMs before) override {
    std::int64_t n = 0;
    {
      Query q(
          S("DELETE FROM notifications WHERE created_at < ? AND mail_id IS NOT NULL AND "
            "(mail_id = 0 OR mail_id IN (SELECT id FROM mail_outbox WHERE sent_at < ? OR "
            "failed_at < ?))"));
      q.Bind(1, before).Bind(2, before).Bind(3, before);
      q.Exec();
      n += sqlite3_changes(db_);
    }
    Query q(S("DELETE FROM mail_outbox WHERE sent_at < ? OR failed_at < ?"));
    q.Bind(1, before).Bind(2, before);
    q.Exec();
    return n + sqlite3_changes(db_);
  }

  OutboxCounts CountOutbox() override {
    Query q(
        S("SELECT count(*) FILTER (WHERE sent_at IS NULL AND failed_at IS NULL), "
          "count(*) FILTER (WHERE sent_at IS NOT NULL), "
          "count(*) FILTER (WHERE failed_at IS NOT NULL) FROM mail_outbox"));
    OutboxCounts c;
    if (q.Step()) {
      c.waiting = q.Int(0);
      c.sent = q.Int(1);
      c.failed = q.Int(2);
    }
    return c;
  }

  std::optional<std::int64_t> FindImported(std::string_view source,
                                           std::string_view source_id) override {
    Query q(S("SELECT target_id FROM import_sources WHERE source = ? AND source_id = ?"));
    q.BindStatic(1, source).BindStatic(2, source_id);
    if (!q.Step()) return std::nullopt;
    return q.Int(0);
  }

  bool RememberImported(std::string_view source, std::string_view source_id,
                        std::int64_t target_id) override {
    Query q(
        S("INSERT INTO import_sources(source, source_id, target_id) VALUES (?, ?, ?) "
          "ON CONFLICT DO NOTHING"));
    q.BindStatic(1, source).BindStatic(2, source_id).Bind(3, target_id);
    q.Exec();
    return sqlite3_changes(db_) > 0;
  }

  void SetCacheSize(int mebibytes) override {
    Exec(("PRAGMA cache_size = -" + std::to_string(std::max(1, mebibytes) * 1024)).c_str());
  }

  void SetBulkWrites(bool on) override {
    if (on) {
      // The WAL's frames are checkpointed every ~40 MB instead of 4 MB: an
      // index page rewritten by many commits reaches the database file once.
      Exec("PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=10000;");
      return;
    }
    Exec("PRAGMA synchronous=FULL; PRAGMA wal_autocheckpoint=1000;");
    // Commits made under NORMAL sit in the WAL, perhaps not yet on disk
    // (checkpoints sync what they copy): syncing the WAL file makes them
    // durable.
    sqlite3_file* wal = nullptr;
    if (sqlite3_file_control(db_, "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal) == SQLITE_OK && wal &&
        wal->pMethods) {
      const int rc = wal->pMethods->xSync(wal, SQLITE_SYNC_FULL);
      if (rc != SQLITE_OK) Fail(db_, "sync the WAL");
    }
  }

  bool IsEmpty() override {
    Query q(
        S("SELECT EXISTS(SELECT 1 FROM pages) OR EXISTS(SELECT 1 FROM comments) OR "
          "EXISTS(SELECT 1 FROM users) OR EXISTS(SELECT 1 FROM bans) OR "
          "EXISTS(SELECT 1 FROM audit)"));
    q.Step();
    return q.Int(0) == 0;
  }

  bool RestorePage(const Page& p) override {
    Query q(
        S("INSERT INTO pages(id, key, title, url, closed, created_at, chain_head, chain_len, "
          "premoderate, active_at) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING"));
    q.Bind(1, p.id)
        .Bind(2, p.key)
        .Bind(3, p.title)
        .Bind(4, p.url)
        .Bind(5, p.closed ? 1 : 0)
        .Bind(6, p.created_at)
        .Bind(7, p.chain_head)
        .Bind(8, p.chain_len)
        .Bind(9, p.premoderate ? 1 : 0)
        .Bind(10, p.active_at);
    q.Exec();
    return sqlite3_changes(db_) > 0;
  }

  bool RestoreComment(const Comment& c) override {
    static const std::string sql = std::string("INSERT INTO comments(") + kCommentColumns +
                                   ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
                                   "?,?,?,?,?,?,?) ON CONFLICT DO NOTHING";
    Query q(S(sql.c_str()));
    q.Bind(1, c.id)
        .Bind(2, c.page_id)
        .Bind(3, c.parent_id)
        .Bind(4, static_cast<std::int64_t>(c.depth))
        .BindStatic(5, c.author_name)
        .BindStatic(6, c.author_email)
        .Bind(7, c.is_guest ? 1 : 0)
        .Bind(8, c.author_role)
        .BindStatic(9, c.body_markdown)
        .BindStatic(10, c.body_html)
        .Bind(11, CommentStateName(c.state))
        .Bind(12, c.created_at)
        .Bind(13, c.edited_at)
        .Bind(14, c.edited_by)
        .Bind(15, c.upvotes)
        .Bind(16, c.downvotes)
        .BindStatic(17, c.hash)
        .Bind(18, c.edit_token_hash)
        .BindStatic(19, c.client_address);
    if (c.quote) q.Bind(20, c.quote->exact).Bind(21, c.quote->prefix).Bind(22, c.quote->suffix);
    q.Bind(23, c.author_user_id)
        .Bind(24, JoinReasons(c.moderation_reasons))
        .Bind(25, c.moderation_score)
        .Bind(26, c.report_count)
        .Bind(27, c.pinned ? 1 : 0)
        .Bind(28, c.report_networks)
        .Bind(29, static_cast<std::int64_t>(c.flagged ? 1 : 0))
        .Bind(32, c.erased_at);
    if (c.position) q.Bind(30, c.position->start).Bind(31, c.position->end);
    q.Exec();
    return sqlite3_changes(db_) > 0;
  }

  bool RestoreLink(PageId page, const ChainLink& l) override {
    Query q(
        S("INSERT INTO links(page_id, seq, comment_id, n, parent_id, author_name, state, "
          "body_markdown, at, editor, prev_hash, hash, format, content_hash, erased) "
          "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING"));
    q.Bind(1, page)
        .Bind(2, l.seq)
        .Bind(3, l.comment_id)
        .Bind(4, static_cast<std::int64_t>(l.n))
        .Bind(5, l.parent_id)
        .BindStatic(6, l.author_name)
        .Bind(7, CommentStateName(l.state))
        .BindStatic(8, l.body_markdown)
        .Bind(9, l.at)
        .Bind(10, l.editor)
        .BindStatic(11, l.prev_hash)
        .BindStatic(12, l.hash)
        .Bind(13, static_cast<std::int64_t>(l.format))
        .BindStatic(14, l.content_hash)
        .Bind(15, l.erased ? 1 : 0);
    q.Exec();
    return sqlite3_changes(db_) > 0;
  }

  bool RestoreVote(const StoredVote& v) override {
    Query q(
        S("INSERT INTO votes(comment_id, voter_hash, value, network_hash) VALUES (?,?,?,?) "
          "ON CONFLICT DO NOTHING"));
    q.Bind(1, v.comment_id)
        .Bind(2, v.voter_hash)
        .Bind(3, static_cast<std::int64_t>(v.value))
        .Bind(4, v.network_hash);
    q.Exec();
    return sqlite3_changes(db_) > 0;
  }

  bool RestoreUser(const User& u) override {
    Query q(
        S("INSERT INTO users(id, email, name, role, password_hash, created_at, disabled) "
          "VALUES (?,?,?,?,?,?,?) ON CONFLICT DO NOTHING"));
    q.Bind(1, u.id)
        .Bind(2, u.email)
        .Bind(3, u.name)
        .Bind(4, RoleName(u.role))
        .Bind(5, u.password_hash)
        .Bind(6, u.created_at)
        .Bind(7, u.disabled ? 1 : 0);
    q.Exec();
    return sqlite3_changes(db_) > 0;
  }

  bool RestoreBan(const Ban& b) override {
    Query q(
        S("INSERT INTO bans(id, client_address, email_hash, user_id, reason, created_by, "
          "created_at, expires_at, comment_id) VALUES (?,?,?,?,?,?,?,?,?) "
          "ON CONFLICT DO NOTHING"));
    q.Bind(1, b.id)
        .Bind(2, b.client_address)
        .Bind(3, b.email_hash)
        .Bind(4, b.user_id)
        .Bind(5, b.reason)
        .Bind(6, b.created_by)
        .Bind(7, b.created_at)
        .Bind(8, b.expires_at)
        .Bind(9, b.comment_id);
    q.Exec();
    return sqlite3_changes(db_) > 0;
  }

  std::vector<Subscription> ListSubscriptions(std::int64_t after_id, int limit) override {
    std::vector<Subscription> out;
    if (limit <= 0) return out;
    Query q(S(std::string("SELECT ") + kSubscriptionColumns +
              " FROM subscriptions WHERE id > ? ORDER BY id LIMIT ?"));
    q.Bind(1, after_id).Bind(2, static_cast<std::int64_t>(limit));
    while (q.Step()) out.push_back(ReadSubscription(q));
    return out;
  }

  bool RestoreSubscription(const Subscription& sub) override {
    Query q(
        S("INSERT INTO subscriptions(id, email, user_id, kind, page_id, confirmed, created_at, "
          "confirmed_at) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING"));
    q.Bind(1, sub.id)
        .Bind(2, sub.email)
        .Bind(3, sub.user_id)
        .Bind(4, SubscriptionKindName(sub.kind))
        .Bind(5, sub.page_id)
        .Bind(6, sub.confirmed ? 1 : 0)
        .Bind(7, sub.created_at)
        .Bind(8, sub.confirmed_at);
    q.Exec();
    return sqlite3_changes(db_) > 0;
  }

  bool RestoreAudit(const AuditEntry& e) override {
    Query q(
        S("INSERT INTO audit(seq, at, actor, action, comment_id, reason, prev_hash, hash) "
          "VALUES (?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING"));
    q.Bind(1, e.seq)
        .Bind(2, e.at)
        .Bind(3, e.actor)
        .Bind(4, e.action)
        .Bind(5, e.comment_id)
        .Bind(6, e.reason)
        .Bind(7, e.prev_hash)
        .Bind(8, e.hash);
    q.Exec();
    return sqlite3_changes(db_) > 0;
  }

  std::vector<StoredVote> ListPageVotes(PageId page) override {
    Query q(
        S("SELECT v.comment_id, v.voter_hash, v.value, v.network_hash FROM votes v "
          "JOIN comments c ON c.id = v.comment_id WHERE c.page_id = ? "
          "ORDER BY v.comment_id, v.voter_hash"));
    q.Bind(1, page);
    std::vector<StoredVote> out;
    while (q.Step()) {
      out.push_back(StoredVote{q.Int(0), q.Text(1), static_cast<int>(q.Int(2)), q.Text(3)});
    }
    return out;
  }

  std::vector<Page> ListPagesWithPrefix(std::string_view prefix, PageId after_id,
                                        int limit) override {
    static const std::string sql =
        std::string("SELECT ") + kPageColumns +
        " FROM pages WHERE id > ? AND (substr(key, 1, ?) = ? OR substr(url, 1, ?) = ?) "
        "ORDER BY id LIMIT ?";
    Query q(S(sql));
    // substr counts characters; the prefix's length in characters:
    std::int64_t chars = 0;
    for (const char ch : prefix) chars += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
    q.Bind(1, after_id)
        .Bind(2, chars)
        .Bind(3, prefix)
        .Bind(4, chars)
        .Bind(5, prefix)
        .Bind(6, static_cast<std::int64_t>(limit));
    std::vector<Page> out;
    while (q.Step()) out.push_back(ReadPage(q));
    return out;
  }

  void RekeyPage(PageId page, std::string_view key, const std::optional<std::string>& url,
                 const std::vector<ChainLink>& links) override {
    {
      Query q(S("UPDATE pages SET key = ?, url = ? WHERE id = ?"));
      q.Bind(1, key).Bind(2, url).Bind(3, page);
      q.Exec();
    }
    for (const ChainLink& l : links) {
      {
        Query q(S("UPDATE links SET prev_hash = ?, hash = ? WHERE page_id = ? AND seq = ?"));
        q.Bind(1, l.prev_hash).Bind(2, l.hash).Bind(3, page).Bind(4, l.seq);
        q.Exec();
      }
      // Links come in chain order, so a comment's last write is its last link's.
      Query q(S("UPDATE comments SET hash = ? WHERE id = ?"));
      q.Bind(1, l.hash).Bind(2, l.comment_id);
      q.Exec();
    }
    Query q(S("UPDATE pages SET chain_head = ? WHERE id = ?"));
    q.Bind(1, links.empty() ? kZeroHash : links.back().hash).Bind(2, page);
    q.Exec();
  }

  bool Ping() override {
    try {
      Query q(S("SELECT 1"));
      return q.Step() && q.Int(0) == 1;
    } catch (const StoreError&) {
      return false;
    }
  }

 private:
  void Exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      throw StoreError(std::string("sqlite: ") + sql + ": " + msg);
    }
  }

  // The cached prepared statement for `sql` (keyed by the text itself).
  Stmt& S(const std::string& sql) {
    auto it = stmts_.find(sql);
    if (it == stmts_.end()) {
      it = stmts_.emplace(sql, std::make_unique<Stmt>(db_, sql.c_str())).first;
    }
    return *it->second;
  }
  // The same for text that lives as long as the program (a string literal,
  // or a function-static string's c_str()): found by its address, without
  // copying and hashing the text on every call.
  Stmt& S(const char* static_sql) {
    if (auto it = by_address_.find(static_sql); it != by_address_.end()) return *it->second;
    Stmt& stmt = S(std::string(static_sql));
    by_address_.emplace(static_sql, &stmt);
    return stmt;
  }

  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<Stmt>> stmts_;
  std::unordered_map<const char*, Stmt*> by_address_;
};

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(std::string path) : path_(std::move(path)) {
    // Fail early, with the path in the message, when the file cannot be opened.
    SqliteSession probe(path_);
    if (IsReadOnlyFile(path_)) {
      spdlog::warn(
          "the database {} is read-only: reads are served, every write answers 503 until amur "
          "is restarted on a writable file",
          path_);
    }
  }

  void Migrate() override {
    if (IsReadOnlyFile(path_)) {
      CheckReadOnlySchema();
      return;
    }
    sqlite3* db = OpenConnection(path_);
    try {
      ExecScript(db, "BEGIN IMMEDIATE");
      int version = 0;
      {
        sqlite3_stmt* st = nullptr;
        sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr);
        if (st && sqlite3_step(st) == SQLITE_ROW) version = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
      }
      for (int i = 0; i < kSqliteMigrationCount; ++i) {
        const Migration& m = kSqliteMigrations[i];
        if (m.version <= version) continue;
        ExecScript(db, m.sql);
        ExecScript(db, ("PRAGMA user_version = " + std::to_string(m.version)).c_str());
      }
      ExecScript(db, "COMMIT");
    } catch (...) {
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      sqlite3_close_v2(db);
      throw;
    }
    sqlite3_close_v2(db);
  }

  std::unique_ptr<StoreSession> OpenSession() override {
    return std::make_unique<SqliteSession>(path_);
  }

  // A read-only database cannot be migrated: it must be at the newest version.
  void CheckReadOnlySchema() {
    sqlite3* db = OpenConnection(path_);
    int version = 0;
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr);
    if (st && sqlite3_step(st) == SQLITE_ROW) version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close_v2(db);
    const int newest = kSqliteMigrations[kSqliteMigrationCount - 1].version;
    if (version != newest) {
      throw StoreError("the database " + path_ + " is read-only and at schema version " +
                       std::to_string(version) + ", not " + std::to_string(newest) +
                       ": it cannot be migrated");
    }
  }

  std::string Backend() const override { return "sqlite"; }

 private:
  std::string path_;
};

}  // namespace

std::unique_ptr<Store> OpenSqliteStore(const std::string& path) {
  const std::filesystem::path p(path);
  if (p.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(p.parent_path(), ec);
    if (ec) throw StoreError("cannot create folder " + p.parent_path().string() + ": " + ec.message());
  }
  return std::make_unique<SqliteStore>(path);
}

}  // namespace amur::store
