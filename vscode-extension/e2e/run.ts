/**
 * The packaged extension in a real VS Code: code-server with the .vsix installed, driven in
 * Debian's headless Chromium by playwright-core, on a workspace made by `codegym init`, with the
 * real `codegym serve` behind it. A learner's first session, step by step: the Code Gym view, an
 * exercise opened from it (its statement folded), a save that lists the failures in Problems, the
 * reference solution that clears them, ticks the tree and offers the next exercise, a hint in the feedback panel, the next exercise, a reset.
 *
 * Environment (defaults in brackets):
 *   CODEGYM_E2E_CODE_SERVER  code-server [${XDG_CACHE_HOME:-~/.cache}/codegym-ci/code-server/node_modules/.bin/code-server]
 *   CODEGYM_E2E_CHROMIUM     Chromium [/usr/lib/chromium/chromium]
 *   CODEGYM_E2E_CODEGYM      the server's program [<repository>/.venv/bin/codegym]
 *   CODEGYM_BACKEND          the sandbox [local]
 * Screenshots (one per step), the "Code Gym" output and code-server's log go to test-results/e2e/.
 */

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import * as path from 'node:path';

import { chromium } from 'playwright-core';

import { NO_STATS } from '../src/progressChart';
import { BUNDLED_EXERCISES, exerciseHeader, referenceSolution } from '../test/support/content';
import { EXTENSION_ROOT } from '../test/support/manifest';
import { CodeServer } from './codeServer';
import { Steps } from './steps';
import { until } from './wait';
import { STEP_MS, Workbench } from './workbench';

const REPO_ROOT = path.resolve(EXTENSION_ROOT, '..');
const CACHE = process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache');
const CODE_SERVER = process.env.CODEGYM_E2E_CODE_SERVER ?? path.join(CACHE, 'codegym-ci', 'code-server', 'node_modules', '.bin', 'code-server');
const CHROMIUM = process.env.CODEGYM_E2E_CHROMIUM ?? '/usr/lib/chromium/chromium';
const CODEGYM = process.env.CODEGYM_E2E_CODEGYM ?? path.join(REPO_ROOT, '.venv', 'bin', 'codegym');
const BACKEND = process.env.CODEGYM_BACKEND ?? 'local';
const RESULTS = path.join(EXTENSION_ROOT, 'test-results', 'e2e');
/** As the machine's probe runs it: headless, and no calls home (the network is closed). */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const EXTENSION_ID = 'codegym.codegym';
const FIRST = { label: 'Sum of evens', file: '01-py-sum-evens.py', topic: 'py-basics', id: 'py-sum-evens' };
const SECOND_LABEL = 'Guess judge';
const SECOND_ID = 'py-guess-judge';
/** Words of the first exercise's statement, as its first paragraph renders. */
const FIRST_STATEMENT = 'returns the sum of the even integers';
/** A Python file of the workspace that is not an exercise. */
const NOTES = 'notes.py';

function vsixFile(): string {
  const { name, version } = JSON.parse(readFileSync(path.join(EXTENSION_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  return path.join(EXTENSION_ROOT, `${name}-${version}.vsix`);
}

function required(file: string, hint: string): string {
  if (!existsSync(file)) {
    throw new Error(`${file} does not exist: ${hint}`);
  }
  return file;
}

/** The workspace's exercise files of the first Python topic, in course order. */
function firstTopicFiles(workspace: string): string[] {
  const topic = path.join(workspace, 'python', '01-py-basics');
  return readdirSync(topic).filter((name) => name.endsWith('.py')).sort().map((name) => path.join(topic, name));
}

async function main(): Promise<number> {
  rmSync(RESULTS, { recursive: true, force: true });
  mkdirSync(RESULTS, { recursive: true });
  const scratch = mkdtempSync(path.join(tmpdir(), 'codegym-e2e-'));
  const workspace = path.join(scratch, 'gym');
  let server: CodeServer | undefined;
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  let page: Workbench['page'] | undefined;
  const steps = new Steps(async (name) => {
    await page?.screenshot({ path: path.join(RESULTS, `${name}.png`) });
  });

  try {
    required(CODEGYM, 'run "python3 make.py install" at the repository root, or set CODEGYM_E2E_CODEGYM');
    required(CHROMIUM, 'apt-get install chromium, or set CODEGYM_E2E_CHROMIUM');
    required(CODE_SERVER, 'run install-code-server.sh into the cache (see .ci/run), or set CODEGYM_E2E_CODE_SERVER');
    execFileSync(CODEGYM, ['init', workspace], { stdio: 'ignore' });
    writeFileSync(path.join(workspace, NOTES), 'print("my own notes, not an exercise")\n');
    server = await CodeServer.start({
      program: CODE_SERVER,
      vsix: required(vsixFile(), 'run "npm run package" first'),
      home: path.join(scratch, 'code-server'),
      settings: {
        'codegym.server.command': [CODEGYM, 'serve'],
        'codegym.sandbox.backend': BACKEND,
        // Offline answers (authored hints): the same with or without an Ollama on this machine.
        'codegym.tutor.enabled': false,
        'workbench.startupEditor': 'none',
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
      },
      env: {},
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    page = await context.newPage();
  } catch (error) {
    steps.abort(error);
  }

  if (page !== undefined && server !== undefined) {
    const vscode = new Workbench(page);
    const url = server.folderUrl(workspace);
    const files = firstTopicFiles(workspace);
    const starterOfNext = files[1] === undefined ? '' : readFileSync(files[1], 'utf8');
    await steps.step('open the Code Gym view', async () => {
      await vscode.page.goto(url);
      await vscode.page.locator('.monaco-workbench').waitFor({ timeout: STEP_MS });
      await vscode.page.locator('.activitybar a[aria-label="Code Gym"]').click({ timeout: STEP_MS });
      await vscode.exercise(FIRST.label).waitFor({ timeout: STEP_MS });
      await until(async () => (await vscode.exerciseIcon(FIRST.label)) === 'circle-outline', 'the exercise shown as new', STEP_MS);
      await vscode.page.locator('.statusbar-item', { hasText: `Code Gym 0/${BUNDLED_EXERCISES}` }).waitFor({ timeout: STEP_MS });
    });

    await steps.step('open an exercise from the tree', async () => {
      await vscode.exercise(FIRST.label).click();
      await vscode.waitForActiveTab(FIRST.file);
      await until(async () => (await vscode.editorActions()).some((label) => label.startsWith('Run Tests')), 'the Run Tests button', STEP_MS);
      // The statement folds on first sight: its last line is not drawn, the marker line is.
      await until(async () => {
        const text = await vscode.editorText();
        return text.includes('codegym: exercise') && !text.includes('Save to run the tests');
      }, 'the statement header folded', STEP_MS);
    });

    await steps.step('the statement view shows the exercise beside the code', async () => {
      const view = await vscode.webviewWith(`article.statement[data-exercise="${FIRST.id}"]`);
      await view.locator('article.statement h1', { hasText: FIRST.label }).waitFor({ timeout: STEP_MS });
      await view.locator('article.statement p', { hasText: FIRST_STATEMENT }).waitFor({ timeout: STEP_MS });
    });

    await steps.step('save lists the failures in Problems', async () => {
      await vscode.save();
      await vscode.showProblems();
      await until(async () => (await vscode.problems()).some((problem) => problem.includes('sum_evens(')), 'failing tests in Problems', STEP_MS);
    });

    await steps.step('the lenses show codicons, not emoji', async () => {
      await vscode.page.keyboard.press('Control+Home');
      let lenses: { text: string; icons: string[] }[] = [];
      await until(
        async () => {
          lenses = await vscode.codeLenses();
          return lenses.some((lens) => lens.text.includes('Run tests') && lens.text.includes('Hint'));
        },
        'the Run tests and Hint lenses',
        STEP_MS,
        () => JSON.stringify(lenses),
      );
      const lens = lenses.find((line) => line.text.includes('Run tests'));
      for (const icon of ['play', 'lightbulb', 'search']) {
        if (!lens?.icons.includes(icon)) {
          throw new Error(`no $(${icon}) in the lenses: ${JSON.stringify(lens)}`);
        }
      }
      if (lens !== undefined && /[▶💡🔍]/u.test(lens.text)) {
        throw new Error(`emoji left in the lenses: ${lens.text}`);
      }
    });

    await steps.step('the reference solution clears the problems and ticks the tree', async () => {
      const starter = readFileSync(path.join(workspace, 'python', '01-py-basics', FIRST.file), 'utf8');
      await vscode.replaceEditorText(`${exerciseHeader(starter)}\n\n${referenceSolution('python', FIRST.topic, FIRST.id)}`);
      await vscode.save();
      await until(async () => (await vscode.problems()).length === 0, 'no problems left', STEP_MS);
      await until(
        async () => (await vscode.notifications()).some((text) => text.includes('tests pass! Next: ')),
        'the offer of the next exercise',
        STEP_MS,
      );
      await until(async () => (await vscode.exerciseIcon(FIRST.label)) === 'pass-filled', 'a ✓ in the tree', STEP_MS);
      await vscode.page.locator('.statusbar-item', { hasText: `Code Gym 1/${BUNDLED_EXERCISES}` }).waitFor({ timeout: STEP_MS });
    });

    await steps.step('Hint fills the feedback panel', async () => {
      await vscode.focusEditor();
      await vscode.command('Code Gym: Hint');
      const feedback = vscode.webview(EXTENSION_ID);
      await feedback.locator('header h1').waitFor({ timeout: STEP_MS });
      await feedback.locator('.meta', { hasText: /^Hint · py-sum-evens/ }).waitFor({ timeout: STEP_MS });
      await feedback.locator('article.answer[aria-busy="false"]').waitFor({ timeout: STEP_MS });
    });

    await steps.step('Next Exercise opens the next unsolved one, selected in the tree', async () => {
      await vscode.command('Code Gym: Next Exercise');
      await vscode.waitForActiveTab(path.basename(files[1] ?? 'none'));
      await until(async () => (await vscode.selectedExercise()) === SECOND_LABEL, `${SECOND_LABEL} selected in the tree`, STEP_MS, () => '');
    });

    await steps.step('the statement view follows to the next exercise', async () => {
      const view = await vscode.webviewWith(`article.statement[data-exercise="${SECOND_ID}"]`);
      await view.locator('article.statement h1', { hasText: SECOND_LABEL }).waitFor({ timeout: STEP_MS });
      if ((await view.locator(`article.statement[data-exercise="${FIRST.id}"]`).count()) > 0) {
        throw new Error('the first statement is still shown');
      }
    });

    await steps.step('the feedback panel shows the answer about the exercise in the editor', async () => {
      await vscode.command('Code Gym: Open Feedback Panel');
      const feedback = vscode.webview(EXTENSION_ID);
      await feedback.locator('.empty', { hasText: `No feedback about ${path.basename(files[1] ?? '')} yet` }).waitFor({ timeout: STEP_MS });
      // The panel took the focus: back to the exercise's group, then to the first exercise.
      await vscode.page.locator('.tab', { hasText: path.basename(files[1] ?? '') }).click();
      await vscode.quickOpen(FIRST.file);
      await feedback.locator('.meta', { hasText: /^Hint · py-sum-evens/ }).waitFor({ timeout: STEP_MS });
      await until(async () => (await vscode.selectedExercise()) === FIRST.label, `${FIRST.label} selected in the tree`, STEP_MS);
      await vscode.quickOpen(path.basename(files[1] ?? ''));
    });

    await steps.step('the progress view charts the topics and the errors that come back', async () => {
      // Three runs of the next exercise that raise the same error, each seen in Problems.
      await vscode.showProblems();
      for (const run of [1, 2, 3]) {
        await vscode.replaceEditorText(`${exerciseHeader(starterOfNext)}\n\nraise IndexError("run ${String(run)}")\n`);
        await vscode.save();
        await until(async () => (await vscode.problems()).some((problem) => problem.includes(`IndexError: run ${String(run)}`)), `run ${String(run)} in Problems`, STEP_MS);
      }
      await vscode.command('Code Gym: Show Progress');
      const view = await vscode.webviewWith('#message, #summary');
      const shown = view.locator('#message');
      const message = (await shown.count()) > 0 ? ((await shown.textContent()) ?? '') : '';
      if (message === NO_STATS) {
        console.log('  (this server has no codegym/stats: the view says so; the chart checks need it)');
        return;
      }
      // Drawn by Chart.js under the view's CSP: a chart per course, and the days.
      await until(async () => (await view.locator('canvas.topics-chart[data-drawn]').count()) === 2, 'a chart per course', STEP_MS);
      await view.locator('canvas.timeline-chart[data-drawn]').waitFor({ timeout: STEP_MS });
      await view.locator('#patterns li', { hasText: 'IndexError' }).first().waitFor({ timeout: STEP_MS });
    });

    await steps.step('Reset Exercise restores the starter code', async () => {
      await vscode.focusEditor();
      await vscode.page.keyboard.press('Control+End');
      await vscode.page.keyboard.type('\nchanged_by_the_learner = 1\n');
      await until(async () => (await vscode.editorText()).includes('changed_by_the_learner'), 'the typed line', STEP_MS);
      await vscode.command('Code Gym: Reset Exercise');
      await until(async () => !(await vscode.editorText()).includes('changed_by_the_learner'), 'the typed line gone', STEP_MS);
      await vscode.save();
      const file = files[1] ?? '';
      await until(() => readFileSync(file, 'utf8') === starterOfNext, 'the saved file equal to the starter', STEP_MS);
    });

    await steps.step('no buttons or lenses on a file that is not an exercise', async () => {
      await vscode.quickOpen(NOTES);
      // The title bar had Run Tests and Hint for the exercise before: they must go.
      let actions: string[] = [];
      await until(
        async () => {
          actions = await vscode.editorActions();
          return actions.some((label) => label.startsWith('Split Editor')) && !actions.some((label) => /^(Run Tests|Hint)\b/.test(label));
        },
        `the title bar of ${NOTES} without Code Gym buttons`,
        STEP_MS,
        () => actions.join(', '),
      );
      if ((await vscode.codeLenses()).length > 0) {
        throw new Error(`code lenses on ${NOTES}`);
      }
    });

    await steps.step('after a reload: the feedback panel is back with its answer', async () => {
      await vscode.command('Developer: Reload Window');
      await vscode.page.locator('.monaco-workbench').waitFor({ timeout: STEP_MS });
      const feedback = vscode.webview(EXTENSION_ID);
      await feedback.locator('.meta', { hasText: /^Hint · py-sum-evens/ }).waitFor({ timeout: STEP_MS });
    });
  }

  await browser?.close().catch(() => undefined);
  await server?.stop();
  const report = steps.summary();
  if (server !== undefined) {
    const output = server.outputChannel('Code Gym');
    writeFileSync(path.join(RESULTS, 'code-gym-output.log'), output);
    writeFileSync(path.join(RESULTS, 'code-server.log'), server.log());
    if (report.failed > 0) {
      console.log(`The "Code Gym" output (last 3000 characters):\n${output.slice(-3000)}`);
      console.log(`code-server's log (last 3000 characters):\n${server.log().slice(-3000)}`);
    }
  }
  rmSync(scratch, { recursive: true, force: true });
  return report.failed === 0 && report.passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
