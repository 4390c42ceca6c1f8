/**
 * The extension activated in a fake VS Code host (test/support/fakeVscode.ts) with the real
 * server behind vscode-languageclient: the glue of extension.ts, server.ts, commands.ts, the tree,
 * the status bar and the feedback panel, from an empty folder to a streamed hint.
 */

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import type * as vscode from 'vscode';

import type { CatalogNode } from '../src/catalog';
import { activate, deactivate } from '../src/extension';
import type { RenderMessage } from '../src/feedbackView';
import { NO_STATS, type ProgressMessage } from '../src/progressChart';
import { NO_EXERCISE } from '../src/statementView';
import { BUNDLED_EXERCISES } from './support/content';
import { serverPython } from './support/lspSession';
import { extensionContext, host, Uri, type TreeItem } from './support/fakeVscode';
import { EXTENSION_ROOT } from './support/manifest';

const BACKEND = process.env.CODEGYM_BACKEND ?? 'local';
const TIMEOUT = { timeout: 90_000 };

function context(): vscode.ExtensionContext {
  return extensionContext(EXTENSION_ROOT, path.join(tmpdir(), 'codegym-host-storage')) as unknown as vscode.ExtensionContext;
}

function dispose(extension: vscode.ExtensionContext): void {
  for (const item of extension.subscriptions) {
    item.dispose();
  }
}

function tree(): { roots: CatalogNode[]; item(node: CatalogNode): TreeItem } {
  const provider = host.treeProviders[0];
  assert.ok(provider, 'no tree view');
  return { roots: provider.getChildren() as CatalogNode[], item: (node) => provider.getTreeItem(node) };
}

describe('the extension in a fake VS Code host, with the real server', () => {
  let root: string;
  let extension: vscode.ExtensionContext;

  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'codegym-host-'));
    host.reset(root, {
      'codegym.server.python': serverPython(),
      'codegym.sandbox.backend': BACKEND,
      'codegym.tutor.enabled': false,
    });
    extension = context();
    activate(extension);
  });

  after(async () => {
    await deactivate();
    dispose(extension);
    rmSync(root, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 }); // a stopping server may still write its last record
  });

  it('waits in a folder that is not a Code Gym workspace, until a command', TIMEOUT, async () => {
    assert.equal(host.contexts.get('codegym.server'), 'idle');
    assert.deepEqual(host.output, [], 'no server started');
    assert.equal(host.statusBar.visible, false);
    host.openDocument(Uri.file(path.join(root, 'notes.py')).toString(), 'python', 'print("not an exercise")\n');
    assert.equal(host.contexts.get('codegym.server'), 'idle', 'an ordinary Python file starts nothing');

    await host.executeCommand('codegym.client.refresh');
    assert.equal(host.contexts.get('codegym.server'), 'idle', 'refreshing the view starts nothing');
  });

  it('starts the server on a command, then shows the catalog once the view created the exercises', TIMEOUT, async () => {
    // The view offers to create the exercises; the server's own question is turned off
    // (`offer_exercises: false`): it would stay on screen after the exercises were created.
    await host.executeCommand('codegym.client.restartServer');
    await host.until(() => host.contexts.get('codegym.workspaceEmpty') === true, 'the empty-folder welcome');
    assert.equal(host.contexts.get('codegym.server'), 'running');
    assert.deepEqual(tree().roots, []);
    assert.equal(host.statusBar.text, `Code Gym 0/${BUNDLED_EXERCISES} ✓`);
    assert.equal(host.statusBar.command, 'codegym.exercises.focus');
    assert.deepEqual(host.messages.filter((shown) => /no Code Gym exercises/.test(shown.message)), [], 'the server asked too');
    assert.ok(host.commands.has('codegym.runTests'), 'the client library registered the server commands');
    assert.deepEqual(host.messages.filter((shown) => /ignoring the settings/.test(shown.message)), []);

    await host.executeCommand('codegym.client.init');
    await host.until(() => tree().roots.length === 2, 'the catalog in the tree');
    assert.equal(host.contexts.get('codegym.workspaceEmpty'), false);
    const [python] = tree().roots;
    assert.equal(tree().item(python as CatalogNode).label, 'Python');
    const exercises = tree().roots.flatMap((course) => course.children.flatMap((topic) => topic.children));
    assert.equal(exercises.length, BUNDLED_EXERCISES);
  });

  it('opens an exercise from the tree and streams a hint into the feedback panel', TIMEOUT, async () => {
    const node = tree().roots[0]?.children[0]?.children.find((item) => item.id === 'exercise:py-sum-evens');
    assert.ok(node);
    const item = tree().item(node);
    assert.equal(item.iconPath?.id, 'circle-outline');
    assert.ok(item.command);
    await host.executeCommand(item.command.command, ...(item.command.arguments ?? []));
    const uri = host.shownDocuments.at(-1);
    assert.ok(uri !== undefined && uri.endsWith('01-py-sum-evens.py'), `shown: ${String(uri)}`);

    host.openDocument(uri, 'python', readFileSync(fileURLToPath(uri), 'utf8'));
    await host.executeCommand('codegym.client.hint', Uri.parse(uri));
    const panel = host.panels[0];
    assert.ok(panel, 'no feedback panel');
    assert.match(panel.html, /Content-Security-Policy/);
    await host.until(() => panel.posted.some((posted) => !(posted as RenderMessage).streaming), 'the final render');
    const final = panel.posted.at(-1) as RenderMessage;
    assert.match(final.html, /Hint 1\/3 · Sum of evens/);
    assert.equal(final.html.match(/The tutor model is turned off/g)?.length, 1, 'the note once: the text has it');
    assert.match(final.html, /even/);
    assert.deepEqual(
      host.shownDocuments.filter((shown) => shown.includes('/.codegym/feedback/')),
      [],
      'the answer file is not opened as well: the panel shows it',
    );

    panel.receive({ type: 'open-file' });
    await host.until(() => host.shownDocuments.some((shown) => shown.endsWith('/.codegym/feedback/py-sum-evens/hint.md')), 'the answer file');
  });

  it('shows the statement of the exercise in the active editor, and keeps it for another file', TIMEOUT, async () => {
    const view = host.showView('codegym.statement');
    assert.match(view.html, /Content-Security-Policy/);
    view.receive({ type: 'ready' });
    const shown = (): string => (view.posted.at(-1) as RenderMessage | undefined)?.html ?? '';
    assert.equal(shown(), `<p class="empty">${NO_EXERCISE}</p>`);

    const exercise = host.documents.find((document) => document.uri.toString().endsWith('01-py-sum-evens.py'));
    assert.ok(exercise, 'the exercise opened before');
    host.showEditor(exercise);
    await host.until(() => shown().includes('data-exercise="py-sum-evens"'), 'the statement');
    assert.match(shown(), /<h1>Sum of evens<\/h1>/);
    assert.match(shown(), /returns the sum of the <strong>even<\/strong> integers/);

    host.openDocument(Uri.file(path.join(root, 'notes.py')).toString(), 'python', 'print("mine")\n');
    const posts = view.posted.length;
    host.showEditor(host.documents.at(-1));
    await host.until(() => view.posted.length > posts, 'the statement asked again');
    assert.match(shown(), /data-exercise="py-sum-evens"/, 'a file that is not an exercise keeps the last statement');
  });

  it('shows the progress, or says the server has no statistics', TIMEOUT, async () => {
    const view = host.showView('codegym.progress');
    assert.match(view.html, /<script nonce="[^"]+" src="https:\/\/webview\.test[^"]*\/dist\/webview\/progress\.js"><\/script>/);
    view.receive({ type: 'ready' });
    await host.until(() => view.posted.length > 0, 'the progress');
    const posted = view.posted.at(-1) as ProgressMessage;
    // Until the server answers codegym/stats (MethodNotFound), the view says so, without an error.
    if (posted.type === 'message') {
      assert.equal(posted.text, NO_STATS);
    } else {
      assert.equal(posted.model.total, BUNDLED_EXERCISES);
      assert.equal(posted.model.topics.length, 2);
    }
    assert.deepEqual(host.messages.filter((shown) => shown.kind === 'error'), []);
  });

  it('restarts the server on demand and when a codegym.server setting changes', TIMEOUT, async () => {
    const starts = (): number => host.output.filter((line) => line.startsWith('Starting the server')).length;
    const before = starts();
    await host.executeCommand('codegym.client.restartServer');
    assert.equal(starts(), before + 1);
    assert.equal(host.contexts.get('codegym.server'), 'running');

    // Other settings are pulled by the running server, in its own shape: a value VS Code's schema
    // would refuse comes back from the server's validation, named by its server path.
    host.settings['codegym.sandbox.limits.wall_s'] = 0;
    host.configurationChanged.fire({ affectsConfiguration: (section) => 'codegym.sandbox.limits.wall_s'.startsWith(section) });
    await host.until(() => host.messages.some((shown) => /ignoring the settings, sandbox\.limits\.wall_s/.test(shown.message)), 'the server pulling the settings');
    assert.equal(starts(), before + 1, 'other settings do not restart the server');
    delete host.settings['codegym.sandbox.limits.wall_s'];

    host.configurationChanged.fire({ affectsConfiguration: (section) => 'codegym.server.python'.startsWith(section) });
    await host.until(() => starts() === before + 2 && host.contexts.get('codegym.server') === 'running', 'the second restart');
    await host.until(() => tree().roots.length === 2, 'the catalog after the restart');
  });
});

for (const { name, command, reason } of [
  { name: 'a program that does not exist', command: ['/nonexistent/bin/codegym'], reason: /"\/nonexistent\/bin\/codegym serve": program not found/ },
  // The start "succeeds" in vscode-languageclient (state startFailed): once, only its raw error showed.
  { name: 'a server that exits before it answers', command: [serverPython(), '-c', 'raise SystemExit(1)'], reason: /SystemExit\(1\)"": it stopped before it answered/ },
]) {
  describe(`the extension when the server cannot start: ${name}`, () => {
    let extension: vscode.ExtensionContext;
    let root: string;

    before(() => {
      // A Code Gym workspace (it has .codegym/): the server starts by itself, and fails.
      root = mkdtempSync(path.join(tmpdir(), 'codegym-host-'));
      mkdirSync(path.join(root, '.codegym'));
      host.reset(root, { 'codegym.server.command': command });
      extension = context();
      activate(extension);
    });

    after(async () => {
      await deactivate();
      dispose(extension);
      rmSync(root, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 }); // a stopping server may still write its last record
    });

    it('says what failed and what to do, once, with the actions to do it', TIMEOUT, async () => {
      await host.until(() => host.messages.some((shown) => shown.kind === 'error'), 'an error message');
      const errors = host.messages.filter((shown) => shown.kind === 'error');
      assert.equal(errors.length, 1, errors.map((shown) => shown.message).join('\n'));
      assert.match(errors[0]?.message ?? '', reason);
      assert.match(errors[0]?.message ?? '', /check the setting codegym\.server\.command/i);
      assert.deepEqual(errors[0]?.items, ['Open Settings', 'Show Output', 'Retry']);
      assert.equal(host.contexts.get('codegym.server'), 'stopped');
      assert.equal(host.statusBar.text, '$(error) Code Gym');

      await host.executeCommand('codegym.client.hint', Uri.file('/tmp/x.py'));
      assert.match(host.messages.at(-1)?.message ?? '', /the server is not running/);
    });
  });
}
