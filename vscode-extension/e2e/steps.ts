/**
 * The end-to-end flow as numbered steps: each runs to its end or fails, is followed by a
 * screenshot, and prints one line. A step builds on the ones before it, so after a failure the
 * rest are skipped. The summary is the plain "e2e: N passed, N failed, N skipped" line.
 */

export interface StepReport {
  passed: number;
  failed: number;
  skipped: number;
}

export class Steps {
  private readonly report: StepReport = { passed: 0, failed: 0, skipped: 0 };
  private count = 0;

  /** `screenshot(name)` saves the state after a step, pass or fail. */
  constructor(private readonly screenshot: (name: string) => Promise<void>) {}

  async step(title: string, body: () => Promise<void>): Promise<void> {
    this.count += 1;
    const name = `${String(this.count).padStart(2, '0')}-${slug(title)}`;
    if (this.report.failed > 0) {
      this.report.skipped += 1;
      console.log(`- ${name}: skipped`);
      return;
    }
    const started = Date.now();
    try {
      await body();
      this.report.passed += 1;
      console.log(`✓ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (error) {
      this.report.failed += 1;
      console.log(`✗ ${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    await this.screenshot(name).catch((error: unknown) => {
      console.log(`  (no screenshot: ${String(error)})`);
    });
  }

  /** Counts the steps that never ran (setup failed) as failed. */
  abort(error: unknown): void {
    this.report.failed += 1;
    console.log(`✗ setup: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }

  summary(): StepReport {
    const { passed, failed, skipped } = this.report;
    console.log(`e2e: ${passed} passed, ${failed} failed, ${skipped} skipped`);
    return this.report;
  }
}

function slug(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
