// Markdown to safe HTML. CommonMark + GFM autolinks and strikethrough through
// cmark-gfm. Raw HTML is never passed through (it is shown as text); only
// http, https and mailto links survive; every link carries
// rel="nofollow ugc noopener"; images are shown as links, never loaded.
#pragma once

#include <string>
#include <string_view>

namespace amur::render {

// Renders `markdown` (well-formed UTF-8) to an HTML fragment that is safe to
// insert into a page as is. Never throws on any input; bounded time and
// memory for inputs up to the 10,000-character comment limit.
std::string MarkdownToSafeHtml(std::string_view markdown);

}  // namespace amur::render
