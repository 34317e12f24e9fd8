// Configuration of `amur serve` and the other commands. Each setting comes
// from, in order of precedence: its command-line flag, the environment
// variable named after it (--posts-per-minute is AMUR_POSTS_PER_MINUTE), the
// TOML file given by --config, and finally its default.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace amur::app {

struct Config {
  std::string listen = "127.0.0.1:8080";
  std::string database = "sqlite:./amur-data/amur.db";
  // Hot standbys of a PostgreSQL `database` that may serve cacheable reads
  // (service/read_replicas.hpp).
  std::vector<std::string> database_replicas;
  std::string config_file;
  std::string public_url;  // empty: "http://" + listen
  std::vector<std::string> allow_origins;
  std::int64_t edit_window_seconds = 900;
  std::int64_t posts_per_minute = 6;
  std::vector<std::string> trusted_proxies;
  std::string forwarded_header = "x-forwarded-for";
  std::string smtp;
  std::string mail_from;  // "Name <address>" or "address"; default comments@<public-url host>
  std::string smtp_ca;    // CA file for the SMTP server's certificate; empty: the system's
  std::int64_t digest_minutes = 10;          // later notices about one page are gathered this long
  std::int64_t subscriptions_per_hour = 10;  // subscription requests per client network
  std::int64_t max_depth = 5;
  bool premoderate = false;
  bool no_demo_comments = false;  // leave /demo without its two example inline comments
  std::int64_t reports_to_queue = 3;
  std::int64_t trust_after = 0;
  std::int64_t reports_to_hide = 5;
  std::int64_t votes_per_network = 5;
  std::int64_t max_links = 3;
  bool hold_suspect = false;
  bool hold_shouting = true;
  bool allow_duplicates = false;
  double classifier_threshold = 0.9;
  double flag_threshold = 0.7;  // flag (publish, list as flagged) at or above this score
  bool seed_model = true;       // a site without a saved model starts from the seed model
  double request_timeout_seconds = 30;
  double header_timeout_seconds = 10;      // a request's header, or a new connection's first
  double keep_alive_timeout_seconds = 30;  // idling between requests
  double live_heartbeat_seconds = 20;      // an event stream's heartbeat
  std::int64_t max_connections = 0;        // 0: from the descriptor limit
  std::int64_t max_connections_per_network = 256;  // 0: no cap per network
  std::int64_t threads = 0;  // I/O threads; 0: one per core
  std::int64_t event_retention_days = 30;  // the event log keeps this many days
  std::vector<std::string> webhooks;       // endpoints that receive the public events
  // Bearer token for GET /metrics; empty: /metrics answers only requests
  // made on this machine (loopback, nothing forwarded).
  std::string metrics_token;
  std::string webhook_secret;              // whsec_…; empty: generated and kept in the database
  bool webhook_allow_private = false;      // allow endpoints on loopback or private addresses
  std::string log_level = "info";

  // The listen address split into host and port; false when malformed.
  bool SplitListen(std::string* host, unsigned short* port) const;
};

// One setting as the three sources see it.
struct SettingSource {
  std::string flag;     // "--edit-window"
  std::string env;      // "AMUR_EDIT_WINDOW"
  std::string toml_key; // "edit-window" (also accepted: "edit_window")
};

// The environment variable name for a flag: "--edit-window" → "AMUR_EDIT_WINDOW".
std::string EnvNameForFlag(const std::string& flag);

// Fills in what the command line did not set, from the environment and the
// TOML file, then validates every value. `set_on_command_line` names the
// flags given explicitly. `env` looks a variable up (getenv in production).
Status ResolveConfig(Config& config, const std::vector<std::string>& set_on_command_line,
                     const std::function<const char*(const char*)>& env);

}  // namespace amur::app
