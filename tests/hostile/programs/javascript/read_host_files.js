// attack: read host secrets: /etc/shadow, root's home, the test's canary files (a world-readable
//   one outside /tmp and a private one), every visible process's environment (the test puts a
//   canary in its own), and exercise content (hidden expected values) under /work, /home, /srv
// expect: wrong_answer
// local-needs: bwrap
const fs = require('fs');
const path = require('path');

const CANARY = 'codegym-hostile-canary';

function read(file) {
  try {
    return fs.readFileSync(file).subarray(0, 1 << 16).toString('latin1');
  } catch (error) {
    return null;
  }
}

function list(directory) {
  try {
    return fs.readdirSync(directory).map((name) => path.join(directory, name));
  } catch (error) {
    return [];
  }
}

function walk(directory, depth, found) {
  if (depth > 8 || found.length > 20) return;
  for (const entry of list(directory)) {
    let stat;
    try {
      stat = fs.lstatSync(entry);
    } catch (error) {
      continue;
    }
    if (stat.isDirectory()) walk(entry, depth + 1, found);
    else if (/^(py-sum-evens|js-twin-primes).*\.yaml$/.test(path.basename(entry))) found.push(entry);
  }
}

function double(x) {
  const found = [];
  const shadow = read('/etc/shadow');
  if (shadow && shadow.includes('root:')) found.push('/etc/shadow');
  const candidates = [...list('/root'), ...list('/work'),
    ...list('/var/tmp').filter((p) => p.includes('codegym-hostile')).flatMap(list),
    ...list('/tmp').filter((p) => p.includes('codegym-hostile')).flatMap(list)];
  for (const file of candidates) {
    const data = read(file);
    if (data !== null && (data.includes(CANARY) || file.startsWith('/root'))) found.push(file);
  }
  for (const pid of list('/proc')) {
    const data = read(pid + '/environ');
    if (data && data.includes(CANARY)) found.push(pid + '/environ');
  }
  for (const top of ['/work', '/home', '/srv', '/opt']) walk(top, 0, found);
  return found.length ? 'ESCAPED read ' + found.slice(0, 10).join(', ') : 'nothing';
}
