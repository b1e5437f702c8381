// Which engine holds the data, chosen by a URL: sqlite:///var/lib/loyalty/loyalty.db
// (one file, the default) or postgresql://user@host:port/db (a chain that outgrows one
// machine). Everything above the Store interface is the same for both.
#pragma once

#include <memory>
#include <string>

#include "loyalty/core/result.h"
#include "loyalty/crypto/ed25519.h"
#include "storage/group_commit_writer.h"
#include "storage/store.h"

namespace loyalty::server {

struct StoreUrl {
  enum class Engine { kSqlite, kPostgres };
  Engine engine = Engine::kSqlite;
  // kSqlite: the database file's path (what follows sqlite://, so sqlite:///var/x.db is
  // /var/x.db and sqlite://var/x.db the relative var/x.db). kPostgres: the whole URL.
  std::string location;

  // For messages and logs: the URL without a PostgreSQL password.
  std::string Describe() const;
};

// Reads a storage URL. The error names what is wrong (unknown scheme, empty path,
// a PostgreSQL URL libpq cannot parse), with `field` set to `field_name`.
Result<StoreUrl> ParseStoreUrl(const std::string& url, const std::string& field_name);

struct StoreOptions {
  WriterOptions writer;
  BatchObserver observer;
};

// Opens the store at `url`, creating and migrating its schema if needed. Throws (the
// start-up cannot go on) when the database cannot be opened or reached, or its schema
// belongs to another version. The planner and key must outlive the store.
std::unique_ptr<Store> OpenStore(const StoreUrl& url, const NextVisitPlanner& planner,
                                 const crypto::SigningKey& signing_key, StoreOptions options = {});

}  // namespace loyalty::server
