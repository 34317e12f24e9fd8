// Small helpers shared by the JSON API handlers.
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>

#include "core/result.hpp"
#include "http/message.hpp"

namespace amur::http::api {

// A JSON answer with `Cache-Control: no-store`.
Response JsonResponse(beast_http::status status, const boost::json::object& body);

// 503 unavailable: the database did not answer.
Response Unavailable();

// The `limit` query parameter: `fallback` when absent, else 1–200;
// invalid_field "limit" otherwise.
Result<int> ParseLimit(const std::optional<std::string>& text, int fallback);

}  // namespace amur::http::api
