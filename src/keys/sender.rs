//! The X25519 keys that sender seals (issue 12, `format::sender`) use,
//! taken from identities and recipients: who can seal, who can verify.
//!
//! Native X25519 keys are used as they are; a post-quantum (mlkem768x25519)
//! key contributes its X25519 half, derived once in `keys::pq`. SSH and
//! plugin keys have no X25519 secret or share here: they can open a sealed
//! file but neither seal nor verify a sender.

use age::secrecy::ExposeSecret as _;
use age_core::primitives::bech32_decode;
use zeroize::Zeroizing;

use super::{IdentityEntry, RecipientEntry};
use crate::format::sender::X25519Key;

/// The X25519 key of an identity that can seal and verify sender seals:
/// an `AGE-SECRET-KEY-1` identity (its 32 bytes) or an
/// `AGE-SECRET-KEY-PQ-1` one (seed_T). `None` for SSH and plugin
/// identities.
pub(crate) fn identity_key(entry: &IdentityEntry) -> Option<X25519Key> {
    match entry {
        IdentityEntry::X25519(i) => Some(x25519_identity_key(i)),
        IdentityEntry::Pq(i) => Some(i.x25519_key()),
        IdentityEntry::Ssh(_) | IdentityEntry::Plugin(_) => None,
    }
}

/// The X25519 key of an `AGE-SECRET-KEY-1` identity: a = its 32 bytes.
///
/// The `age` crate does not hand out the bytes, so they are decoded from
/// the identity's own Bech32 string; every copy is zeroized.
pub(crate) fn x25519_identity_key(identity: &age::x25519::Identity) -> X25519Key {
    let encoded = identity.to_string();
    let secret: Zeroizing<[u8; 32]> = bech32_decode(
        encoded.expose_secret(),
        |_| (),
        |_| Ok(()),
        |_, bytes| {
            let data = Zeroizing::new(bytes.collect::<Vec<u8>>());
            let mut secret = Zeroizing::new([0u8; 32]);
            if data.len() != secret.len() {
                return Err(());
            }
            secret.copy_from_slice(&data);
            Ok(secret)
        },
    )
    .expect("an X25519 identity encodes its 32-byte secret in Bech32");
    X25519Key::from_bytes(&secret)
}

/// B_i of a recipient that can verify a sender seal: an `age1...`
/// recipient's 32 bytes, or the last 32 bytes (ek_T) of an `age1pq1...`
/// one. `None` for SSH and plugin recipients, which get no MAC.
pub(crate) fn recipient_key(entry: &RecipientEntry) -> Option<[u8; 32]> {
    match entry {
        RecipientEntry::X25519(r) => Some(x25519_recipient_key(r)),
        RecipientEntry::Pq(r) => Some(r.x25519_public()),
        RecipientEntry::Ssh(_) | RecipientEntry::Plugin(_) => None,
    }
}

/// The 32 bytes of an `age1...` recipient, decoded from its Bech32 string
/// (the `age` crate does not hand them out).
pub(crate) fn x25519_recipient_key(recipient: &age::x25519::Recipient) -> [u8; 32] {
    bech32_decode(
        &recipient.to_string(),
        |_| (),
        |_| Ok(()),
        |_, bytes| <[u8; 32]>::try_from(bytes.collect::<Vec<u8>>()).map_err(|_| ()),
    )
    .expect("an X25519 recipient encodes its 32-byte key in Bech32")
}

/// The `age1...` recipient string of an X25519 public key (a sender's A).
pub(crate) fn x25519_recipient_string(key: &[u8; 32]) -> String {
    bech32::encode::<bech32::Bech32>(bech32::Hrp::parse_unchecked("age"), key)
        .expect("32 bytes fit in a Bech32 string")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{parse_recipient, pq};

    #[test]
    fn an_identity_s_key_is_its_recipient_s_key() {
        let x = age::x25519::Identity::generate();
        let recipient = parse_recipient(&x.to_public().to_string()).unwrap();
        assert_eq!(
            identity_key(&IdentityEntry::X25519(x)).unwrap().public(),
            recipient_key(&recipient).unwrap()
        );

        let q = pq::Identity::generate();
        let recipient = parse_recipient(&q.to_recipient().to_string()).unwrap();
        assert_eq!(
            identity_key(&IdentityEntry::Pq(q)).unwrap().public(),
            recipient_key(&recipient).unwrap()
        );
    }

    #[test]
    fn the_x25519_secret_is_the_identity_s_32_bytes() {
        // The X25519 identity of most CCTV age vectors, and its 32 bytes
        // decoded here: a = those bytes, A = X25519(a, 9).
        let s = "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0";
        let id: age::x25519::Identity = s.parse().unwrap();
        let bytes: [u8; 32] = bech32_decode(
            s,
            |_| (),
            |_| Ok(()),
            |_, b| Ok::<_, ()>(b.collect::<Vec<u8>>()),
        )
        .unwrap()
        .try_into()
        .unwrap();
        assert_eq!(
            x25519_identity_key(&id).public(),
            X25519Key::from_bytes(&bytes).public()
        );
        assert_eq!(
            x25519_identity_key(&id).public(),
            x25519_dalek::x25519(bytes, x25519_dalek::X25519_BASEPOINT_BYTES)
        );
    }

    #[test]
    fn ssh_recipients_cannot_verify() {
        let ssh = parse_recipient(
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN",
        )
        .unwrap();
        assert!(recipient_key(&ssh).is_none());
    }
}
