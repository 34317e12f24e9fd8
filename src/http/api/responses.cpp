#include "http/api/responses.hpp"

#include <boost/json/serialize.hpp>

#include <charconv>

#include "http/error_mapping.hpp"

namespace amur::http::api {

Response JsonResponse(beast_http::status status, const boost::json::object& body) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = boost::json::serialize(body);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Response Unavailable() {
  return ErrorResponse(MakeError(ErrorCode::kUnavailable,
                                 "The database is not answering; please try again shortly."));
}

Result<int> ParseLimit(const std::optional<std::string>& text, int fallback) {
  if (!text) return fallback;
  int v = 0;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (text->empty() || ec != std::errc() || p != text->data() + text->size() || v < 1 ||
      v > 200 || (*text)[0] == '+' || (*text)[0] == '-') {
    return MakeError(ErrorCode::kInvalidField, "limit must be a whole number from 1 to 200.",
                     "limit");
  }
  return v;
}

}  // namespace amur::http::api
