#include "app/config.hpp"

#include <toml++/toml.h>

#include <charconv>
#include <cstdlib>
#include <set>

namespace amur::app {

namespace {

enum class Kind { kString, kInt, kDouble, kList, kBool };

struct Setting {
  const char* flag;
  Kind kind;
  void* target;
  std::int64_t min = 0;
  std::int64_t max = 0;
};

std::vector<Setting> Settings(Config& c) {
  return {
      {"--listen", Kind::kString, &c.listen},
      {"--database", Kind::kString, &c.database},
      {"--database-replica", Kind::kList, &c.database_replicas},
      {"--public-url", Kind::kString, &c.public_url},
      {"--allow-origin", Kind::kList, &c.allow_origins},
      {"--edit-window", Kind::kInt, &c.edit_window_seconds, 0, 10LL * 365 * 86400},
      {"--posts-per-minute", Kind::kInt, &c.posts_per_minute, 0, 1'000'000},
      {"--trusted-proxy", Kind::kList, &c.trusted_proxies},
      {"--forwarded-header", Kind::kString, &c.forwarded_header},
      {"--smtp", Kind::kString, &c.smtp},
      {"--mail-from", Kind::kString, &c.mail_from},
      {"--smtp-ca", Kind::kString, &c.smtp_ca},
      {"--digest-minutes", Kind::kInt, &c.digest_minutes, 0, 24 * 60},
      {"--subscriptions-per-hour", Kind::kInt, &c.subscriptions_per_hour, 0, 1'000'000},
      {"--max-depth", Kind::kInt, &c.max_depth, 1, 64},
      {"--premoderate", Kind::kBool, &c.premoderate},
      {"--no-demo-comments", Kind::kBool, &c.no_demo_comments},
      {"--reports-to-queue", Kind::kInt, &c.reports_to_queue, 1, 1000},
      {"--trust-after", Kind::kInt, &c.trust_after, 0, 1000},
      {"--reports-to-hide", Kind::kInt, &c.reports_to_hide, 0, 1000},
      {"--votes-per-network", Kind::kInt, &c.votes_per_network, 0, 1'000'000},
      {"--max-links", Kind::kInt, &c.max_links, -1, 1000},
      {"--hold-suspect", Kind::kBool, &c.hold_suspect},
      {"--hold-shouting", Kind::kBool, &c.hold_shouting},
      {"--allow-duplicates", Kind::kBool, &c.allow_duplicates},
      {"--classifier-threshold", Kind::kDouble, &c.classifier_threshold},
      {"--flag-threshold", Kind::kDouble, &c.flag_threshold},
      {"--seed-model", Kind::kBool, &c.seed_model},
      {"--request-timeout", Kind::kDouble, &c.request_timeout_seconds},
      {"--header-timeout", Kind::kDouble, &c.header_timeout_seconds},
      {"--keep-alive-timeout", Kind::kDouble, &c.keep_alive_timeout_seconds},
      {"--live-heartbeat", Kind::kDouble, &c.live_heartbeat_seconds},
      {"--max-connections", Kind::kInt, &c.max_connections, 0, 10'000'000},
      {"--max-connections-per-network", Kind::kInt, &c.max_connections_per_network, 0, 10'000'000},
      {"--threads", Kind::kInt, &c.threads, 0, 256},
      {"--event-retention-days", Kind::kInt, &c.event_retention_days, 1, 3650},
      {"--webhook", Kind::kList, &c.webhooks},
      {"--webhook-secret", Kind::kString, &c.webhook_secret},
      {"--webhook-allow-private", Kind::kBool, &c.webhook_allow_private},
      {"--metrics-token", Kind::kString, &c.metrics_token},
      {"--log-level", Kind::kString, &c.log_level},
  };
}

Error Invalid(const std::string& source, const std::string& what) {
  return MakeError(ErrorCode::kInvalidField, source + ": " + what);
}

Status AssignText(const Setting& s, const std::string& source, const std::string& text) {
  switch (s.kind) {
    case Kind::kString:
      *static_cast<std::string*>(s.target) = text;
      return Ok();
    case Kind::kList: {
      auto* list = static_cast<std::vector<std::string>*>(s.target);
      list->clear();
      std::size_t start = 0;
      while (start <= text.size()) {
        const auto comma = text.find(',', start);
        std::string item = text.substr(start, comma == std::string::npos ? comma : comma - start);
        while (!item.empty() && item.front() == ' ') item.erase(item.begin());
        while (!item.empty() && item.back() == ' ') item.pop_back();
        if (!item.empty()) list->push_back(item);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      return Ok();
    }
    case Kind::kInt: {
      std::int64_t v = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (text.empty() || ec != std::errc() || p != text.data() + text.size()) {
        return Invalid(source, "'" + text + "' is not a whole number");
      }
      if (v < s.min || v > s.max) {
        return Invalid(source, "must be from " + std::to_string(s.min) + " to " + std::to_string(s.max));
      }
      *static_cast<std::int64_t*>(s.target) = v;
      return Ok();
    }
    case Kind::kBool: {
      if (text == "1" || text == "true" || text == "yes" || text == "on") {
        *static_cast<bool*>(s.target) = true;
      } else if (text == "0" || text == "false" || text == "no" || text == "off") {
        *static_cast<bool*>(s.target) = false;
      } else {
        return Invalid(source, "'" + text + "' is not true or false");
      }
      return Ok();
    }
    case Kind::kDouble: {
      char* end = nullptr;
      const double v = std::strtod(text.c_str(), &end);
      if (text.empty() || end != text.c_str() + text.size() || !(v > 0) || v > 86400) {
        return Invalid(source, "'" + text + "' is not a positive number of seconds");
      }
      *static_cast<double*>(s.target) = v;
      return Ok();
    }
  }
  return Ok();
}

Status AssignToml(const Setting& s, const std::string& source, const toml::node& node) {
  if (s.kind == Kind::kList) {
    if (const auto* arr = node.as_array()) {
      auto* list = static_cast<std::vector<std::string>*>(s.target);
      list->clear();
      for (const auto& item : *arr) {
        const auto* str = item.as_string();
        if (!str) return Invalid(source, "must be a list of strings");
        list->push_back(str->get());
      }
      return Ok();
    }
  }
  if (const auto* b = node.as_boolean()) {
    if (s.kind != Kind::kBool) return Invalid(source, "must not be true or false");
    return AssignText(s, source, b->get() ? "true" : "false");
  }
  if (const auto* str = node.as_string()) return AssignText(s, source, str->get());
  if (const auto* i = node.as_integer()) return AssignText(s, source, std::to_string(i->get()));
  if (const auto* f = node.as_floating_point()) {
    if (s.kind != Kind::kDouble) return Invalid(source, "must be a whole number");
    return AssignText(s, source, std::to_string(f->get()));
  }
  return Invalid(source, "has an unsupported type");
}

Status Validate(Config& c) {
  std::string host;
  unsigned short port = 0;
  if (!c.SplitListen(&host, &port)) {
    return Invalid("listen", "'" + c.listen + "' is not HOST:PORT");
  }
  if (c.database.rfind("sqlite:", 0) != 0 && c.database.rfind("postgresql://", 0) != 0 &&
      c.database.rfind("postgres://", 0) != 0) {
    return Invalid("database", "'" + c.database + "' is neither sqlite:PATH nor postgresql://…");
  }
  for (const auto& r : c.database_replicas) {
    if (r.rfind("postgresql://", 0) != 0 && r.rfind("postgres://", 0) != 0) {
      return Invalid("database-replica", "a replica is a postgresql://… URL");
    }
  }
  if (!c.database_replicas.empty() && c.database.rfind("sqlite:", 0) == 0) {
    return Invalid("database-replica",
                   "read replicas need a PostgreSQL --database; SQLite has none");
  }
  if (!c.public_url.empty() && c.public_url.rfind("http://", 0) != 0 &&
      c.public_url.rfind("https://", 0) != 0) {
    return Invalid("public-url", "must start with http:// or https://");
  }
  while (!c.public_url.empty() && c.public_url.back() == '/') c.public_url.pop_back();
  static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error", "off"};
  if (!kLevels.count(c.log_level)) return Invalid("log-level", "must be trace, debug, info, warn, error or off");
  return Ok();
}

}  // namespace

bool Config::SplitListen(std::string* host, unsigned short* port) const {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  std::string h = listen.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  const std::string p = listen.substr(colon + 1);
  unsigned v = 0;
  auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
  if (p.empty() || ec != std::errc() || ptr != p.data() + p.size() || v > 65535) return false;
  *host = h;
  *port = static_cast<unsigned short>(v);
  return true;
}

std::string EnvNameForFlag(const std::string& flag) {
  std::string out = "AMUR_";
  for (char ch : flag.substr(flag.rfind("--", 0) == 0 ? 2 : 0)) {
    out += ch == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  return out;
}

Status ResolveConfig(Config& config, const std::vector<std::string>& set_on_command_line,
                     const std::function<const char*(const char*)>& env) {
  const std::set<std::string> explicit_flags(set_on_command_line.begin(), set_on_command_line.end());
  if (config.config_file.empty()) {
    if (const char* f = env("AMUR_CONFIG")) config.config_file = f;
  }
  toml::table file;
  if (!config.config_file.empty()) {
    try {
      file = toml::parse_file(config.config_file);
    } catch (const toml::parse_error& e) {
      return MakeError(ErrorCode::kInvalidField,
                       "config file " + config.config_file + ": " + std::string(e.description()));
    }
    // Unknown keys are refused, so a typo does not silently do nothing.
    for (const auto& [key, node] : file) {
      (void)node;
      std::string k(key.str());
      for (char& ch : k) {
        if (ch == '_') ch = '-';
      }
      bool known = false;
      for (const auto& s : Settings(config)) known |= ("--" + k) == s.flag;
      if (!known) {
        return MakeError(ErrorCode::kInvalidField,
                         "config file " + config.config_file + ": unknown setting '" +
                             std::string(key.str()) + "'");
      }
    }
  }
  for (const auto& s : Settings(config)) {
    const std::string flag = s.flag;
    if (explicit_flags.count(flag)) continue;
    const std::string env_name = EnvNameForFlag(flag);
    if (const char* v = env(env_name.c_str())) {
      if (auto st = AssignText(s, env_name, v); !st) return st;
      continue;
    }
    const std::string dashed = flag.substr(2);
    std::string underscored = dashed;
    for (char& ch : underscored) {
      if (ch == '-') ch = '_';
    }
    const toml::node* node = file.get(dashed);
    if (!node) node = file.get(underscored);
    if (node) {
      if (auto st = AssignToml(s, config.config_file + ": " + dashed, *node); !st) return st;
    }
  }
  return Validate(config);
}

}  // namespace amur::app
