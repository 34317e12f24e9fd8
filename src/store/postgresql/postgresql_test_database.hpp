// Test support (header-only): fresh databases on the throwaway PostgreSQL
// server that tests/support/pg_cluster.py starts for ctest (fixture
// pg_cluster). Its URL is read from the file named by AMUR_PG_URL_FILE.
#pragma once

#include <libpq-fe.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>

namespace amur::store::testing {

// The server's URL without a database name. Throws (so that a test using it
// fails, never skips) when the cluster was not started.
inline std::string PgServerUrl() {
  const char* file = std::getenv("AMUR_PG_URL_FILE");
  if (!file || !*file) {
    throw std::runtime_error(
        "AMUR_PG_URL_FILE is not set: run the PostgreSQL tests through ctest (fixture pg_cluster), "
        "or start tests/support/pg_cluster.py start BUILD_DIR AMUR_BIN and point "
        "AMUR_PG_URL_FILE at BUILD_DIR/pg-test/url");
  }
  std::ifstream in(file);
  std::string url;
  if (!(in >> url) || url.empty()) {
    throw std::runtime_error(std::string("the PostgreSQL test server's URL file ") + file +
                             " is missing or empty: did the fixture pg_cluster start?");
  }
  return url;
}

// Runs one statement on the server's maintenance database; throws on failure.
inline void PgAdminExec(const std::string& sql) {
  const std::string url = PgServerUrl() + "/postgres";
  PGconn* c = PQconnectdb(url.c_str());
  std::string error;
  if (PQstatus(c) != CONNECTION_OK) {
    error = PQerrorMessage(c);
  } else {
    PGresult* r = PQexec(c, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) error = PQresultErrorMessage(r);
    PQclear(r);
  }
  PQfinish(c);
  if (!error.empty()) throw std::runtime_error("postgresql test server: " + sql + ": " + error);
}

// A new database: a copy of the migrated amur_template, or empty when
// `migrated` is false. Returns its URL; `*cleanup` drops it.
inline std::string CreatePgTestDatabase(std::function<void()>* cleanup, bool migrated = true) {
  static std::mt19937_64 rng(std::random_device{}());
  const std::string server = PgServerUrl();  // fails at once when there is none
  const std::string name = "amur_t_" + std::to_string(rng() % 1000000000000ULL);
  const std::string sql =
      "CREATE DATABASE " + name + (migrated ? " TEMPLATE amur_template" : " TEMPLATE template0");
  for (int attempt = 0;; ++attempt) {
    try {
      PgAdminExec(sql);
      break;
    } catch (const std::runtime_error&) {
      // Another process copying the template at the same moment: try again.
      if (attempt >= 20) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(50 + 50 * attempt));
    }
  }
  *cleanup = [name] {
    try {
      PgAdminExec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (...) {
    }
  };
  return server + "/" + name;
}

}  // namespace amur::store::testing
