//! The native post-quantum hybrid recipient type `mlkem768x25519` of age.
//!
//! An identity is a 32-byte seed, encoded as Bech32 with the HRP `AGE-SECRET-KEY-PQ-`
//! (upper case). It is expanded with SHAKE256 to 96 bytes: the first 64 are the
//! ML-KEM-768 seed `d ‖ z`, the last 32 the X25519 private scalar (this is X-Wing's key
//! expansion). The recipient is the ML-KEM-768 encapsulation key (1184 bytes) followed
//! by the X25519 public key (32 bytes), encoded as Bech32 (without the length limit)
//! with the HRP `age1pq`.
//!
//! A stanza is
//!
//! ```text
//! -> mlkem768x25519 <base64 of enc (1120 bytes)>
//! <base64 of the HPKE ciphertext of the file key (32 bytes)>
//! ```
//!
//! produced by HPKE (RFC 9180) in base mode with the KEM MLKEM768-X25519 (id `0x647a`,
//! the X-Wing combiner), HKDF-SHA256, ChaCha20-Poly1305 and the info string
//! `age-encryption.org/mlkem768x25519`.
//!
//! # Which HPKE route, and why
//!
//! The KEM is implemented as a private type `kem::MlKem768X25519` implementing the
//! [`hpke::Kem`] trait, exactly as the `age` crate does for its sibling type
//! `mlkem768p256tag`; sealing and opening then go through
//! [`age_core::primitives::hpke_seal`] and [`age_core::primitives::hpke_open`]. That
//! reuses the audited key schedule and AEAD handling of the `hpke` crate (the one `age`
//! itself uses) instead of a hand-written copy of RFC 9180's `KeySchedule`, so the only
//! new cryptographic code here is the KEM: key expansion, encapsulation, decapsulation
//! and the X-Wing combiner, each a few lines. The `hpke` crate feeds our `KEM_ID` into
//! its `suite_id`, so the key schedule is the standard one for KEM `0x647a`.
//!
//! # Secrets
//!
//! The 32-byte seed and every intermediate buffer holding secret bytes are zeroized on
//! drop; the X25519 [`x25519_dalek::StaticSecret`] zeroizes itself on drop. The ML-KEM
//! decapsulation key is zeroized on drop by `ml-kem` itself: lockbox's `Cargo.toml`
//! enables that crate's `zeroize` feature for this reason.
//! No `Debug` implementation prints secret material.

use std::collections::HashSet;
use std::fmt;

use age_core::{
    format::{FileKey, Stanza},
    primitives::{bech32_decode, bech32_encode, hpke_open, hpke_seal},
    secrecy::ExposeSecret,
};
use base64::{prelude::BASE64_STANDARD_NO_PAD, Engine};
use hpke::{Deserializable, HpkeError, Serializable};
use rand::{rngs::OsRng, RngCore};
use secrecy::SecretString;
use zeroize::Zeroizing;

/// The tag of the stanzas of this recipient type.
pub(crate) const STANZA_TAG: &str = "mlkem768x25519";

/// The HPKE `info` string.
const INFO: &[u8] = b"age-encryption.org/mlkem768x25519";

/// Bech32 HRP of identities (printed upper case).
const IDENTITY_HRP: bech32::Hrp = bech32::Hrp::parse_unchecked("AGE-SECRET-KEY-PQ-");
/// Bech32 HRP of recipients.
const RECIPIENT_HRP: bech32::Hrp = bech32::Hrp::parse_unchecked("age1pq");

/// Length of the HPKE enc (ML-KEM-768 ciphertext ‖ X25519 ephemeral share).
const ENC_LEN: usize = 1088 + 32;
/// Length of the stanza body: the 16-byte file key plus the 16-byte Poly1305 tag.
const BODY_LEN: usize = 16 + 16;
/// Length of a recipient: the ML-KEM-768 encapsulation key and the X25519 key.
const RECIPIENT_LEN: usize = 1184 + 32;

type Kem = kem::MlKem768X25519;

/// An `mlkem768x25519` identity: the secret key.
#[derive(Clone)]
pub(crate) struct Identity(Box<kem::PrivateKey>);

/// An `mlkem768x25519` recipient: the public key.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Recipient(kem::PublicKey);

impl Identity {
    /// Generates a new random identity.
    pub(crate) fn generate() -> Self {
        let mut seed = Zeroizing::new([0u8; kem::SEED_LEN]);
        OsRng.fill_bytes(&mut seed[..]);
        Identity(Box::new(kem::PrivateKey::from_seed(&seed)))
    }

    /// Returns the recipient (public key) of this identity.
    pub(crate) fn to_recipient(&self) -> Recipient {
        Recipient(<Kem as hpke::Kem>::sk_to_pk(&self.0))
    }

    /// The X25519 half of this hybrid identity (seed_T, bytes 64..96 of
    /// the SHAKE256 expansion; its public key is the recipient's last 32
    /// bytes): the key a post-quantum identity seals and verifies sender
    /// seals with (issue 12).
    pub(crate) fn x25519_key(&self) -> crate::format::sender::X25519Key {
        crate::format::sender::X25519Key::from_secret(self.0.x25519().clone())
    }

    /// The Bech32 string, upper case, wrapped so it is not accidentally logged.
    pub(crate) fn to_string(&self) -> SecretString {
        let mut encoded = Zeroizing::new(bech32_encode(IDENTITY_HRP, self.0.seed()));
        encoded.make_ascii_uppercase();
        // Copy into an exactly-sized box; the working buffer is wiped on drop.
        SecretString::from(encoded.as_str())
    }
}

impl std::str::FromStr for Identity {
    type Err = &'static str;

    /// Parses an identity from its Bech32 string. Upper case is the canonical form;
    /// all-lower-case is accepted too, mixed case is rejected (as Bech32 requires).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        bech32_decode(
            s,
            |_| "invalid Bech32 encoding",
            |hrp| {
                // `Hrp` compares case-insensitively; the checksum check has already
                // rejected mixed-case strings.
                (hrp == IDENTITY_HRP).then_some(()).ok_or("incorrect HRP")
            },
            |_, bytes| {
                let data = Zeroizing::new(bytes.collect::<Vec<u8>>());
                let seed: &[u8; kem::SEED_LEN] = data
                    .as_slice()
                    .try_into()
                    .map_err(|_| "incorrect identity length")?;
                Ok(Identity(Box::new(kem::PrivateKey::from_seed(seed))))
            },
        )
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("mlkem768x25519::Identity { <secret> }")
    }
}

impl age::Identity for Identity {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey, age::DecryptError>> {
        if stanza.tag != STANZA_TAG {
            return None;
        }

        // Structural checks: these are errors for a stanza of our type, whoever it was
        // addressed to.
        let [arg] = stanza.args.as_slice() else {
            return Some(Err(age::DecryptError::InvalidHeader));
        };
        let enc = match BASE64_STANDARD_NO_PAD.decode(arg) {
            Ok(enc) if enc.len() == ENC_LEN => enc,
            _ => return Some(Err(age::DecryptError::InvalidHeader)),
        };
        if stanza.body.len() != BODY_LEN {
            return Some(Err(age::DecryptError::InvalidHeader));
        }
        let enc = match kem::EncappedKey::from_bytes(&enc) {
            Ok(enc) => enc,
            Err(_) => return Some(Err(age::DecryptError::InvalidHeader)),
        };

        match hpke_open::<Kem>(&enc, &self.0, INFO, &stanza.body) {
            Ok(pt) => {
                let pt = Zeroizing::new(pt);
                // The body length check above makes the plaintext 16 bytes.
                if pt.len() != 16 {
                    return Some(Err(age::DecryptError::InvalidHeader));
                }
                Some(Ok(FileKey::init_with_mut(|file_key| {
                    file_key.copy_from_slice(&pt)
                })))
            }
            // The X25519 share was the identity or a low-order point: the X25519 shared
            // secret is all zero, which is a malformed stanza, not a mismatch.
            Err(HpkeError::ValidationError) => Some(Err(age::DecryptError::InvalidHeader)),
            // Anything else (in practice an AEAD failure): not for this identity.
            Err(_) => None,
        }
    }
}

impl std::str::FromStr for Recipient {
    type Err = &'static str;

    /// Parses a recipient from its Bech32 string (`age1pq1…`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        bech32_decode(
            s,
            |_| "invalid Bech32 encoding",
            |hrp| (hrp == RECIPIENT_HRP).then_some(()).ok_or("incorrect HRP"),
            |_, bytes| {
                let bytes = bytes.collect::<Vec<u8>>();
                // The same check `from_bytes` makes, with its own message.
                if let Some(x) = (bytes.len() == RECIPIENT_LEN)
                    .then(|| <&[u8; 32]>::try_from(&bytes[RECIPIENT_LEN - 32..]).ok())
                    .flatten()
                {
                    if crate::keys::checks::x25519_is_low_order(x) {
                        return Err("its X25519 key is a point of small order, so X25519 would add nothing to ML-KEM");
                    }
                }
                kem::PublicKey::from_bytes(&bytes)
                    .map(Recipient)
                    .map_err(|_| "invalid recipient")
            },
        )
    }
}

impl Recipient {
    /// The X25519 half of this hybrid recipient (ek_T, the recipient's last
    /// 32 bytes): the key a sender seal's MAC is computed for (issue 12).
    pub(crate) fn x25519_public(&self) -> [u8; 32] {
        self.0.x25519().to_bytes()
    }
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&bech32_encode(RECIPIENT_HRP, &self.0.to_bytes()))
    }
}

impl fmt::Debug for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl age::Recipient for Recipient {
    fn wrap_file_key(
        &self,
        file_key: &FileKey,
    ) -> Result<(Vec<Stanza>, HashSet<String>), age::EncryptError> {
        let (enc, ct) = hpke_seal::<Kem, _>(&self.0, INFO, file_key.expose_secret(), &mut OsRng);
        Ok((
            vec![Stanza {
                tag: STANZA_TAG.to_owned(),
                args: vec![BASE64_STANDARD_NO_PAD.encode(enc.to_bytes())],
                body: ct,
            }],
            [crate::format::POSTQUANTUM_LABEL.to_owned()]
                .into_iter()
                .collect(),
        ))
    }
}

/// The MLKEM768-X25519 (X-Wing) KEM as an [`hpke::Kem`].
mod kem {
    use hpke::{
        generic_array::typenum::{self, Unsigned, U32},
        kem::SharedSecret,
        Deserializable, HpkeError, Serializable,
    };
    use ml_kem::{
        kem::{Decapsulate, Encapsulate},
        Ciphertext, EncodedSizeUser, KemCore, MlKem768,
    };
    use rand::{CryptoRng, RngCore};
    use sha3::{
        digest::{ExtendableOutput, FixedOutput, OutputSizeUser, Update, XofReader},
        Sha3_256, Shake256,
    };
    use x25519_dalek::{EphemeralSecret, PublicKey as X25519Public, StaticSecret};
    use zeroize::{Zeroize, Zeroizing};

    /// The X-Wing combiner label, `\.//^\`.
    const XWING_LABEL: &[u8] = b"\\.//^\\";
    pub(super) const SEED_LEN: usize = 32;

    type DecapsulationKey = <MlKem768 as KemCore>::DecapsulationKey;
    type EncapsulationKey = <MlKem768 as KemCore>::EncapsulationKey;
    type KemNek = <EncapsulationKey as EncodedSizeUser>::EncodedSize;
    type KemNct = <MlKem768 as KemCore>::CiphertextSize;

    /// The private key: the 32-byte seed and its expansion.
    #[derive(Clone)]
    pub(crate) struct PrivateKey {
        seed: [u8; SEED_LEN],
        dk_pq: DecapsulationKey,
        dk_x: StaticSecret,
        /// Cached X25519 public key (needed by the combiner on decapsulation).
        ek_x: X25519Public,
    }

    impl PrivateKey {
        pub(super) fn from_seed(seed: &[u8; SEED_LEN]) -> Self {
            let mut expanded = Zeroizing::new([0u8; 96]);
            Shake256::default()
                .chain(seed)
                .finalize_xof()
                .read(&mut expanded[..]);

            let mut d = Zeroizing::new([0u8; 32]);
            let mut z = Zeroizing::new([0u8; 32]);
            let mut x = [0u8; 32];
            d.copy_from_slice(&expanded[..32]);
            z.copy_from_slice(&expanded[32..64]);
            x.copy_from_slice(&expanded[64..]);

            let (dk_pq, _) = MlKem768::generate_deterministic(&(*d).into(), &(*z).into());
            // `StaticSecret::from` takes the array by value (a copy); wipe ours.
            let dk_x = StaticSecret::from(x);
            x.zeroize();
            let ek_x = X25519Public::from(&dk_x);

            PrivateKey {
                seed: *seed,
                dk_pq,
                dk_x,
                ek_x,
            }
        }

        pub(super) fn seed(&self) -> &[u8; SEED_LEN] {
            &self.seed
        }

        /// The X25519 secret of the expansion (its bytes 64..96).
        pub(super) fn x25519(&self) -> &StaticSecret {
            &self.dk_x
        }
    }

    impl Drop for PrivateKey {
        fn drop(&mut self) {
            self.seed.zeroize();
            // `dk_x` zeroizes itself on drop.
        }
    }

    impl zeroize::ZeroizeOnDrop for PrivateKey {}

    impl PartialEq for PrivateKey {
        fn eq(&self, other: &Self) -> bool {
            // Everything else is derived from the seed. Not constant time; nothing in
            // this module compares private keys.
            self.seed == other.seed
        }
    }
    impl Eq for PrivateKey {}

    impl Serializable for PrivateKey {
        type OutputSize = U32;

        fn write_exact(&self, buf: &mut [u8]) {
            buf.copy_from_slice(&self.seed);
        }
    }

    impl Deserializable for PrivateKey {
        fn from_bytes(encoded: &[u8]) -> Result<Self, HpkeError> {
            let seed: &[u8; SEED_LEN] = encoded
                .try_into()
                .map_err(|_| HpkeError::IncorrectInputLength(SEED_LEN, encoded.len()))?;
            Ok(Self::from_seed(seed))
        }
    }

    /// The public key: ML-KEM-768 encapsulation key ‖ X25519 public key.
    #[derive(Clone, Debug, PartialEq)]
    pub(crate) struct PublicKey {
        ek_pq: EncapsulationKey,
        ek_x: X25519Public,
    }

    impl Eq for PublicKey {}

    impl PublicKey {
        /// The X25519 public key: the last 32 bytes of the encoding.
        pub(super) fn x25519(&self) -> &X25519Public {
            &self.ek_x
        }
    }

    impl Serializable for PublicKey {
        type OutputSize = typenum::Sum<KemNek, U32>;

        fn write_exact(&self, buf: &mut [u8]) {
            let n = KemNek::USIZE;
            buf[..n].copy_from_slice(&self.ek_pq.as_bytes());
            buf[n..].copy_from_slice(self.ek_x.as_bytes());
        }
    }

    impl Deserializable for PublicKey {
        fn from_bytes(encoded: &[u8]) -> Result<Self, HpkeError> {
            if encoded.len() != Self::OutputSize::USIZE {
                return Err(HpkeError::IncorrectInputLength(
                    Self::OutputSize::USIZE,
                    encoded.len(),
                ));
            }
            let (encoded_pq, encoded_x) = encoded.split_at(KemNek::USIZE);

            let encoded_pq: &ml_kem::Encoded<EncapsulationKey> =
                encoded_pq.try_into().expect("correct length");
            let ek_pq = EncapsulationKey::from_bytes(encoded_pq);
            // FIPS 203 encapsulation key check: `from_bytes` reduces coefficients
            // modulo q, so a non-canonical key does not survive a round trip.
            if ek_pq.as_bytes() != *encoded_pq {
                return Err(HpkeError::ValidationError);
            }

            let encoded_x: [u8; 32] = encoded_x.try_into().expect("correct length");
            // Reject low-order X25519 points (the shared secret would be all zero for
            // every sender, and encryption would have nothing contributory from X25519).
            if crate::keys::checks::x25519_is_low_order(&encoded_x) {
                return Err(HpkeError::ValidationError);
            }
            let ek_x = X25519Public::from(encoded_x);

            Ok(Self { ek_pq, ek_x })
        }
    }

    /// The encapsulated key: ML-KEM-768 ciphertext ‖ X25519 ephemeral public key.
    #[derive(Clone)]
    pub(crate) struct EncappedKey {
        ct_pq: Ciphertext<MlKem768>,
        ct_x: [u8; 32],
    }

    impl Serializable for EncappedKey {
        type OutputSize = typenum::Sum<KemNct, U32>;

        fn write_exact(&self, buf: &mut [u8]) {
            let n = KemNct::USIZE;
            buf[..n].copy_from_slice(&self.ct_pq);
            buf[n..].copy_from_slice(&self.ct_x);
        }
    }

    impl Deserializable for EncappedKey {
        fn from_bytes(encoded: &[u8]) -> Result<Self, HpkeError> {
            if encoded.len() != Self::OutputSize::USIZE {
                return Err(HpkeError::IncorrectInputLength(
                    Self::OutputSize::USIZE,
                    encoded.len(),
                ));
            }
            let (encoded_pq, encoded_x) = encoded.split_at(KemNct::USIZE);
            Ok(Self {
                ct_pq: Ciphertext::<MlKem768>::try_from(encoded_pq).expect("correct length"),
                ct_x: encoded_x.try_into().expect("correct length"),
            })
        }
    }

    /// MLKEM768-X25519, HPKE KEM id `0x647a`.
    pub(crate) struct MlKem768X25519;

    impl hpke::Kem for MlKem768X25519 {
        type PublicKey = PublicKey;
        type PrivateKey = PrivateKey;
        type EncappedKey = EncappedKey;
        type NSecret = <Sha3_256 as OutputSizeUser>::OutputSize;
        const KEM_ID: u16 = 0x647a;

        fn sk_to_pk(sk: &PrivateKey) -> PublicKey {
            PublicKey {
                ek_pq: sk.dk_pq.encapsulation_key().clone(),
                ek_x: sk.ek_x,
            }
        }

        /// `DeriveKeyPair(ikm)`: seed = SHAKE256(ikm, 32), then the usual expansion.
        /// Only reachable through `hpke::Kem::gen_keypair`, which age does not use.
        fn derive_keypair(ikm: &[u8]) -> (PrivateKey, PublicKey) {
            let mut seed = Zeroizing::new([0u8; SEED_LEN]);
            Shake256::default()
                .chain(ikm)
                .finalize_xof()
                .read(&mut seed[..]);
            let sk = PrivateKey::from_seed(&seed);
            let pk = Self::sk_to_pk(&sk);
            (sk, pk)
        }

        fn decap(
            sk_recip: &PrivateKey,
            pk_sender_id: Option<&PublicKey>,
            encapped_key: &EncappedKey,
        ) -> Result<SharedSecret<Self>, HpkeError> {
            // Only base mode is used (age_core's hpke_open always passes Base).
            if pk_sender_id.is_some() {
                return Err(HpkeError::DecapError);
            }

            let mut ss_pq = sk_recip
                .dk_pq
                .decapsulate(&encapped_key.ct_pq)
                .map_err(|()| HpkeError::DecapError)?;
            let ss_x = sk_recip
                .dk_x
                .diffie_hellman(&X25519Public::from(encapped_key.ct_x));
            if !ss_x.was_contributory() {
                ss_pq.as_mut_slice().zeroize();
                // Distinct error so the caller can tell a malformed share apart.
                return Err(HpkeError::ValidationError);
            }

            let ss = combiner(
                &ss_pq,
                ss_x.as_bytes(),
                &encapped_key.ct_x,
                sk_recip.ek_x.as_bytes(),
            );
            ss_pq.as_mut_slice().zeroize();
            Ok(SharedSecret(ss))
        }

        fn encap<R: CryptoRng + RngCore>(
            pk_recip: &PublicKey,
            sender_id_keypair: Option<(&PrivateKey, &PublicKey)>,
            csprng: &mut R,
        ) -> Result<(SharedSecret<Self>, EncappedKey), HpkeError> {
            if sender_id_keypair.is_some() {
                return Err(HpkeError::EncapError);
            }

            let (ct_pq, mut ss_pq) = pk_recip
                .ek_pq
                .encapsulate(csprng)
                .map_err(|()| HpkeError::EncapError)?;

            let sk_e = EphemeralSecret::random_from_rng(&mut *csprng);
            let ct_x = X25519Public::from(&sk_e).to_bytes();
            let ss_x = sk_e.diffie_hellman(&pk_recip.ek_x);
            if !ss_x.was_contributory() {
                ss_pq.as_mut_slice().zeroize();
                // Unreachable for keys parsed by `PublicKey::from_bytes`.
                return Err(HpkeError::EncapError);
            }

            let ss = combiner(&ss_pq, ss_x.as_bytes(), &ct_x, pk_recip.ek_x.as_bytes());
            ss_pq.as_mut_slice().zeroize();
            Ok((SharedSecret(ss), EncappedKey { ct_pq, ct_x }))
        }
    }

    /// The X-Wing combiner:
    /// SHA3-256(ss_mlkem ‖ ss_x25519 ‖ ct_x25519 ‖ pk_x25519 ‖ `\.//^\`).
    fn combiner(
        ss_pq: &[u8],
        ss_x: &[u8],
        ct_x: &[u8],
        pk_x: &[u8],
    ) -> sha3::digest::Output<Sha3_256> {
        let mut h = Sha3_256::default();
        h.update(ss_pq);
        h.update(ss_x);
        h.update(ct_x);
        h.update(pk_x);
        h.update(XWING_LABEL);
        h.finalize_fixed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use age::{Identity as _, Recipient as _};
    use std::str::FromStr;

    macro_rules! kat {
        ($name:literal) => {
            include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/data/pq-kat/",
                $name
            ))
        };
    }

    /// Parses a textual stanza: `-> tag args…` and then base64 body lines.
    fn parse_stanza(text: &str) -> Stanza {
        let mut lines = text.lines().map(str::trim_start).filter(|l| !l.is_empty());
        let first = lines.next().unwrap();
        let mut words = first.strip_prefix("-> ").unwrap().split(' ');
        let tag = words.next().unwrap().to_owned();
        let args = words.map(str::to_owned).collect();
        let mut body = Vec::new();
        for line in lines {
            body.extend(BASE64_STANDARD_NO_PAD.decode(line.trim_end()).unwrap());
        }
        Stanza { tag, args, body }
    }

    fn wrap(recipient: &Recipient) -> (FileKey, Stanza) {
        let file_key = FileKey::new(Box::new(rand::random()));
        let (mut stanzas, labels) = recipient.wrap_file_key(&file_key).unwrap();
        assert_eq!(
            labels,
            ["postquantum".to_owned()]
                .into_iter()
                .collect::<HashSet<_>>()
        );
        assert_eq!(stanzas.len(), 1);
        (file_key, stanzas.remove(0))
    }

    fn dup(s: &Stanza) -> Stanza {
        Stanza {
            tag: s.tag.clone(),
            args: s.args.clone(),
            body: s.body.clone(),
        }
    }

    fn is_invalid_header(r: Option<Result<FileKey, age::DecryptError>>) -> bool {
        matches!(r, Some(Err(age::DecryptError::InvalidHeader)))
    }

    #[test]
    fn spec_identity_to_recipient() {
        let identity = Identity::from_str(kat!("spec-identity.txt").trim()).unwrap();
        assert_eq!(
            identity.to_recipient().to_string(),
            kat!("spec-recipient.txt").trim()
        );
        assert_eq!(
            identity.to_string().expose_secret(),
            kat!("spec-identity.txt").trim()
        );
    }

    #[test]
    fn goage_identity_to_recipient() {
        let identity = Identity::from_str(kat!("goage-testdata-identity.txt").trim()).unwrap();
        let recipient = identity.to_recipient();
        assert_eq!(
            recipient.to_string(),
            kat!("goage-testdata-recipient.txt").trim()
        );
        // And the recipient parses back to itself.
        let parsed = Recipient::from_str(kat!("goage-testdata-recipient.txt").trim()).unwrap();
        assert_eq!(parsed, recipient);
    }

    #[test]
    fn spec_example_stanza() {
        let identity = Identity::from_str(kat!("spec-identity.txt").trim()).unwrap();
        let stanza = parse_stanza(kat!("spec-example-stanza.txt"));
        assert_eq!(stanza.tag, STANZA_TAG);
        let file_key = identity.unwrap_stanza(&stanza).unwrap().unwrap();
        assert_eq!(
            hex::encode(file_key.expose_secret()),
            "df56f61c8e496609c18d25c197451803"
        );
    }

    #[test]
    fn string_forms() {
        let identity = Identity::generate();
        let s = identity.to_string();
        let s = s.expose_secret();
        assert_eq!(s.len(), 77);
        assert!(s.starts_with("AGE-SECRET-KEY-PQ-1"));
        assert_eq!(s, s.to_uppercase());
        let recipient = identity.to_recipient();
        let r = recipient.to_string();
        assert_eq!(r.len(), 1959);
        assert!(r.starts_with("age1pq1"));
        assert_eq!(Recipient::from_str(&r).unwrap(), recipient);

        // Upper and lower case identities parse to the same key; mixed case does not.
        let upper = Identity::from_str(s).unwrap();
        let lower = Identity::from_str(&s.to_lowercase()).unwrap();
        assert_eq!(upper.to_recipient(), recipient);
        assert_eq!(lower.to_recipient(), recipient);
        let mut mixed = s.to_owned();
        mixed.replace_range(..1, "a");
        assert!(Identity::from_str(&mixed).is_err());
        // Wrong HRPs.
        assert!(Identity::from_str(&r).is_err());
        assert!(Recipient::from_str(s).is_err());
        // No secret in Debug.
        assert!(!format!("{identity:?}").contains(&s[20..]));
    }

    #[test]
    fn rejects_bad_recipients() {
        let identity = Identity::generate();
        let bytes = identity.to_recipient().0.to_bytes();
        // Truncated.
        assert!(Recipient::from_str(&bech32_encode(RECIPIENT_HRP, &bytes[1..])).is_err());
        // Low-order X25519 key (all zero = the point at u = 0).
        let mut low = bytes.to_vec();
        low[1184..].fill(0);
        assert!(Recipient::from_str(&bech32_encode(RECIPIENT_HRP, &low)).is_err());
        // Non-canonical ML-KEM coefficient (0xfff > q in the first 12-bit value).
        let mut big = bytes.to_vec();
        big[0] = 0xff;
        big[1] |= 0x0f;
        assert!(Recipient::from_str(&bech32_encode(RECIPIENT_HRP, &big)).is_err());
    }

    #[test]
    fn round_trip_and_wrong_identity() {
        let identity = Identity::generate();
        let (file_key, stanza) = wrap(&identity.to_recipient());
        assert_eq!(stanza.tag, STANZA_TAG);
        assert_eq!(stanza.args.len(), 1);
        assert_eq!(stanza.body.len(), 32);
        let unwrapped = identity.unwrap_stanza(&stanza).unwrap().unwrap();
        assert_eq!(unwrapped.expose_secret(), file_key.expose_secret());

        let other = Identity::generate();
        assert!(other.unwrap_stanza(&stanza).is_none());

        // Other stanza types are not ours.
        let mut x25519 = dup(&stanza);
        x25519.tag = "X25519".into();
        assert!(identity.unwrap_stanza(&x25519).is_none());
        let mut upper = stanza;
        upper.tag = STANZA_TAG.to_uppercase();
        assert!(identity.unwrap_stanza(&upper).is_none());
    }

    #[test]
    fn rejections() {
        let identity = Identity::generate();
        let (_, stanza) = wrap(&identity.to_recipient());
        let enc = BASE64_STANDARD_NO_PAD.decode(&stanza.args[0]).unwrap();

        // Three args (tag + two).
        let mut s = dup(&stanza);
        s.args.push("extra".into());
        assert!(is_invalid_header(identity.unwrap_stanza(&s)));
        // No args.
        let mut s = dup(&stanza);
        s.args.clear();
        assert!(is_invalid_header(identity.unwrap_stanza(&s)));

        // enc of 1119 and 1121 bytes.
        let mut s = dup(&stanza);
        s.args[0] = BASE64_STANDARD_NO_PAD.encode(&enc[..1119]);
        assert!(is_invalid_header(identity.unwrap_stanza(&s)));
        let mut s = dup(&stanza);
        s.args[0] = BASE64_STANDARD_NO_PAD.encode([&enc[..], &[0]].concat());
        assert!(is_invalid_header(identity.unwrap_stanza(&s)));

        // Non-canonical base64: 1120 bytes = 1493 chars + 2 trailing bits, which
        // must be zero. Setting them changes no decoded byte.
        let mut s = dup(&stanza);
        let arg = &stanza.args[0];
        let last = arg.chars().last().unwrap();
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let idx = alphabet.iter().position(|&c| c == last as u8).unwrap();
        assert_eq!(idx & 3, 0);
        s.args[0] = format!("{}{}", &arg[..arg.len() - 1], alphabet[idx | 1] as char);
        assert!(is_invalid_header(identity.unwrap_stanza(&s)));
        // Padded base64 is not accepted either.
        let mut s = dup(&stanza);
        s.args[0] = format!("{arg}=");
        assert!(is_invalid_header(identity.unwrap_stanza(&s)));

        // Body of 31 and 33 bytes.
        let mut s = dup(&stanza);
        s.body.pop();
        assert!(is_invalid_header(identity.unwrap_stanza(&s)));
        let mut s = dup(&stanza);
        s.body.push(0);
        assert!(is_invalid_header(identity.unwrap_stanza(&s)));

        // ct_x25519 all zero: a low-order point, all-zero shared secret.
        let mut s = dup(&stanza);
        let mut bad = enc.clone();
        bad[1088..].fill(0);
        s.args[0] = BASE64_STANDARD_NO_PAD.encode(&bad);
        assert!(is_invalid_header(identity.unwrap_stanza(&s)));
        // Another low-order point (order 8), from the X25519 literature.
        let mut bad = enc.clone();
        bad[1088..].copy_from_slice(
            &hex::decode("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")
                .unwrap(),
        );
        s.args[0] = BASE64_STANDARD_NO_PAD.encode(&bad);
        assert!(is_invalid_header(identity.unwrap_stanza(&s)));

        // A flipped byte in the ML-KEM ciphertext: implicit rejection, then the
        // AEAD fails, so the stanza is simply not for us.
        let mut s = dup(&stanza);
        let mut bad = enc.clone();
        bad[100] ^= 0x01;
        s.args[0] = BASE64_STANDARD_NO_PAD.encode(&bad);
        assert!(identity.unwrap_stanza(&s).is_none());
        // A flipped byte in the X25519 share (still a valid point): not for us.
        let mut bad = enc.clone();
        bad[1100] ^= 0x01;
        s.args[0] = BASE64_STANDARD_NO_PAD.encode(&bad);
        assert!(identity.unwrap_stanza(&s).is_none());
        // A flipped byte in the body: not for us.
        let mut s = dup(&stanza);
        s.body[0] ^= 0x80;
        assert!(identity.unwrap_stanza(&s).is_none());

        // The original still works.
        assert!(identity.unwrap_stanza(&stanza).unwrap().is_ok());
    }

    #[test]
    fn hpke_kem_round_trip() {
        use hpke::Kem as _;
        let (sk, pk) = Kem::gen_keypair(&mut OsRng);
        let (enc, ct) = hpke_seal::<Kem, _>(&pk, b"info", b"plaintext", &mut OsRng);
        let enc = kem::EncappedKey::from_bytes(&enc.to_bytes()).unwrap();
        let pt = hpke_open::<Kem>(&enc, &sk, b"info", &ct).unwrap();
        assert_eq!(pt, b"plaintext");
        let sk2 = kem::PrivateKey::from_bytes(&sk.to_bytes()).unwrap();
        assert!(sk2 == sk);
        assert_eq!(kem::PublicKey::from_bytes(&pk.to_bytes()).unwrap(), pk);
    }
}
