//! `egov sedex` as a user runs it, on temporary folders.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

fn egov(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_egov"))
        .args(args)
        .output()
        .expect("run egov")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn send_simulate_receipts_inbox() {
    let tmp = std::env::temp_dir().join(format!("egov-sedex-cli-{}", std::process::id()));
    let root = tmp.join("sim");
    let payload = tmp.join("report.xml");
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::write(&payload, "<report/>").unwrap();
    let o = egov(&[
        "sedex",
        "simulate",
        "--root",
        s(&root),
        "--participant",
        "T1-261-1",
        "--participant",
        "T2-ZH-1",
        "--once",
    ]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let outbox = root.join("T1-261-1/outbox");
    let o = egov(&[
        "sedex",
        "send",
        s(&payload),
        "--outbox",
        s(&outbox),
        "--sender",
        "1-261-1",
        "--recipient",
        "2-ZH-1",
        "--recipient",
        "T9-X-1",
        "--message-type",
        "99",
        "--test",
    ]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let id = stdout(&o).trim().to_owned();
    assert_eq!(id.len(), 36, "{id}");
    assert!(outbox.join(format!("envl_{id}.xml")).exists());
    assert!(outbox.join(format!("data_{id}.xml")).exists());

    let o = egov(&["sedex", "simulate", "--root", s(&root), "--once"]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let text = stdout(&o);
    assert!(
        text.contains(&format!(
            "{id} T1-261-1 -> T2-ZH-1: 100 message correctly transmitted"
        )),
        "{text}"
    );
    assert!(text.contains("T9-X-1: 301 unknown recipient id"), "{text}");

    // One recipient failed: exit 1.
    let receipts = root.join("T1-261-1/receipts");
    let o = egov(&["sedex", "receipts", s(&receipts), "--json"]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let mut codes: Vec<u64> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_u64().unwrap())
        .collect();
    codes.sort_unstable();
    assert_eq!(codes, [100, 301]);
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .all(|r| r["message_id"] == id.as_str())
    );

    // Only the delivered receipt: exit 0.
    let only_ok = tmp.join("ok-receipts");
    std::fs::create_dir_all(&only_ok).unwrap();
    let file = std::fs::read_dir(&receipts)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("_100.xml"))
        .unwrap();
    std::fs::copy(&file, only_ok.join("r.xml")).unwrap();
    let o = egov(&["sedex", "receipts", s(&only_ok)]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(stdout(&o).contains(": 100 message correctly transmitted"));

    let o = egov(&["sedex", "inbox", s(&root.join("T2-ZH-1/inbox")), "--json"]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["messages"][0]["message_id"], id.as_str());
    assert_eq!(v["messages"][0]["sender"], "T1-261-1");
    assert_eq!(v["messages"][0]["message_type"], 99);
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn send_refuses_bad_input() {
    let tmp = std::env::temp_dir().join(format!("egov-sedex-cli-bad-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let payload = tmp.join("p.xml");
    std::fs::write(&payload, "<p/>").unwrap();
    let outbox = tmp.join("outbox");
    let base = [
        "sedex",
        "send",
        s(&payload),
        "--outbox",
        s(&outbox),
        "--sender",
        "1-261-1",
    ];
    // Bad sedex id: usage error from the parser.
    let o = egov(&[&base[..], &["--recipient", "2_ZH", "--message-type", "1"]].concat());
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    // Response class without reference.
    let o = egov(
        &[
            &base[..],
            &[
                "--recipient",
                "2-ZH-1",
                "--message-type",
                "1",
                "--message-class",
                "1",
            ],
        ]
        .concat(),
    );
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("referenceMessageId"),
        "{o:?}"
    );
    // Duplicate message id.
    let args = [
        &base[..],
        &[
            "--recipient",
            "2-ZH-1",
            "--message-type",
            "1",
            "--message-id",
            "m-1",
        ],
    ]
    .concat();
    assert_eq!(egov(&args).status.code(), Some(0));
    let o = egov(&args);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("already used"),
        "{o:?}"
    );
    std::fs::remove_dir_all(&tmp).unwrap();
}
