// The JSON API of API.md: comments, versions, votes, counts, page
// verification and health. Each method validates its input at the edge, runs
// database work on the DbExecutor, and answers per the contract.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <string>

#include "core/metrics.hpp"
#include "http/message.hpp"
#include "http/request_parsing.hpp"
#include "service/comment_service.hpp"

namespace amur::http {
struct HttpDeps;
}

namespace amur::http::api {

class CommentsApi final {
 public:
  explicit CommentsApi(HttpDeps& deps);

  boost::asio::awaitable<Response> List(const Request& req, const Params& params);
  boost::asio::awaitable<Response> Create(const Request& req, std::string client);
  boost::asio::awaitable<Response> Edit(const Request& req, std::string id);
  boost::asio::awaitable<Response> Delete(const Request& req, std::string id);
  boost::asio::awaitable<Response> Versions(std::string id);
  boost::asio::awaitable<Response> Vote(const Request& req, std::string id, std::string client);
  boost::asio::awaitable<Response> Counts(const Request& req, const Params& params);
  boost::asio::awaitable<Response> Verify(const Params& params);
  // GET /api/v1/pages/head?page=KEY: the stored chain head and length.
  boost::asio::awaitable<Response> Head(const Params& params);
  boost::asio::awaitable<Response> Health();

 private:
  // The edit token or the signed-in user of a PATCH or DELETE.
  boost::asio::awaitable<Result<service::Credential>> Credentials(const Request& req);

  HttpDeps& d_;
  Counter* cache_hits_;
  Counter* cache_misses_;
  Counter* not_modified_;
  Counter* posted_;
  Counter* rate_limited_;
};

}  // namespace amur::http::api
