// Cookies, tokens, cursors and the other short strings a client sends:
// each input is put, as the server would receive it, in the Cookie,
// Authorization and forwarding headers of a request that Beast's parser
// reads (so only what passes the parser reaches the readers, as in the
// server), and is also given as it is to every parser of identifiers,
// cursors and tokens. Beyond "no sanitizer report", the fuzzer checks:
// identifiers round-trip to the same text, a thread cursor that decodes gives
// a next-page cursor that decodes too, a client address is an address, a
// limit is within 1-200, and a form token passes only when it is exactly the
// one issued for its time.
#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/model.hpp"
#include "core/network_key.hpp"
#include "fuzz_check.hpp"
#include "http/api/admin_json.hpp"
#include "http/api/responses.hpp"
#include "http/client_address.hpp"
#include "http/html/form_token.hpp"
#include "http/request_parsing.hpp"
#include "notify/webhooks.hpp"
#include "service/account_service.hpp"
#include "service/comment_service.hpp"
#include "service/moderation_service.hpp"
#include "service/thread_cursor.hpp"

namespace http = amur::http;
namespace service = amur::service;
namespace beast_http = boost::beast::http;

namespace {

constexpr amur::TimeMs kNow = 1'700'000'000'000;
constexpr std::string_view kFormKey = "fuzz-form-key";

// The headers the server reads these values from, each holding `value`;
// false when Beast's parser refuses the request (the value has a CR, LF or
// another byte a field value may not have).
bool ParseAsHeaders(std::string_view value, http::Request* req) {
  std::string wire = "GET /t HTTP/1.1\r\nHost: a\r\n";
  for (const char* name : {"Cookie", "Authorization", "X-Forwarded-For", "Forwarded",
                           "X-Amur-Voter", "X-CSRF-Token"}) {
    wire += name;
    wire += ": ";
    wire += value;
    wire += "\r\n";
  }
  wire += "\r\n";
  beast_http::request_parser<beast_http::string_body> parser;
  parser.eager(true);
  boost::system::error_code ec;
  parser.put(boost::asio::buffer(wire), ec);
  if (ec || !parser.is_done()) return false;
  req->message = parser.release();
  return true;
}

void CheckClientAddress(const http::TrustedProxies& proxies, const http::Request& req) {
  const std::string client =
      proxies.ClientAddress(req.peer, http::JoinedHeader(req, proxies.HeaderName()));
  boost::system::error_code ec;
  boost::asio::ip::make_address(client, ec);
  AMUR_FUZZ_CHECK(!ec);
  (void)amur::NetworkKey(client);
}

void CheckCursor(const std::string& text) {
  for (auto sort :
       {service::SortOrder::kOldest, service::SortOrder::kNewest, service::SortOrder::kVotes}) {
    auto cursor = service::DecodeThreadCursor(text, sort);
    if (!cursor) continue;
    amur::Comment a, b;
    a.id = 7;
    b.id = 9;
    b.upvotes = 3;
    // A page shows only what the cursor admits (CommentService::ListThread).
    std::vector<const amur::Comment*> shown;
    for (const amur::Comment* c : {&a, &b}) {
      if (cursor->Admits(*c)) shown.push_back(c);
    }
    if (shown.empty()) continue;
    const std::string next = cursor->Next(shown);
    AMUR_FUZZ_CHECK(!next.empty());
    AMUR_FUZZ_CHECK(static_cast<bool>(service::DecodeThreadCursor(next, sort)));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto proxies = [] {
    std::string error;
    return *http::TrustedProxies::Parse({"127.0.0.0/8", "::1/128", "10.0.0.0/8"}, &error);
  }();
  static const auto forwarded = [] {
    std::string error;
    return *http::TrustedProxies::Parse({"127.0.0.0/8"}, &error, http::ForwardedHeader::kForwarded);
  }();
  const std::string s(reinterpret_cast<const char*>(data), size);

  http::Request req;
  req.peer = boost::asio::ip::make_address("127.0.0.1");
  if (ParseAsHeaders(s, &req)) {
    for (const char* name : {"amur_session", "amur_voter", "amur_form"}) {
      if (auto v = http::CookieValue(req, name)) AMUR_FUZZ_CHECK(v->size() <= s.size());
    }
    if (auto bearer = http::BearerToken(req)) {
      AMUR_FUZZ_CHECK(!bearer->empty() && bearer->front() != ' ' && bearer->back() != ' ');
      (void)service::LooksLikeSessionToken(*bearer);
    }
    CheckClientAddress(proxies, req);
    CheckClientAddress(forwarded, req);
  }

  (void)http::ParseForwardedHop(s);
  (void)service::LooksLikeSessionToken(s);
  // A form token checks only with the cookie it was issued for.
  static const std::string kFormCookie(43, 'A');
  if (http::html::CheckFormToken(kFormKey, kFormCookie, s, kNow)) {
    const auto dot = s.find('.');
    AMUR_FUZZ_CHECK(http::html::IssueFormToken(kFormKey, kFormCookie,
                                               std::stoll(s.substr(0, dot)) * 1000) == s);
  }
  (void)http::html::ValidFormCookie(s);
  AMUR_FUZZ_CHECK(!http::html::CheckFormToken(kFormKey, s.substr(0, 43), s, kNow) ||
                  http::html::ValidFormCookie(s.substr(0, 43)));
  CheckCursor(s);
  if (auto id = amur::ParseCommentId(s)) AMUR_FUZZ_CHECK(amur::FormatCommentId(*id) == s);
  if (auto id = http::api::ParseUserId(s)) AMUR_FUZZ_CHECK("u" + std::to_string(*id) == s);
  (void)http::api::ParseRoleField(s);
  (void)amur::ParseRole(s);
  (void)amur::ParseCommentState(s);
  (void)service::ParseSortOrder(s);
  (void)service::ParseQueue(s);
  (void)service::ParseDecision(s);
  if (auto limit = http::api::ParseLimit(s, 50)) AMUR_FUZZ_CHECK(*limit >= 1 && *limit <= 200);
  if (auto params = http::ParseQuery(s)) {
    for (const auto& [k, v] : *params) AMUR_FUZZ_CHECK(k.size() + v.size() <= s.size());
  }
  (void)amur::notify::ParseWebhookUrl(s);
  (void)amur::notify::ParseWebhookSecret(s);
  return 0;
}
