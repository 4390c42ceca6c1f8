/** The status bar item: "Code Gym 12/60 ✓", or the server's state; clicking shows the exercises. */

import * as vscode from 'vscode';

import { progressSummary } from './catalog';
import type { Catalog } from './protocol';

export class GymStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('codegym.progress', vscode.StatusBarAlignment.Left, 50);

  constructor(
    private readonly focusCommand: string,
    private readonly restartCommand: string,
  ) {
    this.item.name = 'Code Gym';
  }

  progress(catalog: Catalog): void {
    this.show(progressSummary(catalog), `${catalog.solved} of ${catalog.total} exercises solved. Show the exercises`, this.focusCommand);
  }

  /** A spinner while the server starts or installs; `what` is the tooltip. */
  starting(what: string): void {
    this.show('$(loading~spin) Code Gym', what, this.focusCommand);
  }

  /** Nothing to show: not a Code Gym workspace (yet). */
  hide(): void {
    this.item.hide();
  }

  stopped(): void {
    this.show('$(error) Code Gym', 'The Code Gym server is not running. Restart it', this.restartCommand, 'statusBarItem.errorBackground');
  }

  private show(text: string, tooltip: string, command: string, background?: string): void {
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.command = command;
    this.item.backgroundColor = background === undefined ? undefined : new vscode.ThemeColor(background);
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
