#include "http/feeds.hpp"

#include <map>

#include "http/db_await.hpp"
#include "http/error_mapping.hpp"
#include "http/routes.hpp"
#include "render/atom_feed.hpp"
#include "service/comment_service.hpp"

namespace amur::http {

namespace asio = boost::asio;
using store::StoreSession;
using FeedResult = Result<std::shared_ptr<const CachedAnswer>>;

namespace {

constexpr const char* kAtomType = "application/atom+xml; charset=utf-8";

std::shared_ptr<const CachedAnswer> Cacheable(std::string body) {
  auto answer = std::make_shared<CachedAnswer>();
  answer->body = std::move(body);
  answer->etag = MakeEtag(answer->body);
  answer->content_type = kAtomType;
  return answer;
}

}  // namespace

Feeds::Feeds(HttpDeps& deps) : d_(deps) {
  Metrics& m = *d_.metrics;
  hits_ = &m.AddCounter("amur_feed_cache_total", "Feed reads by cache outcome.", "outcome=\"hit\"");
  misses_ =
      &m.AddCounter("amur_feed_cache_total", "Feed reads by cache outcome.", "outcome=\"miss\"");
}

asio::awaitable<Response> Feeds::PageFeed(const Request& req, const Params& params) {
  const auto page = FirstParam(params, "page");
  if (!page) {
    co_return ErrorResponse(MakeError(ErrorCode::kMissingField, "page is required.", "page"));
  }
  if (auto st = service::ValidatePageKey(*page, "page"); !st) co_return ErrorResponse(st.error());
  const std::string key = "atom|page|" + *page;
  const std::int64_t seen = SeenSeq(req);
  auto cached = d_.NodeBehind(seen) ? nullptr : d_.cache->Get(key, *page);
  if (!cached) {
    misses_->Inc();
    const std::uint64_t generation = d_.cache->Generation(*page);
    const std::function<FeedResult(StoreSession&)> job =
        [page_key = *page, public_url = d_.public_url](StoreSession& s) -> FeedResult {
      const auto p = s.FindPage(page_key);
      if (!p) return MakeError(ErrorCode::kNotFound, "No comments were ever posted to this page.");
      const auto comments = s.ListNewestApproved(p->id, render::kFeedEntries);
      return Cacheable(render::RenderPageFeed(public_url, *p, comments));
    };
    FeedResult computed = co_await RoutedReadResult(*d_.db, "a page's feed", seen, job);
    if (!computed) co_return ErrorResponse(computed.error());
    cached = *computed;
    d_.cache->Put(key, *page, generation, cached);
  } else {
    hits_->Inc();
  }
  co_return Answer(req, std::move(cached));
}

asio::awaitable<Response> Feeds::RecentFeed(const Request& req) {
  const std::string key = "atom|recent";
  const std::string scope(kSiteWideScope);
  const std::int64_t seen = SeenSeq(req);
  auto cached = d_.NodeBehind(seen) ? nullptr : d_.cache->Get(key, scope);
  if (!cached) {
    misses_->Inc();
    const std::uint64_t generation = d_.cache->Generation(scope);
    const std::function<FeedResult(StoreSession&)> job =
        [public_url = d_.public_url](StoreSession& s) -> FeedResult {
      const auto comments = s.ListNewestApproved(std::nullopt, render::kFeedEntries);
      std::map<PageId, Page> pages;
      std::vector<render::FeedComment> items;
      items.reserve(comments.size());
      for (const Comment& c : comments) {
        auto it = pages.find(c.page_id);
        if (it == pages.end()) {
          auto p = s.FindPageById(c.page_id);
          if (!p) continue;  // cannot happen: comments belong to pages
          it = pages.emplace(c.page_id, std::move(*p)).first;
        }
        items.push_back({&c, &it->second});
      }
      return Cacheable(render::RenderRecentFeed(public_url, items));
    };
    FeedResult computed = co_await RoutedReadResult(*d_.db, "the site's feed", seen, job);
    if (!computed) co_return ErrorResponse(computed.error());
    cached = *computed;
    d_.cache->Put(key, scope, generation, cached);
  } else {
    hits_->Inc();
  }
  co_return Answer(req, std::move(cached));
}

Response Feeds::Answer(const Request& req, std::shared_ptr<const CachedAnswer> feed) {
  Response r;
  r.content_type = feed->content_type;
  r.headers.emplace_back("ETag", feed->etag);
  // Feed readers poll: a shared cache may keep a feed for a minute, then
  // revalidates it with the ETag.
  r.headers.emplace_back("Cache-Control", "public, max-age=60");
  const std::string_view inm = Header(req, "If-None-Match");
  if (!inm.empty() && (inm == feed->etag || inm == "W/" + feed->etag || inm == "*")) {
    r.status = beast_http::status::not_modified;
    r.content_type.clear();
    return r;
  }
  r.cached = std::move(feed);
  return r;
}

}  // namespace amur::http
