#include "service/comment_service.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "moderation/pipeline.hpp"
#include "service/hash_chain.hpp"
#include "service/moderation_service.hpp"
#include "service/store_test_support.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace amur::service {
namespace {

using testing::ExpectError;
using testing::kT0;

// Deterministic bytes 0, 1, 2, … so edit tokens are known in advance.
class SequenceRandom final : public Random {
 public:
  void Fill(unsigned char* out, std::size_t n) override {
    for (std::size_t i = 0; i < n; ++i) out[i] = next_++;
  }

 private:
  unsigned char next_ = 0;
};

std::string Repeat(const std::string& unit, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += unit;
  return out;
}

// Closes a read transaction however the test leaves the scope.
class ReadTx final {
 public:
  explicit ReadTx(store::StoreSession& s) : s_(s) { s_.BeginRead(); }
  ~ReadTx() { s_.Rollback(); }

 private:
  store::StoreSession& s_;
};

std::vector<CommentId> Ids(const std::vector<ThreadNode>& nodes) {
  std::vector<CommentId> out;
  for (const auto& n : nodes) out.push_back(n.comment.id);
  return out;
}

class CommentServiceTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    Configure(ServiceConfig{});
  }

  void TearDown() override {
    service_.reset();
    StoreTest::TearDown();
  }

  void Configure(ServiceConfig config, Screener* screener = nullptr) {
    service_ = std::make_unique<CommentService>(config, clock_, random_, screener);
  }

  // A moderator account stored in the database, as moderation re-reads it.
  User StoredModerator() { return MustAddUser("mod@example.com", "Mod", Role::kModerator); }

  static PostRequest Req(const std::string& page, const std::string& body,
                         std::optional<std::string> parent = std::nullopt,
                         std::optional<std::string> name = std::string("Ann")) {
    PostRequest r;
    r.page_key = page;
    r.body = body;
    r.parent_id = std::move(parent);
    r.author_name = std::move(name);
    r.client_address = "192.0.2.1";
    return r;
  }

  Result<PostOutcome> Post(const PostRequest& req) {
    return Write([&](store::StoreSession& s) { return service_->Post(s, req); });
  }

  // Posts, requires success, remembers the token and moves the clock 1 s on.
  PostOutcome MustPost(const std::string& page, const std::string& body,
                       std::optional<CommentId> parent = std::nullopt,
                       std::optional<std::string> name = std::string("Ann")) {
    auto r = Post(Req(page, body, parent ? std::optional(FormatCommentId(*parent)) : std::nullopt,
                      std::move(name)));
    if (!r.ok()) throw std::runtime_error("post failed: " + r.error().message);
    tokens_[r->comment.id] = r->edit_token;
    clock_.Advance(1000);
    return std::move(r).value();
  }

  Credential Token(CommentId id) { return Credential{tokens_.at(id)}; }

  Result<EditOutcome> Edit(CommentId id, const Credential& who, const std::string& body) {
    return Write([&](store::StoreSession& s) { return service_->Edit(s, id, who, body); });
  }
  Result<DeleteOutcome> Delete(CommentId id, const Credential& who) {
    return Write([&](store::StoreSession& s) { return service_->Delete(s, id, who); });
  }
  Result<DeleteOutcome> Delete(CommentId id) { return Delete(id, Token(id)); }
  void MustDelete(CommentId id) {
    auto r = Delete(id);
    if (!r.ok()) throw std::runtime_error("delete failed: " + r.error().message);
  }
  Result<VoteOutcome> Vote(CommentId id, const std::string& voter, int value) {
    return Write([&](store::StoreSession& s) {
      return service_->Vote(s, VoteRequest{id, voter, "net:" + voter, value});
    });
  }
  // `n` distinct voters each vote `value`.
  void Votes(CommentId id, int n, int value) {
    for (int i = 0; i < n; ++i) {
      auto r = Vote(id, "voter-" + std::to_string(id) + "-" + std::to_string(value) + "-" +
                            std::to_string(voter_seq_++),
                    value);
      if (!r.ok()) throw std::runtime_error("vote failed: " + r.error().message);
    }
  }
  Result<std::vector<ChainLink>> Versions(CommentId id) {
    auto all = PublicVersions(id);
    if (!all) return all.error();
    std::vector<ChainLink> out;
    for (auto& v : *all) out.push_back(std::move(v.link));
    return out;
  }
  Result<std::vector<PublicVersion>> PublicVersions(CommentId id) {
    ReadTx tx(*s_);
    return service_->Versions(*s_, id);
  }
  Result<ThreadPage> List(const std::string& page, SortOrder sort = SortOrder::kOldest,
                          int limit = kDefaultLimit, const std::string& cursor = "",
                          bool inline_only = false) {
    ReadTx tx(*s_);
    return service_->ListThread(*s_, ThreadQuery{page, sort, limit, cursor, inline_only});
  }
  ThreadPage MustList(const std::string& page, SortOrder sort = SortOrder::kOldest,
                      int limit = kDefaultLimit, const std::string& cursor = "",
                      bool inline_only = false) {
    auto r = List(page, sort, limit, cursor, inline_only);
    if (!r.ok()) throw std::runtime_error("list failed: " + r.error().message);
    return std::move(r).value();
  }
  PageVerification Verify(const std::string& page) {
    ReadTx tx(*s_);
    return service_->VerifyPage(*s_, page);
  }
  std::optional<Comment> Find(CommentId id) {
    ReadTx tx(*s_);
    return s_->FindComment(id);
  }
  std::optional<Page> FindPage(const std::string& key) {
    ReadTx tx(*s_);
    return s_->FindPage(key);
  }
  std::vector<ChainLink> PageLinks(const std::string& key) {
    ReadTx tx(*s_);
    auto page = s_->FindPage(key);
    return page ? s_->ListPageLinks(page->id) : std::vector<ChainLink>{};
  }

  // Changes the database behind the service's back, as an attacker with
  // file access would.
  void Tamper(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_path_.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    const std::string msg = err ? err : "";
    sqlite3_free(err);
    const int changes = sqlite3_changes(db);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << msg;
    ASSERT_GT(changes, 0) << "tampering changed nothing: " << sql;
  }

  std::string FileBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  FakeClock clock_{kT0};
  SequenceRandom random_;
  std::unique_ptr<CommentService> service_;
  std::map<CommentId, std::string> tokens_;
  int voter_seq_ = 0;
};

// ---------------------------------------------------------------- posting

TEST_F(CommentServiceTest, PostCreatesThePageAndTheComment) {
  PostRequest req = Req("/2022/aigun-treaty", "  Hello **world**\n");
  req.author_email = "ann@example.com";
  req.page_title = "The Aigun Treaty";
  req.page_url = "https://news.example/2022/aigun-treaty";
  auto r = Post(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->page_key, "/2022/aigun-treaty");
  const Comment& c = r->comment;
  EXPECT_EQ(c.id, 1);
  EXPECT_EQ(c.parent_id, std::nullopt);
  EXPECT_EQ(c.depth, 1);
  EXPECT_EQ(c.author_name, std::optional<std::string>("Ann"));
  EXPECT_EQ(c.author_email, std::optional<std::string>("ann@example.com"));
  EXPECT_TRUE(c.is_guest);
  EXPECT_EQ(c.body_markdown, "  Hello **world**");
  EXPECT_EQ(c.body_html, "<p>Hello <strong>world</strong></p>\n");
  EXPECT_EQ(c.state, CommentState::kApproved);
  EXPECT_EQ(c.created_at, kT0);
  EXPECT_EQ(c.edited_at, std::nullopt);
  EXPECT_EQ(c.edited_by, std::nullopt);
  EXPECT_EQ(c.upvotes, 0);
  EXPECT_EQ(c.downvotes, 0);
  EXPECT_EQ(c.client_address, "192.0.2.1");
  EXPECT_EQ(c.hash.size(), 64u);
  EXPECT_NE(c.hash, kZeroHash);

  const auto stored = Find(c.id);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->body_markdown, "  Hello **world**");
  EXPECT_EQ(stored->body_html, "<p>Hello <strong>world</strong></p>\n");
  EXPECT_EQ(stored->author_name, std::optional<std::string>("Ann"));
  EXPECT_EQ(stored->author_email, std::optional<std::string>("ann@example.com"));
  EXPECT_EQ(stored->hash, c.hash);
  EXPECT_EQ(stored->created_at, kT0);
  EXPECT_EQ(stored->client_address, "192.0.2.1");

  const auto page = FindPage("/2022/aigun-treaty");
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->title, std::optional<std::string>("The Aigun Treaty"));
  EXPECT_EQ(page->url, std::optional<std::string>("https://news.example/2022/aigun-treaty"));
  EXPECT_FALSE(page->closed);
  EXPECT_EQ(page->chain_len, 1);
  EXPECT_EQ(page->chain_head, c.hash);

  auto versions = Versions(c.id);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 1u);
  const ChainLink& v = (*versions)[0];
  EXPECT_EQ(v.seq, 1);
  EXPECT_EQ(v.n, 1);
  EXPECT_EQ(v.comment_id, c.id);
  EXPECT_EQ(v.body_markdown, "  Hello **world**");
  EXPECT_EQ(v.at, kT0);
  EXPECT_EQ(v.editor, std::optional<std::string>("Ann"));
  EXPECT_EQ(v.prev_hash, kZeroHash);
  EXPECT_EQ(v.hash, c.hash);
  EXPECT_EQ(v.hash, ComputeLinkHash("/2022/aigun-treaty", v));
}

TEST_F(CommentServiceTest, PageTitleAndUrlAreKeptFromTheFirstPost) {
  PostRequest a = Req("/a", "one");
  a.page_title = "First";
  ASSERT_TRUE(Post(a).ok());
  PostRequest b = Req("/a", "two");
  b.page_title = "Second";
  b.page_url = "https://example.com/a";
  ASSERT_TRUE(Post(b).ok());
  const auto page = FindPage("/a");
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->title, std::optional<std::string>("First"));
  EXPECT_EQ(page->url, std::optional<std::string>("https://example.com/a"));
}

TEST_F(CommentServiceTest, EditTokenIsReturnedAndOnlyItsSha256Stored) {
  auto first = Post(Req("/a", "one"));
  auto second = Post(Req("/a", "two"));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  // base64url (unpadded) of the bytes 0..31 and 32..63 from SequenceRandom.
  EXPECT_EQ(first->edit_token, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
  EXPECT_EQ(second->edit_token, "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8");
  // sha256sum of the first token, computed independently.
  EXPECT_EQ(first->comment.edit_token_hash,
            "ea866a757e4c38babfa8127cbe9a409d3e1f93a00ff1488ff735fcf917afffd0");
  EXPECT_EQ(second->comment.edit_token_hash, Sha256Hex(second->edit_token));
  EXPECT_EQ(Find(first->comment.id)->edit_token_hash,
            "ea866a757e4c38babfa8127cbe9a409d3e1f93a00ff1488ff735fcf917afffd0");

  // The raw token is nowhere in the database files; its hash is.
  const std::string files = FileBytes(db_path_) + FileBytes(db_path_ + "-wal");
  ASSERT_FALSE(files.empty());
  EXPECT_EQ(files.find(first->edit_token), std::string::npos);
  EXPECT_EQ(files.find(second->edit_token), std::string::npos);
  EXPECT_NE(files.find(first->comment.edit_token_hash), std::string::npos);
}

TEST_F(CommentServiceTest, GuestNameStaysNull) {
  auto r = Post(Req("/a", "hi", std::nullopt, std::nullopt));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->comment.author_name, std::nullopt);
  EXPECT_EQ(Find(r->comment.id)->author_name, std::nullopt);
  auto blank = Post(Req("/a", "hi", std::nullopt, std::string(" \t\xC2\xA0 ")));
  ASSERT_TRUE(blank.ok());
  EXPECT_EQ(Find(blank->comment.id)->author_name, std::nullopt);
  auto empty = Post(Req("/a", "hi", std::nullopt, std::string("")));
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(Find(empty->comment.id)->author_name, std::nullopt);

  auto versions = Versions(r->comment.id);
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ((*versions)[0].author_name, std::nullopt);  // hashed as null
  EXPECT_EQ((*versions)[0].editor, std::optional<std::string>("Guest"));
  const auto thread = MustList("/a");
  ASSERT_EQ(thread.comments.size(), 3u);
  EXPECT_EQ(thread.comments[0].comment.author_name, std::nullopt);
}

TEST_F(CommentServiceTest, NameIsTrimmed) {
  auto r = Post(Req("/a", "hi", std::nullopt, std::string("  \xE3\x80\x80" "Ann Lee\xC2\xA0 ")));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Find(r->comment.id)->author_name, std::optional<std::string>("Ann Lee"));
}

TEST_F(CommentServiceTest, MissingBody) {
  for (const std::string& body :
       {std::string(""), std::string("   \n\t  "), std::string("\xC2\xA0\xE3\x80\x80\xE2\x80\xA8"),
        std::string("\x01\x02\x7F"), std::string(" \x01 \n")}) {
    SCOPED_TRACE(body);
    ExpectError(Post(Req("/a", body)), ErrorCode::kMissingField, "body");
  }
}

TEST_F(CommentServiceTest, BodyLengthIsCountedInCodePointsAfterTrimming) {
  auto ok = Post(Req("/a", Repeat("\xC3\xA9", 10'000)));  // é: 2 bytes each
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(Find(ok->comment.id)->body_markdown.size(), 20'000u);
  ExpectError(Post(Req("/a", Repeat("\xC3\xA9", 10'001))), ErrorCode::kTooLong, "body");

  EXPECT_TRUE(Post(Req("/a", Repeat("\xF0\x9F\x98\x80", 10'000))).ok());  // 4-byte emoji
  ExpectError(Post(Req("/a", Repeat("\xF0\x9F\x98\x80", 10'001))), ErrorCode::kTooLong, "body");

  EXPECT_TRUE(Post(Req("/a", std::string(10'000, 'a'))).ok());
  ExpectError(Post(Req("/a", std::string(10'001, 'a'))), ErrorCode::kTooLong, "body");
  EXPECT_TRUE(Post(Req("/a", "  \n" + std::string(10'000, 'a') + "\n\xC2\xA0 ")).ok());
  EXPECT_TRUE(Post(Req("/a", "    " + std::string(10'000, 'a'))).ok());  // indentation kept
  ExpectError(Post(Req("/a", "    " + std::string(10'001, 'a'))), ErrorCode::kTooLong, "body");
}

TEST_F(CommentServiceTest, BodyKeepsTheIndentationOfItsFirstLine) {
  // Only blank lines before and white space after are dropped, so a comment
  // that starts with an indented code block or fence renders as one.
  auto code = Post(Req("/a", "\n \n    int x = 1;\n    x++;\n\nSee above.\n\n"));
  ASSERT_TRUE(code.ok()) << code.error().message;
  EXPECT_EQ(Find(code->comment.id)->body_markdown, "    int x = 1;\n    x++;\n\nSee above.");
  EXPECT_EQ(code->comment.body_html,
            "<pre><code>int x = 1;\nx++;\n</code></pre>\n<p>See above.</p>\n");

  const Comment fence = MustPost("/a", "  ```cpp\n  f();\n  ```").comment;
  EXPECT_EQ(fence.body_markdown, "  ```cpp\n  f();\n  ```");
  EXPECT_EQ(fence.body_html, "<pre><code class=\"language-cpp\">f();\n</code></pre>\n");

  auto edited = Edit(fence.id, Token(fence.id), "\tx = 2\n");
  ASSERT_TRUE(edited.ok()) << edited.error().message;
  EXPECT_EQ(edited->comment.body_markdown, "\tx = 2");
  EXPECT_EQ(edited->comment.body_html, "<pre><code>x = 2\n</code></pre>\n");
  auto versions = Versions(fence.id);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ((*versions)[1].body_markdown, "\tx = 2");
  EXPECT_EQ((*versions)[1].hash, ComputeLinkHash("/a", (*versions)[1]));
}

TEST_F(CommentServiceTest, BodyThatIsNotUtf8) {
  ExpectError(Post(Req("/a", "caf\xE9")), ErrorCode::kInvalidField, "body");
  ExpectError(Post(Req("/a", "\xED\xA0\x80")), ErrorCode::kInvalidField, "body");
}

TEST_F(CommentServiceTest, BodyControlCharactersAreStrippedNewlinesKept) {
  auto r = Post(Req("/a", "line\x01 one\nline\x1B two"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->comment.body_markdown, "line one\nline two");
}

TEST_F(CommentServiceTest, AuthorNameLength) {
  auto ok = Post(Req("/a", "hi", std::nullopt, Repeat("\xD1\x8F", 64)));  // я ×64
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(Find(ok->comment.id)->author_name, std::optional(Repeat("\xD1\x8F", 64)));
  ExpectError(Post(Req("/a", "hi", std::nullopt, Repeat("\xD1\x8F", 65))), ErrorCode::kTooLong,
              "author_name");
  EXPECT_TRUE(Post(Req("/a", "hi", std::nullopt, std::string(64, 'x'))).ok());
  ExpectError(Post(Req("/a", "hi", std::nullopt, std::string(65, 'x'))), ErrorCode::kTooLong,
              "author_name");
  EXPECT_TRUE(Post(Req("/a", "hi", std::nullopt, "  " + std::string(64, 'x') + "  ")).ok());
}

TEST_F(CommentServiceTest, AuthorNameWithControlCharacters) {
  for (const std::string& name :
       {std::string("Ann\x01"), std::string("A\tB"), std::string("A\nB"), std::string("A\x7F" "B"),
        std::string("A\xC2\x85" "B"), std::string("A\xE2\x80\xA8" "B"), std::string("A\0B", 3)}) {
    SCOPED_TRACE(name);
    ExpectError(Post(Req("/a", "hi", std::nullopt, name)), ErrorCode::kInvalidField,
                "author_name");
  }
  ExpectError(Post(Req("/a", "hi", std::nullopt, std::string("Ann\xFF"))),
              ErrorCode::kInvalidField, "author_name");
}

TEST_F(CommentServiceTest, PageKeyLength) {
  EXPECT_TRUE(Post(Req("/" + std::string(511, 'p'), "hi")).ok());
  ExpectError(Post(Req("/" + std::string(512, 'p'), "hi")), ErrorCode::kTooLong, "page");
  // Bytes, not characters: 256 two-byte characters are 512 bytes.
  EXPECT_TRUE(Post(Req(Repeat("\xC3\xA9", 256), "hi")).ok());
  ExpectError(Post(Req(Repeat("\xC3\xA9", 256) + "x", "hi")), ErrorCode::kTooLong, "page");
  ExpectError(Post(Req("", "hi")), ErrorCode::kMissingField, "page");
  ExpectError(Post(Req("/a\x01", "hi")), ErrorCode::kInvalidField, "page");
  ExpectError(Post(Req("/a\n", "hi")), ErrorCode::kInvalidField, "page");
  ExpectError(Post(Req("/a\xFF", "hi")), ErrorCode::kInvalidField, "page");
}

TEST_F(CommentServiceTest, AuthorEmail) {
  for (const char* bad : {"not-an-email", "a@b", "@example.com", "ann@", "a@b@c.d", "a b@c.d",
                          "<a@b.c>", "a@b,c.d", "a\"@b.c", "ann.example.com"}) {
    SCOPED_TRACE(bad);
    PostRequest r = Req("/a", "hi");
    r.author_email = bad;
    ExpectError(Post(r), ErrorCode::kInvalidField, "author_email");
  }
  PostRequest long_one = Req("/a", "hi");
  long_one.author_email = std::string(243, 'a') + "@example.com";  // 255 bytes
  ExpectError(Post(long_one), ErrorCode::kTooLong, "author_email");
  PostRequest max = Req("/a", "hi");
  max.author_email = std::string(242, 'a') + "@example.com";  // 254 bytes
  EXPECT_TRUE(Post(max).ok());

  PostRequest ok = Req("/a", "hi");
  ok.author_email = "  ann@example.com ";
  auto r = Post(ok);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Find(r->comment.id)->author_email, std::optional<std::string>("ann@example.com"));
  PostRequest blank = Req("/a", "hi");
  blank.author_email = "  ";
  auto b = Post(blank);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(Find(b->comment.id)->author_email, std::nullopt);
}

TEST_F(CommentServiceTest, PageUrlAndQuoteValidation) {
  for (const char* bad : {"ftp://example.com/a", "javascript:alert(1)", "https://a b",
                          "http://", "example.com/a"}) {
    SCOPED_TRACE(bad);
    PostRequest r = Req("/a", "hi");
    r.page_url = bad;
    ExpectError(Post(r), ErrorCode::kInvalidField, "page_url");
  }
  PostRequest bad_title = Req("/a", "hi");
  bad_title.page_title = "Title\nwith a break";
  ExpectError(Post(bad_title), ErrorCode::kInvalidField, "page_title");
  PostRequest long_title = Req("/a", "hi");
  long_title.page_title = std::string(301, 't');
  ExpectError(Post(long_title), ErrorCode::kTooLong, "page_title");

  PostRequest long_url = Req("/a", "hi");
  long_url.page_url = "https://example.com/" + std::string(2040, 'x');
  ExpectError(Post(long_url), ErrorCode::kTooLong, "page_url");

  PostRequest empty_quote = Req("/a", "hi");
  empty_quote.quote = Quote{"   ", "", ""};
  ExpectError(Post(empty_quote), ErrorCode::kMissingField, "quote");
  PostRequest long_prefix = Req("/a", "hi");
  long_prefix.quote = Quote{"passage", std::string(65, 'p'), ""};
  ExpectError(Post(long_prefix), ErrorCode::kInvalidField, "quote");
  PostRequest long_suffix = Req("/a", "hi");
  long_suffix.quote = Quote{"passage", "", Repeat("\xC3\xA9", 65)};
  ExpectError(Post(long_suffix), ErrorCode::kInvalidField, "quote");
  PostRequest max_context = Req("/a", "hi");
  max_context.quote = Quote{"passage", std::string(64, 'p'), Repeat("\xC3\xA9", 64)};
  EXPECT_TRUE(Post(max_context).ok());
}

TEST_F(CommentServiceTest, RefusedPostsWriteNothing) {
  const auto existing = MustPost("/a", "first").comment.id;
  store::WriteTransaction tx(*s_);
  const auto pages_before = s_->ListPages(0, 100).size();
  ASSERT_EQ(pages_before, 1u);
  std::vector<PostRequest> bad = {Req("/new", ""), Req("/new", "hi", std::string("c999")),
                                  Req("/new", "hi", FormatCommentId(existing)),
                                  Req("/new", "hi", std::nullopt, std::string(65, 'x'))};
  PostRequest bad_email = Req("/new", "hi");
  bad_email.author_email = "nope";
  bad.push_back(bad_email);
  for (const auto& req : bad) {
    auto r = service_->Post(*s_, req);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(s_->FindPage("/new"), std::nullopt) << r.error().message;
    EXPECT_EQ(s_->ListPages(0, 100).size(), 1u);
    EXPECT_EQ(s_->ListAllComments(1).size(), 1u);
    EXPECT_EQ(s_->FindPage("/a")->chain_len, 1);
  }
}

// ---------------------------------------------------------------- threading

TEST_F(CommentServiceTest, RepliesNestUpToTheDefaultDepthOfFive) {
  std::vector<CommentId> chain = {MustPost("/a", "d1").comment.id};
  for (int depth = 2; depth <= 5; ++depth) {
    const auto r = MustPost("/a", "d" + std::to_string(depth), chain.back());
    EXPECT_EQ(r.comment.depth, depth);
    EXPECT_EQ(r.comment.parent_id, std::optional(chain.back()));
    chain.push_back(r.comment.id);
  }
  // A reply to the depth-5 comment attaches to its depth-4 parent.
  const auto deep = MustPost("/a", "too deep", chain[4]);
  EXPECT_EQ(deep.comment.parent_id, std::optional(chain[3]));
  EXPECT_EQ(deep.comment.depth, 5);
  EXPECT_EQ(Find(deep.comment.id)->parent_id, std::optional(chain[3]));
  EXPECT_EQ(Find(deep.comment.id)->depth, 5);
}

TEST_F(CommentServiceTest, DepthLimitThreeAttachesToTheDepthTwoParent) {
  Configure(ServiceConfig{3, 900'000});
  const auto c1 = MustPost("/a", "one").comment.id;
  const auto c2 = MustPost("/a", "two", c1).comment;
  const auto c3 = MustPost("/a", "three", c2.id).comment;
  EXPECT_EQ(c2.depth, 2);
  EXPECT_EQ(c3.depth, 3);
  EXPECT_EQ(c3.parent_id, std::optional(c2.id));
  const auto c4 = MustPost("/a", "reply to depth 3", c3.id).comment;
  EXPECT_EQ(c4.parent_id, std::optional(c2.id));
  EXPECT_EQ(c4.depth, 3);
  const auto c5 = MustPost("/a", "reply to the re-attached one", c4.id).comment;
  EXPECT_EQ(c5.parent_id, std::optional(c2.id));
  EXPECT_EQ(c5.depth, 3);
  const auto c6 = MustPost("/a", "reply to depth 2", c2.id).comment;
  EXPECT_EQ(c6.parent_id, std::optional(c2.id));
  EXPECT_EQ(c6.depth, 3);

  const auto t = MustList("/a");
  ASSERT_EQ(Ids(t.comments), std::vector<CommentId>{c1});
  ASSERT_EQ(Ids(t.comments[0].replies), std::vector<CommentId>{c2.id});
  EXPECT_EQ(Ids(t.comments[0].replies[0].replies),
            (std::vector<CommentId>{c3.id, c4.id, c5.id, c6.id}));
  for (const auto& n : t.comments[0].replies[0].replies) EXPECT_TRUE(n.replies.empty());
  EXPECT_EQ(t.comment_count, 6);
}

TEST_F(CommentServiceTest, DepthLimitOneMakesEveryReplyTopLevel) {
  Configure(ServiceConfig{1, 900'000});
  const auto c1 = MustPost("/a", "one").comment.id;
  const auto c2 = MustPost("/a", "reply", c1).comment;
  EXPECT_EQ(c2.parent_id, std::nullopt);
  EXPECT_EQ(c2.depth, 1);
  const auto c3 = MustPost("/a", "reply to reply", c2.id).comment;
  EXPECT_EQ(c3.parent_id, std::nullopt);
  EXPECT_EQ(c3.depth, 1);
  const auto t = MustList("/a");
  EXPECT_EQ(Ids(t.comments), (std::vector<CommentId>{c1, c2.id, c3.id}));
  for (const auto& n : t.comments) EXPECT_TRUE(n.replies.empty());
}

TEST_F(CommentServiceTest, ParentOnAnotherPage) {
  const auto on_a = MustPost("/a", "on a").comment.id;
  MustPost("/b", "on b");
  ExpectError(Post(Req("/b", "reply", FormatCommentId(on_a))), ErrorCode::kParentOnOtherPage,
              "parent_id");
  ExpectError(Post(Req("/brand-new", "reply", FormatCommentId(on_a))),
              ErrorCode::kParentOnOtherPage, "parent_id");
  EXPECT_EQ(FindPage("/brand-new"), std::nullopt);
}

TEST_F(CommentServiceTest, UnknownParent) {
  MustPost("/a", "one");
  for (const char* bad : {"c999", "c0", "999", "garbage", "", "c1x"}) {
    SCOPED_TRACE(bad);
    ExpectError(Post(Req("/a", "reply", std::string(bad))), ErrorCode::kParentNotFound,
                "parent_id");
  }
}

TEST_F(CommentServiceTest, DeletedParentIsNotFound) {
  const auto tomb = MustPost("/a", "parent").comment.id;
  MustPost("/a", "child", tomb);
  const auto leaf = MustPost("/a", "leaf").comment.id;
  MustDelete(tomb);  // tombstone
  MustDelete(leaf);  // removed
  ExpectError(Post(Req("/a", "reply", FormatCommentId(tomb))), ErrorCode::kNotFound, "parent_id");
  ExpectError(Post(Req("/a", "reply", FormatCommentId(leaf))), ErrorCode::kNotFound, "parent_id");
}

TEST_F(CommentServiceTest, ClosedPageRefusesPostsAndReplies) {
  const auto c1 = MustPost("/a", "one").comment.id;
  {
    store::WriteTransaction tx(*s_);
    ASSERT_TRUE(s_->SetPageClosed("/a", true));
    EXPECT_FALSE(s_->SetPageClosed("/nope", true));
    tx.Commit();
  }
  ExpectError(Post(Req("/a", "two")), ErrorCode::kPageClosed);
  ExpectError(Post(Req("/a", "reply", FormatCommentId(c1))), ErrorCode::kPageClosed);
  EXPECT_EQ(FindPage("/a")->chain_len, 1);
  EXPECT_TRUE(MustList("/a").page->closed);
  {
    store::WriteTransaction tx(*s_);
    ASSERT_TRUE(s_->SetPageClosed("/a", false));
    tx.Commit();
  }
  EXPECT_TRUE(Post(Req("/a", "two")).ok());
}

// ---------------------------------------------------------------- editing

TEST_F(CommentServiceTest, EditNeedsTheRightToken) {
  const auto c1 = MustPost("/a", "one").comment.id;
  const auto c2 = MustPost("/a", "two").comment.id;
  ExpectError(Edit(c1, Credential{}, "x"), ErrorCode::kUnauthorized);
  ExpectError(Edit(c1, Credential{std::string()}, "x"), ErrorCode::kUnauthorized);
  ExpectError(Edit(c1, Credential{std::string("wrong")}, "x"), ErrorCode::kNotAllowed);
  ExpectError(Edit(c1, Token(c2), "x"), ErrorCode::kNotAllowed);  // another comment's token
  ExpectError(Edit(c1, Credential{Sha256Hex(tokens_[c1])}, "x"), ErrorCode::kNotAllowed);
  ExpectError(Delete(c1, Credential{}), ErrorCode::kUnauthorized);
  ExpectError(Delete(c1, Credential{std::string("wrong")}), ErrorCode::kNotAllowed);
  EXPECT_EQ(Find(c1)->body_markdown, "one");
  EXPECT_EQ(Find(c1)->state, CommentState::kApproved);
}

TEST_F(CommentServiceTest, EditWindowCloses) {
  const auto posted = MustPost("/a", "one").comment;
  clock_.Set(posted.created_at + 900'000);  // the last allowed millisecond
  EXPECT_TRUE(Edit(posted.id, Token(posted.id), "still in time").ok());
  clock_.Set(posted.created_at + 900'001);
  ExpectError(Edit(posted.id, Token(posted.id), "too late"), ErrorCode::kEditWindowClosed);
  ExpectError(Delete(posted.id), ErrorCode::kEditWindowClosed);
  // A wrong token is still answered as such.
  ExpectError(Edit(posted.id, Credential{std::string("wrong")}, "x"), ErrorCode::kNotAllowed);
  EXPECT_EQ(Find(posted.id)->body_markdown, "still in time");
}

TEST_F(CommentServiceTest, ShortEditWindowFromTheConfig) {
  Configure(ServiceConfig{5, 2'000});
  const auto posted = MustPost("/a", "one").comment;  // clock now at +1 s
  EXPECT_TRUE(Edit(posted.id, Token(posted.id), "ok").ok());
  clock_.Advance(1'001);
  ExpectError(Edit(posted.id, Token(posted.id), "late"), ErrorCode::kEditWindowClosed);
}

TEST_F(CommentServiceTest, EditSetsEditedFieldsAndWritesAVersion) {
  const auto posted = MustPost("/a", "First take").comment;
  const auto other = MustPost("/a", "other").comment;
  clock_.Set(posted.created_at + 5'000);
  auto r = Edit(posted.id, Token(posted.id), "\n  Second **take**  \n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->page_key, "/a");
  const Comment& c = r->comment;
  EXPECT_EQ(c.body_markdown, "  Second **take**");
  EXPECT_EQ(c.body_html, "<p>Second <strong>take</strong></p>\n");
  EXPECT_EQ(c.edited_at, std::optional<TimeMs>(posted.created_at + 5'000));
  EXPECT_EQ(c.edited_by, std::optional<std::string>("Ann"));
  EXPECT_EQ(c.created_at, posted.created_at);
  EXPECT_NE(c.hash, posted.hash);

  const auto stored = Find(posted.id);
  EXPECT_EQ(stored->body_markdown, "  Second **take**");
  EXPECT_EQ(stored->body_html, "<p>Second <strong>take</strong></p>\n");
  EXPECT_EQ(stored->edited_at, std::optional<TimeMs>(posted.created_at + 5'000));
  EXPECT_EQ(stored->edited_by, std::optional<std::string>("Ann"));
  EXPECT_EQ(stored->hash, c.hash);

  auto versions = Versions(posted.id);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 2u);
  const ChainLink& v1 = (*versions)[0];
  const ChainLink& v2 = (*versions)[1];
  EXPECT_EQ(v1.n, 1);
  EXPECT_EQ(v1.body_markdown, "First take");
  EXPECT_EQ(v1.hash, posted.hash);
  EXPECT_EQ(v2.n, 2);
  EXPECT_EQ(v2.seq, 3);  // after the other comment's link
  EXPECT_EQ(v2.body_markdown, "  Second **take**");
  EXPECT_EQ(v2.at, posted.created_at + 5'000);
  EXPECT_EQ(v2.editor, std::optional<std::string>("Ann"));
  EXPECT_EQ(v2.prev_hash, other.hash);  // the page's previous link
  EXPECT_EQ(v2.hash, c.hash);
  EXPECT_EQ(v2.hash, ComputeLinkHash("/a", v2));
  EXPECT_EQ(FindPage("/a")->chain_head, c.hash);

  const auto t = MustList("/a");
  ASSERT_EQ(t.comments.size(), 2u);
  EXPECT_EQ(t.comments[0].comment.edited_by, std::optional<std::string>("Ann"));

  clock_.Advance(1);
  ASSERT_TRUE(Edit(posted.id, Token(posted.id), "Third").ok());
  auto three = Versions(posted.id);
  ASSERT_TRUE(three.ok());
  ASSERT_EQ(three->size(), 3u);
  EXPECT_EQ((*three)[2].n, 3);
  EXPECT_EQ((*three)[2].prev_hash, v2.hash);
}

TEST_F(CommentServiceTest, GuestEditIsByGuest) {
  const auto posted = MustPost("/a", "one", std::nullopt, std::nullopt).comment;
  auto r = Edit(posted.id, Token(posted.id), "two");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->comment.edited_by, std::optional<std::string>("Guest"));
  EXPECT_EQ(r->comment.author_name, std::nullopt);
}

TEST_F(CommentServiceTest, EditBodyIsValidatedLikeAPost) {
  const auto id = MustPost("/a", "one").comment.id;
  ExpectError(Edit(id, Token(id), "  \n "), ErrorCode::kMissingField, "body");
  ExpectError(Edit(id, Token(id), std::string(10'001, 'a')), ErrorCode::kTooLong, "body");
  ExpectError(Edit(id, Token(id), "\xFF"), ErrorCode::kInvalidField, "body");
  EXPECT_TRUE(Edit(id, Token(id), Repeat("\xC3\xA9", 10'000)).ok());
  auto versions = Versions(id);
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->size(), 2u);
}

TEST_F(CommentServiceTest, EditOfUnknownOrDeletedComment) {
  const auto tomb = MustPost("/a", "parent").comment.id;
  MustPost("/a", "child", tomb);
  const auto leaf = MustPost("/a", "leaf").comment.id;
  MustDelete(tomb);
  MustDelete(leaf);
  ExpectError(Edit(tomb, Token(tomb), "back"), ErrorCode::kNotFound);
  ExpectError(Edit(leaf, Token(leaf), "back"), ErrorCode::kNotFound);
  ExpectError(Edit(999, Credential{std::string("x")}, "x"), ErrorCode::kNotFound);
  ExpectError(Edit(999, Credential{}, "x"), ErrorCode::kNotFound);
}

// ---------------------------------------------------------------- deleting

TEST_F(CommentServiceTest, DeletingALeafRemovesIt) {
  const auto keep = MustPost("/a", "keep").comment.id;
  const auto gone = MustPost("/a", "gone").comment.id;
  auto r = Delete(gone);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->page_key, "/a");
  const auto stored = Find(gone);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->state, CommentState::kRemoved);
  EXPECT_EQ(stored->body_markdown, "");
  EXPECT_EQ(stored->body_html, "");
  EXPECT_EQ(stored->author_name, std::nullopt);

  const auto t = MustList("/a");
  EXPECT_EQ(Ids(t.comments), std::vector<CommentId>{keep});
  EXPECT_EQ(t.comment_count, 1);
  {
    ReadTx tx(*s_);
    EXPECT_EQ(service_->Counts(*s_, {"/a"}).at("/a"), 1);
  }
  ExpectError(Versions(gone), ErrorCode::kNotFound);
  ExpectError(Vote(gone, "v", 1), ErrorCode::kNotFound);
  ExpectError(Delete(gone), ErrorCode::kNotFound);

  const auto links = PageLinks("/a");
  ASSERT_EQ(links.size(), 3u);
  EXPECT_EQ(links[2].comment_id, gone);
  EXPECT_EQ(links[2].state, CommentState::kRemoved);
  EXPECT_EQ(links[2].body_markdown, "");
  EXPECT_EQ(links[2].author_name, std::nullopt);
  EXPECT_EQ(links[2].n, 2);
}

TEST_F(CommentServiceTest, DeletingACommentWithRepliesLeavesATombstone) {
  const auto parent = MustPost("/a", "parent").comment.id;
  const auto child = MustPost("/a", "child", parent).comment.id;
  ASSERT_TRUE(Delete(parent).ok());
  const auto stored = Find(parent);
  EXPECT_EQ(stored->state, CommentState::kDeleted);
  EXPECT_EQ(stored->body_markdown, "");
  EXPECT_EQ(stored->body_html, "");
  EXPECT_EQ(stored->author_name, std::nullopt);

  const auto t = MustList("/a");
  ASSERT_EQ(Ids(t.comments), std::vector<CommentId>{parent});
  const Comment& tomb = t.comments[0].comment;
  EXPECT_EQ(tomb.state, CommentState::kDeleted);
  EXPECT_EQ(tomb.body_markdown, "");
  EXPECT_EQ(tomb.body_html, "");
  EXPECT_EQ(tomb.author_name, std::nullopt);
  EXPECT_EQ(Ids(t.comments[0].replies), std::vector<CommentId>{child});
  EXPECT_EQ(t.comment_count, 1);

  ExpectError(Versions(parent), ErrorCode::kNotFound);
  ExpectError(Vote(parent, "v", 1), ErrorCode::kNotFound);
  ExpectError(Delete(parent), ErrorCode::kNotFound);
  const auto links = PageLinks("/a");
  ASSERT_EQ(links.size(), 3u);
  EXPECT_EQ(links[2].state, CommentState::kDeleted);
  EXPECT_EQ(links[2].editor, std::nullopt);
}

TEST_F(CommentServiceTest, TombstoneOfAnEditedCommentDoesNotKeepTheAuthorsName) {
  const auto parent = MustPost("/a", "parent", std::nullopt, std::string("Realpolitik")).comment.id;
  MustPost("/a", "child", parent);
  ASSERT_TRUE(Edit(parent, Token(parent), "parent, edited").ok());
  MustDelete(parent);
  const auto t = MustList("/a");
  ASSERT_EQ(t.comments.size(), 1u);
  const Comment& tomb = t.comments[0].comment;
  EXPECT_EQ(tomb.state, CommentState::kDeleted);
  EXPECT_EQ(tomb.author_name, std::nullopt);
  EXPECT_EQ(tomb.edited_by, std::nullopt);
}

TEST_F(CommentServiceTest, DeletingTheLastReplyOfATombstoneRemovesBoth) {
  const auto parent = MustPost("/a", "parent").comment.id;
  const auto child = MustPost("/a", "child", parent).comment.id;
  const auto other = MustPost("/a", "other").comment.id;
  MustDelete(parent);
  MustDelete(child);
  EXPECT_EQ(Find(child)->state, CommentState::kRemoved);
  EXPECT_EQ(Find(parent)->state, CommentState::kRemoved);
  const auto t = MustList("/a");
  EXPECT_EQ(Ids(t.comments), std::vector<CommentId>{other});
  EXPECT_EQ(t.comment_count, 1);
  const auto links = PageLinks("/a");
  ASSERT_EQ(links.size(), 6u);
  EXPECT_EQ(links[5].comment_id, parent);
  EXPECT_EQ(links[5].state, CommentState::kRemoved);
  EXPECT_TRUE(Verify("/a").verified);
}

TEST_F(CommentServiceTest, TombstoneCascadeClimbsSeveralLevels) {
  const auto c1 = MustPost("/a", "1").comment.id;
  const auto c2 = MustPost("/a", "2", c1).comment.id;
  const auto c3 = MustPost("/a", "3", c2).comment.id;
  MustDelete(c1);
  MustDelete(c2);
  EXPECT_EQ(Find(c1)->state, CommentState::kDeleted);
  EXPECT_EQ(Find(c2)->state, CommentState::kDeleted);
  MustDelete(c3);
  EXPECT_EQ(Find(c1)->state, CommentState::kRemoved);
  EXPECT_EQ(Find(c2)->state, CommentState::kRemoved);
  EXPECT_EQ(Find(c3)->state, CommentState::kRemoved);
  const auto t = MustList("/a");
  EXPECT_TRUE(t.comments.empty());
  EXPECT_EQ(t.comment_count, 0);
  ASSERT_TRUE(t.page.has_value());
  EXPECT_TRUE(Verify("/a").verified);
}

TEST_F(CommentServiceTest, TombstoneStaysWhileAReplyRemains) {
  const auto c1 = MustPost("/a", "1").comment.id;
  const auto c2 = MustPost("/a", "2", c1).comment.id;
  const auto c3 = MustPost("/a", "3", c1).comment.id;
  MustDelete(c1);
  MustDelete(c2);
  EXPECT_EQ(Find(c1)->state, CommentState::kDeleted);
  const auto t = MustList("/a");
  ASSERT_EQ(Ids(t.comments), std::vector<CommentId>{c1});
  EXPECT_EQ(Ids(t.comments[0].replies), std::vector<CommentId>{c3});
}

TEST_F(CommentServiceTest, CascadeStopsAtAnApprovedAncestor) {
  const auto c1 = MustPost("/a", "1").comment.id;
  const auto c2 = MustPost("/a", "2", c1).comment.id;
  const auto c3 = MustPost("/a", "3", c2).comment.id;
  MustDelete(c2);  // tombstone under an approved comment
  MustDelete(c3);
  EXPECT_EQ(Find(c3)->state, CommentState::kRemoved);
  EXPECT_EQ(Find(c2)->state, CommentState::kRemoved);
  EXPECT_EQ(Find(c1)->state, CommentState::kApproved);
  EXPECT_EQ(Find(c1)->body_markdown, "1");
  const auto t = MustList("/a");
  ASSERT_EQ(Ids(t.comments), std::vector<CommentId>{c1});
  EXPECT_TRUE(t.comments[0].replies.empty());
  EXPECT_EQ(t.comment_count, 1);
  EXPECT_TRUE(Verify("/a").verified);
}

TEST_F(CommentServiceTest, CommentWhoseRepliesAreGoneIsRemovedNotTombstoned) {
  const auto c1 = MustPost("/a", "1").comment.id;
  const auto c2 = MustPost("/a", "2", c1).comment.id;
  MustDelete(c2);
  MustDelete(c1);
  EXPECT_EQ(Find(c1)->state, CommentState::kRemoved);
  EXPECT_TRUE(MustList("/a").comments.empty());
}

TEST_F(CommentServiceTest, TombstoneCountsAsATopLevelItemForLimit) {
  const auto c1 = MustPost("/a", "1").comment.id;
  MustPost("/a", "reply", c1);
  const auto c3 = MustPost("/a", "3").comment.id;
  MustDelete(c1);
  const auto p1 = MustList("/a", SortOrder::kOldest, 1);
  EXPECT_EQ(Ids(p1.comments), std::vector<CommentId>{c1});
  ASSERT_TRUE(p1.next_cursor.has_value());
  const auto p2 = MustList("/a", SortOrder::kOldest, 1, *p1.next_cursor);
  EXPECT_EQ(Ids(p2.comments), std::vector<CommentId>{c3});
  EXPECT_EQ(p2.next_cursor, std::nullopt);
  EXPECT_EQ(p1.comment_count, 2);
}

// ---------------------------------------------------------------- votes

TEST_F(CommentServiceTest, VotesReplaceAndRetract) {
  const auto id = MustPost("/a", "one").comment.id;
  auto check = [&](const Result<VoteOutcome>& r, std::int64_t up, std::int64_t down, int mine) {
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->upvotes, up);
    EXPECT_EQ(r->downvotes, down);
    EXPECT_EQ(r->my_vote, mine);
    EXPECT_EQ(r->page_key, "/a");
  };
  check(Vote(id, "A", 1), 1, 0, 1);
  check(Vote(id, "A", 1), 1, 0, 1);  // same vote again changes nothing
  check(Vote(id, "B", -1), 1, 1, -1);
  check(Vote(id, "A", -1), 0, 2, -1);  // A changes their mind
  check(Vote(id, "A", 0), 0, 1, 0);    // A retracts
  check(Vote(id, "C", 0), 0, 1, 0);    // retracting without a vote
  check(Vote(id, "D", 1), 1, 1, 1);
  const auto stored = Find(id);
  EXPECT_EQ(stored->upvotes, 1);
  EXPECT_EQ(stored->downvotes, 1);
  {
    ReadTx tx(*s_);
    EXPECT_EQ(s_->GetVote(id, "A"), 0);
    EXPECT_EQ(s_->GetVote(id, "B"), -1);
    EXPECT_EQ(s_->GetVote(id, "D"), 1);
  }
  const auto t = MustList("/a");
  EXPECT_EQ(t.comments[0].comment.upvotes, 1);
  EXPECT_EQ(t.comments[0].comment.downvotes, 1);
  // Votes do not write links.
  EXPECT_EQ(FindPage("/a")->chain_len, 1);
}

TEST_F(CommentServiceTest, VoteValueMustBeMinusOneZeroOrOne) {
  const auto id = MustPost("/a", "one").comment.id;
  ExpectError(Vote(id, "A", 2), ErrorCode::kInvalidField, "value");
  ExpectError(Vote(id, "A", -2), ErrorCode::kInvalidField, "value");
  EXPECT_EQ(Find(id)->upvotes, 0);
}

TEST_F(CommentServiceTest, VoteOnDeletedOrUnknownComment) {
  const auto tomb = MustPost("/a", "parent").comment.id;
  MustPost("/a", "child", tomb);
  const auto leaf = MustPost("/a", "leaf").comment.id;
  MustDelete(tomb);
  MustDelete(leaf);
  ExpectError(Vote(tomb, "A", 1), ErrorCode::kNotFound);
  ExpectError(Vote(leaf, "A", 1), ErrorCode::kNotFound);
  ExpectError(Vote(999, "A", 1), ErrorCode::kNotFound);
}

// ---------------------------------------------------------------- listing

TEST_F(CommentServiceTest, UnknownPageListsNothing) {
  const auto t = MustList("/never");
  EXPECT_EQ(t.page, std::nullopt);
  EXPECT_EQ(t.comment_count, 0);
  EXPECT_TRUE(t.comments.empty());
  EXPECT_EQ(t.next_cursor, std::nullopt);
  ExpectError(List("/never", SortOrder::kOldest, 50, "garbage!"), ErrorCode::kInvalidField,
              "cursor");
}

TEST_F(CommentServiceTest, SortsOldestNewestAndVotes) {
  const auto c1 = MustPost("/a", "1").comment.id;
  const auto c2 = MustPost("/a", "2").comment.id;
  const auto c3 = MustPost("/a", "3").comment.id;
  const auto c4 = MustPost("/a", "4").comment.id;
  const auto c5 = MustPost("/a", "5").comment.id;
  Votes(c2, 1, 1);                        // +1
  Votes(c3, 2, 1);
  Votes(c3, 1, -1);                       // +1, ties with c2
  Votes(c4, 2, 1);                        // +2
  Votes(c5, 1, -1);                       // -1
  EXPECT_EQ(Ids(MustList("/a", SortOrder::kOldest).comments),
            (std::vector<CommentId>{c1, c2, c3, c4, c5}));
  EXPECT_EQ(Ids(MustList("/a", SortOrder::kNewest).comments),
            (std::vector<CommentId>{c5, c4, c3, c2, c1}));
  EXPECT_EQ(Ids(MustList("/a", SortOrder::kVotes).comments),
            (std::vector<CommentId>{c4, c2, c3, c1, c5}));
}

TEST_F(CommentServiceTest, RepliesAreOldestFirstInEverySort) {
  const auto c1 = MustPost("/a", "1").comment.id;
  const auto r1 = MustPost("/a", "r1", c1).comment.id;
  const auto c2 = MustPost("/a", "2").comment.id;
  const auto r2 = MustPost("/a", "r2", c1).comment.id;
  const auto r3 = MustPost("/a", "r3", c1).comment.id;
  const auto rr = MustPost("/a", "rr", r1).comment.id;
  Votes(r3, 3, 1);
  Votes(r1, 2, -1);
  for (SortOrder s : {SortOrder::kOldest, SortOrder::kNewest, SortOrder::kVotes}) {
    SCOPED_TRACE(SortOrderName(s));
    const auto t = MustList("/a", s);
    ASSERT_EQ(t.comments.size(), 2u);
    const auto& n1 = t.comments[0].comment.id == c1 ? t.comments[0] : t.comments[1];
    EXPECT_EQ(Ids(n1.replies), (std::vector<CommentId>{r1, r2, r3}));
    EXPECT_EQ(Ids(n1.replies[0].replies), std::vector<CommentId>{rr});
    EXPECT_EQ(t.comment_count, 6);
  }
  // limit counts top-level comments only.
  const auto one = MustList("/a", SortOrder::kOldest, 1);
  EXPECT_EQ(Ids(one.comments), std::vector<CommentId>{c1});
  EXPECT_EQ(one.comments[0].replies.size(), 3u);
  const auto next = MustList("/a", SortOrder::kOldest, 1, *one.next_cursor);
  EXPECT_EQ(Ids(next.comments), std::vector<CommentId>{c2});
}

TEST_F(CommentServiceTest, OldestPagingNeverRepeatsOrSkipsWhileCommentsArrive) {
  std::vector<CommentId> posted;
  for (int i = 1; i <= 5; ++i) posted.push_back(MustPost("/a", std::to_string(i)).comment.id);
  const auto p1 = MustList("/a", SortOrder::kOldest, 2);
  EXPECT_EQ(Ids(p1.comments), (std::vector<CommentId>{posted[0], posted[1]}));
  ASSERT_TRUE(p1.next_cursor.has_value());
  posted.push_back(MustPost("/a", "6").comment.id);
  const auto p2 = MustList("/a", SortOrder::kOldest, 2, *p1.next_cursor);
  EXPECT_EQ(Ids(p2.comments), (std::vector<CommentId>{posted[2], posted[3]}));
  ASSERT_TRUE(p2.next_cursor.has_value());
  posted.push_back(MustPost("/a", "7").comment.id);
  const auto p3 = MustList("/a", SortOrder::kOldest, 2, *p2.next_cursor);
  EXPECT_EQ(Ids(p3.comments), (std::vector<CommentId>{posted[4], posted[5]}));
  ASSERT_TRUE(p3.next_cursor.has_value());
  const auto p4 = MustList("/a", SortOrder::kOldest, 2, *p3.next_cursor);
  EXPECT_EQ(Ids(p4.comments), std::vector<CommentId>{posted[6]});
  EXPECT_EQ(p4.next_cursor, std::nullopt);
}

TEST_F(CommentServiceTest, NewestPagingNeverRepeats) {
  std::vector<CommentId> posted;
  for (int i = 1; i <= 5; ++i) posted.push_back(MustPost("/a", std::to_string(i)).comment.id);
  const auto p1 = MustList("/a", SortOrder::kNewest, 2);
  EXPECT_EQ(Ids(p1.comments), (std::vector<CommentId>{posted[4], posted[3]}));
  MustPost("/a", "new");
  const auto p2 = MustList("/a", SortOrder::kNewest, 2, *p1.next_cursor);
  EXPECT_EQ(Ids(p2.comments), (std::vector<CommentId>{posted[2], posted[1]}));
  const auto p3 = MustList("/a", SortOrder::kNewest, 2, *p2.next_cursor);
  EXPECT_EQ(Ids(p3.comments), std::vector<CommentId>{posted[0]});
  EXPECT_EQ(p3.next_cursor, std::nullopt);
}

TEST_F(CommentServiceTest, VotesPagingNeverRepeatsWhileScoresChange) {
  const auto c1 = MustPost("/a", "1").comment.id;
  const auto c2 = MustPost("/a", "2").comment.id;
  const auto c3 = MustPost("/a", "3").comment.id;
  const auto c4 = MustPost("/a", "4").comment.id;
  const auto c5 = MustPost("/a", "5").comment.id;
  Votes(c1, 3, 1);
  Votes(c2, 2, 1);
  Votes(c3, 1, 1);
  const auto p1 = MustList("/a", SortOrder::kVotes, 2);
  EXPECT_EQ(Ids(p1.comments), (std::vector<CommentId>{c1, c2}));
  ASSERT_TRUE(p1.next_cursor.has_value());
  // Between pages c1 sinks to the bottom and c5 rises to the top.
  Votes(c1, 8, -1);
  Votes(c5, 10, 1);
  const auto p2 = MustList("/a", SortOrder::kVotes, 2, *p1.next_cursor);
  EXPECT_EQ(Ids(p2.comments), (std::vector<CommentId>{c5, c3}));
  ASSERT_TRUE(p2.next_cursor.has_value());
  const auto c6 = MustPost("/a", "6").comment.id;
  const auto p3 = MustList("/a", SortOrder::kVotes, 2, *p2.next_cursor);
  EXPECT_EQ(Ids(p3.comments), (std::vector<CommentId>{c4, c6}));
  EXPECT_EQ(p3.next_cursor, std::nullopt);
}

TEST_F(CommentServiceTest, LimitAndLastPage) {
  for (int i = 1; i <= 4; ++i) MustPost("/a", std::to_string(i));
  const auto p1 = MustList("/a", SortOrder::kOldest, 2);
  ASSERT_TRUE(p1.next_cursor.has_value());
  const auto p2 = MustList("/a", SortOrder::kOldest, 2, *p1.next_cursor);
  EXPECT_EQ(p2.comments.size(), 2u);
  EXPECT_EQ(p2.next_cursor, std::nullopt);  // nothing after it
  const auto all = MustList("/a", SortOrder::kOldest, 200);
  EXPECT_EQ(all.comments.size(), 4u);
  EXPECT_EQ(all.next_cursor, std::nullopt);
  const auto exact = MustList("/a", SortOrder::kVotes, 4);
  EXPECT_EQ(exact.comments.size(), 4u);
  EXPECT_EQ(exact.next_cursor, std::nullopt);
}

TEST_F(CommentServiceTest, CursorOfAnotherSortOrGarbageIsRefused) {
  for (int i = 1; i <= 3; ++i) MustPost("/a", std::to_string(i));
  const auto oldest = MustList("/a", SortOrder::kOldest, 1);
  const auto votes = MustList("/a", SortOrder::kVotes, 1);
  ASSERT_TRUE(oldest.next_cursor.has_value());
  ASSERT_TRUE(votes.next_cursor.has_value());
  ExpectError(List("/a", SortOrder::kNewest, 1, *oldest.next_cursor), ErrorCode::kInvalidField,
              "cursor");
  ExpectError(List("/a", SortOrder::kVotes, 1, *oldest.next_cursor), ErrorCode::kInvalidField,
              "cursor");
  ExpectError(List("/a", SortOrder::kOldest, 1, *votes.next_cursor), ErrorCode::kInvalidField,
              "cursor");
  for (const char* bad : {"garbage!", "bzo", "AAAA", "%%%", "bzo1=="}) {
    SCOPED_TRACE(bad);
    ExpectError(List("/a", SortOrder::kOldest, 1, bad), ErrorCode::kInvalidField, "cursor");
  }
}

TEST_F(CommentServiceTest, CommentCountCountsApprovedOnly) {
  const auto c1 = MustPost("/a", "1").comment.id;
  MustPost("/a", "2", c1);
  const auto c3 = MustPost("/a", "3").comment.id;
  MustPost("/b", "elsewhere");
  EXPECT_EQ(MustList("/a").comment_count, 3);
  MustDelete(c1);  // tombstone: not counted
  EXPECT_EQ(MustList("/a").comment_count, 2);
  MustDelete(c3);
  EXPECT_EQ(MustList("/a").comment_count, 1);
  ReadTx tx(*s_);
  const auto counts = service_->Counts(*s_, {"/a", "/b", "/none"});
  EXPECT_EQ(counts, (std::map<std::string, std::int64_t>{{"/a", 1}, {"/b", 1}, {"/none", 0}}));
}

TEST_F(CommentServiceTest, InlineOnlyListsQuotedTopLevelComments) {
  PostRequest q1 = Req("/a", "on the treaty");
  q1.quote = Quote{"  the treaty  ", "In 1858 ", " was signed"};
  auto r1 = Post(q1);
  ASSERT_TRUE(r1.ok()) << r1.error().message;
  const auto plain = MustPost("/a", "plain").comment.id;
  PostRequest q3 = Req("/a", "on Aigun");
  q3.quote = Quote{"Aigun", "", ""};
  auto r3 = Post(q3);
  ASSERT_TRUE(r3.ok());
  PostRequest reply = Req("/a", "quoted reply", FormatCommentId(plain));
  reply.quote = Quote{"x", "", ""};
  ASSERT_TRUE(Post(reply).ok());

  const auto t = MustList("/a", SortOrder::kOldest, 50, "", true);
  ASSERT_EQ(Ids(t.comments), (std::vector<CommentId>{r1->comment.id, r3->comment.id}));
  ASSERT_TRUE(t.comments[0].comment.quote.has_value());
  EXPECT_EQ(t.comments[0].comment.quote->exact, "the treaty");
  EXPECT_EQ(t.comments[0].comment.quote->prefix, "In 1858 ");
  EXPECT_EQ(t.comments[0].comment.quote->suffix, " was signed");
  EXPECT_EQ(t.comments[1].comment.quote->exact, "Aigun");

  const auto everything = MustList("/a");
  EXPECT_EQ(everything.comments.size(), 3u);
  EXPECT_FALSE(everything.comments[1].comment.quote.has_value());

  const auto newest_inline = MustList("/a", SortOrder::kNewest, 1, "", true);
  EXPECT_EQ(Ids(newest_inline.comments), std::vector<CommentId>{r3->comment.id});
  ASSERT_TRUE(newest_inline.next_cursor.has_value());
  const auto next = MustList("/a", SortOrder::kNewest, 1, *newest_inline.next_cursor, true);
  EXPECT_EQ(Ids(next.comments), std::vector<CommentId>{r1->comment.id});
  EXPECT_EQ(next.next_cursor, std::nullopt);
}

TEST_F(CommentServiceTest, PremoderatedCommentsAreHeldAsPending) {
  const auto visible = MustPost("/a", "before premoderation").comment.id;
  Configure(ServiceConfig{5, 900'000, true});
  auto r = Post(Req("/a", "held"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->comment.state, CommentState::kPending);
  EXPECT_FALSE(r->edit_token.empty());
  const auto held = r->comment.id;
  EXPECT_EQ(Find(held)->state, CommentState::kPending);

  // Not listed, counted or votable; no one can reply to it.
  const auto t = MustList("/a");
  EXPECT_EQ(Ids(t.comments), std::vector<CommentId>{visible});
  EXPECT_EQ(t.comment_count, 1);
  {
    ReadTx tx(*s_);
    EXPECT_EQ(service_->Counts(*s_, {"/a"}).at("/a"), 1);
  }
  ExpectError(Vote(held, "A", 1), ErrorCode::kNotFound);
  ExpectError(Versions(held), ErrorCode::kNotFound);
  ExpectError(Post(Req("/a", "reply", FormatCommentId(held))), ErrorCode::kParentNotFound,
              "parent_id");

  // A held reply keeps a deleted parent as a tombstone (not listed while the
  // reply is held; see HeldReplyUnderADeletedParent…).
  auto reply = Post(Req("/a", "held reply", FormatCommentId(visible)));
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->comment.state, CommentState::kPending);
  ASSERT_TRUE(Delete(visible, Credential{tokens_.at(visible)}).ok());
  EXPECT_EQ(Find(visible)->state, CommentState::kDeleted);
  EXPECT_TRUE(MustList("/a").comments.empty());

  // Held comments are still links of the chain.
  const auto links = PageLinks("/a");
  ASSERT_EQ(links.size(), 4u);
  EXPECT_EQ(links[1].comment_id, held);
  EXPECT_EQ(links[1].state, CommentState::kPending);
  EXPECT_TRUE(Verify("/a").verified);
}

TEST_F(CommentServiceTest, HeldReplyUnderADeletedParentShowsOnceApproved) {
  const auto parent = MustPost("/a", "parent").comment.id;
  Configure(ServiceConfig{5, 900'000, true});
  auto held = Post(Req("/a", "held reply", FormatCommentId(parent)));
  ASSERT_TRUE(held.ok());
  ASSERT_EQ(held->comment.state, CommentState::kPending);
  MustDelete(parent);
  EXPECT_EQ(Find(parent)->state, CommentState::kDeleted);
  EXPECT_TRUE(MustList("/a").comments.empty());  // a tombstone over nothing shown

  ModerationService moderation(ModerationConfig{}, clock_);
  const User mod = StoredModerator();  // decisions re-read their actor
  auto approved = Write([&](store::StoreSession& s) {
    return moderation.Decide(s, held->comment.id, Decision::kApprove, "", mod);
  });
  ASSERT_TRUE(approved.ok()) << approved.error().message;
  const auto t = MustList("/a");
  ASSERT_EQ(Ids(t.comments), std::vector<CommentId>{parent});
  EXPECT_EQ(t.comments[0].comment.state, CommentState::kDeleted);
  EXPECT_EQ(Ids(t.comments[0].replies), std::vector<CommentId>{held->comment.id});
  EXPECT_TRUE(Verify("/a").verified);
}

TEST_F(CommentServiceTest, RejectingTheLastHeldReplyRemovesTheTombstone) {
  const auto root = MustPost("/a", "root").comment.id;
  const auto mid = MustPost("/a", "mid", root).comment.id;
  Configure(ServiceConfig{5, 900'000, true});
  auto r1 = Post(Req("/a", "held one", FormatCommentId(mid)));
  auto r2 = Post(Req("/a", "held two", FormatCommentId(mid)));
  ASSERT_TRUE(r1.ok() && r2.ok());
  MustDelete(mid);
  MustDelete(root);  // mid is a tombstone, so root is one too
  EXPECT_EQ(Find(mid)->state, CommentState::kDeleted);
  EXPECT_EQ(Find(root)->state, CommentState::kDeleted);

  ModerationService moderation(ModerationConfig{}, clock_);
  const User mod = StoredModerator();  // decisions re-read their actor
  auto decide = [&](CommentId id, Decision d) {
    auto r = Write([&](store::StoreSession& s) { return moderation.Decide(s, id, d, "", mod); });
    ASSERT_TRUE(r.ok()) << r.error().message;
  };
  decide(r1->comment.id, Decision::kReject);
  EXPECT_EQ(Find(mid)->state, CommentState::kDeleted);  // r2 is still held
  decide(r2->comment.id, Decision::kSpam);
  EXPECT_EQ(Find(mid)->state, CommentState::kRemoved);
  EXPECT_EQ(Find(root)->state, CommentState::kRemoved);
  EXPECT_TRUE(MustList("/a").comments.empty());
  EXPECT_TRUE(Verify("/a").verified);
}

TEST_F(CommentServiceTest, AModeratorsRedactionHidesTheReplacedTextFromVersions) {
  const auto c = MustPost("/a", "I live at 12 Elm Street, flat 3").comment.id;
  const User mod = StoredModerator();
  ASSERT_TRUE(Edit(c, Credential{std::nullopt, mod}, "[removed by moderator]").ok());
  auto versions = PublicVersions(c);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_TRUE((*versions)[0].redacted);
  EXPECT_EQ((*versions)[0].link.body_markdown, "");
  EXPECT_EQ((*versions)[0].link.hash.size(), 64u) << "the hash stays";
  EXPECT_FALSE((*versions)[1].redacted);
  EXPECT_EQ((*versions)[1].link.body_markdown, "[removed by moderator]");
  // The author's own later edit is shown; the moderator's is only redacted
  // where it replaced something.
  ASSERT_TRUE(Edit(c, Credential{std::nullopt, mod}, "[removed by moderator] again").ok());
  versions = PublicVersions(c);
  ASSERT_EQ(versions->size(), 3u);
  EXPECT_TRUE((*versions)[1].redacted);
  EXPECT_FALSE((*versions)[2].redacted);
  EXPECT_TRUE(Verify("/a").verified);
}

TEST_F(CommentServiceTest, VersionsNeverShownPubliclyAreRedactedAndTheAuthorsOwnEditsAreNot) {
  const auto own = MustPost("/a", "first words").comment.id;
  ASSERT_TRUE(Edit(own, Token(own), "second words").ok());
  auto mine = PublicVersions(own);
  ASSERT_EQ(mine->size(), 2u);
  EXPECT_FALSE((*mine)[0].redacted);
  EXPECT_EQ((*mine)[0].link.body_markdown, "first words");

  Configure(ServiceConfig{5, 900'000, true});
  auto held = Post(Req("/a", "my phone is 555-0100"));
  ASSERT_TRUE(held.ok());
  const User mod = StoredModerator();
  ASSERT_TRUE(Edit(held->comment.id, Credential{std::nullopt, mod}, "[number removed]").ok());
  ModerationService moderation(ModerationConfig{}, clock_);
  auto approved = Write([&](store::StoreSession& s) {
    return moderation.Decide(s, held->comment.id, Decision::kApprove, "", mod);
  });
  ASSERT_TRUE(approved.ok()) << approved.error().message;
  auto versions = PublicVersions(held->comment.id);
  ASSERT_EQ(versions->size(), 3u);
  EXPECT_TRUE((*versions)[0].redacted) << "the held original was never public";
  EXPECT_TRUE((*versions)[1].redacted) << "nor the held, edited one";
  EXPECT_FALSE((*versions)[2].redacted);
  EXPECT_EQ((*versions)[2].link.body_markdown, "[number removed]");
  for (const auto& v : *versions) EXPECT_EQ(v.link.body_markdown.find("555"), std::string::npos);
}

TEST_F(CommentServiceTest, BansCoverTheIpv6Slash64AndTheExactIpv4Address) {
  auto from = [&](const std::string& address, const std::string& page) {
    auto r = Req(page, "hello from " + address);
    r.client_address = address;
    return Post(r);
  };
  ASSERT_TRUE(from("2001:db8:1:2::1", "/a").ok());
  ModerationService moderation(ModerationConfig{}, clock_);
  const User mod = StoredModerator();  // bans re-read their actor
  auto v6 = from("2001:db8:1:2::7", "/a");
  auto v4 = from("192.0.2.44", "/a");
  ASSERT_TRUE(v6.ok() && v4.ok());
  for (CommentId id : {v6->comment.id, v4->comment.id}) {
    auto ban = Write([&](store::StoreSession& s) {
      return moderation.BanAuthor(s, id, std::nullopt, "", mod);
    });
    ASSERT_TRUE(ban.ok()) << ban.error().message;
  }
  ExpectError(from("2001:db8:1:2:abcd::99", "/b"), ErrorCode::kNotAllowed);
  ExpectError(from("2001:db8:1:2::1", "/b"), ErrorCode::kNotAllowed);
  EXPECT_TRUE(from("2001:db8:1:3::1", "/b").ok());  // the next /64
  ExpectError(from("192.0.2.44", "/b"), ErrorCode::kNotAllowed);
  EXPECT_TRUE(from("192.0.2.45", "/b").ok());  // IPv4: the address only (shared NATs)

  // A ban stored before bans covered networks (the exact IPv6 address) still holds.
  {
    store::WriteTransaction tx(*s_);
    Ban b;
    b.client_address = "2001:db8:9::5";
    b.created_at = kT0;
    s_->InsertBan(b);
    tx.Commit();
  }
  ExpectError(from("2001:db8:9::5", "/b"), ErrorCode::kNotAllowed);
  EXPECT_TRUE(from("2001:db8:9::6", "/b").ok());
}

// ---------------------------------------------------------------- screening

// Records what it was asked and what it was told to remember.
class RecordingScreener final : public Screener {
 public:
  struct Memo final : ScreeningMemo {
    explicit Memo(std::string b) : body(std::move(b)) {}
    std::string body;
  };
  Screening Screen(const ScreeningInput& in) override {
    inputs.push_back(in);
    Screening out;
    out.hold = in.body_markdown.find("spam") != std::string::npos;
    if (out.hold) out.reasons.push_back("banned_term");
    if (!in.is_edit) out.memo = std::make_shared<Memo>(in.body_markdown);
    return out;
  }
  void Remember(const ScreeningMemo* memo) override {
    remembered.push_back(static_cast<const Memo*>(memo)->body);
  }
  std::vector<ScreeningInput> inputs;
  std::vector<std::string> remembered;
};

TEST_F(CommentServiceTest, ScreeningSeesTheGuestsAddressAndOnlyStoredPostsAreRemembered) {
  RecordingScreener screener;
  Configure(ServiceConfig{}, &screener);
  MustPost("/a", "first");
  ASSERT_EQ(screener.inputs.size(), 1u);
  EXPECT_EQ(screener.inputs[0].client_address, "192.0.2.1");  // was empty for guests
  EXPECT_EQ(screener.inputs[0].author_name, "Ann");
  EXPECT_EQ(screener.remembered, std::vector<std::string>{"first"});

  // Refused before screening (validation): not screened, not remembered.
  ExpectError(Post(Req("/a", "   ")), ErrorCode::kMissingField, "body");
  EXPECT_EQ(screener.inputs.size(), 1u);

  // Refused by the write (closed page, ban): screened, never remembered.
  {
    store::WriteTransaction tx(*s_);
    ASSERT_TRUE(s_->SetPageClosed("/a", true));
    tx.Commit();
  }
  ExpectError(Post(Req("/a", "closed page")), ErrorCode::kPageClosed);
  {
    store::WriteTransaction tx(*s_);
    Ban b;
    b.client_address = "192.0.2.1";
    b.created_at = kT0;
    s_->InsertBan(b);
    tx.Commit();
  }
  ExpectError(Post(Req("/b", "banned author")), ErrorCode::kNotAllowed);
  EXPECT_EQ(screener.inputs.size(), 3u);
  EXPECT_EQ(screener.remembered, std::vector<std::string>{"first"});

  // The split steps: the verdict is applied by StorePost; nothing is
  // remembered until the caller says the comment is stored.
  auto prepared = service_->PreparePost(Req("/c", "some spam", std::nullopt, "Bob"));
  ASSERT_TRUE(prepared.ok());
  ASSERT_TRUE(prepared->screening.has_value());
  EXPECT_TRUE(prepared->screening->hold);
  auto req = Req("/c", "some spam");
  req.client_address = "198.51.100.7";
  prepared = service_->PreparePost(req);
  ASSERT_TRUE(prepared.ok());
  auto stored = Write([&](store::StoreSession& s) { return service_->StorePost(s, *prepared); });
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  EXPECT_EQ(stored->comment.state, CommentState::kPending);
  EXPECT_EQ(stored->comment.moderation_reasons, std::vector<std::string>{"banned_term"});
  EXPECT_EQ(screener.remembered.size(), 1u);
  service_->Remember(*stored);
  EXPECT_EQ(screener.remembered, (std::vector<std::string>{"first", "some spam"}));
}

TEST_F(CommentServiceTest, EditsAreScreenedBeforeTheWriteAndModeratorsAreNot) {
  RecordingScreener screener;
  Configure(ServiceConfig{}, &screener);
  const auto c = MustPost("/a", "fine").comment.id;
  auto prepared = Write([&](store::StoreSession& s) {
    return service_->PrepareEdit(s, c, Token(c), "now spam");
  });
  ASSERT_TRUE(prepared.ok());
  ASSERT_TRUE(prepared->screening.has_value());
  EXPECT_TRUE(screener.inputs.back().is_edit);
  EXPECT_EQ(screener.inputs.back().client_address, "192.0.2.1");
  // PrepareEdit changed nothing.
  EXPECT_EQ(Find(c)->body_markdown, "fine");
  auto edited = Write([&](store::StoreSession& s) {
    return service_->StoreEdit(s, c, Token(c), *prepared);
  });
  ASSERT_TRUE(edited.ok());
  EXPECT_EQ(Find(c)->state, CommentState::kPending);
  EXPECT_EQ(screener.remembered, std::vector<std::string>{"fine"});  // edits are not remembered
  // A held comment is no longer the guest's to edit; a wrong token is refused.
  ExpectError(Write([&](store::StoreSession& s) {
                return service_->PrepareEdit(s, c, Token(c), "again");
              }),
              ErrorCode::kNotFound);
  const auto c2 = MustPost("/a", "another").comment.id;
  ExpectError(Write([&](store::StoreSession& s) {
                return service_->PrepareEdit(s, c2, Credential{std::string("nope")}, "x");
              }),
              ErrorCode::kNotAllowed);
  User mod;
  mod.id = 7;
  mod.name = "Mod";
  mod.role = Role::kModerator;
  const auto before = screener.inputs.size();
  auto by_mod = Edit(c, Credential{std::nullopt, mod}, "more spam, by a moderator");
  ASSERT_TRUE(by_mod.ok()) << by_mod.error().message;
  EXPECT_EQ(screener.inputs.size(), before);
}

TEST_F(CommentServiceTest, TrustAfterCountsTheGuestsAddress) {
  ServiceConfig config;
  config.trust_after = 1;
  Configure(config);
  auto first = Post(Req("/a", "my first comment"));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->comment.state, CommentState::kPending);
  EXPECT_EQ(first->comment.moderation_reasons, std::vector<std::string>{"new_author"});
  {
    store::WriteTransaction tx(*s_);
    s_->SetModeration({first->comment.id, CommentState::kApproved, {}, 0, false});
    tx.Commit();
  }
  // Same address, no email: trusted now.
  auto second = Post(Req("/a", "my second comment"));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->comment.state, CommentState::kApproved);
  // Another address is another author.
  auto other = Req("/a", "someone else", std::nullopt, "Bob");
  other.client_address = "198.51.100.7";
  auto third = Post(other);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->comment.state, CommentState::kPending);
}

TEST_F(CommentServiceTest, RepeatedPostNeedsTheSameGuestAddress) {
  moderation::Pipeline pipeline(moderation::PipelineSettings{}, clock_);
  Configure(ServiceConfig{}, &pipeline);
  const std::string text =
      "The border commission met nine times between 1991 and 2004 and still left the largest "
      "island for last.";
  auto first = Post(Req("/a", text));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->comment.state, CommentState::kApproved);
  // Another guest of the same name, elsewhere: a near-duplicate, not a repeat.
  auto other = Req("/b", text);
  other.client_address = "198.51.100.7";
  auto second = Post(other);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->comment.state, CommentState::kPending);
  EXPECT_EQ(second->comment.moderation_reasons, std::vector<std::string>{"near_duplicate"});
  // The same guest again: a repeat.
  auto third = Post(Req("/c", text));
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->comment.moderation_reasons,
            (std::vector<std::string>{"near_duplicate", "repeated_post"}));
}

// ---------------------------------------------------------------- integrity

TEST_F(CommentServiceTest, UnknownPageVerifiesWithAZeroHead) {
  const auto v = Verify("/never");
  EXPECT_TRUE(v.verified);
  EXPECT_EQ(v.head, std::string(64, '0'));
  EXPECT_TRUE(v.failed_ids.empty());
}

TEST_F(CommentServiceTest, ChainVerifiesAfterPostsEditsAndDeletes) {
  const auto c1 = MustPost("/a", "one").comment.id;
  EXPECT_TRUE(Verify("/a").verified);
  const auto c2 = MustPost("/a", "two", c1).comment.id;
  ASSERT_TRUE(Edit(c1, Token(c1), "one, edited").ok());
  EXPECT_TRUE(Verify("/a").verified);
  MustDelete(c1);  // tombstone
  const auto v_mid = Verify("/a");
  EXPECT_TRUE(v_mid.verified);
  MustDelete(c2);  // and the cascade
  MustPost("/b", "other page");
  const auto v = Verify("/a");
  EXPECT_TRUE(v.verified);
  EXPECT_TRUE(v.failed_ids.empty());
  const auto page = FindPage("/a");
  EXPECT_EQ(page->chain_len, 6);  // 2 posts, 1 edit, 3 deletions
  EXPECT_EQ(v.head, page->chain_head);
  EXPECT_EQ(v.head, Find(c1)->hash);  // the cascade wrote the last link
  EXPECT_NE(v.head, v_mid.head);
  EXPECT_TRUE(Verify("/b").verified);
}

class TamperTest : public CommentServiceTest {
 protected:
  void SetUp() override {
    CommentServiceTest::SetUp();
    c1_ = MustPost("/a", "one").comment.id;
    c2_ = MustPost("/a", "two", c1_).comment.id;
    c3_ = MustPost("/a", "three").comment.id;
    MustPost("/b", "bystander");
    const auto v = Verify("/a");
    ASSERT_TRUE(v.verified);
    head_ = v.head;
  }
  void ExpectFailed(const std::vector<CommentId>& ids) {
    const auto v = Verify("/a");
    EXPECT_FALSE(v.verified);
    EXPECT_EQ(v.failed_ids, ids);
    EXPECT_TRUE(Verify("/b").verified);
  }
  CommentId c1_ = 0, c2_ = 0, c3_ = 0;
  std::string head_;
};

TEST_F(TamperTest, RewrittenCommentBody) {
  Tamper("UPDATE comments SET body_markdown = 'x' WHERE id = " + std::to_string(c2_));
  ExpectFailed({c2_});
  EXPECT_EQ(Verify("/a").head, head_);
}

TEST_F(TamperTest, RewrittenAuthorName) {
  Tamper("UPDATE comments SET author_name = 'Mallory' WHERE id = " + std::to_string(c1_));
  ExpectFailed({c1_});
}

TEST_F(TamperTest, ResurrectedDeletedComment) {
  MustDelete(c3_);
  ASSERT_TRUE(Verify("/a").verified);
  Tamper("UPDATE comments SET state = 'approved', body_markdown = 'three' WHERE id = " +
         std::to_string(c3_));
  ExpectFailed({c3_});
}

TEST_F(TamperTest, ChangedLinkHash) {
  Tamper("UPDATE links SET hash = '" + std::string(64, 'f') + "' WHERE comment_id = " +
         std::to_string(c1_) + " AND n = 1");
  // Link 1 no longer hashes right (nor matches its row); link 2 no longer
  // points at it.
  ExpectFailed({c1_, c2_});
}

TEST_F(TamperTest, ChangedLinkBody) {
  Tamper("UPDATE links SET body_markdown = 'forged' WHERE comment_id = " + std::to_string(c3_));
  ExpectFailed({c3_});
}

TEST_F(TamperTest, RowAndLinkRewrittenTogether) {
  Tamper("UPDATE links SET body_markdown = 'forged' WHERE comment_id = " + std::to_string(c2_) +
         "; UPDATE comments SET body_markdown = 'forged' WHERE id = " + std::to_string(c2_));
  ExpectFailed({c2_});
}

TEST_F(TamperTest, RemovedLink) {
  Tamper("DELETE FROM links WHERE comment_id = " + std::to_string(c2_));
  ExpectFailed({c2_, c3_});
}

TEST_F(TamperTest, MovedPageHead) {
  Tamper("UPDATE pages SET chain_head = '" + std::string(64, '0') + "' WHERE key = '/a'");
  const auto v = Verify("/a");
  EXPECT_FALSE(v.verified);
  EXPECT_EQ(v.head, head_);
  EXPECT_EQ(v.failed_ids, std::vector<CommentId>{c3_});
}

TEST_F(TamperTest, SwappedVersions) {
  // Links 1 and 2 trade places (seq), each keeping its own hashes.
  Tamper("UPDATE links SET seq = -1 WHERE comment_id = " + std::to_string(c1_) +
         "; UPDATE links SET seq = 1 WHERE comment_id = " + std::to_string(c2_) +
         "; UPDATE links SET seq = 2 WHERE seq = -1");
  // Both swapped links break, and c3's link no longer follows the one before it.
  ExpectFailed({c1_, c2_, c3_});
}

TEST_F(TamperTest, ChangedAuthorOfAnEarlierVersion) {
  ASSERT_TRUE(Edit(c1_, Token(c1_), "one, edited").ok());
  ASSERT_TRUE(Verify("/a").verified);
  Tamper("UPDATE links SET author_name = 'Mallory' WHERE comment_id = " + std::to_string(c1_) +
         " AND n = 1");
  ExpectFailed({c1_});
}

// ---------------------------------------------------------------- erasure

class EraseTest : public TamperTest {
 protected:
  Result<EraseOutcome> Erase(CommentId id) {
    return Write([&](store::StoreSession& s) { return service_->Erase(s, id, "Root"); });
  }
};

TEST_F(EraseTest, EditedDeletedModeratedAndErasedPageStillVerifies) {
  ASSERT_TRUE(Edit(c1_, Token(c1_), "one, with my home address").ok());
  MustDelete(c3_);
  ASSERT_TRUE(Verify("/a").verified);
  auto out = Erase(c1_);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->page_key, "/a");
  EXPECT_FALSE(out->rechained);
  const auto v = Verify("/a");
  EXPECT_TRUE(v.verified) << ::testing::PrintToString(v.failed_ids);
  EXPECT_EQ(v.erased_ids, std::vector<CommentId>{c1_});
  // The comment (a tombstone: it has a reply) and every version lost the words.
  const auto c = Find(c1_);
  EXPECT_EQ(c->state, CommentState::kDeleted);
  EXPECT_EQ(c->author_name, std::nullopt);
  EXPECT_EQ(c->author_email, std::nullopt);
  EXPECT_EQ(c->client_address, "");
  EXPECT_EQ(c->body_markdown, "");
  EXPECT_TRUE(c->erased_at.has_value());
  for (const auto& l : PageLinks("/a")) {
    if (l.comment_id != c1_) continue;
    EXPECT_TRUE(l.erased);
    EXPECT_EQ(l.body_markdown, "");
    EXPECT_EQ(l.author_name, std::nullopt);
    EXPECT_EQ(l.content_hash.size(), 64u);
  }
  // The reply stays, with its words.
  EXPECT_EQ(Find(c2_)->body_markdown, "two");
  // Erasing again, or a deleted comment, still verifies.
  ASSERT_TRUE(Erase(c1_).ok());
  ASSERT_TRUE(Erase(c3_).ok());
  const auto again = Verify("/a");
  EXPECT_TRUE(again.verified);
  EXPECT_EQ(again.erased_ids, (std::vector<CommentId>{c1_, c3_}));
  // The audit log names who erased what.
  ReadTx tx(*s_);
  bool audited = false;
  for (const auto& e : s_->ListCommentAudit(c1_))
    audited |= e.action == "erase" && e.actor == "Root";
  EXPECT_TRUE(audited);
}

TEST_F(EraseTest, TamperingAfterErasureIsStillDetected) {
  ASSERT_TRUE(Erase(c2_).ok());
  ASSERT_TRUE(Verify("/a").verified);
  Tamper("UPDATE links SET content_hash = '" + std::string(64, 'a') +
         "' WHERE comment_id = " + std::to_string(c2_));
  ExpectFailed({c2_});
}

TEST_F(EraseTest, UnknownCommentIsNotFound) { ExpectError(Erase(999), ErrorCode::kNotFound); }

TEST_F(EraseTest, OldFormatPageIsRewrittenOnceThenErased) {
  // As a database from before format 2: every link hashed the words directly.
  {
    store::WriteTransaction tx(*s_);
    auto page = s_->FindPage("/a");
    auto links = s_->ListPageLinks(page->id);
    std::string prev = kZeroHash;
    for (auto& l : links) {
      l.format = 1;
      l.content_hash.clear();
      l.prev_hash = prev;
      l.hash = ComputeLinkHash("/a", l);
      prev = l.hash;
    }
    s_->RewritePageChain(page->id, links);
    tx.Commit();
  }
  Tamper(
      "UPDATE links SET format = 1, content_hash = '' WHERE page_id = "
      "(SELECT id FROM pages WHERE key = '/a')");
  ASSERT_TRUE(Verify("/a").verified);
  const std::string old_head = Verify("/a").head;
  auto out = Erase(c3_);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->rechained);
  const auto v = Verify("/a");
  EXPECT_TRUE(v.verified) << ::testing::PrintToString(v.failed_ids);
  EXPECT_NE(v.head, old_head);
  EXPECT_EQ(v.erased_ids, std::vector<CommentId>{c3_});
  for (const auto& l : PageLinks("/a")) EXPECT_EQ(l.format, 2);
}

TEST_F(CommentServiceTest, PositionIsStoredWithTheQuoteAndValidated) {
  PostRequest req = Req("/a", "I disagree");
  req.quote = Quote{"the river", "about ", " border"};
  req.position = TextPosition{10, 19};
  auto r = Post(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto c = Find(r->comment.id);
  ASSERT_TRUE(c->position.has_value());
  EXPECT_EQ(c->position->start, 10);
  EXPECT_EQ(c->position->end, 19);
  PostRequest no_quote = Req("/a", "x");
  no_quote.position = TextPosition{1, 2};
  ExpectError(Post(no_quote), ErrorCode::kInvalidField, "position");
  PostRequest backwards = req;
  backwards.position = TextPosition{19, 10};
  ExpectError(Post(backwards), ErrorCode::kInvalidField, "position");
  PostRequest negative = req;
  negative.position = TextPosition{-1, 10};
  ExpectError(Post(negative), ErrorCode::kInvalidField, "position");
}

TEST_F(CommentServiceTest, FirstPageOfAThreadCarriesTheChainStatus) {
  MustPost("/a", "one");
  const auto page = MustList("/a");
  ASSERT_TRUE(page.chain.has_value());
  EXPECT_TRUE(page.chain->verified);
  EXPECT_EQ(page.chain->length, 1);
  EXPECT_EQ(page.chain->head, FindPage("/a")->chain_head);
}

TEST_F(TamperTest, ThreadLineHashesOnlyNewLinksUntilAFullCheckFindsATamper) {
  // SetUp's full check left /a's chain remembered as verified.
  const auto before = MustList("/a").chain;
  ASSERT_TRUE(before && before->verified);
  EXPECT_EQ(before->length, 3);
  // A row of the verified part changed behind the service's back: the thread
  // line does not read it again (it checks what was written since)...
  Tamper("UPDATE comments SET body_markdown = 'x' WHERE id = " + std::to_string(c2_));
  EXPECT_TRUE(MustList("/a").chain->verified);
  // ...and new links are checked and extend what is remembered.
  const CommentId c4 = MustPost("/a", "four", c3_).comment.id;
  const auto grown = MustList("/a").chain;
  EXPECT_TRUE(grown->verified);
  EXPECT_EQ(grown->length, 4);
  EXPECT_EQ(grown->head, FindPage("/a")->chain_head);
  // A full check (/pages/verify, amur verify) reads everything, finds the
  // tamper and makes the thread line check in full again.
  ExpectFailed({c2_});
  const auto after = MustList("/a").chain;
  EXPECT_FALSE(after->verified);
  EXPECT_EQ(after->length, 4);
  // A new link that does not hash right is caught by the thread line itself.
  Tamper("UPDATE comments SET body_markdown = 'two' WHERE id = " + std::to_string(c2_));
  ASSERT_TRUE(Verify("/a").verified);
  ASSERT_TRUE(MustList("/a").chain->verified);
  const CommentId c5 = MustPost("/a", "five", c4).comment.id;
  Tamper("UPDATE links SET body_markdown = 'forged' WHERE comment_id = " + std::to_string(c5));
  EXPECT_FALSE(MustList("/a").chain->verified);
  ExpectFailed({c5});
}

TEST_F(EraseTest, ThreadLineAfterRewrittenHistoryAgreesWithAFullCheck) {
  ASSERT_TRUE(MustList("/a").chain->verified);
  // The chain rewritten as format 1 (as a database from before format 2):
  // every hash changes, so what the thread line remembered no longer fits.
  {
    store::WriteTransaction tx(*s_);
    auto page = s_->FindPage("/a");
    auto links = s_->ListPageLinks(page->id);
    std::string prev = kZeroHash;
    for (auto& l : links) {
      l.format = 1;
      l.content_hash.clear();
      l.prev_hash = prev;
      l.hash = ComputeLinkHash("/a", l);
      prev = l.hash;
    }
    s_->RewritePageChain(page->id, links);
    tx.Commit();
  }
  Tamper(
      "UPDATE links SET format = 1, content_hash = '' WHERE page_id = "
      "(SELECT id FROM pages WHERE key = '/a')");
  auto line = MustList("/a").chain;
  auto full = Verify("/a");
  ASSERT_TRUE(full.verified);
  EXPECT_TRUE(line->verified);
  EXPECT_EQ(line->head, full.head);
  // An erasure rechains it as format 2: new hashes again.
  ASSERT_TRUE(MustList("/a").chain->verified);
  ASSERT_TRUE(Erase(c3_).ok());
  line = MustList("/a").chain;
  full = Verify("/a");
  ASSERT_TRUE(full.verified);
  EXPECT_TRUE(line->verified);
  EXPECT_EQ(line->head, full.head);
  EXPECT_EQ(line->length, full.length);
}

}  // namespace
}  // namespace amur::service
