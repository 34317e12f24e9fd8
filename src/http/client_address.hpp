// Who the client is: the socket's peer, unless that peer is a configured
// trusted proxy, in which case the right-most address of the forwarding header
// the proxies write (X-Forwarded-For by default, or the for= values of RFC 7239
// Forwarded: --forwarded-header) that is not itself a trusted proxy. Only that
// header is read, every instance of it in order (a proxy that appends its own
// header line after the client's is read right), so a client cannot slip a
// forged address in through the other header. Hops may carry a port ("192.0.2.7:5555", "[2001:db8::1]:443")
// and Forwarded values may be quoted. A forged header from an untrusted peer
// is ignored; a hop that is not an address ("unknown", "_hidden", a name)
// stops the walk at the last trustworthy hop.
#pragma once

#include <boost/asio/ip/address.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace amur::http {

// One hop of X-Forwarded-For or one for= value of Forwarded: an IPv4 or IPv6
// address, optionally with a port ("192.0.2.7:80", "[2001:db8::1]:443",
// "[2001:db8::1]"), optionally in double quotes. nullopt for anything else.
std::optional<boost::asio::ip::address> ParseForwardedHop(std::string_view hop);

enum class ForwardedHeader { kXForwardedFor, kForwarded };

// "x-forwarded-for" or "forwarded" (any case); nullopt otherwise.
std::optional<ForwardedHeader> ParseForwardedHeader(std::string_view name);

class TrustedProxies final {
 public:
  // Parses CIDRs ("10.0.0.0/8", "::1/128") or plain addresses. Returns
  // nullopt and sets `error` on a malformed entry.
  static std::optional<TrustedProxies> Parse(
      const std::vector<std::string>& cidrs, std::string* error,
      ForwardedHeader header = ForwardedHeader::kXForwardedFor);

  bool Contains(const boost::asio::ip::address& a) const;

  // The header to read: "X-Forwarded-For" or "Forwarded".
  std::string_view HeaderName() const;

  // The client address for a request from `peer` whose HeaderName() header
  // lines, joined with ",", are `forwarded` (empty when absent).
  std::string ClientAddress(const boost::asio::ip::address& peer,
                            std::string_view forwarded) const;

 private:
  struct Net {
    boost::asio::ip::address base;
    unsigned prefix;
  };
  std::vector<Net> nets_;
  ForwardedHeader header_ = ForwardedHeader::kXForwardedFor;
};

}  // namespace amur::http
