// The moderation settings: term lists and thresholds (admins change them).
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
#include "moderation/tunables.hpp"
#include "service/account_service.hpp"
#include "service/events.hpp"
#include "service/moderation_service.hpp"

namespace amur::http::api {

namespace asio = boost::asio;
namespace json = boost::json;
using store::StoreSession;

asio::awaitable<Response> AdminApi::GetSettings(const Request& req) {
  auto who = co_await RequireModerator(req, false);
  if (!who) co_return ErrorResponse(who.error());
  co_return JsonResponse(
      beast_http::status::ok,
      moderation::TunablesJson(d_.pipeline->CurrentTunables(), d_.pipeline->ExamplesSeen()));
}

asio::awaitable<Response> AdminApi::PutSettings(const Request& req) {
  auto who = co_await RequireModerator(req, true);
  if (!who) co_return ErrorResponse(who.error());
  if (who->role != Role::kAdmin) {
    co_return ErrorResponse(MakeError(ErrorCode::kNotAllowed, "Only admins may change settings."));
  }
  auto obj = JsonBody(req);
  if (!obj) co_return ErrorResponse(obj.error());
  auto next = moderation::ApplyTunablesJson(d_.pipeline->CurrentTunables(), *obj);
  if (!next) co_return ErrorResponse(next.error());
  moderation::Pipeline* pipeline = d_.pipeline;
  const moderation::Pipeline::Tunables t = *next;
  const User actor = *who;
  const Clock* clock = d_.clock;
  using Out = Result<Unit>;
  // Checked and saved in one unit of work; the pipeline takes the new
  // settings up from the settings.changed event once they are committed,
  // before this answer is sent.
  const std::function<Out(StoreSession&)> job = [pipeline, t, actor,
                                                 clock](StoreSession& s) -> Out {
    if (auto st = moderation::SaveTunables(s, *pipeline, t, actor, clock->NowMs()); !st) {
      return st.error();
    }
    return Unit{};
  };
  Out out = co_await WriteResult(*d_.db, "settings change", job);
  if (!out) co_return ErrorResponse(out.error());
  co_return JsonResponse(
      beast_http::status::ok,
      moderation::TunablesJson(d_.pipeline->CurrentTunables(), d_.pipeline->ExamplesSeen()));
}

}  // namespace amur::http::api
