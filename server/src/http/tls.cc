#include "http/tls.h"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>

#include "loyalty/core/file.h"
#include "loyalty/core/log.h"

namespace loyalty::server::http {
namespace {

struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

void AddExtension(X509* certificate, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  if (extension == nullptr) throw std::runtime_error("cannot build certificate extension");
  X509_add_ext(certificate, extension, -1);
  X509_EXTENSION_free(extension);
}

// PEM text from one of OpenSSL's PEM_write_bio_* calls, written to a file atomically.
void WritePem(const std::string& path, mode_t mode, const std::function<int(BIO*)>& write) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!bio || write(bio.get()) != 1) throw std::runtime_error("cannot encode " + path);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  if (auto written =
          WriteFileAtomically(path, std::string_view(data, static_cast<std::size_t>(length)), mode);
      !written.ok()) {
    throw std::runtime_error(written.error().message);
  }
}

}  // namespace

CertificatePaths EnsureSelfSignedCertificate(const std::string& data_dir) {
  const std::filesystem::path directory = std::filesystem::path(data_dir) / "tls";
  CertificatePaths paths{(directory / "server.crt").string(), (directory / "server.key").string()};
  if (std::filesystem::exists(paths.certificate) && std::filesystem::exists(paths.private_key)) {
    return paths;
  }
  std::filesystem::create_directories(directory);

  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(EVP_EC_gen("P-256"));
  std::unique_ptr<X509, X509Deleter> certificate(X509_new());
  if (!key || !certificate) throw std::runtime_error("OpenSSL cannot make a key pair");
  X509_set_version(certificate.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7F;  // a positive serial number, as RFC 5280 requires
  BIGNUM* serial_number = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(serial_number, X509_get_serialNumber(certificate.get()));
  BN_free(serial_number);
  X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 825L * 24 * 3600);
  X509_set_pubkey(certificate.get(), key.get());
  X509_NAME* name = X509_get_subject_name(certificate.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Loyalty POS"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(certificate.get(), name);
  AddExtension(certificate.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1");
  AddExtension(certificate.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
  AddExtension(certificate.get(), NID_key_usage, "critical,digitalSignature,keyCertSign");
  AddExtension(certificate.get(), NID_ext_key_usage, "serverAuth");
  AddExtension(certificate.get(), NID_subject_key_identifier, "hash");
  if (X509_sign(certificate.get(), key.get(), EVP_sha256()) == 0) {
    throw std::runtime_error("OpenSSL cannot sign the certificate");
  }
  WritePem(paths.private_key, 0600, [&](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  WritePem(paths.certificate, 0644,
           [&](BIO* bio) { return PEM_write_bio_X509(bio, certificate.get()); });
  log::Info("created self-signed TLS certificate", {{"certificate", paths.certificate}});
  return paths;
}

boost::asio::ssl::context MakeServerContext(const CertificatePaths& paths) {
  namespace ssl = boost::asio::ssl;
  ssl::context context(ssl::context::tls_server);
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                      ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  context.use_certificate_chain_file(paths.certificate, ec);
  if (ec) throw std::runtime_error("TLS certificate " + paths.certificate + ": " + ec.message());
  context.use_private_key_file(paths.private_key, ssl::context::pem, ec);
  if (ec) throw std::runtime_error("TLS private key " + paths.private_key + ": " + ec.message());
  return context;
}

}  // namespace loyalty::server::http
