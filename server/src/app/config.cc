#include "app/config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "loyalty/codec/json_reader.h"
#include "loyalty/core/number.h"
#include "storage/open_store.h"

namespace loyalty::server {
namespace {

template <typename T>
void ReadInt(codec::ObjectReader& reader, const char* key, T& out, std::int64_t min,
             std::int64_t max) {
  if (auto value = reader.OptionalInt(key, min, max)) out = static_cast<T>(*value);
}

void ReadString(codec::ObjectReader& reader, const char* key, std::string& out) {
  if (auto value = reader.OptionalString(key, 4096)) out = *value;
}

void ApplyFile(const nlohmann::json& json, Config& config, codec::FieldErrors& errors) {
  codec::ObjectReader root(json, "", errors);
  ReadString(root, "data_dir", config.data_dir);
  ReadString(root, "listen", config.listen);
  ReadInt(root, "threads", config.threads, 1, 64);
  ReadString(root, "log_level", config.log_level);
  const auto section = [&](const char* name,
                           const std::function<void(codec::ObjectReader&)>& read) {
    if (json.is_object() && json.contains(name)) {
      root.WithObject(name, read);
    } else {
      root.MarkRead(name);
    }
  };
  section("tls", [&](codec::ObjectReader& tls) {
    ReadString(tls, "certificate", config.tls.certificate);
    ReadString(tls, "private_key", config.tls.private_key);
  });
  section("http", [&](codec::ObjectReader& http) {
    ReadInt(http, "body_limit_bytes", config.http.body_limit_bytes, 1024, 64 * 1024 * 1024);
    ReadInt(http, "handshake_timeout_seconds", config.http.handshake_timeout_seconds, 1, 300);
    ReadInt(http, "request_timeout_seconds", config.http.request_timeout_seconds, 1, 600);
    ReadInt(http, "idle_timeout_seconds", config.http.idle_timeout_seconds, 1, 3600);
    ReadInt(http, "drain_timeout_seconds", config.http.drain_timeout_seconds, 1, 600);
  });
  section("storage", [&](codec::ObjectReader& storage) {
    ReadString(storage, "url", config.storage.url);
    ReadInt(storage, "group_commit_max_batch", config.storage.group_commit_max_batch, 1, 10000);
    ReadInt(storage, "group_commit_max_delay_us", config.storage.group_commit_max_delay_us, 0,
            100000);
  });
  section("portal", [&](codec::ObjectReader& portal) {
    ReadString(portal, "static_dir", config.portal.static_dir);
  });
  section("next_visit", [&](codec::ObjectReader& next) {
    ReadInt(next, "percent_off", config.next_visit.percent_off, 1, 100);
    ReadInt(next, "max_discount_minor", config.next_visit.max_discount_minor, 0, 100'000'000);
    ReadInt(next, "valid_days", config.next_visit.valid_days, 1, 366);
    ReadInt(next, "max_live_coupons", config.next_visit.max_live_coupons, 0, 100);
  });
  root.Finish();
}

// Environment variables a deployment sets without a file (systemd units, containers).
Status ApplyEnvironment(Config& config) {
  const auto text = [](const char* name, std::string& out) {
    if (const char* value = std::getenv(name)) out = value;
  };
  text("LOYALTY_DATA_DIR", config.data_dir);
  text("LOYALTY_LISTEN", config.listen);
  text("LOYALTY_LOG_LEVEL", config.log_level);
  text("LOYALTY_TLS_CERT", config.tls.certificate);
  text("LOYALTY_TLS_KEY", config.tls.private_key);
  text("LOYALTY_STORAGE_URL", config.storage.url);
  text("LOYALTY_PORTAL_STATIC_DIR", config.portal.static_dir);
  if (const char* threads = std::getenv("LOYALTY_THREADS")) {
    const auto value = ParseWholeNumber(threads, 64);
    if (!value || *value < 1) {
      return InvalidArgument("LOYALTY_THREADS", "must be a whole number from 1 to 64");
    }
    config.threads = static_cast<int>(*value);
  }
  return {};
}

}  // namespace

std::string Config::StoreDatabaseUrl() const {
  if (!storage.url.empty()) return storage.url;
  return "sqlite://" + (std::filesystem::path(data_dir) / "loyalty.db").string();
}

std::string Config::PortalStaticDir() const {
  if (!portal.static_dir.empty()) return portal.static_dir;
  std::error_code ec;
  const auto binary = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ((ec ? std::filesystem::current_path() : binary.parent_path()) / "portal").string();
}

Result<Config> LoadConfig(const Args& args) {
  Config config;
  std::string path;
  if (auto flag = args.Value("config")) {
    path = *flag;
  } else if (const char* env = std::getenv("LOYALTY_CONFIG")) {
    path = env;
  }
  if (!path.empty()) {
    std::ifstream file(path);
    if (!file) return InvalidArgument("--config", "cannot open " + path);
    std::stringstream text;
    text << file.rdbuf();
    auto json = codec::ParseJson(text.str());
    if (!json.ok()) return InvalidArgument("--config", path + ": " + json.error().message);
    codec::FieldErrors errors;
    ApplyFile(*json, config, errors);
    if (!errors.ok()) {
      return InvalidArgument(errors.error().field, path + ": " + errors.error().message);
    }
  }
  if (auto status = ApplyEnvironment(config); !status.ok()) return status.error();

  if (auto value = args.Value("data-dir")) config.data_dir = *value;
  if (auto value = args.Value("listen")) config.listen = *value;
  if (auto value = args.Value("tls-cert")) config.tls.certificate = *value;
  if (auto value = args.Value("tls-key")) config.tls.private_key = *value;
  if (auto value = args.Value("storage-url")) config.storage.url = *value;
  if (auto value = args.Value("threads")) {
    const auto threads = ParseWholeNumber(*value, 64);
    if (!threads || *threads < 1) {
      return InvalidArgument("--threads", "must be a whole number from 1 to 64");
    }
    config.threads = static_cast<int>(*threads);
  }
  if (config.tls.certificate.empty() != config.tls.private_key.empty()) {
    return InvalidArgument("tls", "a certificate and a private key go together");
  }
  if (auto url = ParseStoreUrl(config.StoreDatabaseUrl(), "storage.url"); !url.ok()) {
    return url.error();
  }
  if (config.log_level != "debug" && config.log_level != "info" && config.log_level != "warn" &&
      config.log_level != "error") {
    return InvalidArgument("log_level", "must be debug, info, warn or error");
  }
  return config;
}

}  // namespace loyalty::server
