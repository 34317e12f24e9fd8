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
#include "service/account_service.hpp"
#include "service/events.hpp"
#include "service/moderation_service.hpp"

namespace amur::http::api {

namespace asio = boost::asio;
namespace json = boost::json;
using store::StoreSession;

namespace {

json::object TunablesJson(const moderation::Pipeline::Tunables& t, std::uint64_t examples) {
  json::object terms;
  terms["banned"] = t.banned;
  terms["suspect"] = t.suspect;
  terms["allow"] = t.allow;
  json::object o;
  o["terms"] = std::move(terms);
  o["max_links"] = t.max_links;
  o["hold_suspect"] = t.hold_suspect;
  o["hold_shouting"] = t.hold_shouting;
  o["classifier_threshold"] = t.classifier_threshold;
  o["classifier_examples"] = examples;
  return o;
}

}  // namespace

std::string SerializeTunables(const moderation::Pipeline::Tunables& t) {
  return json::serialize(TunablesJson(t, 0));
}

Result<moderation::Pipeline::Tunables> ApplyTunablesJson(moderation::Pipeline::Tunables t,
                                                         const json::object& o) {
  if (auto it = o.find("terms"); it != o.end() && !it->value().is_null()) {
    if (!it->value().is_object()) {
      return MakeError(ErrorCode::kInvalidField, "terms must be an object.", "terms");
    }
    const auto& terms = it->value().get_object();
    for (auto [name, target] : {std::pair{"banned", &t.banned}, std::pair{"suspect", &t.suspect},
                                std::pair{"allow", &t.allow}}) {
      auto v = OptionalString(terms, name);
      if (!v) return MakeError(ErrorCode::kInvalidField, v.error().message, "terms");
      if (*v) *target = **v;
    }
  }
  if (auto it = o.find("max_links"); it != o.end() && !it->value().is_null()) {
    if (!it->value().is_int64() || it->value().get_int64() < -1 || it->value().get_int64() > 1000) {
      return MakeError(ErrorCode::kInvalidField,
                       "max_links must be a whole number from -1 to 1000.", "max_links");
    }
    t.max_links = static_cast<int>(it->value().get_int64());
  }
  if (auto it = o.find("hold_suspect"); it != o.end() && !it->value().is_null()) {
    if (!it->value().is_bool()) {
      return MakeError(ErrorCode::kInvalidField, "hold_suspect must be true or false.",
                       "hold_suspect");
    }
    t.hold_suspect = it->value().get_bool();
  }
  if (auto it = o.find("hold_shouting"); it != o.end() && !it->value().is_null()) {
    if (!it->value().is_bool()) {
      return MakeError(ErrorCode::kInvalidField, "hold_shouting must be true or false.",
                       "hold_shouting");
    }
    t.hold_shouting = it->value().get_bool();
  }
  if (auto it = o.find("classifier_threshold"); it != o.end() && !it->value().is_null()) {
    if (!it->value().is_number()) {
      return MakeError(ErrorCode::kInvalidField, "classifier_threshold must be a number.",
                       "classifier_threshold");
    }
    t.classifier_threshold = it->value().to_number<double>();
  }
  return t;
}

asio::awaitable<Response> AdminApi::GetSettings(const Request& req) {
  auto who = co_await RequireModerator(req, false);
  if (!who) co_return ErrorResponse(who.error());
  co_return JsonResponse(beast_http::status::ok,
                         TunablesJson(d_.pipeline->CurrentTunables(), d_.pipeline->ExamplesSeen()));
}

asio::awaitable<Response> AdminApi::PutSettings(const Request& req) {
  auto who = co_await RequireModerator(req, true);
  if (!who) co_return ErrorResponse(who.error());
  if (who->role != Role::kAdmin) {
    co_return ErrorResponse(MakeError(ErrorCode::kNotAllowed, "Only admins may change settings."));
  }
  auto obj = JsonBody(req);
  if (!obj) co_return ErrorResponse(obj.error());
  auto next = ApplyTunablesJson(d_.pipeline->CurrentTunables(), *obj);
  if (!next) co_return ErrorResponse(next.error());
  moderation::Pipeline* pipeline = d_.pipeline;
  service::ModerationService* moderation = d_.moderation;
  const moderation::Pipeline::Tunables t = *next;
  const User actor = *who;
  using Out = Result<Unit>;
  // Validated and applied on the writer thread, persisted in the same commit.
  const std::function<Out(StoreSession&)> job = [pipeline, moderation, t,
                                                 actor](StoreSession& s) -> Out {
    // Still an active admin now, not only when the request was authenticated.
    if (auto still = service::RecheckActor(s, actor, Role::kAdmin); !still) return still.error();
    const auto before = pipeline->CurrentTunables();
    if (auto st = pipeline->SetTunables(t); !st) return st.error();
    try {
      s.PutSetting("moderation_tunables", SerializeTunables(t));
      const AuditEntry audited =
          moderation->Audit(s, actor.name, "settings", std::nullopt, "term lists and thresholds");
      service::EventDraft changed;
      changed.type = service::event_type::kSettingsChanged;
      changed.actor = service::UserActor(actor.id);
      changed.visibility = EventVisibility::kStaff;
      changed.data["what"] = "moderation";
      service::RecordEvent(s, audited.at, changed);
    } catch (...) {
      (void)pipeline->SetTunables(before);
      throw;
    }
    return Unit{};
  };
  Out out = co_await WriteResult(*d_.db, "settings change", job);
  if (!out) co_return ErrorResponse(out.error());
  co_return JsonResponse(beast_http::status::ok,
                         TunablesJson(d_.pipeline->CurrentTunables(), d_.pipeline->ExamplesSeen()));
}

}  // namespace amur::http::api
