// The JSON shapes of the staff endpoints (docs/api.md, "Moderation"), shared
// by the admin_*_api.cpp files: comments with their moderation, bans, pages,
// accounts; and the small parsers they share.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "core/model.hpp"
#include "core/result.hpp"
#include "service/moderation_service.hpp"
#include "store/store.hpp"

namespace amur::http::api {

// A signed-in account as /auth/me shows it.
boost::json::object UserJson(const User& u);
// A comment's moderation block: state, reasons, score, reports.
boost::json::object ModerationJson(const Comment& c);
// Who decided last and when, or null.
boost::json::value DecidedJson(const std::optional<service::DecisionRecord>& d);
// A comment as the desk shows it: the public shape plus "moderation".
boost::json::object ModeratedCommentJson(
    const Comment& c, const std::string& page_key,
    const std::optional<service::DecisionRecord>* decided = nullptr);
// What a ban covers: "network", "email", "account".
boost::json::array BanCovers(const Ban& b);
boost::json::object BanJson(const Ban& b);
boost::json::object PageJson(const Page& p, const store::PageCommentCounts& counts);
// An account as the Users tab shows it.
boost::json::object AccountJson(const User& u);
// "u12" → 12; nullopt otherwise (signs, leading zeros, overflow: every id
// has one spelling, as FormatCommentId's comment ids do).
std::optional<std::int64_t> ParseUserId(const std::string& text);
// member, moderator or admin; invalid_field (role) otherwise.
Result<Role> ParseRoleField(const std::string& text);
// An optional boolean field: nullopt when absent or null; invalid_field otherwise.
Result<std::optional<bool>> OptionalBool(const boost::json::object& o, std::string_view key);

}  // namespace amur::http::api
