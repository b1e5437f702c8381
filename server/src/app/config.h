// loyalty-server's configuration: defaults, then a JSON file (--config or
// LOYALTY_CONFIG), then environment variables, then command-line flags, each overriding
// the one before. Every field is documented in docs/configuration.md; an unknown key or
// a bad value stops the server at start with the key named.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "loyalty/core/args.h"
#include "loyalty/core/result.h"

namespace loyalty::server {

struct Config {
  std::string data_dir = "var/server";  // database, TLS files, coupon key
  std::string listen = "127.0.0.1:8443";
  int threads = 2;  // I/O threads

  struct Tls {
    std::string certificate;  // PEM chain; empty: self-signed in DATA_DIR/tls
    std::string private_key;
  } tls;

  struct Http {
    std::size_t body_limit_bytes = 1024 * 1024;
    int handshake_timeout_seconds = 10;
    int request_timeout_seconds = 30;
    int idle_timeout_seconds = 60;
    int drain_timeout_seconds = 20;
  } http;

  struct Storage {
    // Where the data lives: sqlite:///path/loyalty.db or postgresql://user@host/db.
    // Empty: sqlite://DATA_DIR/loyalty.db. Read through StoreDatabaseUrl().
    std::string url;
    std::size_t group_commit_max_batch = 256;
    int group_commit_max_delay_us = 1000;
  } storage;

  struct NextVisit {
    int percent_off = 10;
    std::int64_t max_discount_minor = 500;
    int valid_days = 14;
    int max_live_coupons = 3;
  } next_visit;

  struct Portal {
    // The portal's web app (index.html and assets/). Empty: the folder `portal` beside
    // the loyalty-server binary, where the build and an install put it.
    std::string static_dir;
  } portal;

  std::string log_level = "info";  // debug, info, warn, error

  // storage.url, or the SQLite file in data_dir when it is empty.
  std::string StoreDatabaseUrl() const;
  // portal.static_dir, or the folder `portal` beside the running binary.
  std::string PortalStaticDir() const;
};

// Builds the configuration from all its sources. `args` holds the parsed flags.
Result<Config> LoadConfig(const Args& args);

}  // namespace loyalty::server
