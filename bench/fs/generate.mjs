#!/usr/bin/env node
// generate.mjs [DIR]: the fixtures of the filesystem benchmark (bench/fs/run.mjs), default
// bench/.fs-fixtures. Idempotent: a fixture that exists and checks out complete is kept; an
// incomplete one (an interrupted earlier run) is removed and built again. Each fixture is built
// under a temporary name and renamed into place when complete.
//
//   tree50k/        d00..d49 / s0..s9 / f000..f099.txt: 50,000 small text files. Exactly 10 of them,
//                   spread over the tree, are named fNNN_needle.txt and contain NEEDLE_7731. Beside
//                   them (not counted in the 50,000): a .gitignore, three .env files and a small
//                   node_modules/ (3 packages), so that excludes and secret filters have something to
//                   skip; none of those holds the needle.
//   tree5k/         t00..t49 / tNN_fMM.txt (99 per dir): 50 + 4,950 = 5,000 entries, names unique
//                   across the tree so that a result can be checked by counting distinct names.
//   dir10k/         e00000.txt .. e09999.txt: 10,000 files in one directory.
//   file-20mib.txt  262,144 lines of exactly 80 bytes ("L0000001 ..." numbered from 1): 20 MiB.
import { existsSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_DIR = resolve(here, '..', '.fs-fixtures');
export const NEEDLE = 'NEEDLE_7731';
// tree50k: which (dir, subdir, file) hold the needle: one in every fifth top-level dir.
export const NEEDLES = Array.from({ length: 10 }, (_, i) => ({ d: i * 5 + (i % 3), s: (i * 3) % 10, f: (i * 37 + 11) % 100 }));
const pad = (n, w) => String(n).padStart(w, '0');
export const needlePath = ({ d, s, f }) => `d${pad(d, 2)}/s${s}/f${pad(f, 3)}_needle.txt`;
const LINE_BYTES = 80;
const FILE_20MIB_LINES = (20 * 1024 * 1024) / LINE_BYTES; // 262,144

function smallText(name, extra = '') {
  return `file ${name}\nlorem ipsum dolor sit amet, consectetur adipiscing elit\n${extra}sed do eiusmod tempor incididunt\n`;
}

// ---- builders (write into tmp, which is renamed into place by the caller) ----
function buildTree50k(tmp) {
  const needles = new Set(NEEDLES.map(needlePath));
  for (let d = 0; d < 50; d++) {
    for (let s = 0; s < 10; s++) {
      const sub = join(tmp, `d${pad(d, 2)}`, `s${s}`);
      mkdirSync(sub, { recursive: true });
      for (let f = 0; f < 100; f++) {
        const needle = `d${pad(d, 2)}/s${s}/f${pad(f, 3)}_needle.txt`;
        if (needles.has(needle)) writeFileSync(join(tmp, needle), smallText(needle, `the ${NEEDLE} is here\n`));
        else writeFileSync(join(sub, `f${pad(f, 3)}.txt`), smallText(`d${pad(d, 2)}/s${s}/f${pad(f, 3)}.txt`));
      }
    }
  }
  writeFileSync(join(tmp, '.gitignore'), 'node_modules/\n.env\n');
  for (const p of ['.env', 'd10/.env', 'd33/s7/.env']) writeFileSync(join(tmp, p), 'API_KEY=not-a-real-secret\nDB_PASSWORD=hunter2\n');
  for (const pkg of ['left-pad', 'is-odd', 'tiny-lib']) {
    const base = join(tmp, 'node_modules', pkg);
    mkdirSync(join(base, 'lib'), { recursive: true });
    writeFileSync(join(base, 'package.json'), `{"name":"${pkg}","version":"1.0.0","main":"lib/index.js"}\n`);
    for (let i = 0; i < 10; i++) writeFileSync(join(base, 'lib', `m${i}.js`), `module.exports = ${i};\n`);
  }
}
function checkTree50k(dir) {
  const needles = new Set(NEEDLES.map(needlePath));
  let n = 0; let found = 0;
  for (let d = 0; d < 50; d++) {
    for (let s = 0; s < 10; s++) {
      const names = readdirSync(join(dir, `d${pad(d, 2)}`, `s${s}`));
      n += names.filter((x) => x.endsWith('.txt')).length;
      found += names.filter((x) => needles.has(`d${pad(d, 2)}/s${s}/${x}`)).length;
    }
  }
  return n === 50_000 && found === 10 && existsSync(join(dir, 'node_modules', 'tiny-lib', 'lib', 'm9.js'));
}

function buildTree5k(tmp) {
  for (let d = 0; d < 50; d++) {
    const sub = join(tmp, `t${pad(d, 2)}`);
    mkdirSync(sub, { recursive: true });
    for (let f = 0; f < 99; f++) writeFileSync(join(sub, `t${pad(d, 2)}_f${pad(f, 2)}.txt`), smallText(`t${pad(d, 2)}_f${pad(f, 2)}`));
  }
}
function checkTree5k(dir) {
  const top = readdirSync(dir);
  return top.length === 50 && top.every((t) => readdirSync(join(dir, t)).length === 99);
}

function buildDir10k(tmp) {
  mkdirSync(tmp, { recursive: true });
  for (let i = 0; i < 10_000; i++) writeFileSync(join(tmp, `e${pad(i, 5)}.txt`), smallText(`e${pad(i, 5)}`));
}
const checkDir10k = (dir) => readdirSync(dir).length === 10_000;

function buildFile20mib(tmp) {
  const fd = openSync(tmp, 'w');
  const filler = 'the quick brown fox jumps over the lazy dog 0123456789 abcdefghijklmnopqrstuvwxyz';
  const perChunk = 8192; let chunk = [];
  for (let i = 1; i <= FILE_20MIB_LINES; i++) {
    const head = `L${pad(i, 7)} `;
    chunk.push(head + filler.slice(0, LINE_BYTES - 1 - head.length) + '\n');
    if (chunk.length === perChunk || i === FILE_20MIB_LINES) { writeSync(fd, chunk.join('')); chunk = []; }
  }
  closeSync(fd);
}
const checkFile20mib = (file) => statSync(file).size === FILE_20MIB_LINES * LINE_BYTES;

export const FIXTURES = [
  { name: 'tree50k', build: buildTree50k, check: checkTree50k },
  { name: 'tree5k', build: buildTree5k, check: checkTree5k },
  { name: 'dir10k', build: buildDir10k, check: checkDir10k },
  { name: 'file-20mib.txt', build: buildFile20mib, check: checkFile20mib },
];

export function generate(root = DEFAULT_DIR, log = (m) => process.stderr.write(`${m}\n`)) {
  mkdirSync(root, { recursive: true });
  // leftovers of an interrupted run
  for (const name of readdirSync(root)) if (name.includes('.tmp-')) rmSync(join(root, name), { recursive: true, force: true });
  for (const { name, build, check } of FIXTURES) {
    const target = join(root, name);
    if (existsSync(target)) {
      let ok = false;
      try { ok = check(target); } catch { ok = false; }
      if (ok) { log(`fs fixtures: ${name} ok`); continue; }
      log(`fs fixtures: ${name} incomplete, rebuilding`);
      rmSync(target, { recursive: true, force: true });
    }
    const t0 = performance.now();
    const tmp = join(root, `${name}.tmp-${process.pid}`);
    build(tmp);
    renameSync(tmp, target);
    if (!check(target)) throw new Error(`fs fixtures: ${name} failed its own check after building`);
    log(`fs fixtures: ${name} built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return root;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = process.argv[2];
  if (arg === '-h' || arg === '--help') { console.log('usage: node bench/fs/generate.mjs [DIR]   (default bench/.fs-fixtures)'); process.exit(0); }
  console.log(generate(arg ? resolve(arg) : DEFAULT_DIR));
}
