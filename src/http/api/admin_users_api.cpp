// Accounts (admins): list, add, change role or disabled flag.
#include <spdlog/spdlog.h>
#include <boost/json/serialize.hpp>

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

asio::awaitable<Response> AdminApi::ListUsers(const Request& req, Params params) {
  auto who = co_await RequireAdmin(req, false);
  if (!who) co_return ErrorResponse(who.error());
  auto limit = ParseLimit(FirstParam(params, "limit"), 50);
  if (!limit) co_return ErrorResponse(limit.error());
  const std::string cursor = FirstParam(params, "cursor").value_or("");
  service::AccountService* accounts = d_.accounts;
  const int n = *limit;
  using Out = Result<service::UsersPage>;
  const std::function<Out(StoreSession&)> job = [accounts, n, cursor](StoreSession& s) {
    return accounts->ListUsers(s, n, cursor);
  };
  Out out = co_await ReadResult(*d_.db, "accounts list", job);
  if (!out) co_return ErrorResponse(out.error());
  json::array users;
  for (const auto& u : out->users) users.push_back(AccountJson(u));
  json::object body;
  body["users"] = std::move(users);
  body["next_cursor"] = out->next_cursor ? json::value(*out->next_cursor) : json::value(nullptr);
  co_return JsonResponse(beast_http::status::ok, body);
}

asio::awaitable<Response> AdminApi::AddUser(const Request& req) {
  auto who = co_await RequireAdmin(req, true);
  if (!who) co_return ErrorResponse(who.error());
  auto obj = JsonBody(req);
  if (!obj) co_return ErrorResponse(obj.error());
  auto email = RequiredString(*obj, "email");
  if (!email) co_return ErrorResponse(email.error());
  auto name = RequiredString(*obj, "name");
  if (!name) co_return ErrorResponse(name.error());
  auto role_text = RequiredString(*obj, "role");
  if (!role_text) co_return ErrorResponse(role_text.error());
  auto role = ParseRoleField(*role_text);
  if (!role) co_return ErrorResponse(role.error());
  auto password = RequiredString(*obj, "password");
  if (!password) co_return ErrorResponse(password.error());
  service::AccountService* accounts = d_.accounts;
  const std::string e = *email;
  const std::string n = *name;
  const Role r = *role;
  const std::string p = *password;
  // Validated and hashed (slow on purpose) on a reader thread, outside the write.
  const std::function<Result<User>(StoreSession&)> prepare = [accounts, e, n, r, p](StoreSession&) {
    return accounts->PrepareUser(e, n, r, p);
  };
  Result<User> prepared = co_await ReadResult(*d_.db, "preparing an account", prepare);
  if (!prepared) co_return ErrorResponse(prepared.error());
  const User fresh = *prepared;
  const User actor = *who;
  const std::function<Result<User>(StoreSession&)> insert = [accounts, fresh,
                                                             actor](StoreSession& s) {
    return accounts->AddUserAsAdmin(s, fresh, actor);
  };
  Result<User> added = co_await WriteResult(*d_.db, "adding an account", insert);
  if (!added) co_return ErrorResponse(added.error());
  json::object body;
  body["user"] = AccountJson(*added);
  Response resp = JsonResponse(beast_http::status::created, body);
  resp.headers.emplace_back("Location", "/api/v1/admin/users/u" + std::to_string(added->id));
  co_return resp;
}

asio::awaitable<Response> AdminApi::UpdateUser(const Request& req, std::string id_text) {
  auto who = co_await RequireAdmin(req, true);
  if (!who) co_return ErrorResponse(who.error());
  auto id = ParseUserId(id_text);
  if (!id) co_return ErrorResponse(MakeError(ErrorCode::kNotFound, "No such account."));
  auto obj = JsonBody(req);
  if (!obj) co_return ErrorResponse(obj.error());
  auto role_text = OptionalString(*obj, "role");
  if (!role_text) co_return ErrorResponse(role_text.error());
  std::optional<Role> role;
  if (*role_text) {
    auto parsed = ParseRoleField(**role_text);
    if (!parsed) co_return ErrorResponse(parsed.error());
    role = *parsed;
  }
  auto disabled = OptionalBool(*obj, "disabled");
  if (!disabled) co_return ErrorResponse(disabled.error());
  if (!role && !*disabled) {
    co_return ErrorResponse(
        MakeError(ErrorCode::kMissingField, "Send role, disabled or both.", "role"));
  }
  service::AccountService* accounts = d_.accounts;
  const std::int64_t uid = *id;
  const std::optional<bool> dis = *disabled;
  const User actor = *who;
  const std::function<Result<User>(StoreSession&)> job = [accounts, uid, role, dis,
                                                          actor](StoreSession& s) {
    return accounts->ChangeUserAsAdmin(s, uid, role, dis, actor);
  };
  Result<User> updated = co_await WriteResult(*d_.db, "updating an account", job);
  if (!updated) co_return ErrorResponse(updated.error());
  json::object body;
  body["user"] = AccountJson(*updated);
  co_return JsonResponse(beast_http::status::ok, body);
}

}  // namespace amur::http::api
