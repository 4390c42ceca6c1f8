import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import {
  describeLaunch,
  failureReason,
  findOnPath,
  missingServerMessage,
  planServer,
  startFailureMessage,
  type Launch,
  type LaunchEnvironment,
  type LaunchSettings,
  type ManagedState,
} from '../src/launch';
import { supportedPython } from '../src/managedServer';

const MANAGED = '/storage/server-env/bin/codegym';

/** A machine with these programs on PATH (name → path), a managed environment and maybe a wheel. */
const env = (
  onPath: Record<string, string> = {},
  managed: ManagedState = 'absent',
  hasWheel = true,
): LaunchEnvironment => ({
  workspaceFolder: '/work/gym',
  home: '/home/me',
  which: (name) => onPath[name],
  pythonNames: ['python3', 'python'],
  managed: { program: MANAGED, state: managed },
  hasWheel,
});

/** The launch of a plan that must be one. */
function resolveLaunch(settings: LaunchSettings, environment: LaunchEnvironment): Launch {
  const plan = planServer(settings, environment);
  if (plan.kind !== 'launch') {
    assert.fail(`not a launch: ${JSON.stringify(plan)}`);
  }
  return plan.launch;
}

describe('server launch', () => {
  it('uses the configured command, as an array or a string', () => {
    assert.deepEqual(resolveLaunch({ command: ['/v/bin/codegym', 'serve', '--log-file', '/tmp/l'] }, env({ codegym: '/usr/bin/codegym' })), {
      command: '/v/bin/codegym',
      args: ['serve', '--log-file', '/tmp/l'],
      origin: 'codegym.server.command',
    });
    assert.deepEqual(resolveLaunch({ command: ' /v/bin/codegym  serve ' }, env()).args, ['serve']);
  });

  it('appends serve to a program given alone and expands ~ and ${workspaceFolder}', () => {
    assert.deepEqual(resolveLaunch({ command: '~/code-gym/.venv/bin/codegym' }, env()), {
      command: '/home/me/code-gym/.venv/bin/codegym',
      args: ['serve'],
      origin: 'codegym.server.command',
    });
    assert.equal(resolveLaunch({ command: ['${workspaceFolder}/.venv/bin/codegym'] }, env()).command, '/work/gym/.venv/bin/codegym');
  });

  it('runs the module with the configured interpreter', () => {
    assert.deepEqual(resolveLaunch({ command: [], python: '/v/bin/python' }, env({ codegym: '/usr/bin/codegym' })), {
      command: '/v/bin/python',
      args: ['-m', 'codegym.cli', 'serve'],
      origin: 'codegym.server.python',
    });
  });

  it('uses codegym on PATH, before the managed environment', () => {
    assert.deepEqual(resolveLaunch({ command: '', python: ' ' }, env({ codegym: '/usr/local/bin/codegym' }, 'current')), {
      command: '/usr/local/bin/codegym',
      args: ['serve'],
      origin: 'PATH',
    });
  });

  it('runs the managed environment when it was installed from the shipped wheel', () => {
    const launch = resolveLaunch({ command: null, python: null }, env({ python3: '/usr/bin/python3' }, 'current'));
    assert.equal(describeLaunch(launch), `${MANAGED} serve`);
    assert.equal(launch.origin, 'managed');
  });

  it('offers to install the server with the first Python on PATH when there is none', () => {
    assert.deepEqual(planServer({}, env({ python3: '/usr/bin/python3', python: '/usr/bin/python' })), {
      kind: 'install',
      python: '/usr/bin/python3',
      update: false,
    });
    assert.deepEqual(planServer({}, env({ python: '/opt/bin/python' })), { kind: 'install', python: '/opt/bin/python', update: false });
  });

  it('installs again over an environment made from another wheel, or keeps it without a Python', () => {
    assert.deepEqual(planServer({}, env({ python3: '/usr/bin/python3' }, 'stale')), { kind: 'install', python: '/usr/bin/python3', update: true });
    assert.equal(resolveLaunch({}, env({}, 'stale')).command, MANAGED);
  });

  it('says what is missing: a Python, or (in a build without the wheel) the server', () => {
    assert.deepEqual(planServer({}, env()), { kind: 'missing', reason: 'no-python' });
    assert.deepEqual(planServer({}, env({ python3: '/usr/bin/python3' }, 'absent', false)), { kind: 'missing', reason: 'no-wheel' });
    assert.match(missingServerMessage('no-python'), /Python 3\.10 or later.*codegym\.server\.command/);
    assert.match(missingServerMessage('no-wheel'), /pip install .*codegym\.server\.command/);
  });

  it('accepts Python 3.10 and later for the managed environment', () => {
    assert.deepEqual(['3.9', '3.10', '3.13', '4.0', '2.7', ''].map(supportedPython), [false, true, true, true, false, false]);
  });

  it('finds a program on PATH', () => {
    const searchPath = ['/a', '', '/b', '/c'].join(path.delimiter);
    const executables = new Set([path.join('/b', 'codegym.exe'), path.join('/c', 'codegym')]);
    const isExecutable = (file: string): boolean => executables.has(file);
    assert.equal(findOnPath('codegym', searchPath, isExecutable), path.join('/c', 'codegym'));
    assert.equal(findOnPath('codegym', searchPath, isExecutable, ['.exe', '']), path.join('/b', 'codegym.exe'));
    assert.equal(findOnPath('nope', searchPath, isExecutable), undefined);
  });

  it('explains a failed start and what to do', () => {
    const launch = resolveLaunch({ command: 'codegym' }, env());
    assert.equal(failureReason('Launching server using command python3 failed. Error: spawn python3 ENOENT'), 'program not found');
    assert.equal(failureReason(new Error('spawn EACCES')), 'permission denied');
    assert.match(failureReason(new Error('Pending response rejected since connection got disposed')), /"Code Gym" output/);
    const message = startFailureMessage(launch, 'program not found');
    assert.match(message, /"codegym serve": program not found/);
    assert.match(message, /check the setting codegym\.server\.command/i);
    assert.match(startFailureMessage(resolveLaunch({ python: '/x/python' }, env()), 'x'), /check the setting codegym\.server\.python/i);
    assert.match(startFailureMessage(resolveLaunch({}, env({ codegym: '/bin/codegym' })), 'x'), /"codegym serve" works in a terminal/);
    assert.match(startFailureMessage(resolveLaunch({}, env({}, 'current')), 'x'), /Install Server/);
  });
});
