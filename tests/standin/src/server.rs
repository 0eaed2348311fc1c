//! Start-up and the HTTPS accept loop.

use crate::config::Args;
use crate::state::State;
use crate::tenant::{SchemaDoc, Tenant};
use crate::time::{self, TICKS_PER_MIN};
use crate::{routes, tls};
use bytes::Bytes;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::io::{Read, Write};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

pub const STATIC_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/static");

/// Loads the fixtures and builds the tenant and shared state.
pub fn build_state(args: &Args) -> Result<Arc<State>, String> {
    let path = args.fixtures.join("schema_current.json");
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let doc: SchemaDoc =
        serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    let now = match &args.now {
        Some(s) => time::parse(s).ok_or_else(|| format!("--now: not an RFC 3339 time: {s}"))?,
        None => {
            let w = time::wall_now();
            w - w.rem_euclid(TICKS_PER_MIN)
        }
    };
    let tenant = Tenant::new(args.seed, now, &doc);
    Ok(Arc::new(State {
        tenant: RwLock::new(Arc::new(tenant)),
        schema_bytes: RwLock::new(Bytes::from(bytes)),
        settings: Mutex::new(args.settings.clone()),
        sessions: Mutex::default(),
        faults: Mutex::default(),
        calls: Mutex::default(),
        cpu: Mutex::default(),
        log: Mutex::default(),
        history: Mutex::default(),
        reports: Mutex::default(),
        fixtures: args.fixtures.clone(),
        static_dir: STATIC_DIR.into(),
    }))
}

pub async fn run(args: Args) -> Result<(), String> {
    let st = build_state(&args)?;
    let id = tls::identity()?;
    let listener = TcpListener::bind(("127.0.0.1", args.port))
        .await
        .map_err(|e| format!("bind: {e}"))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let tenant = st.tenant();
    let line = serde_json::json!({"port": port, "spki": id.spki_b64, "tenantId": tenant.tenant_id, "now": tenant.now_text()});
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{line}").map_err(|e| e.to_string())?;
        out.flush().map_err(|e| e.to_string())?;
    }

    let (stop_tx, mut stop_rx) = tokio::sync::mpsc::channel::<&'static str>(2);
    if args.exit_on_stdin_eof {
        let tx = stop_tx.clone();
        // A plain thread: tokio's stdin would keep a blocking task alive.
        std::thread::spawn(move || {
            let mut sink = [0u8; 1024];
            let mut stdin = std::io::stdin();
            while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
            let _ = tx.blocking_send("stdin closed");
        });
    }
    let lifetime = Duration::from_secs(args.lifetime_secs);
    let acceptor = TlsAcceptor::from(id.config.clone());
    let accept_loop = async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let _ = tcp.set_nodelay(true);
            let acceptor = acceptor.clone();
            let st = st.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let svc = service_fn(move |req| routes::handle(st.clone(), req));
                // Connection errors (client gone, drop_mid_body) end only
                // this connection.
                let _ = http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(tls), svc)
                    .await;
            });
        }
    };
    let why = tokio::select! {
        _ = accept_loop => "listener ended",
        _ = tokio::time::sleep(lifetime) => "lifetime over",
        r = stop_rx.recv() => r.unwrap_or("stop"),
    };
    eprintln!("standin: stopping ({why})");
    Ok(())
}
