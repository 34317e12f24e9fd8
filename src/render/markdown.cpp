#include "render/markdown.hpp"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "render/html_escape.hpp"

namespace amur::render {
namespace {

constexpr const char kRel[] = "nofollow ugc noopener";

// Single tildes stay literal ("~5 to ~10 minutes" is prose, not markup).
constexpr int kParseOptions =
    CMARK_OPT_VALIDATE_UTF8 | CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE;

struct ParserDeleter {
  void operator()(cmark_parser* p) const { cmark_parser_free(p); }
};
struct IterDeleter {
  void operator()(cmark_iter* i) const { cmark_iter_free(i); }
};

// The extension registry is global inside cmark-gfm and filled without a
// lock; fill it exactly once.
void EnsureExtensionsRegistered() {
  static std::once_flag once;
  std::call_once(once, [] { cmark_gfm_core_extensions_ensure_registered(); });
}

// cmark-gfm keeps its table of special inline characters in a process-wide
// array that every parse rewrites to add, then remove, the characters of its
// attached extensions (see github/cmark-gfm pull request #176). Two parses at
// once race on it and drop strikethrough or autolinks at random, so parses
// take turns; the walk that renders the tree needs no lock.
std::mutex& ParseMutex() {
  static std::mutex mu;
  return mu;
}

// A bump allocator for one render on this thread. cmark-gfm makes and frees
// many small blocks per comment (nodes, buffers, iterators, delimiters); from
// the arena each costs a pointer increment, and everything a render took goes
// back at once when it ends (RenderArenaScope). Its first block is kept for
// the thread's next render; larger ones are returned.
class RenderArena final {
 public:
  void* Allocate(std::size_t size) {
    const std::size_t need = Round(size) + kHeader;
    if (need > left_) Grow(need);
    char* block = cur_;
    cur_ += need;
    left_ -= need;
    std::memcpy(block, &size, sizeof size);
    last_ = block + kHeader;
    return last_;
  }
  void* Reallocate(void* p, std::size_t size) {
    if (!p) return Allocate(size);
    std::size_t old = 0;
    std::memcpy(&old, static_cast<char*>(p) - kHeader, sizeof old);
    // The newest block grows in place when the current slab has room.
    if (p == last_ && Round(size) <= Round(old) + left_) {
      const std::size_t extra = Round(size) - std::min(Round(size), Round(old));
      cur_ += extra;
      left_ -= extra;
      std::memcpy(static_cast<char*>(p) - kHeader, &size, sizeof size);
      return p;
    }
    void* q = Allocate(size);
    std::memcpy(q, p, std::min(old, size));
    return q;
  }
  // Everything allocated since the last Reset is released.
  void Reset() {
    if (slabs_.empty()) return;
    slabs_.resize(1);
    cur_ = slabs_.front().get();
    left_ = kSlab;
    last_ = nullptr;
  }

 private:
  static constexpr std::size_t kHeader = 16;  // the block's size; keeps 16-byte alignment
  static constexpr std::size_t kSlab = 64 * 1024;
  static std::size_t Round(std::size_t n) { return (n + 15) & ~std::size_t{15}; }
  void Grow(std::size_t need) {
    if (slabs_.empty()) {
      slabs_.emplace_back(new char[kSlab]);
      cur_ = slabs_.back().get();
      left_ = kSlab;
      if (need <= left_) return;
    }
    const std::size_t size = std::max(kSlab, need);
    slabs_.emplace_back(new char[size]);
    cur_ = slabs_.back().get();
    left_ = size;
  }
  std::vector<std::unique_ptr<char[]>> slabs_;
  char* cur_ = nullptr;
  std::size_t left_ = 0;
  void* last_ = nullptr;
};

thread_local RenderArena render_arena;

void* ArenaCalloc(std::size_t count, std::size_t size) {
  std::size_t bytes = 0;
  if (__builtin_mul_overflow(count, size, &bytes)) return nullptr;  // cmark-gfm aborts
  void* p = render_arena.Allocate(bytes);
  std::memset(p, 0, bytes);
  return p;
}
void* ArenaRealloc(void* p, std::size_t size) { return render_arena.Reallocate(p, size); }
void ArenaFree(void*) {}

cmark_mem arena_mem = {ArenaCalloc, ArenaRealloc, ArenaFree};

// Releases the render's arena when the render ends, however it ends.
struct RenderArenaScope {
  ~RenderArenaScope() { render_arena.Reset(); }
};

// The document's tree lives in this thread's render arena: it is valid until
// the enclosing RenderArenaScope ends, and needs no freeing.
cmark_node* Parse(std::string_view markdown) {
  std::lock_guard<std::mutex> lock(ParseMutex());
  std::unique_ptr<cmark_parser, ParserDeleter> parser(
      cmark_parser_new_with_mem(kParseOptions, &arena_mem));
  if (!parser) return nullptr;
  for (const char* name : {"autolink", "strikethrough"}) {
    if (cmark_syntax_extension* ext = cmark_find_syntax_extension(name)) {
      cmark_parser_attach_syntax_extension(parser.get(), ext);
    }
  }
  cmark_parser_feed(parser.get(), markdown.data(), markdown.size());
  return cmark_parser_finish(parser.get());
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view lower_prefix) {
  if (s.size() < lower_prefix.size()) return false;
  for (std::size_t i = 0; i < lower_prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower_prefix[i]) return false;
  }
  return true;
}

// Returns `url` (already entity- and backslash-decoded by cmark) as an
// attribute-safe href when it is an http, https or mailto URL, or nullopt for
// anything else. The scheme must be the very first bytes: leading spaces or
// controls, relative and protocol-relative URLs are all refused. The scheme
// is written in lower case; bytes outside a conservative URL set (cmark's
// own, less the single quote) are percent-encoded and '&' is written as
// "&amp;", so the result can contain neither a quote nor an angle bracket nor
// whitespace.
std::optional<std::string> SafeHref(const char* url) {
  if (url == nullptr) return std::nullopt;
  const std::string_view u(url);
  std::string_view scheme;
  for (std::string_view allowed : {"https://", "http://", "mailto:"}) {
    if (StartsWithIgnoreCase(u, allowed)) {
      scheme = allowed;
      break;
    }
  }
  if (scheme.empty() || u.size() == scheme.size()) return std::nullopt;

  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out(scheme);
  for (char c : u.substr(scheme.size())) {
    const auto b = static_cast<unsigned char>(c);
    const bool keep = (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') ||
                      std::strchr("-._~:/?#@!$()*+,;=%", c) != nullptr;
    if (b != 0 && keep) {
      out += c;
    } else if (c == '&') {
      out += "&amp;";
    } else {
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 0x0f];
    }
  }
  return out;
}

// Appends a newline unless the output is empty or already ends in one.
void Cr(std::string& out) {
  if (!out.empty() && out.back() != '\n') out += '\n';
}

void AppendLiteral(std::string& out, cmark_node* node) {
  if (const char* lit = cmark_node_get_literal(node)) AppendEscaped(out, lit);
}

bool InTightList(cmark_node* paragraph) {
  cmark_node* parent = cmark_node_parent(paragraph);
  cmark_node* grandparent = parent ? cmark_node_parent(parent) : nullptr;
  return grandparent != nullptr &&
         cmark_node_get_type(grandparent) == CMARK_NODE_LIST &&
         cmark_node_get_list_tight(grandparent) != 0;
}

bool IsStrikethrough(cmark_node* node) {
  const char* name = cmark_node_get_type_string(node);
  return name != nullptr && std::strcmp(name, "strikethrough") == 0;
}

// Renders the document walking it with cmark's iterator (no recursion, so
// nesting depth costs heap, not stack). Every byte of user text goes through
// AppendEscaped and every href through SafeHref; raw HTML nodes are written
// as escaped text.
class SafeRenderer final {
 public:
  // Block containers (quotes, lists, items) nested deeper than this are
  // rendered without their own tags, their content flattened into the
  // deepest shown level: 10,000 ">" would otherwise become 270 KB of
  // <blockquote> for one comment.
  static constexpr std::size_t kMaxNesting = 16;

  std::string Render(cmark_node* root) {
    std::unique_ptr<cmark_iter, IterDeleter> iter(cmark_iter_new(root));
    if (!iter) return {};
    cmark_event_type ev;
    while ((ev = cmark_iter_next(iter.get())) != CMARK_EVENT_DONE) {
      cmark_node* node = cmark_iter_get_node(iter.get());
      if (ev == CMARK_EVENT_ENTER) {
        Enter(node);
      } else if (ev == CMARK_EVENT_EXIT) {
        Exit(node);
      }
    }
    return std::move(out_);
  }

 private:
  static bool IsContainer(cmark_node* node) {
    const auto t = cmark_node_get_type(node);
    return t == CMARK_NODE_BLOCK_QUOTE || t == CMARK_NODE_LIST || t == CMARK_NODE_ITEM;
  }

  void Enter(cmark_node* node) {
    if (IsContainer(node)) {
      const bool parent_shown = open_.empty() || open_.back();
      const bool item = cmark_node_get_type(node) == CMARK_NODE_ITEM;
      // An item is shown with its list; a quote or list counts one level.
      const bool shown = parent_shown && (item || shown_levels_ < kMaxNesting);
      if (shown && !item) ++shown_levels_;
      open_.push_back(shown);
      if (!shown) return;
    }
    switch (cmark_node_get_type(node)) {
      case CMARK_NODE_BLOCK_QUOTE:
        Cr(out_);
        out_ += "<blockquote>\n";
        break;
      case CMARK_NODE_LIST: {
        Cr(out_);
        if (cmark_node_get_list_type(node) == CMARK_ORDERED_LIST) {
          const int start = cmark_node_get_list_start(node);
          if (start == 1) {
            out_ += "<ol>\n";
          } else {
            out_ += "<ol start=\"" + std::to_string(start) + "\">\n";
          }
        } else {
          out_ += "<ul>\n";
        }
        break;
      }
      case CMARK_NODE_ITEM:
        Cr(out_);
        out_ += "<li>";
        break;
      case CMARK_NODE_HEADING:
        Cr(out_);
        out_ += "<h" + std::to_string(HeadingLevel(node)) + ">";
        break;
      case CMARK_NODE_CODE_BLOCK: {
        Cr(out_);
        out_ += "<pre><code";
        const char* info = cmark_node_get_fence_info(node);
        if (info != nullptr && *info != '\0') {
          std::string_view lang(info);
          lang = lang.substr(0, lang.find_first_of(" \t"));
          out_ += " class=\"language-";
          AppendEscaped(out_, lang);
          out_ += '"';
        }
        out_ += '>';
        AppendLiteral(out_, node);
        out_ += "</code></pre>\n";
        break;
      }
      case CMARK_NODE_HTML_BLOCK: {
        Cr(out_);
        out_ += "<p>";
        const char* raw = cmark_node_get_literal(node);
        std::string_view lit(raw != nullptr ? raw : "");
        while (!lit.empty() && (lit.back() == '\n' || lit.back() == '\r')) {
          lit.remove_suffix(1);
        }
        AppendEscaped(out_, lit);
        out_ += "</p>\n";
        break;
      }
      case CMARK_NODE_THEMATIC_BREAK:
        Cr(out_);
        out_ += "<hr>\n";
        break;
      case CMARK_NODE_PARAGRAPH:
        if (!InTightList(node)) {
          Cr(out_);
          out_ += "<p>";
        }
        break;
      case CMARK_NODE_TEXT:
      case CMARK_NODE_HTML_INLINE:
        AppendLiteral(out_, node);
        break;
      case CMARK_NODE_SOFTBREAK:
        out_ += '\n';
        break;
      case CMARK_NODE_LINEBREAK:
        out_ += "<br>\n";
        break;
      case CMARK_NODE_CODE:
        out_ += "<code>";
        AppendLiteral(out_, node);
        out_ += "</code>";
        break;
      case CMARK_NODE_EMPH:
        out_ += "<em>";
        break;
      case CMARK_NODE_STRONG:
        out_ += "<strong>";
        break;
      case CMARK_NODE_LINK:
      case CMARK_NODE_IMAGE:
        EnterLink(node);
        break;
      default:
        if (IsStrikethrough(node)) out_ += "<del>";
        break;
    }
  }

  void Exit(cmark_node* node) {
    if (IsContainer(node)) {
      const bool shown = !open_.empty() && open_.back();
      if (!open_.empty()) open_.pop_back();
      if (!shown) return;
      if (cmark_node_get_type(node) != CMARK_NODE_ITEM) --shown_levels_;
    }
    switch (cmark_node_get_type(node)) {
      case CMARK_NODE_BLOCK_QUOTE:
        Cr(out_);
        out_ += "</blockquote>\n";
        break;
      case CMARK_NODE_LIST:
        Cr(out_);
        out_ += cmark_node_get_list_type(node) == CMARK_ORDERED_LIST
                    ? "</ol>\n"
                    : "</ul>\n";
        break;
      case CMARK_NODE_ITEM:
        out_ += "</li>\n";
        break;
      case CMARK_NODE_HEADING:
        out_ += "</h" + std::to_string(HeadingLevel(node)) + ">\n";
        break;
      case CMARK_NODE_PARAGRAPH:
        if (!InTightList(node)) out_ += "</p>\n";
        break;
      case CMARK_NODE_EMPH:
        out_ += "</em>";
        break;
      case CMARK_NODE_STRONG:
        out_ += "</strong>";
        break;
      case CMARK_NODE_LINK:
      case CMARK_NODE_IMAGE:
        if (!link_opened_.empty()) {
          if (link_opened_.back()) {
            out_ += "</a>";
            --open_anchors_;
          }
          link_opened_.pop_back();
        }
        break;
      default:
        if (IsStrikethrough(node)) out_ += "</del>";
        break;
    }
  }

  // Links and images both become <a> when their URL is allowed and no <a>
  // is already open (an image inside a link shows its alt text only, so
  // anchors never nest). An image with no alt text shows its URL.
  void EnterLink(cmark_node* node) {
    std::optional<std::string> href;
    if (open_anchors_ == 0) href = SafeHref(cmark_node_get_url(node));
    if (!href) {
      link_opened_.push_back(false);
      return;
    }
    out_ += "<a href=\"";
    out_ += *href;
    out_ += '"';
    const char* title = cmark_node_get_title(node);
    if (title != nullptr && *title != '\0') {
      out_ += " title=\"";
      AppendEscaped(out_, title);
      out_ += '"';
    }
    out_ += " rel=\"";
    out_ += kRel;
    out_ += "\">";
    if (cmark_node_get_type(node) == CMARK_NODE_IMAGE &&
        cmark_node_first_child(node) == nullptr) {
      AppendEscaped(out_, cmark_node_get_url(node));
    }
    link_opened_.push_back(true);
    ++open_anchors_;
  }

  static int HeadingLevel(cmark_node* node) {
    const int level = cmark_node_get_heading_level(node);
    return level < 1 ? 1 : (level > 6 ? 6 : level);
  }

  std::string out_;
  std::vector<bool> open_;         // per open block container: whether its tags were written
  std::size_t shown_levels_ = 0;   // quotes and lists written and still open
  std::vector<bool> link_opened_;  // one entry per link/image being walked
  int open_anchors_ = 0;
};

}  // namespace

std::string MarkdownToSafeHtml(std::string_view markdown) {
  EnsureExtensionsRegistered();
  RenderArenaScope arena;
  cmark_node* doc = Parse(markdown);
  if (!doc) return {};
  return SafeRenderer().Render(doc);
}

}  // namespace amur::render
