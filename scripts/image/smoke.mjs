#!/usr/bin/env node
// Smoke-tests an image built by scripts/image/build-image.sh. The image's entrypoint runs under
// `buildah run --isolation chroot` in a working container, with a real MCP client speaking stdio to
// it (scripts/image/test-deployed.sh runs images with `podman run`). Checks: the OCI labels, that
// the image's default user is uid 1000, initialize, tools/list and one tools/call.
//
// Usage: node scripts/image/smoke.mjs <image> [--call <tool> <json-arguments>] [--spec <image-smoke.json>] [-- app args...]
// A spec may also name `services` to start on the host's loopback first (see SERVICES) and `env`
// for the server, whose values may refer to a service's values as {service.key}.
// Ends with "image smoke <name>: N passed, N failed"; exits 1 on any failure. Uses the storage of
// BASTION_IMAGE_WORK (default <repo>/.image-work), like build-image.sh.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/client/stdio';

const LABELS = [
  'org.opencontainers.image.title',
  'org.opencontainers.image.description',
  'org.opencontainers.image.source',
  'org.opencontainers.image.licenses',
  'io.modelcontextprotocol.server.name',
];
const TIMEOUT_MS = 120_000;

const parseJson = (text, what) => {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${what}: not valid JSON (${error.message})`);
  }
};
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
// What an image needs beside it, started on the host (the container shares its network).
const SERVICES = {
  async 'postgres-demo'() {
    const { startDemo } = await import(pathToFileURL(join(root, 'apps', 'postgres', 'dist', 'demo', 'start-demo.js')).href);
    const demo = await startDemo();
    return { values: { url: demo.url }, stop: () => demo.stop() };
  },
};
const usage = 'usage: smoke.mjs <image> [--call <tool> <json-arguments>] [--spec <image-smoke.json>] [-- app args...]';
const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const own = dash === -1 ? argv : argv.slice(0, dash);
let appArgs = dash === -1 ? [] : argv.slice(dash + 1);
let image;
let call;
let services = [];
let serverEnv = {};
try {
  for (let i = 0; i < own.length; i++) {
    if (own[i] === '--call') {
      const [tool, json] = [own[++i], own[++i]];
      if (!tool || json === undefined) throw new Error('--call needs <tool> <json-arguments>');
      call = { name: tool, arguments: parseJson(json, `--call ${tool}`) };
    } else if (own[i] === '--spec') {
      const file = own[++i];
      const spec = parseJson(readFileSync(file, 'utf8'), file);
      call = spec.call;
      appArgs = spec.args ?? [];
      services = spec.services ?? [];
      serverEnv = spec.env ?? {};
    } else if (!image && !own[i].startsWith('-')) {
      image = own[i];
    } else {
      throw new Error(`unexpected argument ${own[i]}`);
    }
  }
  if (!image) throw new Error('no image given');
  if (call && (typeof call.name !== 'string' || !call.arguments || typeof call.arguments !== 'object' || Array.isArray(call.arguments))) {
    throw new Error('the call needs a tool name and a JSON object of arguments');
  }
  if (!Array.isArray(appArgs) || appArgs.some((arg) => typeof arg !== 'string')) throw new Error('the app args must be an array of strings');
  const unknown = (Array.isArray(services) ? services : [services]).filter((service) => !(service in SERVICES));
  if (!Array.isArray(services) || unknown.length > 0) throw new Error(`unknown services ${unknown.join(', ')}; known: ${Object.keys(SERVICES).join(', ')}`);
  if (typeof serverEnv !== 'object' || Object.values(serverEnv).some((value) => typeof value !== 'string')) throw new Error('env must map names to strings');
} catch (error) {
  process.stderr.write(`image smoke: ${error.message}\n${usage}\n`);
  process.exit(2);
}

const work = process.env.BASTION_IMAGE_WORK ?? join(root, '.image-work');
const store = ['--root', join(work, 'storage'), '--runroot', join(work, 'run'), '--storage-driver', 'vfs'];
const env = { ...process.env, TMPDIR: join(work, 'tmp') };
mkdirSync(env.TMPDIR, { recursive: true });
const buildah = (...args) => execFileSync('buildah', [...store, ...args], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const name = image.replace(/^.*\//, '').replace(/[:@].*$/, '').replace(/^bastion-/, '');

let passed = 0;
let failed = 0;
function check(label, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  process.stderr.write(`  ${ok ? 'ok  ' : 'FAIL'} ${label}${detail ? `: ${detail}` : ''}\n`);
  return ok;
}
const running = [];
async function finish() {
  for (const service of running.splice(0)) {
    await service.stop().catch((error) => process.stderr.write(`image smoke: could not stop a service: ${error.message}\n`));
  }
  process.stdout.write(`image smoke ${name}: ${passed} passed, ${failed} failed\n`);
  process.exit(failed ? 1 : 0);
}
const reason = (error) => (error.stderr?.trim() || error.message).split('\n').slice(-5).join('\n');

let config;
let container;
try {
  config = JSON.parse(buildah('inspect', '--type', 'image', image)).OCIv1.config;
  container = buildah('from', '--pull=never', '--quiet', image);
} catch (error) {
  check(`open ${image}`, false, `${reason(error)}\n  (build it first with scripts/image/build-image.sh)`);
  await finish();
}
const removeContainer = () => {
  try {
    buildah('rm', container);
  } catch (error) {
    process.stderr.write(`image smoke: could not remove working container ${container}: ${reason(error)}\n`);
  }
};
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => (removeContainer(), process.exit(1)));

const labels = config.Labels ?? {};
const missing = LABELS.filter((label) => !labels[label]);
check('OCI and MCP labels', missing.length === 0, missing.length ? `missing ${missing.join(', ')}` : labels['io.modelcontextprotocol.server.name']);

// Without --user, buildah run takes the user from the image config, as `docker run` would.
try {
  const uid = buildah('run', '--isolation', 'chroot', container, '--', 'id', '-u');
  check('runs as uid 1000 by default', uid === '1000', `USER ${config.User || '(unset)'} is uid ${uid}`);
} catch (error) {
  check('runs as uid 1000 by default', false, reason(error));
}

const envArgs = [];
for (const service of services) {
  try {
    const started = await SERVICES[service]();
    running.push(started);
    for (const [key, value] of Object.entries(serverEnv)) {
      serverEnv[key] = value.replace(new RegExp(`\\{${service}\\.(\\w+)\\}`, 'g'), (whole, name) => started.values[name] ?? whole);
    }
    check(`service ${service}`, true);
  } catch (error) {
    check(`service ${service}`, false, error.message);
    removeContainer();
    await finish();
  }
}
for (const [key, value] of Object.entries(serverEnv)) envArgs.push('--env', `${key}=${value}`);
const entrypoint = [...(config.Entrypoint ?? []), ...(appArgs.length ? appArgs : (config.Cmd ?? []))];
const transport = new StdioClientTransport({
  command: 'buildah',
  args: [...store, 'run', '--isolation', 'chroot', '--user', 'node', ...envArgs, container, '--', ...entrypoint],
  env: { ...getDefaultEnvironment(), TMPDIR: env.TMPDIR },
  stderr: 'pipe',
});
let serverLog = '';
transport.stderr?.setEncoding('utf8').on('data', (chunk) => {
  serverLog = (serverLog + chunk).slice(-4000);
});
const client = new Client({ name: 'bastion-image-smoke', version: '1.0.0' });
const timer = setTimeout(() => {
  check(`finished within ${TIMEOUT_MS / 1000} s`, false, serverLog.trim());
  void transport.close();
  removeContainer();
  void finish();
}, TIMEOUT_MS);

const step = async (label, fn) => {
  try {
    const detail = await fn();
    return check(label, true, detail);
  } catch (error) {
    return check(label, false, `${error.message}${serverLog.trim() ? `\n  server stderr:\n${serverLog.trim()}` : ''}`);
  }
};
process.stderr.write(`image smoke ${name}: ${entrypoint.join(' ')}\n`);
const connected = await step('initialize', async () => {
  await client.connect(transport);
  const info = client.getServerVersion();
  return `${info?.name} ${info?.version}, protocol ${client.getNegotiatedProtocolVersion()}`;
});
if (connected) {
  await step('tools/list', async () => {
    const { tools } = await client.listTools();
    if (tools.length === 0) throw new Error('the server offers no tools');
    if (call && !tools.some((tool) => tool.name === call.name)) throw new Error(`no tool named ${call.name}`);
    return `${tools.length} tools`;
  });
  if (call) {
    await step(`tools/call ${call.name}`, async () => {
      const result = await client.callTool(call);
      const text = JSON.stringify(result.structuredContent ?? result.content).slice(0, 200);
      if (result.isError) throw new Error(`error result ${text}`);
      return text;
    });
  }
}
await client.close().catch(() => {});
clearTimeout(timer);
removeContainer();
await finish();
