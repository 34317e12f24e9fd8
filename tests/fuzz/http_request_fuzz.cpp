// HTTP request parsing and routing: the bytes a client sends on one
// connection, read as HttpServer reads them (Beast's request parser with the
// server's limits and bounded read buffer, then AfterHeader / AfterBody of
// http/server.hpp), every request that passes handed to the route table over
// real services and SQLite (fuzz_server.hpp), for up to 8 requests kept
// alive on the connection. The stream delivers the bytes in pieces of 1 to
// 61 bytes (by the input's length), as a network would. Every answer must
// keep the promises of CheckResponse.
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string_view>

#include "fuzz_server.hpp"

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;

namespace {

// A SyncReadStream over bytes in memory: at most `chunk` bytes per read,
// then end of file.
class MemoryStream {
 public:
  MemoryStream(std::string_view bytes, std::size_t chunk) : rest_(bytes), chunk_(chunk) {}

  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers, boost::system::error_code& ec) {
    if (rest_.empty()) {
      ec = asio::error::eof;
      return 0;
    }
    ec = {};
    const std::size_t n =
        asio::buffer_copy(buffers, asio::buffer(rest_.data(), std::min(rest_.size(), chunk_)));
    rest_.remove_prefix(n);
    return n;
  }

  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers) {
    boost::system::error_code ec;
    const std::size_t n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

 private:
  std::string_view rest_;
  std::size_t chunk_;
};

// Reads one request into `parser` as HttpServer::ServeRequests does.
amur::http::ReadVerdict ReadRequest(MemoryStream& stream, boost::beast::flat_buffer& buffer,
                                    amur::http::RequestParser& parser,
                                    const amur::http::ServerOptions& options) {
  try {
    boost::system::error_code ec;
    beast_http::read_header(stream, buffer, parser, ec);
    amur::http::ReadVerdict verdict = amur::http::AfterHeader(ec, parser, options);
    if (!verdict.proceed()) return verdict;
    beast_http::read(stream, buffer, parser, ec);
    return amur::http::AfterBody(ec);
  } catch (const std::exception&) {
    // HttpServer::Serve ends the connection on a parser's exception (Beast
    // throws std::length_error for a field it cannot hold); so does this.
    amur::http::ReadVerdict closed;
    closed.close_quietly = true;
    return closed;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static amur::fuzz::FuzzServer server;
  const auto& options = server.options();
  MemoryStream stream(std::string_view(reinterpret_cast<const char*>(data), size), 1 + size % 61);
  boost::beast::flat_buffer buffer(amur::http::ReadBufferBytes(options));
  for (int i = 0; i < 8; ++i) {
    amur::http::RequestParser parser;
    amur::http::LimitParser(parser, options);
    const amur::http::ReadVerdict verdict = ReadRequest(stream, buffer, parser, options);
    if (verdict.close_quietly) break;
    if (verdict.answer) {
      amur::fuzz::CheckResponse(*verdict.answer, 11, false);
      break;
    }
    amur::http::Request req{parser.release(), asio::ip::make_address("127.0.0.1")};
    bool keep_alive = req.message.keep_alive();
    const unsigned version = req.message.version();
    const amur::http::Response response = server.Handle(req);
    if (response.close) keep_alive = false;
    amur::fuzz::CheckResponse(response, version, keep_alive);
    if (!keep_alive) break;
  }
  return 0;
}
