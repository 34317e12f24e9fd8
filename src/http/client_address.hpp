// Who the client is: the socket's peer, unless that peer is a configured
// trusted proxy, in which case the right-most address of X-Forwarded-For that
// is not itself a trusted proxy. A forged X-Forwarded-For from an untrusted
// peer is ignored.
#pragma once

#include <boost/asio/ip/address.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace amur::http {

class TrustedProxies final {
 public:
  // Parses CIDRs ("10.0.0.0/8", "::1/128") or plain addresses. Returns
  // nullopt and sets `error` on a malformed entry.
  static std::optional<TrustedProxies> Parse(const std::vector<std::string>& cidrs,
                                             std::string* error);

  bool Contains(const boost::asio::ip::address& a) const;

  // The client address for a request from `peer` with the given
  // X-Forwarded-For header value (may be empty).
  std::string ClientAddress(const boost::asio::ip::address& peer,
                            std::string_view forwarded_for) const;

 private:
  struct Net {
    boost::asio::ip::address base;
    unsigned prefix;
  };
  std::vector<Net> nets_;
};

}  // namespace amur::http
