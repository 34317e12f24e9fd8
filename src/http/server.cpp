#include "http/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>

#include "core/network_key.hpp"
#include "core/result.hpp"

namespace amur::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

struct HttpServer::Connection {
  Connection(tcp::socket s, ConnectionLimits::Id i) : stream(std::move(s)), id(i) {}
  beast::tcp_stream stream;
  const ConnectionLimits::Id id;
  bool busy = false;       // touched only on the connection's strand
  bool streaming = false;  // writing a streamed response (on the strand)
  // The streamed response's source while streaming (on the strand); it is
  // stopped before the socket is closed.
  std::shared_ptr<StreamSource> source;
};

namespace {

// Room in a connection's read buffer beyond the header limit (see
// ReadBufferBytes).
constexpr std::size_t kBufferSlack = 16 * 1024;
// The first read of a request; the parser grows the buffer from there.
constexpr std::size_t kFirstRead = 1024;

std::int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// True at most once a second per `last` (for warnings a flood would repeat).
bool OncePerSecond(std::atomic<std::int64_t>& last) {
  const std::int64_t now = SteadyMs();
  std::int64_t seen = last.load();
  return now - seen >= 1000 && last.compare_exchange_strong(seen, now);
}

// An accept error that a free descriptor (or buffer) would cure. Compared by
// errno value: accept's errors are the system's.
bool OutOfDescriptors(const boost::system::error_code& ec) {
  const int v = ec.value();
  return v == EMFILE || v == ENFILE || v == ENOMEM || v == ENOBUFS;
}

std::string ErrorJson(std::string_view code, std::string_view message) {
  std::string out = R"({"error":{"code":")";
  out += code;
  out += R"(","message":")";
  out += message;
  out += "\"}}";
  return out;
}

Response ProtocolError(beast_http::status status, std::string_view code, std::string_view message) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = ErrorJson(code, message);
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.close = true;
  return r;
}

}  // namespace

std::size_t ReadBufferBytes(const ServerOptions& options) {
  return options.max_header_bytes + kBufferSlack;
}

void LimitParser(RequestParser& parser, const ServerOptions& options) {
  parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
  parser.body_limit(options.max_body_bytes);
}

namespace {

bool PeerLeft(const boost::system::error_code& ec) {
  return ec == beast_http::error::end_of_stream || ec == asio::error::operation_aborted ||
         ec == beast::error::timeout || ec == asio::error::connection_reset ||
         ec == asio::error::eof || ec == asio::error::bad_descriptor;
}

ReadVerdict CloseQuietly() {
  ReadVerdict v;
  v.close_quietly = true;
  return v;
}

ReadVerdict Answer(Response r) {
  ReadVerdict v;
  v.answer = std::move(r);
  return v;
}

ReadVerdict TooLarge() {
  return Answer(ProtocolError(beast_http::status::payload_too_large,
                              ErrorCodeName(ErrorCode::kPayloadTooLarge),
                              "The request body is larger than 64 KiB."));
}

}  // namespace

ReadVerdict AfterHeader(const boost::system::error_code& ec, const RequestParser& parser,
                        const ServerOptions& options) {
  if (ec) {
    if (PeerLeft(ec)) return CloseQuietly();
    if (ec == beast_http::error::header_limit || ec == beast_http::error::buffer_overflow) {
      return Answer(ProtocolError(beast_http::status::request_header_fields_too_large,
                                  "headers_too_large", "The request headers are too large."));
    }
    if (ec == beast_http::error::body_limit) return TooLarge();
    return Answer(ProtocolError(beast_http::status::bad_request, "bad_request",
                                "The request is not valid HTTP/1.1."));
  }
  const auto& header = parser.get();
  const auto length = parser.content_length();
  if (header.version() >= 11 && header.find(beast_http::field::host) == header.end()) {
    return Answer(ProtocolError(beast_http::status::bad_request, "bad_request",
                                "HTTP/1.1 requests must carry a Host header."));
  }
  if (length && *length > options.max_body_bytes) return TooLarge();
  return {};
}

ReadVerdict AfterBody(const boost::system::error_code& ec) {
  if (!ec) return {};
  if (ec == beast_http::error::body_limit) return TooLarge();
  if (ec == beast_http::error::buffer_overflow) {
    return Answer(ProtocolError(beast_http::status::request_header_fields_too_large,
                                "headers_too_large",
                                "A chunk line or the trailer of the request is too large."));
  }
  if (ec == beast::error::timeout || ec == asio::error::eof ||
      ec == beast_http::error::end_of_stream || ec == asio::error::connection_reset ||
      ec == asio::error::operation_aborted) {
    return CloseQuietly();
  }
  return Answer(ProtocolError(beast_http::status::bad_request, "bad_request",
                              "The request body could not be read."));
}

namespace {

// The status line and headers every answer of `response` carries, on a
// message of either body type.
template <class Message>
void PutHeaders(Message& out, const Response& response, unsigned version) {
  out.version(version);
  out.result(response.status);
  out.set(beast_http::field::server, "amur");
  if (!response.content_type.empty()) {
    out.set(beast_http::field::content_type, response.content_type);
  }
  for (const auto& [name, value] : response.headers) out.insert(name, value);
}

}  // namespace

WireResponse ToWire(const Response& response, unsigned version, bool keep_alive) {
  WireResponse out;
  PutHeaders(out, response, version);
  const std::string_view body = response.BodyView();
  out.body() = boost::beast::span<const char>(body.data(), body.size());
  out.keep_alive(keep_alive);
  out.prepare_payload();
  return out;
}

StreamHeader StreamHeaderOf(const Response& response, unsigned version) {
  StreamHeader out;
  PutHeaders(out, response, version);
  out.keep_alive(false);  // the body ends when the connection closes
  return out;
}

HttpServer::HttpServer(asio::io_context& ioc, const tcp::endpoint& at, ServerOptions options,
                       RequestHandler handler)
    : ioc_(ioc),
      acceptor_(ioc),
      options_(std::move(options)),
      handler_(std::move(handler)),
      limits_(options_.max_connections, options_.max_connections_per_network) {
  acceptor_.open(at.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(at);
  acceptor_.listen(asio::socket_base::max_listen_connections);
}

HttpServer::~HttpServer() = default;

unsigned short HttpServer::port() const { return acceptor_.local_endpoint().port(); }

void HttpServer::Start() {
  asio::co_spawn(acceptor_.get_executor(), AcceptLoop(), asio::detached);
}

void HttpServer::Shutdown() {
  if (stopping_.exchange(true)) return;
  asio::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ec;
    acceptor_.close(ec);
  });
  std::lock_guard lock(mu_);
  for (const auto& entry : connections_) {
    const auto& conn = entry.second;  // a name a lambda can capture (clang 14)
    asio::post(conn->stream.get_executor(), [conn] {
      if (!conn->busy || conn->streaming) {
        if (conn->source) conn->source->Stop();
        boost::system::error_code ec;
        conn->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
        conn->stream.socket().close(ec);
      }
    });
  }
}

std::size_t HttpServer::Connections() const {
  std::lock_guard lock(mu_);
  return connections_.size();
}

void HttpServer::CloseShedLocked(ConnectionLimits::Id id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  ++shed_total_;
  asio::post(it->second->stream.get_executor(), [conn = it->second] {
    boost::system::error_code ec;
    conn->stream.socket().close(ec);
  });
}

bool HttpServer::Enter(Connection& conn, ConnectionPhase phase) {
  std::lock_guard lock(mu_);
  return limits_.Enter(conn.id, phase);
}

asio::awaitable<void> HttpServer::AcceptLoop() {
  while (!stopping_) {
    auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(ioc_),
                                                        asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (stopping_ || ec == asio::error::operation_aborted) break;
      // Out of file descriptors or similar: free one by closing the
      // connection that would be shed first, and back off instead of
      // spinning; the pending connections wait in the listen backlog.
      const bool out_of_fds = OutOfDescriptors(ec);
      if (out_of_fds) {
        std::lock_guard lock(mu_);
        if (auto id = limits_.ShedOne()) CloseShedLocked(*id);
      }
      if (OncePerSecond(last_limit_warning_ms_)) {
        spdlog::warn("accept failed: {} ({} connections open)", ec.message(), Connections());
      }
      asio::steady_timer pause(acceptor_.get_executor(),
                               std::chrono::milliseconds(out_of_fds ? 10 : 50));
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    boost::system::error_code opt_ec;
    const auto peer = socket.remote_endpoint(opt_ec);
    if (opt_ec) continue;  // already gone; the socket closes here
    socket.set_option(tcp::no_delay(true), opt_ec);
    // Counted by the socket's peer: the forwarding header of a proxy is not
    // known before a request arrives, so a trusted proxy counts only in the
    // total.
    const std::string network = options_.uncounted_peer && options_.uncounted_peer(peer.address())
                                    ? std::string()
                                    : NetworkKey(peer.address().to_string());
    std::shared_ptr<Connection> conn;
    {
      std::lock_guard lock(mu_);
      const ConnectionLimits::Id id = next_id_++;
      const auto admission = limits_.Admit(id, network);
      if (admission.shed) CloseShedLocked(*admission.shed);
      if (admission.admitted) {
        conn = std::make_shared<Connection>(std::move(socket), id);
        connections_.emplace(id, conn);
      }
    }
    if (!conn) {
      // Refused: closed at once, unanswered (answering would mean reading
      // a request first, the very cost the cap bounds).
      ++refused_total_;
      socket.close(opt_ec);
      if (OncePerSecond(last_limit_warning_ms_)) {
        spdlog::warn(
            "connection limit: refused a connection from {} ({} open, {} from its network)",
            peer.address().to_string(), Connections(), [&] {
              std::lock_guard lock(mu_);
              return limits_.OpenFrom(network);
            }());
      }
      continue;
    }
    asio::co_spawn(conn->stream.get_executor(), Serve(conn), [](std::exception_ptr ep) {
      // Serve catches everything itself; this is the last line of defence,
      // so that no connection can take the process down.
      if (!ep) return;
      try {
        std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        spdlog::error("connection ended by an exception: {}", e.what());
      } catch (...) {
        spdlog::error("connection ended by an unknown exception");
      }
    });
  }
}

asio::awaitable<void> HttpServer::Serve(std::shared_ptr<Connection> conn) {
  try {
    co_await ServeRequests(*conn);
  } catch (const std::exception& e) {
    // A parser or handler threw (Beast throws std::length_error for a field
    // it cannot hold, for one): that connection ends, nobody else notices.
    spdlog::warn("connection closed after an exception: {}", e.what());
  } catch (...) {
    spdlog::warn("connection closed after an unknown exception");
  }
  boost::system::error_code ec;
  conn->stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  conn->stream.socket().close(ec);
  std::lock_guard lock(mu_);
  limits_.Remove(conn->id);
  connections_.erase(conn->id);
}

asio::awaitable<void> HttpServer::ServeRequests(Connection& conn) {
  beast::flat_buffer buffer(ReadBufferBytes(options_));
  auto& stream = conn.stream;
  const auto header_timeout = std::min(options_.header_timeout, options_.request_timeout);
  // A new connection has header_timeout from its opening to send a header.
  auto request_start = std::chrono::steady_clock::now();
  stream.expires_at(request_start + header_timeout);
  bool first = true;
  std::shared_ptr<StreamSource> streamed;
  while (!stopping_) {
    RequestParser parser;
    LimitParser(parser, options_);
    conn.busy = false;
    if (buffer.size() == 0) {
      // Waiting for a request: the connection may be shed for a newcomer.
      if (!first) {
        if (!Enter(conn, ConnectionPhase::kKeepAlive)) break;
        buffer.shrink_to_fit();  // an idle connection holds no read buffer
        stream.expires_after(options_.keep_alive_timeout);
      }
      auto [rec, rn] = co_await stream.async_read_some(buffer.prepare(kFirstRead),
                                                       asio::as_tuple(asio::use_awaitable));
      if (rec) break;  // closed, reset, shed or idle too long
      buffer.commit(rn);
      if (!first) request_start = std::chrono::steady_clock::now();
    } else if (!first) {
      request_start = std::chrono::steady_clock::now();  // a pipelined request
    }
    if (!first) stream.expires_at(request_start + header_timeout);
    first = false;
    if (!Enter(conn, ConnectionPhase::kPartialHeader)) break;
    auto [ec, n] = co_await beast_http::async_read_header(stream, buffer, parser,
                                                          asio::as_tuple(asio::use_awaitable));
    (void)n;
    if (!Enter(conn, ConnectionPhase::kBusy)) break;
    conn.busy = true;
    stream.expires_at(request_start + options_.request_timeout);
    ReadVerdict verdict = AfterHeader(ec, parser, options_);
    if (verdict.proceed()) {
      if (beast::iequals(parser.get()[beast_http::field::expect], "100-continue")) {
        beast_http::response<beast_http::empty_body> cont{beast_http::status::continue_, 11};
        auto [wec, wn] =
            co_await beast_http::async_write(stream, cont, asio::as_tuple(asio::use_awaitable));
        (void)wn;
        if (wec) break;
      }
      auto [rec, rn] = co_await beast_http::async_read(stream, buffer, parser,
                                                       asio::as_tuple(asio::use_awaitable));
      (void)rn;
      verdict = AfterBody(rec);
    }
    if (verdict.close_quietly) break;

    Response response;
    bool keep_alive = false;
    unsigned version = 11;
    if (verdict.answer) {
      response = std::move(*verdict.answer);
    } else {
      Request req{parser.release(), {}};
      boost::system::error_code pec;
      req.peer = stream.socket().remote_endpoint(pec).address();
      keep_alive = req.message.keep_alive();
      version = req.message.version();
      stream.expires_never();
      try {
        response = co_await handler_(req);
      } catch (const std::exception& e) {
        spdlog::error("handler failed: {}", e.what());
        response = ProtocolError(beast_http::status::internal_server_error,
                                 ErrorCodeName(ErrorCode::kInternal),
                                 "Something went wrong on our side.");
        response.close = false;
      } catch (...) {
        spdlog::error("handler failed with an unknown exception");
        response =
            ProtocolError(beast_http::status::internal_server_error,
                          ErrorCodeName(ErrorCode::kInternal), "Something went wrong on our side.");
      }
    }
    if (response.close || stopping_) keep_alive = false;
    if (response.stream && !stopping_) {
      StreamHeader header = StreamHeaderOf(response, version);
      beast_http::serializer<false, beast_http::empty_body> sr(header);
      stream.expires_after(options_.request_timeout);
      auto [hec, hn] =
          co_await beast_http::async_write_header(stream, sr, asio::as_tuple(asio::use_awaitable));
      (void)hn;
      if (hec) break;
      streamed = std::move(response.stream);
      break;
    }
    response.stream.reset();

    WireResponse out = ToWire(response, version, keep_alive);
    stream.expires_after(options_.request_timeout);
    auto [wec, wn] = co_await beast_http::async_write(stream, out, asio::as_tuple(asio::use_awaitable));
    (void)wn;
    if (wec || !keep_alive) break;
  }
  if (!streamed) co_return;
  // The request, its parser and the read buffer are gone: a stream holds no
  // more than its socket, its timer and its place in the live hub.
  buffer.clear();
  buffer.shrink_to_fit();
  conn.streaming = true;
  co_await Stream(conn, std::move(streamed));
}

asio::awaitable<void> HttpServer::Stream(Connection& conn, std::shared_ptr<StreamSource> source) {
  auto& stream = conn.stream;
  // Shared with `wake` and with the wait for the peer, which may outlive
  // this coroutine by a moment.
  struct Signal {
    explicit Signal(const asio::any_io_executor& ex) : timer(ex) {}
    asio::steady_timer timer;
    std::atomic<bool> woken{false};
    bool gone = false;  // on the strand
  };
  auto sig = std::make_shared<Signal>(stream.get_executor());
  auto ex = stream.get_executor();
  conn.source = source;
  source->Start(
      [sig, ex] {
        if (sig->woken.exchange(true)) return;
        asio::post(ex, [sig] { sig->timer.cancel(); });
      },
      stream.socket().native_handle());
  // A reader sends nothing on an event stream: readable means it left (or
  // the socket was closed by a shutdown or a write deadline).
  stream.socket().async_wait(tcp::socket::wait_read, [sig](const boost::system::error_code&) {
    sig->gone = true;
    sig->timer.cancel();
  });
  std::vector<StreamSource::Chunk> chunks;
  std::vector<asio::const_buffer> buffers;
  auto wrote_at = std::chrono::steady_clock::now();
  bool heartbeat = false;
  while (!sig->gone && !stopping_) {
    sig->woken.store(false);
    chunks.clear();
    const bool end = source->Take(chunks, heartbeat);
    heartbeat = false;
    if (!chunks.empty()) {
      buffers.clear();
      for (const auto& c : chunks) buffers.emplace_back(c->data(), c->size());
      stream.expires_after(options_.request_timeout);
      auto [wec, wn] =
          co_await asio::async_write(stream, buffers, asio::as_tuple(asio::use_awaitable));
      (void)wn;
      if (wec) break;
      stream.expires_never();
      wrote_at = std::chrono::steady_clock::now();
    }
    if (end) break;
    if (!chunks.empty()) {
      chunks.clear();
      continue;  // waits only after a Take that handed nothing
    }
    if (sig->woken.load() || sig->gone) continue;
    // The source may have written since (Take handed nothing).
    const auto due = std::max(wrote_at, source->LastWrite()) + source->HeartbeatEvery();
    if (due <= std::chrono::steady_clock::now()) {
      heartbeat = true;
      continue;
    }
    sig->timer.expires_at(due);
    co_await sig->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  source->Stop();
  conn.source.reset();
  std::vector<asio::const_buffer>().swap(buffers);
}

}  // namespace amur::http
