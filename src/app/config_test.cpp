#include "app/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace amur::app {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937_64 rng(std::random_device{}());
    dir_ = std::filesystem::temp_directory_path() / ("amur-config-" + std::to_string(rng()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes a TOML file and returns its path.
  std::string WriteToml(const std::string& text, const std::string& name = "amur.toml") {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  std::function<const char*(const char*)> Env() {
    return [this](const char* name) -> const char* {
      auto it = env_.find(name);
      return it == env_.end() ? nullptr : it->second.c_str();
    };
  }

  Status Resolve(Config& c, const std::vector<std::string>& flags = {}) {
    return ResolveConfig(c, flags, Env());
  }

  // Expects an invalid_field error whose message mentions `needle`.
  void ExpectError(Config& c, const std::string& needle,
                   const std::vector<std::string>& flags = {}) {
    auto st = Resolve(c, flags);
    ASSERT_FALSE(st.ok()) << "expected an error mentioning " << needle;
    EXPECT_EQ(st.error().code, ErrorCode::kInvalidField);
    EXPECT_NE(st.error().message.find(needle), std::string::npos) << st.error().message;
  }

  std::filesystem::path dir_;
  std::map<std::string, std::string> env_;
};

TEST(EnvNameForFlagTest, UpperCasesAndUnderscores) {
  EXPECT_EQ(EnvNameForFlag("--posts-per-minute"), "AMUR_POSTS_PER_MINUTE");
  EXPECT_EQ(EnvNameForFlag("--edit-window"), "AMUR_EDIT_WINDOW");
  EXPECT_EQ(EnvNameForFlag("--listen"), "AMUR_LISTEN");
  EXPECT_EQ(EnvNameForFlag("--trusted-proxy"), "AMUR_TRUSTED_PROXY");
}

TEST_F(ConfigTest, DefaultsWhenNothingIsSet) {
  Config c;
  ASSERT_TRUE(Resolve(c).ok());
  EXPECT_EQ(c.listen, "127.0.0.1:8080");
  EXPECT_EQ(c.database, "sqlite:./amur-data/amur.db");
  EXPECT_EQ(c.public_url, "");
  EXPECT_TRUE(c.allow_origins.empty());
  EXPECT_EQ(c.edit_window_seconds, 900);
  EXPECT_EQ(c.posts_per_minute, 6);
  EXPECT_TRUE(c.trusted_proxies.empty());
  EXPECT_EQ(c.max_depth, 5);
  EXPECT_EQ(c.log_level, "info");
}

TEST_F(ConfigTest, FlagBeatsEnvBeatsFileBeatsDefault) {
  const std::string file = WriteToml("edit-window = 100\nposts-per-minute = 7\nmax-depth = 3\n");
  env_["AMUR_EDIT_WINDOW"] = "200";
  env_["AMUR_POSTS_PER_MINUTE"] = "8";
  Config c;
  c.config_file = file;
  c.edit_window_seconds = 300;  // as the command line parsed it
  ASSERT_TRUE(Resolve(c, {"--edit-window"}).ok());
  EXPECT_EQ(c.edit_window_seconds, 300);  // flag
  EXPECT_EQ(c.posts_per_minute, 8);       // env over file
  EXPECT_EQ(c.max_depth, 3);              // file over default
  EXPECT_EQ(c.listen, "127.0.0.1:8080");  // default

  Config no_flag;
  no_flag.config_file = file;
  ASSERT_TRUE(Resolve(no_flag).ok());
  EXPECT_EQ(no_flag.edit_window_seconds, 200);

  env_.clear();
  Config no_env;
  no_env.config_file = file;
  ASSERT_TRUE(Resolve(no_env).ok());
  EXPECT_EQ(no_env.edit_window_seconds, 100);
  EXPECT_EQ(no_env.posts_per_minute, 7);

  Config nothing;
  ASSERT_TRUE(Resolve(nothing).ok());
  EXPECT_EQ(nothing.edit_window_seconds, 900);
}

TEST_F(ConfigTest, ExplicitFlagIsKeptEvenWhenItEqualsTheDefault) {
  env_["AMUR_LISTEN"] = "0.0.0.0:9000";
  Config c;  // --listen 127.0.0.1:8080 given explicitly
  ASSERT_TRUE(Resolve(c, {"--listen"}).ok());
  EXPECT_EQ(c.listen, "127.0.0.1:8080");
  Config d;
  ASSERT_TRUE(Resolve(d).ok());
  EXPECT_EQ(d.listen, "0.0.0.0:9000");
}

TEST_F(ConfigTest, ConfigFileFromTheEnvironment) {
  env_["AMUR_CONFIG"] = WriteToml("listen = \"0.0.0.0:8181\"\n");
  Config c;
  ASSERT_TRUE(Resolve(c).ok());
  EXPECT_EQ(c.listen, "0.0.0.0:8181");
  EXPECT_EQ(c.config_file, env_["AMUR_CONFIG"]);
}

TEST_F(ConfigTest, FileKeysMayUseUnderscores) {
  Config c;
  c.config_file = WriteToml(
      "posts_per_minute = 0\nedit_window = 60\npublic_url = \"https://comments.example/\"\n"
      "log_level = \"debug\"\nrequest_timeout = 2.5\n");
  ASSERT_TRUE(Resolve(c).ok());
  EXPECT_EQ(c.posts_per_minute, 0);
  EXPECT_EQ(c.edit_window_seconds, 60);
  EXPECT_EQ(c.public_url, "https://comments.example");  // trailing slash dropped
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_DOUBLE_EQ(c.request_timeout_seconds, 2.5);
}

TEST_F(ConfigTest, ConnectionLimitsAndTimeouts) {
  Config defaults;
  ASSERT_TRUE(Resolve(defaults).ok());
  EXPECT_EQ(defaults.max_connections, 0);  // from the descriptor limit
  EXPECT_EQ(defaults.max_connections_per_network, 256);
  EXPECT_DOUBLE_EQ(defaults.header_timeout_seconds, 10);
  EXPECT_DOUBLE_EQ(defaults.keep_alive_timeout_seconds, 30);
  env_["AMUR_MAX_CONNECTIONS_PER_NETWORK"] = "0";
  Config c;
  c.config_file =
      WriteToml("max-connections = 5000\nheader_timeout = 2.5\nkeep-alive-timeout = 5\n");
  ASSERT_TRUE(Resolve(c).ok());
  EXPECT_EQ(c.max_connections, 5000);
  EXPECT_EQ(c.max_connections_per_network, 0);
  EXPECT_DOUBLE_EQ(c.header_timeout_seconds, 2.5);
  EXPECT_DOUBLE_EQ(c.keep_alive_timeout_seconds, 5);
  env_["AMUR_MAX_CONNECTIONS"] = "-1";
  Config bad;
  ExpectError(bad, "AMUR_MAX_CONNECTIONS");
}

TEST_F(ConfigTest, UnknownKeyInTheFileIsAnError) {
  Config c;
  c.config_file = WriteToml("edit-windw = 5\n");
  ExpectError(c, "edit-windw");
  Config d;
  d.config_file = WriteToml("[server]\nlisten = \"127.0.0.1:1\"\n", "table.toml");
  ExpectError(d, "server");
}

TEST_F(ConfigTest, MalformedOrMissingFileIsAnError) {
  Config c;
  c.config_file = WriteToml("listen = \n");
  ExpectError(c, c.config_file);
  Config d;
  d.config_file = (dir_ / "does-not-exist.toml").string();
  auto st = Resolve(d);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidField);
}

TEST_F(ConfigTest, BadValuesFromTheEnvironment) {
  {
    env_ = {{"AMUR_EDIT_WINDOW", "abc"}};
    Config c;
    ExpectError(c, "AMUR_EDIT_WINDOW");
  }
  {
    env_ = {{"AMUR_EDIT_WINDOW", "12s"}};
    Config c;
    ExpectError(c, "AMUR_EDIT_WINDOW");
  }
  {
    env_ = {{"AMUR_EDIT_WINDOW", "-1"}};
    Config c;
    ExpectError(c, "AMUR_EDIT_WINDOW");
  }
  {
    env_ = {{"AMUR_MAX_DEPTH", "0"}};
    Config c;
    ExpectError(c, "AMUR_MAX_DEPTH");
  }
  {
    env_ = {{"AMUR_MAX_DEPTH", "65"}};
    Config c;
    ExpectError(c, "AMUR_MAX_DEPTH");
  }
  {
    env_ = {{"AMUR_POSTS_PER_MINUTE", ""}};
    Config c;
    ExpectError(c, "AMUR_POSTS_PER_MINUTE");
  }
  {
    env_ = {{"AMUR_LISTEN", "nohost"}};
    Config c;
    ExpectError(c, "listen");
  }
  {
    env_ = {{"AMUR_REQUEST_TIMEOUT", "0"}};
    Config c;
    ExpectError(c, "AMUR_REQUEST_TIMEOUT");
  }
}

TEST_F(ConfigTest, BadValuesFromTheFile) {
  const std::pair<const char*, const char*> cases[] = {
      {"edit-window = \"abc\"\n", "edit-window"},
      {"edit-window = 1.5\n", "edit-window"},
      {"edit-window = true\n", "edit-window"},
      {"max-depth = 0\n", "max-depth"},
      {"listen = \"nohost\"\n", "listen"},
      {"listen = \"127.0.0.1:65536\"\n", "listen"},
      {"listen = \"127.0.0.1:\"\n", "listen"},
      {"listen = \":8080\"\n", "listen"},
      {"database = \"mysql://x\"\n", "database"},
      {"public-url = \"ftp://x\"\n", "public-url"},
      {"log-level = \"loud\"\n", "log-level"},
      {"allow-origin = [\"https://a.example\", 5]\n", "allow-origin"},
  };
  int i = 0;
  for (const auto& [text, needle] : cases) {
    SCOPED_TRACE(text);
    Config c;
    c.config_file = WriteToml(text, "bad" + std::to_string(i++) + ".toml");
    ExpectError(c, needle);
  }
}

TEST_F(ConfigTest, ListsFromTheEnvironmentAreCommaSeparated) {
  env_["AMUR_ALLOW_ORIGIN"] = "a, b";
  env_["AMUR_TRUSTED_PROXY"] = " 10.0.0.0/8 ,, ::1 ";
  Config c;
  ASSERT_TRUE(Resolve(c).ok());
  EXPECT_EQ(c.allow_origins, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c.trusted_proxies, (std::vector<std::string>{"10.0.0.0/8", "::1"}));
}

TEST_F(ConfigTest, ListsFromTomlArraysAndStrings) {
  Config c;
  c.config_file = WriteToml(
      "allow-origin = [\"https://a.example\", \"https://b.example\"]\n"
      "trusted-proxy = \"10.0.0.0/8, 192.168.0.0/16\"\n");
  ASSERT_TRUE(Resolve(c).ok());
  EXPECT_EQ(c.allow_origins,
            (std::vector<std::string>{"https://a.example", "https://b.example"}));
  EXPECT_EQ(c.trusted_proxies, (std::vector<std::string>{"10.0.0.0/8", "192.168.0.0/16"}));
}

TEST_F(ConfigTest, ReadReplicasFromTheFileNeedAPostgresqlPrimary) {
  Config c;
  c.config_file = WriteToml(
      "database = \"postgresql://amur@db1/amur\"\n"
      "database-replica = [\"postgresql://amur@db2/amur\", \"postgres://amur@db3/amur\"]\n");
  ASSERT_TRUE(Resolve(c).ok());
  EXPECT_EQ(c.database_replicas,
            (std::vector<std::string>{"postgresql://amur@db2/amur", "postgres://amur@db3/amur"}));
  Config on_sqlite;
  on_sqlite.database_replicas = {"postgresql://amur@db2/amur"};
  ExpectError(on_sqlite, "SQLite", {"--database-replica"});
  Config not_pg;
  not_pg.database = "postgresql://amur@db1/amur";
  not_pg.database_replicas = {"sqlite:./copy.db"};
  ExpectError(not_pg, "database-replica", {"--database-replica"});
}

TEST_F(ConfigTest, EnvListReplacesTheFileList) {
  env_["AMUR_ALLOW_ORIGIN"] = "https://env.example";
  Config c;
  c.config_file = WriteToml("allow-origin = [\"https://file.example\"]\n");
  ASSERT_TRUE(Resolve(c).ok());
  EXPECT_EQ(c.allow_origins, (std::vector<std::string>{"https://env.example"}));
}

TEST_F(ConfigTest, FlagListBeatsEnvList) {
  env_["AMUR_ALLOW_ORIGIN"] = "https://env.example";
  Config c;
  c.allow_origins = {"https://flag.example"};
  ASSERT_TRUE(Resolve(c, {"--allow-origin"}).ok());
  EXPECT_EQ(c.allow_origins, (std::vector<std::string>{"https://flag.example"}));
}

TEST_F(ConfigTest, PremoderateIsABoolean) {
  {
    Config c;
    ASSERT_TRUE(Resolve(c).ok());
    EXPECT_FALSE(c.premoderate);
  }
  for (const char* yes : {"1", "true", "yes", "on"}) {
    env_ = {{"AMUR_PREMODERATE", yes}};
    Config c;
    ASSERT_TRUE(Resolve(c).ok()) << yes;
    EXPECT_TRUE(c.premoderate) << yes;
  }
  for (const char* no : {"0", "false", "no", "off"}) {
    env_ = {{"AMUR_PREMODERATE", no}};
    Config c;
    c.config_file = WriteToml("premoderate = true\n");
    ASSERT_TRUE(Resolve(c).ok()) << no;
    EXPECT_FALSE(c.premoderate) << no;  // env beats file
  }
  env_.clear();
  {
    Config c;
    c.config_file = WriteToml("premoderate = true\n");
    ASSERT_TRUE(Resolve(c).ok());
    EXPECT_TRUE(c.premoderate);
  }
  {
    env_ = {{"AMUR_PREMODERATE", "maybe"}};
    Config c;
    ExpectError(c, "AMUR_PREMODERATE");
  }
  env_.clear();
  {
    Config c;
    c.config_file = WriteToml("max-depth = true\n", "bool-for-int.toml");
    ExpectError(c, "max-depth");
  }
}

TEST(ConfigSplitListenTest, HostAndPort) {
  std::string host;
  unsigned short port = 0;
  Config c;
  c.listen = "127.0.0.1:8080";
  ASSERT_TRUE(c.SplitListen(&host, &port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 8080);
  c.listen = "[::1]:0";
  ASSERT_TRUE(c.SplitListen(&host, &port));
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 0);
  for (const char* bad : {"nohost", ":80", "host:", "host:65536", "host:-1", "host:8o"}) {
    c.listen = bad;
    EXPECT_FALSE(c.SplitListen(&host, &port)) << bad;
  }
}

}  // namespace
}  // namespace amur::app
