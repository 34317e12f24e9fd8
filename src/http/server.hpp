// The HTTP/1.1 server: Boost.Beast on Asio, one coroutine per connection,
// keep-alive, limits on header and body size, a deadline per request, and a
// graceful shutdown that finishes in-flight requests.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <set>

#include "http/message.hpp"

namespace amur::http {

struct ServerOptions {
  std::size_t max_body_bytes = 64 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds request_timeout{30'000};
};

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
