// GET /api/v1/admin/events: moderators and admins page through the event
// log (docs/events.md) with a cursor, oldest first.
#include <charconv>

#include "http/api/admin_api.hpp"
#include "http/api/responses.hpp"
#include "http/db_await.hpp"
#include "http/error_mapping.hpp"
#include "http/routes.hpp"
#include "service/events.hpp"

namespace amur::http::api {

namespace asio = boost::asio;
namespace json = boost::json;
using store::StoreSession;

namespace {

Result<std::int64_t> ParseAfter(const std::optional<std::string>& text) {
  if (!text) return std::int64_t{0};
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (text->empty() || ec != std::errc() || p != text->data() + text->size() || v < 0 ||
      (*text)[0] == '+') {
    return MakeError(ErrorCode::kInvalidField, "after must be a sequence number (0 or more).",
                     "after");
  }
  return v;
}

}  // namespace

asio::awaitable<Response> AdminApi::Events(const Request& req, Params params) {
  auto who = co_await RequireModerator(req, false);
  if (!who) co_return ErrorResponse(who.error());
  auto after = ParseAfter(FirstParam(params, "after"));
  if (!after) co_return ErrorResponse(after.error());
  auto limit = ParseLimit(FirstParam(params, "limit"), 100);
  if (!limit) co_return ErrorResponse(limit.error());
  const std::int64_t from = *after;
  const int n = *limit;
  using Out = Result<service::EventsPage>;
  const std::function<Out(StoreSession&)> job = [from, n](StoreSession& s) {
    return service::ReadEvents(s, from, n, /*public_only=*/false);
  };
  Out page = co_await ReadResult(*d_.db, "events", job);
  if (!page) co_return ErrorResponse(page.error());
  json::array events;
  events.reserve(page->events.size());
  for (const auto& e : page->events) events.push_back(service::EventJson(e));
  json::object body;
  body["events"] = std::move(events);
  body["next_after"] = page->events.empty() ? from : page->events.back().seq;
  body["last_seq"] = page->last_seq;
  Response r = JsonResponse(beast_http::status::ok, body);
  r.headers.emplace_back("Cache-Control", "no-store");
  co_return r;
}

}  // namespace amur::http::api
