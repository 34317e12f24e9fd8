// The webhook settings admins change on the desk, as units of work: the
// endpoints added there (those of --webhook are the operator's and stay) and
// the signing secret. Each write is audited and records a staff
// settings.changed event, which the dispatcher follows (app/event_wiring).
#pragma once

#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/model.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "notify/webhooks.hpp"
#include "store/store.hpp"

namespace amur::service {

inline constexpr const char* kWebhooksSetting = "webhooks";             // JSON array of URLs
inline constexpr const char* kWebhookSecretSetting = "webhook_secret";  // "whsec_…"
inline constexpr std::size_t kMaxDeskWebhooks = 20;

// The endpoints added on the desk (empty when none or unreadable).
std::vector<std::string> DeskWebhooks(store::SettingsStore& s);

// Replaces the desk's endpoints with `urls` (each must already have passed
// ParseWebhookUrl and the address check, which needs DNS and so runs before
// the write). Errors: not_allowed (the actor is no longer an active admin),
// invalid_field (more than kMaxDeskWebhooks, a duplicate). Records
// settings.changed {"what": "webhooks", "endpoints": [...]}.
Result<std::vector<std::string>> SaveDeskWebhooks(store::StoreSession& s,
                                                  const std::vector<std::string>& urls,
                                                  const User& actor, TimeMs now);

// Makes and saves a new signing secret; returns it (shown once). Errors:
// not_allowed. Records settings.changed {"what": "webhook_secret"} (never
// the secret itself).
Result<notify::WebhookSecret> RotateWebhookSecret(store::StoreSession& s, Random& random,
                                                  const User& actor, TimeMs now);

// The secret in force: `configured` (--webhook-secret) when given, else the
// saved one, else a new one, saved; `generated` tells the caller to show it.
// Errors: invalid_field (a malformed configured secret).
Result<notify::WebhookSecret> LoadWebhookSecret(store::StoreSession& s, Random& random,
                                                const std::string& configured, bool* generated);

}  // namespace amur::service
