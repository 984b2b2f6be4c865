//! Serves a sample-site directory (a test fixture) on 127.0.0.1 until interrupted:
//! `cargo run --example serve -- tests/fixtures/freemium`.
fn main() -> anyhow::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "tests/fixtures/freemium".into());
    let server = plg_audit::demo::server::ProductServer::serve_dir(std::path::Path::new(&dir))?;
    println!("{} at {}", server.name(), server.url());
    // Serve until the process is interrupted.
    loop {
        std::thread::park();
    }
}
