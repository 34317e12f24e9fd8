#include "http/widget_assets.hpp"

#include <libdeflate.h>

#include <cctype>
#include <memory>
#include <stdexcept>

#include "core/random.hpp"
#include "http/error_mapping.hpp"
#include "http/request_parsing.hpp"
#include "http/response_cache.hpp"

namespace amur::http {
namespace {

constexpr std::string_view kShortCache = "public, max-age=300";
constexpr std::string_view kImmutableCache = "public, max-age=31536000, immutable";

std::string_view Embedded(std::string_view name) {
  for (const auto& f : WidgetFiles()) {
    if (f.name == name) return f.bytes;
  }
  throw std::logic_error("the widget file " + std::string(name) + " is not embedded");
}

void ReplaceAll(std::string& text, std::string_view from, std::string_view to) {
  for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// True when If-None-Match (a list of ETags, or *) names `etag`.
bool NoneMatchHits(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    const auto comma = header.find(',');
    std::string_view item = Trim(header.substr(0, comma));
    if (item.rfind("W/", 0) == 0) item.remove_prefix(2);
    if (item == "*" || item == etag) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

// Each line of `text` without its indentation; blank lines and lines for
// which `drop` is true are left out.
template <typename Drop>
std::string KeepLines(std::string_view text, Drop drop) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) {
      line.remove_suffix(1);
    }
    if (line.empty() || drop(line)) continue;
    out += line;
    out += '\n';
  }
  return out;
}

}  // namespace

std::string CompactJs(std::string_view js, std::string_view file) {
  const std::string banner =
      "/* Amur comment widget: web/widget/" + std::string(file) + " in amur's source. */\n";
  if (js.rfind("/*", 0) == 0) {
    const auto end = js.find("*/");
    if (end != std::string_view::npos) js.remove_prefix(end + 2);
  }
  return banner + KeepLines(js, [](std::string_view line) { return line.rfind("//", 0) == 0; });
}

std::string CompactCss(std::string_view css) {
  std::string bare;
  bare.reserve(css.size());
  while (!css.empty()) {
    const auto open = css.find("/*");
    bare += css.substr(0, open);
    if (open == std::string_view::npos) break;
    const auto close = css.find("*/", open + 2);
    css = close == std::string_view::npos ? std::string_view() : css.substr(close + 2);
  }
  return KeepLines(bare, [](std::string_view) { return false; });
}

bool AcceptsGzip(std::string_view header) {
  bool star = false;
  bool gzip = false;
  bool gzip_named = false;
  while (!header.empty()) {
    const auto comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    const auto semi = item.find(';');
    const std::string_view coding = Trim(item.substr(0, semi));
    bool refused = false;
    if (semi != std::string_view::npos) {
      std::string_view params = item.substr(semi + 1);
      while (!params.empty()) {
        const auto next = params.find(';');
        const std::string_view p = Trim(params.substr(0, next));
        if (p.size() >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
          const std::string_view v = p.substr(2);
          refused = !v.empty() && v.find_first_not_of("0.") == std::string_view::npos;
        }
        if (next == std::string_view::npos) break;
        params.remove_prefix(next + 1);
      }
    }
    if (IEquals(coding, "gzip") || IEquals(coding, "x-gzip")) {
      gzip_named = true;
      gzip = gzip || !refused;
    } else if (coding == "*") {
      star = !refused;
    }
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return gzip || (!gzip_named && star);
}

std::string GzipCompress(std::string_view data) {
  // libdeflate's level 12 (its best, near zopfli's output and far faster):
  // about 3% smaller than zlib's level 9 on the widget. Done once at start-up.
  const std::unique_ptr<libdeflate_compressor, decltype(&libdeflate_free_compressor)> c(
      libdeflate_alloc_compressor(12), &libdeflate_free_compressor);
  if (!c) throw std::runtime_error("libdeflate_alloc_compressor failed");
  std::string out(libdeflate_gzip_compress_bound(c.get(), data.size()), '\0');
  const std::size_t written =
      libdeflate_gzip_compress(c.get(), data.data(), data.size(), out.data(), out.size());
  if (written == 0) throw std::runtime_error("libdeflate_gzip_compress failed");
  out.resize(written);
  return out;
}

WidgetAssets::WidgetAssets(const WidgetOptions& options)
    : WidgetAssets(Embedded("embed.js"), Embedded("embed.css"), options,
                   Embedded("embed-more.js")) {}

WidgetAssets::WidgetAssets(std::string_view js_source, std::string_view css_source,
                           const WidgetOptions& options, std::string_view more_source) {
  std::string css = CompactCss(css_source);
  css_version_ = Sha256Hex(css).substr(0, 16);
  std::string more = CompactJs(more_source, "embed-more.js");
  more_version_ = Sha256Hex(more).substr(0, 16);
  std::string js = CompactJs(js_source);
  ReplaceAll(js, kCssVersionPlaceholder, css_version_);
  ReplaceAll(js, kMoreVersionPlaceholder, more_version_);
  ReplaceAll(js, kEditWindowPlaceholder, std::to_string(options.edit_window_seconds));
  ReplaceAll(js, kNotifyPlaceholder, options.notify ? "1" : "0");
  Prepare(js_, std::move(js), AssetContentType("embed.js"));
  Prepare(css_, std::move(css), AssetContentType("embed.css"));
  Prepare(more_, std::move(more), AssetContentType("embed-more.js"));
}

void WidgetAssets::Prepare(File& file, std::string body, std::string content_type) {
  file.content_type = std::move(content_type);
  file.gzip = GzipCompress(body);
  file.etag = MakeEtag(body);
  file.gzip_etag = MakeEtag(file.gzip);
  file.identity = std::move(body);
}

std::string_view WidgetAssets::Identity(std::string_view name) const {
  if (name == "embed.js") return js_.identity;
  if (name == "embed.css") return css_.identity;
  if (name == "embed-more.js") return more_.identity;
  return {};
}

Response WidgetAssets::Serve(const Request& req, std::string_view name,
                             std::string_view version) const {
  const File* file = nullptr;
  std::string_view cache = kShortCache;
  if (name == "embed.js") {
    file = &js_;
  } else if (name == "embed.css") {
    file = &css_;
    if (version == css_version_) cache = kImmutableCache;
  } else if (name == "embed-more.js") {
    file = &more_;
    if (version == more_version_) cache = kImmutableCache;
  } else {
    return ErrorResponse(MakeError(ErrorCode::kNotFound, "There is nothing at this address."));
  }
  const bool gzip = AcceptsGzip(Header(req, "Accept-Encoding"));
  const std::string& etag = gzip ? file->gzip_etag : file->etag;

  Response r;
  r.content_type = file->content_type;
  r.headers.emplace_back("Cache-Control", std::string(cache));
  r.headers.emplace_back("ETag", etag);
  r.headers.emplace_back("Vary", "Accept-Encoding");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  // Host pages that isolate themselves (COEP) may still load the widget.
  r.headers.emplace_back("Cross-Origin-Resource-Policy", "cross-origin");
  if (NoneMatchHits(Header(req, "If-None-Match"), etag)) {
    r.status = beast_http::status::not_modified;
    return r;
  }
  if (gzip) r.headers.emplace_back("Content-Encoding", "gzip");
  r.body = gzip ? file->gzip : file->identity;
  return r;
}

}  // namespace amur::http
