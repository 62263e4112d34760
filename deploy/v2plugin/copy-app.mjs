#!/usr/bin/env node
// Copies the built services and only their production dependencies into the
// plugin rootfs, keeping the workspace's own layout:
//
//   <dest>/build-info.json, proto/          (found relative to packages/*/lib, as in the repo)
//   <dest>/services/<svc>/{package.json,lib/,node_modules/ -> symlinks}
//   <dest>/packages/<pkg>/{package.json,lib/,node_modules/ -> symlinks}
//   <dest>/node_modules/.pnpm/<entry>/      (only the entries the services reach)
//
// Why not `pnpm deploy`: it makes one self-contained tree per service (three
// copies of grpc-js, protobufjs, winston ...) and moves the workspace packages
// into node_modules, where @contiv/rpc no longer finds proto/ and
// @contiv/runtime no longer finds build-info.json. Following pnpm's own
// symlinks from each package's declared `dependencies` gives exactly the
// production closure the lockfile installed, shared by all services.
//
// usage: node copy-app.mjs <repo root> <dest dir> <service>...
import fs from 'node:fs';
import path from 'node:path';

const [rootArg, destArg, ...services] = process.argv.slice(2);
if (!rootArg || !destArg || services.length === 0) {
  console.error('usage: node copy-app.mjs <repo root> <dest dir> <service>...');
  process.exit(2);
}
const root = path.resolve(rootArg);
const dest = path.resolve(destArg);
const store = path.join(root, 'node_modules', '.pnpm');

/** Files no running service reads: type declarations, sources, maps, docs, our own tests. */
const SKIP_FILE = /(\.d\.[cm]?ts|\.ts|\.map|\.md|\.markdown|\.tsbuildinfo|\.test\.js)$/i;

function copyTree(from, to) {
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, e.name);
    const dst = path.join(to, e.name);
    if (e.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(src), dst);
    else if (e.isDirectory()) copyTree(src, dst);
    else if (e.isFile() && !SKIP_FILE.test(e.name)) fs.copyFileSync(src, dst);
  }
}

function copyLink(link) {
  const to = path.join(dest, path.relative(root, link));
  fs.mkdirSync(path.dirname(to), { recursive: true });
  if (!fs.existsSync(to)) fs.symlinkSync(fs.readlinkSync(link), to);
}

/** The `.pnpm` entry a path lies in, or undefined when it is not in the store. */
function storeEntry(abs) {
  const rel = path.relative(store, abs);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep)[0];
}

const workspaceDone = new Set();
const entriesDone = new Set();
const queue = [];

function addWorkspacePackage(dir) {
  if (workspaceDone.has(dir)) return;
  workspaceDone.add(dir);
  const abs = path.join(root, dir);
  const pkg = JSON.parse(fs.readFileSync(path.join(abs, 'package.json'), 'utf8'));
  if (!fs.existsSync(path.join(abs, 'lib'))) throw new Error(`${dir}/lib is missing: run make build`);
  fs.mkdirSync(path.join(dest, dir), { recursive: true });
  fs.copyFileSync(path.join(abs, 'package.json'), path.join(dest, dir, 'package.json'));
  copyTree(path.join(abs, 'lib'), path.join(dest, dir, 'lib'));
  for (const name of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
    const link = path.join(abs, 'node_modules', name);
    let target;
    try {
      target = fs.realpathSync(link);
    } catch {
      if (pkg.optionalDependencies?.[name] !== undefined) continue;
      throw new Error(`${dir} depends on ${name}, which is not installed: run make deps`);
    }
    copyLink(link);
    const entry = storeEntry(target);
    if (entry) queue.push(entry);
    else addWorkspacePackage(path.relative(root, target));
  }
}

/** One store entry: the package itself (a directory) and links to its dependencies' entries. */
function addEntry(entry) {
  if (entriesDone.has(entry)) return;
  entriesDone.add(entry);
  const modules = path.join(store, entry, 'node_modules');
  const names = [];
  for (const e of fs.readdirSync(modules, { withFileTypes: true })) {
    if (e.name.startsWith('@') && e.isDirectory()) {
      for (const s of fs.readdirSync(path.join(modules, e.name))) names.push(`${e.name}/${s}`);
    } else names.push(e.name);
  }
  for (const name of names) {
    const src = path.join(modules, name);
    const dst = path.join(dest, path.relative(root, src));
    const st = fs.lstatSync(src);
    if (st.isSymbolicLink()) {
      copyLink(src);
      const target = storeEntry(fs.realpathSync(src));
      if (target) queue.push(target);
    } else if (st.isDirectory()) copyTree(src, dst);
  }
}

fs.mkdirSync(dest, { recursive: true });
for (const svc of services) addWorkspacePackage(path.join('services', svc));
while (queue.length > 0) addEntry(queue.shift());
copyTree(path.join(root, 'proto'), path.join(dest, 'proto'));
const buildInfo = path.join(root, 'build-info.json');
if (fs.existsSync(buildInfo)) fs.copyFileSync(buildInfo, path.join(dest, 'build-info.json'));
console.log(`copy-app: ${workspaceDone.size} workspace packages, ${entriesDone.size} npm packages`);
