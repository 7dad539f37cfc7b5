/** Anything with a dispose(); matches vscode.Disposable without importing vscode. */
export interface IDisposable {
  dispose(): void;
}

export function toDisposable(fn: () => void): IDisposable {
  return { dispose: fn };
}

export function disposeAll(items: IDisposable[]): void {
  while (items.length > 0) {
    try {
      items.pop()?.dispose();
    } catch {
      // one failing dispose must not keep the others alive
    }
  }
}

/** Owns disposables: whatever is registered dies with its owner. */
export abstract class Disposable implements IDisposable {
  private readonly owned: IDisposable[] = [];
  private disposed = false;

  protected register<T extends IDisposable>(item: T): T {
    if (this.disposed) {
      item.dispose();
    } else {
      this.owned.push(item);
    }
    return item;
  }

  protected get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (!this.disposed) {
      this.disposed = true;
      disposeAll(this.owned);
    }
  }
}
