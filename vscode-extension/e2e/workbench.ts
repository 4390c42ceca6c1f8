/**
 * The VS Code workbench as a person uses it, through its DOM: the command palette, the Code Gym
 * tree, editor tabs, the Problems panel and the feedback webview. Each query is a locator; each
 * wait is bounded.
 */

import { type Frame, type FrameLocator, type Locator, type Page } from 'playwright-core';

import { until } from './wait';

/** How long one workbench condition may take (a server start, a sandbox run, a tutor answer). */
export const STEP_MS = 90_000;

export class Workbench {
  constructor(readonly page: Page) {}

  /** Runs a command from the command palette by its title, e.g. "Code Gym: Hint". */
  async command(title: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    await this.page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: STEP_MS });
    await input.fill(`>${title}`);
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ state: 'visible', timeout: STEP_MS });
    await input.press('Enter');
    await input.waitFor({ state: 'hidden', timeout: STEP_MS });
  }

  /** A row of the Code Gym "Exercises" tree with this label. */
  exercise(label: string): Locator {
    return this.page.locator('.pane-body .monaco-list-row[role="treeitem"]', {
      has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }),
    });
  }

  /** The codicon of an exercise row ("circle-outline", "pass-filled", …). */
  async exerciseIcon(label: string): Promise<string | undefined> {
    const classes = (await this.exercise(label).locator('.custom-view-tree-node-item-icon').getAttribute('class')) ?? '';
    return /codicon-([\w-]+)/.exec(classes.replace('codicon codicon-', 'codicon-'))?.[1];
  }

  /** The active editor tab's file name. */
  async activeTab(): Promise<string> {
    const tab = this.page.locator('.editor-group-container.active .tab.active .label-name').first();
    return ((await tab.textContent({ timeout: STEP_MS })) ?? '').trim();
  }

  /** Opens a workspace file by name with Quick Open (the palette without its ">"; a browser
   * keeps Ctrl+P for printing). */
  async quickOpen(name: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    await this.page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: STEP_MS });
    await input.fill(name);
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ state: 'visible', timeout: STEP_MS });
    await input.press('Enter');
    await this.waitForActiveTab(name);
  }

  /** The labels of the active editor's title actions (the buttons right of the tabs). */
  async editorActions(): Promise<string[]> {
    return this.page
      .locator('.editor-group-container.active .editor-actions .action-label')
      .evaluateAll((elements) => elements.map((element) => element.getAttribute('aria-label') ?? ''));
  }

  /** The label of the selected row of the Code Gym tree. */
  async selectedExercise(): Promise<string> {
    const row = this.page.locator('.pane-body .monaco-list-row[role="treeitem"].selected .label-name').first();
    return (await row.count()) === 0 ? '' : ((await row.textContent()) ?? '').trim();
  }

  async waitForActiveTab(name: string): Promise<void> {
    await until(async () => (await this.activeTab().catch(() => '')) === name, `the editor tab ${name}`, STEP_MS, () => '');
  }

  /** The active text editor's input: typing and shortcuts go there. */
  async focusEditor(): Promise<void> {
    await this.page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
  }

  /** The visible lines of the active text editor, with ordinary spaces. */
  async editorText(): Promise<string> {
    const lines = this.page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
    return (await lines.innerText()).replace(/\u00a0/g, ' ');
  }

  /** Replaces the active editor's whole text through the clipboard, as a paste. */
  async replaceEditorText(text: string): Promise<void> {
    await this.focusEditor();
    await this.page.evaluate((value) => navigator.clipboard.writeText(value), text);
    await this.page.keyboard.press('Control+A');
    await this.page.keyboard.press('Control+V');
  }

  async save(): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press('Control+S');
  }

  /** The code lens lines of the active editor: their text, and the codicons in them. */
  async codeLenses(): Promise<{ text: string; icons: string[] }[]> {
    return this.page.locator('.editor-group-container.active .monaco-editor .codelens-decoration').evaluateAll((elements) =>
      elements.map((element) => ({
        text: element.textContent,
        icons: Array.from(element.querySelectorAll('.codicon')).flatMap((icon) =>
          Array.from(icon.classList).filter((name) => name.startsWith('codicon-')).map((name) => name.slice('codicon-'.length)),
        ),
      })),
    );
  }

  /** The rows of the Problems panel that are problems (not the file rows), by their aria labels. */
  async problems(): Promise<string[]> {
    const rows = this.page.locator('.markers-panel .monaco-list-row');
    const labels = await rows.evaluateAll((elements) => elements.map((element) => element.getAttribute('aria-label') ?? ''));
    return labels.filter((label) => !/^\d+ problems? in file /.test(label));
  }

  /** The Problems panel, shown (it keeps its rows up to date only while it is visible). */
  async showProblems(): Promise<void> {
    await this.command('View: Focus Problems');
    await this.page.locator('.markers-panel').waitFor({ state: 'visible', timeout: STEP_MS });
  }

  /** The document inside this extension's webview panel (webviews are nested iframes; the
   * side bar's webview views are left out). */
  webview(extensionId: string): FrameLocator {
    return this.page
      .frameLocator(`iframe.webview.ready[src*="extensionId=${extensionId}&"]:not([src*="purpose=webviewView"])`)
      .frameLocator('#active-frame');
  }

  /** The document of a webview (a panel or a side bar view) that shows `selector`, once one does. */
  async webviewWith(selector: string): Promise<Frame> {
    let found: Frame | undefined;
    await until(
      async () => {
        for (const frame of this.page.frames()) {
          if ((await frame.locator(selector).count().catch(() => 0)) > 0) {
            found = frame;
            return true;
          }
        }
        return false;
      },
      `a webview showing ${selector}`,
      STEP_MS,
    );
    if (found === undefined) {
      throw new Error(`no webview shows ${selector}`);
    }
    return found;
  }

  /** The texts of the visible notification toasts. */
  async notifications(): Promise<string[]> {
    return this.page
      .locator('.notification-toast .notification-list-item-message')
      .evaluateAll((elements) => elements.map((element) => element.textContent));
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
