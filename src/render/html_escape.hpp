// Escaping for HTML text and double-quoted attribute values.
#pragma once

#include <string>
#include <string_view>

namespace amur::render {

// Appends `text` with & < > " ' escaped; safe in element text and in
// double- or single-quoted attribute values.
void AppendEscaped(std::string& out, std::string_view text);
std::string Escape(std::string_view text);

// Percent-encodes `text` for use as a URL query value.
std::string UrlEncode(std::string_view text);

}  // namespace amur::render
