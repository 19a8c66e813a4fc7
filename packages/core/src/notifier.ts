import type { ChangeNotifier } from './tools/tool-context.js';

/** Fans change events out to every place a client may be listening: HTTP listen streams, stdio. */
export class NotifierHub implements ChangeNotifier {
  readonly #sinks = new Set<ChangeNotifier>();

  /** How many places are listening; for tests and diagnostics. */
  get size(): number {
    return this.#sinks.size;
  }

  add(sink: ChangeNotifier): () => void {
    this.#sinks.add(sink);
    return () => this.#sinks.delete(sink);
  }

  #each(action: (sink: ChangeNotifier) => void): void {
    for (const sink of this.#sinks) action(sink);
  }

  toolsChanged(): void {
    this.#each((sink) => sink.toolsChanged());
  }

  promptsChanged(): void {
    this.#each((sink) => sink.promptsChanged());
  }

  resourcesChanged(): void {
    this.#each((sink) => sink.resourcesChanged());
  }

  resourceUpdated(uri: string): void {
    this.#each((sink) => sink.resourceUpdated(uri));
  }
}
