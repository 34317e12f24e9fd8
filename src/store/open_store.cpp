#include <cstdlib>

#include "store/fault_injecting_store.hpp"
#include "store/postgresql/postgresql_store.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/store.hpp"

namespace amur::store {

namespace {

std::unique_ptr<Store> OpenBackend(const std::string& url) {
  if (url.rfind("sqlite:", 0) == 0) {
    std::string path = url.substr(7);
    if (path.rfind("//", 0) == 0) path = path.substr(2);
    if (path.empty()) throw StoreError("the database URL sqlite: needs a file path, as in sqlite:./amur-data/amur.db");
    return OpenSqliteStore(path);
  }
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    return OpenPostgresqlStore(url);
  }
  throw StoreError("unknown database URL '" + RedactDatabaseUrl(url) +
                   "': expected sqlite:PATH or postgresql://USER:PASSWORD@HOST:PORT/DB");
}

}  // namespace

std::unique_ptr<Store> OpenStore(const std::string& url) {
  auto store = OpenBackend(url);
  // Black-box fault tests only (store/fault_injecting_store.hpp).
  if (const char* faults = std::getenv("AMUR_FAULTS_FILE"); faults && *faults) {
    return WrapWithFaults(std::move(store), std::make_shared<FaultPlan>(faults));
  }
  return store;
}

}  // namespace amur::store
