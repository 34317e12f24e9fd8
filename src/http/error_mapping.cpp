#include "http/error_mapping.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace amur::http {

beast_http::status HttpStatusOf(ErrorCode code) {
  using S = beast_http::status;
  switch (code) {
    case ErrorCode::kInvalidJson:
    case ErrorCode::kMissingField:
    case ErrorCode::kInvalidField:
    case ErrorCode::kTooLong:
      return S::bad_request;
    case ErrorCode::kNotFound:
    case ErrorCode::kParentNotFound:
      return S::not_found;
    case ErrorCode::kParentOnOtherPage:
    case ErrorCode::kConflict:
      return S::conflict;
    case ErrorCode::kUnauthorized:
      return S::unauthorized;
    case ErrorCode::kNotAllowed:
    case ErrorCode::kEditWindowClosed:
    case ErrorCode::kPageClosed:
    case ErrorCode::kInvalidCsrfToken:
      return S::forbidden;
    case ErrorCode::kRateLimited:
      return S::too_many_requests;
    case ErrorCode::kPayloadTooLarge:
      return S::payload_too_large;
    case ErrorCode::kUnsupportedMediaType:
      return S::unsupported_media_type;
    case ErrorCode::kMethodNotAllowed:
      return S::method_not_allowed;
    case ErrorCode::kUnavailable:
      return S::service_unavailable;
    case ErrorCode::kInternal:
      return S::internal_server_error;
  }
  return S::internal_server_error;
}

Response ErrorResponse(const Error& error) { return ErrorResponse(error, {}); }

Response ErrorResponse(const Error& error, boost::json::object extra) {
  boost::json::object inner;
  inner["code"] = ErrorCodeName(error.code);
  inner["message"] = error.message;
  if (!error.field.empty()) inner["field"] = error.field;
  boost::json::object outer = std::move(extra);
  outer["error"] = std::move(inner);
  Response r;
  r.status = HttpStatusOf(error.code);
  r.content_type = "application/json";
  r.body = boost::json::serialize(outer);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

}  // namespace amur::http
