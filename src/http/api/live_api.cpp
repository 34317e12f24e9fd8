#include "http/api/live_api.hpp"

#include <charconv>
#include <functional>

#include "http/db_await.hpp"
#include "http/error_mapping.hpp"
#include "http/live_hub.hpp"
#include "http/routes.hpp"
#include "service/comment_service.hpp"

namespace amur::http::api {

namespace asio = boost::asio;
using store::StoreSession;

namespace {

// At most this many public events are read to replay a cursor; a reader
// further behind is told to reload instead.
constexpr int kReplayBatch = 500;
constexpr int kReplayMaxScanned = 20'000;

Result<std::optional<std::int64_t>> ParseCursor(std::string_view text, const char* field) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() || v < 0) {
    return MakeError(ErrorCode::kInvalidField,
                     std::string(field) + " must be an event id (a sequence number, 0 or more).",
                     field);
  }
  return std::optional<std::int64_t>(v);
}

struct Replay {
  bool reset = false;  // the log no longer holds all that the cursor missed
  std::vector<StreamSource::Chunk> frames;
};

StreamSource::Chunk Text(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}

}  // namespace

asio::awaitable<Response> LiveApi::Events(const Request& req, const Params& params) {
  auto page = FirstParam(params, "page");
  if (!page) {
    co_return ErrorResponse(MakeError(ErrorCode::kMissingField, "page is required.", "page"));
  }
  if (auto st = service::ValidatePageKey(*page, "page"); !st) co_return ErrorResponse(st.error());
  // The header EventSource sends on reconnecting wins over ?after=.
  std::optional<std::int64_t> cursor;
  const std::string_view last_id = Header(req, "Last-Event-ID");
  if (!last_id.empty()) {
    auto c = ParseCursor(last_id, "Last-Event-ID");
    if (!c) co_return ErrorResponse(c.error());
    cursor = *c;
  } else if (auto after = FirstParam(params, "after")) {
    auto c = ParseCursor(*after, "after");
    if (!c) co_return ErrorResponse(c.error());
    cursor = *c;
  }
  if (!d_.live) {
    co_return ErrorResponse(MakeError(ErrorCode::kNotFound, "There is nothing at this address."));
  }
  // Registered before the log is read: what is published from here on is
  // queued, what was published before is in the log (seq <= since).
  std::int64_t since = 0;
  std::shared_ptr<LiveStream> stream = d_.live->Open(*page, &since);
  const std::string key = *page;
  const std::function<Result<Replay>(StoreSession&)> job =
      [key, cursor, since](StoreSession& s) -> Result<Replay> {
    if (!s.FindPage(key)) {
      return MakeError(ErrorCode::kNotFound, "No comments were ever posted to this page.");
    }
    Replay out;
    if (!cursor || *cursor >= since) return out;
    const auto oldest = s.ListEvents(0, 1, false);
    if (oldest.empty() || oldest.front().seq > *cursor + 1) {
      out.reset = true;  // pruned (or the log was emptied) past the cursor
      return out;
    }
    std::int64_t after = *cursor;
    int scanned = 0;
    while (after < since) {
      const auto batch = s.ListEvents(after, kReplayBatch, true);
      for (const Event& e : batch) {
        if (e.seq > since) break;
        if (e.page_key == key) {
          if (auto frame = LiveFrame(e)) out.frames.push_back(Text(std::move(*frame)));
        }
      }
      scanned += static_cast<int>(batch.size());
      if (batch.empty() || batch.back().seq >= since) break;
      if (scanned >= kReplayMaxScanned) {
        out.reset = true;
        out.frames.clear();
        return out;
      }
      after = batch.back().seq;
    }
    return out;
  };
  Result<Replay> replay = co_await ReadResult(*d_.db, "replaying live events", job);
  if (!replay) co_return ErrorResponse(replay.error());

  const std::int64_t from = cursor ? std::max(*cursor, since) : since;
  std::vector<StreamSource::Chunk> first;
  first.push_back(Text("retry: " + std::to_string(d_.live->options().retry.count()) + "\n\n"));
  if (replay->reset) {
    first.push_back(Text("id: " + std::to_string(from) +
                         "\nevent: reset\ndata: {\"last_event_id\":" + std::to_string(from) +
                         "}\n\n"));
  } else {
    for (auto& f : replay->frames) first.push_back(std::move(f));
    // Sets the reader's Last-Event-ID without an event: it has seen all
    // there is up to here.
    first.push_back(Text("id: " + std::to_string(from) + "\n\n"));
  }
  stream->Begin(std::move(first), from);

  Response r;
  r.content_type = "text/event-stream; charset=utf-8";
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("X-Accel-Buffering", "no");
  r.stream = std::move(stream);
  co_return r;
}

}  // namespace amur::http::api
