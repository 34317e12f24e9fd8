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
  // Take has something new or that the stream must end. `socket` is the
  // connection's descriptor: while the server waits (after a Take that
  // handed it nothing, until the next wake), the source may write whole
  // chunks to it itself, non-blocking, from any thread; what does not fit
  // goes through Take.
  virtual void Start(std::function<void()> wake, int socket) = 0;
  // Appends what to write next to `out` (with `heartbeat`, the heartbeat
  // when there is nothing else); true when the stream must end after
  // writing it (the consumer fell too far behind). Handing nothing lets the
  // source write to the socket itself again.
  virtual bool Take(std::vector<Chunk>& out, bool heartbeat) = 0;
  // The source writes nothing more to the socket once this returns; the
  // server calls it on the strand before closing the socket.
  virtual void Stop() = 0;
  // When the source last wrote to the socket itself (a heartbeat is due
  // HeartbeatEvery after the later of this and the server's last write).
  virtual std::chrono::steady_clock::time_point LastWrite() const = 0;
  // A heartbeat (Take's) is due this long after the last write.
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
