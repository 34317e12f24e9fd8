// The SQLite backend: WAL mode, foreign keys on, synchronous=FULL, schema
// migrations applied by Migrate() from the numbered .sql files beside this one.
#pragma once

#include <memory>
#include <string>

#include "store/store.hpp"

namespace amur::store {

// Opens (creating when missing) the database file at `path`; its folder is
// created too. Throws StoreError when the file cannot be opened.
std::unique_ptr<Store> OpenSqliteStore(const std::string& path);

}  // namespace amur::store
