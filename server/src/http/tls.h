// TLS for the server: TLS 1.2 or newer only, with a certificate from the config or, on
// first start without one, a self-signed certificate made in the data directory.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <string>

namespace loyalty::server::http {

struct CertificatePaths {
  std::string certificate;  // PEM chain
  std::string private_key;  // PEM, mode 0600
};

// Returns the paths of tls/server.crt and tls/server.key under data_dir, creating a
// self-signed ECDSA P-256 certificate for localhost, 127.0.0.1 and ::1 (valid 825 days,
// the most browsers accept) when they do not exist yet. Throws on failure.
CertificatePaths EnsureSelfSignedCertificate(const std::string& data_dir);

// A server context with the certificate loaded; throws with the file named on failure.
boost::asio::ssl::context MakeServerContext(const CertificatePaths& paths);

}  // namespace loyalty::server::http
