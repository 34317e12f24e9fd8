// Static files of web/static, embedded into the binary at build time.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace amur::http {

struct WebAsset {
  std::string name;        // file name, served at /assets/<name>
  std::string_view bytes;  // the file's content
};

const std::vector<WebAsset>& WebAssets();

// "text/css; charset=utf-8" for .css, and so on.
std::string AssetContentType(std::string_view name);

}  // namespace amur::http
