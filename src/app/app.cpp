#include "app/app.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>
#include <thread>

#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "core/random.hpp"
#include "http/response_cache.hpp"
#include "http/routes.hpp"
#include "http/server.hpp"
#include "service/comment_service.hpp"
#include "service/db_executor.hpp"
#include "service/rate_limiter.hpp"
#include "store/store.hpp"

namespace amur::app {

namespace asio = boost::asio;

namespace {

void SetUpLogging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("amur");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
}

// The secret that signs the HTML forms' CSRF tokens, made once per database.
std::string FormKey(store::Store& store, Random& random) {
  auto session = store.OpenSession();
  store::WriteTransaction tx(*session);
  auto key = session->GetSetting("form_key");
  if (!key) {
    key = RandomToken(random, 32);
    session->PutSetting("form_key", *key);
  }
  tx.Commit();
  return *key;
}

}  // namespace

int RunServe(const Config& config) {
  SetUpLogging(config.log_level);
  InitCrypto();
  std::string host;
  unsigned short port = 0;
  config.SplitListen(&host, &port);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) {
    std::cerr << "amur: cannot listen on '" << config.listen << "': not an IP address\n";
    return 2;
  }
  SystemClock clock;
  SodiumRandom random;
  std::unique_ptr<store::Store> store;
  try {
    store = store::OpenStore(config.database);
    store->Migrate();
  } catch (const std::exception& e) {
    std::cerr << "amur: " << e.what() << "\n";
    return 2;
  }
  std::string trusted_error;
  auto proxies = http::TrustedProxies::Parse(config.trusted_proxies, &trusted_error);
  if (!proxies) {
    std::cerr << "amur: --trusted-proxy: " << trusted_error << "\n";
    return 2;
  }

  Metrics metrics;
  service::ServiceConfig svc_config;
  svc_config.max_depth = static_cast<int>(config.max_depth);
  svc_config.edit_window_ms = config.edit_window_seconds * 1000;
  svc_config.premoderate = config.premoderate;
  service::CommentService comments(svc_config, clock, random);
  service::RateLimiter limiter(static_cast<int>(config.posts_per_minute), clock);
  http::ResponseCache cache(64u << 20);
  std::unique_ptr<service::DbExecutor> db;
  std::string form_key;
  try {
    form_key = FormKey(*store, random);
    db = std::make_unique<service::DbExecutor>(*store, 2);
  } catch (const std::exception& e) {
    std::cerr << "amur: " << e.what() << "\n";
    return 2;
  }

  http::HttpDeps deps;
  deps.comments = &comments;
  deps.db = db.get();
  deps.post_limiter = &limiter;
  deps.cache = &cache;
  deps.metrics = &metrics;
  deps.clock = &clock;
  deps.random = &random;
  deps.proxies = std::move(*proxies);
  deps.allow_origins = config.allow_origins;
  deps.form_key = form_key;
  http::Routes routes(std::move(deps));

  const int threads = config.threads > 0
                          ? static_cast<int>(config.threads)
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  asio::io_context ioc(threads);
  http::ServerOptions options;
  options.request_timeout =
      std::chrono::milliseconds(static_cast<std::int64_t>(config.request_timeout_seconds * 1000));
  std::unique_ptr<http::HttpServer> server;
  try {
    server = std::make_unique<http::HttpServer>(
        ioc, asio::ip::tcp::endpoint(address, port), options,
        [&routes](http::Request& req) { return routes.Handle(req); });
  } catch (const std::exception& e) {
    std::cerr << "amur: cannot listen on " << config.listen << ": " << e.what() << "\n";
    return 2;
  }
  server->Start();

  const std::string shown_host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  const std::string base = "http://" + shown_host + ":" + std::to_string(server->port());
  std::printf("amur %s: listening on %s (database %s; demo at %s/demo)\n", AMUR_VERSION,
              base.c_str(), config.database.c_str(), base.c_str());
  std::fflush(stdout);
  spdlog::info("listening on {} with {} I/O threads", base, threads);

  // SIGINT/SIGTERM: stop accepting, let in-flight requests finish (at most
  // 10 s), then stop the I/O threads.
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& error, int signo) {
    if (error) return;
    spdlog::info("signal {}: finishing in-flight requests", signo);
    server->Shutdown();
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
          asio::steady_timer timer(ioc);
          const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
          while (server->Connections() > 0 && std::chrono::steady_clock::now() < deadline) {
            timer.expires_after(std::chrono::milliseconds(20));
            co_await timer.async_wait(asio::use_awaitable);
          }
          ioc.stop();
        },
        asio::detached);
  });

  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  db->Stop();
  db.reset();
  store.reset();
  spdlog::info("stopped cleanly");
  return 0;
}

int RunVerify(const Config& config) {
  InitCrypto();
  SystemClock clock;
  SodiumRandom random;
  try {
    auto store = store::OpenStore(config.database);
    store->Migrate();
    auto session = store->OpenSession();
    service::CommentService comments(service::ServiceConfig{}, clock, random);
    int pages = 0;
    int failed = 0;
    for (PageId after = 0;;) {
      session->BeginRead();
      auto batch = session->ListPages(after, 500);
      for (const auto& page : batch) {
        ++pages;
        const auto v = comments.VerifyPage(*session, page.key);
        if (!v.verified) {
          ++failed;
          std::printf("FAILED %s:", page.key.c_str());
          for (CommentId id : v.failed_ids) std::printf(" %s", FormatCommentId(id).c_str());
          std::printf("\n");
        }
      }
      session->Commit();
      if (batch.empty()) break;
      after = batch.back().id;
    }
    std::printf("%d pages checked, %d verified, %d failed\n", pages, pages - failed, failed);
    return failed == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "amur: %s\n", e.what());
    return 2;
  }
}

}  // namespace amur::app
