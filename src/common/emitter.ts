import type { IDisposable } from './lifecycle';

export type Listener<T> = (event: T) => void;

/** Where a failing listener is reported; the composition root points it at the log. */
export const listenerErrors = {
  report: (err: unknown): void => {
    console.error('[gastown] an event listener failed:', err);
  },
};

/** A minimal typed event emitter for the layers that cannot import vscode. */
export class Emitter<T> implements IDisposable {
  private listeners = new Set<Listener<T>>();

  readonly event = (listener: Listener<T>): IDisposable => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(event: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch (err) {
        // One listener's failure must not silence the others, nor vanish: it is logged.
        listenerErrors.report(err);
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
