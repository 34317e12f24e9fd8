// The HTTP/1.1 server: Boost.Beast on Asio, one coroutine per connection,
// keep-alive, limits on header and body size, a deadline per request, and a
// graceful shutdown that finishes in-flight requests.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/span_body.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <set>

#include "http/message.hpp"

namespace amur::http {

struct ServerOptions {
  std::size_t max_body_bytes = 64 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds request_timeout{30'000};
};

// The parts of reading and answering a request that do not touch the socket,
// shared by HttpServer and the fuzz target of tests/fuzz (which feeds them
// bytes from memory).

using RequestParser = beast_http::request_parser<beast_http::string_body>;
using WireResponse = beast_http::response<beast_http::span_body<const char>>;

// The size of a connection's read buffer: the parser keeps at most one
// unparsed element there (the header, a chunk-size line with its extensions,
// or the trailer section; body bytes are moved out as they arrive), so a
// line that never ends is cut off at this size with buffer_overflow instead
// of growing without limit. It also keeps every trailer field below Beast's
// 64 KiB per-field maximum.
std::size_t ReadBufferBytes(const ServerOptions& options);

// Sets the header and body limits of `options` on a new parser.
void LimitParser(RequestParser& parser, const ServerOptions& options);

// What to do after reading a request's header or its body.
struct ReadVerdict {
  bool close_quietly = false;      // the peer left or timed out: close, answer nothing
  std::optional<Response> answer;  // answer this (and close) without calling the handler
  bool proceed() const { return !close_quietly && !answer; }
};

// After async_read_header ended with `ec` into `parser`: the 4xx answer for
// a header too large, a body announced too large, a request that is not
// HTTP/1.1 or lacks Host; close_quietly when the peer left; proceed otherwise.
ReadVerdict AfterHeader(const boost::system::error_code& ec, const RequestParser& parser,
                        const ServerOptions& options);

// After async_read of the body ended with `ec`: 413 past the body limit, 431
// for an oversized chunk line or trailer, 400 for another parse error,
// close_quietly when the peer left; proceed when `ec` is empty.
ReadVerdict AfterBody(const boost::system::error_code& ec);

// The message written for `response`: status, Server, Content-Type, the
// handler's headers, the body (viewed, not copied: `response` must outlive
// it), keep-alive and Content-Length.
WireResponse ToWire(const Response& response, unsigned version, bool keep_alive);

class HttpServer final {
 public:
  // Binds and listens at once; throws std::system_error when it cannot.
  HttpServer(boost::asio::io_context& ioc, const boost::asio::ip::tcp::endpoint& at,
             ServerOptions options, RequestHandler handler);
  ~HttpServer();

  // The bound port (useful with port 0).
  unsigned short port() const;

  // Starts accepting connections.
  void Start();

  // Stops accepting, closes idle connections, and lets busy ones finish
  // their current request. Thread-safe; returns at once.
  void Shutdown();

  // Number of open connections.
  std::size_t Connections() const;

 private:
  struct Connection;
  boost::asio::awaitable<void> AcceptLoop();
  // Serves one connection until it closes; catches every exception, so a
  // connection ends alone, and removes it from connections_.
  boost::asio::awaitable<void> Serve(std::shared_ptr<Connection> conn);
  boost::asio::awaitable<void> ServeRequests(Connection& conn);

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  ServerOptions options_;
  RequestHandler handler_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;
  std::set<std::shared_ptr<Connection>> connections_;
};

}  // namespace amur::http
