// JSON request bodies: the input is the body of a request to one of the
// endpoints that read JSON (the first byte picks which), sent with
// Content-Type: application/json and, for the staff endpoints, the admin
// session of fuzz_server.hpp, through the route table, so the body meets
// the handler's own parsing (JsonBody, its fields) and then the services'
// validation and the store. Every answer must keep the promises of
// CheckResponse.
#include <boost/asio/ip/address.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_server.hpp"

namespace beast_http = boost::beast::http;

namespace {

enum class Auth { kNone, kBearer, kCookie, kEditToken };

struct Endpoint {
  beast_http::verb method;
  const char* target;
  Auth auth;
};

// Every route whose handler calls JsonBody (the webhook ones excepted: see
// fuzz_server.hpp), some twice with another way of signing in.
constexpr Endpoint kEndpoints[] = {
    {beast_http::verb::post, "/api/v1/comments", Auth::kNone},
    {beast_http::verb::post, "/api/v1/comments", Auth::kCookie},
    {beast_http::verb::patch, "/api/v1/comments/c1", Auth::kBearer},
    {beast_http::verb::patch, "/api/v1/comments/c1", Auth::kEditToken},
    {beast_http::verb::post, "/api/v1/comments/c1/votes", Auth::kNone},
    {beast_http::verb::post, "/api/v1/comments/c1/reports", Auth::kNone},
    {beast_http::verb::post, "/api/v1/auth/login", Auth::kNone},
    {beast_http::verb::post, "/api/v1/admin/comments/c1/decision", Auth::kBearer},
    {beast_http::verb::post, "/api/v1/admin/comments/c1/pin", Auth::kCookie},
    {beast_http::verb::post, "/api/v1/admin/bans", Auth::kBearer},
    {beast_http::verb::post, "/api/v1/admin/pages", Auth::kBearer},
    {beast_http::verb::put, "/api/v1/admin/settings", Auth::kBearer},
    {beast_http::verb::post, "/api/v1/admin/users", Auth::kBearer},
    {beast_http::verb::patch, "/api/v1/admin/users/u1", Auth::kCookie},
};
constexpr std::size_t kCount = sizeof(kEndpoints) / sizeof(kEndpoints[0]);

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static amur::fuzz::FuzzServer server;
  if (size == 0) return 0;
  const Endpoint& e = kEndpoints[data[0] % kCount];
  amur::http::Request req;
  req.peer = boost::asio::ip::make_address("127.0.0.1");
  auto& m = req.message;
  m.method(e.method);
  m.target(e.target);
  m.set(beast_http::field::host, "127.0.0.1");
  m.set(beast_http::field::content_type, "application/json");
  switch (e.auth) {
    case Auth::kNone:
      break;
    case Auth::kBearer:
      m.set(beast_http::field::authorization, std::string("Bearer ") + amur::fuzz::kAdminToken);
      break;
    case Auth::kCookie:
      m.set(beast_http::field::cookie, std::string("amur_session=") + amur::fuzz::kAdminToken);
      m.set("X-CSRF-Token", amur::fuzz::kAdminCsrf);
      break;
    case Auth::kEditToken:
      m.set(beast_http::field::authorization, std::string("Bearer ") + server.FixtureEditToken());
      break;
  }
  m.body().assign(reinterpret_cast<const char*>(data) + 1, size - 1);
  m.prepare_payload();
  const amur::http::Response response = server.Handle(req);
  amur::fuzz::CheckResponse(response, 11, true);
  return 0;
}
