// look: what a run can find of earlier runs: files whose name carries the mark, a beacon that
//   comes back, a planted package, the environment. Returns what it found; [] means nothing.
const fs = require('fs');
const os = require('os');
const path = require('path');

const MARK = 'codegym-cross-run';

function walk(directory, seen, depth) {
  let entries = [];
  try {
    entries = fs.readdirSync(directory, { withFileTypes: true });
  } catch (error) {
    return;
  }
  for (const entry of entries) {
    const full = path.join(directory, entry.name);
    if (entry.name.includes(MARK)) seen.push(full);
    if (entry.isDirectory() && !entry.isSymbolicLink() && depth < 8) walk(full, seen, depth + 1);
  }
}

function f() {
  const until = Date.now() + 300; // a surviving daemon rewrites its beacon every 50 ms
  while (Date.now() < until) {
    // wait
  }
  const seen = [];
  for (const root of ['/tmp', '/var/tmp', '/dev/shm', process.cwd(), os.homedir()]) {
    walk(root, seen, 0);
  }
  try {
    require(MARK);
    seen.push('a planted package');
  } catch (error) {
    // not found: good
  }
  for (const [key, value] of Object.entries(process.env)) {
    if (key.includes(MARK) || String(value).includes(MARK)) seen.push(`env ${key}`);
  }
  return [...new Set(seen)].sort();
}
