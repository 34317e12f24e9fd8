// The moderation settings admins change on the desk (term lists and
// thresholds): their JSON, and the unit of work that saves them. The
// pipeline takes them up after the commit, from the settings.changed event
// (app/event_wiring.cpp), so a change that fails to commit changes nothing.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>

#include "core/model.hpp"
#include "core/result.hpp"
#include "moderation/pipeline.hpp"
#include "store/store.hpp"

namespace amur::moderation {

// The settings key holding the saved tunables (JSON, as TunablesJson).
inline constexpr const char* kTunablesSetting = "moderation_tunables";

// {"terms": {"banned", "suspect", "allow", "targeted"}, "max_links", "hold_suspect",
// "hold_shouting", "classifier_threshold", "classifier_examples"}.
boost::json::object TunablesJson(const Pipeline::Tunables& t, std::uint64_t examples);

// `t` with the fields `o` sets (docs/api.md, PUT /api/v1/admin/settings).
// Errors: invalid_field naming the field.
Result<Pipeline::Tunables> ApplyTunablesJson(Pipeline::Tunables t, const boost::json::object& o);

// The saved tunables (from the settings store) over `base`; nullopt when none
// are saved. Errors: invalid_field when the saved text is not what
// TunablesJson writes.
Result<std::optional<Pipeline::Tunables>> LoadSavedTunables(store::SettingsStore& s,
                                                            const Pipeline::Tunables& base);

// Saves new tunables: the actor must still be an active admin, the tunables
// must pass Pipeline::CheckTunables; audited; records settings.changed
// {"what": "moderation"}. Errors: not_allowed, invalid_field, too_long.
Status SaveTunables(store::StoreSession& s, const Pipeline& pipeline, const Pipeline::Tunables& t,
                    const User& actor, TimeMs now);

}  // namespace amur::moderation
