// The server's request handling for the fuzz targets, in process: the same
// route table (http::Routes) over the same services, wired as `amur serve`
// wires them (app.cpp), on a real SQLite database in a fresh temporary
// directory. Time is a fake clock that moves 1 ms per request, randomness a
// fixed sequence, so an input replays the same way.
//
// The database holds, from the start, an admin account signed in with the
// session token kAdminToken (CSRF token kAdminCsrf) and one comment, c1, on
// the page "fuzz", so that seeds can reach the staff endpoints and the
// comment endpoints past their checks.
#pragma once

#include <memory>
#include <string>

#include "http/message.hpp"
#include "http/server.hpp"

namespace amur::fuzz {

inline constexpr const char* kAdminToken = "s.fuzz-admin-session";
inline constexpr const char* kAdminCsrf = "fuzz-admin-csrf";
inline constexpr const char* kFormKey = "fuzz-form-key";
// The fake clock's start (2023-11-14T22:13:20Z).
inline constexpr long long kStartMs = 1'700'000'000'000;

class FuzzServer final {
 public:
  FuzzServer();
  ~FuzzServer();

  // The limits `amur serve` runs with.
  const http::ServerOptions& options() const;

  // The edit token c1 was posted with.
  const std::string& FixtureEditToken() const;

  // Runs the route table on `req` to the end, as the server's connection
  // coroutine does (an exception from the handler becomes the server's 500).
  // The webhook endpoints (/api/v1/admin/webhooks…), which reach out to the
  // network, are not run: they answer an empty 404 here.
  http::Response Handle(http::Request& req);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The promises every answer keeps, checked (AMUR_FUZZ_CHECK): no 5xx (an
// internal error is a bug, never an answer to bad input), a JSON answer
// parses, an API error is {"error":{"code":..,"message":..}}, and the message
// the server writes for it (http::ToWire) serializes and parses back with
// the same header fields (nothing a client sent can split a header).
void CheckResponse(const http::Response& response, unsigned version, bool keep_alive);

}  // namespace amur::fuzz
