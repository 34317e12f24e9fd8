#include "http/web_assets.hpp"

namespace amur::http {

std::string AssetContentType(std::string_view name) {
  auto ends = [&](std::string_view ext) {
    return name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext;
  };
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".html")) return "text/html; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace amur::http
