// The importers against the fixtures under tests/fixtures/import, into a
// real SQLite store: states, votes, repairs, the hash chain, idempotence,
// the events, and what malformed files leave behind.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

#include "service/hash_chain.hpp"
#include "service/store_test_support.hpp"
#include "store/fault_injecting_store.hpp"
#include "transfer/import_writer.hpp"
#include "transfer/transfer.hpp"
#include "transfer/wordpress_import.hpp"

namespace amur::transfer {
namespace {

const std::filesystem::path kFixtures =
    std::filesystem::path(AMUR_SOURCE_DIR) / "tests/fixtures/import";

class ImportTest : public service::testing::StoreTest {
 protected:
  FakeClock clock_{service::testing::kT0};

  std::vector<Comment> All(const std::string& key) {
    auto page = s_->FindPage(key);
    if (!page) return {};
    return s_->ListAllComments(page->id);
  }
  void ExpectVerified() {
    for (const Page& p : s_->ListPages(0, 100)) {
      const auto report =
          service::VerifyChain(p, s_->ListPageLinks(p.id), s_->ListAllComments(p.id));
      EXPECT_TRUE(report.ok) << p.key;
    }
  }
  std::string Write(const std::string& name, const std::string& text) {
    const auto path = std::filesystem::path(db_path_).parent_path() / name;
    std::ofstream(path) << text;
    return path.string();
  }
};

TEST(WpDiscuzVotes, SeparateCountsWinAndNegativesCount) {
  auto v = WpDiscuzVotes("3", R"(a:2:{s:4:"like";i:5;s:7:"dislike";i:2;})");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->up, 5);
  EXPECT_EQ(v->down, 2);
  v = WpDiscuzVotes(std::nullopt, R"(a:2:{s:4:"like";i:1;s:7:"dislike";i:-4;})");
  EXPECT_EQ(v->down, 4);
  v = WpDiscuzVotes("-2", std::nullopt);
  EXPECT_EQ(v->up, 0);
  EXPECT_EQ(v->down, 2);
  v = WpDiscuzVotes("7", "a:2:{broken");
  EXPECT_EQ(v->up, 7);
  EXPECT_FALSE(WpDiscuzVotes("x", "y"));
  v = WpDiscuzVotes(std::nullopt, R"(a:2:{s:4:"like";s:1:"3";s:7:"dislike";s:1:"1";})");
  EXPECT_EQ(v->up, 3);
  EXPECT_EQ(v->down, 1);
}

TEST(PageKeyFromLink, PathKeepsTheQuerySoShortlinksStayApart) {
  EXPECT_EQ(PageKeyFromLink("https://news.example.org/2019/03/x/", PageKeyMode::kPath),
            "/2019/03/x/");
  EXPECT_EQ(PageKeyFromLink("https://news.example.org/?p=12", PageKeyMode::kPath), "/?p=12");
  EXPECT_EQ(PageKeyFromLink("https://news.example.org", PageKeyMode::kPath), "/");
  EXPECT_EQ(PageKeyFromLink(" https://news.example.org/a#c ", PageKeyMode::kUrl),
            "https://news.example.org/a");
  EXPECT_EQ(PageKeyFromLink("not a link", PageKeyMode::kPath), "");
}

TEST(ParseSqlDateTime, ReadsWordPressDatesAndRefusesTheZeroDate) {
  TimeMs t = 0;
  ASSERT_TRUE(ParseSqlDateTime("2019-03-04 10:15:02", &t));
  EXPECT_EQ(FormatRfc3339Ms(t), "2019-03-04T10:15:02.000Z");
  EXPECT_FALSE(ParseSqlDateTime("0000-00-00 00:00:00", &t));
  EXPECT_FALSE(ParseSqlDateTime("yesterday", &t));
}

TEST_F(ImportTest, WordPressFixtureKeepsStatesVotesAndRepairs) {
  const auto s =
      ImportWordPress(*store_, clock_, (kFixtures / "wordpress_wpdiscuz.xml").string(), {});
  ASSERT_EQ(s.error, "");
  EXPECT_EQ(s.pages, 4);
  EXPECT_EQ(s.comments, 14);
  EXPECT_EQ(s.by_state.at("approved"), 11);
  EXPECT_EQ(s.by_state.at("pending"), 1);
  EXPECT_EQ(s.by_state.at("spam"), 1);
  EXPECT_EQ(s.by_state.at("rejected"), 1);
  EXPECT_EQ(s.skipped, 3);   // pingback, empty, repeated id
  EXPECT_EQ(s.repaired, 4);  // orphan, no GMT date, no link, id 1 again in post 102

  const auto post = All("/2019/03/aigun-treaty/");
  ASSERT_EQ(post.size(), 11u);
  const Comment& ann = post[0];
  EXPECT_EQ(ann.author_name, "Ann Petrova");
  EXPECT_EQ(ann.author_email, "ann@example.com");
  EXPECT_EQ(ann.upvotes, 5);
  EXPECT_EQ(ann.downvotes, 2);
  EXPECT_EQ(FormatRfc3339Ms(ann.created_at), "2019-03-04T10:15:02.000Z");
  EXPECT_NE(ann.body_html.find("<a href=\"https://archive.example.org/aigun\""), std::string::npos);
  EXPECT_EQ(post[1].parent_id, ann.id);
  EXPECT_EQ(post[1].downvotes, 2);
  // The reply listed before its parent hangs under it.
  auto early = std::find_if(post.begin(), post.end(),
                            [](const Comment& c) { return c.author_name == "Early Reply"; });
  auto late = std::find_if(post.begin(), post.end(),
                           [](const Comment& c) { return c.author_name == "Late Parent"; });
  ASSERT_NE(early, post.end());
  ASSERT_NE(late, post.end());
  EXPECT_EQ(early->parent_id, late->id);
  auto orphan = std::find_if(post.begin(), post.end(),
                             [](const Comment& c) { return c.author_name == "Orphan"; });
  ASSERT_NE(orphan, post.end());
  EXPECT_FALSE(orphan->parent_id);
  EXPECT_EQ(orphan->moderation_reasons, std::vector<std::string>{"import_orphan"});
  // The orphan keeps its place in time, between its neighbours.
  EXPECT_LT(orphan->id, std::find_if(post.begin(), post.end(), [](const Comment& c) {
                          return c.author_name == "Spacey Name";
                        })->id);
  EXPECT_EQ(All("/?p=102").size(), 1u);
  EXPECT_TRUE(std::any_of(s.issues.begin(), s.issues.end(), [](const ImportIssue& i) {
    return !i.skipped && i.item == "comment 1" &&
           i.reason.find("used in an earlier post") != std::string::npos;
  }));
  EXPECT_EQ(All("/?p=103").size(), 1u);
  EXPECT_EQ(All("/?p=104").size(), 1u);
  EXPECT_TRUE(s_->FindPage("/?p=102")->closed);
  ExpectVerified();

  // One page.imported per page, staff only; no comment events.
  const auto events = s_->ListEvents(0, 100, false);
  ASSERT_EQ(events.size(), 4u);
  for (const Event& e : events) {
    EXPECT_EQ(e.type, "page.imported");
    EXPECT_EQ(e.visibility, EventVisibility::kStaff);
  }

  // A second run changes nothing.
  const auto again =
      ImportWordPress(*store_, clock_, (kFixtures / "wordpress_wpdiscuz.xml").string(), {});
  EXPECT_EQ(again.error, "");
  EXPECT_EQ(again.comments, 0);
  EXPECT_EQ(s_->ListEvents(0, 100, false).size(), 4u);
  EXPECT_EQ(All("/2019/03/aigun-treaty/").size(), 11u);
}

TEST_F(ImportTest, StrictStopsAtTheFirstIssueKeepingNothingOfItsBatch) {
  ImportOptions o;
  o.strict = true;
  const auto s =
      ImportWordPress(*store_, clock_, (kFixtures / "wordpress_wpdiscuz.xml").string(), o);
  EXPECT_NE(s.error.find("(--strict)"), std::string::npos) << s.error;
  EXPECT_TRUE(s_->ListPages(0, 10).empty());
}

TEST_F(ImportTest, DisqusFixtureKeepsDeletedSpamAnonymousAndLaterParents) {
  const auto s = ImportDisqus(*store_, clock_, (kFixtures / "disqus.xml").string(), {});
  ASSERT_EQ(s.error, "");
  EXPECT_EQ(s.comments, 6);
  EXPECT_EQ(s.skipped, 2);   // thread not in the file, repeated id
  EXPECT_EQ(s.repaired, 1);  // missing parent
  const auto drift = All("/2020/05/ice-drift/");
  ASSERT_EQ(drift.size(), 5u);
  EXPECT_EQ(drift[0].body_markdown,
            "The ice went out on **April 28** this year.\n\nSee [the "
            "gauges](https://river.example.org/gauges).");
  EXPECT_EQ(drift[1].state, CommentState::kDeleted);
  EXPECT_FALSE(drift[1].author_name);
  EXPECT_EQ(drift[1].body_markdown, "");
  EXPECT_EQ(drift[2].parent_id, drift[1].id);
  EXPECT_EQ(drift[2].author_name, "Guest Reader");
  EXPECT_EQ(drift[3].state, CommentState::kSpam);
  EXPECT_FALSE(drift[4].author_name);  // anonymous without a name: Guest
  EXPECT_TRUE(s_->FindPage("/?p=77")->closed);
  EXPECT_EQ(s_->FindPage("/2020/05/ice-drift/")->title, "Ice drift on the Amur & the Zeya");
  ExpectVerified();
}

TEST_F(ImportTest, MalformedFilesStopWithAPositionAndKeepNothing) {
  const std::string head =
      "<?xml version=\"1.0\"?>\n<rss xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel>";
  const std::string item =
      "<item><link>https://x.org/a</link><wp:comment><wp:comment_id>1</wp:comment_id>"
      "<wp:comment_date_gmt>2019-01-01 00:00:00</wp:comment_date_gmt><wp:comment_content>hi"
      "</wp:comment_content><wp:comment_approved>1</wp:comment_approved></wp:comment></item>";
  const std::pair<std::string, std::string> cases[] = {
      {"truncated", head + item + "<item><link>https://x.org/b</li"},
      {"not xml", "just text"},
      {"bad utf-8", head + "<item><title>\xff\xfe</title>" + item.substr(6) + "</channel></rss>"},
      {"entity bomb",
       "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b "
       "\"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>"
       "<rss><channel><item><title>&c;</title></item></channel></rss>"},
      {"xxe",
       "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
       "<rss><channel><item><title>&x;</title></item></channel></rss>"},
  };
  for (const auto& [name, text] : cases) {
    const auto s = ImportWordPress(*store_, clock_, Write("bad.xml", text), {});
    EXPECT_NE(s.error, "") << name;
    EXPECT_NE(s.error.find("bad.xml:"), std::string::npos) << name << ": " << s.error;
    EXPECT_TRUE(s_->ListPages(0, 10).empty()) << name;
  }
}

TEST_F(ImportTest, AnInterruptedImportResumes) {
  const std::string head =
      "<?xml version=\"1.0\"?>\n<rss xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel>";
  std::string items;
  for (int i = 1; i <= 200; ++i) {
    items += "<item><link>https://x.org/" + std::to_string(i) + "</link><wp:post_id>" +
             std::to_string(i) +
             "</wp:post_id><wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_date_gmt>"
             "2019-01-01 00:00:00</wp:comment_date_gmt><wp:comment_content>hi</wp:comment_content>"
             "<wp:comment_approved>1</wp:comment_approved></wp:comment></item>\n";
  }
  ImportOptions o;
  o.batch_size = 2;
  // Cut inside the 150th post: 149 whole posts come before the cut.
  const std::string cut = items.substr(0, items.find("<item><link>https://x.org/150<")) +
                          "<item><link>https://x.org/150</li";
  const auto broken = ImportWordPress(*store_, clock_, Write("a.xml", head + cut), o);
  EXPECT_NE(broken.error, "");
  // Whole batches of two were committed (at most the 148 before the cut:
  // the 149th waits in a batch the error drops); none half.
  const auto kept = static_cast<std::int64_t>(s_->ListPages(0, 1000).size());
  EXPECT_GT(kept, 0);
  EXPECT_LE(kept, 148);
  EXPECT_EQ(kept % 2, 0);
  const auto resumed =
      ImportWordPress(*store_, clock_, Write("a.xml", head + items + "</channel></rss>"), o);
  EXPECT_EQ(resumed.error, "");
  EXPECT_EQ(resumed.comments, 200 - kept);
  EXPECT_EQ(resumed.already, kept);
  EXPECT_EQ(s_->ListPages(0, 1000).size(), 200u);
}

// The database writes run on their own thread (ImportPipeline) while the
// file is still being read: when a commit fails there, the import stops
// without waiting on a full queue, keeps nothing of that batch, and counts
// nothing the reader found after the failure.
TEST_F(ImportTest, AFailedCommitOnTheWriterThreadStopsTheWholeImport) {
  std::string items;
  for (int i = 1; i <= 3000; ++i) {
    // Every post's second comment has no date: an issue found by the reader.
    items += "<item><link>https://x.org/" + std::to_string(i) + "</link><wp:post_id>" +
             std::to_string(i) +
             "</wp:post_id><wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_date_gmt>"
             "2019-01-01 00:00:00</wp:comment_date_gmt><wp:comment_content>hi</wp:comment_content>"
             "<wp:comment_approved>1</wp:comment_approved></wp:comment><wp:comment>"
             "<wp:comment_id>2</wp:comment_id><wp:comment_content>x</wp:comment_content>"
             "</wp:comment></item>\n";
  }
  const std::string file =
      Write("f.xml",
            "<?xml version=\"1.0\"?>\n<rss xmlns:wp=\"http://wordpress.org/export/1.2/\">"
            "<channel>" +
                items + "</channel></rss>");
  auto plan = std::make_shared<store::FaultPlan>();
  auto faulty = store::WrapWithFaults(store::OpenSqliteStore(db_path_), plan);
  plan->FailNext(store::FaultPoint::kCommit);
  ImportOptions o;
  o.batch_size = 100;
  const auto s = ImportWordPress(*faulty, clock_, file, o);
  EXPECT_EQ(s.error.rfind("database: ", 0), 0u) << s.error;
  EXPECT_EQ(plan->Injected(), 1);
  EXPECT_TRUE(s_->ListPages(0, 10).empty());
  // What the summary counts stops at the failed batch: 100 comments, and the
  // 100 dateless ones found on the way.
  EXPECT_EQ(s.comments, 100);
  EXPECT_EQ(s.skipped, 100);
  // The same file again, without the fault, imports everything.
  const auto again = ImportWordPress(*store_, clock_, file, o);
  EXPECT_EQ(again.error, "");
  EXPECT_EQ(again.comments, 3000);
  EXPECT_EQ(again.skipped, 3000);
}

// The page's head moves once per page and batch (ChainStore::AppendLinks): it
// must still end on the page's last link, with active_at the latest time of
// all, when a reply placed after its later parent is older than it, and
// across batches.
TEST_F(ImportTest, ThePageHeadEndsOnTheLastLinkAndTheLatestTime) {
  const std::string head =
      "<?xml version=\"1.0\"?>\n<rss xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel>";
  auto comment = [](int id, int parent, const std::string& time) {
    return "<wp:comment><wp:comment_id>" + std::to_string(id) +
           "</wp:comment_id><wp:comment_parent>" + std::to_string(parent) +
           "</wp:comment_parent><wp:comment_date_gmt>2019-01-01 " + time +
           "</wp:comment_date_gmt><wp:comment_content>c" + std::to_string(id) +
           "</wp:comment_content><wp:comment_approved>1</wp:comment_approved></wp:comment>";
  };
  // Comment 2 (10:00) answers comment 3 (12:00): it waits, and is placed
  // after it, last in the chain but not the latest.
  const std::string a = head + "<item><link>https://x.org/a</link><wp:post_id>1</wp:post_id>" +
                        comment(1, 0, "09:00:00") + comment(2, 3, "10:00:00") +
                        comment(3, 0, "12:00:00") + "</item></channel></rss>";
  ASSERT_EQ(ImportWordPress(*store_, clock_, Write("a.xml", a), {}).error, "");
  std::string b = head + "<item><link>https://x.org/b</link><wp:post_id>2</wp:post_id>";
  for (int i = 1; i <= 5; ++i) b += comment(10 + i, 0, "0" + std::to_string(i) + ":00:00");
  b += "</item></channel></rss>";
  ImportOptions two;
  two.batch_size = 2;
  ASSERT_EQ(ImportWordPress(*store_, clock_, Write("b.xml", b), two).error, "");

  TimeMs noon = 0, five = 0;
  ASSERT_TRUE(ParseSqlDateTime("2019-01-01 12:00:00", &noon));
  ASSERT_TRUE(ParseSqlDateTime("2019-01-01 05:00:00", &five));
  for (const auto& [key, count, latest] : {std::tuple{"/a", 3, noon}, std::tuple{"/b", 5, five}}) {
    const auto page = s_->FindPage(key);
    ASSERT_TRUE(page) << key;
    const auto links = s_->ListPageLinks(page->id);
    ASSERT_EQ(links.size(), static_cast<std::size_t>(count)) << key;
    EXPECT_EQ(page->chain_len, count) << key;
    EXPECT_EQ(page->chain_head, links.back().hash) << key;
    EXPECT_EQ(page->active_at, latest) << key;
  }
  EXPECT_EQ(All("/a").back().body_markdown, "c2");  // the reply came last
  ExpectVerified();
}

TEST_F(ImportTest, RemapMovesKeysAndUrlsAndRecomputesTheChain) {
  ASSERT_EQ(ImportDisqus(*store_, clock_, (kFixtures / "disqus.xml").string(), {}).error, "");
  std::string error;
  auto dry = Remap(*store_, clock_, "/2020/", "/archive/2020/", true, &error);
  ASSERT_EQ(error, "");
  ASSERT_EQ(dry.size(), 1u);
  EXPECT_TRUE(s_->FindPage("/2020/05/ice-drift/"));
  auto moved = Remap(*store_, clock_, "/2020/", "/archive/2020/", false, &error);
  ASSERT_EQ(error, "");
  EXPECT_FALSE(s_->FindPage("/2020/05/ice-drift/"));
  ASSERT_TRUE(s_->FindPage("/archive/2020/05/ice-drift/"));
  EXPECT_EQ(All("/archive/2020/05/ice-drift/").size(), 5u);
  ExpectVerified();
  // URLs too, without touching keys that do not match.
  Remap(*store_, clock_, "https://news.example.org/", "https://example.com/news/", false, &error);
  EXPECT_EQ(s_->FindPage("/?p=77")->url, "https://example.com/news/?p=77");
  const auto events = s_->ListEvents(0, 100, false);
  EXPECT_EQ(events.back().type, "page.moved");
}

TEST_F(ImportTest, AmurExportRoundTripsIntoAnEmptyDatabaseOnly) {
  ASSERT_EQ(
      ImportWordPress(*store_, clock_, (kFixtures / "wordpress_wpdiscuz.xml").string(), {}).error,
      "");
  std::ostringstream out;
  std::string error;
  const auto counts = ExportAmur(*store_, clock_, "e1", out, &error);
  ASSERT_EQ(error, "");
  EXPECT_EQ(counts.at("comment"), 14);
  const std::string path = Write("export.jsonl", out.str());
  // Not into a database that holds something else.
  EXPECT_NE(ImportAmur(*store_, clock_, path, {}).error.find("not empty"), std::string::npos);

  auto fresh_dir = std::filesystem::path(db_path_).parent_path() / "fresh";
  auto fresh = store::OpenSqliteStore((fresh_dir / "amur.db").string());
  fresh->Migrate();
  const auto s = ImportAmur(*fresh, clock_, path, {});
  ASSERT_EQ(s.error, "");
  std::ostringstream again;
  ExportAmur(*fresh, clock_, "e1", again, &error);
  auto body = [](const std::string& text) { return text.substr(text.find('\n')); };
  EXPECT_EQ(body(again.str()), body(out.str()));
  // Again: nothing new.
  EXPECT_EQ(ImportAmur(*fresh, clock_, path, {}).comments, 0);
}

}  // namespace
}  // namespace amur::transfer
