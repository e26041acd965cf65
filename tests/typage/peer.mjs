// typage (npm `age-encryption`, pinned in package.json) as a command-line
// peer for lockbox's interop tests (tests/interop_typage.rs).
//
//   node peer.mjs keygen-pq                      identity line, then recipient line
//   node peer.mjs keygen-x25519                  identity line, then recipient line
//   node peer.mjs encrypt [--armor] RECIPIENT    stdin plaintext -> stdout sealed
//   node peer.mjs decrypt [--armor] IDENTITY     stdin sealed -> stdout plaintext
//   node peer.mjs decrypt-passphrase PASS        stdin sealed -> stdout plaintext
//
// stdin and stdout are raw bytes (Buffers); nothing goes through a text
// encoding except armor, which is ASCII by definition. Errors go to stderr
// with exit status 1.

import {
  Decrypter,
  Encrypter,
  armor,
  generateHybridIdentity,
  generateX25519Identity,
  identityToRecipient,
} from "age-encryption";

function usage() {
  process.stderr.write(
    "usage: node peer.mjs keygen-pq | keygen-x25519 | encrypt [--armor] RECIPIENT | " +
      "decrypt [--armor] IDENTITY | decrypt-passphrase PASS\n",
  );
  process.exit(2);
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

// Resolves once everything is handed to the OS, so a large output is not cut
// short when the process exits.
function writeStdout(data) {
  return new Promise((resolve, reject) => {
    process.stdout.write(data, (err) => (err ? reject(err) : resolve()));
  });
}

// Separates `--armor` from the single positional argument.
function parse(rest) {
  const armored = rest.includes("--armor");
  const positional = rest.filter((a) => a !== "--armor");
  if (positional.length !== 1) usage();
  return { armored, arg: positional[0] };
}

async function keygen(generate) {
  const identity = await generate();
  const recipient = await identityToRecipient(identity);
  await writeStdout(`${identity}\n${recipient}\n`);
}

async function encrypt(rest) {
  const { armored, arg } = parse(rest);
  const plaintext = new Uint8Array(await readStdin());
  const e = new Encrypter();
  e.addRecipient(arg);
  const sealed = await e.encrypt(plaintext);
  await writeStdout(armored ? Buffer.from(armor.encode(sealed), "latin1") : Buffer.from(sealed));
}

async function decrypt(d, armored) {
  const input = await readStdin();
  // latin1 maps bytes 1:1 to code points, so a stray non-ASCII byte reaches
  // the strict armor parser as-is instead of being replaced.
  const sealed = armored ? armor.decode(input.toString("latin1")) : new Uint8Array(input);
  const plaintext = await d.decrypt(sealed, "uint8array");
  await writeStdout(Buffer.from(plaintext));
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  switch (command) {
    case "keygen-pq":
      if (rest.length !== 0) usage();
      return keygen(generateHybridIdentity);
    case "keygen-x25519":
      if (rest.length !== 0) usage();
      return keygen(generateX25519Identity);
    case "encrypt":
      return encrypt(rest);
    case "decrypt": {
      const { armored, arg } = parse(rest);
      const d = new Decrypter();
      d.addIdentity(arg);
      return decrypt(d, armored);
    }
    case "decrypt-passphrase": {
      const { armored, arg } = parse(rest);
      const d = new Decrypter();
      d.addPassphrase(arg);
      return decrypt(d, armored);
    }
    default:
      usage();
  }
}

main().catch((err) => {
  process.stderr.write(`typage peer: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
