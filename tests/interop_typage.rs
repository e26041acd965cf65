//! Interop with typage (npm `age-encryption` 0.3.1, pinned in
//! `tests/typage/package.json`), through `node tests/typage/peer.mjs`: files
//! sealed by one tool open with the other, byte for byte, for post-quantum
//! hybrid (`mlkem768x25519`) and X25519 keys, binary and armored.
//!
//! Needs `node` and `tests/typage/node_modules` (`npm ci` there; `.ci/run`
//! does it). Without them every test returns early with a notice, or fails
//! when `LOCKBOX_REQUIRE_PEERS=1` (CI).

mod common;

use common::typage::typage;
use common::{assert_same, path_str as s};
use common::{bytes, lockbox};

/// Payload sizes: empty, small, and about 3 MiB (48 full 64 KiB chunks and a
/// short last one).
const SIZES: [usize; 3] = [0, 100, 3 * 1024 * 1024 + 5];

/// typage seals to a lockbox recipient, lockbox opens: every size, binary
/// and armored.
fn typage_to_lockbox(pq: bool, stanza_type: &str) {
    let Some(t) = typage() else { return };
    let home = tempfile::tempdir().unwrap();
    let (identity, recipient) = common::keypair(home.path(), "id.txt", pq);
    for armor in [false, true] {
        for (i, &len) in SIZES.iter().enumerate() {
            let what = format!("typage -> lockbox, {stanza_type}, armor={armor}, {len} bytes");
            let plaintext = bytes(len, 100 + i as u64);
            let sealed = t.encrypt(&recipient, armor, &plaintext);
            assert_form(&sealed, armor, stanza_type, &what);
            assert_same(
                &common::open_stdin(home.path(), &identity, &sealed),
                &plaintext,
                &what,
            );
        }
    }
}

/// lockbox seals to a typage recipient, typage opens: every size, binary
/// and armored.
fn lockbox_to_typage(kind: &str, stanza_type: &str) {
    let Some(t) = typage() else { return };
    let home = tempfile::tempdir().unwrap();
    let (identity, recipient) = t.keygen(kind);
    for armor in [false, true] {
        for (i, &len) in SIZES.iter().enumerate() {
            let what = format!("lockbox -> typage, {stanza_type}, armor={armor}, {len} bytes");
            let plaintext = bytes(len, 200 + i as u64);
            let sealed = common::seal_stdin(home.path(), &[&recipient], armor, &plaintext);
            assert_form(&sealed, armor, stanza_type, &what);
            assert_same(&t.decrypt(&identity, armor, &sealed), &plaintext, &what);
        }
    }
}

#[test]
fn typage_seals_to_a_lockbox_pq_recipient_and_lockbox_opens() {
    typage_to_lockbox(true, "mlkem768x25519");
}

#[test]
fn lockbox_seals_to_a_typage_hybrid_recipient_and_typage_opens() {
    lockbox_to_typage("keygen-pq", "mlkem768x25519");
}

#[test]
fn typage_seals_to_a_lockbox_x25519_recipient_and_lockbox_opens() {
    typage_to_lockbox(false, "X25519");
}

#[test]
fn lockbox_seals_to_a_typage_x25519_recipient_and_typage_opens() {
    lockbox_to_typage("keygen-x25519", "X25519");
}

#[test]
fn keys_agree_between_typage_and_lockbox() {
    let Some(t) = typage() else { return };
    let home = tempfile::tempdir().unwrap();
    for kind in ["keygen-pq", "keygen-x25519"] {
        let (identity, recipient) = t.keygen(kind);
        let file = home.path().join(format!("{kind}.txt"));
        std::fs::write(&file, format!("{identity}\n")).unwrap();
        let out = lockbox(home.path())
            .args(["keygen", "-y", s(&file)])
            .assert()
            .success();
        let derived = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        assert_eq!(
            derived.trim(),
            recipient,
            "{kind}: lockbox keygen -y on a typage identity"
        );
        // And lockbox opens with typage's identity file directly.
        let plaintext = bytes(300, 5);
        let sealed = t.encrypt(&recipient, false, &plaintext);
        assert_same(
            &common::open_stdin(home.path(), &file, &sealed),
            &plaintext,
            &format!("{kind}: open with a typage identity file"),
        );
    }
}

/// Checks the sealed file's outer form: armored or binary, and (binary only)
/// that its one stanza has the expected type.
fn assert_form(sealed: &[u8], armor: bool, stanza_type: &str, what: &str) {
    if let Some(types) = common::assert_form(sealed, armor, what) {
        assert_eq!(types, vec![stanza_type], "{what}: stanza types");
    }
}
