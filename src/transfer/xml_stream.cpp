#include "transfer/xml_stream.hpp"

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include <cstdio>
#include <mutex>
#include <utility>
#include <vector>

namespace amur::transfer {

namespace {

constexpr std::size_t kChunkBytes = 64 * 1024;

// Nothing external is ever read: not a DTD, not an entity, not over the network.
xmlParserInputPtr RefuseExternal(const char* url, const char*, xmlParserCtxtPtr ctxt) {
  if (ctxt) {
    xmlCtxtResetLastError(ctxt);
  }
  (void)url;
  return nullptr;
}

void InitOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    xmlInitParser();
    xmlSetExternalEntityLoader(RefuseExternal);
  });
}

std::string_view View(const xmlChar* s) {
  return s ? std::string_view(reinterpret_cast<const char*>(s)) : std::string_view();
}

}  // namespace

struct XmlStream::Impl {
  struct Event {
    Kind kind = Kind::kText;
    // Element and namespace names live in the parser's dictionary as long
    // as the parser does; text and attribute values are copied.
    const xmlChar* name = nullptr;
    const xmlChar* ns = nullptr;
    std::string text;
    std::vector<std::pair<std::string, std::string>> attributes;  // local name, value
    int depth = 0;
    int line = 0;
    int column = 0;
  };

  std::FILE* file = nullptr;
  xmlParserCtxtPtr ctxt = nullptr;
  std::vector<Event> events;  // reused: strings keep their capacity
  std::size_t count = 0;      // events queued from the last chunk
  std::size_t next = 0;       // the next one Next() hands out
  int depth = 0;
  bool finished = false;  // the whole file was fed
  long long fed = 0;
  std::string first_error;  // "LINE:COLUMN: what"
  std::vector<char> chunk;

  ~Impl() {
    if (ctxt) xmlFreeParserCtxt(ctxt);
    if (file) std::fclose(file);
  }

  Event& Push(Kind kind) {
    if (count == events.size()) events.emplace_back();
    Event& e = events[count++];
    e.kind = kind;
    e.name = nullptr;
    e.ns = nullptr;
    e.text.clear();
    e.attributes.clear();
    e.line = xmlSAX2GetLineNumber(ctxt);
    e.column = xmlSAX2GetColumnNumber(ctxt);
    return e;
  }

  void Refuse(std::string what) {
    if (first_error.empty()) {
      first_error = std::to_string(xmlSAX2GetLineNumber(ctxt)) + ":" +
                    std::to_string(xmlSAX2GetColumnNumber(ctxt)) + ": " + std::move(what);
    }
    xmlStopParser(ctxt);
  }

  static Impl& Of(void* user) { return *static_cast<Impl*>(user); }

  static void OnStart(void* user, const xmlChar* local, const xmlChar*, const xmlChar* uri, int,
                      const xmlChar**, int nb_attributes, int, const xmlChar** attributes) {
    Impl& impl = Of(user);
    Event& e = impl.Push(Kind::kStart);
    e.name = local;
    e.ns = uri;
    e.depth = impl.depth++;
    // Five pointers an attribute: local name, prefix, URI, value, value end.
    for (int i = 0; i < nb_attributes; ++i) {
      const xmlChar** a = attributes + 5 * i;
      e.attributes.emplace_back(
          std::string(View(a[0])),
          std::string(reinterpret_cast<const char*>(a[3]), static_cast<std::size_t>(a[4] - a[3])));
    }
  }

  static void OnEnd(void* user, const xmlChar* local, const xmlChar*, const xmlChar* uri) {
    Impl& impl = Of(user);
    Event& e = impl.Push(Kind::kEnd);
    e.name = local;
    e.ns = uri;
    e.depth = --impl.depth;
  }

  static void OnText(void* user, const xmlChar* text, int length) {
    Impl& impl = Of(user);
    // Consecutive pieces of one text join into one event.
    if (impl.count > impl.next && impl.events[impl.count - 1].kind == Kind::kText) {
      impl.events[impl.count - 1].text.append(reinterpret_cast<const char*>(text),
                                              static_cast<std::size_t>(length));
      return;
    }
    Event& e = impl.Push(Kind::kText);
    e.depth = impl.depth;
    e.text.assign(reinterpret_cast<const char*>(text), static_cast<std::size_t>(length));
  }

  static void OnDoctype(void* user, const xmlChar*, const xmlChar*, const xmlChar*) {
    Of(user).Refuse(
        "the document declares a DOCTYPE; exports have none, and entity declarations (entity "
        "bombs, external entities) are refused");
  }

  static xmlEntityPtr OnEntity(void* user, const xmlChar*) {
    // No entity is ever declared (a DOCTYPE is refused); the five of XML
    // itself are handled by the parser before it asks.
    (void)user;
    return nullptr;
  }

  static void OnReference(void* user, const xmlChar*) {
    Of(user).Refuse("an entity reference; entities are not expanded");
  }

  static void OnError(void* user, xmlErrorPtr err) {
    Impl& impl = Of(user);
    if (!err || !impl.first_error.empty()) return;
    if (err->level < XML_ERR_ERROR) return;
    std::string msg = err->message ? err->message : "malformed XML";
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    for (char& ch : msg) {
      if (ch == '\n') ch = ' ';
    }
    impl.first_error = std::to_string(err->line) + ":" + std::to_string(err->int2) + ": " + msg;
  }
};

XmlStream::XmlStream(const std::string& path) : impl_(std::make_unique<Impl>()), path_(path) {
  InitOnce();
  impl_->file = std::fopen(path.c_str(), "rb");
  if (!impl_->file) {
    error_ = path + ": cannot open or read the file";
    return;
  }
  xmlSAXHandler sax{};
  sax.initialized = XML_SAX2_MAGIC;
  sax.startElementNs = &Impl::OnStart;
  sax.endElementNs = &Impl::OnEnd;
  sax.characters = &Impl::OnText;
  sax.ignorableWhitespace = &Impl::OnText;
  sax.cdataBlock = &Impl::OnText;
  sax.internalSubset = &Impl::OnDoctype;
  sax.externalSubset = &Impl::OnDoctype;
  sax.getEntity = &Impl::OnEntity;
  sax.getParameterEntity = &Impl::OnEntity;
  sax.reference = &Impl::OnReference;
  sax.serror = &Impl::OnError;
  impl_->ctxt = xmlCreatePushParserCtxt(&sax, impl_.get(), nullptr, 0, path.c_str());
  if (!impl_->ctxt) {
    error_ = path + ": cannot open or read the file";
    return;
  }
  // No XML_PARSE_NOENT (entities stay unexpanded), no DTDLOAD/DTDATTR/
  // DTDVALID, NONET; no HUGE (libxml2's size limits stay on).
  xmlCtxtUseOptions(impl_->ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  impl_->chunk.resize(kChunkBytes);
}

XmlStream::~XmlStream() = default;

std::string XmlStream::Position() const {
  if (!impl_->ctxt) return path_;
  int line = 0, column = 0;
  if (impl_->next > 0 && impl_->next <= impl_->count) {
    const auto& e = impl_->events[impl_->next - 1];
    line = e.line;
    column = e.column;
  } else {
    line = xmlSAX2GetLineNumber(impl_->ctxt);
    column = xmlSAX2GetColumnNumber(impl_->ctxt);
  }
  return path_ + ":" + std::to_string(line) + ":" + std::to_string(column);
}

long long XmlStream::BytesRead() const { return impl_->fed; }

bool XmlStream::Next() {
  if (!error_.empty()) return false;
  Impl& impl = *impl_;
  while (impl.next == impl.count) {
    if (!impl.first_error.empty()) {
      error_ = path_ + ":" + impl.first_error;
      return false;
    }
    if (impl.finished) {
      if (impl.ctxt && !impl.ctxt->wellFormed) {
        error_ = path_ + ":" + std::to_string(xmlSAX2GetLineNumber(impl.ctxt)) + ":" +
                 std::to_string(xmlSAX2GetColumnNumber(impl.ctxt)) + ": malformed XML";
      }
      return false;
    }
    impl.count = 0;
    impl.next = 0;
    const std::size_t n = std::fread(impl.chunk.data(), 1, impl.chunk.size(), impl.file);
    if (n < impl.chunk.size() && std::ferror(impl.file)) {
      error_ = path_ + ": cannot open or read the file";
      return false;
    }
    impl.fed += static_cast<long long>(n);
    impl.finished = n == 0;
    const int rc =
        xmlParseChunk(impl.ctxt, impl.chunk.data(), static_cast<int>(n), impl.finished ? 1 : 0);
    if (rc != 0 && impl.first_error.empty()) {
      impl.first_error = std::to_string(xmlSAX2GetLineNumber(impl.ctxt)) + ":" +
                         std::to_string(xmlSAX2GetColumnNumber(impl.ctxt)) + ": malformed XML";
    }
    // After an error the parser calls back no more: what was queued lies
    // before it and is handed out first, then the error (as the loop's
    // first check).
  }
  const Impl::Event& e = impl.events[impl.next++];
  kind_ = e.kind;
  name_ = View(e.name);
  ns_ = View(e.ns);
  text_ = e.kind == Kind::kText ? std::string_view(e.text) : std::string_view();
  depth_ = e.depth;
  return true;
}

std::string XmlStream::Attribute(std::string_view local_name) const {
  if (impl_->next == 0 || impl_->next > impl_->count) return {};
  for (const auto& [name, value] : impl_->events[impl_->next - 1].attributes) {
    if (name == local_name) return value;
  }
  return {};
}

}  // namespace amur::transfer
