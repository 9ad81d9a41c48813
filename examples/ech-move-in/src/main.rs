//! `ech-move-in`: an eCH-0020 v3 move-in sent to the canton over the sedex simulator.
//!
//! ```sh
//! cargo run -p ech-move-in
//! ```
//!
//! Builds the `delivery` (eCH-0058 v5 header, `moveIn` of one invented person) in the generated
//! types of `egov_ech::ech0020::v3`, checks it by writing it and reading it back, sends it from
//! the municipality `T1-261-1` to the canton `T2-ZH-1` through the egov-sedex simulator (folders
//! below `ech-move-in-data/`) and prints the receipt status. See README.md.

use std::io::Write as _;
use std::process::ExitCode;

use ech_move_in::{MoveIn, run};

fn main() -> ExitCode {
    let result =
        MoveIn::example().and_then(|m| run(&m, std::path::Path::new("ech-move-in-data"), chrono::Utc::now()));
    match result {
        Ok(sent) => {
            let _ = writeln!(
                std::io::stdout(),
                "eCH-0020 moveIn sent, message {}: receipt {} – {}",
                sent.message_id,
                sent.receipt_code
                    .map_or_else(|| "-".to_owned(), |c| c.to_string()),
                sent.receipt
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {e}");
            ExitCode::FAILURE
        }
    }
}
