#include "transfer/xml_stream.hpp"

#include <libxml/parser.h>
#include <libxml/xmlreader.h>

#include <mutex>

namespace amur::transfer {

namespace {

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
  xmlTextReaderPtr reader = nullptr;
  std::string first_error;  // from the structured handler
  ~Impl() {
    if (reader) xmlFreeTextReader(reader);
  }
};

namespace {

void OnError(void* arg, xmlErrorPtr err) {
  auto* impl = static_cast<XmlStream::Impl*>(arg);
  if (!err || !impl->first_error.empty()) return;
  if (err->level < XML_ERR_ERROR) return;
  std::string msg = err->message ? err->message : "malformed XML";
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  for (char& ch : msg) {
    if (ch == '\n') ch = ' ';
  }
  impl->first_error = std::to_string(err->line) + ":" + std::to_string(err->int2) + ": " + msg;
}

}  // namespace

XmlStream::XmlStream(const std::string& path) : impl_(std::make_unique<Impl>()), path_(path) {
  InitOnce();
  // No XML_PARSE_NOENT (entities stay unexpanded), no DTDLOAD/DTDATTR/
  // DTDVALID, NONET; no HUGE (libxml2's size limits stay on).
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
  impl_->reader = xmlReaderForFile(path.c_str(), nullptr, options);
  if (!impl_->reader) {
    error_ = path + ": cannot open or read the file";
    return;
  }
  xmlTextReaderSetStructuredErrorHandler(impl_->reader, OnError, impl_.get());
}

XmlStream::~XmlStream() = default;

std::string XmlStream::Position() const {
  if (!impl_->reader) return path_;
  return path_ + ":" + std::to_string(xmlTextReaderGetParserLineNumber(impl_->reader)) + ":" +
         std::to_string(xmlTextReaderGetParserColumnNumber(impl_->reader));
}

long long XmlStream::BytesRead() const {
  if (!impl_->reader) return 0;
  return xmlTextReaderByteConsumed(impl_->reader);
}

bool XmlStream::Next() {
  if (!error_.empty()) return false;
  xmlTextReaderPtr r = impl_->reader;
  if (pending_end_) {
    pending_end_ = false;
    kind_ = Kind::kEnd;
    return true;
  }
  for (;;) {
    const int rc = xmlTextReaderRead(r);
    if (rc != 1) {
      if (rc < 0 || !impl_->first_error.empty()) {
        error_ =
            path_ + ":" +
            (impl_->first_error.empty()
                 ? std::to_string(xmlTextReaderGetParserLineNumber(r)) + ":" +
                       std::to_string(xmlTextReaderGetParserColumnNumber(r)) + ": malformed XML"
                 : impl_->first_error);
      }
      return false;
    }
    if (!impl_->first_error.empty()) {
      error_ = path_ + ":" + impl_->first_error;
      return false;
    }
    switch (xmlTextReaderNodeType(r)) {
      case XML_READER_TYPE_DOCUMENT_TYPE:
        error_ = Position() +
                 ": the document declares a DOCTYPE; exports have none, and entity "
                 "declarations (entity bombs, external entities) are refused";
        return false;
      case XML_READER_TYPE_ENTITY_REFERENCE:
        error_ = Position() + ": an entity reference; entities are not expanded";
        return false;
      case XML_READER_TYPE_ELEMENT:
        kind_ = Kind::kStart;
        name_ = View(xmlTextReaderConstLocalName(r));
        ns_ = View(xmlTextReaderConstNamespaceUri(r));
        depth_ = xmlTextReaderDepth(r);
        text_ = {};
        pending_end_ = xmlTextReaderIsEmptyElement(r) != 0;
        return true;
      case XML_READER_TYPE_END_ELEMENT:
        kind_ = Kind::kEnd;
        name_ = View(xmlTextReaderConstLocalName(r));
        ns_ = View(xmlTextReaderConstNamespaceUri(r));
        depth_ = xmlTextReaderDepth(r);
        text_ = {};
        return true;
      case XML_READER_TYPE_TEXT:
      case XML_READER_TYPE_CDATA:
      case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
      case XML_READER_TYPE_WHITESPACE:
        kind_ = Kind::kText;
        text_ = View(xmlTextReaderConstValue(r));
        return true;
      default:
        break;  // comments, processing instructions
    }
  }
}

std::string XmlStream::Attribute(std::string_view local_name) const {
  xmlTextReaderPtr r = impl_->reader;
  std::string out;
  if (xmlTextReaderMoveToFirstAttribute(r) != 1) return out;
  do {
    if (View(xmlTextReaderConstLocalName(r)) == local_name) {
      out = std::string(View(xmlTextReaderConstValue(r)));
      break;
    }
  } while (xmlTextReaderMoveToNextAttribute(r) == 1);
  xmlTextReaderMoveToElement(r);
  return out;
}

}  // namespace amur::transfer
