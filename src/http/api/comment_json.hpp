// The public JSON shapes of API.md: the Comment object, a thread page, versions.
// The author's email, address and edit-token hash never appear here.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>

#include "core/model.hpp"
#include "service/comment_service.hpp"

namespace amur::http::api {

boost::json::object CommentJson(const Comment& c, const std::string& page_key);
boost::json::object ThreadNodeJson(const service::ThreadNode& node, const std::string& page_key);
// The GET /api/v1/comments answer.
boost::json::object ThreadPageJson(const service::ThreadPage& page, const std::string& page_key);
boost::json::object VersionsJson(const std::vector<service::PublicVersion>& versions);

}  // namespace amur::http::api
