// The one place that maps ErrorCode to an HTTP status and the JSON error body
// {"error": {"code", "message", "field"?}}.
#pragma once

#include "core/result.hpp"
#include "http/message.hpp"

namespace amur::http {

beast_http::status HttpStatusOf(ErrorCode code);

// A JSON error response for `error`.
Response ErrorResponse(const Error& error);

}  // namespace amur::http
