// The pages for people: GET /t?page=KEY and GET /demo (the thread rendered on
// the server), POST /t (the plain form; 303 back to the new comment), and
// GET /admin (the moderation desk's static shell).
#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "http/message.hpp"
#include "http/request_parsing.hpp"

namespace amur::http {
struct HttpDeps;
}

namespace amur::http::html {

class Pages final {
 public:
  explicit Pages(HttpDeps& deps);

  // GET /t (demo=false) or GET /demo (demo=true). Query: page (for /t), sort,
  // cursor, all=1, reply=cID.
  boost::asio::awaitable<Response> Thread(const Request& req, const Params& params, bool demo);

  // POST /t, form-encoded: page, parent_id, author_name, author_email, body,
  // csrf_token, return_to.
  boost::asio::awaitable<Response> PostForm(const Request& req, std::string client);

  // POST /t/subscribe, form-encoded: page, kind, email, csrf_token,
  // return_to; 303 back to the page with "check your inbox".
  boost::asio::awaitable<Response> Subscribe(const Request& req, std::string client);

  // GET /admin: the moderation desk (render::AdminPageHtml()) with the pages'
  // headers; its script and stylesheet come from /assets, nothing inline.
  Response Admin() const;

 private:
  struct FormInput;
  struct RenderInput;
  // A coroutine: it takes its input by value so that callers may pass
  // temporaries. Sets the form cookie when the request had none.
  boost::asio::awaitable<Response> Render(RenderInput in);
  // The rendered thread for a plain GET (no reply form, no error), from the
  // response cache while the page is unchanged, within the same minute (for
  // relative times); its form token is a placeholder filled per request.
  boost::asio::awaitable<Result<std::string>> PlainThreadHtml(const RenderInput& in);
  // The thread's HTML document with `token` in its form.
  boost::asio::awaitable<Result<std::string>> RenderThread(const RenderInput& in,
                                                           const std::string& token);
  // False for a form post another site made a browser send: a cross-site
  // Sec-Fetch-Site, or an Origin that is neither the public URL's nor the
  // addressed host's.
  bool FromThisSite(const Request& req) const;
  // The page's hash-chain verdict for the "hash: verified" line: reused while
  // the page is unchanged (same response-cache generation) and younger than a
  // minute, so a change made behind the server's back shows within a minute.
  std::optional<bool> KnownVerdict(const std::string& page_key, std::uint64_t generation);
  void RememberVerdict(const std::string& page_key, std::uint64_t generation, bool verified);

  struct Verdict {
    std::uint64_t generation;
    std::int64_t at_ms;
    bool verified;
  };
  HttpDeps& d_;
  std::mutex verdicts_mu_;
  std::unordered_map<std::string, Verdict> verdicts_;
};

}  // namespace amur::http::html
