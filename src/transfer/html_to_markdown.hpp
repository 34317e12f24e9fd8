// Comment HTML from other engines (WordPress's comment_content, Disqus's
// message) as Markdown that Amur's renderer turns back into the same
// paragraphs, line breaks, links, emphasis, code and quotes. Everything else
// becomes text: unknown tags are dropped (their text kept), scripts and
// styles vanish, and characters Markdown would read as syntax are escaped.
#pragma once

#include <string>
#include <string_view>

namespace amur::transfer {

enum class Newlines {
  kBreaks,      // WordPress: a blank line starts a paragraph, a newline breaks the line
  kWhiteSpace,  // HTML proper (Disqus): a newline is white space
};

std::string HtmlToMarkdown(std::string_view html, Newlines newlines);

// Decodes HTML character references (&amp; &#8217; &#x2019; and the common
// named ones); an unknown one is left as it is.
std::string DecodeHtmlEntities(std::string_view text);

}  // namespace amur::transfer
