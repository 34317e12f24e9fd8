// GET /api/v1/events?page=KEY (docs/api.md, "Live updates"): a page's public
// comment events as server-sent events, resumable with Last-Event-ID.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "http/message.hpp"
#include "http/request_parsing.hpp"

namespace amur::http {
struct HttpDeps;
}

namespace amur::http::api {

class LiveApi final {
 public:
  explicit LiveApi(HttpDeps& deps) : d_(deps) {}

  // Checks the page and the cursor, registers a stream with the live hub,
  // replays from the log (on a reader thread) what the cursor missed, and
  // answers with the stream (Response::stream).
  boost::asio::awaitable<Response> Events(const Request& req, const Params& params);

 private:
  HttpDeps& d_;
};

}  // namespace amur::http::api
