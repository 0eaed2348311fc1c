//! A fresh self-signed certificate for the portal's host names at every start,
//! and the base64 SHA-256 of its SubjectPublicKeyInfo: the value Chromium's
//! `--ignore-certificate-errors-spki-list` takes, so the browser trusts this
//! one certificate and nothing else.

use base64::Engine;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};
use std::sync::Arc;

pub const HOSTS: &[&str] = &[
    "security.microsoft.com",
    "mto.security.microsoft.com",
    "login.microsoftonline.com",
    "localhost",
];

pub struct Identity {
    pub config: Arc<rustls::ServerConfig>,
    pub cert_der: Vec<u8>,
    pub spki_b64: String,
}

pub fn identity() -> Result<Identity, String> {
    let names: Vec<String> = HOSTS
        .iter()
        .map(|s| s.to_string())
        .chain(["127.0.0.1".to_string()])
        .collect();
    let ck = rcgen::generate_simple_self_signed(names).map_err(|e| format!("certificate: {e}"))?;
    let cert_der = ck.cert.der().to_vec();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(ck.signing_key.serialize_der()));
    let spki = spki_from_cert(&cert_der).ok_or("certificate has no SubjectPublicKeyInfo")?;
    let spki_b64 = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(spki));
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| format!("tls: {e}"))?
    .with_no_client_auth()
    .with_single_cert(vec![CertificateDer::from(cert_der.clone())], key)
    .map_err(|e| format!("tls: {e}"))?;
    // HTTP/1.1 only: a dropped connection mid-body is then one TCP close.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Identity {
        config: Arc::new(config),
        cert_der,
        spki_b64,
    })
}

/// One DER element: (tag, header length, content length).
fn der_element(b: &[u8]) -> Option<(u8, usize, usize)> {
    let tag = *b.first()?;
    let l0 = *b.get(1)? as usize;
    if l0 < 0x80 {
        return Some((tag, 2, l0));
    }
    let n = l0 & 0x7f;
    if n == 0 || n > 4 {
        return None;
    }
    let mut len = 0usize;
    for i in 0..n {
        len = (len << 8) | *b.get(2 + i)? as usize;
    }
    Some((tag, 2 + n, len))
}

/// The SubjectPublicKeyInfo DER inside an X.509 certificate DER
/// (Certificate → tbsCertificate → [version], serial, signature, issuer,
/// validity, subject, subjectPublicKeyInfo).
pub fn spki_from_cert(cert: &[u8]) -> Option<&[u8]> {
    let (_, h, _) = der_element(cert)?;
    let tbs = &cert[h..];
    let (_, th, tlen) = der_element(tbs)?;
    let mut rest = tbs.get(th..th + tlen)?;
    let skip = |rest: &mut &[u8]| -> Option<()> {
        let (_, eh, el) = der_element(rest)?;
        *rest = rest.get(eh + el..)?;
        Some(())
    };
    if rest.first() == Some(&0xa0) {
        skip(&mut rest)?;
    }
    for _ in 0..5 {
        skip(&mut rest)?;
    }
    let (tag, eh, el) = der_element(rest)?;
    if tag != 0x30 {
        return None;
    }
    rest.get(..eh + el)
}

pub fn spki_hash_b64(cert: &[u8]) -> Option<String> {
    spki_from_cert(cert)
        .map(|s| base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::PublicKeyData;

    #[test]
    fn spki_matches_the_key() {
        let ck = rcgen::generate_simple_self_signed(vec!["security.microsoft.com".to_string()])
            .expect("cert");
        let from_cert = spki_from_cert(ck.cert.der()).expect("spki");
        assert_eq!(
            from_cert,
            ck.signing_key.subject_public_key_info().as_slice()
        );
        let id = identity().expect("identity");
        assert_eq!(spki_hash_b64(&id.cert_der), Some(id.spki_b64.clone()));
        assert_eq!(id.spki_b64.len(), 44);
    }
}
