#include "http/client_address.hpp"

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

}  // namespace

std::optional<TrustedProxies> TrustedProxies::Parse(const std::vector<std::string>& cidrs,
                                                    std::string* error) {
  TrustedProxies t;
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

std::string TrustedProxies::ClientAddress(const boost::asio::ip::address& peer,
                                          std::string_view forwarded_for) const {
  const auto p = Normalize(peer);
  if (nets_.empty() || !Contains(p) || forwarded_for.empty()) return p.to_string();
  // Walk X-Forwarded-For from the right; the first hop not trusted is the client.
  std::string_view rest = forwarded_for;
  std::string client = p.to_string();
  while (!rest.empty()) {
    const auto comma = rest.rfind(',');
    const std::string_view hop = Trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    boost::system::error_code ec;
    const auto a = boost::asio::ip::make_address(std::string(hop), ec);
    if (ec) break;  // garbage: stop at the last trustworthy hop
    client = Normalize(a).to_string();
    if (!Contains(a)) break;
  }
  return client;
}

}  // namespace amur::http
