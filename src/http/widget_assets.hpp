// The embed widget's three files, GET /embed.js, /embed.css and
// /embed-more.js (the part embed.js loads when first needed), prepared
// once at start-up from the sources embedded at build time (web/widget/*):
// comments and indentation dropped, placeholders filled in, content hashes,
// ETags and gzip computed, so that a request costs a lookup and a copy.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"
#include "http/web_assets.hpp"

namespace amur::http {

// The files of web/widget as embedded by CMake (name -> bytes).
const std::vector<WebAsset>& WidgetFiles();

// Placeholders in embed.js that the server fills in at start-up.
inline constexpr std::string_view kCssVersionPlaceholder = "__AMUR_CSS_VERSION__";
inline constexpr std::string_view kMoreVersionPlaceholder = "__AMUR_MORE_VERSION__";
inline constexpr std::string_view kEditWindowPlaceholder = "__AMUR_EDIT_WINDOW__";
inline constexpr std::string_view kNotifyPlaceholder = "__AMUR_NOTIFY__";

struct WidgetOptions {
  std::int64_t edit_window_seconds = 900;  // shown to the widget: when Edit/Delete go away
  bool notify = false;                     // the server sends email: the widget shows Subscribe
};

class WidgetAssets final {
 public:
  // From the embedded files (WidgetFiles()).
  explicit WidgetAssets(const WidgetOptions& options);
  // From the given sources (tests); `more_source` is embed-more.js's.
  WidgetAssets(std::string_view js_source, std::string_view css_source,
               const WidgetOptions& options, std::string_view more_source = {});

  // Answers GET /embed.js (name "embed.js"), /embed.css ("embed.css") or
  // /embed-more.js ("embed-more.js") for `req`; `version` is the request's
  // `v` query parameter (may be empty).
  // 200 with the file (gzip-encoded when the request accepts gzip), or 304
  // when If-None-Match names the variant's ETag. Every answer carries
  // Cache-Control, ETag, Vary: Accept-Encoding and X-Content-Type-Options:
  // nosniff. /embed.js is cached for five minutes (its URL never changes);
  // /embed.css with `v` equal to CssVersion(), and /embed-more.js with `v`
  // equal to MoreVersion(), are immutable for a year, any other `v` gets five
  // minutes. An unknown name answers 404.
  Response Serve(const Request& req, std::string_view name, std::string_view version) const;

  // The content hash of embed.css (16 hex digits) that embed.js appends as
  // ?v= when it loads the stylesheet.
  const std::string& CssVersion() const { return css_version_; }
  // The same for embed-more.js.
  const std::string& MoreVersion() const { return more_version_; }

  // The bytes served for `name` without Content-Encoding (after the
  // placeholders were filled in), or empty for an unknown name.
  std::string_view Identity(std::string_view name) const;

 private:
  struct File {
    std::string content_type;
    std::string identity;
    std::string gzip;
    std::string etag;
    std::string gzip_etag;
  };
  void Prepare(File& file, std::string body, std::string content_type);

  File js_;
  File css_;
  File more_;
  std::string css_version_;
  std::string more_version_;
};

// `js` without what only a reader of the source needs: a leading /* … */
// block, lines that hold only a // comment, indentation and blank lines.
// Lines are never joined, so automatic semicolon insertion is unchanged.
// REQUIRES: no string or template literal spans lines (embed.js has none).
// The banner names `file`, the source's file under web/widget.
std::string CompactJs(std::string_view js, std::string_view file = "embed.js");

// `css` without /* … */ comments, indentation and blank lines.
// REQUIRES: no "/*" inside a string.
std::string CompactCss(std::string_view css);

// True when an Accept-Encoding header value accepts gzip (gzip, x-gzip or *,
// without q=0).
bool AcceptsGzip(std::string_view accept_encoding);

// `data` compressed in the gzip format (RFC 1952) at libdeflate's best
// compression. Throws std::runtime_error if libdeflate fails (it does not for
// valid input).
std::string GzipCompress(std::string_view data);

}  // namespace amur::http
