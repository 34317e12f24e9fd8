// The request and response types handlers see. Heavy Beast headers stay in
// src/http; nothing outside it includes this file.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
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

// The body of a streamed response (server-sent events): the server writes
// the header, releases the request's buffers, and then writes what Take
// hands it for as long as the connection lasts. The connection's request and
// keep-alive deadlines do not apply to it; each write has request_timeout.
class StreamSource {
 public:
  using Chunk = std::shared_ptr<const std::string>;
  virtual ~StreamSource() = default;
  // Called once, on the connection's strand, before the first Take: `wake`
  // (callable from any thread, cheap, never blocks) tells the server that
  // Take has something new or that the stream must end.
  virtual void Start(std::function<void()> wake) = 0;
  // Appends what to write next to `out`; true when the stream must end
  // after writing it (the consumer fell too far behind).
  virtual bool Take(std::vector<Chunk>& out) = 0;
  // Written after `heartbeat` without any other write (an SSE comment line).
  virtual Chunk Heartbeat() const = 0;
  virtual std::chrono::milliseconds HeartbeatEvery() const = 0;
};

struct Response {
  beast_http::status status = beast_http::status::ok;
  std::string content_type;
  std::string body;
  // When set, the body is this shared, cached answer (no copy).
  std::shared_ptr<const CachedAnswer> cached;
  std::vector<std::pair<std::string, std::string>> headers;
  bool close = false;  // close the connection after this response
  // When set, a streamed response: the header (no Content-Length, the
  // connection closes at its end), then this source's chunks.
  std::shared_ptr<StreamSource> stream;

  std::string_view BodyView() const { return cached ? std::string_view(cached->body) : body; }
};

using RequestHandler = std::function<boost::asio::awaitable<Response>(Request&)>;

}  // namespace amur::http
