// WordPress eXtended RSS (WXR 1.0-1.2) details the importer's tests reach.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace amur::transfer {

struct VoteCounts {
  std::int64_t up = 0;
  std::int64_t down = 0;
};

// wpDiscuz's per-comment vote meta: `votes` is wpdiscuz_votes (likes minus
// dislikes), `separate` wpdiscuz_votes_seperate, a PHP-serialized array
// such as a:2:{s:4:"like";i:5;s:7:"dislike";i:2;} (dislikes may be stored
// negative). The separate counts win when both are given and readable.
std::optional<VoteCounts> WpDiscuzVotes(std::optional<std::string_view> votes,
                                        std::optional<std::string_view> separate);

}  // namespace amur::transfer
