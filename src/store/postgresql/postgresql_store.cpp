#include "store/postgresql/postgresql_store.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace amur::store {

// Generated from migrations/*.sql at build time (see CMakeLists.txt).
struct Migration {
  int version;
  const char* sql;
};
extern const Migration kPostgresqlMigrations[];
extern const int kPostgresqlMigrationCount;

namespace {

// The key of the advisory lock Migrate() holds ("amur" in ASCII).
constexpr std::int64_t kMigrationLockKey = 0x616d7572;
constexpr const char* kEventChannel = "amur_events";
constexpr Oid kTextOid = 25;
constexpr Oid kVarcharOid = 1043;

// The URL with its password (user:PASSWORD@ or password=…) hidden, for
// messages and logs.
std::string RedactUrl(const std::string& url) {
  std::string out = url;
  const auto scheme = out.find("://");
  if (scheme != std::string::npos) {
    const auto at = out.find('@', scheme + 3);
    const auto slash = out.find('/', scheme + 3);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      const auto colon = out.find(':', scheme + 3);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  const auto pw = out.find("password=");
  if (pw != std::string::npos) {
    const auto end = out.find_first_of("&; ", pw);
    out.replace(pw + 9, (end == std::string::npos ? out.size() : end) - pw - 9, "***");
  }
  return out;
}

// How long a connection may take to a read replica, and how soon a replica
// that stopped answering counts as gone; a URL's own settings win.
constexpr const char* kReplicaConnectTimeout = "2";     // seconds
constexpr const char* kReplicaTcpUserTimeout = "5000";  // ms unacknowledged
constexpr const char* kReplicaKeepalivesIdle = "5";
constexpr const char* kReplicaKeepalivesInterval = "2";
constexpr const char* kReplicaKeepalivesCount = "2";
// How long a statement on a replica may wait for its answer: a replica that
// accepts connections but does not answer (stopped, swapping, wedged) is
// given up on after this, its connection cut, and the read goes elsewhere.
constexpr int kReplicaAnswerTimeoutMs = 2000;

// A new connection to `url` (a libpq URI, its parameters applied as given)
// with UTF-8 text and durable commits. For a replica, short connect and
// keepalive timeouts apply unless the URL sets its own. Throws StoreError.
PGconn* Connect(const std::string& url, const char* application_name, bool replica = false) {
  // Keys before dbname are defaults the URL overrides; those after it win.
  std::vector<const char*> keys = {"application_name"};
  std::vector<const char*> values = {application_name};
  if (replica) {
    for (auto [k, v] : {std::pair{"connect_timeout", kReplicaConnectTimeout},
                        std::pair{"tcp_user_timeout", kReplicaTcpUserTimeout},
                        std::pair{"keepalives_idle", kReplicaKeepalivesIdle},
                        std::pair{"keepalives_interval", kReplicaKeepalivesInterval},
                        std::pair{"keepalives_count", kReplicaKeepalivesCount}}) {
      keys.push_back(k);
      values.push_back(v);
    }
  }
  keys.insert(keys.end(), {"dbname", "client_encoding", nullptr});
  values.insert(values.end(), {url.c_str(), "UTF8", nullptr});
  PGconn* conn = PQconnectdbParams(keys.data(), values.data(), 1);
  if (!conn) throw StoreError("postgresql: out of memory connecting to " + RedactUrl(url));
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    PQfinish(conn);
    throw StoreError("postgresql: cannot connect to " + RedactUrl(url) + ": " + msg);
  }
  // Server notices ("… already exists, skipping") go to the debug log, not stderr.
  PQsetNoticeProcessor(
      conn, [](void*, const char* message) { spdlog::debug("postgresql: {}", message); }, nullptr);
  // A commit returns only once durable: a server configured otherwise is
  // overruled for this connection (stronger settings such as remote_apply stay).
  PGresult* r = PQexec(conn, "SHOW synchronous_commit");
  const bool off = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
                   std::strcmp(PQgetvalue(r, 0, 0), "off") == 0;
  PQclear(r);
  if (off) PQclear(PQexec(conn, "SET synchronous_commit = on"));
  return conn;
}

std::string ErrorText(PGconn* conn, const PGresult* r) {
  std::string msg = r ? PQresultErrorMessage(r) : "";
  if (msg.empty()) msg = conn ? PQerrorMessage(conn) : "no connection";
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  return msg;
}

// True for the SQLSTATEs of a lost race: deadlock, serialization failure.
bool IsConflict(const PGresult* r) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  return state && (std::strcmp(state, "40P01") == 0 || std::strcmp(state, "40001") == 0);
}

// `sql` with each ? outside quotes numbered $1, $2, …; sets `count`.
std::string NumberParameters(const std::string& sql, int* count) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (const char ch : sql) {
    if (quote) {
      if (ch == quote) quote = 0;
      out += ch;
    } else if (ch == '\'' || ch == '"') {
      quote = ch;
      out += ch;
    } else if (ch == '?') {
      out += '$' + std::to_string(++n);
    } else {
      out += ch;
    }
  }
  *count = n;
  return out;
}

class PgSession;

// A statement of one connection, prepared on its first use (by the name
// "aN") and kept for the connection's life.
struct Stmt {
  PgSession* session = nullptr;
  std::string name;
  std::string sql;  // with $n parameters
  int params = 0;
  bool prepared = false;
  std::vector<Oid> types;  // as the server resolved them
};

// One parameter as sent: text parameters go in binary format with their
// exact length; numbers in text format; null as null.
struct Param {
  enum Kind { kNull, kNumber, kText } kind = kNull;
  std::string value;
};

class Query final {
 public:
  explicit Query(Stmt& s) : s_(s), params_(static_cast<std::size_t>(s.params)) {}
  ~Query() { PQclear(res_); }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  Query& Bind(int i, std::int64_t v) { return Set(i, Param::kNumber, std::to_string(v)); }
  Query& Bind(int i, int v) { return Bind(i, static_cast<std::int64_t>(v)); }
  Query& Bind(int i, double v) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return Set(i, Param::kNumber, std::string(buf, r.ptr));
  }
  Query& Bind(int i, std::string_view v) { return Set(i, Param::kText, std::string(v)); }
  Query& Bind(int i, const std::string& v) { return Bind(i, std::string_view(v)); }
  Query& Bind(int i, const char* v) { return Bind(i, std::string_view(v)); }
  Query& Bind(int i, const std::optional<std::string>& v) {
    if (v) return Bind(i, *v);
    return Set(i, Param::kNull, {});
  }
  Query& Bind(int i, const std::optional<std::int64_t>& v) {
    if (v) return Bind(i, *v);
    return Set(i, Param::kNull, {});
  }
  // True when a row is ready; false when done. Runs the statement first.
  bool Step() {
    if (!res_) Run();
    return ++row_ < PQntuples(res_);
  }
  void Exec() {
    if (!res_) Run();
  }
  std::int64_t Int(int col) const {
    const char* p = PQgetvalue(res_, row_, col);
    if (*p == 't') return 1;
    if (*p == 'f') return 0;
    std::int64_t v = 0;
    std::from_chars(p, p + std::strlen(p), v);
    return v;
  }
  double Double(int col) const {
    const char* p = PQgetvalue(res_, row_, col);
    double v = 0;
    std::from_chars(p, p + std::strlen(p), v);
    return v;
  }
  bool IsNull(int col) const { return PQgetisnull(res_, row_, col) != 0; }
  std::string Text(int col) const {
    return std::string(PQgetvalue(res_, row_, col),
                       static_cast<std::size_t>(PQgetlength(res_, row_, col)));
  }
  std::optional<std::string> OptText(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Text(col);
  }
  // The column's text as a view, valid until the query ends.
  std::string_view View(int col) const {
    return std::string_view(PQgetvalue(res_, row_, col),
                            static_cast<std::size_t>(PQgetlength(res_, row_, col)));
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
  Query& Set(int i, Param::Kind kind, std::string value) {
    if (i < 1 || i > s_.params) throw StoreError("postgresql: no parameter " + std::to_string(i));
    params_[static_cast<std::size_t>(i - 1)] = Param{kind, std::move(value)};
    return *this;
  }
  void Run();

  Stmt& s_;
  std::vector<Param> params_;
  PGresult* res_ = nullptr;
  int row_ = -1;
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
    "id, client_address, email_hash, user_id, reason, created_by, created_at, expires_at, "
    "comment_id";

Ban ReadBan(const Query& q) {
  return Ban{q.Int(0),  q.Text(1), q.Text(2),   q.OptInt(3), q.Text(4),
             q.Text(5), q.Int(6),  q.OptInt(7), q.OptInt(8)};
}

class PgSession final : public StoreSession {
 public:
  PgSession(std::string url, bool replica)
      : url_(std::move(url)),
        conn_(Connect(url_, replica ? "amur-replica" : "amur", replica)),
        answer_timeout_ms_(replica ? kReplicaAnswerTimeoutMs : 0) {}
  ~PgSession() override { PQfinish(conn_); }
  PgSession(const PgSession&) = delete;
  PgSession& operator=(const PgSession&) = delete;

  void BeginRead() override {
    // One snapshot for the whole read, as SQLite's read transaction has.
    Begin("BEGIN ISOLATION LEVEL REPEATABLE READ");
    StartTransaction(false);
  }
  // A write transaction holds the event counter from its first statement to
  // its end: writers on every node take their locks one transaction after
  // the other, so a batch that locks several pages can never deadlock with
  // another (it would, taking a page then waiting for the counter).
  void BeginWrite() override {
    Begin("BEGIN; SELECT 1 FROM event_counter WHERE id = 1 FOR NO KEY UPDATE");
    StartTransaction(true);
  }
  void Commit() override {
    const PGTransactionStatusType status = PQtransactionStatus(conn_);
    if (status == PQTRANS_INERROR || conflict_) {
      const bool conflict = conflict_;
      Rollback();
      if (conflict)
        throw StoreConflict("postgresql: the transaction lost a race and was rolled back");
      throw StoreError("postgresql: the transaction failed earlier and was rolled back");
    }
    if (last_event_seq_ > 0) {
      // Only the number: other nodes read the events from the log.
      Query q(S("SELECT pg_notify(?, ?)"));
      q.Bind(1, kEventChannel).Bind(2, std::to_string(last_event_seq_));
      q.Exec();
    }
    PGresult* r = ExecText("COMMIT");
    const bool ok =
        PQresultStatus(r) == PGRES_COMMAND_OK && std::strcmp(PQcmdStatus(r), "COMMIT") == 0;
    const bool conflict = IsConflict(r);
    const std::string msg = ErrorText(conn_, r);
    PQclear(r);
    EndTransaction();
    if (!ok) {
      if (conflict) throw StoreConflict("postgresql: COMMIT: " + msg);
      throw StoreError("postgresql: COMMIT: " + (msg.empty() ? std::string("rolled back") : msg));
    }
  }
  void Rollback() override {
    EndTransaction();
    if (PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) != PQTRANS_IDLE) {
      Exec("ROLLBACK");
    }
  }
  void Savepoint() override {
    Exec("SAVEPOINT amur_request");
    savepoint_event_seq_ = last_event_seq_;
  }
  void ReleaseSavepoint() override { Exec("RELEASE SAVEPOINT amur_request"); }
  void RollbackToSavepoint() override {
    Exec("ROLLBACK TO SAVEPOINT amur_request");
    Exec("RELEASE SAVEPOINT amur_request");
    last_event_seq_ = savepoint_event_seq_;
  }

  // Runs a prepared statement (preparing it on first use); returns its
  // result or throws StoreError (StoreConflict for a lost race).
  PGresult* Run(Stmt& s, const std::vector<Param>& params) {
    if (PQstatus(conn_) != CONNECTION_OK) {
      throw StoreError("postgresql: the connection to the database was lost");
    }
    if (!s.prepared) Prepare(s, params);
    std::vector<const char*> values(params.size());
    std::vector<int> lengths(params.size());
    std::vector<int> formats(params.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
      const Param& p = params[i];
      if (p.kind == Param::kNull) continue;
      values[i] = p.value.c_str();
      lengths[i] = static_cast<int>(p.value.size());
      // Text goes as bytes with its length (binary format of text), so
      // nothing in it is interpreted; a parameter of another type gets it
      // in text format.
      formats[i] = p.kind == Param::kText && (s.types[i] == kTextOid || s.types[i] == kVarcharOid);
    }
    const int n = static_cast<int>(params.size());
    PGresult* r = answer_timeout_ms_ == 0
                      ? PQexecPrepared(conn_, s.name.c_str(), n, values.data(), lengths.data(),
                                       formats.data(), 0)
                      : Answer(PQsendQueryPrepared(conn_, s.name.c_str(), n, values.data(),
                                                   lengths.data(), formats.data(), 0),
                               s.sql);
    const ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) Throw(r, s.sql);
    return r;
  }

  bool Ping() override {
    try {
      if (PQstatus(conn_) != CONNECTION_OK) return false;
      Query q(S("SELECT 1"));
      return q.Step() && q.Int(0) == 1;
    } catch (const StoreError&) {
      return false;
    }
  }

 private:
  void StartTransaction(bool write) {
    in_write_ = write;
    conflict_ = false;
    last_event_seq_ = 0;
    savepoint_event_seq_ = 0;
  }
  void EndTransaction() {
    in_write_ = false;
    conflict_ = false;
    last_event_seq_ = 0;
    savepoint_event_seq_ = 0;
  }

  // Starts a transaction with `sql`. A connection that the server ended
  // while it was idle (a restart, a failover, pg_terminate_backend,
  // idle_session_timeout) is only found dead by this first statement: it is
  // made again and `sql` sent once more, as nothing of the transaction was
  // sent yet, so no request fails for it. StoreError when the database is
  // still away.
  // A replica that did not answer in time is not asked again here.
  void Begin(const char* sql) {
    EnsureConnected();
    unanswered_ = false;
    try {
      Exec(sql);
    } catch (const StoreError&) {
      if (PQstatus(conn_) == CONNECTION_OK || unanswered_) throw;
      EnsureConnected();
      Exec(sql);
    }
  }

  // Before a transaction: a connection that was lost is made again (its
  // prepared statements with it); StoreError when the database is still away.
  void EnsureConnected() {
    if (PQstatus(conn_) == CONNECTION_OK) {
      if (PQtransactionStatus(conn_) != PQTRANS_IDLE) Exec("ROLLBACK");
      return;
    }
    PQreset(conn_);
    for (auto& [sql, s] : stmts_) s->prepared = false;
    if (PQstatus(conn_) != CONNECTION_OK) {
      throw StoreError(
          "postgresql: the connection to the database was lost and cannot be made "
          "again: " +
          ErrorText(conn_, nullptr));
    }
    spdlog::warn("postgresql: connection to {} made again", RedactUrl(url_));
  }

  [[noreturn]] void Throw(PGresult* r, const std::string& what) {
    const bool conflict = IsConflict(r);
    const std::string msg = ErrorText(conn_, r);
    PQclear(r);
    if (conflict) {
      conflict_ = true;
      throw StoreConflict("postgresql: " + msg);
    }
    if (PQstatus(conn_) != CONNECTION_OK) {
      throw StoreError("postgresql: the connection to the database was lost: " + msg);
    }
    throw StoreError("postgresql: " + what + ": " + msg);
  }

  void Prepare(Stmt& s, const std::vector<Param>& params) {
    std::vector<Oid> types(params.size(), 0);
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (params[i].kind == Param::kText) types[i] = kTextOid;
    }
    const int n = static_cast<int>(params.size());
    PGresult* r =
        answer_timeout_ms_ == 0
            ? PQprepare(conn_, s.name.c_str(), s.sql.c_str(), n, types.data())
            : Answer(PQsendPrepare(conn_, s.name.c_str(), s.sql.c_str(), n, types.data()), s.sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) Throw(r, "prepare " + s.sql);
    PQclear(r);
    r = answer_timeout_ms_ == 0 ? PQdescribePrepared(conn_, s.name.c_str())
                                : Answer(PQsendDescribePrepared(conn_, s.name.c_str()), s.sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) Throw(r, "describe " + s.sql);
    s.types.assign(params.size(), 0);
    for (int i = 0; i < PQnparams(r) && i < static_cast<int>(params.size()); ++i) {
      s.types[static_cast<std::size_t>(i)] = PQparamtype(r, i);
    }
    PQclear(r);
    s.prepared = true;
  }

  void Exec(const char* sql) {
    if (PQstatus(conn_) != CONNECTION_OK) {
      throw StoreError(std::string("postgresql: ") + sql +
                       ": the connection to the database was lost");
    }
    PGresult* r = ExecText(sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
      Throw(r, sql);
    }
    PQclear(r);
  }

  // PQexec of `sql` (the last statement's result), within the answer
  // timeout on a replica.
  PGresult* ExecText(const char* sql) {
    return answer_timeout_ms_ == 0 ? PQexec(conn_, sql) : Answer(PQsendQuery(conn_, sql), sql);
  }

  // The result of what was just sent (`sent`: the PQsend* call's answer), as
  // PQexec gives it: the first error, else the last result. Throws
  // StoreError, the connection cut (PQreset makes it again), when the server
  // has not answered within answer_timeout_ms_.
  PGresult* Answer(int sent, const std::string& what) {
    if (!sent) return nullptr;  // PQresultStatus(nullptr) is an error; the message is the conn's
    const auto until =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(answer_timeout_ms_);
    PGresult* kept = nullptr;
    for (;;) {
      while (PQisBusy(conn_)) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              until - std::chrono::steady_clock::now())
                              .count();
        pollfd p{PQsocket(conn_), POLLIN, 0};
        const int ready = left > 0 ? ::poll(&p, 1, static_cast<int>(left)) : 0;
        if (ready < 0 && errno == EINTR) continue;
        if (ready == 0) {
          unanswered_ = true;
          PQclear(kept);
          ::shutdown(PQsocket(conn_), SHUT_RDWR);
          PQconsumeInput(conn_);
          while (PGresult* rest = PQgetResult(conn_)) PQclear(rest);
          throw StoreError("postgresql: " + what + ": no answer from the read replica " +
                           RedactUrl(url_) + " within " + std::to_string(answer_timeout_ms_) +
                           " ms");
        }
        if (!PQconsumeInput(conn_)) break;  // lost: PQgetResult has the error
      }
      PGresult* r = PQgetResult(conn_);
      if (!r) break;
      const ExecStatusType kept_status = kept ? PQresultStatus(kept) : PGRES_COMMAND_OK;
      if (kept_status != PGRES_COMMAND_OK && kept_status != PGRES_TUPLES_OK) {
        PQclear(r);  // the first error stands
        continue;
      }
      PQclear(kept);
      kept = r;
    }
    return kept;
  }

  // The statement for `sql` (? parameters), keyed by the text itself.
  Stmt& S(const std::string& sql) {
    auto it = stmts_.find(sql);
    if (it == stmts_.end()) {
      auto s = std::make_unique<Stmt>();
      s->session = this;
      s->name = "a" + std::to_string(stmts_.size() + 1);
      s->sql = NumberParameters(sql, &s->params);
      it = stmts_.emplace(sql, std::move(s)).first;
    }
    return *it->second;
  }

  // The page row, locked against other writers until the end of a write
  // transaction: the chain head read is the one the next link is appended to.
  const char* PageLock() const { return in_write_ ? " FOR NO KEY UPDATE" : ""; }

  // Moves an identity column past the id of a row restored with its own id.
  void BumpIdentity(const char* table, const char* column) {
    Query q(S(std::string("SELECT setval(pg_get_serial_sequence('") + table + "', '" + column +
              "'), (SELECT max(" + column + ") FROM " + table + "))"));
    q.Exec();
  }

 public:
  std::optional<Page> FindPage(std::string_view key) override {
    Query q(S(std::string("SELECT ") + kPageColumns + " FROM pages WHERE key = ?" + PageLock()));
    q.Bind(1, key);
    if (!q.Step()) return std::nullopt;
    return ReadPage(q);
  }

  std::optional<Page> FindPageById(PageId id) override {
    Query q(S(std::string("SELECT ") + kPageColumns + " FROM pages WHERE id = ?" + PageLock()));
    q.Bind(1, id);
    if (!q.Step()) return std::nullopt;
    return ReadPage(q);
  }

  Page UpsertPage(const UpsertPageRequest& req) override {
    {
      Query q(
          S("INSERT INTO pages(key, title, url, created_at, chain_head, active_at) "
            "VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET title = coalesce(pages.title, excluded.title), "
            "url = coalesce(pages.url, excluded.url)"));
      q.Bind(1, req.key)
          .Bind(2, req.title)
          .Bind(3, req.url)
          .Bind(4, req.now)
          .Bind(5, kZeroHash)
          .Bind(6, req.now);
      q.Exec();
    }
    auto page = FindPage(req.key);
    if (!page) throw StoreError("postgresql: page vanished after upsert");
    return *page;
  }

  bool SetPageClosed(std::string_view key, bool closed) override {
    Query q(S("UPDATE pages SET closed = ? WHERE key = ?"));
    q.Bind(1, closed ? 1 : 0).Bind(2, key);
    q.Exec();
    return changes_ > 0;
  }

  bool SetPagePremoderate(std::string_view key, bool premoderate) override {
    Query q(S("UPDATE pages SET premoderate = ? WHERE key = ?"));
    q.Bind(1, premoderate ? 1 : 0).Bind(2, key);
    q.Exec();
    return changes_ > 0;
  }

  bool SetPageDetails(std::string_view key, const std::optional<std::string>& title,
                      const std::optional<std::string>& url) override {
    Query q(S("UPDATE pages SET title = ?, url = ? WHERE key = ?"));
    q.Bind(1, title).Bind(2, url).Bind(3, key);
    q.Exec();
    return changes_ > 0;
  }

  void SetPinned(CommentId id, bool pinned) override {
    Query q(S("UPDATE comments SET pinned = ? WHERE id = ?"));
    q.Bind(1, pinned ? 1 : 0).Bind(2, id);
    q.Exec();
  }

  std::int64_t CountApprovedByAuthor(std::string_view client_address,
                                     std::string_view email) override {
    Query q(
        S("SELECT count(*) FROM comments WHERE state = 'approved' AND "
          "(client_address = ? OR (? <> '' AND "
          "lower(author_email COLLATE \"C\") = lower(? COLLATE \"C\")))"));
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
      if (state == "approved")
        out.approved = q.Int(1);
      else if (state == "pending")
        out.pending = q.Int(1);
      else if (state == "rejected")
        out.rejected = q.Int(1);
      else if (state == "spam")
        out.spam = q.Int(1);
    }
    return out;
  }

  std::optional<Comment> FindComment(CommentId id) override {
    static const std::string sql =
        std::string("SELECT ") + kCommentColumns + " FROM comments WHERE id = ?";
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
    static const std::string sql =
        std::string("SELECT ") + kCommentColumns + " FROM comments WHERE page_id = ? ORDER BY id";
    Query q(S(sql));
    q.Bind(1, page);
    std::vector<Comment> out;
    while (q.Step()) out.push_back(ReadComment(q));
    return out;
  }

  std::vector<Comment> ListChainRows(PageId page) override {
    Query q(
        S("SELECT id, parent_id, author_name, state, body_markdown, hash FROM comments "
          "WHERE page_id = ? ORDER BY id"));
    q.Bind(1, page);
    std::vector<Comment> out;
    while (q.Step()) {
      Comment& c = out.emplace_back();
      c.id = q.Int(0);
      c.page_id = page;
      c.parent_id = q.OptInt(1);
      c.author_name = q.OptText(2);
      c.state = ParseCommentState(q.Text(3)).value_or(CommentState::kRemoved);
      c.body_markdown = q.Text(4);
      c.hash = q.Text(5);
    }
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
      out.push_back(
          ScreenedText{q.Int(0), q.Int(1), q.OptText(2), q.OptText(3), q.Text(4), q.Text(5)});
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
          "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id"));
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
    q.Bind(22, c.author_user_id)
        .Bind(23, JoinReasons(c.moderation_reasons))
        .Bind(24, c.moderation_score);
    q.Bind(25, static_cast<std::int64_t>(c.flagged ? 1 : 0));
    if (c.position) q.Bind(26, c.position->start).Bind(27, c.position->end);
    if (!q.Step()) throw StoreError("postgresql: INSERT INTO comments returned no id");
    return q.Int(0);
  }

  void UpdateComment(const Comment& c) override {
    Query q(
        S("UPDATE comments SET body_markdown = ?, body_html = ?, state = ?, edited_at = ?, "
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
    Query q(S(
        "SELECT count(*) FROM comments WHERE parent_id = ? AND state IN ('approved', 'deleted')"));
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
      Query q(
          S("SELECT count(*) FROM comments c JOIN pages p ON p.id = c.page_id "
            "WHERE p.key = ? AND c.state = 'approved'"));
      q.Bind(1, key);
      q.Step();
      out[key] = q.Int(0);
    }
    return out;
  }

  void AppendLink(PageId page, const ChainLink& l) override {
    MoveChainHead(page, l.prev_hash, l, l.at);
    InsertLink(page, l);
  }

  void AppendLinks(PageId page, const std::vector<ChainLink>& links) override {
    if (links.empty()) return;
    TimeMs latest = links.front().at;
    for (const auto& l : links) latest = std::max(latest, l.at);
    MoveChainHead(page, links.front().prev_hash, links.back(), latest);
    for (const auto& l : links) InsertLink(page, l);
  }

  // Compare-and-set: the page's head moves to `head` only from `from` (the
  // first appended link's prev_hash), so two writers appending to one page
  // cannot fork its chain; active_at to `at` when that is later. Throws
  // StoreConflict when the head is no longer `from`.
  void MoveChainHead(PageId page, const std::string& from, const ChainLink& head, TimeMs at) {
    Query q(
        S("UPDATE pages SET chain_head = ?, chain_len = ?, active_at = greatest(active_at, ?) "
          "WHERE id = ? AND chain_head = ?"));
    q.Bind(1, head.hash).Bind(2, head.seq).Bind(3, at).Bind(4, page).Bind(5, from);
    q.Exec();
    if (changes_ == 0) {
      conflict_ = true;
      throw StoreConflict("postgresql: the chain head of page " + std::to_string(page) +
                          " moved before a link was appended");
    }
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

  std::vector<ChainLink> ListPageLinks(PageId page) override {
    static const std::string sql =
        std::string("SELECT ") + kLinkColumns + " FROM links WHERE page_id = ? ORDER BY seq";
    Query q(S(sql));
    q.Bind(1, page);
    std::vector<ChainLink> out;
    while (q.Step()) out.push_back(ReadLink(q));
    return out;
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
    // The events' JSON is rewritten here rather than in SQL so that it stays
    // as compact as it was written (jsonb would reformat it).
    std::vector<std::pair<std::int64_t, std::string>> rewritten;
    {
      Query q(S("SELECT seq, data FROM events WHERE comment_id = ? ORDER BY seq"));
      q.Bind(1, id);
      while (q.Step()) {
        boost::system::error_code ec;
        boost::json::value v = boost::json::parse(q.Text(1), ec);
        if (ec || !v.is_object()) continue;
        auto* comment = v.as_object().if_contains("comment");
        if (!comment || !comment->is_object()) continue;
        auto& co = comment->as_object();
        co["body_html"] = "";
        if (auto* author = co.if_contains("author"); author && author->is_object()) {
          author->as_object()["name"] = nullptr;
        }
        co["edited_by"] = nullptr;
        rewritten.emplace_back(q.Int(0), boost::json::serialize(v));
      }
    }
    for (const auto& [seq, data] : rewritten) {
      Query q(S("UPDATE events SET data = ? WHERE seq = ?"));
      q.Bind(1, data).Bind(2, seq);
      q.Exec();
    }
  }

  std::vector<CommentId> ListCommentIdsByEmail(std::string_view email) override {
    Query q(
        S("SELECT id FROM comments WHERE lower(author_email COLLATE \"C\") = "
          "lower(? COLLATE \"C\") ORDER BY id"));
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
      Query q(
          S("UPDATE comments SET upvotes = upvotes + ?, downvotes = downvotes + ? WHERE id = ?"));
      q.Bind(1, up).Bind(2, down).Bind(3, id);
      q.Exec();
    }
    Query q(S("SELECT upvotes, downvotes FROM comments WHERE id = ?"));
    q.Bind(1, id);
    if (!q.Step()) throw StoreError("postgresql: vote on a missing comment");
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
    Query q(
        S("INSERT INTO users(email, name, role, password_hash, created_at) VALUES (?,?,?,?,?) "
          "ON CONFLICT(email) DO NOTHING RETURNING id"));
    q.Bind(1, u.email)
        .Bind(2, u.name)
        .Bind(3, RoleName(u.role))
        .Bind(4, u.password_hash)
        .Bind(5, u.created_at);
    if (!q.Step()) return std::nullopt;
    return q.Int(0);
  }

  std::optional<User> FindUserByEmail(std::string_view email) override {
    static const std::string sql =
        std::string("SELECT ") + kUserColumns + " FROM users WHERE email = ?";
    Query q(S(sql));
    q.Bind(1, email);
    if (!q.Step()) return std::nullopt;
    return ReadUser(q);
  }

  std::optional<User> FindUserById(std::int64_t id) override {
    static const std::string sql =
        std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?";
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
    return changes_ > 0;
  }

  bool SetUserDisabled(std::int64_t id, bool disabled) override {
    Query q(S("UPDATE users SET disabled = ? WHERE id = ?"));
    q.Bind(1, disabled ? 1 : 0).Bind(2, id);
    q.Exec();
    return changes_ > 0;
  }

  std::int64_t CountActiveAdmins() override {
    Query q(S("SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0"));
    q.Step();
    return q.Int(0);
  }

  void InsertSession(const Session& s) override {
    Query q(
        S("INSERT INTO sessions(token_hash, user_id, csrf_token, created_at, expires_at) "
          "VALUES (?,?,?,?,?)"));
    q.Bind(1, s.token_hash)
        .Bind(2, s.user_id)
        .Bind(3, s.csrf_token)
        .Bind(4, s.created_at)
        .Bind(5, s.expires_at);
    q.Exec();
  }

  std::optional<Session> FindSession(std::string_view token_hash) override {
    Query q(
        S("SELECT token_hash, user_id, csrf_token, created_at, expires_at FROM sessions "
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
    return changes_;
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
      static const std::string sql = std::string("SELECT ") + kCommentColumns +
                                     " FROM comments WHERE flagged = 1 AND state = 'approved' "
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
      q.Bind(1, static_cast<std::int64_t>(min_reports))
          .Bind(2, before)
          .Bind(3, static_cast<std::int64_t>(limit));
      while (q.Step()) out.push_back(ReadComment(q));
      return out;
    }
    static const std::string sql =
        std::string("SELECT ") + kCommentColumns +
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
      Query q(
          S("SELECT state, count(*) FROM comments WHERE state IN ('pending', 'rejected', 'spam') "
            "GROUP BY state"));
      while (q.Step()) {
        const std::string state = q.Text(0);
        if (state == "pending")
          out.pending = q.Int(1);
        else if (state == "rejected")
          out.rejected = q.Int(1);
        else if (state == "spam")
          out.spam = q.Int(1);
      }
    }
    {
      Query q(
          S("SELECT count(*) FROM comments "
            "WHERE flagged = 1 AND state = 'approved'"));
      q.Step();
      out.flagged = q.Int(0);
    }
    if (min_reports > 0) {
      // On the partial index of reported comments (few), not on the state
      // index (every approved comment); "report_networks > 0" makes it usable.
      Query q(
          S("SELECT count(*) FROM comments "
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
      Query q(
          S("INSERT INTO reports(comment_id, reporter_hash, network_hash, reason, note, "
            "created_at) VALUES (?,?,?,?,?,?) ON CONFLICT DO NOTHING"));
      q.Bind(1, id)
          .Bind(2, reporter_hash)
          .Bind(3, network_hash)
          .Bind(4, reason)
          .Bind(5, note)
          .Bind(6, at);
      q.Exec();
    }
    if (changes_ == 0) return false;
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
    static const std::string sql =
        std::string("SELECT ") + kCommentColumns +
        " FROM comments WHERE (client_address = ? OR author_user_id = ?) "
        "AND state NOT IN ('removed') ORDER BY id DESC LIMIT ?";
    Query q(S(sql));
    q.Bind(1, client_address)
        .Bind(2, user_id.value_or(-1))
        .Bind(3, static_cast<std::int64_t>(limit));
    std::vector<Comment> out;
    while (q.Step()) out.push_back(ReadComment(q));
    return out;
  }

  std::int64_t InsertBan(const Ban& b) override {
    Query q(
        S("INSERT INTO bans(client_address, email_hash, user_id, reason, created_by, created_at, "
          "expires_at, comment_id) VALUES (?,?,?,?,?,?,?,?) RETURNING id"));
    q.Bind(1, b.client_address)
        .Bind(2, b.email_hash)
        .Bind(3, b.user_id)
        .Bind(4, b.reason)
        .Bind(5, b.created_by)
        .Bind(6, b.created_at)
        .Bind(7, b.expires_at)
        .Bind(8, b.comment_id);
    if (!q.Step()) throw StoreError("postgresql: INSERT INTO bans returned no id");
    return q.Int(0);
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
    const std::int64_t before =
        before_id > 0 ? before_id : std::numeric_limits<std::int64_t>::max();
    static const std::string sql =
        std::string("SELECT ") + kBanColumns +
        " FROM bans WHERE id < ? AND (? = 0 OR expires_at IS NULL OR expires_at > ?) "
        "ORDER BY id DESC LIMIT ?";
    Query q(S(sql));
    q.Bind(1, before)
        .Bind(2, active_only ? 1 : 0)
        .Bind(3, now)
        .Bind(4, static_cast<std::int64_t>(limit));
    std::vector<Ban> out;
    while (q.Step()) out.push_back(ReadBan(q));
    return out;
  }

  bool EndBan(std::int64_t id, TimeMs now) override {
    Query q(S(
        "UPDATE bans SET expires_at = ? WHERE id = ? AND (expires_at IS NULL OR expires_at > ?)"));
    q.Bind(1, now).Bind(2, id).Bind(3, now);
    q.Exec();
    return changes_ > 0;
  }

  std::int64_t AppendAudit(const AuditEntry& e) override {
    Query q(
        S("INSERT INTO audit(at, actor, action, comment_id, reason, prev_hash, hash) "
          "VALUES (?,?,?,?,?,?,?) RETURNING seq"));
    q.Bind(1, e.at)
        .Bind(2, e.actor)
        .Bind(3, e.action)
        .Bind(4, e.comment_id)
        .Bind(5, e.reason)
        .Bind(6, e.prev_hash)
        .Bind(7, e.hash);
    if (!q.Step()) throw StoreError("postgresql: INSERT INTO audit returned no seq");
    return q.Int(0);
  }

  std::vector<AuditEntry> ListAudit(std::int64_t before_seq, int limit) override {
    const std::int64_t before =
        before_seq > 0 ? before_seq : std::numeric_limits<std::int64_t>::max();
    Query q(
        S("SELECT seq, at, actor, action, comment_id, reason, prev_hash, hash FROM audit "
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
    Query q(
        S("INSERT INTO settings(key, value) VALUES (?, ?) "
          "ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
    q.Bind(1, key).Bind(2, value);
    q.Exec();
  }

  bool TryLease(std::string_view name, std::string_view holder, TimeMs now,
                TimeMs expires_at) override {
    Query q(
        S("INSERT INTO leases(name, holder, expires_at) VALUES (?, ?, ?) "
          "ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, "
          "expires_at = excluded.expires_at "
          "WHERE leases.holder = excluded.holder OR leases.expires_at <= ?"));
    q.Bind(1, name).Bind(2, holder).Bind(3, expires_at).Bind(4, now);
    q.Exec();
    return changes_ == 1;
  }

  std::int64_t AppendEvent(const Event& e) override {
    // The counter row is locked (since BeginWrite) until this transaction
    // ends, so seqs are assigned in commit order, without gaps.
    Query q(
        S("WITH c AS (UPDATE event_counter SET last_seq = last_seq + 1 WHERE id = 1 "
          "RETURNING last_seq) "
          "INSERT INTO events(seq, at, type, page_key, comment_id, actor, visibility, data, "
          "origin) SELECT last_seq, ?, ?, ?, ?, ?, ?, ?, ? FROM c RETURNING seq"));
    q.Bind(1, e.at)
        .Bind(2, e.type)
        .Bind(3, e.page_key)
        .Bind(4, e.comment_id)
        .Bind(5, e.actor)
        .Bind(6, EventVisibilityName(e.visibility))
        .Bind(7, e.data)
        .Bind(8, e.origin);
    if (!q.Step()) throw StoreError("postgresql: the event counter is missing");
    last_event_seq_ = q.Int(0);
    return last_event_seq_;
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
    Query q(S("SELECT last_seq FROM event_counter WHERE id = 1"));
    return q.Step() ? q.Int(0) : 0;
  }

  std::int64_t PruneEvents(TimeMs before) override {
    Query q(S("DELETE FROM events WHERE at < ?"));
    q.Bind(1, before);
    q.Exec();
    return changes_;
  }

  // --- SubscriptionStore ---

  Subscription UpsertSubscription(const Subscription& sub) override {
    {
      Query q(
          S("INSERT INTO subscriptions(email, user_id, kind, page_id, confirmed, created_at, "
            "confirmed_at) VALUES (?,?,?,?,?,?,?) "
            "ON CONFLICT (email, kind, (coalesce(page_id, 0))) DO UPDATE SET "
            "confirmed = greatest(subscriptions.confirmed, excluded.confirmed), "
            "confirmed_at = coalesce(subscriptions.confirmed_at, excluded.confirmed_at), "
            "user_id = coalesce(subscriptions.user_id, excluded.user_id)"));
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
              " FROM subscriptions WHERE email = ? AND kind = ? AND coalesce(page_id, 0) = ?"));
    q.Bind(1, sub.email).Bind(2, SubscriptionKindName(sub.kind)).Bind(3, sub.page_id.value_or(0));
    if (!q.Step()) throw StoreError("postgresql: the subscription just stored is missing");
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
    return changes_;
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
    return changes_ > 0;
  }

  std::vector<Subscription> FindSubscriptionsOf(SubscriptionKind kind, std::string_view email,
                                                std::optional<std::int64_t> user_id) override {
    Query q(S(std::string("SELECT ") + kSubscriptionColumns +
              " FROM subscriptions WHERE kind = ? AND confirmed = 1 AND "
              "(email = ? OR (?::bigint IS NOT NULL AND user_id = ?)) ORDER BY id"));
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
    return changes_;
  }

  // --- MailStore ---

  std::int64_t QueueThreadNotifications(PageId page, CommentId comment,
                                        std::string_view except_email,
                                        std::optional<std::int64_t> except_user,
                                        TimeMs confirmed_by, TimeMs now) override {
    Query q(
        S("INSERT INTO notifications(email, comment_id, subscription_id, page_id, "
          "reason, created_at) "
          "SELECT email, ?, id, page_id, 'thread', ? FROM subscriptions "
          "WHERE page_id = ? AND kind = 'thread' AND confirmed = 1 AND (confirmed_at IS NULL OR "
          "confirmed_at <= ?) AND email <> ? "
          "AND (?::bigint IS NULL OR user_id IS NULL OR user_id <> ?) ORDER BY id "
          "ON CONFLICT DO NOTHING"));
    q.Bind(1, comment)
        .Bind(2, now)
        .Bind(3, page)
        .Bind(4, confirmed_by)
        .Bind(5, except_email)
        .Bind(6, except_user)
        .Bind(7, except_user);
    q.Exec();
    return changes_;
  }

  bool QueueNotification(const Notification& n) override {
    Query q(
        S("INSERT INTO notifications(email, comment_id, subscription_id, page_id, "
          "reason, created_at) VALUES (?,?,?,?,?,?) ON CONFLICT DO NOTHING"));
    q.Bind(1, n.email)
        .Bind(2, n.comment_id)
        .Bind(3, n.subscription_id)
        .Bind(4, n.page_id)
        .Bind(5, n.reason)
        .Bind(6, n.created_at);
    q.Exec();
    return changes_ > 0;
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
          "created_at, attempts, next_attempt_at) VALUES (?,?,?,?,?,?,?,0,?) RETURNING id"));
    q.Bind(1, m.email)
        .Bind(2, m.kind)
        .Bind(3, m.subscription_id)
        .Bind(4, m.page_id)
        .Bind(5, m.message_id)
        .Bind(6, m.message)
        .Bind(7, m.created_at)
        .Bind(8, m.next_attempt_at);
    if (!q.Step()) throw StoreError("postgresql: INSERT INTO mail_outbox returned no id");
    return q.Int(0);
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
          "next_attempt_at = ?, failed_at = ?, message = CASE WHEN ?::integer <> 0 THEN NULL ELSE "
          "message END "
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
      n += changes_;
    }
    Query q(S("DELETE FROM mail_outbox WHERE sent_at < ? OR failed_at < ?"));
    q.Bind(1, before).Bind(2, before);
    q.Exec();
    return n + changes_;
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
    q.Bind(1, source).Bind(2, source_id);
    if (!q.Step()) return std::nullopt;
    return q.Int(0);
  }

  bool RememberImported(std::string_view source, std::string_view source_id,
                        std::int64_t target_id) override {
    Query q(
        S("INSERT INTO import_sources(source, source_id, target_id) VALUES (?, ?, ?) "
          "ON CONFLICT DO NOTHING RETURNING 1"));
    q.Bind(1, source).Bind(2, source_id).Bind(3, target_id);
    return q.Step();
  }

  void SetBulkWrites(bool) override {}

  void SetCacheSize(int mebibytes) override {
    // The server's shared buffers are its own business; a bulk import only
    // gets more memory for its sorts.
    const std::string sql =
        "SET work_mem = '" + std::to_string(std::clamp(mebibytes, 4, 1024)) + "MB'";
    Exec(sql.c_str());
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
    if (changes_ == 0) return false;
    BumpIdentity("pages", "id");
    return true;
  }

  bool RestoreComment(const Comment& c) override {
    static const std::string sql = std::string("INSERT INTO comments(") + kCommentColumns +
                                   ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
                                   "?,?,?,?,?,?,?) ON CONFLICT DO NOTHING";
    Query q(S(sql));
    q.Bind(1, c.id)
        .Bind(2, c.page_id)
        .Bind(3, c.parent_id)
        .Bind(4, static_cast<std::int64_t>(c.depth))
        .Bind(5, c.author_name)
        .Bind(6, c.author_email)
        .Bind(7, c.is_guest ? 1 : 0)
        .Bind(8, c.author_role)
        .Bind(9, c.body_markdown)
        .Bind(10, c.body_html)
        .Bind(11, CommentStateName(c.state))
        .Bind(12, c.created_at)
        .Bind(13, c.edited_at)
        .Bind(14, c.edited_by)
        .Bind(15, c.upvotes)
        .Bind(16, c.downvotes)
        .Bind(17, c.hash)
        .Bind(18, c.edit_token_hash)
        .Bind(19, c.client_address);
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
    if (changes_ == 0) return false;
    BumpIdentity("comments", "id");
    return true;
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
    return changes_ > 0;
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
    return changes_ > 0;
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
    if (changes_ == 0) return false;
    BumpIdentity("users", "id");
    return true;
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
    if (changes_ == 0) return false;
    BumpIdentity("bans", "id");
    return true;
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
    if (changes_ == 0) return false;
    BumpIdentity("subscriptions", "id");
    return true;
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
    if (changes_ == 0) return false;
    BumpIdentity("audit", "seq");
    return true;
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
        " FROM pages WHERE id > ? AND (starts_with(key, ?) OR starts_with(url, ?)) "
        "ORDER BY id LIMIT ?";
    Query q(S(sql));
    q.Bind(1, after_id).Bind(2, prefix).Bind(3, prefix).Bind(4, static_cast<std::int64_t>(limit));
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

  // Rows changed by the last statement (set by Run).
  std::int64_t changes_ = 0;

 private:
  std::string url_;
  PGconn* conn_;
  int answer_timeout_ms_;  // 0: wait as long as the server takes (the primary)
  bool unanswered_ = false;  // the last statement ran out of answer_timeout_ms_
  std::unordered_map<std::string, std::unique_ptr<Stmt>> stmts_;
  bool in_write_ = false;
  bool conflict_ = false;                 // a race was lost in this transaction
  std::int64_t last_event_seq_ = 0;       // the last event appended in it, for NOTIFY
  std::int64_t savepoint_event_seq_ = 0;  // last_event_seq_ at the savepoint
};

void Query::Run() {
  res_ = s_.session->Run(s_, params_);
  const char* tuples = PQcmdTuples(res_);
  std::int64_t n = 0;
  std::from_chars(tuples, tuples + std::strlen(tuples), n);
  s_.session->changes_ = n;
}

// Waits on LISTEN amur_events on a connection of its own.
class PgEventListener final : public EventListener {
 public:
  explicit PgEventListener(std::string url) : url_(std::move(url)) {
    if (!Open()) throw StoreError("postgresql: cannot listen for events on " + RedactUrl(url_));
  }
  ~PgEventListener() override { PQfinish(conn_); }

  bool Wait(std::chrono::milliseconds timeout) override {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
      // Whatever was notified while the connection was down is lost: the
      // caller reads the log again.
      if (Open()) return true;
      std::this_thread::sleep_for(std::min(timeout, std::chrono::milliseconds(1000)));
      return false;
    }
    while (true) {
      if (!PQconsumeInput(conn_)) {
        Drop();
        return false;
      }
      bool got = false;
      while (PGnotify* n = PQnotifies(conn_)) {
        got = true;
        PQfreemem(n);
      }
      if (got) return true;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd fd{PQsocket(conn_), POLLIN, 0};
      const int rc = ::poll(&fd, 1, static_cast<int>(left.count()));
      if (rc < 0 && errno != EINTR) {
        Drop();
        return false;
      }
    }
  }

 private:
  bool Open() {
    Drop();
    try {
      conn_ = Connect(url_, "amur-listener");
    } catch (const StoreError& e) {
      spdlog::warn("{}", e.what());
      return false;
    }
    PGresult* r = PQexec(conn_, "LISTEN amur_events");
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) spdlog::warn("postgresql: LISTEN amur_events: {}", ErrorText(conn_, r));
    PQclear(r);
    if (!ok) Drop();
    return ok;
  }
  void Drop() {
    PQfinish(conn_);
    conn_ = nullptr;
  }

  std::string url_;
  PGconn* conn_ = nullptr;
};

class PgStore final : public Store {
 public:
  // A replica is not reached until its first session: it may be down when
  // the node starts.
  PgStore(std::string url, bool replica) : url_(std::move(url)), replica_(replica) {
    // Fail early, with the (redacted) URL in the message, when the database
    // cannot be reached.
    if (!replica_) PQfinish(Connect(url_, "amur"));
  }

  // Applies the migrations not applied yet, in one transaction under an
  // advisory lock: of several nodes starting at once, one migrates and the
  // others then find the schema current.
  void Migrate() override {
    if (replica_) throw StoreError("postgresql: a read replica is not migrated");
    PGconn* conn = Connect(url_, "amur-migrate");
    auto exec = [&](const std::string& sql) {
      PGresult* r = PQexec(conn, sql.c_str());
      const ExecStatusType st = PQresultStatus(r);
      if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        const std::string msg = ErrorText(conn, r);
        PQclear(r);
        throw StoreError("postgresql: migration: " + msg);
      }
      return r;
    };
    try {
      PQclear(exec("BEGIN"));
      PQclear(exec("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLockKey) + ")"));
      PQclear(
          exec("CREATE TABLE IF NOT EXISTS amur_schema_migrations (version INTEGER PRIMARY KEY, "
               "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"));
      PGresult* r = exec("SELECT coalesce(max(version), 0) FROM amur_schema_migrations");
      const int version = std::atoi(PQgetvalue(r, 0, 0));
      PQclear(r);
      for (int i = 0; i < kPostgresqlMigrationCount; ++i) {
        const Migration& m = kPostgresqlMigrations[i];
        if (m.version <= version) continue;
        PQclear(exec(m.sql));
        PQclear(exec("INSERT INTO amur_schema_migrations(version) VALUES (" +
                     std::to_string(m.version) + ")"));
        spdlog::info("postgresql: schema migrated to version {}", m.version);
      }
      PQclear(exec("COMMIT"));
    } catch (...) {
      PQclear(PQexec(conn, "ROLLBACK"));
      PQfinish(conn);
      throw;
    }
    PQfinish(conn);
  }

  std::unique_ptr<StoreSession> OpenSession() override {
    return std::make_unique<PgSession>(url_, replica_);
  }

  std::string Backend() const override { return "postgresql"; }

  std::unique_ptr<EventListener> ListenForEvents() override {
    if (replica_) return nullptr;  // events are announced by the primary
    return std::make_unique<PgEventListener>(url_);
  }

 private:
  std::string url_;
  bool replica_;
};

}  // namespace

std::unique_ptr<Store> OpenPostgresqlStore(const std::string& url) {
  return std::make_unique<PgStore>(url, false);
}

std::unique_ptr<Store> OpenPostgresqlReplica(const std::string& url) {
  return std::make_unique<PgStore>(url, true);
}

std::string RedactDatabaseUrl(const std::string& url) { return RedactUrl(url); }

}  // namespace amur::store
