import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { withCodicons } from '../src/lensTitles';
import { exerciseIdOf, isGymFolder, isGymWorkspace } from '../src/workspaceGate';

const HEADER = ['# ' + '─'.repeat(72), '# Code Gym · Sum of evens · easy', '# codegym: exercise py-sum-evens', '#'].join('\n');

describe('when Code Gym starts by itself', () => {
  it('reads the exercise marker of a header, in Python and JavaScript', () => {
    assert.equal(exerciseIdOf(`${HEADER}\n\ndef sum_evens(numbers):\n    pass\n`), 'py-sum-evens');
    assert.equal(exerciseIdOf('// codegym: exercise js-days-in-month\r\nfunction f() {}\r\n'), 'js-days-in-month');
    assert.equal(exerciseIdOf('print("codegym: exercise py-sum-evens")\n'), undefined, 'not a comment');
    assert.equal(exerciseIdOf('# codegym: exercise Not_An_Id\n'), undefined);
    assert.equal(exerciseIdOf(`${'\n'.repeat(80)}# codegym: exercise py-sum-evens\n`), undefined, 'past the header');
  });

  it('finds .codegym/ in a folder or above it, not below', () => {
    const gym = path.resolve('/home/me/gym');
    const isDirectory = (file: string): boolean => file === path.join(gym, '.codegym');
    assert.equal(isGymFolder(gym, isDirectory), true);
    assert.equal(isGymFolder(path.join(gym, 'python', '01-py-basics'), isDirectory), true);
    assert.equal(isGymFolder(path.resolve('/home/me'), isDirectory), false);
    assert.equal(isGymFolder(path.resolve('/home/me/project'), isDirectory), false);
  });

  it('starts in a Code Gym folder, or once an exercise is open; not for other files', () => {
    const none = (): boolean => false;
    assert.equal(isGymWorkspace({ folders: ['/work/app'], documents: ['import os\n'] }, none), false);
    assert.equal(isGymWorkspace({ folders: [], documents: [] }, none), false);
    assert.equal(isGymWorkspace({ folders: ['/work/app'], documents: ['import os\n', HEADER] }, none), true);
    assert.equal(isGymWorkspace({ folders: ['/a', '/b'], documents: [] }, (file) => file === path.join(path.resolve('/b'), '.codegym')), true);
  });
});

describe('lens titles', () => {
  it('turns the server\'s symbols into codicons', () => {
    assert.equal(withCodicons('▶ Run tests'), '$(play) Run tests');
    assert.equal(withCodicons('✗ 1/4 public · 1/5 hidden'), '$(error) 1/4 public · 1/5 hidden');
    assert.equal(withCodicons('✓ all 9 tests pass'), '$(pass) all 9 tests pass');
    assert.equal(withCodicons('💡 Hint 1/3'), '$(lightbulb) Hint 1/3');
    assert.equal(withCodicons('🔍\uFE0F Review'), '$(search) Review');
    assert.equal(withCodicons('Explain this failure'), 'Explain this failure');
  });
});
