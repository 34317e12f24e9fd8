// The Atom feeds: GET /feeds/comments.atom?page=KEY (one page's newest
// approved comments) and GET /feeds/recent.atom (the whole site's). Answers
// come from the response cache while nothing changed (the page's feed is
// stale after any event about the page, the site's after any event about any
// page: kSiteWideScope); a miss reads and renders on the DbExecutor.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "core/metrics.hpp"
#include "http/message.hpp"
#include "http/request_parsing.hpp"

namespace amur::http {

struct HttpDeps;

class Feeds final {
 public:
  explicit Feeds(HttpDeps& deps);

  // 200 application/atom+xml with ETag (304 on a matching If-None-Match);
  // 400 for a missing or invalid page key; 404 not_found for a page that
  // does not exist (no comment was ever posted to it).
  boost::asio::awaitable<Response> PageFeed(const Request& req, const Params& params);

  // 200 application/atom+xml with ETag (304 on a matching If-None-Match).
  boost::asio::awaitable<Response> RecentFeed(const Request& req);

 private:
  Response Answer(const Request& req, std::shared_ptr<const CachedAnswer> feed);

  HttpDeps& d_;
  Counter* hits_;
  Counter* misses_;
};

}  // namespace amur::http
