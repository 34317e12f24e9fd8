#include "moderation/tunables.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "service/account_service.hpp"
#include "service/events.hpp"
#include "service/moderation_service.hpp"

namespace amur::moderation {

namespace json = boost::json;

json::object TunablesJson(const Pipeline::Tunables& t, std::uint64_t examples) {
  json::object terms;
  terms["banned"] = t.banned;
  terms["suspect"] = t.suspect;
  terms["allow"] = t.allow;
  terms["targeted"] = t.targeted;
  json::object o;
  o["terms"] = std::move(terms);
  o["max_links"] = t.max_links;
  o["hold_suspect"] = t.hold_suspect;
  o["hold_shouting"] = t.hold_shouting;
  o["classifier_threshold"] = t.classifier_threshold;
  o["classifier_examples"] = examples;
  return o;
}

Result<Pipeline::Tunables> ApplyTunablesJson(Pipeline::Tunables t, const json::object& o) {
  if (auto it = o.find("terms"); it != o.end() && !it->value().is_null()) {
    if (!it->value().is_object()) {
      return MakeError(ErrorCode::kInvalidField, "terms must be an object.", "terms");
    }
    const auto& terms = it->value().get_object();
    for (auto [name, target] : {std::pair{"banned", &t.banned}, std::pair{"suspect", &t.suspect},
                                std::pair{"allow", &t.allow}, std::pair{"targeted", &t.targeted}}) {
      auto v = terms.find(name);
      if (v == terms.end() || v->value().is_null()) continue;
      if (!v->value().is_string()) {
        return MakeError(ErrorCode::kInvalidField, std::string(name) + " must be a string.",
                         "terms");
      }
      *target = std::string(v->value().get_string());
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

Result<std::optional<Pipeline::Tunables>> LoadSavedTunables(store::SettingsStore& s,
                                                            const Pipeline::Tunables& base) {
  auto text = s.GetSetting(kTunablesSetting);
  if (!text) return std::optional<Pipeline::Tunables>();
  boost::system::error_code ec;
  auto value = json::parse(*text, ec);
  if (ec || !value.is_object()) {
    return MakeError(ErrorCode::kInvalidField, "the saved moderation settings are not JSON");
  }
  auto t = ApplyTunablesJson(base, value.as_object());
  if (!t) return t.error();
  return std::optional<Pipeline::Tunables>(*t);
}

Status SaveTunables(store::StoreSession& s, const Pipeline& pipeline, const Pipeline::Tunables& t,
                    const User& actor, TimeMs now) {
  if (auto still = service::RecheckActor(s, actor, Role::kAdmin); !still) return still.error();
  if (auto st = pipeline.CheckTunables(t); !st) return st.error();
  s.PutSetting(kTunablesSetting, json::serialize(TunablesJson(t, 0)));
  service::AppendAudit(s, now, actor.name, "settings", std::nullopt, "term lists and thresholds");
  service::EventDraft changed;
  changed.type = service::event_type::kSettingsChanged;
  changed.actor = service::UserActor(actor.id);
  changed.visibility = EventVisibility::kStaff;
  changed.data["what"] = "moderation";
  service::RecordEvent(s, now, changed);
  return Ok();
}

}  // namespace amur::moderation
