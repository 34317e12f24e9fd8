#include "service/webhook_settings.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

#include "service/account_service.hpp"
#include "service/events.hpp"
#include "service/moderation_service.hpp"

namespace amur::service {

namespace json = boost::json;

std::vector<std::string> DeskWebhooks(store::SettingsStore& s) {
  std::vector<std::string> out;
  auto text = s.GetSetting(kWebhooksSetting);
  if (!text) return out;
  boost::system::error_code ec;
  json::value v = json::parse(*text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& u : v.get_array()) {
    if (u.is_string()) out.emplace_back(u.get_string());
  }
  return out;
}

Result<std::vector<std::string>> SaveDeskWebhooks(store::StoreSession& s,
                                                  const std::vector<std::string>& urls,
                                                  const User& actor, TimeMs now) {
  if (auto still = RecheckActor(s, actor, Role::kAdmin); !still) return still.error();
  if (urls.size() > kMaxDeskWebhooks) {
    return MakeError(ErrorCode::kInvalidField, "At most 20 webhook endpoints.", "endpoints");
  }
  for (std::size_t i = 0; i < urls.size(); ++i) {
    if (std::find(urls.begin(), urls.begin() + static_cast<std::ptrdiff_t>(i), urls[i]) !=
        urls.begin() + static_cast<std::ptrdiff_t>(i)) {
      return MakeError(ErrorCode::kInvalidField, "The endpoint " + urls[i] + " is listed twice.",
                       "endpoints");
    }
  }
  json::array list;
  for (const auto& u : urls) list.emplace_back(u);
  s.PutSetting(kWebhooksSetting, json::serialize(list));
  AppendAudit(s, now, actor.name, "settings", std::nullopt,
              "webhooks: " + std::to_string(urls.size()) + " endpoint(s) from the desk");
  EventDraft changed;
  changed.type = event_type::kSettingsChanged;
  changed.actor = UserActor(actor.id);
  changed.visibility = EventVisibility::kStaff;
  changed.data["what"] = "webhooks";
  changed.data["endpoints"] = std::move(list);
  RecordEvent(s, now, changed);
  return urls;
}

Result<notify::WebhookSecret> RotateWebhookSecret(store::StoreSession& s, Random& random,
                                                  const User& actor, TimeMs now) {
  if (auto still = RecheckActor(s, actor, Role::kAdmin); !still) return still.error();
  notify::WebhookSecret secret = notify::GenerateWebhookSecret(random);
  s.PutSetting(kWebhookSecretSetting, secret.text);
  AppendAudit(s, now, actor.name, "settings", std::nullopt, "webhook signing secret replaced");
  EventDraft changed;
  changed.type = event_type::kSettingsChanged;
  changed.actor = UserActor(actor.id);
  changed.visibility = EventVisibility::kStaff;
  changed.data["what"] = "webhook_secret";
  RecordEvent(s, now, changed);
  return secret;
}

Result<notify::WebhookSecret> LoadWebhookSecret(store::StoreSession& s, Random& random,
                                                const std::string& configured, bool* generated) {
  *generated = false;
  if (!configured.empty()) return notify::ParseWebhookSecret(configured);
  if (auto saved = s.GetSetting(kWebhookSecretSetting)) {
    if (auto parsed = notify::ParseWebhookSecret(*saved)) return parsed;
  }
  notify::WebhookSecret secret = notify::GenerateWebhookSecret(random);
  s.PutSetting(kWebhookSecretSetting, secret.text);
  *generated = true;
  return secret;
}

}  // namespace amur::service
