/** The "Exercises" tree view: the catalog's nodes as VS Code tree items. */

import * as vscode from 'vscode';

import type { CatalogNode } from './catalog';

export class CatalogTree implements vscode.TreeDataProvider<CatalogNode>, vscode.Disposable {
  private roots: CatalogNode[] = [];
  private parents = new Map<CatalogNode, CatalogNode>();
  private byFile = new Map<string, CatalogNode>();
  private readonly changed = new vscode.EventEmitter<CatalogNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  /** Replaces the whole tree; an empty list shows the view's welcome content. */
  show(roots: CatalogNode[]): void {
    this.roots = roots;
    this.parents = new Map();
    this.byFile = new Map();
    const index = (node: CatalogNode): void => {
      if (node.file !== undefined) {
        this.byFile.set(node.file, node);
      }
      for (const child of node.children) {
        this.parents.set(child, node);
        index(child);
      }
    };
    roots.forEach(index);
    this.changed.fire(undefined);
  }

  /** The exercise node of a file URI, if the file is an exercise. */
  exerciseOf(uri: string): CatalogNode | undefined {
    return this.byFile.get(uri);
  }

  getChildren(node?: CatalogNode): CatalogNode[] {
    return node === undefined ? this.roots : node.children;
  }

  /** For `TreeView.reveal`. */
  getParent(node: CatalogNode): CatalogNode | undefined {
    return this.parents.get(node);
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
