//! Sender seals, "sealed by" (lockbox-sender/v1, issue 12): the
//! `lockbox-sender` stanza that proves to each recipient who sealed a file.
//!
//! The contract is SENDER-AUTH.md (issue 12); its vectors are in
//! `tests/data/sender-auth/`. This module holds the cryptography only, as
//! pure functions on bytes: the payload digest PD, the header hash HH, the
//! stanza body (built and checked) and the verification of its MACs. It
//! reads no file and knows no terminal; turning identities and recipients
//! into X25519 keys is the keys layer's job (`keys::sender`).
//!
//! # How it plugs in (the next step of issue 12)
//!
//! Nothing calls this yet from `seal` or `open`: the library front door
//! comes first. The pieces are shaped for the one-pass seal and open that
//! issue 12 asks for.
//!
//! Per-chunk hashing in the STREAM workers (`stream.rs`). PD needs
//! SHA-256 of every ciphertext chunk, each independent of the others, so
//! the workers hash a chunk with [`chunk_hash`] beside its AEAD: when
//! sealing, right after `seal_batch` has sealed the chunk in place (hash
//! the `len + TAG` bytes of its slot); when opening, over the ciphertext in
//! the upper half of the slot before or after it is decrypted (ring leaves
//! the ciphertext intact). A `Batch` would carry a `Vec<[u8; 32]>` of
//! hashes, allocated once like `lens`. The thread that writes batches in
//! order then feeds the hashes, in chunk order, to a [`PayloadDigest`]
//! started from the payload nonce; that is a few bytes per 64 KiB, so the
//! ordered part costs nothing. A `PayloadDigest` only ever sees hashes in
//! order: which thread computed them does not matter. If `sha2` on 64 KiB
//! chunks misses the cost target of issue 12, `ring::digest::SHA256`
//! (already a dependency) is the backend to measure; the bytes hashed
//! stay the same.
//!
//! Sealing (`--sign`): wrap the file key ([`super::wrap_file_key`]), then
//! HH = [`header_hash_for_stanzas`] of the recipient stanzas, which is
//! known before the payload. The sender stanza's length is known too
//! ([`body_len`] of the number of eligible recipients), so the whole
//! header's length is known once the file key is wrapped: to `-o`, write
//! the payload at that offset, then the header (the recipient stanzas,
//! then [`seal_stanza`]'s stanza last) at 0; to stdout, spool the
//! ciphertext. The MAC order is the order of the eligible recipients'
//! stanzas (the X25519 and mlkem768x25519 ones).
//!
//! Opening: after [`super::unwrap_file_key`] (file key unwrapped, header
//! MAC checked), [`SenderSeal::open`] does the checks that need no
//! payload (one stanza, last, no arguments, body length, body decryption,
//! low-order sender) so a malformed seal is refused before a byte of
//! payload is read. The payload then goes through the workers, hashing as
//! above, into a temporary (or held back from stdout); [`SenderSeal::verify`]
//! with the PD and the opener's X25519 keys decides; only then is the
//! plaintext released. [`verify`] is the two steps in one call, for
//! callers that already hold the PD.
//!
//! `inspect` can use [`find_stanza`] to say "sealed by someone" and to
//! leave the stanza out of the recipient counts, without any key.
//!
//! # Secrets
//!
//! The X25519 secrets (in [`X25519Key`]), the shared secrets, the derived
//! keys BK and K_i, and the decrypted body are zeroized on drop. (The
//! `hmac` crate's internal state is not, as for the header MAC.)

use std::fmt;

use age_core::format::{FileKey, Stanza};
use age_core::secrecy::ExposeSecret;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::{Choice, ConstantTimeEq};
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use super::header::{self, Header};
use super::stream::NONCE;

/// The tag of the sender stanza.
pub(crate) const STANZA_TAG: &str = "lockbox-sender";
/// Bytes of an X25519 public key (A, B_i) and of one MAC (M_i).
pub(crate) const KEY_LEN: usize = 32;
/// The HKDF info of the body key BK.
const BODY_INFO: &[u8] = b"lockbox-sender/v1 body";
/// The HKDF info of the MAC keys K_i.
const MAC_INFO: &[u8] = b"lockbox-sender/v1 mac";
/// Bytes of one MAC.
const MAC_LEN: usize = 32;
/// Bytes of the Poly1305 tag that ends the body.
const AEAD_TAG: usize = 16;

/// A SHA-256 output: a chunk hash, HH or PD.
pub(crate) type Hash = [u8; 32];

/// The length of a sender stanza body carrying `macs` MACs: 32 + 32k + 16.
///
/// Known as soon as the recipients are, so the header's length is known
/// before the payload is sealed.
pub(crate) fn body_len(macs: usize) -> usize {
    KEY_LEN + MAC_LEN * macs + AEAD_TAG
}

/// SHA-256 of one ciphertext chunk, its 16-byte tag included: what a
/// STREAM worker computes beside the AEAD.
pub(crate) fn chunk_hash(chunk: &[u8]) -> Hash {
    Sha256::digest(chunk).into()
}

/// The payload digest PD = SHA-256(N || SHA-256(C_0) || ... || SHA-256(C_last)),
/// fed one chunk hash at a time, in chunk order.
#[derive(Clone)]
pub(crate) struct PayloadDigest {
    /// SHA-256 over the nonce and the chunk hashes so far.
    hasher: Sha256,
}

impl PayloadDigest {
    /// Starts the digest of a payload whose nonce is `nonce`.
    pub(crate) fn new(nonce: &[u8; NONCE]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(nonce);
        Self { hasher }
    }

    /// Adds the hash of the next chunk ([`chunk_hash`]).
    pub(crate) fn push(&mut self, chunk_hash: &Hash) {
        self.hasher.update(chunk_hash);
    }

    /// Hashes the next chunk and adds it: [`Self::push`] of [`chunk_hash`].
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn push_chunk(&mut self, chunk: &[u8]) {
        self.push(&chunk_hash(chunk));
    }

    /// The digest PD, once the last chunk has been pushed.
    pub(crate) fn finish(self) -> Hash {
        self.hasher.finalize().into()
    }
}

/// HH = SHA-256(HT), HT being the header's bytes from the version line up
/// to, not including, the `-> lockbox-sender` line.
pub(crate) fn header_hash(signed_text: &[u8]) -> Hash {
    Sha256::digest(signed_text).into()
}

/// HH when sealing: over the version line and the recipient `stanzas`
/// encoded exactly as `write_header` will write them before the sender
/// stanza.
pub(crate) fn header_hash_for_stanzas(stanzas: &[Stanza]) -> Hash {
    header_hash(&header::header_text(stanzas))
}

/// An X25519 secret with its public key: the sender's `a` and A when
/// sealing, an opener's `b` and B when verifying.
pub(crate) struct X25519Key {
    /// The secret scalar, zeroized on drop by `x25519-dalek`.
    secret: StaticSecret,
    /// X25519(secret, 9).
    public: PublicKey,
}

impl X25519Key {
    /// A key from the 32 bytes of an X25519 secret (clamped when used, as
    /// X25519 does). The caller zeroizes its own copy of the bytes.
    pub(crate) fn from_bytes(secret: &[u8; 32]) -> Self {
        Self::from_secret(StaticSecret::from(*secret))
    }

    /// A key from an `x25519-dalek` secret: how the keys layer hands over
    /// the X25519 half of a post-quantum identity without copying bytes.
    pub(crate) fn from_secret(secret: StaticSecret) -> Self {
        let public = PublicKey::from(&secret);
        Self { secret, public }
    }

    /// The public key (A for a sender, B for an opener).
    pub(crate) fn public(&self) -> [u8; 32] {
        self.public.to_bytes()
    }

    /// HMAC-SHA256(K, HH || PD), K = HKDF-SHA256(X25519(self, theirs),
    /// salt = A || B, info = `lockbox-sender/v1 mac`); `None` when the
    /// shared secret is all zero (`theirs` is a low-order point).
    fn mac(
        &self,
        theirs: &[u8; 32],
        a: &[u8; 32],
        b: &[u8; 32],
        hh: &Hash,
        pd: &Hash,
    ) -> Option<Hash> {
        let shared = self.secret.diffie_hellman(&PublicKey::from(*theirs));
        if !shared.was_contributory() {
            return None;
        }
        let mut salt = [0u8; 2 * KEY_LEN];
        salt[..KEY_LEN].copy_from_slice(a);
        salt[KEY_LEN..].copy_from_slice(b);
        let mut k = Zeroizing::new([0u8; 32]);
        Hkdf::<Sha256>::new(Some(&salt), shared.as_bytes())
            .expand(MAC_INFO, k.as_mut())
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(k.as_ref()).expect("HMAC takes any key length");
        mac.update(hh);
        mac.update(pd);
        Some(mac.finalize().into_bytes().into())
    }
}

impl fmt::Debug for X25519Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("X25519Key { <secret> }")
    }
}

/// Whether an X25519 public key is a low-order point, for which every
/// shared secret is all zero.
///
/// Every clamped scalar is 8 times a number below both large prime orders
/// (of the curve and of its twist), so X25519(b, P) is all zero for one
/// scalar exactly when it is for all: one fixed scalar answers for any
/// opener's `b` (the same check as `keys::pq` makes on recipients).
fn is_low_order(point: &[u8; 32]) -> bool {
    !StaticSecret::from([1u8; 32])
        .diffie_hellman(&PublicKey::from(*point))
        .was_contributory()
}

/// The body cipher: ChaCha20-Poly1305 under BK = HKDF-SHA256(file key,
/// salt = empty, info = `lockbox-sender/v1 body`), used with the zero
/// nonce once per file key. (An empty HKDF salt is the same as the
/// default one: HMAC pads both to zero bytes.)
fn body_cipher(file_key: &FileKey) -> ChaCha20Poly1305 {
    let mut bk = Zeroizing::new([0u8; 32]);
    Hkdf::<Sha256>::new(None, file_key.expose_secret())
        .expand(BODY_INFO, bk.as_mut())
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    ChaCha20Poly1305::new(Key::from_slice(bk.as_ref()))
}

/// Why a sender seal is invalid: the cases of SENDER-AUTH.md, "Verifying",
/// steps 3 and 5. Each is exit 4, with nothing released.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InvalidSeal {
    /// More than one `lockbox-sender` stanza.
    Doubled,
    /// The `lockbox-sender` stanza is not the last stanza.
    NotLast,
    /// The `lockbox-sender` stanza has arguments.
    Arguments,
    /// The body is not 32 + 32k + 16 bytes with k >= 1.
    BodyLength,
    /// The body does not decrypt under the file key.
    BodyDecrypt,
    /// The sender's key A is a low-order point (X25519(b, A) is all zero).
    LowOrderSender,
    /// No MAC matches for any of the opener's X25519 keys: the file was
    /// altered by a co-recipient, or forwarded.
    NoMatch,
}

impl fmt::Display for InvalidSeal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InvalidSeal::Doubled => "the header has more than one lockbox-sender stanza",
            InvalidSeal::NotLast => "the lockbox-sender stanza is not the last stanza",
            InvalidSeal::Arguments => "the lockbox-sender stanza has arguments",
            InvalidSeal::BodyLength => "the lockbox-sender stanza body has an invalid length",
            InvalidSeal::BodyDecrypt => {
                "the lockbox-sender stanza body does not decrypt under the file key"
            }
            InvalidSeal::LowOrderSender => "the sender's key is a low-order point",
            InvalidSeal::NoMatch => {
                "no MAC matches: the file was altered by someone who could open it, or forwarded"
            }
        })
    }
}

/// What can go wrong with a sender seal, sealing or verifying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SenderError {
    /// The seal is invalid (exit 4, nothing released); says why.
    Invalid(InvalidSeal),
    /// The file carries a seal, but the opener holds no identity with an
    /// X25519 secret (it opened with an SSH key or a plugin): the sender
    /// cannot be verified, and the file counts as unsigned.
    NotVerifiable,
    /// Sealing: no recipient can verify a seal (none is X25519 or
    /// mlkem768x25519), so there would be no MAC (k >= 1 is required).
    NoVerifier,
    /// Sealing: the eligible recipient at this index (0-based, in MAC
    /// order) is a low-order point: its shared secret is all zero.
    LowOrderRecipient {
        /// Index among the eligible recipients.
        index: usize,
    },
}

impl fmt::Display for SenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SenderError::Invalid(why) => write!(f, "invalid sender seal: {why}"),
            SenderError::NotVerifiable => f.write_str(
                "the sender can't be verified: no identity with an X25519 key opened the file",
            ),
            SenderError::NoVerifier => f.write_str(
                "no recipient can verify a sender seal: only X25519 and post-quantum recipients can",
            ),
            SenderError::LowOrderRecipient { index } => write!(
                f,
                "recipient {} of those that verify is a low-order X25519 key",
                index + 1
            ),
        }
    }
}

impl std::error::Error for SenderError {}

impl From<InvalidSeal> for SenderError {
    fn from(why: InvalidSeal) -> Self {
        SenderError::Invalid(why)
    }
}

/// Builds the `lockbox-sender` stanza: the body encrypts A and one MAC per
/// eligible recipient, in the order given (the order of their stanzas).
///
/// `recipients` are the B_i (see `keys::sender::recipient_key`),
/// `header_hash` is HH ([`header_hash_for_stanzas`] of the recipient
/// stanzas), `payload_digest` is PD. Refuses an empty list and a
/// low-order B_i.
pub(crate) fn seal_stanza(
    file_key: &FileKey,
    sender: &X25519Key,
    recipients: &[[u8; 32]],
    header_hash: &Hash,
    payload_digest: &Hash,
) -> Result<Stanza, SenderError> {
    if recipients.is_empty() {
        return Err(SenderError::NoVerifier);
    }
    let a = sender.public();
    let mut plain = Zeroizing::new(Vec::with_capacity(body_len(recipients.len())));
    plain.extend_from_slice(&a);
    for (index, b) in recipients.iter().enumerate() {
        let m = sender
            .mac(b, &a, b, header_hash, payload_digest)
            .ok_or(SenderError::LowOrderRecipient { index })?;
        plain.extend_from_slice(&m);
    }
    let body = body_cipher(file_key)
        .encrypt(&Nonce::default(), plain.as_slice())
        .expect("ChaCha20-Poly1305 seals any length below 256 GiB");
    Ok(Stanza {
        tag: STANZA_TAG.to_owned(),
        args: Vec::new(),
        body,
    })
}

/// The sender stanza of a header, if any, checked for its place: at most
/// one, the last stanza, no arguments (SENDER-AUTH.md, "Verifying", step 3).
/// Needs no key: `inspect` can call it.
pub(crate) fn find_stanza(stanzas: &[Stanza]) -> Result<Option<&Stanza>, SenderError> {
    let mut found = stanzas
        .iter()
        .enumerate()
        .filter(|(_, s)| s.tag == STANZA_TAG);
    let Some((index, stanza)) = found.next() else {
        return Ok(None);
    };
    if found.next().is_some() {
        return Err(InvalidSeal::Doubled.into());
    }
    if index + 1 != stanzas.len() {
        return Err(InvalidSeal::NotLast.into());
    }
    if !stanza.args.is_empty() {
        return Err(InvalidSeal::Arguments.into());
    }
    Ok(Some(stanza))
}

/// HT of a parsed header whose last stanza is the sender stanza: its bytes
/// up to, not including, the `-> lockbox-sender` line.
///
/// Base64 body lines never hold `-`, so the last line of the header text
/// that starts with `-> ` is the last stanza's line.
fn signed_text(text: &[u8]) -> Result<&[u8], SenderError> {
    let line = format!("-> {STANZA_TAG}\n");
    match text.windows(4).rposition(|w| w == b"\n-> ") {
        Some(i) if text[i + 1..].starts_with(line.as_bytes()) => Ok(&text[..i + 1]),
        // Unreachable after `find_stanza` on a parsed header; refused
        // rather than trusted.
        _ => Err(InvalidSeal::NotLast.into()),
    }
}

/// A decrypted, well-formed sender stanza whose MACs are still to check
/// against the payload: SENDER-AUTH.md, "Verifying", steps 2 and 3 done.
#[derive(Debug)]
pub(crate) struct SenderSeal {
    /// A, the claimed sender (not yet verified).
    sender: [u8; 32],
    /// M_1 ... M_k.
    macs: Vec<Hash>,
    /// HH of the header the seal is in.
    header_hash: Hash,
}

impl SenderSeal {
    /// Reads the sender seal of `header`, whose file key `file_key` has
    /// been unwrapped and whose header MAC has been checked
    /// ([`super::unwrap_file_key`]). `None`: the file is unsigned.
    ///
    /// Checks what needs no payload: the stanza's place and arguments,
    /// the body length, the body decryption, a low-order A.
    pub(crate) fn open(
        header: &Header,
        file_key: &FileKey,
    ) -> Result<Option<SenderSeal>, SenderError> {
        let Some(stanza) = find_stanza(&header.stanzas)? else {
            return Ok(None);
        };
        let len = stanza.body.len();
        if len < body_len(1) || (len - body_len(0)) % MAC_LEN != 0 {
            return Err(InvalidSeal::BodyLength.into());
        }
        let plain = Zeroizing::new(
            body_cipher(file_key)
                .decrypt(&Nonce::default(), stanza.body.as_slice())
                .map_err(|_| InvalidSeal::BodyDecrypt)?,
        );
        let (a, macs) = plain.split_at(KEY_LEN);
        let sender: [u8; 32] = a
            .try_into()
            .expect("the length check leaves 32 bytes for A");
        if is_low_order(&sender) {
            return Err(InvalidSeal::LowOrderSender.into());
        }
        let macs = macs
            .chunks_exact(MAC_LEN)
            .map(|m| m.try_into().expect("chunks_exact gives 32 bytes"))
            .collect();
        let header_hash = header_hash(signed_text(header.text())?);
        Ok(Some(SenderSeal {
            sender,
            macs,
            header_hash,
        }))
    }

    /// Checks the MACs against the payload digest `payload_digest` (PD)
    /// with each of the opener's X25519 `keys` (steps 4 and 5), comparing
    /// every MAC in constant time. Returns the verified sender A.
    pub(crate) fn verify(
        &self,
        payload_digest: &Hash,
        keys: &[X25519Key],
    ) -> Result<[u8; 32], SenderError> {
        if keys.is_empty() {
            return Err(SenderError::NotVerifiable);
        }
        let mut matched = Choice::from(0);
        for key in keys {
            let expected = key
                .mac(
                    &self.sender,
                    &self.sender,
                    &key.public(),
                    &self.header_hash,
                    payload_digest,
                )
                .ok_or(InvalidSeal::LowOrderSender)?;
            for m in &self.macs {
                matched |= expected.ct_eq(m);
            }
        }
        if bool::from(matched) {
            Ok(self.sender)
        } else {
            Err(InvalidSeal::NoMatch.into())
        }
    }
}

/// The outcome of verifying a file's sender seal.
#[cfg_attr(not(test), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verified {
    /// No sender stanza: the file is unsigned.
    Unsigned,
    /// Sealed by the sender with this X25519 public key A (for a
    /// post-quantum sender, the last 32 bytes of its recipient).
    SealedBy([u8; 32]),
}

/// [`SenderSeal::open`] then [`SenderSeal::verify`]: the whole check of a
/// file whose payload digest is already known.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn verify(
    header: &Header,
    file_key: &FileKey,
    payload_digest: &Hash,
    keys: &[X25519Key],
) -> Result<Verified, SenderError> {
    match SenderSeal::open(header, file_key)? {
        None => Ok(Verified::Unsigned),
        Some(seal) => seal.verify(payload_digest, keys).map(Verified::SealedBy),
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read};

    use rand::RngCore;

    use super::*;
    use crate::format::header::write_header;
    use crate::format::stream::{self, StreamOptions, ENC_CHUNK};
    use crate::format::{read_header, unwrap_file_key};
    use crate::keys::{self, pq, RecipientEntry};

    /// One party: an identity that opens files, its recipient string and
    /// its X25519 key, as the keys layer gives them.
    struct Party {
        identity: Box<dyn age::Identity>,
        recipient: String,
        key: X25519Key,
    }

    fn x25519_party() -> Party {
        let id = age::x25519::Identity::generate();
        Party {
            key: keys::sender::identity_key(&keys::IdentityEntry::X25519(id.clone())).unwrap(),
            recipient: id.to_public().to_string(),
            identity: Box::new(id),
        }
    }

    fn pq_party() -> Party {
        let id = pq::Identity::generate();
        Party {
            key: keys::sender::identity_key(&keys::IdentityEntry::Pq(id.clone())).unwrap(),
            recipient: id.to_recipient().to_string(),
            identity: Box::new(id),
        }
    }

    fn age_recipient(p: &Party) -> Box<dyn age::Recipient + Send> {
        match keys::parse_recipient(&p.recipient).unwrap() {
            RecipientEntry::X25519(r) => Box::new(r),
            RecipientEntry::Pq(r) => r,
            _ => unreachable!("the parties are X25519 or post-quantum"),
        }
    }

    /// B_i of a party, from its recipient string.
    fn b(p: &Party) -> [u8; 32] {
        keys::sender::recipient_key(&keys::parse_recipient(&p.recipient).unwrap()).unwrap()
    }

    fn dup(s: &Stanza) -> Stanza {
        Stanza {
            tag: s.tag.clone(),
            args: s.args.clone(),
            body: s.body.clone(),
        }
    }

    /// A sealed file, in parts that a co-recipient (who knows the file
    /// key) can change and put back together.
    struct Sealed {
        file_key: FileKey,
        /// The recipient stanzas.
        stanzas: Vec<Stanza>,
        /// The sender stanza.
        seal: Stanza,
        /// The payload: nonce, then chunks.
        payload: Vec<u8>,
    }

    impl Sealed {
        fn clone(&self) -> Sealed {
            Sealed {
                file_key: FileKey::new(Box::new(*self.file_key.expose_secret())),
                stanzas: self.stanzas.iter().map(dup).collect(),
                seal: dup(&self.seal),
                payload: self.payload.clone(),
            }
        }

        /// The whole file: `stanzas` and the seal, MACed under the file
        /// key, then the payload.
        fn bytes(&self) -> Vec<u8> {
            let mut all: Vec<Stanza> = self.stanzas.iter().map(dup).collect();
            all.push(dup(&self.seal));
            let mut out = write_header(&all, &self.file_key);
            out.extend_from_slice(&self.payload);
            out
        }
    }

    fn seal_payload(file_key: &FileKey, plaintext: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let mut payload = Vec::new();
        stream::seal_payload(
            file_key,
            nonce,
            plaintext,
            &mut payload,
            StreamOptions { threads: 2 },
            &mut |_| {},
        )
        .unwrap();
        payload
    }

    /// PD of a payload in memory (nonce, then chunks).
    fn digest(payload: &[u8]) -> Hash {
        let mut pd = PayloadDigest::new(payload[..NONCE].try_into().unwrap());
        for c in payload[NONCE..].chunks(ENC_CHUNK) {
            pd.push_chunk(c);
        }
        pd.finish()
    }

    /// A plaintext of three chunks, the last one short.
    fn plaintext() -> Vec<u8> {
        let mut p = vec![0u8; 2 * stream::CHUNK + 1000];
        rand::rngs::OsRng.fill_bytes(&mut p);
        p
    }

    /// Seals `plaintext` from `sender` to `to`, as `seal --sign` will.
    fn seal(sender: &Party, to: &[&Party], plaintext: &[u8]) -> Sealed {
        let recipients: Vec<_> = to.iter().map(|p| age_recipient(p)).collect();
        let refs: Vec<&dyn age::Recipient> = recipients.iter().map(|r| r.as_ref() as _).collect();
        let (file_key, stanzas) = crate::format::wrap_file_key(&refs).unwrap();
        let payload = seal_payload(&file_key, plaintext);
        let bs: Vec<[u8; 32]> = to.iter().map(|p| b(p)).collect();
        let seal = seal_stanza(
            &file_key,
            &sender.key,
            &bs,
            &header_hash_for_stanzas(&stanzas),
            &digest(&payload),
        )
        .unwrap();
        Sealed {
            file_key,
            stanzas,
            seal,
            payload,
        }
    }

    /// Opens `file` as `open` will with `opener`: file key, payload (which
    /// must decrypt), then the seal.
    fn open(file: &[u8], opener: &Party) -> Result<Verified, SenderError> {
        let mut sealed = read_header(Cursor::new(file.to_vec())).unwrap();
        let key = unwrap_file_key(&sealed.header, &[opener.identity.as_ref()]).unwrap();
        let mut payload = Vec::new();
        sealed.payload.read_to_end(&mut payload).unwrap();
        stream::open_payload(
            &key,
            Cursor::new(&payload),
            &mut std::io::sink(),
            StreamOptions { threads: 2 },
            &mut |_| {},
        )
        .unwrap();
        verify(
            &sealed.header,
            &key,
            &digest(&payload),
            std::slice::from_ref(&opener.key),
        )
    }

    fn invalid(why: InvalidSeal) -> Result<Verified, SenderError> {
        Err(SenderError::Invalid(why))
    }

    /// The plaintext of a sender stanza body (a co-recipient knows BK).
    fn open_body(file_key: &FileKey, body: &[u8]) -> Vec<u8> {
        body_cipher(file_key)
            .decrypt(&Nonce::default(), body)
            .unwrap()
    }

    fn seal_body(file_key: &FileKey, plain: &[u8]) -> Vec<u8> {
        body_cipher(file_key)
            .encrypt(&Nonce::default(), plain)
            .unwrap()
    }

    #[test]
    fn every_x25519_recipient_verifies_the_sender() {
        let (alice, bob, carol, dave) = (
            x25519_party(),
            x25519_party(),
            x25519_party(),
            x25519_party(),
        );
        let sealed = seal(&alice, &[&bob, &carol, &dave], &plaintext());
        assert_eq!(sealed.seal.body.len(), body_len(3));
        assert_eq!(body_len(3), 32 + 3 * 32 + 16);
        let file = sealed.bytes();
        for p in [&bob, &carol, &dave] {
            assert_eq!(open(&file, p), Ok(Verified::SealedBy(alice.key.public())));
        }
        assert_eq!(alice.key.public(), b(&alice));
    }

    #[test]
    fn post_quantum_senders_and_recipients_use_their_x25519_halves() {
        let (alice, bob, carol) = (pq_party(), pq_party(), pq_party());
        let sealed = seal(&alice, &[&bob, &carol], b"a short message");
        let file = sealed.bytes();
        for p in [&bob, &carol] {
            assert_eq!(open(&file, p), Ok(Verified::SealedBy(b(&alice))));
        }
        // A = ek_T, the last 32 bytes of the 1216-byte recipient...
        let raw = age_core::primitives::bech32_decode(
            &alice.recipient,
            |_| (),
            |_| Ok(()),
            |_, bytes| Ok::<_, ()>(bytes.collect::<Vec<u8>>()),
        )
        .unwrap();
        assert_eq!(raw.len(), 1216);
        assert_eq!(alice.key.public()[..], raw[1184..]);
        // ...whose secret is seed_T, bytes 64..96 of SHAKE256(seed, 96).
        let (id, seed_t) = pq_identity_with_seed_t();
        assert_eq!(
            X25519Key::from_bytes(&seed_t).public(),
            id.x25519_key().public()
        );
    }

    /// A post-quantum identity, and its seed_T computed here from its seed,
    /// apart from `keys::pq`'s own expansion.
    fn pq_identity_with_seed_t() -> (pq::Identity, [u8; 32]) {
        use sha3::digest::{ExtendableOutput, Update, XofReader};
        let id = pq::Identity::generate();
        let seed = age_core::primitives::bech32_decode(
            id.to_string().expose_secret(),
            |_| (),
            |_| Ok(()),
            |_, bytes| Ok::<_, ()>(bytes.collect::<Vec<u8>>()),
        )
        .unwrap();
        let mut expanded = [0u8; 96];
        XofReader::read(
            &mut sha3::Shake256::default().chain(&seed).finalize_xof(),
            &mut expanded,
        );
        let seed_t: [u8; 32] = expanded[64..].try_into().unwrap();
        (id, seed_t)
    }

    #[test]
    fn a_sender_among_mixed_native_recipients_verifies_for_each() {
        // X25519 sender to post-quantum recipients, and the reverse.
        let (x, q1, q2) = (x25519_party(), pq_party(), pq_party());
        let file = seal(&x, &[&q1, &q2], b"x to pq").bytes();
        assert_eq!(open(&file, &q2), Ok(Verified::SealedBy(x.key.public())));
        let (q, x1) = (pq_party(), x25519_party());
        let file = seal(&q, &[&x1], b"pq to x").bytes();
        assert_eq!(open(&file, &x1), Ok(Verified::SealedBy(b(&q))));
    }

    #[test]
    fn a_co_recipient_who_replaces_the_payload_is_caught() {
        let (alice, bob, carol) = (x25519_party(), x25519_party(), x25519_party());
        let mut sealed = seal(&alice, &[&bob, &carol], &plaintext());
        // Bob knows the file key: a new, valid payload under it, and the
        // header (and its MAC) unchanged. The file opens; the seal does not.
        sealed.payload = seal_payload(&sealed.file_key, b"the new bank details");
        let file = sealed.bytes();
        assert_eq!(open(&file, &carol), invalid(InvalidSeal::NoMatch));
        assert_eq!(open(&file, &bob), invalid(InvalidSeal::NoMatch));
    }

    #[test]
    fn a_changed_header_is_caught() {
        let (alice, bob) = (x25519_party(), x25519_party());
        let mut sealed = seal(&alice, &[&bob], b"hello");
        sealed.stanzas.insert(
            0,
            Stanza {
                tag: "grease".into(),
                args: vec!["x".into()],
                body: vec![1, 2, 3],
            },
        );
        assert_eq!(open(&sealed.bytes(), &bob), invalid(InvalidSeal::NoMatch));
    }

    #[test]
    fn a_changed_body_is_caught() {
        let (alice, bob) = (x25519_party(), x25519_party());
        let sealed = seal(&alice, &[&bob], b"hello");

        // A flipped bit: the body no longer decrypts.
        let mut flipped = sealed.clone();
        flipped.seal.body[40] ^= 1;
        assert_eq!(
            open(&flipped.bytes(), &bob),
            invalid(InvalidSeal::BodyDecrypt)
        );

        // Re-encrypted by a co-recipient with a MAC changed: no match.
        let mut plain = open_body(&sealed.file_key, &sealed.seal.body);
        plain[KEY_LEN] ^= 1;
        let mut remac = flipped;
        remac.seal.body = seal_body(&sealed.file_key, &plain);
        assert_eq!(open(&remac.bytes(), &bob), invalid(InvalidSeal::NoMatch));

        // A MAC too few or a byte too many: the wrong length.
        for len in [KEY_LEN, KEY_LEN + MAC_LEN - 1, KEY_LEN + MAC_LEN + 1] {
            let mut short = plain.clone();
            short.resize(len, 0);
            remac.seal.body = seal_body(&sealed.file_key, &short);
            assert_eq!(
                open(&remac.bytes(), &bob),
                invalid(InvalidSeal::BodyLength),
                "{len}"
            );
        }
    }

    #[test]
    fn forwarding_is_caught() {
        let (alice, bob, carol, dave) = (
            x25519_party(),
            x25519_party(),
            x25519_party(),
            x25519_party(),
        );
        let mut sealed = seal(&alice, &[&bob, &carol], b"for bob and carol");
        let (to_dave, _) = age_recipient(&dave)
            .wrap_file_key(&sealed.file_key)
            .unwrap();

        // Bob adds Dave: HH changes for everyone, and Dave has no MAC.
        sealed.stanzas.extend(to_dave.iter().map(dup));
        let file = sealed.bytes();
        assert_eq!(open(&file, &dave), invalid(InvalidSeal::NoMatch));
        assert_eq!(open(&file, &carol), invalid(InvalidSeal::NoMatch));

        // Bob re-wraps the file key to Dave alone.
        sealed.stanzas = to_dave;
        assert_eq!(open(&sealed.bytes(), &dave), invalid(InvalidSeal::NoMatch));
    }

    #[test]
    fn an_outsider_cannot_claim_to_be_the_sender() {
        let (alice, bob, mallory) = (x25519_party(), x25519_party(), x25519_party());
        // Mallory seals to Bob and claims Alice: A = Alice's key, and the
        // only MAC Mallory can compute is with her own secret.
        let mut sealed = seal(&mallory, &[&bob], b"love, alice");
        let a = alice.key.public();
        let m = mallory
            .key
            .mac(
                &b(&bob),
                &a,
                &b(&bob),
                &header_hash_for_stanzas(&sealed.stanzas),
                &digest(&sealed.payload),
            )
            .unwrap();
        let mut plain = a.to_vec();
        plain.extend_from_slice(&m);
        sealed.seal.body = seal_body(&sealed.file_key, &plain);
        assert_eq!(open(&sealed.bytes(), &bob), invalid(InvalidSeal::NoMatch));
    }

    #[test]
    fn a_stripped_seal_leaves_an_unsigned_file() {
        let (alice, bob) = (x25519_party(), x25519_party());
        let sealed = seal(&alice, &[&bob], b"hello");
        let mut file = write_header(&sealed.stanzas, &sealed.file_key);
        file.extend_from_slice(&sealed.payload);
        assert_eq!(open(&file, &bob), Ok(Verified::Unsigned));
    }

    #[test]
    fn without_an_x25519_key_a_seal_is_not_verifiable_and_a_strangers_key_matches_nothing() {
        let (alice, bob, stranger) = (x25519_party(), x25519_party(), x25519_party());
        let sealed = seal(&alice, &[&bob], b"hello");
        let file = sealed.bytes();
        let parsed = read_header(Cursor::new(file)).unwrap();
        let pd = digest(&sealed.payload);
        assert_eq!(
            verify(&parsed.header, &sealed.file_key, &pd, &[]),
            Err(SenderError::NotVerifiable)
        );
        assert_eq!(
            verify(
                &parsed.header,
                &sealed.file_key,
                &pd,
                std::slice::from_ref(&stranger.key)
            ),
            invalid(InvalidSeal::NoMatch)
        );
        // Any one of the opener's keys may match.
        assert_eq!(
            verify(
                &parsed.header,
                &sealed.file_key,
                &pd,
                &[stranger.key, bob.key]
            ),
            Ok(Verified::SealedBy(alice.key.public()))
        );
    }

    #[test]
    fn sealing_refuses_low_order_recipients_and_an_empty_list() {
        let (alice, bob) = (x25519_party(), x25519_party());
        let key = FileKey::new(Box::new([7; 16]));
        let (hh, pd) = ([1; 32], [2; 32]);
        let mut one = [0u8; 32];
        one[0] = 1;
        for low in [[0u8; 32], one] {
            assert_eq!(
                seal_stanza(&key, &alice.key, &[b(&bob), low], &hh, &pd).unwrap_err(),
                SenderError::LowOrderRecipient { index: 1 }
            );
        }
        assert_eq!(
            seal_stanza(&key, &alice.key, &[], &hh, &pd).unwrap_err(),
            SenderError::NoVerifier
        );
    }

    #[test]
    fn low_order_points_are_told_apart() {
        let mut one = [0u8; 32];
        one[0] = 1;
        assert!(is_low_order(&[0; 32]));
        assert!(is_low_order(&one));
        assert!(!is_low_order(&x25519_dalek::X25519_BASEPOINT_BYTES));
        assert!(!is_low_order(&x25519_party().key.public()));
    }

    #[test]
    fn the_payload_digest_is_sha256_of_the_nonce_and_the_chunk_hashes() {
        let nonce = [9u8; NONCE];
        let chunks: [&[u8]; 3] = [&[1; ENC_CHUNK], &[2; ENC_CHUNK], &[3; 20]];
        let mut by_chunk = PayloadDigest::new(&nonce);
        let mut by_hash = PayloadDigest::new(&nonce);
        let mut spec = Sha256::new();
        spec.update(nonce);
        for c in chunks {
            by_chunk.push_chunk(c);
            by_hash.push(&chunk_hash(c));
            spec.update(Sha256::digest(c));
        }
        let want: Hash = spec.finalize().into();
        assert_eq!(by_chunk.finish(), want);
        assert_eq!(by_hash.finish(), want);
    }

    #[test]
    fn the_signed_text_read_back_is_what_sealing_hashed() {
        let (alice, bob, carol) = (x25519_party(), x25519_party(), pq_party());
        let sealed = seal(&alice, &[&bob], b"hello");
        let parsed = read_header(Cursor::new(sealed.bytes())).unwrap();
        let ht = signed_text(parsed.header.text()).unwrap();
        assert_eq!(ht, header::header_text(&sealed.stanzas));
        assert!(ht.starts_with(b"age-encryption.org/v1\n-> X25519 "));
        // Long post-quantum stanza bodies (many 64-column lines) too.
        let sealed = seal(&alice, &[&carol], b"hello");
        let parsed = read_header(Cursor::new(sealed.bytes())).unwrap();
        assert_eq!(
            signed_text(parsed.header.text()).unwrap(),
            header::header_text(&sealed.stanzas)
        );
    }

    #[test]
    fn keys_do_not_print_their_secret() {
        let p = x25519_party();
        assert_eq!(format!("{:?}", p.key), "X25519Key { <secret> }");
    }
}
