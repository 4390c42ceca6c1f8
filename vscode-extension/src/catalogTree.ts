/** The "Exercises" tree view: the catalog's nodes as VS Code tree items. */

import * as vscode from 'vscode';

import type { CatalogNode } from './catalog';

export class CatalogTree implements vscode.TreeDataProvider<CatalogNode>, vscode.Disposable {
  private roots: CatalogNode[] = [];
  private readonly changed = new vscode.EventEmitter<CatalogNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  /** Replaces the whole tree; an empty list shows the view's welcome content. */
  show(roots: CatalogNode[]): void {
    this.roots = roots;
    this.changed.fire(undefined);
  }

  getChildren(node?: CatalogNode): CatalogNode[] {
    return node === undefined ? this.roots : node.children;
  }

  getTreeItem(node: CatalogNode): vscode.TreeItem {
    const state =
      node.children.length === 0
        ? vscode.TreeItemCollapsibleState.None
        : node.expanded
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(node.label, state);
    item.id = node.id;
    item.description = node.description;
    item.tooltip = node.tooltip;
    if (node.icon !== undefined) {
      const color = node.icon.color === undefined ? undefined : new vscode.ThemeColor(node.icon.color);
      item.iconPath = new vscode.ThemeIcon(node.icon.id, color);
    }
    item.command = node.command;
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
