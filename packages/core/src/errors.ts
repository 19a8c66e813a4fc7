const TOOL_ERROR = Symbol.for('bastion.error.tool');
const UPSTREAM_ERROR = Symbol.for('bastion.error.upstream');
const CONFIG_ERROR = Symbol.for('bastion.error.config');

function hasMarker(value: unknown, marker: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
}

/**
 * A failure the caller can fix (bad path, unknown id, missing confirmation). Its message goes to
 * the client as an `isError` result, so it must say what was wrong and how to fix it.
 */
export class ToolError extends Error {
  readonly [TOOL_ERROR] = true;
  override readonly name = 'ToolError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }

  /** Works across duplicate installs of this package, unlike `instanceof`. */
  static isInstance(value: unknown): value is ToolError {
    return hasMarker(value, TOOL_ERROR);
  }
}

const RESOURCE_NOT_FOUND = Symbol.for('bastion.error.resource-not-found');

/**
 * A resource read whose URI names nothing that exists (an unknown table, a deleted file). Clients
 * get the protocol's resource-not-found error, which carries the URI, with this message.
 */
export class ResourceNotFoundError extends ToolError {
  readonly [RESOURCE_NOT_FOUND] = true;
  override readonly name = 'ToolError';
  readonly uri: string;

  constructor(uri: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.uri = uri;
  }

  static override isInstance(value: unknown): value is ResourceNotFoundError {
    return hasMarker(value, RESOURCE_NOT_FOUND);
  }
}

export interface UpstreamErrorOptions {
  /** The upstream service, e.g. `GitHub`. */
  service: string;
  status?: number;
  /** What the caller or operator should do about it. */
  hint?: string;
  /** Seconds until a retry may succeed (rate limits, 503). */
  retryAfterSeconds?: number;
  /** The upstream's request id, for support tickets and the audit log. */
  requestId?: string;
  cause?: unknown;
}

/** A failure reported by the upstream API, mapped to a message that names the fix. */
export class UpstreamError extends Error {
  readonly [UPSTREAM_ERROR] = true;
  override readonly name = 'UpstreamError';
  readonly service: string;
  readonly status: number | undefined;
  readonly hint: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly requestId: string | undefined;

  constructor(message: string, options: UpstreamErrorOptions) {
    super(message, { cause: options.cause });
    this.service = options.service;
    this.status = options.status;
    this.hint = options.hint;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.requestId = options.requestId;
  }

  static isInstance(value: unknown): value is UpstreamError {
    return hasMarker(value, UPSTREAM_ERROR);
  }

  /** The text the client sees: service, status, message, fix and retry time. */
  describe(): string {
    const status = this.status === undefined ? '' : ` (HTTP ${this.status})`;
    const parts = [`${this.service} request failed${status}: ${this.message}`];
    if (this.hint) parts.push(this.hint);
    if (this.retryAfterSeconds !== undefined) {
      parts.push(`Retry after ${Math.ceil(this.retryAfterSeconds)} seconds.`);
    }
    return parts.join(' ');
  }
}

const STATUS_HINTS: Record<number, string> = {
  400: 'The upstream rejected the request; check the arguments.',
  401: 'The configured credential is invalid or expired; the operator must replace it.',
  403: 'The configured credential lacks permission for this resource or action.',
  404: 'The resource does not exist or the credential cannot see it; check the identifiers.',
  409: 'The resource changed or conflicts with the request; fetch it again and retry.',
  422: 'The upstream could not process the arguments; check them against its rules.',
  429: 'The upstream rate limit was reached.',
};

/**
 * Maps an upstream HTTP status to an `UpstreamError` with a standard hint; connectors pass the
 * upstream's own message (already free of secrets) and any retry information they parsed.
 */
export function upstreamErrorFromStatus(
  status: number,
  message: string,
  options: Omit<UpstreamErrorOptions, 'status' | 'hint'> & { hint?: string },
): UpstreamError {
  const hint =
    options.hint ??
    STATUS_HINTS[status] ??
    (status >= 500 ? 'The upstream service failed; retry later.' : undefined);
  return new UpstreamError(message, { ...options, status, hint });
}

/** One bad or missing setting; many are collected and reported together. */
export interface ConfigProblem {
  /** How the user sets it, e.g. `--port / BASTION_PORT`. */
  setting: string;
  message: string;
}

/** An invalid configuration. The process prints every problem at once and exits non-zero. */
export class ConfigError extends Error {
  readonly [CONFIG_ERROR] = true;
  override readonly name = 'ConfigError';
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(problems.map((problem) => `${problem.setting}: ${problem.message}`).join('\n'));
    this.problems = problems;
  }

  static isInstance(value: unknown): value is ConfigError {
    return hasMarker(value, CONFIG_ERROR);
  }
}
