#include "http/response_cache.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace amur::http {
namespace {

std::shared_ptr<const CachedAnswer> Answer(const std::string& body) {
  return std::make_shared<const CachedAnswer>(
      CachedAnswer{body, MakeEtag(body), "application/json"});
}

TEST(ResponseCacheTest, MissOnEmptyCache) {
  ResponseCache cache(1 << 20);
  EXPECT_EQ(cache.Get("k", "/a"), nullptr);
  EXPECT_EQ(cache.Generation("/a"), 0u);
  EXPECT_EQ(cache.Entries(), 0u);
  EXPECT_EQ(cache.Bytes(), 0u);
}

TEST(ResponseCacheTest, GetAfterPut) {
  ResponseCache cache(1 << 20);
  const auto a = Answer("{\"comments\":[]}");
  cache.Put("/a|oldest", "/a", cache.Generation("/a"), a);
  const auto got = cache.Get("/a|oldest", "/a");
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got.get(), a.get());
  EXPECT_EQ(got->body, "{\"comments\":[]}");
  EXPECT_EQ(cache.Entries(), 1u);
  EXPECT_EQ(cache.Bytes(), std::string("{\"comments\":[]}").size() + std::string("/a|oldest").size());
  EXPECT_EQ(cache.Get("/a|newest", "/a"), nullptr);
}

TEST(ResponseCacheTest, InvalidateMakesEveryAnswerOfThePageStale) {
  ResponseCache cache(1 << 20);
  cache.Put("/a|oldest", "/a", 0, Answer("one"));
  cache.Put("/a|votes", "/a", 0, Answer("two"));
  cache.Put("/b|oldest", "/b", 0, Answer("three"));
  cache.Invalidate("/a");
  EXPECT_EQ(cache.Generation("/a"), 1u);
  EXPECT_EQ(cache.Generation("/b"), 0u);
  EXPECT_EQ(cache.Get("/a|oldest", "/a"), nullptr);
  EXPECT_EQ(cache.Get("/a|votes", "/a"), nullptr);
  ASSERT_NE(cache.Get("/b|oldest", "/b"), nullptr);
  EXPECT_EQ(cache.Get("/b|oldest", "/b")->body, "three");
  // Stale entries are dropped when found.
  EXPECT_EQ(cache.Entries(), 1u);
  EXPECT_EQ(cache.Bytes(), std::string("three").size() + std::string("/b|oldest").size());
}

TEST(ResponseCacheTest, InvalidatingAnyPageMakesSiteWideAnswersStale) {
  ResponseCache cache(1 << 20);
  const std::string site(kSiteWideScope);
  cache.Put("recent", site, cache.Generation(site), Answer("feed"));
  cache.Put("/b|oldest", "/b", 0, Answer("three"));
  ASSERT_NE(cache.Get("recent", site), nullptr);
  const auto before = cache.Generation(site);  // a site-wide reader starts...
  cache.Invalidate("/a");                      // ...any page changes...
  EXPECT_EQ(cache.Get("recent", site), nullptr);
  cache.Put("recent", site, before, Answer("stale"));  // ...its answer is dropped.
  EXPECT_EQ(cache.Get("recent", site), nullptr);
  EXPECT_NE(cache.Get("/b|oldest", "/b"), nullptr);  // other pages keep theirs
  // Invalidating the site-wide scope itself leaves the pages alone.
  cache.Invalidate(site);
  EXPECT_NE(cache.Get("/b|oldest", "/b"), nullptr);
  EXPECT_EQ(cache.Generation("/b"), 0u);
}

TEST(ResponseCacheTest, PutWithAnOldGenerationIsDropped) {
  ResponseCache cache(1 << 20);
  const auto before = cache.Generation("/a");  // a reader starts...
  cache.Invalidate("/a");                      // ...a writer commits meanwhile...
  cache.Put("/a|oldest", "/a", before, Answer("stale"));  // ...the reader stores.
  EXPECT_EQ(cache.Get("/a|oldest", "/a"), nullptr);
  EXPECT_EQ(cache.Entries(), 0u);
  EXPECT_EQ(cache.Bytes(), 0u);

  cache.Put("/a|oldest", "/a", cache.Generation("/a"), Answer("fresh"));
  ASSERT_NE(cache.Get("/a|oldest", "/a"), nullptr);
  EXPECT_EQ(cache.Get("/a|oldest", "/a")->body, "fresh");
}

TEST(ResponseCacheTest, StalePutDoesNotEvictTheFreshAnswer) {
  ResponseCache cache(1 << 20);
  const auto old_gen = cache.Generation("/a");
  cache.Invalidate("/a");
  cache.Put("/a|oldest", "/a", cache.Generation("/a"), Answer("fresh"));
  cache.Put("/a|oldest", "/a", old_gen, Answer("stale"));
  ASSERT_NE(cache.Get("/a|oldest", "/a"), nullptr);
  EXPECT_EQ(cache.Get("/a|oldest", "/a")->body, "fresh");
}

TEST(ResponseCacheTest, PutReplacesAndAccountsBytes) {
  ResponseCache cache(1 << 20);
  cache.Put("k", "/a", 0, Answer("0123456789"));
  EXPECT_EQ(cache.Bytes(), 11u);
  cache.Put("k", "/a", 0, Answer("01234"));
  EXPECT_EQ(cache.Bytes(), 6u);
  EXPECT_EQ(cache.Entries(), 1u);
  EXPECT_EQ(cache.Get("k", "/a")->body, "01234");
}

TEST(ResponseCacheTest, EvictsLeastRecentlyUsedByBytes) {
  // Each entry is 2 bytes of key + 30 of body = 32; 100 bytes hold three.
  ResponseCache cache(100);
  const std::string body(30, 'x');
  cache.Put("k1", "/p", 0, Answer(body));
  cache.Put("k2", "/p", 0, Answer(body));
  cache.Put("k3", "/p", 0, Answer(body));
  EXPECT_EQ(cache.Bytes(), 96u);
  EXPECT_EQ(cache.Entries(), 3u);
  ASSERT_NE(cache.Get("k1", "/p"), nullptr);  // k1 is now the most recent; k2 the least
  cache.Put("k4", "/p", 0, Answer(body));
  EXPECT_EQ(cache.Entries(), 3u);
  EXPECT_EQ(cache.Bytes(), 96u);
  EXPECT_EQ(cache.Get("k2", "/p"), nullptr);
  EXPECT_NE(cache.Get("k1", "/p"), nullptr);
  EXPECT_NE(cache.Get("k3", "/p"), nullptr);
  EXPECT_NE(cache.Get("k4", "/p"), nullptr);
  // A big answer pushes out as many as it needs, oldest-used first: k1 then k3.
  cache.Put("k5", "/p", 0, Answer(std::string(60, 'y')));
  EXPECT_EQ(cache.Get("k1", "/p"), nullptr);
  EXPECT_EQ(cache.Get("k3", "/p"), nullptr);
  EXPECT_NE(cache.Get("k4", "/p"), nullptr);
  EXPECT_NE(cache.Get("k5", "/p"), nullptr);
  EXPECT_EQ(cache.Bytes(), 32u + 62u);
}

TEST(ResponseCacheTest, AnswerLargerThanTheCacheIsNotStored) {
  ResponseCache cache(50);
  cache.Put("small", "/p", 0, Answer("abc"));
  cache.Put("big", "/p", 0, Answer(std::string(48, 'z')));  // 3 + 48 > 50
  EXPECT_EQ(cache.Get("big", "/p"), nullptr);
  EXPECT_NE(cache.Get("small", "/p"), nullptr);
  EXPECT_EQ(cache.Bytes(), 8u);
  // Exactly at the limit fits.
  cache.Put("big", "/p", 0, Answer(std::string(47, 'z')));
  EXPECT_NE(cache.Get("big", "/p"), nullptr);
  EXPECT_EQ(cache.Get("small", "/p"), nullptr);
  EXPECT_EQ(cache.Bytes(), 50u);
}

TEST(ResponseCacheTest, HandedOutAnswerOutlivesEviction) {
  ResponseCache cache(40);
  cache.Put("a", "/p", 0, Answer(std::string(30, 'a')));
  const auto held = cache.Get("a", "/p");
  cache.Put("b", "/p", 0, Answer(std::string(30, 'b')));
  EXPECT_EQ(cache.Get("a", "/p"), nullptr);
  ASSERT_NE(held, nullptr);
  EXPECT_EQ(held->body, std::string(30, 'a'));
}

TEST(MakeEtagTest, QuotedBlake2bOfTheBody) {
  // BLAKE2b with a 16-byte digest, computed independently (Python hashlib).
  EXPECT_EQ(MakeEtag("hello"), "\"46fb7408d4f285228f4af516ea25851b\"");
  EXPECT_EQ(MakeEtag(""), "\"cae66941d9efbd404e4d88758ea67670\"");
  EXPECT_NE(MakeEtag("hello"), MakeEtag("hello!"));
}

}  // namespace
}  // namespace amur::http
