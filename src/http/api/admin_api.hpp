// Accounts and moderation over HTTP: sign-in and sign-out, reader reports,
// the moderator endpoints (queue, decisions, bans, pages, audit log) and the
// admins' account management.
//
// A caller is identified by the `amur_session` cookie or by
// `Authorization: Bearer s.<token>`. A state-changing request authenticated by
// the cookie must also send the session's CSRF token in `X-CSRF-Token`.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>

#include "core/metrics.hpp"
#include "core/model.hpp"
#include "core/result.hpp"
#include "http/message.hpp"
#include "http/request_parsing.hpp"
#include "moderation/pipeline.hpp"

#include <boost/json/object.hpp>

namespace amur::http {
struct HttpDeps;
}

namespace amur::http::api {

// Who sent a request.
struct Caller {
  std::optional<User> user;  // nullopt: anonymous (or a guest with an edit token)
  bool via_cookie = false;
  std::string csrf_token;
};

// Resolves the caller. Errors: not_allowed when a cookie-authenticated
// state-changing request lacks the right X-CSRF-Token. A bearer token that is
// not a session token (a guest's edit token) yields an anonymous caller.
// Throws when the database does not answer.
boost::asio::awaitable<Result<Caller>> IdentifyCaller(HttpDeps& deps, const Request& req,
                                                      bool state_changing);

class AdminApi final {
 public:
  explicit AdminApi(HttpDeps& deps);

  boost::asio::awaitable<Response> Login(const Request& req, std::string client);
  boost::asio::awaitable<Response> Logout(const Request& req);
  boost::asio::awaitable<Response> Me(const Request& req);
  boost::asio::awaitable<Response> Report(const Request& req, std::string id, std::string client);
  boost::asio::awaitable<Response> Queue(const Request& req, Params params);
  boost::asio::awaitable<Response> Decide(const Request& req, std::string id);
  boost::asio::awaitable<Response> BanAuthor(const Request& req);
  boost::asio::awaitable<Response> ListBans(const Request& req, Params params);
  // GET /api/v1/admin/events (admin_events_api.cpp).
  boost::asio::awaitable<Response> Events(const Request& req, Params params);
  // The webhook settings (admin_webhooks_api.cpp): GET and PUT
  // /api/v1/admin/webhooks, POST /api/v1/admin/webhooks/test and /secret.
  boost::asio::awaitable<Response> GetWebhooks(const Request& req);
  boost::asio::awaitable<Response> PutWebhooks(const Request& req);
  boost::asio::awaitable<Response> TestWebhook(const Request& req);
  boost::asio::awaitable<Response> RotateWebhookSecret(const Request& req);
  boost::asio::awaitable<Response> LiftBan(const Request& req, std::string id);
  boost::asio::awaitable<Response> Audit(const Request& req, Params params);
  boost::asio::awaitable<Response> PageSettings(const Request& req);
  boost::asio::awaitable<Response> Pin(const Request& req, std::string id);
  // POST /api/v1/admin/comments/{id}/erase (admins): erases the author's words.
  boost::asio::awaitable<Response> Erase(const Request& req, std::string id);
  // GET (moderators) and PUT (admins) /api/v1/admin/settings.
  boost::asio::awaitable<Response> GetSettings(const Request& req);
  boost::asio::awaitable<Response> PutSettings(const Request& req);
  // GET /api/v1/admin/queue/status?state=Q&id=c1&id=c2… (moderators): where
  // each comment a desk shows stands with respect to that queue.
  boost::asio::awaitable<Response> QueueStatus(const Request& req, Params params);
  // GET /api/v1/admin/queue/counts (moderators).
  boost::asio::awaitable<Response> QueueCounts(const Request& req);
  // GET /api/v1/admin/pages (moderators): the list, or one page with page=KEY.
  boost::asio::awaitable<Response> ListPages(const Request& req, Params params);
  // Accounts (admins only): GET and POST /api/v1/admin/users, PATCH /api/v1/admin/users/{id}.
  boost::asio::awaitable<Response> ListUsers(const Request& req, Params params);
  boost::asio::awaitable<Response> AddUser(const Request& req);
  boost::asio::awaitable<Response> UpdateUser(const Request& req, std::string id);

 private:
  // A moderator or admin caller, or the 401/403 answer.
  boost::asio::awaitable<Response> WebhooksAnswer(std::vector<std::string> desk);
  boost::asio::awaitable<Result<User>> RequireModerator(const Request& req, bool state_changing);
  // An admin caller, or the 401/403 answer.
  boost::asio::awaitable<Result<User>> RequireAdmin(const Request& req, bool state_changing);

  HttpDeps& d_;
  Counter* logins_failed_;
  Counter* decisions_;
};

}  // namespace amur::http::api
