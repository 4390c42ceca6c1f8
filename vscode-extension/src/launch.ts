/**
 * Which program runs `codegym serve`, from the `codegym.server.*` settings: the configured
 * command, else `<python> -m codegym.cli serve`, else `codegym` on PATH, else the managed
 * environment the extension installed (from the wheel shipped in the .vsix), else an offer to
 * install it with the user's Python. Pure: the environment is passed in.
 */

import * as path from 'node:path';

export interface LaunchSettings {
  /** `codegym.server.command`: `[program, ...args]`, or one string split at spaces. */
  command?: string | string[] | null;
  /** `codegym.server.python`: an interpreter that has the `codegym` package installed. */
  python?: string | null;
}

/** The managed environment: absent, installed from the shipped wheel, or from another one (an
 * older extension's). */
export type ManagedState = 'absent' | 'current' | 'stale';

export interface LaunchEnvironment {
  workspaceFolder: string | undefined;
  home: string;
  /** The path of an executable found on PATH, if any. */
  which(name: string): string | undefined;
  /** The names of the user's Python, in the order they are tried (`python3`, `python`). */
  pythonNames: readonly string[];
  /** The `codegym` program of the managed environment, and whether it is there. */
  managed: { program: string; state: ManagedState };
  /** True when the .vsix ships the server's wheel (a development build may not). */
  hasWheel: boolean;
}

export interface Launch {
  command: string;
  args: string[];
  /** Where the command came from, for messages: a setting's name, `PATH` or `managed`. */
  origin: 'codegym.server.command' | 'codegym.server.python' | 'PATH' | 'managed';
}

/** What to do to get a server: run one, (re)install the managed one with a Python, or nothing. */
export type ServerPlan =
  | { kind: 'launch'; launch: Launch }
  | { kind: 'install'; python: string; update: boolean }
  | { kind: 'missing'; reason: 'no-python' | 'no-wheel' };

const SERVE = ['serve'];
const PYTHON_SERVE = ['-m', 'codegym.cli', 'serve'];

export function planServer(settings: LaunchSettings, env: LaunchEnvironment): ServerPlan {
  const words = commandWords(settings.command).map((word) => expand(word, env));
  const [program, ...args] = words;
  if (program !== undefined) {
    // A program given alone gets `serve`: `/path/.venv/bin/codegym` is enough.
    return launch(program, args.length > 0 ? args : SERVE, 'codegym.server.command');
  }
  const python = settings.python?.trim();
  if (python) {
    return launch(expand(python, env), PYTHON_SERVE, 'codegym.server.python');
  }
  const onPath = env.which('codegym');
  if (onPath !== undefined) {
    return launch(onPath, SERVE, 'PATH');
  }
  const { managed } = env;
  if (managed.state === 'current') {
    return launch(managed.program, SERVE, 'managed');
  }
  if (!env.hasWheel) {
    return { kind: 'missing', reason: 'no-wheel' };
  }
  const userPython = findPython(env);
  if (userPython === undefined) {
    return managed.state === 'stale' ? launch(managed.program, SERVE, 'managed') : { kind: 'missing', reason: 'no-python' };
  }
  return { kind: 'install', python: userPython, update: managed.state === 'stale' };
}

/** The user's Python: the first of `pythonNames` on PATH. */
export function findPython(env: LaunchEnvironment): string | undefined {
  return env.pythonNames.map((name) => env.which(name)).find((found) => found !== undefined);
}

function launch(command: string, args: string[], origin: Launch['origin']): ServerPlan {
  return { kind: 'launch', launch: { command, args, origin } };
}

/** What to tell a learner who has no server and nothing to install it with. */
export function missingServerMessage(reason: 'no-python' | 'no-wheel'): string {
  return reason === 'no-python'
    ? 'Code Gym: its language server needs Python 3.10 or later, and no python3 or python is on your PATH. ' +
        'Install Python, then choose Retry, or point the setting codegym.server.command at an installed server.'
    : 'Code Gym: no language server found (no codegym on your PATH, and this build of the extension ships none). ' +
        'Install it with "pip install /path/to/code-gym", or point the setting codegym.server.command at it.';
}

export function describeLaunch(launch: Launch): string {
  return [launch.command, ...launch.args].map((word) => (/\s/.test(word) ? `"${word}"` : word)).join(' ');
}

/** The message shown when the server cannot start: what was run, why it failed, what to do. */
export function startFailureMessage(launch: Launch, reason: string): string {
  const next =
    launch.origin === 'managed'
      ? 'Choose "Install Server" to install it again.'
      : launch.origin === 'PATH'
        ? 'Check that "codegym serve" works in a terminal, or point the setting codegym.server.command at a working server.'
        : `Check the setting ${launch.origin}.`;
  return `Code Gym: the language server did not start ("${describeLaunch(launch)}": ${reason}). ${next}`;
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
