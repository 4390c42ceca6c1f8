/**
 * The real Python server (`codegym serve`) driven as the extension drives it: settings mapped by
 * `settings.ts`, the catalog read by `catalog.ts`, the feedback stream folded by `feedback.ts`.
 * Needs `.venv` (`python3 make.py install`) or CODEGYM_PYTHON; the sandbox backend is `local`
 * unless CODEGYM_BACKEND says otherwise.
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DidSaveTextDocumentNotification,
  ExecuteCommandRequest,
  type Diagnostic,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';

import { catalogNodes, hasExerciseFiles } from '../src/catalog';
import { EMPTY_FEEDBACK, parseFeedback, reduceFeedback } from '../src/feedback';
import { renderMarkdown } from '../src/markdown';
import {
  CATALOG_REQUEST,
  FEEDBACK_NOTIFICATION,
  PROGRESS_CHANGED_NOTIFICATION,
  ServerCommand,
  TEST_DIAGNOSTIC_SOURCE,
  type Catalog,
  type FeedbackNotification,
  type FeedbackResult,
  type ProgressChanged,
} from '../src/protocol';
import { toServerSettings } from '../src/settings';
import { BUNDLED_EXERCISES, exerciseHeader, referenceSolution } from './support/content';
import { PROPERTIES, vscodeSection, type Contribution } from './support/manifest';
import { LspSession, serverPython } from './support/lspSession';

const BACKEND = process.env.CODEGYM_BACKEND ?? 'local';
const EXERCISE = 'py-sum-evens';
const TIMEOUT = { timeout: 90_000 };

/** The `codegym` section as the extension sends it, for a VS Code with these settings. */
function settingsFor(values: Record<string, unknown>): object {
  return toServerSettings(vscodeSection({ 'codegym.sandbox.backend': BACKEND, ...values }));
}

function testDiagnostics(params: PublishDiagnosticsParams): Diagnostic[] {
  return params.diagnostics.filter((diagnostic) => diagnostic.source === TEST_DIAGNOSTIC_SOURCE);
}

describe('the real server, from an empty folder to a solved exercise', () => {
  let root: string;
  let session: LspSession;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'codegym-vscode-'));
    session = await LspSession.start({
      root,
      initializationOptions: { sandbox: { backend: BACKEND } },
      configuration: settingsFor({ 'codegym.tutor.enabled': false }),
    });
  });

  after(async () => {
    await session.stop();
    rmSync(root, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 }); // a stopping server may still write its last record
  });

  it('offers to create the exercises, lists them and solves one', TIMEOUT, async () => {
    const commands = session.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
    for (const command of [ServerCommand.runTests, ServerCommand.init, ServerCommand.openExercise, ServerCommand.resetExercise, ServerCommand.nextExercise]) {
      assert.ok(commands.includes(command), `the server has no ${command}`);
    }

    // The offer in an empty folder, accepted ("Create exercises").
    await session.waitFor<{ message: string }>('window/showMessage', (params) => params.message.includes('exercise files created'));
    assert.match(session.messageRequests[0]?.message ?? '', /no Code Gym exercises/);

    const catalog = await session.connection.sendRequest<Catalog>(CATALOG_REQUEST, {});
    assert.equal(catalog.total, BUNDLED_EXERCISES);
    assert.equal(catalog.solved, 0);
    assert.ok(hasExerciseFiles(catalog));
    const nodes = catalogNodes(catalog, 'codegym.client.openExercise');
    assert.deepEqual(nodes.map((node) => node.label), ['Python', 'JavaScript']);
    assert.equal(nodes.flatMap((course) => course.children.flatMap((topic) => topic.children)).length, BUNDLED_EXERCISES);
    const entry = catalog.courses[0]?.topics[0]?.exercises.find((item) => item.id === EXERCISE);
    assert.ok(entry?.file, `${EXERCISE} has no file`);
    assert.equal(entry.status, 'new');

    // Clicking it in the tree: codegym.openExercise [id] → window/showDocument.
    const opened: unknown = await session.connection.sendRequest(ExecuteCommandRequest.type, { command: ServerCommand.openExercise, arguments: [EXERCISE] });
    assert.equal(opened, entry.file);
    assert.deepEqual(session.shownDocuments, [entry.file]);

    // The starter fails its tests.
    const uri = entry.file;
    const starter = readFileSync(fileURLToPath(uri), 'utf8');
    let since = session.mark();
    await session.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'python', version: 1, text: starter } });
    await session.connection.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri } });
    const failing = await session.waitFor<PublishDiagnosticsParams>(
      'textDocument/publishDiagnostics',
      (params) => params.uri === uri && testDiagnostics(params).length > 0,
      since,
    );
    assert.equal(failing.version, 1);
    assert.ok(testDiagnostics(failing).some((diagnostic) => diagnostic.code !== undefined));

    // The reference solution passes: diagnostics cleared, progress says solved.
    const header = exerciseHeader(starter);
    const solution = referenceSolution('python', 'py-basics', EXERCISE);
    since = session.mark();
    await session.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 },
      contentChanges: [{ text: `${header}\n\n${solution}` }],
    });
    await session.connection.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri } });
    await session.waitFor<PublishDiagnosticsParams>(
      'textDocument/publishDiagnostics',
      (params) => params.uri === uri && params.version === 2 && params.diagnostics.length === 0,
      since,
    );
    const solved = await session.waitFor<ProgressChanged>(PROGRESS_CHANGED_NOTIFICATION, (params) => params.status === 'solved', since);
    assert.deepEqual(solved, { exercise: EXERCISE, status: 'solved', uri });
    const after = await session.connection.sendRequest<Catalog>(CATALOG_REQUEST, {});
    assert.equal(after.solved, 1);

    assert.deepEqual(session.shownMessages().filter((message) => /ignoring the settings/.test(message)), []);
  });
});

describe('the real server, the tutor feedback stream (tutor disabled: offline answers)', () => {
  let root: string;
  let session: LspSession;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'codegym-vscode-'));
    const tutorOff = settingsFor({ 'codegym.tutor.enabled': false });
    session = await LspSession.start({ root, initializationOptions: tutorOff, configuration: tutorOff });
  });

  after(async () => {
    await session.stop();
    rmSync(root, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 }); // a stopping server may still write its last record
  });

  it('streams a hint as begin, chunks and end, and the reducer ends with the final text', TIMEOUT, async (t) => {
    const commands = session.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
    if (!commands.includes(ServerCommand.hint)) {
      t.skip(`the server has no ${ServerCommand.hint} command yet (the tutor work in server/codegym/lsp/)`);
      return;
    }
    const uri: unknown = await session.connection.sendRequest(ExecuteCommandRequest.type, { command: ServerCommand.openExercise, arguments: [EXERCISE] });
    assert.ok(typeof uri === 'string');
    const text = readFileSync(fileURLToPath(uri), 'utf8');
    await session.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'python', version: 1, text },
    });

    const since = session.mark();
    const result = (await session.connection.sendRequest(ExecuteCommandRequest.type, { command: ServerCommand.hint, arguments: [uri] })) as FeedbackResult;
    assert.equal(result.status, 'offline');
    const stream = session.notifications
      .slice(since)
      .filter((item) => item.method === FEEDBACK_NOTIFICATION)
      .map((item) => parseFeedback(item.params))
      .filter((message): message is FeedbackNotification => message?.id === result.id);
    assert.equal(stream[0]?.kind, 'begin');
    assert.equal(stream.at(-1)?.kind, 'end');
    assert.ok(stream.slice(1, -1).every((message) => message.kind === 'chunk' || message.kind === 'reset'));

    const state = stream.reduce(reduceFeedback, EMPTY_FEEDBACK);
    const end = stream.at(-1);
    assert.ok(end?.kind === 'end');
    assert.equal(state.answer?.status, 'offline');
    assert.equal(state.answer?.exercise, EXERCISE);
    assert.equal(state.answer?.feature, 'hint');
    assert.equal(state.answer?.text, end.text);
    assert.ok(end.text.trim().length > 0, 'an empty hint');
    assert.ok(renderMarkdown(end.text).length > 0);
    assert.equal(state.answer?.file, result.file);
    if (result.file !== null) {
      assert.match(readFileSync(fileURLToPath(result.file), 'utf8'), /\S/);
    }
  });
});

describe('the contributed settings against the server Settings model', () => {
  /** A value at one end of a contribution's range (nullable numbers get a number). */
  function extreme(contribution: Contribution, end: 'low' | 'high'): unknown {
    const types = Array.isArray(contribution.type) ? contribution.type : [contribution.type];
    if (contribution.enum) {
      return end === 'low' ? contribution.enum[0] : contribution.enum.at(-1);
    }
    if (types.includes('integer') || types.includes('number')) {
      const low = contribution.minimum ?? (contribution.exclusiveMinimum === undefined ? 0 : contribution.exclusiveMinimum + 0.5);
      return end === 'low' ? low : (contribution.maximum ?? low);
    }
    if (types.includes('boolean')) {
      return end === 'low';
    }
    return types.includes('string') && !types.includes('array') ? 'value' : contribution.default;
  }

  for (const end of ['low', 'high'] as const) {
    it(`validates every setting at its ${end} bound`, TIMEOUT, () => {
      const values = Object.fromEntries(Object.entries(PROPERTIES).map(([key, contribution]) => [key, extreme(contribution, end)]));
      const settings = toServerSettings(vscodeSection(values));
      const script = 'import json, sys\nfrom codegym.config import Settings\nSettings.model_validate(json.load(sys.stdin))\nprint("valid")';
      const output = execFileSync(serverPython(), ['-c', script], { input: JSON.stringify(settings), encoding: 'utf8' });
      assert.equal(output.trim(), 'valid');
    });
  }
});
