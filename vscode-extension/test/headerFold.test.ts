import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type * as vscode from 'vscode';

import { HeaderFolder } from '../src/headerFold';
import { Uri } from './support/fakeVscode';

const EXERCISE = [
  '# ' + '─'.repeat(72),
  '# Code Gym · Sum of evens · easy',
  '# codegym: exercise py-sum-evens',
  '#',
  '# Return the sum of the even numbers.',
  '# ' + '─'.repeat(72),
  '',
  'def sum_evens(numbers):',
  '    return 0',
].join('\n');

function editor(path: string, text: string, scheme = 'file'): vscode.TextEditor {
  const uri = scheme === 'file' ? Uri.file(path) : Uri.parse(`${scheme}:${path}`);
  return { document: { uri, getText: () => text } } as unknown as vscode.TextEditor;
}

function folder(): { folds: unknown[]; active: { editor?: vscode.TextEditor }; headers: HeaderFolder } {
  const folds: unknown[] = [];
  const active: { editor?: vscode.TextEditor } = {};
  const headers = new HeaderFolder(
    (command, args) => {
      folds.push([command, args]);
      return Promise.resolve();
    },
    () => active.editor,
  );
  return { folds, active, headers };
}

describe('the statement header folded on first sight', () => {
  it('folds an exercise once, at its marker line, however often it is shown', async () => {
    const { folds, active, headers } = folder();
    active.editor = editor('/gym/01-sum-evens.py', EXERCISE);
    assert.equal(await headers.foldActive(), true);
    assert.deepEqual(folds, [['editor.fold', { selectionLines: [2], levels: 1 }]]);
    active.editor = editor('/gym/01-sum-evens.py', EXERCISE); // shown again: the learner's folds stay
    assert.equal(await headers.foldActive(), false);
    assert.equal(folds.length, 1);
  });

  it('folds each exercise, a JavaScript one at its own marker line', async () => {
    const { folds, active, headers } = folder();
    active.editor = editor('/gym/a.py', EXERCISE);
    await headers.foldActive();
    active.editor = editor('/gym/b.js', '// ' + '─'.repeat(72) + '\n// Group by\n// codegym: exercise js-group-by\n//\n');
    assert.equal(await headers.foldActive(), true);
    assert.deepEqual(folds[1], ['editor.fold', { selectionLines: [2], levels: 1 }]);
  });

  it('leaves other files, other schemes and an empty window alone', async () => {
    const { folds, active, headers } = folder();
    assert.equal(await headers.foldActive(), false);
    active.editor = editor('/gym/notes.py', '# my notes\n# codegym: exercise\nx = 1\n');
    assert.equal(await headers.foldActive(), false);
    active.editor = editor('/gym/a.py', EXERCISE, 'git');
    assert.equal(await headers.foldActive(), false);
    assert.deepEqual(folds, []);
  });
});
