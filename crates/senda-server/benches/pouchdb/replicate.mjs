// The peer side of Senda's sync benchmark: a PouchDB database on disk (LevelDB)
// replicates documents to pouchdb-server (on disk too) in batches, through a
// TCP proxy that counts every byte both ways, as Senda's side of the benchmark
// does. The documents are the records Senda's side pushes (`--docs-file`, written
// by benches/sync.rs), or N generated referral-shaped ones. Prints one JSON line.
//
// node replicate.mjs [--docs-file docs.json | --docs 10000] [--batch 200]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import PouchDB from 'pouchdb';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const fileArg = process.argv.indexOf('--docs-file');
const given = fileArg > 0 ? JSON.parse(readFileSync(process.argv[fileArg + 1], 'utf8')) : null;
const DOCS = given ? given.length : arg('docs', 10000);
const BATCH = arg('batch', 200);
const here = fileURLToPath(new URL('.', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'senda-pouch-'));

const freePort = () =>
  new Promise((ok) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });

async function waitFor(url) {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`pouchdb-server did not answer at ${url}`);
}

/** A TCP relay that counts bytes client→server (up) and server→client (down). */
function countingProxy(target) {
  const counts = { up: 0, down: 0, connections: 0 };
  const server = net.createServer((client) => {
    counts.connections++;
    const upstream = net.connect(target, '127.0.0.1');
    client.on('data', (b) => (counts.up += b.length));
    upstream.on('data', (b) => (counts.down += b.length));
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, counts })));
}

/** The same fields as Senda's referral op (see benches/sync.rs), readable here. */
function referral(i) {
  const id = (n) => n.toString(16).padStart(32, '0');
  return {
    _id: id(i + 1),
    seq: i + 1,
    hlc: `001795478483298.${String(i).padStart(6, '0')}`,
    entity: 'referral',
    entity_id: id(1e9 + i),
    case_id: id(2e9 + i),
    op: 'create',
    base_version: 0,
    version: 1,
    payload: {
      code: `SND-${String(i).padStart(5, '0')}-CK0V0`,
      service_id: 'svc-alojamiento-cucuta',
      screening_id: id(3e9 + i),
      summary: {
        level: 'immediate',
        indicators: [
          { id: 'peligro-inmediato', label: { es: 'Peligro inmediato' } },
          { id: 'sin-alojamiento', label: { es: 'Sin lugar seguro donde dormir' } },
        ],
        needs: ['linea-emergencia', 'proteccion-ninez', 'alojamiento'],
        shared: { alias: 'Luz', age: 15, gender: 'girl', nationality: 'VE', languages: ['es'], travelling: 'unaccompanied', helper: 'woman' },
        note: 'Necesita alojamiento esta noche',
        reviewed_with_child: true,
      },
      follow_up: '2026-12-01',
      status: 'draft',
    },
  };
}

const port = await freePort();
const server = spawn(
  process.execPath,
  [join(here, 'node_modules/pouchdb-server/bin/pouchdb-server'), '--port', String(port), '--dir', join(work, 'server'), '--no-stdout-logs'],
  { cwd: work, stdio: 'ignore' },
);
try {
  await waitFor(`http://127.0.0.1:${port}/`);
  const proxy = await countingProxy(port);
  const local = new PouchDB(join(work, 'device'));
  for (let i = 0; i < DOCS; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, DOCS - i) }, (_, k) => (given ? given[i + k] : referral(i + k)));
    await local.bulkDocs(batch);
  }
  const remoteUrl = `http://127.0.0.1:${proxy.server.address().port}/senda`;
  await fetch(`http://127.0.0.1:${port}/senda`, { method: 'PUT' });
  const started = process.hrtime.bigint();
  const result = await PouchDB.replicate(local, new PouchDB(remoteUrl), { batch_size: BATCH });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.docs_written !== DOCS) throw new Error(`wrote ${result.docs_written} of ${DOCS}`);
  console.log(JSON.stringify({ peer: 'pouchdb', docs: DOCS, batch: BATCH, seconds, bytes_up: proxy.counts.up, bytes_down: proxy.counts.down, connections: proxy.counts.connections }));
  await local.close();
  proxy.server.close();
} finally {
  server.kill();
  rmSync(work, { recursive: true, force: true });
}
