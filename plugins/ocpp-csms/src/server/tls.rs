//! TLS for security profile 2: rustls with the ring provider, TLS 1.2 and 1.3 only.
//!
//! Emulated rigs get a CA and a server certificate generated at start-up (the CA certificate is
//! written as PEM for the charge point to trust); benches name a certificate chain and key file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;

use plugin_api::PluginError;

/// The TLS server configuration and, when generated, where the CA certificate was written.
pub struct TlsSetup {
    pub config: Arc<ServerConfig>,
    pub ca_cert_path: Option<PathBuf>,
}

/// Loads the chain and key from PEM files (benches).
pub fn from_files(cert: &Path, key: &Path) -> Result<TlsSetup, PluginError> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| PluginError::new(format!("csms tls_cert {}: {e}", cert.display())))?;
    if chain.is_empty() {
        return Err(PluginError::new(format!(
            "csms tls_cert {}: no certificate in the file",
            cert.display()
        )));
    }
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| PluginError::new(format!("csms tls_key {}: {e}", key.display())))?;
    Ok(TlsSetup {
        config: server_config(chain, key)?,
        ca_cert_path: None,
    })
}

/// Generates a CA and a server certificate for `hostnames` and writes the CA PEM to `ca_out`.
pub fn generated(hostnames: &[String], ca_out: &Path) -> Result<TlsSetup, PluginError> {
    let err = |e: rcgen::Error| PluginError::new(format!("csms certificate generation: {e}"));
    let ca_key = KeyPair::generate().map_err(err)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "ocpp-csms test CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).map_err(err)?;

    let server_key = KeyPair::generate().map_err(err)?;
    let mut params = CertificateParams::new(hostnames.to_vec()).map_err(err)?;
    params.distinguished_name.push(
        DnType::CommonName,
        hostnames
            .first()
            .cloned()
            .unwrap_or_else(|| "localhost".into()),
    );
    let server_cert = params.signed_by(&server_key, &ca).map_err(err)?;

    std::fs::write(ca_out, ca.pem()).map_err(|e| {
        PluginError::new(format!(
            "csms ca_cert_out {}: cannot write the CA certificate: {e}",
            ca_out.display()
        ))
    })?;
    let chain = vec![server_cert.der().clone()];
    let key = PrivateKeyDer::try_from(server_key.serialize_der())
        .map_err(|e| PluginError::new(format!("csms generated key: {e}")))?;
    Ok(TlsSetup {
        config: server_config(chain, key)?,
        ca_cert_path: Some(ca_out.to_path_buf()),
    })
}

fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<ServerConfig>, PluginError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = ServerConfig::builder_with_provider(provider)
        // TLS 1.0/1.1 are not offered at all: the whitepaper requires at least 1.2.
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| PluginError::new(format!("csms tls: {e}")))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| PluginError::new(format!("csms tls certificate/key: {e}")))?;
    Ok(Arc::new(cfg))
}
