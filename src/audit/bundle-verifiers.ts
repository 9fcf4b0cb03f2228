/**
 * The offline verifiers shipped in the evidence bundle (src/audit/bundle.ts): they check the
 * events, their inclusion proofs and the signed checkpoint with what an auditor has, without this
 * software. `verify_bundle.mjs`: Node 20+ alone (node:crypto, node:fs), no dependency.
 * `verify_bundle.py`: Python 3's standard library, plus the `openssl` command (3.0+) for the
 * Ed25519 signature. Both exit 0 when everything holds, 1 otherwise, printing what fails.
 */
export const VERIFY_BUNDLE_MJS = `#!/usr/bin/env node
// Offline check of a ti-ledger evidence bundle; Node 20+, no dependency. Usage: node verify_bundle.mjs [DIR]
// 1. checkpoint.json is signed (Ed25519) by public-key.pem, whose SHA-256 of the raw key is its keyId;
// 2. every event in events.jsonl hashes to its "hash" and chains to the previous one of its stream;
// 3. every event's leaf, SHA-256(0x00 || hash bytes), is in the checkpoint's tree (RFC 9162 §2.1.3.2).
import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
const dir = process.argv[2] ?? '.';
const read = (f) => readFileSync(join(dir, f), 'utf8');
const sha = (...parts) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest();
// RFC 8785 (JCS): in JavaScript, JSON.stringify with keys sorted by UTF-16 code units
const jcs = (v) =>
  v === null || typeof v !== 'object'
    ? JSON.stringify(v)
    : Array.isArray(v)
      ? '[' + v.map(jcs).join(',') + ']'
      : '{' + Object.keys(v).sort().filter((k) => v[k] !== undefined).map((k) => JSON.stringify(k) + ':' + jcs(v[k])).join(',') + '}';
const node = (l, r) => sha(Buffer.from([1]), l, r);
function included(index, size, leaf, path, root) {
  if (!(index >= 0 && index < size)) return false;
  let fn = index, sn = size - 1, r = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = node(p, r);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else r = node(r, p);
    fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}
let failures = 0;
const fail = (m) => { failures++; console.log('FAIL ' + m); };
let cp;
try { cp = JSON.parse(read('checkpoint.json')); } catch (e) { fail('checkpoint.json: ' + e.message); cp = {}; }
const key = createPublicKey(read('public-key.pem'));
const raw = key.export({ type: 'spki', format: 'der' }).subarray(-32);
if (sha(raw).toString('hex') !== cp.keyId) fail('checkpoint keyId is not the SHA-256 of public-key.pem');
const { signature, ...body } = cp;
let signed = false;
try { signed = verify(null, Buffer.from(jcs(body), 'utf8'), key, Buffer.from(String(signature), 'base64')); } catch {}
if (!signed) fail('checkpoint signature does not verify with public-key.pem');
const root = Buffer.from(String(cp.rootHash), 'hex');
const events = read('events.jsonl').split('\\n').filter((l) => l.trim() !== '');
const proofs = read('proofs.jsonl').split('\\n').filter((l) => l.trim() !== '');
if (events.length !== proofs.length) fail(\`\${events.length} events but \${proofs.length} proofs\`);
const heads = new Map();
events.forEach((line, i) => {
  let e, p;
  try { e = JSON.parse(line); p = JSON.parse(proofs[i] ?? 'null') ?? {}; } catch (err) { return fail(\`line \${i + 1}: \${err.message}\`); }
  const where = \`line \${i + 1} (\${e.stream} revision \${e.revision})\`;
  const h = sha(jcs({ stream: e.stream, revision: e.revision, type: e.type, schemaVersion: e.schemaVersion, data: e.data, metadata: e.metadata, prevHash: e.prevHash })).toString('hex');
  const [rev, prev] = heads.get(e.stream) ?? [-1, ''];
  if (h !== e.hash) fail(where + ': the event does not hash to its hash');
  if (e.prevHash !== prev || e.revision !== rev + 1) fail(where + ': breaks the chain of its stream');
  heads.set(e.stream, [e.revision, e.hash]);
  if (p.eventId !== e.eventId) fail(where + ': its proof is for another event');
  if (p.treeSize !== cp.logSize) fail(where + ': its proof is for a tree of another size');
  const leaf = sha(Buffer.from([0]), Buffer.from(h, 'hex'));
  const path = (Array.isArray(p.inclusionPath) ? p.inclusionPath : []).map((x) => Buffer.from(String(x), 'hex'));
  if (!included(p.leafIndex, cp.logSize, leaf, path, root)) fail(where + ': not in the signed tree (inclusion proof fails)');
});
console.log(\`\${events.length} events, \${heads.size} streams, checkpoint of \${cp.logSize} events by key \${cp.keyId}: \${failures ? failures + ' FAILED' : 'all verified'}\`);
process.exit(failures ? 1 : 0);
`;

export const VERIFY_BUNDLE_PY = `#!/usr/bin/env python3
# Offline check of a ti-ledger evidence bundle: Python 3 standard library, plus openssl (3.0+) for the
# Ed25519 signature. Usage: python3 verify_bundle.py [DIR]. Same checks as verify_bundle.mjs.
import base64, hashlib, json, os, subprocess, sys, tempfile
d = sys.argv[1] if len(sys.argv) > 1 else '.'
p = lambda f: os.path.join(d, f)
sha = lambda *parts: hashlib.sha256(b''.join(parts)).digest()
# JCS (RFC 8785) of these values (strings, integers, booleans, null): sorted keys, no spaces, UTF-8
jcs = lambda v: json.dumps(v, sort_keys=True, separators=(',', ':'), ensure_ascii=False)
failures = 0
def fail(m):
    global failures
    failures += 1
    print('FAIL ' + m)
def included(index, size, leaf, path, root):
    if not (isinstance(index, int) and 0 <= index < size):
        return False
    fn, sn, r = index, size - 1, leaf
    for h in path:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = sha(b'\\x01', h, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = sha(b'\\x01', r, h)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root
try:
    cp = json.load(open(p('checkpoint.json'), encoding='utf-8'))
except Exception as e:
    fail('checkpoint.json: %s' % e)
    cp = {}
der = subprocess.run(['openssl', 'pkey', '-pubin', '-in', p('public-key.pem'), '-outform', 'DER'], capture_output=True).stdout
if hashlib.sha256(der[-32:]).hexdigest() != cp.get('keyId'):
    fail('checkpoint keyId is not the SHA-256 of public-key.pem')
body = {k: v for k, v in cp.items() if k != 'signature'}
with tempfile.TemporaryDirectory() as t:
    open(os.path.join(t, 'body'), 'wb').write(jcs(body).encode('utf-8'))
    try:
        open(os.path.join(t, 'sig'), 'wb').write(base64.b64decode(cp.get('signature', ''), validate=True))
    except Exception:
        pass
    ok = subprocess.run(['openssl', 'pkeyutl', '-verify', '-pubin', '-inkey', p('public-key.pem'), '-rawin',
                         '-in', os.path.join(t, 'body'), '-sigfile', os.path.join(t, 'sig')], capture_output=True)
    if ok.returncode != 0:
        fail('checkpoint signature does not verify with public-key.pem')
try:
    root = bytes.fromhex(cp.get('rootHash', ''))
except ValueError:
    root = b''
size = cp.get('logSize')
events = [l for l in open(p('events.jsonl'), encoding='utf-8').read().split('\\n') if l.strip()]
proofs = [l for l in open(p('proofs.jsonl'), encoding='utf-8').read().split('\\n') if l.strip()]
if len(events) != len(proofs):
    fail('%d events but %d proofs' % (len(events), len(proofs)))
heads = {}
for i, line in enumerate(events):
    try:
        e = json.loads(line)
        pr = json.loads(proofs[i]) if i < len(proofs) else {}
    except Exception as ex:
        fail('line %d: %s' % (i + 1, ex))
        continue
    where = 'line %d (%s revision %s)' % (i + 1, e.get('stream'), e.get('revision'))
    h = hashlib.sha256(jcs({k: e.get(k) for k in ('stream', 'revision', 'type', 'schemaVersion', 'data', 'metadata', 'prevHash')}).encode('utf-8')).hexdigest()
    rev, prev = heads.get(e.get('stream'), (-1, ''))
    if h != e.get('hash'):
        fail(where + ': the event does not hash to its hash')
    if e.get('prevHash') != prev or e.get('revision') != rev + 1:
        fail(where + ': breaks the chain of its stream')
    heads[e.get('stream')] = (e.get('revision'), e.get('hash'))
    if pr.get('eventId') != e.get('eventId'):
        fail(where + ': its proof is for another event')
    if pr.get('treeSize') != size:
        fail(where + ': its proof is for a tree of another size')
    try:
        path = [bytes.fromhex(x) for x in pr.get('inclusionPath', [])]
    except (ValueError, TypeError):
        path = None
    if path is None or not isinstance(size, int) or not included(pr.get('leafIndex'), size, sha(b'\\x00', bytes.fromhex(h)), path, root):
        fail(where + ': not in the signed tree (inclusion proof fails)')
print('%d events, %d streams, checkpoint of %s events by key %s: %s' % (
    len(events), len(heads), size, cp.get('keyId'), ('%d FAILED' % failures) if failures else 'all verified'))
sys.exit(1 if failures else 0)
`;
