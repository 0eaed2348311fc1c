//! A minimal HTTPS/1.1 client for the integration tests: it pins the
//! stand-in's certificate by the SPKI hash the server printed (as Chromium
//! does with --ignore-certificate-errors-spki-list), follows no redirects,
//! shows raw headers, and reports when a body was cut short.

#![allow(dead_code)]

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{
    ring, verify_tls12_signature, verify_tls13_signature, WebPkiSupportedAlgorithms,
};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

pub struct Server {
    child: Child,
    _stdin: ChildStdin,
    pub port: u16,
    pub spki: String,
    pub tenant_id: String,
    pub now: String,
}

impl Server {
    pub fn start(extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_standin"))
            .args([
                "--port",
                "0",
                "--exit-on-stdin-eof",
                "--lifetime-secs",
                "600",
            ])
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start standin");
        let stdin = child.stdin.take().expect("stdin");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("first line");
        let v: serde_json::Value = serde_json::from_str(&line).expect("start line is JSON");
        let keys: Vec<&String> = v.as_object().expect("object").keys().collect();
        assert_eq!(keys.len(), 4, "exactly port, spki, tenantId, now: {line}");
        Server {
            port: v["port"].as_u64().expect("port") as u16,
            spki: v["spki"].as_str().expect("spki").to_string(),
            tenant_id: v["tenantId"].as_str().expect("tenantId").to_string(),
            now: v["now"].as_str().expect("now").to_string(),
            child,
            _stdin: stdin,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
struct Pinned {
    spki: String,
    algs: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        ee: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match huntkit_standin::tls::spki_hash_b64(ee) {
            Some(h) if h == self.spki => Ok(ServerCertVerified::assertion()),
            _ => Err(rustls::Error::General(
                "certificate does not match the pinned SPKI".into(),
            )),
        }
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(m, c, d, &self.algs)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(m, c, d, &self.algs)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algs.supported_schemes()
    }
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// False when the connection closed before the announced body ended.
    pub complete: bool,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn headers_named(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body[..self.body.len().min(500)])
            )
        })
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub async fn request(
    s: &Server,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    let provider = ring::default_provider();
    let algs = provider.signature_verification_algorithms;
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Pinned {
            spki: s.spki.clone(),
            algs,
        }))
        .with_no_client_auth();
    let tcp = TcpStream::connect(("127.0.0.1", s.port))
        .await
        .expect("connect");
    let name = ServerName::try_from("security.microsoft.com").expect("name");
    let mut tls = TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .expect("tls handshake");
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: security.microsoft.com\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    tls.write_all(head.as_bytes()).await.expect("write");
    tls.write_all(body).await.expect("write body");
    tls.flush().await.expect("flush");
    let mut raw = Vec::new();
    let mut buf = vec![0u8; 1 << 16];
    // A peer that closes without close_notify surfaces as an error: that is
    // exactly the "connection dropped" case, so stop reading either way.
    while let Ok(n) = tls.read(&mut buf).await {
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    parse(&raw)
}

fn parse(raw: &[u8]) -> Response {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("response head");
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let rest = &raw[end + 4..];
    let get = |n: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.clone())
    };
    if let Some(len) = get("content-length") {
        let len: usize = len.parse().expect("content-length");
        return Response {
            status,
            complete: rest.len() == len,
            body: rest[..rest.len().min(len)].to_vec(),
            headers,
        };
    }
    if get("transfer-encoding").is_some_and(|t| t.contains("chunked")) {
        let mut body = Vec::new();
        let mut i = 0;
        loop {
            let Some(le) = rest[i..].windows(2).position(|w| w == b"\r\n") else {
                return Response {
                    status,
                    headers,
                    body,
                    complete: false,
                };
            };
            let size = usize::from_str_radix(String::from_utf8_lossy(&rest[i..i + le]).trim(), 16)
                .expect("chunk size");
            i += le + 2;
            if size == 0 {
                return Response {
                    status,
                    headers,
                    body,
                    complete: true,
                };
            }
            if i + size > rest.len() {
                body.extend_from_slice(&rest[i..]);
                return Response {
                    status,
                    headers,
                    body,
                    complete: false,
                };
            }
            body.extend_from_slice(&rest[i..i + size]);
            i += size + 2;
        }
    }
    Response {
        status,
        headers,
        body: rest.to_vec(),
        complete: true,
    }
}
