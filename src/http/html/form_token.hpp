// CSRF tokens for the plain HTML forms: "<unix seconds>.<HMAC-SHA256 hex>"
// over the time and the browser's form cookie (double submit), with a server
// secret kept in the database. Valid for a day, and only with that cookie.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace amur::http::html {

// The cookie a form token is bound to.
inline constexpr std::string_view kFormCookieName = "amur_form";

// True when `value` has the shape of a form cookie this server issues
// (43 URL-safe base64 characters: 32 random bytes).
bool ValidFormCookie(std::string_view value);

std::string IssueFormToken(std::string_view key, std::string_view cookie, TimeMs now);

// True when `token` was issued with `key` for `cookie` within the last 24
// hours (and not more than 5 minutes in the future). An empty or malformed
// cookie never checks.
bool CheckFormToken(std::string_view key, std::string_view cookie, std::string_view token,
                    TimeMs now);

}  // namespace amur::http::html
