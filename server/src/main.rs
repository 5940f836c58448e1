//! `server`: the Liaison binary. Everything it does lives in the library, so tests can start it.

use std::process::ExitCode;

fn main() -> ExitCode {
    server::memory::limit_arenas();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(server::cli::run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // The cause chain, for people; no backtrace, whatever RUST_BACKTRACE says.
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
