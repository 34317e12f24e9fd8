// The one place that maps ErrorCode to an HTTP status and the JSON error body
// {"error": {"code", "message", "field"?}}.
#pragma once

#include <boost/json/object.hpp>

#include "core/result.hpp"
#include "http/message.hpp"

namespace amur::http {

beast_http::status HttpStatusOf(ErrorCode code);

// A JSON error response for `error`.
Response ErrorResponse(const Error& error);
// The same with `extra`'s members beside "error" in the body (e.g. the
// resource as it now stands, with a 409 conflict).
Response ErrorResponse(const Error& error, boost::json::object extra);

}  // namespace amur::http
