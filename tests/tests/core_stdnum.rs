//! egov-core's check digits against python-stdnum on the same thousands of values: valid ones
//! our builders make, and copies with one character changed or two swapped.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write as _;
use std::process::{Command, Stdio};

use egov_core::{Ahvn13, CreditorReference, Iban, QrReference, Uid, UidCategory};

/// A small deterministic generator (xorshift64*), so that a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + u8::try_from(self.below(10)).unwrap()))
            .collect()
    }
}

/// The value with one digit changed, or two neighbours swapped, somewhere after `keep` chars.
fn corrupt(rng: &mut Rng, value: &str, keep: usize) -> String {
    let mut b = value.as_bytes().to_vec();
    let i = keep + usize::try_from(rng.below((b.len() - keep) as u64)).unwrap();
    if rng.below(2) == 0 && i + 1 < b.len() {
        b.swap(i, i + 1);
    } else if b[i].is_ascii_digit() {
        b[i] = b'0' + (b[i] - b'0' + 1 + u8::try_from(rng.below(9)).unwrap()) % 10;
    } else {
        b[i] = if b[i] == b'Z' { b'A' } else { b[i] + 1 };
    }
    String::from_utf8(b).unwrap()
}

fn cases() -> Vec<(&'static str, String)> {
    let mut rng = Rng(0x00dd_ba11_5eed);
    let mut out = Vec::new();
    for _ in 0..2000 {
        let ahv = Ahvn13::with_check_digit(756_000_000_000 + rng.below(1_000_000_000))
            .unwrap()
            .canonical();
        out.push(("ahv", corrupt(&mut rng, &ahv, 3)));
        out.push(("ahv", ahv));

        let eight = u32::try_from(rng.below(100_000_000)).unwrap();
        if let Some(uid) = Uid::with_check_digit(UidCategory::Che, eight) {
            let compact = format!("CHE{:09}", uid.number());
            out.push(("uid", corrupt(&mut rng, &compact, 3)));
            out.push(("uid", compact));
        }

        if let Ok(qrr) = QrReference::from_number(&rng.digits(26)) {
            out.push(("qrr", corrupt(&mut rng, qrr.as_str(), 0)));
            out.push(("qrr", qrr.canonical()));
        }

        let body: String = (0..1 + rng.below(21))
            .map(|_| {
                char::from_digit(u32::try_from(rng.below(36)).unwrap(), 36)
                    .unwrap()
                    .to_ascii_uppercase()
            })
            .collect();
        let scor = CreditorReference::from_body(&body).unwrap().canonical();
        out.push(("scor", corrupt(&mut rng, &scor, 4)));
        out.push(("scor", scor));

        // A Swiss IBAN: IID and account number random, check digits computed by trying all 100.
        let bban = rng.digits(17);
        let iban = (0..100)
            .map(|cd| format!("CH{cd:02}{bban}"))
            .find(|s| s.parse::<Iban>().is_ok())
            .unwrap();
        out.push(("iban", corrupt(&mut rng, &iban, 2)));
        out.push(("iban", iban));
    }
    out
}

fn ours(kind: &str, value: &str) -> bool {
    match kind {
        "ahv" => value.parse::<Ahvn13>().is_ok(),
        "uid" => value.parse::<Uid>().is_ok(),
        "qrr" => value.parse::<QrReference>().is_ok(),
        "scor" => value.parse::<CreditorReference>().is_ok(),
        "iban" => value.parse::<Iban>().is_ok(),
        _ => unreachable!(),
    }
}

#[test]
#[ignore = "interop: needs python-stdnum; run tests/run-interop.sh"]
fn check_digits_agree_with_python_stdnum() {
    let python = std::env::var("EGOV_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/peers/stdnum_check.py");
    let cases = cases();
    let mut child = Command::new(&python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {python}: {e}; run tests/run-interop.sh"));
    let mut input = String::new();
    for (kind, value) in &cases {
        input.push_str(&format!("{kind}\t{value}\n"));
    }
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        output.status.success(),
        "stdnum peer failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let verdicts: Vec<bool> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| l == "valid")
        .collect();
    assert_eq!(verdicts.len(), cases.len());
    let mut disagreements = Vec::new();
    let mut valid = 0;
    for ((kind, value), theirs) in cases.iter().zip(&verdicts) {
        let mine = ours(kind, value);
        valid += usize::from(mine);
        if mine != *theirs {
            disagreements.push(format!("{kind} {value}: ours {mine}, stdnum {theirs}"));
        }
    }
    println!(
        "{} values compared with python-stdnum, {valid} valid by both",
        cases.len()
    );
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    assert!(
        valid > cases.len() / 3 && valid < cases.len(),
        "the cases must mix valid and invalid values"
    );
}
