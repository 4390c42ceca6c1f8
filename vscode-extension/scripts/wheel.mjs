// Builds the server's wheel into server/ (shipped in the .vsix): the extension installs it into a
// managed environment when it finds no server. `python3 -m pip wheel --no-deps` of the repository
// root (hatchling, per pyproject.toml); PYTHON names another interpreter.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'server');
rmSync(out, { recursive: true, force: true });
mkdirSync(out);
const python = process.env.PYTHON ?? 'python3';
execFileSync(python, ['-m', 'pip', 'wheel', '--no-deps', '--disable-pip-version-check', '--quiet', '--wheel-dir', out, join(root, '..')], {
  stdio: 'inherit',
});
const wheels = readdirSync(out).filter((name) => name.endsWith('.whl'));
if (wheels.length !== 1) {
  throw new Error(`expected one wheel in ${out}, found: ${wheels.join(', ') || 'none'}`);
}
console.log(`server wheel: server/${wheels[0]}`);
