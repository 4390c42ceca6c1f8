/**
 * The managed environment: a virtual environment in the extension's global storage, made with the
 * user's Python, with the server's wheel (shipped in the .vsix under `server/`) installed into it
 * by pip, which fetches the wheel's dependencies. A stamp file names the wheel it was made from,
 * so an updated extension knows its environment is stale.
 */

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

import type { ManagedState } from './launch';

/** The oldest Python the server runs on (pyproject.toml's requires-python). */
export const MIN_PYTHON: readonly [number, number] = [3, 10];
const STAMP = 'codegym-wheel.txt';

/** "3.11" → true when at least MIN_PYTHON. */
export function supportedPython(version: string): boolean {
  const [major = 0, minor = 0] = version.trim().split('.').map(Number);
  return major > MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor >= MIN_PYTHON[1]);
}

export class ManagedServer {
  readonly environment: string;

  constructor(
    storage: string,
    private readonly extensionPath: string,
    private readonly log: (line: string) => void,
  ) {
    this.environment = path.join(storage, 'server-env');
  }

  /** The wheel shipped in the .vsix, if any. */
  get wheel(): string | undefined {
    const folder = path.join(this.extensionPath, 'server');
    const name = existsSync(folder) ? readdirSync(folder).find((file) => file.endsWith('.whl')) : undefined;
    return name === undefined ? undefined : path.join(folder, name);
  }

  get program(): string {
    return process.platform === 'win32'
      ? path.join(this.environment, 'Scripts', 'codegym.exe')
      : path.join(this.environment, 'bin', 'codegym');
  }

  state(): ManagedState {
    if (!existsSync(this.program)) {
      return 'absent';
    }
    const stamp = path.join(this.environment, STAMP);
    const wheel = this.wheel;
    const installed = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '';
    return wheel === undefined || installed === path.basename(wheel) ? 'current' : 'stale';
  }

  /** A new environment made with `python`, with the shipped wheel and its dependencies in it. */
  async install(python: string): Promise<void> {
    const wheel = this.wheel;
    if (wheel === undefined) {
      throw new Error('this build of the extension ships no server wheel');
    }
    const version = (await this.run(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'])).trim();
    if (!supportedPython(version)) {
      throw new Error(`${python} is Python ${version}; the server needs ${MIN_PYTHON.join('.')} or later`);
    }
    rmSync(this.environment, { recursive: true, force: true });
    mkdirSync(path.dirname(this.environment), { recursive: true });
    await this.run(python, ['-m', 'venv', this.environment]);
    const venvPython =
      process.platform === 'win32' ? path.join(this.environment, 'Scripts', 'python.exe') : path.join(this.environment, 'bin', 'python');
    await this.run(venvPython, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', wheel]);
    writeFileSync(path.join(this.environment, STAMP), path.basename(wheel));
  }

  /** Runs a program, its output into the log; its stdout, or an error with the end of its output. */
  private run(program: string, args: string[]): Promise<string> {
    this.log(`$ ${[program, ...args].join(' ')}`);
    return new Promise((resolve, reject) => {
      const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let tail = '';
      const keep = (data: Buffer): void => {
        const text = data.toString();
        tail = (tail + text).slice(-600);
        for (const line of text.split('\n')) {
          if (line.trim() !== '') {
            this.log(line);
          }
        }
      };
      child.stdout.on('data', (data: Buffer) => {
        stdout += data.toString();
        keep(data);
      });
      child.stderr.on('data', keep);
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) {
          resolve(stdout);
        } else {
          reject(new Error(`"${path.basename(program)} ${args.slice(0, 2).join(' ')}" failed (exit ${String(code)}): ${lastLine(tail)}`));
        }
      });
    });
  }
}

function lastLine(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .at(-1) ?? 'no output'
  );
}
