//! The key checks lockbox adds on top of the `age` crate: public keys and
//! ephemeral shares of small order, and SSH keys that parse as a supported
//! type but are not valid keys. SECURITY.md lists them.

use age::DecryptError;
use age_core::format::{FileKey, Stanza};
use base64::prelude::{BASE64_STANDARD, BASE64_STANDARD_NO_PAD};
use base64::Engine as _;
use x25519_dalek::{PublicKey, StaticSecret};

use super::RecipientEntry;

/// Why a low-order public key is refused, after "the X25519 key" or "the
/// ssh-ed25519 key".
const LOW_ORDER: &str = "is a point of small order: anyone could open a file sealed to it";

/// Whether X25519 with the point `u` (a public key or an ephemeral share, 32
/// bytes as on the wire) gives the all-zero shared secret, whatever the
/// private key: whether `u` is a point of small order.
///
/// The rule: X25519 with a clamped scalar gives all zero. A clamped scalar
/// (x25519-dalek clamps every scalar, RFC 7748) is a multiple of 8 in
/// [2^254, 2^255). Multiplying by it sends every point whose order divides
/// 8 to the neutral point, whose u is 0: the small-order points of the curve
/// (cofactor 8) and of its twist (cofactor 4). No other point gets there:
/// its order has a large prime factor (l ~ 2^252 on the curve, l' ~ 2^253
/// on the twist) that would have to divide the scalar, and no multiple of 8
/// below 2^255 is a multiple of 8l or 8l'. So one fixed clamped scalar
/// decides for every private key. (An unclamped scalar would not: 1 times
/// a point of order 4 is not zero.) X25519 ignores the top bit and reduces
/// u modulo p, so the non-canonical spellings (p, p+1, p-1, the top bit
/// set) are caught with the canonical ones; the unit tests go through
/// libsodium's list of all 14.
pub(crate) fn x25519_is_low_order(u: &[u8; 32]) -> bool {
    // Any fixed value will do: the ladder clamps it.
    let scalar = StaticSecret::from([1u8; 32]);
    !scalar
        .diffie_hellman(&PublicKey::from(*u))
        .was_contributory()
}

/// Refuses a recipient the `age` crate parsed but that no one holds the
/// private key of: a low-order X25519 or ssh-ed25519 key (sealing to it
/// gives a shared secret anyone can compute; for X25519 the age crate
/// panics). Post-quantum recipients check their X25519 half when they are
/// parsed (`pq::Recipient::from_str`); plugins check their own.
pub(crate) fn check_recipient(entry: &RecipientEntry) -> Result<(), String> {
    match entry {
        RecipientEntry::X25519(r) => {
            if x25519_is_low_order(&x25519_bytes(r)) {
                return Err(format!("the X25519 key {LOW_ORDER}"));
            }
        }
        RecipientEntry::Ssh(age::ssh::Recipient::SshEd25519(_, point)) => {
            // The age crate decompressed the encoding (refusing those that
            // are no point), accepting non-canonical ones; the point is
            // what counts. A small-order Edwards point maps to a
            // small-order u (the Montgomery form age does X25519 with),
            // and only those do.
            if point.is_small_order() {
                return Err(format!("the ssh-ed25519 key {LOW_ORDER}"));
            }
        }
        RecipientEntry::Ssh(age::ssh::Recipient::SshRsa(..))
        | RecipientEntry::Pq(_)
        | RecipientEntry::Plugin(_) => {}
    }
    Ok(())
}

/// The 32 bytes of an X25519 recipient (the age crate keeps them private;
/// its string is the Bech32 of them).
fn x25519_bytes(r: &age::x25519::Recipient) -> [u8; 32] {
    age_core::primitives::bech32_decode(
        &r.to_string(),
        |_| (),
        |_| Ok(()),
        |_, bytes| bytes.collect::<Vec<u8>>().try_into().map_err(|_| ()),
    )
    // The age crate printed it from exactly 32 bytes.
    .unwrap_or([0; 32])
}

/// Says what is wrong with an `ssh-rsa` or `ssh-ed25519` public key that
/// the `age` crate refused as an unsupported key type (it does so for any
/// key whose type it knows but cannot use), or `None` when the key is not
/// of those types.
pub(crate) fn explain_ssh_key(s: &str) -> Option<String> {
    let mut words = s.split_whitespace();
    let kind = words.next()?;
    let b64 = words.next()?;
    let blob = BASE64_STANDARD
        .decode(b64)
        .or_else(|_| BASE64_STANDARD_NO_PAD.decode(b64))
        .ok()?;
    let mut rest = blob.as_slice();
    if ssh_string(&mut rest)? != kind.as_bytes() {
        return None;
    }
    match kind {
        "ssh-rsa" => {
            Some(explain_rsa(&mut rest).unwrap_or_else(|| "the ssh-rsa key is malformed".into()))
        }
        "ssh-ed25519" => Some(match ssh_string(&mut rest) {
            Some(key) if key.len() == 32 => {
                "the ssh-ed25519 key is not a point on the Ed25519 curve".into()
            }
            Some(key) => format!("the ssh-ed25519 key is {} bytes long, not 32", key.len()),
            None => "the ssh-ed25519 key is malformed".into(),
        }),
        _ => None,
    }
}

/// The reason an `ssh-rsa` key (after its type) is not a valid RSA key, in
/// the order the `rsa` crate checks, or `None` when it is not found.
fn explain_rsa(rest: &mut &[u8]) -> Option<String> {
    let e = trim_mpint(ssh_string(rest)?);
    let n = trim_mpint(ssh_string(rest)?);
    let exponent = match e {
        [] => Some(0),
        _ if e.len() <= 8 => Some(e.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b))),
        _ => None,
    };
    let even = |v: &[u8]| v.last().is_none_or(|b| b % 2 == 0);
    Some(match exponent {
        None => "the ssh-rsa key's public exponent is too large for lockbox".into(),
        Some(_) if even(n) => "the ssh-rsa key has an even modulus: it is not a valid RSA key".into(),
        Some(_) if (e.len(), e) >= (n.len(), n) => {
            "the ssh-rsa key's public exponent is not smaller than its modulus: it is not a valid RSA key".into()
        }
        Some(x) if x < 3 || x % 2 == 0 => {
            format!("ssh-rsa key with public exponent {x} is not a valid RSA key")
        }
        Some(x) if x > (1 << 33) - 1 => {
            format!("the ssh-rsa key's public exponent {x} is too large for lockbox")
        }
        Some(_) => return None,
    })
}

/// Why an ssh-rsa key with a number made only of zero bytes is refused.
const NON_CANONICAL_ZERO: &str =
    "the ssh-rsa key is malformed: one of its numbers is a non-canonical zero";

/// Refuses an `ssh-rsa` recipient string the `age` crate's parser would
/// panic on: age 0.12.1 reads an SSH `mpint` made only of zero bytes (a
/// non-canonical zero; zero is the empty string) past its end ("index out
/// of bounds", found by the `recipients` fuzz target). The key text is
/// decoded as the age crate does (the Base64 alphabet after `ssh-rsa `,
/// unpadded), so whatever it would read, this reads first.
pub(crate) fn check_ssh_rsa_recipient(s: &str) -> Result<(), String> {
    let Some(rest) = s.strip_prefix("ssh-rsa ") else {
        return Ok(());
    };
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '/'))
        .unwrap_or(rest.len());
    match BASE64_STANDARD_NO_PAD.decode(&rest[..end]) {
        Ok(blob) if !ssh_public_blob_ok(&blob) => Err(NON_CANONICAL_ZERO.into()),
        // What does not decode, the age crate refuses without reading it.
        _ => Ok(()),
    }
}

/// Refuses an OpenSSH private key (`-----BEGIN OPENSSH PRIVATE KEY-----`)
/// the `age` crate's parser would panic on (see
/// [`check_ssh_rsa_recipient`]): its public key, and its private key when
/// it is not encrypted. (An encrypted one is parsed by the age crate after
/// it is decrypted with its passphrase, where lockbox cannot look.)
pub(crate) fn check_openssh_private_key(text: &str) -> Result<(), String> {
    const BEGIN: &str = "-----BEGIN OPENSSH PRIVATE KEY-----";
    fn line_end(t: &str) -> Option<&str> {
        t.strip_prefix("\r\n").or_else(|| t.strip_prefix('\n'))
    }
    let Some(mut rest) = text.strip_prefix(BEGIN).and_then(line_end) else {
        return Ok(());
    };
    // The Base64 lines as the age crate reads them: runs of its alphabet
    // separated by single line endings, joined. It parses what they hold
    // before it looks for the END line, so this does not look for it either.
    let is_b64 = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=');
    let mut b64 = String::new();
    loop {
        let end = rest.find(|c| !is_b64(c)).unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        b64.push_str(&rest[..end]);
        rest = &rest[end..];
        match line_end(rest) {
            Some(next) if next.starts_with(is_b64) => rest = next,
            _ => break,
        }
    }
    let Ok(data) = BASE64_STANDARD.decode(b64) else {
        return Ok(());
    };
    let Some(mut rest) = data.strip_prefix(b"openssh-key-v1\0".as_slice()) else {
        return Ok(());
    };
    let header = (|| {
        let cipher = ssh_string(&mut rest)?;
        ssh_string(&mut rest)?; // kdf
        ssh_string(&mut rest)?; // kdf options
        rest = rest.get(4..)?; // number of keys
        let public = ssh_string(&mut rest)?;
        let private = ssh_string(&mut rest)?;
        Some((cipher, public, private))
    })();
    let Some((cipher, public, private)) = header else {
        return Ok(());
    };
    let mut private = private.get(8..).unwrap_or_default(); // the check integers
    let private_ok = cipher != b"none"
        || ssh_string(&mut private) != Some(b"ssh-rsa".as_slice())
        || numbers_ok(&mut private, 6);
    if ssh_public_blob_ok(public) && private_ok {
        Ok(())
    } else {
        Err(NON_CANONICAL_ZERO.into())
    }
}

/// Whether an SSH public key blob is safe to hand to the age crate: for
/// `ssh-rsa`, neither number is a non-canonical zero.
fn ssh_public_blob_ok(blob: &[u8]) -> bool {
    let mut rest = blob;
    ssh_string(&mut rest) != Some(b"ssh-rsa".as_slice()) || numbers_ok(&mut rest, 2)
}

/// Whether none of the next `count` SSH `mpint`s is a non-canonical zero
/// (one or more zero bytes); the reading stops where the data does.
fn numbers_ok(rest: &mut &[u8], count: usize) -> bool {
    (0..count)
        .map_while(|_| ssh_string(rest))
        .all(|m| m.is_empty() || m.iter().any(|b| *b != 0))
}

/// Reads one SSH wire `string` (u32 length, bytes).
fn ssh_string<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    let len = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
    let s = rest.get(4..4 + len)?;
    *rest = &rest[4 + len..];
    Some(s)
}

/// An SSH `mpint` without its leading zero bytes (big-endian magnitude).
fn trim_mpint(v: &[u8]) -> &[u8] {
    let start = v.iter().position(|b| *b != 0).unwrap_or(v.len());
    &v[start..]
}

/// An SSH identity for `open`, refusing what the `age` crate accepts: an
/// `ssh-ed25519` stanza addressed to this key whose ephemeral share is of
/// small order (the shared secret is all zero; no honest sender makes one).
/// As Go age, the check is for stanzas whose key tag is this key's; the
/// age crate does the same for X25519 stanzas, and lockbox's post-quantum
/// identity for its own.
pub(crate) fn ssh_identity<C: age::Callbacks>(
    id: age::ssh::Identity,
    callbacks: C,
) -> Box<dyn age::Identity> {
    let ed25519_tag = match age::ssh::Recipient::try_from(id.clone()) {
        Ok(age::ssh::Recipient::SshEd25519(ssh_key, _)) => {
            use sha2::Digest as _;
            Some(BASE64_STANDARD_NO_PAD.encode(&sha2::Sha256::digest(&ssh_key)[..4]))
        }
        _ => None,
    };
    Box::new(SshIdentity {
        ed25519_tag,
        inner: Box::new(id.with_callbacks(callbacks)),
    })
}

struct SshIdentity {
    /// The stanza key tag of an ssh-ed25519 key.
    ed25519_tag: Option<String>,
    inner: Box<dyn age::Identity>,
}

impl age::Identity for SshIdentity {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey, DecryptError>> {
        if let (Some(tag), "ssh-ed25519", [arg_tag, share]) = (
            &self.ed25519_tag,
            stanza.tag.as_str(),
            stanza.args.as_slice(),
        ) {
            let share = BASE64_STANDARD_NO_PAD
                .decode(share)
                .ok()
                .and_then(|s| <[u8; 32]>::try_from(s).ok());
            if arg_tag == tag && share.is_some_and(|s| x25519_is_low_order(&s)) {
                return Some(Err(DecryptError::InvalidHeader));
            }
        }
        self.inner.unwrap_stanza(stanza)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// libsodium's X25519 blocklist (`has_small_order` in
    /// crypto_scalarmult/curve25519/ref10), as it compares: the 7 values
    /// below, each also with the top bit set. These are all the spellings
    /// of small-order points: the only u below 2^255 that are not reduced
    /// modulo p are p + 0 to p + 18, and of those only p and p + 1 are of
    /// small order.
    const X25519_LOW_ORDER: [&str; 7] = [
        // 0 (order 4)
        "0000000000000000000000000000000000000000000000000000000000000000",
        // 1 (order 1)
        "0100000000000000000000000000000000000000000000000000000000000000",
        // order 8
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        // order 8
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        // p - 1 (order 2)
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        // p (= 0)
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        // p + 1 (= 1)
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ];

    fn hex32(s: &str) -> [u8; 32] {
        let v: Vec<u8> = (0..32)
            .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        v.try_into().unwrap()
    }

    #[test]
    fn every_low_order_x25519_point_is_caught() {
        for s in X25519_LOW_ORDER {
            let mut u = hex32(s);
            assert!(x25519_is_low_order(&u), "{s}");
            u[31] |= 0x80;
            assert!(x25519_is_low_order(&u), "{s} with the top bit");
        }
    }

    #[test]
    fn real_keys_are_not_low_order() {
        for _ in 0..64 {
            let id = age::x25519::Identity::generate();
            assert!(!x25519_is_low_order(&x25519_bytes(&id.to_public())));
        }
        // The base point, 9, and a point of the twist, 2.
        let mut u = [0u8; 32];
        u[0] = 9;
        assert!(!x25519_is_low_order(&u));
        u[0] = 2;
        assert!(!x25519_is_low_order(&u));
    }

    #[test]
    fn rsa_reasons() {
        let key = |e: &[u8], n: &[u8]| {
            let mut blob = Vec::new();
            for part in [b"ssh-rsa".as_slice(), e, n] {
                blob.extend((part.len() as u32).to_be_bytes());
                blob.extend(part);
            }
            format!("ssh-rsa {}", BASE64_STANDARD.encode(blob))
        };
        let n = [&[0u8][..], &[0xc5; 256][..]].concat();
        let why = |e: &[u8]| explain_ssh_key(&key(e, &n)).unwrap();
        assert_eq!(
            why(&[1]),
            "ssh-rsa key with public exponent 1 is not a valid RSA key"
        );
        assert_eq!(
            why(&[2]),
            "ssh-rsa key with public exponent 2 is not a valid RSA key"
        );
        assert_eq!(
            why(&[]),
            "ssh-rsa key with public exponent 0 is not a valid RSA key"
        );
        assert!(why(&[4]).contains("exponent 4"));
        assert!(why(&[0xff; 9]).contains("too large"));
        assert_eq!(
            explain_ssh_key(&key(&[1, 0, 1], &n)).unwrap(),
            "the ssh-rsa key is malformed"
        );
        assert!(explain_ssh_key(&key(&[3], &[0xc4; 256]))
            .unwrap()
            .contains("even modulus"));
        assert!(explain_ssh_key("ssh-rsa !!!").is_none());
        assert!(explain_ssh_key("ssh-dss AAAAB3NzaC1kc3M=").is_none());
    }
}
