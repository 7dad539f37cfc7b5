import type { IDisposable } from './lifecycle';

export type Listener<T> = (event: T) => void;

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
      } catch {
        // a listener's failure is its own; the others still hear the event
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
