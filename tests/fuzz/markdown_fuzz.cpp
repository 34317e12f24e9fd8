// Markdown rendering and the link policy (render/markdown.hpp): any comment
// body the service accepts (service::NormalizeBody, as posting and editing
// call it before rendering) renders without a sanitizer report to HTML that keeps the promises of
// markdown.hpp, checked here tag by tag: only the renderer's own tags, every
// <a> with an http, https or mailto href and rel="nofollow ugc noopener",
// anchors never nested, attribute values free of quotes and angle brackets
// (hrefs also of whitespace), no raw '<' or '>' from the text, block containers nested at
// most 16 deep, and the output itself well-formed UTF-8.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/text.hpp"
#include "fuzz_check.hpp"
#include "render/markdown.hpp"
#include "service/comment_service.hpp"

namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// The attributes of `tag` ("a href=\"…\" title=\"…\" rel=\"…\"") in order,
// as (name, value); each is ` name="value"`, and no value holds a '"' (the
// renderer escapes them), so a value that reads like another attribute
// (title=" rel=") stays one value.
std::vector<std::pair<std::string_view, std::string_view>> Attributes(std::string_view tag) {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  const auto space = tag.find(' ');
  std::string_view rest = space == std::string_view::npos ? std::string_view() : tag.substr(space);
  while (!rest.empty()) {
    AMUR_FUZZ_CHECK(rest.front() == ' ');
    const auto eq = rest.find("=\"");
    AMUR_FUZZ_CHECK(eq != std::string_view::npos && eq > 1);
    const std::string_view name = rest.substr(1, eq - 1);
    for (char c : name) AMUR_FUZZ_CHECK(c >= 'a' && c <= 'z');
    const auto close = rest.find('"', eq + 2);
    AMUR_FUZZ_CHECK(close != std::string_view::npos);
    out.emplace_back(name, rest.substr(eq + 2, close - eq - 2));
    rest.remove_prefix(close + 1);
  }
  return out;
}

// Every attribute value in `tag` is closed and holds no '<' (a title may
// hold line breaks: harmless inside quotes).
void CheckAttributes(std::string_view tag) {
  std::size_t quotes = 0;
  for (char c : tag) {
    if (c == '"') ++quotes;
    AMUR_FUZZ_CHECK(c != '<');
  }
  AMUR_FUZZ_CHECK(quotes % 2 == 0);
}

// href (http, https or mailto; no white space, quotes or brackets), an
// optional title, then rel="nofollow ugc noopener": nothing else.
void CheckAnchor(std::string_view tag) {
  const auto attrs = Attributes(tag);
  AMUR_FUZZ_CHECK(attrs.size() == 2 || attrs.size() == 3);
  AMUR_FUZZ_CHECK(attrs.front().first == "href");
  const std::string_view href = attrs.front().second;
  AMUR_FUZZ_CHECK(StartsWith(href, "http://") || StartsWith(href, "https://") ||
                  StartsWith(href, "mailto:"));
  for (char c : href) {
    AMUR_FUZZ_CHECK(static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f);
    AMUR_FUZZ_CHECK(c != '\'' && c != '"' && c != '<' && c != '>' && c != '\\');
  }
  if (attrs.size() == 3) AMUR_FUZZ_CHECK(attrs[1].first == "title");
  AMUR_FUZZ_CHECK(attrs.back().first == "rel" && attrs.back().second == "nofollow ugc noopener");
}

bool IsPlainTag(std::string_view tag) {
  static constexpr std::string_view kPlain[] = {
      "p",   "/p",  "blockquote", "/blockquote", "ol",      "/ol",  "ul",   "/ul",   "li",
      "/li", "h1",  "/h1",        "h2",          "/h2",     "h3",   "/h3",  "h4",    "/h4",
      "h5",  "/h5", "h6",         "/h6",         "pre",     "/pre", "code", "/code", "hr",
      "br",  "em",  "/em",        "strong",      "/strong", "del",  "/del", "/a"};
  for (std::string_view t : kPlain) {
    if (tag == t) return true;
  }
  return false;
}

void CheckHtml(std::string_view html) {
  AMUR_FUZZ_CHECK(amur::IsValidUtf8(html));
  int anchors = 0;
  int containers = 0;
  std::size_t i = 0;
  while (i < html.size()) {
    const char c = html[i];
    AMUR_FUZZ_CHECK(c != '>');  // a '>' outside a tag: unescaped text
    if (c != '<') {
      ++i;
      continue;
    }
    const auto end = html.find('>', i);
    AMUR_FUZZ_CHECK(end != std::string_view::npos);
    const std::string_view tag = html.substr(i + 1, end - i - 1);
    CheckAttributes(tag);
    if (StartsWith(tag, "a ")) {
      AMUR_FUZZ_CHECK(anchors == 0);
      CheckAnchor(tag);
      ++anchors;
    } else if (tag == "/a") {
      AMUR_FUZZ_CHECK(anchors == 1);
      --anchors;
    } else if (StartsWith(tag, "ol start=\"")) {
      const auto attrs = Attributes(tag);
      AMUR_FUZZ_CHECK(attrs.size() == 1);
      const std::string_view start = attrs.front().second;
      AMUR_FUZZ_CHECK(!start.empty());
      for (char d : start) AMUR_FUZZ_CHECK((d >= '0' && d <= '9') || d == '-');
    } else if (StartsWith(tag, "code class=\"language-")) {
      AMUR_FUZZ_CHECK(tag.back() == '"');
    } else {
      AMUR_FUZZ_CHECK(IsPlainTag(tag));
    }
    if (tag == "blockquote" || tag == "ul" || StartsWith(tag, "ol")) ++containers;
    if (tag == "/blockquote" || tag == "/ul" || tag == "/ol") --containers;
    AMUR_FUZZ_CHECK(containers >= 0 && containers <= 16);
    i = end + 1;
  }
  AMUR_FUZZ_CHECK(anchors == 0);
  AMUR_FUZZ_CHECK(containers == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string raw(reinterpret_cast<const char*>(data), size);
  const auto body = amur::service::NormalizeBody(raw);
  if (!body) return 0;
  CheckHtml(amur::render::MarkdownToSafeHtml(*body));
  return 0;
}
