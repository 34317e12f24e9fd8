#include "http/client_address.hpp"

#include <boost/beast/core/string.hpp>

#include <charconv>

namespace amur::http {

namespace {

boost::asio::ip::address Normalize(const boost::asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6());
  }
  return a;
}

bool PrefixMatch(const boost::asio::ip::address& base, unsigned prefix,
                 const boost::asio::ip::address& a) {
  if (base.is_v4() != a.is_v4()) return false;
  if (base.is_v4()) {
    const auto b = base.to_v4().to_uint();
    const auto x = a.to_v4().to_uint();
    const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
    return (b & mask) == (x & mask);
  }
  const auto b = base.to_v6().to_bytes();
  const auto x = a.to_v6().to_bytes();
  unsigned bits = prefix;
  for (std::size_t i = 0; i < 16 && bits > 0; ++i) {
    const unsigned take = bits >= 8 ? 8 : bits;
    const unsigned char mask = static_cast<unsigned char>(0xFF << (8 - take));
    if ((b[i] & mask) != (x[i] & mask)) return false;
    bits -= take;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool AllDigits(std::string_view s) {
  if (s.empty() || s.size() > 5) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

// The for= values of a Forwarded header (RFC 7239), left to right; an
// element without one gives an empty value (it cannot be trusted through).
std::vector<std::string_view> ForwardedFor(std::string_view header) {
  std::vector<std::string_view> out;
  while (true) {
    // Elements are separated by commas outside quoted strings.
    std::size_t end = 0;
    bool quoted = false;
    while (end < header.size() && (quoted || header[end] != ',')) {
      if (header[end] == '"') quoted = !quoted;
      ++end;
    }
    std::string_view element = header.substr(0, end);
    std::string_view value;
    while (!element.empty()) {
      const auto semi = element.find(';');
      const std::string_view pair = Trim(element.substr(0, semi));
      element = semi == std::string_view::npos ? std::string_view() : element.substr(semi + 1);
      const auto eq = pair.find('=');
      if (eq != std::string_view::npos && EqualsNoCase(Trim(pair.substr(0, eq)), "for")) {
        value = Trim(pair.substr(eq + 1));
      }
    }
    out.push_back(value);
    if (end >= header.size()) break;
    header.remove_prefix(end + 1);
  }
  return out;
}

}  // namespace

std::optional<boost::asio::ip::address> ParseForwardedHop(std::string_view hop) {
  hop = Trim(hop);
  if (hop.size() >= 2 && hop.front() == '"' && hop.back() == '"') {
    hop = hop.substr(1, hop.size() - 2);
  }
  std::string_view host = hop;
  if (!hop.empty() && hop.front() == '[') {
    // "[2001:db8::1]" or "[2001:db8::1]:443"
    const auto close = hop.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = hop.substr(1, close - 1);
    const std::string_view after = hop.substr(close + 1);
    if (!after.empty() && !(after.front() == ':' && AllDigits(after.substr(1)))) {
      return std::nullopt;
    }
  } else if (const auto colon = hop.find(':');
             colon != std::string_view::npos && hop.find(':', colon + 1) == std::string_view::npos) {
    // "1.2.3.4:5555" (one colon: an IPv6 address has at least two)
    if (!AllDigits(hop.substr(colon + 1))) return std::nullopt;
    host = hop.substr(0, colon);
    if (host.find('.') == std::string_view::npos) return std::nullopt;
  }
  if (host.empty() || host.find('%') != std::string_view::npos) return std::nullopt;
  boost::system::error_code ec;
  const auto a = boost::asio::ip::make_address(std::string(host), ec);
  if (ec) return std::nullopt;
  // A bracketed host must be IPv6; a host with a port after one colon, IPv4.
  if (!hop.empty() && hop.front() == '[' && !a.is_v6()) return std::nullopt;
  return a;
}

std::optional<TrustedProxies> TrustedProxies::Parse(const std::vector<std::string>& cidrs,
                                                    std::string* error, ForwardedHeader header) {
  TrustedProxies t;
  t.header_ = header;
  for (const auto& c : cidrs) {
    const auto slash = c.find('/');
    boost::system::error_code ec;
    const auto addr = boost::asio::ip::make_address(c.substr(0, slash), ec);
    if (ec) {
      *error = "not an address or CIDR: " + c;
      return std::nullopt;
    }
    unsigned prefix = addr.is_v4() ? 32 : 128;
    if (slash != std::string::npos) {
      const std::string_view p = std::string_view(c).substr(slash + 1);
      auto [ptr, pec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
      if (pec != std::errc() || ptr != p.data() + p.size() || prefix > (addr.is_v4() ? 32u : 128u)) {
        *error = "bad prefix length in " + c;
        return std::nullopt;
      }
    }
    // "::ffff:10.0.0.0/104" means 10.0.0.0/8: mapped entries match IPv4 peers.
    if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
      if (prefix < 96) {
        *error = "an IPv4-mapped CIDR needs a prefix of at least 96: " + c;
        return std::nullopt;
      }
      prefix -= 96;
    }
    t.nets_.push_back(Net{Normalize(addr), prefix});
  }
  return t;
}

bool TrustedProxies::Contains(const boost::asio::ip::address& a) const {
  const auto n = Normalize(a);
  for (const auto& net : nets_) {
    if (PrefixMatch(net.base, net.prefix, n)) return true;
  }
  return false;
}

std::optional<ForwardedHeader> ParseForwardedHeader(std::string_view name) {
  if (boost::beast::iequals(name, "x-forwarded-for")) return ForwardedHeader::kXForwardedFor;
  if (boost::beast::iequals(name, "forwarded")) return ForwardedHeader::kForwarded;
  return std::nullopt;
}

std::string_view TrustedProxies::HeaderName() const {
  return header_ == ForwardedHeader::kForwarded ? "Forwarded" : "X-Forwarded-For";
}

std::string TrustedProxies::ClientAddress(const boost::asio::ip::address& peer,
                                          std::string_view forwarded) const {
  const auto p = Normalize(peer);
  if (nets_.empty() || !Contains(p)) return p.to_string();
  std::vector<std::string_view> hops;
  if (Trim(forwarded).empty()) {
    // no hops: the proxy is the client
  } else if (header_ == ForwardedHeader::kForwarded) {
    hops = ForwardedFor(forwarded);
  } else {
    std::string_view rest = forwarded;
    while (true) {
      const auto comma = rest.find(',');
      hops.push_back(rest.substr(0, comma));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  // Walk the hops from the right; the first one not trusted is the client.
  std::string client = p.to_string();
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    const auto a = ParseForwardedHop(*it);
    if (!a) break;  // garbage ("unknown", a name): stop at the last trustworthy hop
    client = Normalize(*a).to_string();
    if (!Contains(*a)) break;
  }
  return client;
}

}  // namespace amur::http
