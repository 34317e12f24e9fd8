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

#include "core/text.hpp"
#include "fuzz_check.hpp"
#include "render/markdown.hpp"
#include "service/comment_service.hpp"

namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// The value of attribute `name` in `tag` ("a href=\"…\" rel=\"…\""), or
// nullopt-like empty with found=false.
bool Attribute(std::string_view tag, std::string_view name, std::string_view* value) {
  const std::string key = " " + std::string(name) + "=\"";
  const auto at = tag.find(key);
  if (at == std::string_view::npos) return false;
  const auto start = at + key.size();
  const auto end = tag.find('"', start);
  AMUR_FUZZ_CHECK(end != std::string_view::npos);
  *value = tag.substr(start, end - start);
  return true;
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

void CheckAnchor(std::string_view tag) {
  std::string_view href, rel;
  AMUR_FUZZ_CHECK(Attribute(tag, "href", &href));
  AMUR_FUZZ_CHECK(StartsWith(href, "http://") || StartsWith(href, "https://") ||
                  StartsWith(href, "mailto:"));
  for (char c : href) {
    AMUR_FUZZ_CHECK(static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f);
    AMUR_FUZZ_CHECK(c != '\'' && c != '"' && c != '<' && c != '>' && c != '\\');
  }
  AMUR_FUZZ_CHECK(Attribute(tag, "rel", &rel));
  AMUR_FUZZ_CHECK(rel == "nofollow ugc noopener");
  std::string_view rest = tag;
  rest.remove_prefix(std::string_view("a href=\"").size() + href.size() + 1);
  std::string_view title;
  if (Attribute(tag, "title", &title)) {
    AMUR_FUZZ_CHECK(StartsWith(rest, " title=\""));
    rest.remove_prefix(std::string_view(" title=\"").size() + title.size() + 1);
  }
  AMUR_FUZZ_CHECK(rest == " rel=\"nofollow ugc noopener\"");
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
      std::string_view start;
      AMUR_FUZZ_CHECK(Attribute(tag, "start", &start));
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
