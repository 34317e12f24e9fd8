// The PostgreSQL backend over libpq: one connection per session, statements
// prepared on first use and kept per connection, write transactions at READ
// COMMITTED with the page row locked while its chain grows, event seqs from a
// one-row counter (commit order across nodes) and a NOTIFY on amur_events
// at every commit that appended events. Migrations come from the numbered
// .sql files beside this one, applied under an advisory lock (docs/design.md).
#pragma once

#include <memory>
#include <string>

#include "store/store.hpp"

namespace amur::store {

// Opens the database at `url`, a libpq connection URI ("postgresql://…" or
// "postgres://…", sslmode and the other parameters as libpq reads them).
// Throws StoreError, the URL's password hidden, when it cannot be reached.
std::unique_ptr<Store> OpenPostgresqlStore(const std::string& url);

// A read replica (a hot standby of the database) at `url`, for reads only:
// nothing is checked or connected until a session is opened (OpenSession
// throws StoreError when it cannot connect), connections give up after 2
// seconds, a statement whose answer takes over 2 seconds throws StoreError
// (the connection is cut and made again on the next session), and a replica
// whose network stops answering counts as gone after about 10 (unless the
// URL sets connect_timeout, tcp_user_timeout or keepalives_*).
// Migrate throws; ListenForEvents gives null.
std::unique_ptr<Store> OpenPostgresqlReplica(const std::string& url);

// `url` with its password replaced by ***, for messages and logs.
std::string RedactDatabaseUrl(const std::string& url);

}  // namespace amur::store
