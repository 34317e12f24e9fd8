// amur: the command line. `amur serve`, `amur verify`, `amur erase`, `amur import`,
// `amur export`, `amur remap`, `--version`, `--help`.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>

#include "app/app.hpp"
#include "app/config.hpp"
#include "app/transfer_commands.hpp"

namespace {

// Registers the serve settings on `cmd`, remembering which were given.
void AddServeFlags(CLI::App* cmd, amur::app::Config& c) {
  cmd->add_option("--listen", c.listen, "HOST:PORT to listen on (default 127.0.0.1:8080)");
  cmd->add_option("--public-url", c.public_url, "the address readers use (default http:// + listen)");
  cmd->add_option("--allow-origin", c.allow_origins,
                  "a site allowed to embed the widget (repeatable; * for any)");
  cmd->add_option("--edit-window", c.edit_window_seconds,
                  "seconds a guest may edit or delete (default 900)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{10} * 365 * 86400));
  cmd->add_option("--posts-per-minute", c.posts_per_minute,
                  "new comments per client per minute, burst included; 0 = no limit (default 6)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1000000}));
  cmd->add_option("--trusted-proxy", c.trusted_proxies,
                  "trust the forwarding header only from these peers (CIDR, repeatable)");
  cmd->add_option("--forwarded-header", c.forwarded_header,
                  "the header the trusted proxies write: x-forwarded-for (default) or forwarded");
  cmd->add_option("--smtp", c.smtp, "smtp://[user:pass@]host:port for notification email");
  cmd->add_option("--mail-from", c.mail_from,
                  "sender of notification email: \"Name <address>\" or an address "
                  "(default comments@ the public URL's host)");
  cmd->add_option("--smtp-ca", c.smtp_ca, "CA file to check the SMTP server's certificate with");
  cmd->add_option(
      "--digest-minutes", c.digest_minutes,
      "later notices about one page are gathered into one email this long (default 10)");
  cmd->add_option("--subscriptions-per-hour", c.subscriptions_per_hour,
                  "subscription requests per client network per hour; 0 = no limit (default 10)");
  cmd->add_option("--max-depth", c.max_depth, "deepest reply level; deeper replies attach higher (default 5)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{64}));
  cmd->add_flag("--no-demo-comments", c.no_demo_comments,
                "do not post the demo article's two example inline comments on a new database");
  cmd->add_flag("--premoderate", c.premoderate,
               "hold every new comment for moderation (202, state pending)");
  cmd->add_option("--trust-after", c.trust_after,
                  "hold an author's comments until this many were approved; 0 = off (default 0)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1000}));
  cmd->add_option("--reports-to-queue", c.reports_to_queue,
                  "reader reports that put a comment in the reported queue (default 3)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1000}));
  cmd->add_option("--reports-to-hide", c.reports_to_hide,
                  "reader reports that hide a comment until a moderator looks; 0 = never (default 5)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1000}));
  cmd->add_option("--votes-per-network", c.votes_per_network,
                  "voters from one network (IPv4 address, IPv6 /64) who may vote on one comment; "
                  "0 = no limit (default 5)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1000000}));
  cmd->add_option("--max-links", c.max_links, "links a comment may carry before it is held; -1 = no limit (default 3)")
      ->check(CLI::Range(std::int64_t{-1}, std::int64_t{1000}));
  cmd->add_flag("--hold-suspect", c.hold_suspect, "hold comments with suspect terms (default: flag only)");
  cmd->add_flag("--hold-shouting,!--no-hold-shouting", c.hold_shouting,
                "hold comments written mostly in capitals (default: hold; --no-hold-shouting or "
                "--hold-shouting=false: flag only)");
  cmd->add_flag("--allow-duplicates", c.allow_duplicates,
                "do not hold near-duplicates of recent comments (default: hold them)");
  cmd->add_option("--classifier-threshold", c.classifier_threshold,
                  "hold comments the learned classifier scores at or above this, or at the "
                  "lower threshold its held-out precision allows (default 0.9)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--flag-threshold", c.flag_threshold,
                  "flag (publish, list in the flagged queue) comments the classifier scores at "
                  "or above this (default 0.7)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_flag("--seed-model,!--no-seed-model", c.seed_model,
                "start a site without a saved model from the seed model trained on the team's "
                "corpus (default: on; --no-seed-model: from an empty model)");
  cmd->add_option("--request-timeout", c.request_timeout_seconds,
                  "seconds a client may take to send one request (default 30)")
      ->check(CLI::Range(0.001, 86400.0));
  cmd->add_option("--header-timeout", c.header_timeout_seconds,
                  "seconds a client may take to send a request's header, counted from the "
                  "connection's opening or the request's first byte (default 10)")
      ->check(CLI::Range(0.001, 86400.0));
  cmd->add_option("--keep-alive-timeout", c.keep_alive_timeout_seconds,
                  "seconds a connection may idle between requests (default 30)")
      ->check(CLI::Range(0.001, 86400.0));
  cmd->add_option("--live-heartbeat", c.live_heartbeat_seconds,
                  "seconds between heartbeats on an idle event stream (GET /api/v1/events; "
                  "default 20)")
      ->check(CLI::Range(0.01, 3600.0));
  cmd->add_option("--max-connections", c.max_connections,
                  "open connections in all; 0 = from the descriptor limit (default 0)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{10'000'000}));
  cmd->add_option("--max-connections-per-network", c.max_connections_per_network,
                  "open connections from one network (IPv4 address, IPv6 /64); 0 = no limit "
                  "(default 256)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{10'000'000}));
  cmd->add_option("--threads", c.threads, "I/O threads (default: one per core)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{256}));
  cmd->add_option("--log-level", c.log_level, "trace, debug, info, warn, error or off (default info)");
  cmd->add_option("--event-retention-days", c.event_retention_days,
                  "days the event log keeps its events (default 30)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{3650}));
  cmd->add_option("--webhook", c.webhooks,
                  "an https:// or http:// endpoint that receives the public events (repeatable)");
  cmd->add_option("--webhook-secret", c.webhook_secret,
                  "whsec_… signing secret (default: generated once and kept in the database)");
  cmd->add_flag("--webhook-allow-private", c.webhook_allow_private,
                "allow webhook endpoints on loopback or private addresses");
  cmd->add_option("--database-replica", c.database_replicas,
                  "postgresql://… of a hot standby of --database that may serve cacheable reads "
                  "(threads, counts, feeds) when it has caught up (repeatable)");
  cmd->add_option("--metrics-token", c.metrics_token,
                  "bearer token that GET /metrics requires (default: served to loopback only)");
}

void AddCommonFlags(CLI::App* cmd, amur::app::Config& c) {
  cmd->add_option("--database", c.database,
                  "sqlite:PATH or postgresql://… (default sqlite:./amur-data/amur.db)");
  cmd->add_option("--config", c.config_file, "a TOML configuration file");
}

std::vector<std::string> GivenFlags(const CLI::App* cmd) {
  std::vector<std::string> out;
  for (const CLI::Option* opt : cmd->get_options()) {
    if (opt->count() > 0) {
      for (const auto& name : opt->get_lnames()) out.push_back("--" + name);
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"amur — a self-hosted discussion engine for news and analysis sites"};
  app.set_version_flag("--version", std::string("amur ") + AMUR_VERSION);
  app.require_subcommand(1);

  amur::app::Config serve_config;
  CLI::App* serve = app.add_subcommand("serve", "run the HTTP server");
  AddCommonFlags(serve, serve_config);
  AddServeFlags(serve, serve_config);

  amur::app::Config verify_config;
  CLI::App* verify = app.add_subcommand("verify", "check every page's hash chain");
  AddCommonFlags(verify, verify_config);

  amur::app::Config erase_config;
  CLI::App* erase = app.add_subcommand(
      "erase", "erase the words of every comment by one address from comments and their history");
  std::string erase_email;
  erase->add_option("--email", erase_email, "the author's address (case ignored)")->required();
  AddCommonFlags(erase, erase_config);

  amur::app::Config user_config;
  CLI::App* user = app.add_subcommand("user", "manage accounts");
  user->require_subcommand(1);
  CLI::App* user_add = user->add_subcommand(
      "add", "create an account; the password is read from AMUR_PASSWORD or standard input");
  std::string user_email, user_name, user_role = "member";
  user_add->add_option("--email", user_email, "the account's email (sign-in name)")->required();
  user_add->add_option("--name", user_name, "the name shown on comments")->required();
  user_add->add_option("--role", user_role, "member, moderator or admin (default member)")
      ->check(CLI::IsMember({"member", "moderator", "admin"}));
  AddCommonFlags(user_add, user_config);

  amur::app::Config moderation_config;
  CLI::App* moderation = app.add_subcommand("moderation", "the learned classifier");
  moderation->require_subcommand(1);
  CLI::App* train = moderation->add_subcommand(
      "train", "retrain the classifier from the moderators' decisions in the database");
  train->add_flag("--seed-model,!--no-seed-model", moderation_config.seed_model,
                  "retrain from the seed model, as a new site starts (default: on)");
  AddCommonFlags(train, moderation_config);
  CLI::App* eval = moderation->add_subcommand(
      "eval", "print precision, recall and ROC-AUC of the classifier on a labelled file");
  std::string eval_file, eval_train_file;
  eval->add_option("FILE", eval_file, "JSON Lines {\"text\",\"label\"} or TSV label<TAB>text")
      ->required();
  eval->add_option("--train", eval_train_file,
                   "train a fresh model on this labelled file instead of using the saved one");
  eval->add_option("--classifier-threshold", moderation_config.classifier_threshold,
                   "score at or above which a text counts as held (default 0.9)")
      ->check(CLI::Range(0.0, 1.0));
  bool eval_pipeline = false, eval_goals = false;
  eval->add_flag("--pipeline", eval_pipeline,
                 "screen FILE with the whole pipeline (term lists, targeted-abuse signals, "
                 "classifier) after it learned --train's lines as decisions, one by one; "
                 "report held and flagged per kind and precision and recall per reason");
  eval->add_flag("--goals", eval_goals,
                 "with --pipeline: exit 1 unless >= 70% of harassment is held, >= 90% held or "
                 "flagged, <= 1% of civil texts held and <= 5% flagged");
  eval->add_option("--flag-threshold", moderation_config.flag_threshold,
                   "with --pipeline: flag at or above this score (default 0.7)")
      ->check(CLI::Range(0.0, 1.0));
  eval->add_flag("--seed-model,!--no-seed-model", moderation_config.seed_model,
                 "with --pipeline: start from the seed model (default: on)");
  std::string eval_seed_corpus;
  eval->add_option("--seed-corpus", eval_seed_corpus,
                   "with --pipeline: train the seed model on this file (format of "
                   "data/moderation/seed-en.tsv) instead of the built-in corpus");
  AddCommonFlags(eval, moderation_config);

  // Import and export (docs/operations.md, "Import and export").
  amur::app::Config transfer_config;
  CLI::App* import =
      app.add_subcommand("import", "bring comments in from another engine or an Amur export");
  import->require_subcommand(1);
  amur::transfer::ImportOptions import_options;
  std::string import_file, page_key = "path";
  std::vector<CLI::App*> importers;
  for (const char* kind : {"wordpress", "disqus", "amur"}) {
    const std::string what =
        std::string(kind) == "wordpress" ? "a WordPress export (WXR 1.0-1.2, wpDiscuz votes)"
        : std::string(kind) == "disqus"  ? "a Disqus export"
                                         : "an Amur export (amur export), losslessly";
    CLI::App* cmd = import->add_subcommand(kind, "import " + what);
    cmd->add_option("FILE", import_file, "the export file")->required();
    if (std::string(kind) != "amur") {
      cmd->add_option("--page-key", page_key,
                      std::string(kind) == "wordpress"
                          ? "what keys a post's thread: path (of its link; default), url or post_id"
                          : "what keys a thread's page: path (of its link; default) or url")
          ->check(CLI::IsMember(std::string(kind) == "wordpress"
                                    ? std::vector<std::string>{"path", "url", "post_id"}
                                    : std::vector<std::string>{"path", "url"}));
      cmd->add_option("--max-depth", import_options.max_depth,
                      "deepest reply level, as amur serve's --max-depth (default 5)")
          ->check(CLI::Range(1, 64));
    }
    cmd->add_flag("--strict", import_options.strict,
                  "stop at the first item that would be skipped or repaired");
    cmd->add_option("--batch", import_options.batch_size, "items per transaction (default 2000)")
        ->check(CLI::Range(1, 1000000));
    AddCommonFlags(cmd, transfer_config);
    importers.push_back(cmd);
  }
  CLI::App* export_cmd = app.add_subcommand(
      "export", "write every page, comment, version, vote, ban and audit entry as Amur JSON Lines");
  std::string export_output;
  export_cmd->add_option("--output", export_output, "the file to write (default: standard output)");
  AddCommonFlags(export_cmd, transfer_config);
  CLI::App* remap = app.add_subcommand("remap", "move threads when a site's URLs change");
  std::string remap_from, remap_to;
  bool remap_dry_run = false;
  remap->add_option("--from", remap_from, "the prefix of page keys and URLs to replace")
      ->required();
  remap->add_option("--to", remap_to, "what replaces it")->required();
  remap->add_flag("--dry-run", remap_dry_run, "only list what would move");
  AddCommonFlags(remap, transfer_config);

  CLI11_PARSE(app, argc, argv);

  auto env = [](const char* name) -> const char* { return std::getenv(name); };
  if (serve->parsed()) {
    if (auto st = amur::app::ResolveConfig(serve_config, GivenFlags(serve), env); !st) {
      std::cerr << "amur serve: " << st.error().message << "\n";
      return 2;
    }
    return amur::app::RunServe(serve_config);
  }
  if (user_add->parsed()) {
    if (auto st = amur::app::ResolveConfig(user_config, GivenFlags(user_add), env); !st) {
      std::cerr << "amur user add: " << st.error().message << "\n";
      return 2;
    }
    return amur::app::RunUserAdd(user_config, user_email, user_name, user_role);
  }
  if (train->parsed() || eval->parsed()) {
    CLI::App* cmd = train->parsed() ? train : eval;
    if (auto st = amur::app::ResolveConfig(moderation_config, GivenFlags(cmd), env); !st) {
      std::cerr << "amur moderation: " << st.error().message << "\n";
      return 2;
    }
    return train->parsed()
               ? amur::app::RunModerationTrain(moderation_config)
               : amur::app::RunModerationEval(moderation_config, eval_file, eval_train_file,
                                              eval_pipeline, eval_goals, eval_seed_corpus);
  }
  for (CLI::App* cmd : importers) {
    if (!cmd->parsed()) continue;
    if (auto st = amur::app::ResolveConfig(transfer_config, GivenFlags(cmd), env); !st) {
      std::cerr << "amur import: " << st.error().message << "\n";
      return 2;
    }
    import_options.page_key = page_key == "url"       ? amur::transfer::PageKeyMode::kUrl
                              : page_key == "post_id" ? amur::transfer::PageKeyMode::kPostId
                                                      : amur::transfer::PageKeyMode::kPath;
    return amur::app::RunImport(transfer_config, cmd->get_name(), import_file, import_options);
  }
  if (export_cmd->parsed() || remap->parsed()) {
    CLI::App* cmd = export_cmd->parsed() ? export_cmd : remap;
    if (auto st = amur::app::ResolveConfig(transfer_config, GivenFlags(cmd), env); !st) {
      std::cerr << "amur " << cmd->get_name() << ": " << st.error().message << "\n";
      return 2;
    }
    return export_cmd->parsed()
               ? amur::app::RunExport(transfer_config, export_output)
               : amur::app::RunRemap(transfer_config, remap_from, remap_to, remap_dry_run);
  }
  if (verify->parsed()) {
    if (auto st = amur::app::ResolveConfig(verify_config, GivenFlags(verify), env); !st) {
      std::cerr << "amur verify: " << st.error().message << "\n";
      return 2;
    }
    return amur::app::RunVerify(verify_config);
  }
  if (erase->parsed()) {
    if (auto st = amur::app::ResolveConfig(erase_config, GivenFlags(erase), env); !st) {
      std::cerr << "amur erase: " << st.error().message << "\n";
      return 2;
    }
    return amur::app::RunErase(erase_config, erase_email);
  }
  return 0;
}
