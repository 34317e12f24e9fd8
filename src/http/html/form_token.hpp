// CSRF tokens for the plain HTML forms: "<unix seconds>.<HMAC-SHA256 hex>"
// over the time, with a server secret kept in the database. Valid for a day.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace amur::http::html {

std::string IssueFormToken(std::string_view key, TimeMs now);

// True when `token` was issued with `key` within the last 24 hours (and not
// more than 5 minutes in the future).
bool CheckFormToken(std::string_view key, std::string_view token, TimeMs now);

}  // namespace amur::http::html
