#include "http/request_parsing.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>

#include <algorithm>
#include <charconv>

namespace amur::http {

namespace json = boost::json;

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes one key or value; '+' is a space. False on a bad escape.
bool Decode(std::string_view in, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '+') {
      out->push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = HexValue(in[i + 1]);
      const int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out->push_back(c);
    }
  }
  return true;
}

}  // namespace

// Boost.URL would do this, but Debian 12's libboost_url 1.81 misbehaves when
// linked from C++20 code (a strlen over a non-terminated view, a missing
// symbol), so the decoding is written here.
std::optional<Params> ParseQuery(std::string_view query) {
  Params out;
  std::size_t start = 0;
  while (start <= query.size() && !query.empty()) {
    const auto amp = query.find('&', start);
    const std::string_view part =
        query.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    if (!part.empty()) {
      const auto eq = part.find('=');
      std::string key, value;
      if (!Decode(part.substr(0, eq), &key)) return std::nullopt;
      if (eq != std::string_view::npos && !Decode(part.substr(eq + 1), &value)) return std::nullopt;
      out.emplace_back(std::move(key), std::move(value));
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  return out;
}

std::optional<std::string> FirstParam(const Params& params, std::string_view key) {
  for (const auto& [k, v] : params) {
    if (k == key) return v;
  }
  return std::nullopt;
}

std::vector<std::string> AllParams(const Params& params, std::string_view key) {
  std::vector<std::string> out;
  for (const auto& [k, v] : params) {
    if (k == key) out.push_back(v);
  }
  return out;
}

std::string_view Header(const Request& req, std::string_view name) {
  auto it = req.message.find(boost::beast::string_view(name.data(), name.size()));
  if (it == req.message.end()) return {};
  return std::string_view(it->value().data(), it->value().size());
}

std::string JoinedHeader(const Request& req, std::string_view name) {
  std::string out;
  auto range = req.message.equal_range(boost::beast::string_view(name.data(), name.size()));
  for (auto it = range.first; it != range.second; ++it) {
    if (!out.empty()) out += ',';
    out.append(it->value().data(), it->value().size());
  }
  return out;
}

Result<boost::json::object> JsonBody(const Request& req) {
  if (auto st = RequireJson(req); !st) return st.error();
  return ParseJsonObject(req.message.body());
}

Status RequireJson(const Request& req) {
  std::string_view ct = Header(req, "Content-Type");
  const auto semi = ct.find(';');
  std::string_view mime = ct.substr(0, semi);
  while (!mime.empty() && mime.back() == ' ') mime.remove_suffix(1);
  if (!boost::beast::iequals(mime, "application/json")) {
    return MakeError(ErrorCode::kUnsupportedMediaType,
                     "Send the body as JSON with 'Content-Type: application/json'.");
  }
  return Ok();
}

Result<json::object> ParseJsonObject(std::string_view body) {
  json::parse_options opts;
  opts.max_depth = 16;
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(body.data(), body.size()), ec, {}, opts);
  if (ec) return MakeError(ErrorCode::kInvalidJson, "The body is not valid JSON.");
  if (!v.is_object()) return MakeError(ErrorCode::kInvalidJson, "The body must be a JSON object.");
  return std::move(v.as_object());
}

Result<std::optional<std::string>> OptionalString(const json::object& o, std::string_view key) {
  auto it = o.find(json::string_view(key.data(), key.size()));
  if (it == o.end() || it->value().is_null()) return std::optional<std::string>();
  if (!it->value().is_string()) {
    return MakeError(ErrorCode::kInvalidField, std::string(key) + " must be a string.",
                     std::string(key));
  }
  const auto& s = it->value().get_string();
  return std::optional<std::string>(std::string(s.data(), s.size()));
}

Result<std::string> RequiredString(const json::object& o, std::string_view key) {
  auto v = OptionalString(o, key);
  if (!v) return v.error();
  if (!*v) {
    return MakeError(ErrorCode::kMissingField, std::string(key) + " is required.", std::string(key));
  }
  return std::move(**v);
}

std::optional<std::string> BearerToken(const Request& req) {
  std::string_view h = Header(req, "Authorization");
  if (h.size() < 7 || !boost::beast::iequals(h.substr(0, 7), "Bearer ")) return std::nullopt;
  h.remove_prefix(7);
  while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
  while (!h.empty() && h.back() == ' ') h.remove_suffix(1);
  if (h.empty()) return std::nullopt;
  return std::string(h);
}

std::string UrlOrigin(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return {};
  const auto end = url.find_first_of("/?#", scheme_end + 3);
  std::string origin(url.substr(0, end));
  for (char& c : origin) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string_view scheme(origin.data(), scheme_end);
  for (const auto& [name, port] : {std::pair{"http", ":80"}, std::pair{"https", ":443"}}) {
    const std::string_view p(port);
    if (scheme == name && origin.size() > p.size() &&
        origin.compare(origin.size() - p.size(), p.size(), p) == 0) {
      origin.resize(origin.size() - p.size());
    }
  }
  return origin;
}

std::optional<std::string> CookieValue(const Request& req, std::string_view name) {
  std::string_view h = Header(req, "Cookie");
  while (!h.empty()) {
    const auto semi = h.find(';');
    std::string_view part = h.substr(0, semi);
    h = semi == std::string_view::npos ? std::string_view() : h.substr(semi + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    const auto eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    if (part.substr(0, eq) == name) return std::string(part.substr(eq + 1));
  }
  return std::nullopt;
}

std::int64_t SeenSeq(const Request& req) {
  const auto parse = [](std::string_view text) -> std::int64_t {
    std::int64_t v = 0;
    const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || p != text.data() + text.size() || v < 0) return 0;
    return v;
  };
  const std::int64_t header = parse(Header(req, kSeenHeader));
  const auto cookie = CookieValue(req, kSeenCookie);
  return std::max(header, cookie ? parse(*cookie) : std::int64_t{0});
}

}  // namespace amur::http
