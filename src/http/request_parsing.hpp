// Validation at the edge: query strings, form bodies and JSON bodies turned
// into typed values or an Error naming the field at fault.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "http/message.hpp"

namespace amur::http {

using Params = std::vector<std::pair<std::string, std::string>>;

// Decodes "a=1&b=x+y" (percent-escapes, '+' as space). Malformed escapes
// make the whole string invalid.
std::optional<Params> ParseQuery(std::string_view query);

// The first value of `key`, or nullopt.
std::optional<std::string> FirstParam(const Params& params, std::string_view key);
std::vector<std::string> AllParams(const Params& params, std::string_view key);

// The value of a request header (the first, when it is sent more than once), or empty.
std::string_view Header(const Request& req, std::string_view name);

// Every value of a header sent once or more, in order, joined with "," (RFC 9110
// 5.3: the same as one line listing them); empty when absent.
std::string JoinedHeader(const Request& req, std::string_view name);

// The origin of an absolute URL as a browser writes it in Origin:
// "scheme://host[:port]", scheme and host lower-cased, the scheme's default
// port left out. Empty when `url` has no "scheme://".
std::string UrlOrigin(std::string_view url);

// unsupported_media_type unless the request says application/json.
Status RequireJson(const Request& req);

// The body parsed as one JSON object; invalid_json otherwise.
Result<boost::json::object> ParseJsonObject(std::string_view body);

// RequireJson, then the body as ParseJsonObject reads it.
Result<boost::json::object> JsonBody(const Request& req);

// A string field: nullopt when absent or null; invalid_field when another type.
Result<std::optional<std::string>> OptionalString(const boost::json::object& o, std::string_view key);
// A required string field: missing_field when absent or null.
Result<std::string> RequiredString(const boost::json::object& o, std::string_view key);

// The token of "Authorization: Bearer <token>", if any.
std::optional<std::string> BearerToken(const Request& req);

// The value of cookie `name` in the Cookie header, if any.
std::optional<std::string> CookieValue(const Request& req, std::string_view name);

// The header and the cookie that carry the event seq of a client's last
// write (set on every successful write: Routes), so that a read on any node
// sees that write (docs/scaling.md, read replicas).
inline constexpr std::string_view kSeenHeader = "X-Amur-Seen";
inline constexpr std::string_view kSeenCookie = "amur_seen";

// The event seq the request says its client wrote last: the larger of the
// X-Amur-Seen header and the amur_seen cookie; 0 when neither holds a
// positive whole number.
std::int64_t SeenSeq(const Request& req);

}  // namespace amur::http
