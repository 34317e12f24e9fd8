#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <charconv>

#include "core/network_key.hpp"
#include "http/api/admin_api.hpp"
#include "http/api/admin_json.hpp"
#include "http/api/comment_json.hpp"
#include "http/api/responses.hpp"
#include "http/db_await.hpp"
#include "http/error_mapping.hpp"
#include "http/routes.hpp"
#include "service/account_service.hpp"
#include "service/events.hpp"
#include "service/moderation_service.hpp"

namespace amur::http::api {

namespace asio = boost::asio;
namespace json = boost::json;
using store::StoreSession;

namespace {

std::string SessionCookie(const std::string& token, bool secure, long max_age) {
  return "amur_session=" + token + "; Path=/; Max-Age=" + std::to_string(max_age) +
         "; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
}

}  // namespace

AdminApi::AdminApi(HttpDeps& deps) : d_(deps) {
  logins_failed_ = &d_.metrics->AddCounter("amur_logins_failed_total", "Refused sign-ins.", "");
  decisions_ = &d_.metrics->AddCounter("amur_moderation_decisions_total",
                                       "Moderator decisions on comments.", "");
}

asio::awaitable<Result<Caller>> IdentifyCaller(HttpDeps& d_, const Request& req,
                                               bool state_changing) {
  std::string token;
  bool via_cookie = false;
  if (auto bearer = BearerToken(req)) {
    if (!service::LooksLikeSessionToken(*bearer)) co_return Caller{};
    token = *bearer;
  } else if (auto cookie = CookieValue(req, "amur_session")) {
    token = *cookie;
    via_cookie = true;
  } else {
    co_return Caller{};
  }
  service::AccountService* accounts = d_.accounts;
  using Found = std::optional<std::pair<User, Session>>;
  const std::function<Result<Found>(StoreSession&)> job = [accounts, token](StoreSession& s) -> Result<Found> {
    return accounts->Authenticate(s, token);
  };
  Result<Found> authenticated = co_await ReadResult(*d_.db, "identifying a caller", job);
  if (!authenticated) co_return authenticated.error();
  Found& found = *authenticated;
  if (!found) co_return Caller{};
  if (via_cookie && state_changing) {
    const std::string_view sent = Header(req, "X-CSRF-Token");
    if (!ConstantTimeEquals(sent, found->second.csrf_token)) {
      co_return MakeError(ErrorCode::kNotAllowed,
                          "Send the session's CSRF token in the X-CSRF-Token header.");
    }
  }
  co_return Caller{std::move(found->first), via_cookie, found->second.csrf_token};
}

asio::awaitable<Result<User>> AdminApi::RequireModerator(const Request& req, bool state_changing) {
  Result<Caller> caller = co_await IdentifyCaller(d_, req, state_changing);
  if (!caller) co_return caller.error();
  if (!caller->user) co_return MakeError(ErrorCode::kUnauthorized, "Sign in as a moderator first.");
  if (!caller->user->CanModerate()) {
    co_return MakeError(ErrorCode::kNotAllowed, "Only moderators and admins may do this.");
  }
  co_return std::move(*caller->user);
}

asio::awaitable<Result<User>> AdminApi::RequireAdmin(const Request& req, bool state_changing) {
  Result<User> who = co_await RequireModerator(req, state_changing);
  if (!who) co_return who.error();
  if (who->role != Role::kAdmin) {
    co_return MakeError(ErrorCode::kNotAllowed, "Only admins may manage accounts.");
  }
  co_return std::move(*who);
}

asio::awaitable<Response> AdminApi::Login(const Request& req, std::string client) {
  auto obj = JsonBody(req);
  if (!obj) co_return ErrorResponse(obj.error());
  auto email = RequiredString(*obj, "email");
  if (!email) co_return ErrorResponse(email.error());
  auto password = RequiredString(*obj, "password");
  if (!password) co_return ErrorResponse(password.error());
  const auto decision = d_.login_limiter->Acquire(client);
  if (!decision.allowed) {
    Response r = ErrorResponse(
        MakeError(ErrorCode::kRateLimited, "Too many sign-in attempts; please wait a moment."));
    r.headers.emplace_back("Retry-After", std::to_string(decision.retry_after_seconds));
    co_return r;
  }
  service::AccountService* accounts = d_.accounts;
  const std::string e = *email;
  const std::string p = *password;
  // The password check is slow on purpose; it runs on a reader thread.
  const std::function<Result<User>(StoreSession&)> check = [accounts, e, p](StoreSession& s) {
    return accounts->CheckPassword(s, e, p);
  };
  Result<User> user = co_await ReadResult(*d_.db, "sign-in", check);
  if (!user) {
    logins_failed_->Inc();
    co_return ErrorResponse(user.error());
  }
  d_.login_limiter->Release(client, decision.slot);  // only failures count
  service::NewSession fresh = accounts->MakeSession(*user);
  const Session stored = fresh.session;
  const std::function<Result<Unit>(StoreSession&)> store_session =
      [accounts, stored](StoreSession& s) { return accounts->KeepSession(s, stored); };
  const Result<Unit> kept = co_await WriteResult(*d_.db, "storing a session", store_session);
  if (!kept) co_return ErrorResponse(kept.error());
  json::object body;
  body["user"] = UserJson(*user);
  body["csrf_token"] = fresh.session.csrf_token;
  body["token"] = fresh.token;
  body["expires_at"] = FormatRfc3339Ms(fresh.session.expires_at);
  Response r = JsonResponse(beast_http::status::ok, body);
  r.headers.emplace_back("Set-Cookie", SessionCookie(fresh.token, d_.secure_cookies,
                                                     service::kSessionLifetimeMs / 1000));
  co_return r;
}

asio::awaitable<Response> AdminApi::Logout(const Request& req) {
  std::optional<std::string> token = BearerToken(req);
  bool via_cookie = false;
  if (!token || !service::LooksLikeSessionToken(*token)) {
    token = CookieValue(req, "amur_session");
    via_cookie = true;
  }
  if (token && service::LooksLikeSessionToken(*token)) {
    const std::string hash = Sha256Hex(*token);
    service::AccountService* accounts = d_.accounts;
    if (via_cookie) {
      // A cookie rides along with requests from any site: signing out by
      // cookie takes the session's CSRF token, as every other cookie write
      // does (issue 12, finding 7). An unknown or expired session has none
      // to check and is simply cleared.
      const std::string t = *token;
      using Found = std::optional<std::pair<User, Session>>;
      const std::function<Result<Found>(StoreSession&)> find =
          [accounts, t](StoreSession& s) -> Result<Found> { return accounts->Authenticate(s, t); };
      Result<Found> found = co_await ReadResult(*d_.db, "sign-out", find);
      if (!found) co_return ErrorResponse(found.error());
      if (*found && !ConstantTimeEquals(Header(req, "X-CSRF-Token"), (*found)->second.csrf_token)) {
        co_return ErrorResponse(MakeError(
            ErrorCode::kNotAllowed, "Send the session's CSRF token in the X-CSRF-Token header."));
      }
    }
    const std::function<Result<Unit>(StoreSession&)> job = [accounts, hash](StoreSession& s) {
      return accounts->EndSession(s, hash);
    };
    const Result<Unit> done = co_await WriteResult(*d_.db, "sign-out", job);
    if (!done) co_return ErrorResponse(done.error());
  }
  Response r;
  r.status = beast_http::status::no_content;
  r.headers.emplace_back("Set-Cookie", SessionCookie("", d_.secure_cookies, 0));
  r.headers.emplace_back("Cache-Control", "no-store");
  co_return r;
}

asio::awaitable<Response> AdminApi::Me(const Request& req) {
  Result<Caller> caller = co_await IdentifyCaller(d_, req, false);
  if (!caller) co_return ErrorResponse(caller.error());
  if (!caller->user) co_return ErrorResponse(MakeError(ErrorCode::kUnauthorized, "Not signed in."));
  json::object body;
  body["user"] = UserJson(*caller->user);
  body["csrf_token"] = caller->csrf_token;
  co_return JsonResponse(beast_http::status::ok, body);
}

}  // namespace amur::http::api
