// A forward-only, constant-memory reader of an XML file (libxml2's SAX2 push
// parser, fed 64 KiB at a time; the events of one chunk are queued and handed
// out by Next()) with everything dangerous off: no entity substitution, no
// DTD loading, no network, no external entity of any kind, and a document
// that declares a DOCTYPE is refused outright (WXR and Disqus exports have
// none; entity bombs and XXE need one).
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace amur::transfer {

class XmlStream final {
 public:
  enum class Kind { kStart, kEnd, kText };

  // Opens `path`; on failure ok() is false and Error() says why.
  explicit XmlStream(const std::string& path);
  ~XmlStream();
  XmlStream(const XmlStream&) = delete;
  XmlStream& operator=(const XmlStream&) = delete;

  // Moves to the next start tag, end tag or text (CDATA included; one text
  // may come in several pieces). An empty element gives a start and an end.
  // Returns false at the end of the document or on an error (then Error()
  // is not empty).
  bool Next();

  Kind kind() const { return kind_; }
  // The element's local name ("comment" for <wp:comment>); for text, empty.
  std::string_view LocalName() const { return name_; }
  // The element's namespace URI, or empty.
  std::string_view Namespace() const { return ns_; }
  // Nesting depth of the element (the root is 0).
  int Depth() const { return depth_; }
  // The text of a kText node.
  std::string_view Text() const { return text_; }
  // The value of the current start tag's attribute with this local name
  // (any namespace), or empty.
  std::string Attribute(std::string_view local_name) const;

  // "FILE:LINE:COLUMN: what", set once the document failed.
  const std::string& Error() const { return error_; }
  bool ok() const { return error_.empty(); }
  // "FILE:LINE:COLUMN" of where the reader is now.
  std::string Position() const;
  // Bytes of the file consumed so far (for progress).
  long long BytesRead() const;

  struct Impl;  // libxml2's parser, the file, the queued events, the first error

 private:
  std::unique_ptr<Impl> impl_;
  Kind kind_ = Kind::kText;
  std::string_view name_;
  std::string_view ns_;
  std::string_view text_;
  int depth_ = 0;
  std::string error_;
  std::string path_;
};

}  // namespace amur::transfer
