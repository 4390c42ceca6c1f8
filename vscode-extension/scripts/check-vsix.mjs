// Checks the packaged extension: node scripts/check-vsix.mjs [file.vsix]
// (default: codegym-<version>.vsix next to package.json). A .vsix is a zip; this reads its central
// directory itself, so it needs no unzip program.
import { Buffer } from 'node:buffer';
import { readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

const MAX_BYTES = 2 * 1024 * 1024;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const file = process.argv[2] ?? join(root, `${name}-${version}.vsix`);

/** name → { read() } for every entry of a zip file. */
function readZip(buffer) {
  const eocd = buffer.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip file (no end of central directory)');
  const count = buffer.readUInt16LE(eocd + 10);
  let offset = buffer.readUInt32LE(eocd + 16);
  const entries = new Map();
  for (let i = 0; i < count; i += 1) {
    if (buffer.readUInt32LE(offset) !== 0x02014b50) throw new Error(`bad central directory entry ${i}`);
    const method = buffer.readUInt16LE(offset + 10);
    const compressedSize = buffer.readUInt32LE(offset + 20);
    const nameLength = buffer.readUInt16LE(offset + 28);
    const extraLength = buffer.readUInt16LE(offset + 30);
    const commentLength = buffer.readUInt16LE(offset + 32);
    const localHeader = buffer.readUInt32LE(offset + 42);
    const entryName = buffer.toString('utf8', offset + 46, offset + 46 + nameLength);
    entries.set(entryName, {
      read() {
        const start = localHeader + 30 + buffer.readUInt16LE(localHeader + 26) + buffer.readUInt16LE(localHeader + 28);
        const data = buffer.subarray(start, start + compressedSize);
        return method === 8 ? inflateRawSync(data) : data;
      },
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

const problems = [];
const check = (ok, message) => {
  if (!ok) problems.push(message);
};

const size = statSync(file).size;
const entries = readZip(readFileSync(file));
const names = [...entries.keys()].sort();

check(size < MAX_BYTES, `${size} bytes, more than ${MAX_BYTES}`);
for (const required of ['extension/dist/extension.js', 'extension/dist/webview/progress.js', 'extension/package.json', 'extension/readme.md', 'extension/LICENSE.txt', 'extension/media/codegym.svg']) {
  check(names.some((entry) => entry.toLowerCase() === required.toLowerCase()), `missing ${required}`);
}
check(names.some((entry) => /^extension\/server\/codegym-[^/]+-py3-none-any\.whl$/.test(entry)), 'no server wheel in extension/server/');
for (const entry of names) {
  check(!entry.includes('node_modules/'), `a node_modules entry: ${entry}`);
  check(!/\.(?:ts|map)$/.test(entry) && !/^extension\/(?:src|test|out|scripts)\//.test(entry), `a source or build file: ${entry}`);
}

const manifest = JSON.parse(entries.get('extension/package.json').read().toString('utf8'));
const contributes = manifest.contributes ?? {};
const commands = new Set((contributes.commands ?? []).map((command) => command.command));
const settings = Object.keys(contributes.configuration?.properties ?? {});
check(manifest.main === './dist/extension.js', `main is ${manifest.main}`);
for (const command of ['runTests', 'hint', 'review', 'explainFailure', 'generateTests', 'nextExercise', 'resetExercise', 'restartServer', 'installServer', 'openFeedback', 'init', 'showStatement', 'showProgress']) {
  check(commands.has(`codegym.client.${command}`), `no command codegym.client.${command}`);
}
for (const id of ['codegym.exercises', 'codegym.statement', 'codegym.progress']) {
  check(contributes.views?.codegym?.some((view) => view.id === id), `no ${id} view`);
}
check(contributes.viewsContainers?.activitybar?.some((container) => container.id === 'codegym'), 'no Code Gym view container');
check(contributes.viewsWelcome?.some((welcome) => welcome.contents.includes('command:codegym.client.init')), 'no welcome view offering to create exercises');
for (const setting of ['codegym.server.command', 'codegym.server.python', 'codegym.contentDir', 'codegym.sandbox.backend', 'codegym.sandbox.limits.wall_s', 'codegym.sandbox.limits.memory_mb', 'codegym.tutor.enabled', 'codegym.tutor.host', 'codegym.tutor.model']) {
  check(settings.includes(setting), `no setting ${setting}`);
}

// Bundled: the only modules left to require are Node's own and `vscode`.
const bundle = entries.get('extension/dist/extension.js').read().toString('utf8');
const required = new Set([...bundle.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]));
const builtins = new Set(builtinModules);
const foreign = [...required].filter((module) => module !== 'vscode' && !builtins.has(module.replace(/^node:/, '')));
check(required.has('vscode'), 'the bundle does not require vscode');
check(foreign.length === 0, `the bundle requires modules it does not contain: ${foreign.join(', ')}`);

// The Progress view's script carries Chart.js itself (no CDN, no node_modules) and loads nothing.
const webview = entries.get('extension/dist/webview/progress.js')?.read().toString('utf8') ?? '';
check(/Chart\.js v4\./.test(webview), 'Chart.js is not bundled in dist/webview/progress.js');
check(!/\brequire\(|\bimport\(|https?:\/\/cdn/.test(webview), 'dist/webview/progress.js loads modules');

console.log(`${file}: ${(size / 1024).toFixed(0)} KiB, ${names.length} entries`);
for (const entry of names) console.log(`  ${entry}`);
console.log(`  ${commands.size} commands, ${settings.length} settings, requires: ${[...required].sort().join(', ')}`);
if (problems.length > 0) {
  console.error(problems.map((problem) => `✗ ${problem}`).join('\n'));
  process.exit(1);
}
console.log('✓ vsix contents check passed');
