// The demo article shown at GET /demo: the project's own text, on a fictional
// news site ("The Confluence"), so that the thread under it can be seen in
// the setting it is made for. Static HTML; nothing in it is user input and
// nothing is loaded from elsewhere (the figure is an inline SVG).
#pragma once

#include <string_view>

namespace amur::render {

// The article's headline, as plain text (the <h1> of DemoArticleHtml()).
inline constexpr std::string_view kDemoArticleTitle =
    "The river that drew a border: what the 1858 Treaty of Aigun still means";

// The site's masthead, placed before <main>.
std::string_view DemoMastheadHtml();

// The article (headline, standfirst, figure, byline, body) and the "More on
// the topic" list; placed inside <main>, before the thread section.
std::string_view DemoArticleHtml();

// The site's footer, placed after </main>.
std::string_view DemoFooterHtml();

}  // namespace amur::render
