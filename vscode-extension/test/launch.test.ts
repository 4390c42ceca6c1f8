import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import {
  describeLaunch,
  failureReason,
  findOnPath,
  resolveLaunch,
  startFailureMessage,
  type LaunchEnvironment,
} from '../src/launch';

const env = (onPath?: string): LaunchEnvironment => ({
  workspaceFolder: '/work/gym',
  home: '/home/me',
  defaultPython: 'python3',
  which: (name) => (name === 'codegym' ? onPath : undefined),
});

describe('server launch', () => {
  it('uses the configured command, as an array or a string', () => {
    assert.deepEqual(resolveLaunch({ command: ['/v/bin/codegym', 'serve', '--log-file', '/tmp/l'] }, env('/usr/bin/codegym')), {
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
    assert.deepEqual(resolveLaunch({ command: [], python: '/v/bin/python' }, env('/usr/bin/codegym')), {
      command: '/v/bin/python',
      args: ['-m', 'codegym.cli', 'serve'],
      origin: 'codegym.server.python',
    });
  });

  it('falls back to codegym on PATH, then python3 -m codegym.cli serve', () => {
    assert.deepEqual(resolveLaunch({ command: '', python: ' ' }, env('/usr/local/bin/codegym')), {
      command: '/usr/local/bin/codegym',
      args: ['serve'],
      origin: 'PATH',
    });
    const fallback = resolveLaunch({ command: null, python: null }, env());
    assert.equal(describeLaunch(fallback), 'python3 -m codegym.cli serve');
    assert.equal(fallback.origin, 'default');
  });

  it('finds a program on PATH', () => {
    const searchPath = ['/a', '', '/b', '/c'].join(path.delimiter);
    const executables = new Set([path.join('/b', 'codegym.exe'), path.join('/c', 'codegym')]);
    const isExecutable = (file: string): boolean => executables.has(file);
    assert.equal(findOnPath('codegym', searchPath, isExecutable), path.join('/c', 'codegym'));
    assert.equal(findOnPath('codegym', searchPath, isExecutable, ['.exe', '']), path.join('/b', 'codegym.exe'));
    assert.equal(findOnPath('nope', searchPath, isExecutable), undefined);
  });

  it('explains a failed start and how to install the server', () => {
    const launch = resolveLaunch({}, env());
    assert.equal(failureReason('Launching server using command python3 failed. Error: spawn python3 ENOENT'), 'program not found');
    assert.equal(failureReason(new Error('spawn EACCES')), 'permission denied');
    assert.match(failureReason(new Error('Pending response rejected since connection got disposed')), /"Code Gym" output/);
    const message = startFailureMessage(launch, 'program not found');
    assert.match(message, /"python3 -m codegym\.cli serve": program not found/);
    assert.match(message, /pip install .*python3 make\.py install/);
    assert.match(message, /codegym\.server\.command/);
    assert.match(startFailureMessage(resolveLaunch({ python: '/x/python' }, env()), 'x'), /check the setting codegym\.server\.python/);
  });
});
