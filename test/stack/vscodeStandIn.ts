import Module from 'node:module';

// `npm run bench` in plain Node: just enough of the `vscode` module for the Beads tree provider to build its
// TreeItems. The classes hold what they are given, as VS Code's own extension-host classes do; sending the items
// to the workbench and drawing them is not part of what is measured.

class EventEmitter<T> {
  private listeners: ((e: T) => void)[] = [];
  readonly event = (listener: (e: T) => void): { dispose(): void } => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  };
  fire(e: T): void {
    this.listeners.forEach((l) => l(e));
  }
  dispose(): void {
    this.listeners = [];
  }
}

class ThemeColor {
  constructor(readonly id: string) {}
}

class ThemeIcon {
  constructor(
    readonly id: string,
    readonly color?: ThemeColor,
  ) {}
}

class MarkdownString {
  isTrusted = false;
  supportHtml = false;
  constructor(
    public value = '',
    readonly supportThemeIcons = false,
  ) {}
  appendMarkdown(value: string): this {
    this.value += value;
    return this;
  }
}

export const TreeItemCollapsibleState = { None: 0, Collapsed: 1, Expanded: 2 } as const;

class TreeItem {
  constructor(
    readonly label: string,
    readonly collapsibleState: number = TreeItemCollapsibleState.None,
  ) {}
}

const standIn = { EventEmitter, ThemeColor, ThemeIcon, MarkdownString, TreeItem, TreeItemCollapsibleState };

let installed = false;

/** From now on, `require('vscode')` in this process gives the stand-in. */
export function installVscodeStandIn(): void {
  if (installed) {
    return;
  }
  installed = true;
  const m = Module as unknown as { _load: (this: unknown, request: string, ...rest: unknown[]) => unknown };
  const load = m._load;
  m._load = function (this: unknown, request: string, ...rest: unknown[]): unknown {
    return request === 'vscode' ? standIn : load.call(this, request, ...rest);
  };
}
