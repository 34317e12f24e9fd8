// The request and response types handlers see. Heavy Beast headers stay in
// src/http; nothing outside it includes this file.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "http/response_cache.hpp"

namespace amur::http {

namespace beast_http = boost::beast::http;

struct Request {
  beast_http::request<beast_http::string_body> message;
  boost::asio::ip::address peer;  // the socket's peer
};

struct Response {
  beast_http::status status = beast_http::status::ok;
  std::string content_type;
  std::string body;
  // When set, the body is this shared, cached answer (no copy).
  std::shared_ptr<const CachedAnswer> cached;
  std::vector<std::pair<std::string, std::string>> headers;
  bool close = false;  // close the connection after this response

  std::string_view BodyView() const { return cached ? std::string_view(cached->body) : body; }
};

using RequestHandler = std::function<boost::asio::awaitable<Response>(Request&)>;

}  // namespace amur::http
