// The network a client address belongs to, as one key for bans and rate
// limits: an IPv4 address is its own key (a /32: one public IPv4 address is
// often a NAT shared by a household, an office or a mobile carrier, so a /24
// would ban or throttle many unrelated people), an IPv6 address is keyed by
// its /64 (the prefix one subscriber or LAN is normally given, inside which
// a client can pick new addresses at will). IPv4-mapped IPv6 addresses count
// as IPv4.
#pragma once

#include <string>
#include <string_view>

namespace amur {

// "192.0.2.7" -> "192.0.2.7"; "2001:db8:1:2:aa::1" -> "2001:db8:1:2::/64";
// "::ffff:192.0.2.7" -> "192.0.2.7". Anything that is not an IP address
// (empty, a name) is returned unchanged.
std::string NetworkKey(std::string_view address);

}  // namespace amur
