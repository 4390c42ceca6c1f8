/**
 * Which program runs `codegym serve`, from the `codegym.server.*` settings: the configured
 * command, else `<python> -m codegym.cli serve`, else `codegym` on PATH, else
 * `python3 -m codegym.cli serve`. Pure: the environment is passed in.
 */

import * as path from 'node:path';

export interface LaunchSettings {
  /** `codegym.server.command`: `[program, ...args]`, or one string split at spaces. */
  command?: string | string[] | null;
  /** `codegym.server.python`: an interpreter that has the `codegym` package installed. */
  python?: string | null;
}

export interface LaunchEnvironment {
  workspaceFolder: string | undefined;
  home: string;
  /** The interpreter tried when nothing is configured and `codegym` is not on PATH. */
  defaultPython: string;
  /** The path of an executable found on PATH, if any. */
  which(name: string): string | undefined;
}

export interface Launch {
  command: string;
  args: string[];
  /** Where the command came from, for messages: a setting's name, `PATH` or `default`. */
  origin: 'codegym.server.command' | 'codegym.server.python' | 'PATH' | 'default';
}

const SERVE = ['serve'];
const PYTHON_SERVE = ['-m', 'codegym.cli', 'serve'];

export function resolveLaunch(settings: LaunchSettings, env: LaunchEnvironment): Launch {
  const words = commandWords(settings.command).map((word) => expand(word, env));
  const [program, ...args] = words;
  if (program !== undefined) {
    // A program given alone gets `serve`: `/path/.venv/bin/codegym` is enough.
    return { command: program, args: args.length > 0 ? args : SERVE, origin: 'codegym.server.command' };
  }
  const python = settings.python?.trim();
  if (python) {
    return { command: expand(python, env), args: PYTHON_SERVE, origin: 'codegym.server.python' };
  }
  const onPath = env.which('codegym');
  if (onPath !== undefined) {
    return { command: onPath, args: SERVE, origin: 'PATH' };
  }
  return { command: env.defaultPython, args: PYTHON_SERVE, origin: 'default' };
}

export function describeLaunch(launch: Launch): string {
  return [launch.command, ...launch.args].map((word) => (/\s/.test(word) ? `"${word}"` : word)).join(' ');
}

/** The message shown when the server cannot start: what failed and how to install it. */
export function startFailureMessage(launch: Launch, reason: string): string {
  const next = launch.origin.startsWith('codegym.server.')
    ? `then check the setting ${launch.origin}.`
    : 'then set codegym.server.command to its program (["/path/to/code-gym/.venv/bin/codegym", "serve"]) ' +
      'or codegym.server.python to its interpreter.';
  return (
    `Code Gym: the language server did not start ("${describeLaunch(launch)}": ${reason}). ` +
    'Install it with "pip install /path/to/code-gym" or "python3 make.py install" in the Code Gym ' +
    `repository, ${next}`
  );
}

/** A start failure from vscode-languageclient, in words. */
export function failureReason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  if (text.includes('ENOENT')) {
    return 'program not found';
  }
  if (text.includes('EACCES')) {
    return 'permission denied';
  }
  return 'it stopped before it answered; its messages are in the "Code Gym" output';
}

/** The first `name` (with one of `suffixes`) in the directories of `searchPath`. */
export function findOnPath(
  name: string,
  searchPath: string,
  isExecutable: (file: string) => boolean,
  suffixes: readonly string[] = [''],
): string | undefined {
  for (const directory of searchPath.split(path.delimiter)) {
    if (directory === '') {
      continue;
    }
    for (const suffix of suffixes) {
      const candidate = path.join(directory, name + suffix);
      if (isExecutable(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

function commandWords(command: LaunchSettings['command']): string[] {
  const words = typeof command === 'string' ? command.split(/\s+/) : (command ?? []);
  return words.map((word) => word.trim()).filter((word) => word !== '');
}

/** `${workspaceFolder}`, `${userHome}` and a leading `~` in a configured path. */
function expand(word: string, env: LaunchEnvironment): string {
  const expanded = word
    .replace(/\$\{userHome\}/g, env.home)
    .replace(/\$\{workspaceFolder\}/g, env.workspaceFolder ?? '${workspaceFolder}');
  return expanded === '~' || expanded.startsWith('~/') ? env.home + expanded.slice(1) : expanded;
}
