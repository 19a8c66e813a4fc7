type Listener = (...args: any[]) => void;
type WriteCallback = (error?: Error | null) => void;

/**
 * The one path to the real stdout once the guard is installed: writes go through the original
 * `write`, while listeners ('error', 'drain') and state live on process.stdout itself.
 */
export class ProtocolStdout implements NodeJS.WritableStream {
  readonly #stream: NodeJS.WritableStream;
  readonly #write: NodeJS.WritableStream['write'];

  constructor(stream: NodeJS.WritableStream, originalWrite: NodeJS.WritableStream['write']) {
    this.#stream = stream;
    this.#write = originalWrite;
  }

  get writable(): boolean {
    return this.#stream.writable;
  }

  write(chunk: Uint8Array | string, callback?: WriteCallback): boolean;
  write(chunk: string, encoding?: BufferEncoding, callback?: WriteCallback): boolean;
  write(...args: unknown[]): boolean {
    return Reflect.apply(this.#write, this.#stream, args) as boolean;
  }

  end(callback?: () => void): this;
  end(data: string | Uint8Array, callback?: () => void): this;
  end(data: string, encoding?: BufferEncoding, callback?: () => void): this;
  end(...args: unknown[]): this {
    Reflect.apply(this.#stream.end, this.#stream, args);
    return this;
  }

  on(event: string | symbol, listener: Listener): this {
    this.#stream.on(event, listener);
    return this;
  }

  addListener(event: string | symbol, listener: Listener): this {
    this.#stream.addListener(event, listener);
    return this;
  }

  once(event: string | symbol, listener: Listener): this {
    this.#stream.once(event, listener);
    return this;
  }

  prependListener(event: string | symbol, listener: Listener): this {
    this.#stream.prependListener(event, listener);
    return this;
  }

  prependOnceListener(event: string | symbol, listener: Listener): this {
    this.#stream.prependOnceListener(event, listener);
    return this;
  }

  off(event: string | symbol, listener: Listener): this {
    this.#stream.off(event, listener);
    return this;
  }

  removeListener(event: string | symbol, listener: Listener): this {
    this.#stream.removeListener(event, listener);
    return this;
  }

  removeAllListeners(event?: string | symbol): this {
    this.#stream.removeAllListeners(event);
    return this;
  }

  setMaxListeners(count: number): this {
    this.#stream.setMaxListeners(count);
    return this;
  }

  getMaxListeners(): number {
    return this.#stream.getMaxListeners();
  }

  listeners(event: string | symbol): Function[] {
    return this.#stream.listeners(event);
  }

  rawListeners(event: string | symbol): Function[] {
    return this.#stream.rawListeners(event);
  }

  listenerCount(event: string | symbol, listener?: Function): number {
    return this.#stream.listenerCount(event, listener);
  }

  emit(event: string | symbol, ...args: unknown[]): boolean {
    return this.#stream.emit(event, ...args);
  }

  eventNames(): (string | symbol)[] {
    return this.#stream.eventNames();
  }
}
