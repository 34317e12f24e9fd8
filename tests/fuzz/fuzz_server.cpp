#include "fuzz_server.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>

#include <unistd.h>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <optional>
#include <stdexcept>

#include "app/event_wiring.hpp"
#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "core/random.hpp"
#include "fuzz_check.hpp"
#include "http/client_address.hpp"
#include "http/response_cache.hpp"
#include "http/routes.hpp"
#include "moderation/pipeline.hpp"
#include "service/account_service.hpp"
#include "service/comment_service.hpp"
#include "service/db_executor.hpp"
#include "service/event_bus.hpp"
#include "service/moderation_service.hpp"
#include "service/rate_limiter.hpp"
#include "store/store.hpp"

namespace amur::fuzz {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;

namespace {

// A fixed sequence of bytes (splitmix64), safe from several threads.
class SequenceRandom final : public Random {
 public:
  void Fill(unsigned char* out, std::size_t n) override {
    for (std::size_t i = 0; i < n; i += 8) {
      std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
      z ^= z >> 31;
      for (std::size_t j = 0; j < 8 && i + j < n; ++j)
        out[i + j] = static_cast<unsigned char>(z >> (8 * j));
    }
  }

 private:
  std::atomic<std::uint64_t> state_{42};
};

std::filesystem::path MakeTempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/amur-fuzz-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

// The webhook endpoints resolve host names and deliver to them: not run, so
// that fuzzing stays on this machine.
bool Offline(const http::Request& req) {
  const std::string_view target(req.message.target().data(), req.message.target().size());
  return target.substr(0, target.find('?')).rfind("/api/v1/admin/webhooks", 0) == 0;
}

}  // namespace

struct FuzzServer::Impl {
  std::filesystem::path dir = MakeTempDir();
  FakeClock clock{kStartMs};
  SequenceRandom random;
  Metrics metrics;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<moderation::Pipeline> pipeline;
  std::unique_ptr<service::CommentService> comments;
  // The limits of `amur serve`'s defaults, except that the fake clock moves
  // 1 ms per request: 600 posts a minute is 1 in 100 requests per client.
  service::RateLimiter limiter{600, clock};
  service::RateLimiter login_limiter{10, clock};
  service::AccountService accounts{clock, random};
  service::ModerationService moderation{service::ModerationConfig{}, clock};
  http::ResponseCache cache{64u << 20};
  service::EventBus events;
  std::unique_ptr<service::DbExecutor> db;
  std::unique_ptr<http::Routes> routes;
  http::ServerOptions options;
  asio::io_context ioc;
  std::string edit_token;

  Impl() {
    spdlog::set_level(spdlog::level::off);
    InitCrypto();
    store = store::OpenStore("sqlite:" + (dir / "amur.db").string());
    store->Migrate();
    service::ServiceConfig svc;
    // Guests may edit c1 for as long as a fuzzing run lasts.
    svc.edit_window_ms = 365LL * 24 * 3600 * 1000;
    pipeline = std::make_unique<moderation::Pipeline>(moderation::PipelineSettings{}, clock);
    comments = std::make_unique<service::CommentService>(svc, clock, random, pipeline.get());
    AddAdmin();
    events.StartAfter(store->OpenSession()->LastEventSeq());
    db = std::make_unique<service::DbExecutor>(*store, 2);
    app::SubscribeReadCache(events, cache);
    app::SubscribeClassifier(events, *pipeline, *db);
    app::SubscribeModerationSettings(events, *pipeline);
    db->SetAfterCommit([this](store::StoreSession& s) { events.PublishCommitted(s); });

    http::HttpDeps deps;
    deps.comments = comments.get();
    deps.db = db.get();
    deps.post_limiter = &limiter;
    deps.login_limiter = &login_limiter;
    deps.accounts = &accounts;
    deps.moderation = &moderation;
    deps.pipeline = pipeline.get();
    deps.cache = &cache;
    deps.metrics = &metrics;
    deps.clock = &clock;
    deps.random = &random;
    // The peer (127.0.0.1) is a trusted proxy, so X-Forwarded-For is read.
    std::string error;
    deps.proxies = *http::TrustedProxies::Parse({"127.0.0.1/32"}, &error);
    deps.allow_origins = {"https://example.org"};
    deps.public_url = "http://127.0.0.1:8080";
    deps.form_key = kFormKey;
    routes = std::make_unique<http::Routes>(std::move(deps));
    PostFixture();
  }

  ~Impl() {
    routes.reset();
    db->Stop();
    db.reset();
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  void AddAdmin() {
    auto session = store->OpenSession();
    store::WriteTransaction tx(*session);
    auto user = accounts.AddUser(*session, "admin@example.org", "Admin", Role::kAdmin,
                                 "fuzz-admin-password");
    if (!user) throw std::runtime_error(user.error().message);
    Session s;
    s.token_hash = Sha256Hex(kAdminToken);
    s.user_id = user->id;
    s.csrf_token = kAdminCsrf;
    s.created_at = clock.NowMs();
    s.expires_at = s.created_at + service::kSessionLifetimeMs;
    session->InsertSession(s);
    tx.Commit();
  }

  // c1 on the page "fuzz", posted through the route table like any comment.
  void PostFixture() {
    http::Request req;
    req.peer = asio::ip::make_address("127.0.0.1");
    req.message.method(beast_http::verb::post);
    req.message.target("/api/v1/comments");
    req.message.set(beast_http::field::host, "127.0.0.1");
    req.message.set(beast_http::field::content_type, "application/json");
    req.message.body() =
        R"({"page":"fuzz","body":"The first comment, with a [link](https://example.org)."})";
    req.message.prepare_payload();
    const http::Response r = Handle(req);
    if (r.status != beast_http::status::created) {
      throw std::runtime_error("the fixture comment was refused: " + std::string(r.BodyView()));
    }
    edit_token = std::string(boost::json::parse(r.BodyView()).at("edit_token").as_string());
  }

  http::Response Handle(http::Request& req) {
    clock.Advance(1);
    if (Offline(req)) {
      http::Response r;
      r.status = beast_http::status::not_found;
      return r;
    }
    std::optional<http::Response> out;
    std::exception_ptr failure;
    asio::co_spawn(ioc, routes->Handle(req), [&](std::exception_ptr ep, http::Response r) {
      failure = ep;
      out = std::move(r);
    });
    ioc.restart();
    ioc.run();
    if (failure) {
      // What HttpServer answers for a handler that throws.
      http::Response r;
      r.status = beast_http::status::internal_server_error;
      return r;
    }
    AMUR_FUZZ_CHECK(out.has_value());
    return std::move(*out);
  }
};

FuzzServer::FuzzServer() : impl_(std::make_unique<Impl>()) {}
FuzzServer::~FuzzServer() = default;

const http::ServerOptions& FuzzServer::options() const { return impl_->options; }

const std::string& FuzzServer::FixtureEditToken() const { return impl_->edit_token; }

http::Response FuzzServer::Handle(http::Request& req) { return impl_->Handle(req); }

void CheckResponse(const http::Response& response, unsigned version, bool keep_alive) {
  const int status = static_cast<int>(response.status);
  if (status >= 500) {
    std::fprintf(stderr, "answered %d: %.*s\n", status,
                 static_cast<int>(response.BodyView().size()), response.BodyView().data());
  }
  AMUR_FUZZ_CHECK(status >= 100 && status < 500);
  if (response.content_type.rfind("application/json", 0) == 0 && !response.BodyView().empty()) {
    boost::system::error_code ec;
    const auto v = boost::json::parse(response.BodyView(), ec);
    AMUR_FUZZ_CHECK(!ec);
    if (status >= 400) {
      const auto* error = v.is_object() ? v.as_object().if_contains("error") : nullptr;
      AMUR_FUZZ_CHECK(error != nullptr && error->is_object());
      const auto* code = error->as_object().if_contains("code");
      const auto* message = error->as_object().if_contains("message");
      AMUR_FUZZ_CHECK(code != nullptr && code->is_string() && message != nullptr &&
                      message->is_string());
    }
  }

  // The bytes the server writes, read back by a client's parser.
  http::WireResponse wire = http::ToWire(response, version, keep_alive);
  std::string bytes;
  beast_http::serializer<false, beast_http::span_body<const char>> sr(wire);
  boost::system::error_code ec;
  while (!sr.is_done()) {
    sr.next(ec, [&](boost::system::error_code&, const auto& buffers) {
      std::size_t n = 0;
      for (const auto b : boost::beast::buffers_range_ref(buffers)) {
        bytes.append(static_cast<const char*>(b.data()), b.size());
        n += b.size();
      }
      sr.consume(n);
    });
    AMUR_FUZZ_CHECK(!ec);
  }
  beast_http::response_parser<beast_http::string_body> parser;
  parser.eager(true);
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  if (response.status == beast_http::status::not_modified ||
      response.status == beast_http::status::no_content) {
    parser.skip(true);
  }
  std::size_t used = 0;
  while (!ec && !parser.is_done() && used < bytes.size()) {
    const std::size_t n = parser.put(asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    if (n == 0) break;
    used += n;
  }
  if (!ec && !parser.is_done()) parser.put_eof(ec);
  AMUR_FUZZ_CHECK(!ec);
  AMUR_FUZZ_CHECK(parser.is_done());
  const auto& back = parser.get();
  std::size_t fields = 0;
  for (auto it = back.begin(); it != back.end(); ++it) ++fields;
  std::size_t sent = 0;
  for (auto it = wire.begin(); it != wire.end(); ++it) ++sent;
  AMUR_FUZZ_CHECK(fields == sent);
  AMUR_FUZZ_CHECK(back.result() == response.status);
}

}  // namespace amur::fuzz
