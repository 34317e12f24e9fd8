#include "http/widget_assets.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <string_view>

namespace amur::http {
namespace {

std::string Gunzip(std::string_view in) {
  z_stream zs{};
  EXPECT_EQ(inflateInit2(&zs, 15 + 16), Z_OK);
  std::string out;
  char buf[4096];
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
  }
  inflateEnd(&zs);
  EXPECT_EQ(rc, Z_STREAM_END);
  return out;
}

std::string HeaderOf(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return {};
}

Request Get(std::string_view accept_encoding = {}, std::string_view if_none_match = {}) {
  Request req;
  req.message.method(beast_http::verb::get);
  if (!accept_encoding.empty()) req.message.set("Accept-Encoding", accept_encoding);
  if (!if_none_match.empty()) req.message.set("If-None-Match", if_none_match);
  return req;
}

constexpr std::string_view kJs = "var css='/embed.css?v=__AMUR_CSS_VERSION__', w=+'__AMUR_EDIT_WINDOW__';";
constexpr std::string_view kCss = ".amur-w{color:red}";

TEST(WidgetAssetsTest, AcceptsGzip) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("gzip, deflate, br"));
  EXPECT_TRUE(AcceptsGzip("br;q=1.0, GZIP;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("x-gzip"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip("deflate, br"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip; q=0.000, *"));
  EXPECT_FALSE(AcceptsGzip("*;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzipped"));
}

TEST(WidgetAssetsTest, FillsInTheStylesheetHashAndTheEditWindow) {
  WidgetAssets assets(kJs, kCss, WidgetOptions{600});
  const std::string& v = assets.CssVersion();
  EXPECT_EQ(v.size(), 16u);
  const std::string_view js = assets.Identity("embed.js");
  EXPECT_NE(js.find("var css='/embed.css?v=" + v + "', w=+'600';\n"), std::string_view::npos);
  EXPECT_EQ(assets.Identity("embed.css"), std::string(kCss) + "\n");
  EXPECT_TRUE(assets.Identity("other.js").empty());
  // Another stylesheet, another hash.
  EXPECT_NE(WidgetAssets(kJs, ".amur-w{color:blue}", {}).CssVersion(), v);
}

TEST(WidgetAssetsTest, ServesJsWithShortCachingAndNosniff) {
  WidgetAssets assets(kJs, kCss, {});
  const Response r = assets.Serve(Get(), "embed.js", "");
  EXPECT_EQ(r.status, beast_http::status::ok);
  EXPECT_EQ(r.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(HeaderOf(r, "Cache-Control"), "public, max-age=300");
  EXPECT_EQ(HeaderOf(r, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(HeaderOf(r, "Vary"), "Accept-Encoding");
  EXPECT_EQ(HeaderOf(r, "Content-Encoding"), "");
  EXPECT_EQ(r.body, assets.Identity("embed.js"));
  EXPECT_FALSE(HeaderOf(r, "ETag").empty());
}

TEST(WidgetAssetsTest, GzipWhenAcceptedWithItsOwnEtag) {
  WidgetAssets assets(kJs, kCss, {});
  const Response plain = assets.Serve(Get("identity"), "embed.js", "");
  const Response zipped = assets.Serve(Get("gzip, deflate"), "embed.js", "");
  EXPECT_EQ(HeaderOf(zipped, "Content-Encoding"), "gzip");
  EXPECT_EQ(Gunzip(zipped.body), plain.body);
  EXPECT_NE(HeaderOf(zipped, "ETag"), HeaderOf(plain, "ETag"));
}

// zlib's best, for comparison with GzipCompress.
std::size_t ZlibGzipSize(std::string_view in) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string out(deflateBound(&zs, static_cast<uLong>(in.size())), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  const std::size_t size = zs.total_out;
  deflateEnd(&zs);
  return size;
}

// The served gzip copy of the real widget is valid gzip and smaller than
// zlib's level 9 would make it (libdeflate's level 12: about 3%).
TEST(WidgetAssetsTest, GzipCopyIsSmallerThanZlibsBest) {
  WidgetAssets assets(WidgetOptions{});
  for (const char* name : {"embed.js", "embed.css"}) {
    const std::string_view text = assets.Identity(name);
    const std::string zipped = GzipCompress(text);
    EXPECT_EQ(Gunzip(zipped), text) << name;
    EXPECT_LT(zipped.size(), ZlibGzipSize(text)) << name;
  }
}

TEST(WidgetAssetsTest, NotModifiedForAMatchingEtag) {
  WidgetAssets assets(kJs, kCss, {});
  const std::string etag = HeaderOf(assets.Serve(Get(), "embed.js", ""), "ETag");
  const Response again = assets.Serve(Get({}, etag), "embed.js", "");
  EXPECT_EQ(again.status, beast_http::status::not_modified);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(HeaderOf(again, "ETag"), etag);
  EXPECT_EQ(assets.Serve(Get({}, "\"a\", W/" + etag), "embed.js", "").status,
            beast_http::status::not_modified);
  EXPECT_EQ(assets.Serve(Get({}, "\"other\""), "embed.js", "").status, beast_http::status::ok);
  // The identity ETag does not match the gzip variant.
  EXPECT_EQ(assets.Serve(Get("gzip", etag), "embed.js", "").status, beast_http::status::ok);
}

// embed.js names embed-more.js by its content hash; that file is served as a
// script, immutable under the hash, with a banner naming its own source.
TEST(WidgetAssetsTest, TheOnDemandPartIsServedUnderItsHash) {
  constexpr std::string_view kMain = "var more='/embed-more.js?v=__AMUR_MORE_VERSION__';";
  constexpr std::string_view kMore = "Amur.more=function(X){return{}};";
  WidgetAssets assets(kMain, kCss, {}, kMore);
  const std::string& v = assets.MoreVersion();
  EXPECT_EQ(v.size(), 16u);
  EXPECT_NE(assets.Identity("embed.js").find("var more='/embed-more.js?v=" + v + "';\n"),
            std::string_view::npos);
  EXPECT_NE(WidgetAssets(kMain, kCss, {}, "Amur.more=null;").MoreVersion(), v);
  const Response current = assets.Serve(Get("gzip"), "embed-more.js", v);
  EXPECT_EQ(current.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(HeaderOf(current, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(HeaderOf(current, "Content-Encoding"), "gzip");
  EXPECT_EQ(HeaderOf(current, "Cross-Origin-Resource-Policy"), "cross-origin");
  EXPECT_EQ(assets.Identity("embed-more.js"),
            "/* Amur comment widget: web/widget/embed-more.js in amur's source. */\n" +
                std::string(kMore) + "\n");
  EXPECT_EQ(HeaderOf(assets.Serve(Get(), "embed-more.js", "0123456789abcdef"), "Cache-Control"),
            "public, max-age=300");
}

TEST(WidgetAssetsTest, CssIsImmutableOnlyUnderItsHash) {
  WidgetAssets assets(kJs, kCss, {});
  const Response current = assets.Serve(Get(), "embed.css", assets.CssVersion());
  EXPECT_EQ(current.content_type, "text/css; charset=utf-8");
  EXPECT_EQ(HeaderOf(current, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(current.body, std::string(kCss) + "\n");
  EXPECT_EQ(HeaderOf(assets.Serve(Get(), "embed.css", "0123456789abcdef"), "Cache-Control"),
            "public, max-age=300");
  EXPECT_EQ(HeaderOf(assets.Serve(Get(), "embed.css", ""), "Cache-Control"), "public, max-age=300");
}

TEST(WidgetAssetsTest, CompactJsDropsCommentsAndIndentationOnly) {
  const std::string js = CompactJs(
      "/* usage\n * notes */\n(function () {\n  // a comment\n\n  var url = 'http://x'; // kept\n"
      "  var re = /\\/\\//;\n\t  return 1\r\n})();\n");
  EXPECT_EQ(js.substr(js.find('\n') + 1),
            "(function () {\nvar url = 'http://x'; // kept\nvar re = /\\/\\//;\nreturn 1\n})();\n");
  EXPECT_EQ(js.rfind("/* Amur comment widget", 0), 0u);
}

TEST(WidgetAssetsTest, CompactCssDropsCommentsAndIndentation) {
  EXPECT_EQ(CompactCss("/* a */\n.x {\n  color: red; /* b */\n\n  content: \"  \";\n}\n/* open"),
            ".x {\ncolor: red;\ncontent: \"  \";\n}\n");
}

TEST(WidgetAssetsTest, UnknownNameIsNotFound) {
  WidgetAssets assets(kJs, kCss, {});
  EXPECT_EQ(assets.Serve(Get(), "embed.mjs", "").status, beast_http::status::not_found);
}

// The real widget, as embedded at build time: placeholders present, and the
// budget of issue 3 kept (its three files at most 20 KB gzipped).
TEST(WidgetAssetsTest, EmbeddedWidgetStaysWithinTwentyKilobytesGzipped) {
  WidgetAssets assets(WidgetOptions{});
  const std::string_view js = assets.Identity("embed.js");
  const std::string_view css = assets.Identity("embed.css");
  const std::string_view more = assets.Identity("embed-more.js");
  ASSERT_FALSE(js.empty());
  ASSERT_FALSE(css.empty());
  ASSERT_FALSE(more.empty());
  // CompactCss left no comment behind (the browser suite runs the compacted
  // embed.js itself).
  EXPECT_EQ(css.find("/*"), std::string_view::npos);
  EXPECT_EQ(js.find("__AMUR_"), std::string_view::npos);
  EXPECT_NE(js.find("/embed.css?v=" + assets.CssVersion()), std::string_view::npos);
  EXPECT_NE(js.find("/embed-more.js?v=" + assets.MoreVersion()), std::string_view::npos);
  const std::size_t total =
      GzipCompress(js).size() + GzipCompress(css).size() + GzipCompress(more).size();
  EXPECT_LE(total, 20u * 1024u) << "gzip of embed.js, embed.css and embed-more.js = " << total
                                << " bytes";
}

}  // namespace
}  // namespace amur::http
