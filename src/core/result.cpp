#include "core/result.hpp"

namespace amur {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidJson: return "invalid_json";
    case ErrorCode::kMissingField: return "missing_field";
    case ErrorCode::kInvalidField: return "invalid_field";
    case ErrorCode::kTooLong: return "too_long";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kParentNotFound: return "parent_not_found";
    case ErrorCode::kParentOnOtherPage: return "parent_on_other_page";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kUnauthorized: return "unauthorized";
    case ErrorCode::kNotAllowed: return "not_allowed";
    case ErrorCode::kEditWindowClosed: return "edit_window_closed";
    case ErrorCode::kPageClosed: return "page_closed";
    case ErrorCode::kRateLimited: return "rate_limited";
    case ErrorCode::kPayloadTooLarge: return "payload_too_large";
    case ErrorCode::kUnsupportedMediaType: return "unsupported_media_type";
    case ErrorCode::kMethodNotAllowed: return "method_not_allowed";
    case ErrorCode::kInvalidCsrfToken: return "invalid_csrf_token";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kInternal: return "internal_error";
  }
  return "internal_error";
}

}  // namespace amur
