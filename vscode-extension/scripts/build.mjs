// Bundles the extension (dist/extension.js, `vscode` external) or, with --tests, each test file
// (out/test/*.test.js, `vscode` = test/support/fakeVscode.ts) for `node --test`, or, with --e2e,
// the end-to-end test in a real VS Code (out/e2e/run.js, playwright-core external). The Progress
// view's script, with Chart.js, is bundled for the webview (dist/webview/progress.js) beside the
// extension. --production minifies both.
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node18', logLevel: 'warning' };

if (args.has('--tests')) {
  const tests = readdirSync(join(root, 'test')).filter((name) => name.endsWith('.test.ts'));
  await build({
    ...common,
    entryPoints: tests.map((name) => join(root, 'test', name)),
    outdir: join(root, 'out', 'test'),
    // The extension's glue runs against a fake host in Node (no VS Code here).
    alias: { vscode: join(root, 'test', 'support', 'fakeVscode.ts') },
    sourcemap: 'inline',
  });
} else if (args.has('--e2e')) {
  await build({
    ...common,
    entryPoints: [join(root, 'e2e', 'run.ts')],
    outfile: join(root, 'out', 'e2e', 'run.js'),
    external: ['playwright-core'],
    sourcemap: 'inline',
  });
} else {
  const production = args.has('--production');
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  await build({
    ...common,
    entryPoints: [join(root, 'src', 'extension.ts')],
    outfile: join(root, 'dist', 'extension.js'),
    external: ['vscode'],
    minify: production,
    sourcemap: !production,
  });
  await build({
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    logLevel: 'warning',
    entryPoints: [join(root, 'webview', 'progress.ts')],
    outfile: join(root, 'dist', 'webview', 'progress.js'),
    minify: production,
    sourcemap: production ? false : 'inline',
  });
}
