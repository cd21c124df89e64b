'use strict';
// check-wave.js REPO CACHE TARGET FILE [expect-fail] -- a device with the
// tuf-js client (5.x) updating from a repository the daemon signed
// (t-waves-tuf.sh): REPO is served over HTTP on 127.0.0.1; an Updater
// whose trusted metadata lives in CACHE (seeded with REPO/1.root.json the
// first time, kept between runs as a device keeps it) refreshes root ->
// timestamp -> snapshot -> targets, then gets TARGET's info and downloads
// it (from REPO/targets, hash-prefixed as consistent snapshots name it);
// the bytes must equal FILE. Prints one line: the versions it trusts and
// TARGET's custom.version. With expect-fail, succeeding is the failure.
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

const [repo, cache, target, file, mode] = process.argv.slice(2).map((a, i) => (i < 2 ? path.resolve(a) : a));

function serve(root) {
  return new Promise((resolve, reject) => {
    const server = http.createServer((req, res) => {
      const rel = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
      const f = path.join(root, path.normalize(rel));
      if (!f.startsWith(root + path.sep)) {
        res.writeHead(403);
        res.end();
        return;
      }
      fs.readFile(f, (err, data) => {
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

async function main() {
  if (!fs.existsSync(path.join(cache, 'root.json'))) {
    fs.mkdirSync(cache, { recursive: true });
    fs.copyFileSync(path.join(repo, '1.root.json'), path.join(cache, 'root.json'));
  }
  const server = await serve(repo);
  const url = `http://127.0.0.1:${server.address().port}`;
  let line;
  let ok = false;
  try {
    const updater = new tuf.Updater({
      metadataDir: cache,
      metadataBaseUrl: url,
      targetDir: fs.mkdtempSync(path.join(os.tmpdir(), 'tufjs-wave-')),
      targetBaseUrl: `${url}/targets`,
      config: { fetchRetry: false, fetchTimeout: 10000 },
    });
    await updater.refresh();
    const info = await updater.getTargetInfo(target);
    if (!info) throw new Error(`${target} is not in the targets`);
    const got = await updater.downloadTarget(info);
    if (!fs.readFileSync(got).equals(fs.readFileSync(file))) throw new Error('downloaded bytes differ');
    const v = (role) => JSON.parse(fs.readFileSync(path.join(cache, `${role}.json`))).signed.version;
    line = `root v${v('root')}, timestamp v${v('timestamp')}, snapshot v${v('snapshot')}, ` +
      `targets v${v('targets')}: ${target} (custom.version ${info.custom.version}, tags ${JSON.stringify(info.custom.tags)}) downloaded and verified`;
    ok = true;
  } catch (e) {
    line = `${e.constructor.name}: ${e.message}`;
  }
  server.close();
  console.log(line);
  process.exit(ok === (mode !== 'expect-fail') ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
