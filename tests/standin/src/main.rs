//! `standin`: the local stand-in for security.microsoft.com's Advanced
//! Hunting API. Prints one JSON line (port, SPKI hash, tenant, now) and
//! serves HTTPS on 127.0.0.1 until its lifetime ends or, with
//! `--exit-on-stdin-eof`, its stdin closes.

fn main() {
    let args = match huntkit_standin::config::parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("standin: runtime: {e}");
            std::process::exit(1);
        }
    };
    let result = rt.block_on(huntkit_standin::server::run(args));
    // Blocking tasks (a body still being produced) must not hold the exit.
    rt.shutdown_timeout(std::time::Duration::from_millis(200));
    if let Err(e) = result {
        eprintln!("standin: {e}");
        std::process::exit(1);
    }
}
