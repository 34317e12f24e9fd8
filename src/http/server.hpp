// The HTTP/1.1 server: Boost.Beast on Asio, one coroutine per connection,
// keep-alive, limits on header and body size, deadlines for a request's header,
// for the whole request and for idling between requests, caps on connections
// in total and per client network (ConnectionLimits), and a graceful shutdown
// that finishes in-flight requests and ends streamed responses (server-sent
// events; see Response::stream).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/span_body.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_map>

#include "http/connection_limits.hpp"
#include "http/message.hpp"

namespace amur::http {

struct ServerOptions {
  std::size_t max_body_bytes = 64 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  // From the first byte of a request (or the connection's opening) until
  // its whole header is in; never more than request_timeout.
  std::chrono::milliseconds header_timeout{10'000};
  // From the first byte of a request until its body is in.
  std::chrono::milliseconds request_timeout{30'000};
  // Idling between two requests on a kept-alive connection.
  std::chrono::milliseconds keep_alive_timeout{30'000};
  std::size_t max_connections = 1024;
  std::size_t max_connections_per_network = 256;  // 0: no cap per network
  // Peers whose connections count only towards the total (trusted proxies,
  // which carry many clients); null: every peer is counted per network.
  std::function<bool(const boost::asio::ip::address&)> uncounted_peer;
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

// The header written before a streamed response's body (Response::stream):
// status, Server, Content-Type, the handler's headers, Connection: close and
// no Content-Length (the body ends when the connection closes).
using StreamHeader = beast_http::response<beast_http::empty_body>;
StreamHeader StreamHeaderOf(const Response& response, unsigned version);

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

  // Connections closed to make room for others, and refused, since the start.
  std::uint64_t ShedConnections() const { return shed_total_; }
  std::uint64_t RefusedConnections() const { return refused_total_; }

 private:
  struct Connection;
  boost::asio::awaitable<void> AcceptLoop();
  // Serves one connection until it closes; catches every exception, so a
  // connection ends alone, and removes it from connections_.
  boost::asio::awaitable<void> Serve(std::shared_ptr<Connection> conn);
  boost::asio::awaitable<void> ServeRequests(Connection& conn);
  // Writes a streamed response's body until the source ends it, the peer
  // leaves, a write fails or the server shuts down.
  boost::asio::awaitable<void> Stream(Connection& conn, std::shared_ptr<StreamSource> source);
  // Records that `conn` entered `phase`; false when it was shed meanwhile.
  bool Enter(Connection& conn, ConnectionPhase phase);
  // Closes a shed connection on its own strand. Call with mu_ held.
  void CloseShedLocked(ConnectionLimits::Id id);

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  ServerOptions options_;
  RequestHandler handler_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> shed_total_{0};
  std::atomic<std::uint64_t> refused_total_{0};
  std::atomic<std::int64_t> last_limit_warning_ms_{-1'000'000};
  mutable std::mutex mu_;
  ConnectionLimits::Id next_id_ = 1;
  ConnectionLimits limits_;
  std::unordered_map<ConnectionLimits::Id, std::shared_ptr<Connection>> connections_;
};

}  // namespace amur::http
