// Wiring: the one place that knows every part. Builds the store, executor,
// services and HTTP server from a Config and runs them.
#pragma once

#include "app/config.hpp"

namespace amur::app {

// Runs `amur serve` until SIGINT or SIGTERM, then finishes in-flight
// requests, commits queued writes, closes the database and returns 0.
// Returns non-zero (after printing why) when start-up fails.
int RunServe(const Config& config);

// Runs `amur verify`: walks every page's hash chain, prints each failure,
// returns 0 when everything verifies and 1 otherwise.
int RunVerify(const Config& config);

}  // namespace amur::app
