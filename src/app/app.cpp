#include "app/app.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <curl/curl.h>
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include "app/event_wiring.hpp"
#include "app/warm_up.hpp"
#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "core/offset_file_clock.hpp"
#include "core/random.hpp"
#include "http/api/admin_api.hpp"
#include "http/live_hub.hpp"
#include "http/response_cache.hpp"
#include "http/routes.hpp"
#include "http/server.hpp"
#include "moderation/classifier_eval.hpp"
#include "moderation/pipeline.hpp"
#include "moderation/pipeline_eval.hpp"
#include "moderation/seed_model.hpp"
#include "moderation/tunables.hpp"
#include "notify/mail_message.hpp"
#include "notify/smtp_transport.hpp"
#include "render/demo_article.hpp"
#include "render/thread_page.hpp"
#include "service/account_service.hpp"
#include "service/comment_service.hpp"
#include "service/db_executor.hpp"
#include "service/event_bus.hpp"
#include "service/events.hpp"
#include "service/lease.hpp"
#include "service/mail_sender.hpp"
#include "service/moderation_service.hpp"
#include "service/rate_limiter.hpp"
#include "service/read_replicas.hpp"
#include "service/subscription_service.hpp"
#include "service/webhook_settings.hpp"
#include "store/postgresql/postgresql_store.hpp"
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

// The classifier saved in the database, if there is a readable one.
std::optional<moderation::Classifier> LoadSavedModel(store::Store& store) {
  auto session = store.OpenSession();
  auto text = session->GetSetting(kModelSetting);
  if (!text) return std::nullopt;
  std::string bytes;
  if (!Base64Decode(*text, &bytes)) {
    spdlog::warn("the saved classifier is not valid base64; starting with an empty model");
    return std::nullopt;
  }
  auto model = moderation::Classifier::Load(bytes);
  if (!model) {
    spdlog::warn("the saved classifier cannot be read ({}); starting with an empty model",
                 model.error().message);
    return std::nullopt;
  }
  return std::move(*model);
}

// Term lists and thresholds saved by an admin override the built-in ones.
void LoadTunables(store::Store& store, moderation::Pipeline& pipeline) {
  auto session = store.OpenSession();
  auto t = moderation::LoadSavedTunables(*session, pipeline.CurrentTunables());
  if (!t) {
    spdlog::warn("the saved moderation settings are refused ({}); using the defaults",
                 t.error().message);
    return;
  }
  if (!*t) return;
  if (auto st = pipeline.SetTunables(**t); !st) {
    spdlog::warn("the saved term lists are refused ({}); using the defaults", st.error().message);
  }
}

void LoadModel(store::Store& store, moderation::Pipeline& pipeline) {
  if (auto model = LoadSavedModel(store)) pipeline.SetModel(std::move(*model));
  {
    auto session = store.OpenSession();
    if (auto text = session->GetSetting(kCalibrationSetting)) {
      pipeline.SetCalibration(moderation::Calibration::Load(*text));
    }
  }
}

// Raises the soft limit on open file descriptors to the hard limit and
// returns the limit in force afterwards.
std::uint64_t RaiseDescriptorLimit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 1024;
  const rlim_t before = lim.rlim_cur;
  // An unlimited hard limit cannot be the soft one: use the kernel's default
  // ceiling (fs.nr_open) instead.
  const rlim_t want = lim.rlim_max == RLIM_INFINITY ? rlim_t{1} << 20 : lim.rlim_max;
  if (lim.rlim_cur < want) {
    lim.rlim_cur = want;
    if (setrlimit(RLIMIT_NOFILE, &lim) != 0) lim.rlim_cur = before;
  }
  if (lim.rlim_cur != before) {
    spdlog::info("file descriptors: raised the limit from {} to {}",
                 static_cast<std::uint64_t>(before), static_cast<std::uint64_t>(lim.rlim_cur));
  } else {
    spdlog::info("file descriptors: limit {}", static_cast<std::uint64_t>(lim.rlim_cur));
  }
  return lim.rlim_cur;
}

// Runs the I/O loop until it is stopped. An exception that escapes a
// completion handler ends that handler only (its connection), never the
// process: it is logged and the loop goes on.
void RunIoThread(asio::io_context& ioc) {
  for (;;) {
    try {
      ioc.run();
      return;
    } catch (const std::exception& e) {
      spdlog::error("an I/O handler failed: {}", e.what());
    } catch (...) {
      spdlog::error("an I/O handler failed with an unknown exception");
    }
  }
}

// The server's clock: the system clock, or for black-box tests of clock
// jumps the one moved by AMUR_CLOCK_OFFSET_FILE (core/clock.hpp).
std::unique_ptr<Clock> ServeClock() {
  if (const char* file = std::getenv("AMUR_CLOCK_OFFSET_FILE"); file && *file) {
    spdlog::warn("the clock is offset by the file {} (AMUR_CLOCK_OFFSET_FILE; tests only)", file);
    return std::make_unique<OffsetFileClock>(file);
  }
  return std::make_unique<SystemClock>();
}

// Checks the configured webhook endpoints, loads (or makes) the signing
// secret, starts the dispatcher on the configured and desk endpoints and
// subscribes it to the event log. Returns null after printing why when an
// endpoint is refused.
std::unique_ptr<notify::WebhookDispatcher> StartWebhooks(const Config& config, store::Store& store,
                                                         service::DbExecutor& db,
                                                         const Clock& clock, Random& random,
                                                         service::EventBus& events,
                                                         std::function<bool()> active) {
  for (const auto& u : config.webhooks) {
    auto url = notify::ParseWebhookUrl(u);
    if (!url) {
      std::cerr << "amur: --webhook " << u << ": " << url.error().message << "\n";
      return nullptr;
    }
    auto address = notify::ResolveWebhookHost(*url, config.webhook_allow_private);
    if (!address && address.error().code == ErrorCode::kNotAllowed) {
      std::cerr << "amur: --webhook " << u << ": " << address.error().message << "\n";
      return nullptr;
    }
    if (!address) spdlog::warn("webhook {}: {} (will retry)", u, address.error().message);
  }
  auto session = store.OpenSession();
  store::WriteTransaction tx(*session);
  bool generated = false;
  auto secret = service::LoadWebhookSecret(*session, random, config.webhook_secret, &generated);
  if (!secret) {
    std::cerr << "amur: --webhook-secret: " << secret.error().message << "\n";
    return nullptr;
  }
  const std::vector<std::string> desk = service::DeskWebhooks(*session);
  const std::int64_t newest = session->LastEventSeq();
  tx.Commit();
  if (generated) {
    spdlog::warn(
        "webhooks: a new signing secret was made and saved; receivers verify with it "
        "(shown once; an admin can replace it on the desk): {}",
        secret->text);
  }
  notify::WebhookOptions options;
  options.allow_private = config.webhook_allow_private;
  options.active = std::move(active);
  auto save = [&db](const std::string& key, const std::string& value) {
    service::WriteJob job;
    job.run = [key, value](store::StoreSession& s) {
      s.PutSetting(key, value);
      return true;
    };
    job.done = [](bool) {};
    db.Write(std::move(job));
  };
  auto dispatcher = std::make_unique<notify::WebhookDispatcher>(
      store, save, clock, *secret, options,
      [] { return std::make_unique<notify::CurlTransport>(); });
  SubscribeWebhooks(events, *dispatcher, config.webhooks);
  dispatcher->SetEndpoints(AllWebhooks(config.webhooks, desk), newest);
  return dispatcher;
}

// How long one renewal of a lease holds: a node that stops lets another
// take over mail and webhooks within this.
constexpr TimeMs kLeaseTermMs = 15'000;

service::MailSenderOptions MailOptions(const service::Lease& lease) {
  service::MailSenderOptions o;
  o.active = [&lease] { return lease.Held(); };
  return o;
}

// The mail settings: enabled with --smtp. Returns an error message when
// --smtp or --mail-from cannot be used.
Result<service::NotifyConfig> MailSettings(const Config& config) {
  service::NotifyConfig n;
  n.digest = std::chrono::minutes(config.digest_minutes);
  if (config.smtp.empty()) return n;
  auto url = notify::ParseSmtpUrl(config.smtp);
  if (!url) return url.error();
  n.enabled = true;
  const std::string base = config.public_url;
  std::string host = base.substr(base.find("://") == std::string::npos ? 0 : base.find("://") + 3);
  host = host.substr(0, host.find_first_of(":/"));
  if (host.empty() || host.front() == '[') host = "localhost";
  n.site.host = host;
  n.site.public_url = base;
  if (config.mail_from.empty()) {
    auto from = notify::NormalizeMailAddress("comments@" + host);
    if (!from) {
      return MakeError(ErrorCode::kInvalidField,
                       "--mail-from is needed: comments@" + host + " is not a usable address");
    }
    n.site.from_address = *from;
  } else {
    auto from = notify::ParseMailbox(config.mail_from);
    if (!from) {
      return MakeError(ErrorCode::kInvalidField,
                       "--mail-from must be \"Name <address>\" or one plain address");
    }
    n.site.from_name = from->first;
    n.site.from_address = from->second;
  }
  return n;
}

// Where the fan-out starts: after the newest event at the first start, so
// that turning mail on tells nobody about the past.
void InitNotifyCursor(store::Store& store) {
  auto session = store.OpenSession();
  store::WriteTransaction tx(*session);
  if (!session->GetSetting(service::kNotifyCursorSetting)) {
    session->PutSetting(service::kNotifyCursorSetting, std::to_string(session->LastEventSeq()));
  }
  tx.Commit();
}

}  // namespace

namespace {

// The demo article's example inline feedback: two comments on two passages,
// posted once, when the /demo page does not exist yet.
void SeedDemoComments(store::Store& store, const Clock& clock, Random& random) {
  auto session = store.OpenSession();
  store::WriteTransaction tx(*session);
  if (session->FindPage(render::kDemoPageKey)) return;
  service::CommentService seeder(service::ServiceConfig{}, clock, random);
  struct Example {
    const char* name;
    const char* body;
    Quote quote;
  };
  const Example examples[] = {
      {"Hydrologist",
       "A channel that moves can move a border. Was the main-channel rule of 1991 applied to "
       "islands that formed after it?",
       {"the ownership of many river islands unclear", "in detail. The old treaties left ",
        ", and channels shift over the decades."}},
      {"Blagoveshchensk reader",
       "Settled by the two governments, yes. Ask the fishermen on either bank and you will hear "
       "two different maps.",
       {"both governments declared the whole border settled",
        "When demarcation was completed in 2008, ", "."}},
  };
  for (const Example& e : examples) {
    service::PostRequest req;
    req.page_key = render::kDemoPageKey;
    req.page_title = std::string(render::kDemoArticleTitle);
    req.author_name = e.name;
    req.body = e.body;
    req.quote = e.quote;
    if (!seeder.Post(*session, req)) return;
  }
  tx.Commit();
}

}  // namespace

int RunServe(const Config& config) {
  SetUpLogging(config.log_level);
  const std::uint64_t fd_limit = RaiseDescriptorLimit();
  InitCrypto();
  curl_global_init(CURL_GLOBAL_DEFAULT);
  std::string host;
  unsigned short port = 0;
  config.SplitListen(&host, &port);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) {
    std::cerr << "amur: cannot listen on '" << config.listen << "': not an IP address\n";
    return 2;
  }
  const std::unique_ptr<Clock> clock_owner = ServeClock();
  const Clock& clock = *clock_owner;
  SodiumRandom random;
  std::unique_ptr<store::Store> store;
  try {
    store = store::OpenStore(config.database);
    store->Migrate();
  } catch (const std::exception& e) {
    std::cerr << "amur: " << e.what() << "\n";
    return 2;
  }
  const auto forwarded_header = http::ParseForwardedHeader(config.forwarded_header);
  if (!forwarded_header) {
    std::cerr << "amur: --forwarded-header must be x-forwarded-for or forwarded\n";
    return 2;
  }
  std::string trusted_error;
  auto proxies =
      http::TrustedProxies::Parse(config.trusted_proxies, &trusted_error, *forwarded_header);
  if (!proxies) {
    std::cerr << "amur: --trusted-proxy: " << trusted_error << "\n";
    return 2;
  }

  Metrics metrics;
  service::ServiceConfig svc_config;
  svc_config.max_depth = static_cast<int>(config.max_depth);
  svc_config.edit_window_ms = config.edit_window_seconds * 1000;
  svc_config.premoderate = config.premoderate;
  svc_config.trust_after = static_cast<int>(config.trust_after);
  svc_config.votes_per_network = static_cast<int>(config.votes_per_network);
  moderation::PipelineSettings pipeline_settings;
  pipeline_settings.text.max_links = static_cast<int>(config.max_links);
  pipeline_settings.text.hold_suspect = config.hold_suspect;
  pipeline_settings.text.hold_shouting = config.hold_shouting;
  pipeline_settings.text.hold_near_duplicate = !config.allow_duplicates;
  pipeline_settings.classifier_threshold = config.classifier_threshold;
  pipeline_settings.flag_threshold = config.flag_threshold;
  pipeline_settings.seed_model = config.seed_model;
  moderation::Pipeline pipeline(pipeline_settings, clock);
  if (config.seed_model) {
    const auto& seed = moderation::DefaultSeedModel();
    spdlog::info("seed model: {} lines learned in {:.0f} ms", seed.examples, seed.train_ms);
  }
  service::CommentService comments(svc_config, clock, random, &pipeline);
  service::RateLimiter limiter(static_cast<int>(config.posts_per_minute), clock);
  service::RateLimiter login_limiter(10, clock);  // failed sign-ins per client per minute
  service::AccountService accounts(clock, random);
  service::ModerationConfig moderation_config;
  moderation_config.reports_to_queue = static_cast<int>(config.reports_to_queue);
  moderation_config.reports_to_hide = static_cast<int>(config.reports_to_hide);
  service::ModerationService moderation(moderation_config, clock);
  http::ResponseCache cache(64u << 20);
  auto mail_settings = MailSettings(config);
  if (!mail_settings) {
    std::cerr << "amur: " << mail_settings.error().message << "\n";
    return 2;
  }
  service::SubscriptionService subscriptions(*mail_settings, clock, random);
  service::RateLimiter subscribe_network_limiter(static_cast<int>(config.subscriptions_per_hour),
                                                 3'600'000, clock);
  // Requests naming one address, from anywhere: a few an hour.
  service::RateLimiter subscribe_address_limiter(5, 3'600'000, clock);
  std::unique_ptr<service::MailSender> mail;
  // Mail and webhooks go out from one node at a time (service/lease.hpp).
  std::unique_ptr<service::Lease> mail_lease;
  std::unique_ptr<service::Lease> webhook_lease;
  service::EventBus events;
  http::LiveOptions live_options;
  live_options.heartbeat = std::chrono::milliseconds(
      std::max<std::int64_t>(10, static_cast<std::int64_t>(config.live_heartbeat_seconds * 1000)));
  http::LiveHub live(live_options);
  // Read replicas (--database-replica): not connected until a read tries
  // them, so a replica that is down does not keep the node from starting.
  std::unique_ptr<service::ReadReplicas> replicas;
  if (!config.database_replicas.empty()) {
    std::vector<service::ReadReplicas::Replica> list;
    for (const auto& url : config.database_replicas) {
      list.push_back({store::RedactDatabaseUrl(url), store::OpenPostgresqlReplica(url)});
    }
    replicas = std::make_unique<service::ReadReplicas>(std::move(list), [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::steady_clock::now().time_since_epoch())
          .count();
    });
    const auto states = replicas->States();
    for (std::size_t i = 0; i < states.size(); ++i) {
      const std::string labels = "replica=\"" + std::to_string(i + 1) + "\"";
      service::ReadReplicas* r = replicas.get();
      const auto field = [r, i](auto member) {
        return [r, i, member] { return static_cast<double>(r->States()[i].*member); };
      };
      metrics.AddGauge("amur_replica_up",
                       "1 while the read replica (--database-replica, in order) is used, 0 while "
                       "it is skipped after a failure.",
                       field(&service::ReplicaState::up), labels);
      metrics.AddGauge("amur_replica_event_seq",
                       "The read replica's last event seq, as of its last read.",
                       field(&service::ReplicaState::last_seq), labels);
      metrics.AddGauge("amur_replica_reads_served", "Reads the read replica served, since start.",
                       field(&service::ReplicaState::served), labels);
      metrics.AddGauge("amur_replica_reads_lagging",
                       "Reads the read replica was too far behind for (served elsewhere), since "
                       "start.",
                       field(&service::ReplicaState::lagging), labels);
      metrics.AddGauge("amur_replica_reads_failed",
                       "Reads the read replica failed (served elsewhere), since start.",
                       field(&service::ReplicaState::failed), labels);
      spdlog::info("read replica {}: {}", i + 1, states[i].name);
    }
  }
  metrics.AddGauge("amur_events_published",
                   "The seq of the last event this node has published (its read cache follows "
                   "the event log up to it).",
                   [&events] { return static_cast<double>(events.LastPublished()); });
  std::unique_ptr<service::DbExecutor> db;
  std::unique_ptr<notify::WebhookDispatcher> webhooks;
  std::string form_key;
  try {
    form_key = FormKey(*store, random);
    LoadModel(*store, pipeline);
    LoadTunables(*store, pipeline);
    // Without it, a restart would forget the last hour's comments and let
    // copies of them through.
    const WarmUpResult warm = WarmNearDuplicateIndex(*store, pipeline, clock.NowMs());
    spdlog::info("near-duplicate index: loaded {} recent comments ({} kept) in {:.0f} ms",
                 warm.comments, warm.remembered, warm.seconds * 1000);
    if (!config.no_demo_comments) SeedDemoComments(*store, clock, random);
    // What follows a commit: the subscribers of the event log.
    events.StartAfter(store->OpenSession()->LastEventSeq());
    db = std::make_unique<service::DbExecutor>(*store, 2, 512, replicas.get());
    // A replica serves a read only once it has every event this node has
    // announced to its read cache (service/event_bus.hpp, LastAnnounced).
    db->SetReplicaFloor([&events] { return events.LastAnnounced(); });
    // Before the read cache: once another node's comment is served here, it
    // also counts here; and a page's verified chain is forgotten before its
    // answers are rebuilt.
    SubscribeOtherNodesPosts(events, limiter, pipeline);
    SubscribeVerifiedChains(events, comments);
    SubscribeReadCache(events, cache);
    SubscribeClassifier(events, pipeline, *db);
    SubscribeModerationSettings(events, pipeline);
    live.Attach(events);  // event streams of GET /api/v1/events
    mail_lease =
        std::make_unique<service::Lease>(*db, clock, "mail", service::ThisNode(), kLeaseTermMs);
    webhook_lease =
        std::make_unique<service::Lease>(*db, clock, "webhooks", service::ThisNode(), kLeaseTermMs);
    webhooks = StartWebhooks(config, *store, *db, clock, random, events,
                             [&webhook_lease] { return webhook_lease->Held(); });
    if (!webhooks) return 2;
    if (mail_settings->enabled) {
      InitNotifyCursor(*store);
      notify::SmtpOptions smtp_options;
      smtp_options.ca_file = config.smtp_ca;
      mail = std::make_unique<service::MailSender>(
          *store, *db, subscriptions, clock,
          std::make_unique<notify::CurlSmtpTransport>(*notify::ParseSmtpUrl(config.smtp),
                                                      smtp_options),
          mail_settings->site.from_address, MailOptions(*mail_lease));
      SubscribeMail(events, *mail);
    }
    db->SetAfterCommit([&events](store::StoreSession& s) { events.PublishCommitted(s); });
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
  const http::TrustedProxies trusted_proxies = *proxies;
  deps.proxies = std::move(*proxies);
  deps.allow_origins = config.allow_origins;
  deps.form_key = form_key;
  deps.edit_window_seconds = config.edit_window_seconds;
  deps.login_limiter = &login_limiter;
  deps.accounts = &accounts;
  deps.moderation = &moderation;
  deps.secure_cookies = config.public_url.rfind("https://", 0) == 0;
  deps.public_url = config.public_url;  // feed links; the form's Origin check
  deps.pipeline = &pipeline;
  deps.webhooks = webhooks.get();
  deps.configured_webhooks = config.webhooks;
  deps.webhook_allow_private = config.webhook_allow_private;
  deps.webhook_secret_configured = !config.webhook_secret.empty();
  deps.webhook_secret = config.webhook_secret;
  deps.metrics_token = config.metrics_token;
  deps.subscriptions = &subscriptions;
  deps.mail = mail.get();
  deps.subscribe_network_limiter = &subscribe_network_limiter;
  deps.subscribe_address_limiter = &subscribe_address_limiter;
  deps.live = &live;
  deps.events = &events;
  http::Routes routes(std::move(deps));

  const int threads = config.threads > 0
                          ? static_cast<int>(config.threads)
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  asio::io_context ioc(threads);
  live.DeliverOn(ioc.get_executor(), threads);  // one share of the streams per I/O thread
  http::ServerOptions options;
  const auto millis = [](double seconds) {
    return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
  };
  options.request_timeout = millis(config.request_timeout_seconds);
  options.header_timeout = millis(config.header_timeout_seconds);
  options.keep_alive_timeout = millis(config.keep_alive_timeout_seconds);
  const std::size_t default_max = http::DefaultMaxConnections(fd_limit);
  options.max_connections = default_max;
  if (config.max_connections > 0) {
    // More than the descriptors allow would only make accept fail.
    options.max_connections =
        std::min(static_cast<std::size_t>(config.max_connections), default_max);
    if (options.max_connections < static_cast<std::size_t>(config.max_connections)) {
      spdlog::warn("--max-connections {}: the descriptor limit {} leaves room for {}; using {}",
                   config.max_connections, fd_limit, default_max, default_max);
    }
  }
  options.max_connections_per_network =
      static_cast<std::size_t>(config.max_connections_per_network);
  options.uncounted_peer = [trusted = trusted_proxies](const asio::ip::address& peer) {
    return trusted.Contains(peer);
  };
  spdlog::info("connections: at most {} in all, {} per network{}", options.max_connections,
               options.max_connections_per_network,
               options.max_connections_per_network == 0 ? " (no cap)" : "");
  std::unique_ptr<http::HttpServer> server;
  try {
    server = std::make_unique<http::HttpServer>(
        ioc, asio::ip::tcp::endpoint(address, port), options,
        [&routes](http::Request& req) { return routes.Handle(req); });
  } catch (const std::exception& e) {
    std::cerr << "amur: cannot listen on " << config.listen << ": " << e.what() << "\n";
    return 2;
  }
  metrics.AddGauge("amur_connections_open", "Open HTTP connections.",
                   [&server] { return static_cast<double>(server->Connections()); });
  metrics.AddGauge("amur_connections_shed",
                   "Connections closed to make room for others, since start.",
                   [&server] { return static_cast<double>(server->ShedConnections()); });
  metrics.AddGauge("amur_connections_refused", "Connections refused at a cap, since start.",
                   [&server] { return static_cast<double>(server->RefusedConnections()); });
  metrics.AddGauge("amur_live_streams", "Open event streams (GET /api/v1/events).",
                   [&live] { return static_cast<double>(live.Streams()); });
  metrics.AddGauge("amur_live_streams_dropped",
                   "Event streams ended for falling too far behind, since start.",
                   [&live] { return static_cast<double>(live.Dropped()); });
  server->Start();
  // Events committed by another process on this database (another node,
  // amur import, amur remap) reach the subscribers too, within a fifth of a
  // second: the read cache drops their pages, limits count their posts.
  // On PostgreSQL, other nodes' commits are signalled (NOTIFY) and published
  // at once; the poll stays as the fallback for a lost signal.
  std::unique_ptr<EventSignalWatcher> other_nodes;
  try {
    if (auto listener = store->ListenForEvents()) {
      other_nodes = std::make_unique<EventSignalWatcher>(std::move(listener), *db, events);
    }
  } catch (const std::exception& e) {
    spdlog::warn("other nodes' events: cannot listen ({}); reading the log five times a second",
                 e.what());
  }
  StartEventPoll(ioc, *db, events,
                 other_nodes ? std::chrono::milliseconds(1000) : std::chrono::milliseconds(200));
  StartLeaseRenewal(ioc, *mail_lease, [&mail] {
    if (mail) mail->Notify();
  });
  StartLeaseRenewal(ioc, *webhook_lease, [&webhooks] {
    if (webhooks) webhooks->Notify();
  });
  StartEventRetention(ioc, *db, clock, std::chrono::hours(24) * config.event_retention_days,
                      std::chrono::hours(1));

  const std::string shown_host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  const std::string base = "http://" + shown_host + ":" + std::to_string(server->port());
  // Links in mail: the public URL, else this address.
  if (config.public_url.empty()) subscriptions.SetPublicUrl(base);
  if (mail) {
    mail->Start();
    metrics.AddGauge("amur_mail_sent", "Messages the mail server took, since start.",
                     [&mail] { return static_cast<double>(mail->Stats().sent); });
    metrics.AddGauge("amur_mail_failed", "Failed attempts to send a message, since start.",
                     [&mail] { return static_cast<double>(mail->Stats().failed); });
    metrics.AddGauge("amur_mail_given_up", "Messages given up on, since start.",
                     [&mail] { return static_cast<double>(mail->Stats().given_up); });
  }
  std::printf("amur %s: listening on %s (database %s; demo at %s/demo)\n", AMUR_VERSION,
              base.c_str(), store::RedactDatabaseUrl(config.database).c_str(), base.c_str());
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
  for (int i = 1; i < threads; ++i) pool.emplace_back([&ioc] { RunIoThread(ioc); });
  RunIoThread(ioc);
  for (auto& t : pool) t.join();
  if (other_nodes) other_nodes->Stop();
  webhooks->Stop();  // saves each endpoint's cursor through the writer
  if (mail) mail->Stop();
  db->Stop();
  db.reset();
  store.reset();
  spdlog::info("stopped cleanly");
  return 0;
}

int RunUserAdd(const Config& config, const std::string& email, const std::string& name,
               const std::string& role_text) {
  InitCrypto();
  const auto role = ParseRole(role_text);
  if (!role) {
    std::fprintf(stderr, "amur user add: --role must be member, moderator or admin\n");
    return 1;
  }
  std::string password;
  if (const char* p = std::getenv("AMUR_PASSWORD")) {
    password = p;
  } else {
    if (isatty(0)) std::fprintf(stderr, "Password for %s: ", email.c_str());
    std::getline(std::cin, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
  }
  SystemClock clock;
  SodiumRandom random;
  try {
    auto store = store::OpenStore(config.database);
    store->Migrate();
    auto session = store->OpenSession();
    service::AccountService accounts(clock, random);
    store::WriteTransaction tx(*session);
    auto user = accounts.AddUser(*session, email, name, *role, password);
    if (!user) {
      std::fprintf(stderr, "amur user add: %s\n", user.error().message.c_str());
      return 1;
    }
    tx.Commit();
    std::printf("added %s <%s> as %s (u%lld)\n", user->name.c_str(), user->email.c_str(),
                RoleName(user->role), static_cast<long long>(user->id));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "amur: %s\n", e.what());
    return 2;
  }
}

int RunModerationTrain(const Config& config) {
  InitCrypto();
  try {
    auto store = store::OpenStore(config.database);
    store->Migrate();
    auto session = store->OpenSession();
    // The latest decision per comment is its label.
    std::map<CommentId, bool> labels;
    session->BeginRead();
    for (std::int64_t before = 0;;) {
      auto entries = session->ListAudit(before, 500);
      for (const auto& e : entries) {
        if (!e.comment_id || labels.count(*e.comment_id)) continue;
        if (e.action == "approve") labels[*e.comment_id] = false;
        if (e.action == "reject" || e.action == "spam") labels[*e.comment_id] = true;
      }
      if (entries.empty()) break;
      before = entries.back().seq;
    }
    std::vector<moderation::LabelledText> examples;
    std::size_t held = 0;
    SystemClock clock;
    const moderation::Pipeline tagger(moderation::PipelineSettings{}, clock);
    for (const auto& [id, hold] : labels) {
      auto c = session->FindComment(id);
      if (!c || c->body_markdown.empty()) continue;
      const std::string name = c->author_name.value_or("Guest");
      examples.push_back({moderation::Pipeline::ClassifierText(name, c->body_markdown),
                          hold,
                          {},
                          c->parent_id.has_value(),
                          tagger.Tags(name, c->body_markdown, c->parent_id.has_value())});
      held += hold;
    }
    session->Commit();
    // From the seed model (unless --seed-model=false), as a fresh site starts.
    moderation::Classifier model =
        config.seed_model ? moderation::DefaultSeedModel().model : moderation::Classifier{};
    model.TrainEpochs(examples, 4);
    store::WriteTransaction tx(*session);
    session->PutSetting(kModelSetting, Base64Encode(model.Save()));
    tx.Commit();
    std::printf("trained on %zu decisions (%zu held, %zu kept); restart amur serve to use it\n",
                examples.size(), held, examples.size() - held);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "amur: %s\n", e.what());
    return 2;
  }
}

int RunModerationEval(const Config& config, const std::string& file, const std::string& train_file,
                      bool pipeline, bool goals, const std::string& seed_corpus) {
  InitCrypto();
  auto examples = moderation::ReadLabelledFile(file);
  if (!examples) {
    std::fprintf(stderr, "amur moderation eval: %s\n", examples.error().message.c_str());
    return 1;
  }
  if (pipeline) {
    std::vector<moderation::LabelledText> decisions;
    if (!train_file.empty()) {
      auto training = moderation::ReadLabelledFile(train_file);
      if (!training) {
        std::fprintf(stderr, "amur moderation eval: %s\n", training.error().message.c_str());
        return 1;
      }
      decisions = std::move(*training);
    }
    moderation::PipelineSettings settings;
    settings.classifier_threshold = config.classifier_threshold;
    settings.flag_threshold = config.flag_threshold;
    settings.seed_model = config.seed_model;
    if (!seed_corpus.empty()) {
      std::ifstream in(seed_corpus, std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      auto corpus = moderation::ParseSeedCorpus(text.str());
      if (!in || !corpus) {
        std::fprintf(stderr, "amur moderation eval: %s: %s\n", seed_corpus.c_str(),
                     corpus ? "cannot read it" : corpus.error().message.c_str());
        return 1;
      }
      settings.seed = std::make_shared<const moderation::SeedModel>(
          moderation::TrainSeedModel(std::move(*corpus)));
      settings.seed_model = true;
    }
    settings.text.max_links = static_cast<int>(config.max_links);
    settings.text.hold_suspect = config.hold_suspect;
    const auto r = moderation::EvaluatePipeline(decisions, *examples, settings);
    std::fputs(moderation::FormatPipelineReport(r).c_str(), stdout);
    if (goals) {
      const auto missed = moderation::MissedGoals(r);
      for (const auto& m : missed) std::printf("GOAL MISSED: %s\n", m.c_str());
      if (!missed.empty()) return 1;
      std::printf("all goals met\n");
    }
    return 0;
  }
  moderation::Classifier model;
  if (!train_file.empty()) {
    auto training = moderation::ReadLabelledFile(train_file);
    if (!training) {
      std::fprintf(stderr, "amur moderation eval: %s\n", training.error().message.c_str());
      return 1;
    }
    model.TrainEpochs(*training, 4);
  } else {
    try {
      auto store = store::OpenStore(config.database);
      store->Migrate();
      if (auto saved = LoadSavedModel(*store)) model = std::move(*saved);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "amur: %s\n", e.what());
      return 2;
    }
  }
  const auto r = moderation::Evaluate(model, *examples, config.classifier_threshold);
  std::printf("examples %zu  threshold %.2f  precision %.4f  recall %.4f  f1 %.4f  roc_auc %.4f\n",
              r.n, config.classifier_threshold, r.precision, r.recall, r.f1, r.roc_auc);
  return 0;
}

int RunVerify(const Config& config) {
  InitCrypto();
  SystemClock clock;
  SodiumRandom random;
  try {
    auto store = store::OpenStore(config.database);
    store->Migrate();
    service::CommentService comments(service::ServiceConfig{}, clock, random);
    // Each page's links and rows are read into fresh vectors of up to a few
    // MB: keep such blocks in the heap for reuse instead of mapping (and
    // page-faulting) new memory for every page.
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    // Pages are independent: two workers, each with its own session (and so
    // its own read transaction per batch), take the pages of a batch in turn;
    // the results are printed in page order.
    constexpr int kWorkers = 2;
    std::vector<std::unique_ptr<store::StoreSession>> sessions;
    for (int w = 0; w < kWorkers; ++w) sessions.push_back(store->OpenSession());
    int pages = 0;
    int failed = 0;
    std::int64_t links = 0;
    std::int64_t erased = 0;
    for (PageId after = 0;;) {
      sessions[0]->BeginRead();
      const auto batch = sessions[0]->ListPages(after, 2000);
      sessions[0]->Commit();
      if (batch.empty()) break;
      std::vector<service::PageVerification> results(batch.size());
      std::atomic<std::size_t> next{0};
      auto work = [&](store::StoreSession& s) {
        s.BeginRead();
        for (std::size_t i; (i = next.fetch_add(1)) < batch.size();) {
          results[i] = comments.VerifyPage(s, batch[i].key);
        }
        s.Commit();
      };
      std::exception_ptr error;
      std::thread helper([&] {
        try {
          work(*sessions[1]);
        } catch (...) {
          error = std::current_exception();
        }
      });
      try {
        work(*sessions[0]);
      } catch (...) {
        helper.join();
        throw;
      }
      helper.join();
      if (error) std::rethrow_exception(error);
      for (std::size_t i = 0; i < batch.size(); ++i) {
        const auto& v = results[i];
        ++pages;
        links += v.length;
        erased += static_cast<std::int64_t>(v.erased_ids.size());
        if (!v.verified) {
          ++failed;
          std::printf("FAILED %s:", batch[i].key.c_str());
          for (CommentId id : v.failed_ids) std::printf(" %s", FormatCommentId(id).c_str());
          std::printf("\n");
        }
      }
      after = batch.back().id;
    }
    std::printf("%d pages checked, %d verified, %d failed (%lld links, %lld erased comments)\n",
                pages, pages - failed, failed, static_cast<long long>(links),
                static_cast<long long>(erased));
    return failed == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "amur: %s\n", e.what());
    return 2;
  }
}

int RunErase(const Config& config, const std::string& email) {
  InitCrypto();
  SystemClock clock;
  SodiumRandom random;
  try {
    auto store = store::OpenStore(config.database);
    store->Migrate();
    auto session = store->OpenSession();
    service::CommentService comments(service::ServiceConfig{}, clock, random);
    session->BeginWrite();
    const std::vector<CommentId> ids = session->ListCommentIdsByEmail(email);
    for (CommentId id : ids) {
      auto out = comments.Erase(*session, id, "cli");
      if (!out) {
        session->Rollback();
        std::fprintf(stderr, "amur: erasing %s: %s\n", FormatCommentId(id).c_str(),
                     out.error().message.c_str());
        return 2;
      }
      std::printf("erased %s on %s%s\n", FormatCommentId(id).c_str(), out->page_key.c_str(),
                  out->rechained ? " (chain rewritten as format 2)" : "");
    }
    // The address's subscriptions go too (and what they had not sent).
    std::string lower = email;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::size_t subscriptions = 0;
    for (const auto& sub : session->ListSubscriptionsByEmail(lower)) {
      subscriptions += session->DeleteSubscription(sub.id) ? 1 : 0;
    }
    session->Commit();
    std::printf("%zu comments erased, %zu subscriptions removed\n", ids.size(), subscriptions);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "amur: %s\n", e.what());
    return 2;
  }
}

}  // namespace amur::app
