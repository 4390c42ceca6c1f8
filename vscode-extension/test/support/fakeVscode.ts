/**
 * A small stand-in for the `vscode` module (the test build aliases `vscode` to this file), so the
 * bundled extension can be activated in Node against the real server. It implements what the
 * extension and vscode-languageclient use on the paths the host test drives, records what the
 * extension shows, and answers everything else with inert stubs. It is not VS Code: rendering,
 * menus, `when` clauses and the webview itself are not exercised.
 */

import { pathToFileURL, fileURLToPath } from 'node:url';

import { vscodeSection } from './manifest';

type Listener<T> = (value: T) => unknown;

interface Disposing {
  dispose(): void;
}

export class EventEmitter<T> {
  private listeners = new Set<Listener<T>>();
  readonly event = (listener: Listener<T>): Disposing => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      listener(value);
    }
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly fsPath: string,
    private readonly text: string,
  ) {}
  static file(path: string): Uri {
    return new Uri('file', path, pathToFileURL(path).href);
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return Uri.file([base.fsPath, ...parts].join('/'));
  }
  static parse(text: string): Uri {
    const url = new URL(text);
    return url.protocol === 'file:' ? Uri.file(fileURLToPath(url)) : new Uri(url.protocol.slice(0, -1), '', text);
  }
  get path(): string {
    return this.fsPath;
  }
  toString(): string {
    return this.text;
  }
  toJSON(): string {
    return this.text;
  }
}

export class ThemeIcon {
  constructor(
    readonly id: string,
    readonly color?: ThemeColor,
  ) {}
}

export class ThemeColor {
  constructor(readonly id: string) {}
}

export class TreeItem {
  id?: string;
  description?: string;
  tooltip?: string;
  iconPath?: ThemeIcon;
  command?: { command: string; arguments?: unknown[] };
  constructor(
    readonly label: string,
    readonly collapsibleState: number,
  ) {}
}

export class Disposable {
  constructor(private readonly callback: () => void) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => {
      items.forEach((item) => item.dispose());
    });
  }
  dispose(): void {
    this.callback();
  }
}

export class CancellationTokenSource {
  private readonly cancelled = new EventEmitter<undefined>();
  readonly token = { isCancellationRequested: false, onCancellationRequested: this.cancelled.event };
  cancel(): void {
    this.token.isCancellationRequested = true;
    this.cancelled.fire(undefined);
  }
  dispose(): void {
    this.cancelled.dispose();
  }
}

export class CancellationError extends Error {}

/** Classes vscode-languageclient extends when it loads; the tested paths never construct them. */
class Unused {
  readonly unused = true;
}
export {
  Unused as CallHierarchyItem,
  Unused as CodeAction,
  Unused as CodeLens,
  Unused as CompletionItem,
  Unused as Diagnostic,
  Unused as DocumentLink,
  Unused as InlayHint,
  Unused as SymbolInformation,
  Unused as TypeHierarchyItem,
};

/** Read when vscode-languageclient builds its converters. */
export const CodeActionKind = Object.fromEntries(
  ['Empty', 'QuickFix', 'Refactor', 'RefactorExtract', 'RefactorInline', 'RefactorRewrite', 'Source', 'SourceOrganizeImports'].map((kind) => [kind, { value: kind }]),
);

export const TreeItemCollapsibleState = { None: 0, Collapsed: 1, Expanded: 2 };
export const StatusBarAlignment = { Left: 1, Right: 2 };
export const ViewColumn = { Active: -1, Beside: -2, One: 1 };
export const ProgressLocation = { SourceControl: 1, Window: 10, Notification: 15 };
export const version = '1.82.0';
export const env = { language: 'en', appName: 'Fake VS Code', openExternal: () => Promise.resolve(false) };

// ---------------------------------------------------------------------- what the test sees

export interface FakeDocument {
  uri: Uri;
  languageId: string;
  version: number;
  isClosed: boolean;
  getText(): string;
}

export interface FakeWebviewPanel {
  html: string;
  posted: unknown[];
  receive(message: unknown): void;
}

/** A webview view (`registerWebviewViewProvider`) once the host showed it. */
export interface FakeWebviewView extends FakeWebviewPanel {
  setVisible(visible: boolean): void;
}

/** What a provider of a webview view is given. */
interface WebviewViewProvider {
  resolveWebviewView(view: unknown): unknown;
}

/** A webview, and the record of what the extension did with it. */
function fakeWebview() {
  const received = new EventEmitter<unknown>();
  const record: FakeWebviewPanel = {
    html: '',
    posted: [],
    receive: (value) => {
      received.fire(value);
    },
  };
  const webview = {
    set html(value: string) {
      record.html = value;
    },
    options: {},
    postMessage: (value: unknown) => {
      record.posted.push(value);
      return Promise.resolve(true);
    },
    onDidReceiveMessage: received.event,
    asWebviewUri: (uri: Uri) => Uri.parse(`https://webview.test${uri.path}`),
    cspSource: 'fake:',
  };
  return { record, webview };
}

export const host = {
  root: '',
  settings: {} as Record<string, unknown>,
  contexts: new Map<string, unknown>(),
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  messages: [] as { kind: string; message: string; items: unknown[] }[],
  shownDocuments: [] as string[],
  output: [] as string[],
  treeProviders: [] as { getChildren(node?: unknown): unknown[]; getTreeItem(node: unknown): TreeItem }[],
  statusBar: { text: '', tooltip: '', command: '' as unknown, visible: false },
  panels: [] as FakeWebviewPanel[],
  viewProviders: new Map<string, WebviewViewProvider>(),
  documents: [] as FakeDocument[],
  opened: new EventEmitter<FakeDocument>(),
  activeEditor: new EventEmitter<{ document: FakeDocument } | undefined>(),
  /** What the extension keeps in its workspace state (`context.workspaceState`). */
  workspaceState: new Map<string, unknown>(),
  configurationChanged: new EventEmitter<{ affectsConfiguration(section: string): boolean }>(),

  reset(root: string, settings: Record<string, unknown>): void {
    Object.assign(host, { root, settings, messages: [], shownDocuments: [], output: [], treeProviders: [], panels: [], documents: [] });
    window.activeTextEditor = undefined;
    host.viewProviders.clear();
    host.contexts.clear();
    host.workspaceState.clear();
  },

  openDocument(uri: string, languageId: string, text: string): void {
    const document: FakeDocument = { uri: Uri.parse(uri), languageId, version: 1, isClosed: false, getText: () => text };
    host.documents.push(document);
    host.opened.fire(document);
  },

  /** Makes `document` the active editor's, as when the user switches to it. */
  showEditor(document: FakeDocument | undefined): void {
    window.activeTextEditor = document === undefined ? undefined : { document };
    host.activeEditor.fire(window.activeTextEditor);
  },

  /** Shows a contributed webview view: its provider resolves it, visible. */
  showView(id: string): FakeWebviewView {
    const provider = host.viewProviders.get(id);
    if (provider === undefined) {
      throw new Error(`no provider of the view ${id}`);
    }
    const visibility = new EventEmitter<undefined>();
    const { record, webview } = fakeWebview();
    const view = { webview, visible: true, onDidChangeVisibility: visibility.event, onDidDispose: new EventEmitter<undefined>().event };
    const shown: FakeWebviewView = Object.assign(record, {
      setVisible: (visible: boolean) => {
        view.visible = visible;
        visibility.fire(undefined);
      },
    });
    provider.resolveWebviewView(view);
    return shown;
  },

  async executeCommand(id: string, ...args: unknown[]): Promise<unknown> {
    const command = host.commands.get(id);
    if (command === undefined) {
      throw new Error(`command '${id}' not found`);
    }
    return await command(...args);
  },

  /** Polls `condition` until it holds, or fails after `ms`. */
  async until(condition: () => boolean, what: string, ms = 30_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!condition()) {
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what}; output:\n${host.output.join('').slice(-3000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  },
};

/** The extension context the host gives `activate`: subscriptions and storage. */
export function extensionContext(extensionPath: string, globalStorage: string): {
  subscriptions: Disposing[];
  extensionPath: string;
  extensionUri: Uri;
  globalStorageUri: Uri;
  workspaceState: { get(key: string): unknown; update(key: string, value: unknown): Promise<void> };
} {
  return {
    subscriptions: [],
    extensionPath,
    extensionUri: Uri.file(extensionPath),
    globalStorageUri: Uri.file(globalStorage),
    workspaceState: {
      get: (key) => host.workspaceState.get(key),
      update: (key, value) => {
        host.workspaceState.set(key, value);
        return Promise.resolve();
      },
    },
  };
}

// ---------------------------------------------------------------------- the API

/** Members nobody on the tested paths relies on: callable, returning a disposable. */
function inert<T extends object>(known: T): T {
  return new Proxy(known, {
    get: (target, name) =>
      name in target ? target[name as keyof T] : () => ({ dispose: () => undefined }),
  });
}

function configuration(section?: string): Record<string, unknown> {
  const all: Record<string, unknown> = { codegym: vscodeSection(host.settings) };
  const lookup = (key: string): unknown =>
    key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], all);
  const scope = section === undefined ? all : (lookup(section) as Record<string, unknown> | undefined) ?? {};
  const get = (key: string, fallback?: unknown): unknown => {
    const value = lookup(section === undefined ? key : `${section}.${key}`);
    return value === undefined ? fallback : value;
  };
  return { ...scope, get, has: (key: string) => get(key) !== undefined, inspect: () => undefined, update: () => Promise.resolve() };
}

/** Records a message; its items are never picked (the user dismisses it). */
function message(kind: string) {
  return (text: string, ...items: unknown[]): Promise<undefined> => {
    host.messages.push({ kind, message: text, items });
    return Promise.resolve(undefined);
  };
}

export const workspace = inert({
  isTrusted: true,
  get workspaceFolders() {
    return [{ uri: Uri.file(host.root), name: 'gym', index: 0 }];
  },
  get textDocuments() {
    return host.documents;
  },
  notebookDocuments: [],
  getConfiguration: configuration,
  onDidOpenTextDocument: host.opened.event,
  onDidChangeConfiguration: host.configurationChanged.event,
  createFileSystemWatcher: () =>
    inert({ onDidCreate: new EventEmitter().event, onDidDelete: new EventEmitter().event, onDidChange: new EventEmitter().event, dispose: () => undefined }),
});

export const window = inert({
  activeTextEditor: undefined as { document: FakeDocument } | undefined,
  onDidChangeActiveTextEditor: host.activeEditor.event,
  registerWebviewViewProvider: (id: string, provider: WebviewViewProvider) => {
    host.viewProviders.set(id, provider);
    return { dispose: () => host.viewProviders.delete(id) };
  },
  visibleTextEditors: [],
  tabGroups: inert({ all: [] }),
  createOutputChannel: (name: string) =>
    inert({
      name,
      append: (text: string) => host.output.push(text),
      appendLine: (text: string) => host.output.push(`${text}\n`),
      show: () => undefined,
      dispose: () => undefined,
    }),
  createTreeView: (_id: string, options: { treeDataProvider: (typeof host.treeProviders)[number] }) => {
    host.treeProviders.push(options.treeDataProvider);
    return inert({ visible: false, dispose: () => undefined });
  },
  createStatusBarItem: () =>
    Object.assign(host.statusBar, {
      visible: false,
      show: () => {
        host.statusBar.visible = true;
      },
      hide: () => {
        host.statusBar.visible = false;
      },
      dispose: () => undefined,
    }),
  createWebviewPanel: () => {
    const disposed = new EventEmitter<undefined>();
    const { record, webview } = fakeWebview();
    host.panels.push(record);
    const dispose = (): void => {
      disposed.fire(undefined);
    };
    return { webview, reveal: () => undefined, onDidDispose: disposed.event, dispose };
  },
  showInformationMessage: message('info'),
  showWarningMessage: message('warning'),
  showErrorMessage: message('error'),
  showTextDocument: (uri: Uri) => {
    host.shownDocuments.push(uri.toString());
    return Promise.resolve({});
  },
  withProgress: (_options: unknown, task: (progress: unknown, token: unknown) => Promise<unknown>) =>
    task({ report: () => undefined }, new CancellationTokenSource().token),
});

export const commands = inert({
  registerCommand: (id: string, handler: (...args: unknown[]) => unknown) => {
    if (host.commands.has(id)) {
      throw new Error(`command '${id}' already exists`); // as VS Code does
    }
    host.commands.set(id, handler);
    return { dispose: () => host.commands.delete(id) };
  },
  executeCommand: (id: string, ...args: unknown[]) => {
    if (id === 'setContext') {
      host.contexts.set(args[0] as string, args[1]);
      return Promise.resolve();
    }
    return host.executeCommand(id, ...args);
  },
});

export const languages = inert({
  match: (selector: { language?: string; scheme?: string }[], document: FakeDocument) =>
    selector.some((filter) => filter.language === document.languageId && filter.scheme === document.uri.scheme) ? 10 : 0,
  createDiagnosticCollection: () => inert({ set: () => undefined, delete: () => undefined, clear: () => undefined, dispose: () => undefined }),
  getDiagnostics: () => [],
});
