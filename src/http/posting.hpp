// Posting a comment from a connection's coroutine, shared by the JSON API and
// the HTML form: the CPU-heavy part (validation, Markdown, screening) runs on
// a reader thread outside any transaction (OnCompute), the write job only
// checks what needs the database and stores, and the screener remembers the
// comment once it is durable.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "core/result.hpp"
#include "http/routes.hpp"
#include "service/comment_service.hpp"

namespace amur::http {

// Errors: those of CommentService::Post, and unavailable (the database).
// `what` names the work in logs and must outlive the call (a literal).
// With `subscribe`, the subscription is made in the same transaction as the
// comment (the comment form's "notify me of replies"), and fails it.
boost::asio::awaitable<Result<service::PostOutcome>> PostComment(
    HttpDeps& d, service::PostRequest p, const char* what,
    std::optional<service::SubscribeRequest> subscribe = std::nullopt);

}  // namespace amur::http
