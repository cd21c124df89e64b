'use strict';
// check-repos.js BASE -- the tuf-js client (5.x) against repositories that
// tests/integration/tuf-repo-gen wrote under BASE (one directory per
// scenario, all under the keys of BASE/good/1.root.json, the trust anchor).
//
// BASE is served over HTTP on 127.0.0.1 (an ephemeral port), and for each
// scenario a fresh Updater does what a device does: root (walking
// N.root.json), timestamp, snapshot, targets, then getTargetInfo and
// downloadTarget of hello.txt. "good" must succeed; every other scenario
// must be refused. Prints one line per scenario and "N passed, N failed";
// exits 1 on any failure.
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');

let tuf;
try {
  tuf = require('tuf-js');
} catch (e) {
  console.error('tuf-js is not installed: run  npm install --prefix tests/integration/tuf-js --no-audit --no-fund');
  process.exit(3);
}

const HELLO = 'hello from wavesign\n';
const base = path.resolve(process.argv[2] || '');

function serve(root) {
  return new Promise((resolve, reject) => {
    const server = http.createServer((req, res) => {
      const rel = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
      const file = path.join(root, path.normalize(rel));
      if (!file.startsWith(root + path.sep)) {
        res.writeHead(403);
        res.end();
        return;
      }
      fs.readFile(file, (err, data) => {
        if (err) {
          res.writeHead(404);
          res.end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(data);
      });
    });
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function tmpdir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

// A device's update: refresh and download; returns what it trusted.
async function update(port, scenario, metadataDir) {
  const url = `http://127.0.0.1:${port}/${scenario}`;
  const updater = new tuf.Updater({
    metadataDir,
    metadataBaseUrl: url,
    targetDir: tmpdir('tufjs-targets-'),
    targetBaseUrl: `${url}/targets`,
    config: { fetchRetry: false, fetchTimeout: 10000 },
  });
  await updater.refresh();
  const info = await updater.getTargetInfo('hello.txt');
  if (!info) throw new Error('hello.txt is not in the targets');
  const file = await updater.downloadTarget(info);
  if (fs.readFileSync(file, 'utf8') !== HELLO) throw new Error('downloaded bytes differ');
  const root = JSON.parse(fs.readFileSync(path.join(metadataDir, 'root.json')));
  const ts = JSON.parse(fs.readFileSync(path.join(metadataDir, 'timestamp.json')));
  return { root: root.signed.version, timestamp: ts.signed.version, custom: info.custom };
}

function freshCache() {
  const dir = tmpdir('tufjs-meta-');
  fs.copyFileSync(path.join(base, 'good', '1.root.json'), path.join(dir, 'root.json'));
  return dir;
}

async function main() {
  const server = await serve(base);
  const port = server.address().port;
  let passed = 0;
  let failed = 0;
  const pass = (msg) => { passed++; console.log(`ok - ${msg}`); };
  const fail = (msg) => { failed++; console.log(`not ok - ${msg}`); };

  // The good repository: a full refresh, through the root rotation, and a download.
  const cache = freshCache();
  try {
    const got = await update(port, 'good', cache);
    if (got.root !== 2) fail(`good: trusted root v${got.root}, expected v2 after the rotation`);
    else if (!got.custom || got.custom['x-note'] !== 'original') fail('good: custom fields not kept');
    else pass(`good: root v1 -> v${got.root}, timestamp v${got.timestamp}, hello.txt downloaded and verified`);
  } catch (e) {
    fail(`good: ${e.constructor.name}: ${e.message}`);
  }

  const refused = ['wrong-key', 'expired', 'duplicate-signature', 'tampered-targets',
    'tampered-signed', 'stale-root', 'tampered-target'];
  for (const scenario of refused) {
    try {
      await update(port, scenario, freshCache());
      fail(`${scenario}: accepted by tuf-js`);
    } catch (e) {
      pass(`${scenario}: refused (${e.constructor.name}: ${e.message})`);
    }
  }
  // A rollback needs a device that has seen the newer timestamp: reuse good's cache.
  try {
    await update(port, 'stale-timestamp', cache);
    fail('stale-timestamp: accepted by a client that had timestamp v2');
  } catch (e) {
    pass(`stale-timestamp: refused (${e.constructor.name}: ${e.message})`);
  }

  server.close();
  console.log(`tuf-js: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
